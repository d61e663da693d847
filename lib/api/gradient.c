/*
 * Entry-point commands gradient and minimal: `ssmheads gradient --json
 * [--cert] [--plot] [--attention]` and `ssmheads minimal --json [-o]`,
 * through the same library calls and report builders.
 */
#include "api-impl.h"
#include <stdlib.h>

int _ssmh_api_gradient(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                       ssmh_error_t *err)
{
    ssmh_model_t m;
    ssmh_attention_t att;
    ssmh_gradient_t g;
    ssmh_highways_t hw;
    fmpq_t eps;
    const char *label, *attlabel = NULL;
    slong n, lags = -1;
    int given_n, have_eps, cert = 0, plot = 0, rc;
    fmpq_init(eps);
    ssmh_model_init(m);
    ssmh_attention_init(att);
    ssmh_gradient_init(g);
    ssmh_highways_init(hw);
    if ((rc = _ssmh_req_eps(eps, &have_eps, req, err)) != SSMH_OK
        || (rc = _ssmh_req_long(&lags, NULL, req, "lags", 0, 100000, err)) != SSMH_OK
        || (rc = _ssmh_req_n(&n, &given_n, req, lim, err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&cert, req, "certificate", err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&plot, req, "plot", err)) != SSMH_OK
        || (rc = _ssmh_req_model(m, &label, req, lim, err)) != SSMH_OK
        || (cert && (rc = _ssmh_api_failed(ssmh_model_checkable(m, lim, err), err, label)) != SSMH_OK)
        || (rc = _ssmh_req_default_n(&n, given_n, m, 0, err)) != SSMH_OK)
        goto done;
    if (lags < 0)
        lags = n > 0 ? FLINT_MIN(n - 1, 16) : 16;
    if (json_object_get(req, "attention") != NULL
        && ((rc = _ssmh_req_attention(att, &attlabel, req, lim, err)) != SSMH_OK
            || (rc = ssmh_highways_check(att, m, attlabel, err)) != SSMH_OK))
        goto done;
    rc = ssmh_gradient_compute(g, m, lags, have_eps ? eps : NULL, lim, err);
    if ((rc = _ssmh_api_failed(rc, err, label)) != SSMH_OK)
        goto done;
    ssmh_highways_compute(hw, g, attlabel != NULL ? att : NULL);
    if (cert) {
        json_t *c = ssmh_gradient_certificate(g, m);
        if (c == NULL) {
            rc = ssmh_error_set(err, SSMH_E_UNDECIDED, label, "", "no certificate written: %s",
                                g->why_envelope[0] ? g->why_envelope : "no envelope could be proven");
            goto done;
        }
        json_object_set_new(resp, "certificate", c);
    }
    if (plot) {
        char *svg = ssmh_gradient_svg(g, hw);
        if (svg == NULL) {
            rc = ssmh_error_set(err, SSMH_E_NOMEM, label, "", "out of memory");
            goto done;
        }
        json_object_set_new(resp, "svg", json_string(svg));
        free(svg);
    }
    {
        json_t *o = ssmh_gradient_to_json(g);
        json_object_set_new(o, "highways", ssmh_highways_to_json(hw, g, m, have_eps ? eps : NULL));
        json_object_set_new(resp, "result", o);
    }
done:
    ssmh_highways_clear(hw);
    ssmh_gradient_clear(g);
    ssmh_attention_clear(att);
    ssmh_model_clear(m);
    fmpq_clear(eps);
    return rc;
}

int _ssmh_api_minimal(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_model_t m;
    ssmh_minimal_t r;
    const char *label;
    int rc;
    ssmh_model_init(m);
    ssmh_minimal_init(r);
    if ((rc = _ssmh_req_model(m, &label, req, lim, err)) == SSMH_OK
        && (rc = _ssmh_api_failed(ssmh_minimal_compute(r, m, lim, err), err, label)) == SSMH_OK) {
        json_object_set_new(resp, "result", ssmh_minimal_to_json(r));
        if (r->mcmillan_degree > 0)   /* `minimal -o` refuses a model with no state */
            json_object_set_new(resp, "model", ssmh_model_to_json(r->minimal));
    }
    ssmh_minimal_clear(r);
    ssmh_model_clear(m);
    return rc;
}
