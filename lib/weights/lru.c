/*
 * The lru layout (Linear Recurrent Unit, Orvieto et al. 2023):
 *   x_k = lambda * x_{k-1} + gamma * (B u_k),  y_k = Re(C x_k) + D * u_k,
 *   lambda = exp(-exp(nu_log) + i exp(theta_log)),  gamma = exp(gamma_log).
 * Tensors (after the prefix): nu_log, theta_log, gamma_log (N), B_re, B_im
 * (N x H), C_re, C_im (H x N), optional D (H).  Guarantee: as for s4d, every
 * exp/sin/cos by MPFR at 256 bits, rounded to nearest at `bits`; the result
 * is a complex-diagonal model with output "re".
 */
#include "weights-impl.h"
#include <string.h>


int ssmh_import_lru(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, slong bits,
                    const char *file, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    static const char *names[] = {"nu_log", "theta_log", "gamma_log", "B_re", "B_im", "C_re", "C_im"};
    const ssmh_tensor_struct *t[7], *D;
    slong N, H, i, j;
    json_t *o, *re, *im, *Br, *Bi, *Cr, *Ci, *Dm, *a, *cd, *b, *c;
    mpfr_t r, th, g, x, y, sn, cs;
    char src[600];
    int k, rc, bad = 0;

    if (bits < 2 || bits > 4096)
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "precision must be 2 .. 4096 bits");
    for (k = 0; k < 7; k++) {
        t[k] = ssmh_weights_get(w, prefix, names[k]);
        if (t[k] == NULL)
            return ssmh_error_set(err, SSMH_E_VALUE, file, names[k], "no tensor named %s%s",
                                  prefix ? prefix : "", names[k]);
    }
    N = t[0]->shape[0];
    H = t[3]->ndim == 2 ? t[3]->shape[1] : -1;
    for (k = 0; k < 3; k++)
        if (t[k]->ndim != 1 || t[k]->shape[0] != N)
            return ssmh_error_set(err, SSMH_E_SHAPE, file, t[k]->name, "must be a vector of length %ld", (long)N);
    for (k = 3; k < 5; k++)
        if (t[k]->ndim != 2 || t[k]->shape[0] != N || t[k]->shape[1] != H)
            return ssmh_error_set(err, SSMH_E_SHAPE, file, t[k]->name, "must be %ld x %ld (N x H)", (long)N, (long)H);
    for (k = 5; k < 7; k++)
        if (t[k]->ndim != 2 || t[k]->shape[0] != H || t[k]->shape[1] != N)
            return ssmh_error_set(err, SSMH_E_SHAPE, file, t[k]->name, "must be %ld x %ld (H x N)", (long)H, (long)N);
    D = ssmh_weights_get(w, prefix, "D");
    if (D != NULL && (D->ndim != 1 || D->shape[0] != H))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, D->name, "D must have length %ld", (long)H);
    mpfr_inits2(SSMH_WP, r, th, g, x, y, sn, cs, (mpfr_ptr)0);
    re = json_array();
    im = json_array();
    Br = json_array();
    Bi = json_array();
    for (i = 0; i < N; i++) {
        json_t *rr = json_array(), *ri = json_array();
        _ssmh_q_to_mpfr(r, t[0]->data + i);
        mpfr_exp(r, r, MPFR_RNDN);
        mpfr_neg(r, r, MPFR_RNDN);
        mpfr_exp(r, r, MPFR_RNDN);               /* |lambda| = exp(-exp(nu_log)) */
        _ssmh_q_to_mpfr(th, t[1]->data + i);
        mpfr_exp(th, th, MPFR_RNDN);             /* arg lambda = exp(theta_log) */
        _ssmh_mpfr_guard(th, &bad);
        mpfr_sin_cos(sn, cs, th, MPFR_RNDN);
        mpfr_mul(x, r, cs, MPFR_RNDN);
        mpfr_mul(y, r, sn, MPFR_RNDN);
        json_array_append_new(re, _ssmh_mpfr_json(x, bits, &bad));
        json_array_append_new(im, _ssmh_mpfr_json(y, bits, &bad));
        _ssmh_q_to_mpfr(g, t[2]->data + i);
        mpfr_exp(g, g, MPFR_RNDN);               /* gamma */
        _ssmh_mpfr_guard(g, &bad);
        for (j = 0; j < H; j++) {
            _ssmh_q_to_mpfr(x, t[3]->data + i * H + j);
            mpfr_mul(x, x, g, MPFR_RNDN);
            json_array_append_new(rr, _ssmh_mpfr_json(x, bits, &bad));
            _ssmh_q_to_mpfr(y, t[4]->data + i * H + j);
            mpfr_mul(y, y, g, MPFR_RNDN);
            json_array_append_new(ri, _ssmh_mpfr_json(y, bits, &bad));
        }
        json_array_append_new(Br, rr);
        json_array_append_new(Bi, ri);
    }
    mpfr_clears(r, th, g, x, y, sn, cs, (mpfr_ptr)0);
    if (bad) {
        json_decref(re);
        json_decref(im);
        json_decref(Br);
        json_decref(Bi);
        return ssmh_error_set(err, SSMH_E_VALUE, file, t[1]->name,
                              "exp(theta_log), exp(gamma_log) or the scaled B leaves the range of "
                              "the %ld-bit format (overflow or NaN)", (long)bits);
    }
    Cr = json_array();
    Ci = json_array();
    Dm = json_array();
    for (j = 0; j < H; j++) {
        json_t *cr = json_array(), *ci = json_array(), *dr = json_array();
        for (i = 0; i < N; i++) {
            json_array_append_new(cr, ssmh_json_rational(t[5]->data + j * N + i));
            json_array_append_new(ci, ssmh_json_rational(t[6]->data + j * N + i));
        }
        for (i = 0; i < H; i++)
            json_array_append_new(dr, i == j && D ? ssmh_json_rational(D->data + j) : json_string("0"));
        json_array_append_new(Cr, cr);
        json_array_append_new(Ci, ci);
        json_array_append_new(Dm, dr);
    }
    o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    snprintf(src, sizeof(src), "imported by ssmheads from %s (layout lru, N = %ld, H = %ld); exp/sin/cos "
             "by MPFR at %d bits, rounded to nearest at %ld bits", file, (long)N, (long)H, SSMH_WP, (long)bits);
    json_object_set_new(o, "source", json_string(src));
    a = json_object();
    cd = json_object();
    json_object_set_new(cd, "re", re);
    json_object_set_new(cd, "im", im);
    json_object_set_new(a, "complex_diag", cd);
    json_object_set_new(o, "A", a);
    b = json_object();
    json_object_set_new(b, "re", Br);
    json_object_set_new(b, "im", Bi);
    json_object_set_new(o, "B", b);
    c = json_object();
    json_object_set_new(c, "re", Cr);
    json_object_set_new(c, "im", Ci);
    json_object_set_new(o, "C", c);
    json_object_set_new(o, "D", Dm);
    json_object_set_new(o, "output", json_string("re"));
    rc = ssmh_model_from_json(m, o, file, "$", lim, err);
    json_decref(o);
    return rc;
}
