/*
 * The `heads` report (SPEC 4) and certificate (doc/cert-heads.md).
 * Guarantee: the certificate states only what ssmh_heads_compute proved,
 * with every witness it used.
 */
#include "heads-impl.h"

json_t *ssmh_heads_to_json(const ssmh_heads_t h, slong budget)
{
    json_t *o = json_object(), *prof = json_array(), *piv = json_array();
    slong j;
    json_object_set_new(o, "k", json_integer(h->k));
    json_object_set_new(o, "n", h->n > 0 ? json_integer(h->n) : json_null());
    json_object_set_new(o, "k_inf", json_integer(h->k_inf));
    if (h->lower_modes) {   /* k_inf only: n* lies between r and F */
        json_t *range = json_array();
        json_decref(prof);
        json_decref(piv);
        json_object_set_new(o, "n_star", json_null());
        json_array_append_new(range, json_integer(FLINT_MAX(h->r, 1)));
        json_array_append_new(range, json_integer(FLINT_MAX(h->first_covered, 1)));
        json_object_set_new(o, "n_star_range", range);
        json_object_set_new(o, "profile", json_null());
        json_object_set_new(o, "pivot_lags", json_null());
    } else {
        json_object_set_new(o, "n_star", json_integer(h->n_star));
        for (j = 1; j <= h->n_star; j++)
            json_array_append_new(prof, json_integer(ssmh_heads_k_at(h, j)));
        json_object_set_new(o, "profile", prof);
        for (j = 0; j < h->r; j++)
            if (h->n == 0 || h->pivot_lags[j] < h->n)
                json_array_append_new(piv, json_integer(h->pivot_lags[j]));
        json_object_set_new(o, "pivot_lags", piv);
    }
    json_object_set_new(o, "lower_witness", json_string(h->lower_modes ? "modes" : "lags"));
    json_object_set_new(o, "single_head", json_boolean(h->k <= 1));
    json_object_set_new(o, "rank_gap", json_integer(h->k > 0 ? h->k - 1 : 0));
    if (budget >= 0) {
        json_object_set_new(o, "budget", json_integer(budget));
        json_object_set_new(o, "representable", json_boolean(h->k <= budget));
    }
    json_object_set_new(o, "state_dim", json_integer(h->N));
    json_object_set_new(o, "input_dim", json_integer(h->d));
    json_object_set_new(o, "output_dim", json_integer(h->p));
    json_object_set_new(o, "convention", json_string(ssmh_convention_name(h->convention)));
    json_object_set_new(o, "support", json_integer(h->support));
    {
        char buf[32];
        flint_sprintf(buf, "%wu", h->prime);
        json_object_set_new(o, "prime", json_string(buf));
    }
    return o;
}

json_t *ssmh_heads_certificate(const ssmh_heads_t h, const ssmh_model_t m)
{
    json_t *cert = json_object(), *claim = json_object(), *wit = json_object();
    json_t *lower, *upper, *ann, *deps, *lags, *entries, *prof;
    slong i, j, n = h->n > 0 ? h->n : h->lower_modes ? FLINT_MAX(h->first_covered, 1) : h->n_star;
    char buf[32];

    json_object_set_new(cert, "format", json_string("ssmheads-cert/1"));
    json_object_set_new(cert, "model", ssmh_model_to_json(m));
    json_object_set_new(claim, "kind", json_string("heads"));
    json_object_set_new(claim, "n", json_integer(n));
    json_object_set_new(claim, "k", json_integer(ssmh_heads_k_at(h, n)));
    json_object_set_new(claim, "k_inf", json_integer(h->k_inf));
    if (!h->lower_modes) {   /* the mode form proves k_inf only */
        json_object_set_new(claim, "n_star", json_integer(h->n_star));
        prof = json_array();
        for (j = 1; j <= h->n_star; j++)
            json_array_append_new(prof, json_integer(ssmh_heads_k_at(h, j)));
        json_object_set_new(claim, "profile", prof);
    }
    json_object_set_new(cert, "claim", claim);

    if (h->r > 0) {
        lower = json_object();
        flint_sprintf(buf, "%wu", h->prime);
        json_object_set_new(lower, "prime", json_string(buf));
        lags = json_array();
        entries = json_array();
        for (i = 0; i < h->r; i++) {
            json_t *e = json_array();
            if (h->lower_modes) {
                json_t *md = json_array();
                json_array_append_new(md, json_integer(h->mode_index[i]));
                json_array_append_new(md, json_integer(h->mode_part[i]));
                json_array_append_new(lags, md);
            } else {
                json_array_append_new(lags, json_integer(h->pivot_lags[i]));
            }
            json_array_append_new(e, json_integer(h->entry_row[i]));
            json_array_append_new(e, json_integer(h->entry_col[i]));
            json_array_append_new(entries, e);
        }
        json_object_set_new(lower, h->lower_modes ? "modes" : "lags", lags);
        json_object_set_new(lower, "entries", entries);
        json_object_set_new(wit, "lower", lower);
    } else {
        json_object_set_new(wit, "lower", json_null());
    }
    upper = json_object();
    ann = json_object();
    if (h->ann == SSMH_ANNIHILATOR_B) {
        json_t *co = json_array();
        json_object_set_new(ann, "side", json_string("B"));
        for (i = 0; i <= h->m; i++)
            json_array_append_new(co, ssmh_json_rational(h->ann_coeffs + i));
        json_object_set_new(ann, "coeffs", co);
    } else {
        json_object_set_new(ann, "side", json_string("cayley_hamilton"));
    }
    json_object_set_new(upper, "annihilator", ann);
    deps = json_array();
    for (i = 0; i < h->ndeps; i++) {
        json_t *d = json_object(), *pv = json_array(), *co = json_array();
        json_object_set_new(d, "lag", json_integer(h->deps[i].lag));
        for (j = 0; j < h->deps[i].npiv; j++) {
            json_array_append_new(pv, json_integer(h->pivot_lags[j]));
            json_array_append_new(co, ssmh_json_rational(h->deps[i].coeffs + j));
        }
        json_object_set_new(d, "pivots", pv);
        json_object_set_new(d, "coeffs", co);
        json_array_append_new(deps, d);
    }
    json_object_set_new(upper, "dependencies", deps);
    json_object_set_new(wit, "upper", upper);
    json_object_set_new(cert, "witness", wit);
    return cert;
}
