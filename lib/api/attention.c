/*
 * Entry-point commands span and represent: `ssmheads span --json` and
 * `ssmheads represent --json [--cert]`, through the same library calls and
 * report builders.
 */
#include "api-impl.h"

int _ssmh_api_span(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_attention_t a;
    ssmh_span_t s;
    const char *label;
    int rc;
    ssmh_attention_init(a);
    ssmh_span_init(s);
    if ((rc = _ssmh_req_attention(a, &label, req, lim, err)) == SSMH_OK
        && (rc = _ssmh_api_failed(ssmh_span_compute(s, a, err), err, label)) == SSMH_OK)
        json_object_set_new(resp, "result", ssmh_span_to_json(s));
    ssmh_span_clear(s);
    ssmh_attention_clear(a);
    return rc;
}

int _ssmh_api_represent(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                        ssmh_error_t *err)
{
    ssmh_attention_t a;
    ssmh_model_t m;
    ssmh_represent_t r;
    const char *alabel, *mlabel;
    slong n;
    int given_n, cert = 0, rc;
    if ((rc = _ssmh_req_n(&n, &given_n, req, lim, err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&cert, req, "certificate", err)) != SSMH_OK)
        return rc;
    ssmh_attention_init(a);
    ssmh_model_init(m);
    ssmh_represent_init(r);
    if ((rc = _ssmh_req_attention(a, &alabel, req, lim, err)) == SSMH_OK
        && (rc = _ssmh_req_model(m, &mlabel, req, lim, err)) == SSMH_OK
        && (!cert || (rc = _ssmh_api_failed(ssmh_model_checkable(m, lim, err), err, mlabel)) == SSMH_OK)
        && (rc = _ssmh_req_default_n(&n, given_n, m, 1, err)) == SSMH_OK) {
        rc = ssmh_represent_compute(r, a, m, n, lim, err);
        /* as the CLI: a shape mismatch names the layer, anything else the model */
        rc = _ssmh_api_failed(rc, err, rc == SSMH_E_SHAPE ? alabel : mlabel);
    }
    if (rc == SSMH_OK) {
        json_object_set_new(resp, "result", ssmh_represent_to_json(r));
        if (cert)
            json_object_set_new(resp, "certificate", ssmh_represent_certificate(r, a, m));
        rc = r->verdict == SSMH_REPRESENT_NO ? 1 : 0;   /* the CLI's exit 1 */
    }
    ssmh_represent_clear(r);
    ssmh_model_clear(m);
    ssmh_attention_clear(a);
    return rc;
}
