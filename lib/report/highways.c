/*
 * The attention highways beside the gradient report (SPEC 1.4).  Guarantee:
 * each bound is the lower end of a certified enclosure of ||V_h||_2, and
 * each "below eps times the highway" lag is decided exactly by the
 * envelope (ssmh_gradient_horizon).
 */
#include "ssmheads-impl.h"
#include <ssmheads/report.h>
#include <string.h>

void ssmh_highways_init(ssmh_highways_t h)
{
    memset(h, 0, sizeof(*h));
}

void ssmh_highways_clear(ssmh_highways_t h)
{
    if (h->lo != NULL)
        _fmpq_vec_clear(h->lo, h->n);
    ssmh_highways_init(h);
}

int ssmh_highways_check(const ssmh_attention_t att, const ssmh_model_t m, const char *attfile,
                        ssmh_error_t *err)
{
    if (att->p != m->p || att->d != m->d)
        return ssmh_error_set(err, SSMH_E_SHAPE, attfile, "$.heads",
                              "the layer's value maps are %ld x %ld but the model's lag "
                              "operators are %ld x %ld",
                              (long)att->p, (long)att->d, (long)m->p, (long)m->d);
    return SSMH_OK;
}

void ssmh_highways_compute(ssmh_highways_t h, const ssmh_gradient_t g,
                           const ssmh_attention_t att)
{
    slong i;
    fmpq_t up;
    ssmh_highways_clear(h);
    h->attention = att != NULL;
    h->n = att != NULL ? att->H : 1;
    h->lo = _fmpq_vec_init(h->n);
    fmpq_init(up);
    for (i = 0; i < h->n; i++) {
        if (att != NULL)
            ssmh_norm2_enclose(h->lo + i, up, att->V + i);
        else
            fmpq_set(h->lo + i, g->norm2_lo + 0);
    }
    fmpq_clear(up);
}

json_t *ssmh_highways_to_json(const ssmh_highways_t h, const ssmh_gradient_t g,
                              const ssmh_model_t m, const fmpq_t eps)
{
    json_t *ha = json_array();
    slong i;
    for (i = 0; i < h->n; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "head", h->attention ? json_integer(i) : json_string("K_0"));
        json_object_set_new(e, "highway_lo", ssmh_json_rational(h->lo + i));
        if (eps != NULL) {
            fmpq_t t;
            slong d;
            const char *why = "the highway's lower bound is 0";
            fmpq_init(t);
            fmpq_mul(t, eps, h->lo + i);
            d = fmpq_is_zero(t) ? -1 : ssmh_gradient_horizon(g, m, t, &why);
            json_object_set_new(e, "below_eps_highway_from", d >= 0 ? json_integer(d) : json_null());
            if (d < 0)   /* why not (doc/gradient.md, "Horizon in lags") */
                json_object_set_new(e, "below_eps_highway_none", json_string(why));
            fmpq_clear(t);
        }
        json_array_append_new(ha, e);
    }
    return ha;
}
