/*
 * Entry-point commands heads and construct: `ssmheads heads --json
 * [--budget H] [--cert]` and `ssmheads construct --json`, through the same
 * library calls and report builders.
 */
#include "api-impl.h"

int _ssmh_api_heads(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_model_t m;
    ssmh_heads_t h;
    const char *label;
    slong n, budget = -1;
    int cert = 0, given, rc, how = SSMH_HEADS_AUTO;
    if ((rc = _ssmh_req_n(&n, &given, req, lim, err)) != SSMH_OK
        || (rc = _ssmh_req_long(&budget, NULL, req, "budget", 0, WORD(1) << 40, err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&cert, req, "certificate", err)) != SSMH_OK)
        return rc;
    if (json_object_get(req, "profile") != NULL && !json_is_null(json_object_get(req, "profile"))) {
        int profile = 0;   /* true: the lag form always; false: k_inf only */
        if ((rc = _ssmh_req_bool(&profile, req, "profile", err)) != SSMH_OK)
            return rc;
        how = profile ? SSMH_HEADS_PROFILE : SSMH_HEADS_KINF_ONLY;
    }
    ssmh_model_init(m);
    ssmh_heads_init(h);
    if ((rc = _ssmh_req_model(m, &label, req, lim, err)) == SSMH_OK
        && (!cert || (rc = _ssmh_api_failed(ssmh_model_checkable(m, lim, err), err, label)) == SSMH_OK)
        && (rc = _ssmh_req_default_n(&n, given, m, 0, err)) == SSMH_OK
        && (rc = _ssmh_api_failed(ssmh_heads_compute_opts(h, m, n, how, lim, err), err, label))
               == SSMH_OK) {
        json_object_set_new(resp, "result", ssmh_heads_to_json(h, budget));
        if (cert)
            json_object_set_new(resp, "certificate", ssmh_heads_certificate(h, m));
        rc = budget >= 0 && h->k > budget ? 1 : 0;   /* the CLI's exit 1 */
    }
    ssmh_heads_clear(h);
    ssmh_model_clear(m);
    return rc;
}

int _ssmh_api_construct(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                        ssmh_error_t *err)
{
    ssmh_model_t m;
    ssmh_construction_t c;
    const char *label;
    slong n;
    int given, rc;
    if ((rc = _ssmh_req_n(&n, &given, req, lim, err)) != SSMH_OK)
        return rc;
    ssmh_model_init(m);
    ssmh_construction_init(c);
    if ((rc = _ssmh_req_model(m, &label, req, lim, err)) == SSMH_OK
        && (rc = _ssmh_req_default_n(&n, given, m, 1, err)) == SSMH_OK
        && (rc = _ssmh_api_failed(ssmh_construct(c, m, n, lim, err), err, label)) == SSMH_OK)
        json_object_set_new(resp, "result", ssmh_construction_to_json(c));
    ssmh_construction_clear(c);
    ssmh_model_clear(m);
    return rc;
}
