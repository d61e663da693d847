/*
 * The lru layout (Linear Recurrent Unit, Orvieto et al. 2023), in the two
 * forms of its reference implementations:
 *  - NicolasZucchet/minimal-LRU lru/model.py (module LRU): nu_log,
 *    theta_log, gamma_log (N), B_re, B_im (N x H), C_re, C_im (H x N),
 *    D (H);
 *  - Gothos/LRU-pytorch (module LRU): the same nu_log, theta_log,
 *    gamma_log, complex B (N x d_in) and C (d_out x N) parameters (complex64
 *    tensors, or their view_as_real pairs), and a full D (d_out x d_in).
 * Both compute
 *   x_k = lambda * x_{k-1} + gamma * (B u_k),  y_k = Re(C x_k) + D u_k,
 *   lambda = exp(-exp(nu_log) + i exp(theta_log)),  gamma = exp(gamma_log),
 * and D may be a vector (one per channel) or a full matrix in either form.
 * Guarantee: as for s4d, every exp/sin/cos by MPFR at 256 bits, rounded to
 * nearest at `bits`; C and D are the file's numbers exactly.  The result is
 * a complex-diagonal model with output "re".
 */
#include "weights-impl.h"
#include <string.h>

int _ssmh_layout_lru(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o)
{
    ssmh_tensor_struct *nu, *th, *ga, *Br = NULL, *Bi = NULL, *Cr = NULL, *Ci = NULL, *Bc = NULL,
                       *Cc = NULL, *D;
    slong N, di, dout, i, j, sh[2];
    json_t *re, *im, *JBr, *JBi, *JCr, *JCi, *Dm;
    mpfr_t r, t, g, x, y, sn, cs;
    char src[700];
    int rc, bad = 0, torch;

    if ((rc = _ssmh_lay_need(&nu, L, "nu_log", "(N,)")) != SSMH_OK
        || (rc = _ssmh_lay_need(&th, L, "theta_log", "(N,)")) != SSMH_OK
        || (rc = _ssmh_lay_need(&ga, L, "gamma_log", "(N,)")) != SSMH_OK)
        return rc;
    N = nu->ndim == 1 ? nu->shape[0] : -1;
    if (N < 1)
        return _ssmh_lay_shape_error(L, nu, "a vector (N,)");
    if (th->ndim != 1 || th->shape[0] != N)
        return _ssmh_lay_shape_error(L, th, "(%ld,) like nu_log", (long)N);
    if (ga->ndim != 1 || ga->shape[0] != N)
        return _ssmh_lay_shape_error(L, ga, "(%ld,) like nu_log", (long)N);
    torch = _ssmh_lay_find(L, "B_re") == NULL && ssmh_weights_get(L->w, L->prefix, "B") != NULL;
    if (!torch) {
        if ((rc = _ssmh_lay_need(&Br, L, "B_re", "(N, H), or a complex B (LRU-pytorch)")) != SSMH_OK
            || (rc = _ssmh_lay_need(&Bi, L, "B_im", "(N, H)")) != SSMH_OK
            || (rc = _ssmh_lay_need(&Cr, L, "C_re", "(H, N)")) != SSMH_OK
            || (rc = _ssmh_lay_need(&Ci, L, "C_im", "(H, N)")) != SSMH_OK)
            return rc;
        if (Br->ndim != 2 || Br->shape[0] != N)
            return _ssmh_lay_shape_error(L, Br, "(%ld, H)", (long)N);
        di = Br->shape[1];
        if (Bi->ndim != 2 || Bi->shape[0] != N || Bi->shape[1] != di)
            return _ssmh_lay_shape_error(L, Bi, "(%ld, %ld) like B_re", (long)N, (long)di);
        if (Cr->ndim != 2 || Cr->shape[1] != N)
            return _ssmh_lay_shape_error(L, Cr, "(H, %ld)", (long)N);
        dout = Cr->shape[0];
        if (Ci->ndim != 2 || Ci->shape[0] != dout || Ci->shape[1] != N)
            return _ssmh_lay_shape_error(L, Ci, "(%ld, %ld) like C_re", (long)dout, (long)N);
    } else {
        if ((rc = _ssmh_lay_need(&Bc, L, "B", "a complex (N, d_in)")) != SSMH_OK
            || (rc = _ssmh_lay_need(&Cc, L, "C", "a complex (d_out, N)")) != SSMH_OK)
            return rc;
        di = Bc->ndim >= 2 ? Bc->shape[1] : -1;
        sh[0] = N;
        sh[1] = di;
        if (di < 1 || Bc->ndim != (Bc->is_complex ? 2 : 3) || !_ssmh_is_complex_pairs(Bc, 2, sh))
            return _ssmh_lay_shape_error(L, Bc, "a complex (%ld, d_in) or its view_as_real (%ld, d_in, 2)",
                                         (long)N, (long)N);
        dout = Cc->ndim >= 2 ? Cc->shape[0] : -1;
        sh[0] = dout;
        sh[1] = N;
        if (dout < 1 || Cc->ndim != (Cc->is_complex ? 2 : 3) || !_ssmh_is_complex_pairs(Cc, 2, sh))
            return _ssmh_lay_shape_error(L, Cc, "a complex (d_out, %ld) or its view_as_real (d_out, %ld, 2)",
                                         (long)N, (long)N);
    }
    D = _ssmh_lay_find(L, "D");
    if (D == NULL)
        _ssmh_lay_note(L, "no D%s%s%s: the LRU module normally has a D (skip term); the model has D = 0",
                       *L->prefix ? " under '" : "", L->prefix, *L->prefix ? "'" : "");
    _ssmh_lay_size(L, "N", N);
    _ssmh_lay_size(L, "d_in", di);
    _ssmh_lay_size(L, "d_out", dout);
    if (L->info)
        json_object_set_new(L->info, "form", json_string(torch ? "LRU-pytorch LRU" : "minimal-LRU LRU"));
    if ((rc = _ssmh_lay_decode(L, nu, 0)) != SSMH_OK || (rc = _ssmh_lay_decode(L, th, 0)) != SSMH_OK
        || (rc = _ssmh_lay_decode(L, ga, 0)) != SSMH_OK)
        return rc;
    if (torch ? ((rc = _ssmh_lay_decode(L, Bc, 1)) != SSMH_OK || (rc = _ssmh_lay_decode(L, Cc, 1)) != SSMH_OK)
              : ((rc = _ssmh_lay_decode(L, Br, 0)) != SSMH_OK || (rc = _ssmh_lay_decode(L, Bi, 0)) != SSMH_OK
                 || (rc = _ssmh_lay_decode(L, Cr, 0)) != SSMH_OK || (rc = _ssmh_lay_decode(L, Ci, 0)) != SSMH_OK))
        return rc;
    if ((rc = _ssmh_lay_D(&Dm, L, D, dout, di)) != SSMH_OK || L->dry)
        return rc;

    mpfr_inits2(SSMH_WP, r, t, g, x, y, sn, cs, (mpfr_ptr)0);
    re = json_array();
    im = json_array();
    JBr = json_array();
    JBi = json_array();
    for (i = 0; i < N; i++) {
        json_t *rr = json_array(), *ri = json_array();
        _ssmh_q_to_mpfr(r, nu->data + i);
        mpfr_exp(r, r, MPFR_RNDN);
        mpfr_neg(r, r, MPFR_RNDN);
        mpfr_exp(r, r, MPFR_RNDN);               /* |lambda| = exp(-exp(nu_log)) */
        _ssmh_q_to_mpfr(t, th->data + i);
        mpfr_exp(t, t, MPFR_RNDN);               /* arg lambda = exp(theta_log) */
        _ssmh_mpfr_guard(t, &bad);
        mpfr_sin_cos(sn, cs, t, MPFR_RNDN);
        mpfr_mul(x, r, cs, MPFR_RNDN);
        mpfr_mul(y, r, sn, MPFR_RNDN);
        json_array_append_new(re, _ssmh_mpfr_json(x, o->bits, &bad));
        json_array_append_new(im, _ssmh_mpfr_json(y, o->bits, &bad));
        _ssmh_q_to_mpfr(g, ga->data + i);
        mpfr_exp(g, g, MPFR_RNDN);               /* gamma */
        _ssmh_mpfr_guard(g, &bad);
        for (j = 0; j < di; j++) {
            _ssmh_q_to_mpfr(x, torch ? Bc->data + 2 * (i * di + j) : Br->data + i * di + j);
            mpfr_mul(x, x, g, MPFR_RNDN);
            json_array_append_new(rr, _ssmh_mpfr_json(x, o->bits, &bad));
            _ssmh_q_to_mpfr(y, torch ? Bc->data + 2 * (i * di + j) + 1 : Bi->data + i * di + j);
            mpfr_mul(y, y, g, MPFR_RNDN);
            json_array_append_new(ri, _ssmh_mpfr_json(y, o->bits, &bad));
        }
        json_array_append_new(JBr, rr);
        json_array_append_new(JBi, ri);
    }
    mpfr_clears(r, t, g, x, y, sn, cs, (mpfr_ptr)0);
    if (bad) {
        json_decref(re);
        json_decref(im);
        json_decref(JBr);
        json_decref(JBi);
        json_decref(Dm);
        return ssmh_error_set(L->err, SSMH_E_VALUE, L->file, th->name,
                              "exp(theta_log), exp(gamma_log) or the scaled B leaves the range of "
                              "the %ld-bit format (overflow or NaN)", (long)o->bits);
    }
    JCr = json_array();
    JCi = json_array();
    for (j = 0; j < dout; j++) {
        json_t *cr = json_array(), *ci = json_array();
        for (i = 0; i < N; i++) {
            json_array_append_new(cr, ssmh_json_rational(torch ? Cc->data + 2 * (j * N + i) : Cr->data + j * N + i));
            json_array_append_new(ci, ssmh_json_rational(torch ? Cc->data + 2 * (j * N + i) + 1 : Ci->data + j * N + i));
        }
        json_array_append_new(JCr, cr);
        json_array_append_new(JCi, ci);
    }
    snprintf(src, sizeof(src), "imported by ssmheads from %s (layout lru: %s at prefix '%s', N = %ld, "
             "d_in = %ld, d_out = %ld); exp/sin/cos by MPFR at %d bits, rounded to nearest at %ld bits",
             L->file, torch ? "LRU-pytorch LRU" : "minimal-LRU LRU", L->prefix, (long)N, (long)di,
             (long)dout, SSMH_WP, (long)o->bits);
    *out = _ssmh_model_object(src);
    json_object_set_new(*out, "A", json_pack("{s:{s:o,s:o}}", "complex_diag", "re", re, "im", im));
    json_object_set_new(*out, "B", json_pack("{s:o,s:o}", "re", JBr, "im", JBi));
    json_object_set_new(*out, "C", json_pack("{s:o,s:o}", "re", JCr, "im", JCi));
    json_object_set_new(*out, "D", Dm);
    json_object_set_new(*out, "output", json_string("re"));
    return SSMH_OK;
}
