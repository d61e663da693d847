/*
 * Entry-point command approx: `ssmheads approx --json [--relative]
 * [--curve] [--plot] [--method] [--cert]`, through the same library calls
 * and report builders.
 */
#include "api-impl.h"
#include <stdlib.h>

int _ssmh_api_approx(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    static const char *const methods[] = {"auto", "exact", "enclosure", "modes", NULL};
    ssmh_model_t m;
    ssmh_approx_t a;
    fmpq_t eps;
    const char *label;
    slong n;
    int given_n, have_eps, relative = 0, curve = 0, plot = 0, cert = 0, method = 0, rc;
    fmpq_init(eps);
    ssmh_model_init(m);
    ssmh_approx_init(a);
    if ((rc = _ssmh_req_eps(eps, &have_eps, req, err)) != SSMH_OK
        || (rc = _ssmh_req_n(&n, &given_n, req, lim, err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&relative, req, "relative", err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&curve, req, "curve", err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&plot, req, "plot", err)) != SSMH_OK
        || (rc = _ssmh_req_bool(&cert, req, "certificate", err)) != SSMH_OK
        || (rc = _ssmh_req_choice(&method, req, "method", methods, err)) != SSMH_OK)
        goto done;
    if (!have_eps) {
        rc = ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "$.eps", "is required");
        goto done;
    }
    if ((rc = _ssmh_req_model(m, &label, req, lim, err)) != SSMH_OK
        || (cert && (rc = _ssmh_api_failed(ssmh_model_checkable(m, lim, err), err, label)) != SSMH_OK)
        || (rc = _ssmh_req_default_n(&n, given_n, m, 1, err)) != SSMH_OK)
        goto done;
    rc = ssmh_approx_compute_method(a, m, n, eps, relative,
                                    method == 1   ? SSMH_APPROX_EXACT
                                    : method == 2 ? SSMH_APPROX_ENCLOSURE
                                    : method == 3 ? SSMH_APPROX_MODES
                                                  : SSMH_APPROX_AUTO,
                                    curve || plot, lim, err);
    if ((rc = _ssmh_api_failed(rc, err, label)) != SSMH_OK)
        goto done;
    if (cert)
        json_object_set_new(resp, "certificate", ssmh_approx_certificate(a, m));
    if (plot) {
        char *svg = ssmh_approx_svg(a);
        if (svg == NULL) {
            rc = ssmh_error_set(err, SSMH_E_NOMEM, label, "", "out of memory");
            goto done;
        }
        json_object_set_new(resp, "svg", json_string(svg));
        free(svg);
    }
    json_object_set_new(resp, "result", ssmh_approx_to_json(a, curve));
done:
    ssmh_approx_clear(a);
    ssmh_model_clear(m);
    fmpq_clear(eps);
    return rc;
}
