/*
 * The s5 layout (S5, Smith et al. 2023): one MIMO SSM shared by the H
 * channels of a layer, diagonalized with P complex modes,
 *   x_k = Lambda_bar x_{k-1} + B_bar u_k,  y_k = 2 Re(C_tilde x_k) + D * u_k
 * ("2re", conjugate symmetry, the default) or Re(C_tilde x_k) ("re").
 * Tensors (after the prefix): Lambda_re, Lambda_im (P), B (P x H x 2: real,
 * imaginary), C (H x P x 2), log_step (P, or P x 1), optional D (H).
 * Lambda = Lambda_re + i Lambda_im, step = exp(log_step), and
 *   ZOH:      Lambda_bar = exp(step Lambda), B_bar = (Lambda_bar - 1)/Lambda B
 *   bilinear: Lambda_bar = (1 + step Lambda/2)/(1 - step Lambda/2),
 *             B_bar = step/(1 - step Lambda/2) B.
 * Guarantee: as for s4d, every exp/sin/cos and discretization formula by
 * MPFR at 256 bits, rounded to nearest at `bits`; C_tilde and D are the
 * file's numbers exactly.  Lambda_re is used as stored (a model trained
 * with clip_eigs clips it to at most -1e-4 at run time; see doc/weights.md).
 */
#include "weights-impl.h"
#include <string.h>

static int s5_check(const ssmh_tensor_struct **t, const ssmh_tensor_struct *D, slong *P_out,
                    slong *H_out, const char *file, ssmh_error_t *err)
{
    slong P = t[0]->shape[0], H;
    if (t[0]->ndim != 1)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, t[0]->name, "Lambda_re must be a vector (P)");
    if (t[1]->ndim != 1 || t[1]->shape[0] != P)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, t[1]->name, "Lambda_im must have length %ld", (long)P);
    if (t[2]->ndim != 3 || t[2]->shape[0] != P || t[2]->shape[2] != 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, t[2]->name,
                              "B must be %ld x H x 2 (real, imaginary)", (long)P);
    H = t[2]->shape[1];
    if (t[3]->ndim != 3 || t[3]->shape[0] != H || t[3]->shape[1] != P || t[3]->shape[2] != 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, t[3]->name,
                              "C must be %ld x %ld x 2 (H x P, real and imaginary)", (long)H, (long)P);
    if (!((t[4]->ndim == 1 && t[4]->shape[0] == P)
          || (t[4]->ndim == 2 && t[4]->shape[0] == P && t[4]->shape[1] == 1)))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, t[4]->name,
                              "log_step must have length %ld (or be %ld x 1)", (long)P, (long)P);
    if (D != NULL && (D->ndim != 1 || D->shape[0] != H))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, D->name, "D must have length %ld", (long)H);
    if (P == 0 || H == 0)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, t[0]->name, "P and H must be at least 1");
    *P_out = P;
    *H_out = H;
    return SSMH_OK;
}

int ssmh_import_s5(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, int bilinear,
                   int output_re, slong bits, const char *file, const ssmh_limits_t *lim,
                   ssmh_error_t *err)
{
    static const char *names[] = {"Lambda_re", "Lambda_im", "B", "C", "log_step"};
    const ssmh_tensor_struct *t[5], *D;
    slong P = 0, H = 0, s, j;
    json_t *o, *re, *im, *Br, *Bi, *Cr, *Ci, *Dm, *x;
    mpfr_t ar, ai, dt, er, ei, pr, pi, br, bi, u, v;
    char src[700];
    int k, rc, bad = 0;

    if (bits < 2 || bits > 4096)
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "precision must be 2 .. 4096 bits");
    for (k = 0; k < 5; k++) {
        t[k] = ssmh_weights_get(w, prefix, names[k]);
        if (t[k] == NULL)
            return ssmh_error_set(err, SSMH_E_VALUE, file, names[k], "no tensor named %s%s",
                                  prefix ? prefix : "", names[k]);
    }
    D = ssmh_weights_get(w, prefix, "D");
    if ((rc = s5_check(t, D, &P, &H, file, err)) != SSMH_OK)
        return rc;
    mpfr_inits2(SSMH_WP, ar, ai, dt, er, ei, pr, pi, br, bi, u, v, (mpfr_ptr)0);
    re = json_array();
    im = json_array();
    Br = json_array();
    Bi = json_array();
    for (s = 0; s < P; s++) {
        json_t *rr = json_array(), *ri = json_array();
        _ssmh_q_to_mpfr(ar, t[0]->data + s);
        _ssmh_q_to_mpfr(ai, t[1]->data + s);
        _ssmh_q_to_mpfr(dt, t[4]->data + s);
        mpfr_exp(dt, dt, MPFR_RNDN);
        _ssmh_mpfr_guard(dt, &bad);
        _ssmh_discretize(er, ei, pr, pi, ar, ai, dt, bilinear);
        json_array_append_new(re, _ssmh_mpfr_json(er, bits, &bad));
        json_array_append_new(im, _ssmh_mpfr_json(ei, bits, &bad));
        for (j = 0; j < H; j++) {          /* B_bar = (pr + i pi)(br + i bi) */
            _ssmh_q_to_mpfr(br, t[2]->data + 2 * (s * H + j));
            _ssmh_q_to_mpfr(bi, t[2]->data + 2 * (s * H + j) + 1);
            mpfr_mul(u, pr, br, MPFR_RNDN);
            mpfr_mul(v, pi, bi, MPFR_RNDN);
            mpfr_sub(u, u, v, MPFR_RNDN);
            json_array_append_new(rr, _ssmh_mpfr_json(u, bits, &bad));
            mpfr_mul(u, pr, bi, MPFR_RNDN);
            mpfr_mul(v, pi, br, MPFR_RNDN);
            mpfr_add(u, u, v, MPFR_RNDN);
            json_array_append_new(ri, _ssmh_mpfr_json(u, bits, &bad));
        }
        json_array_append_new(Br, rr);
        json_array_append_new(Bi, ri);
    }
    mpfr_clears(ar, ai, dt, er, ei, pr, pi, br, bi, u, v, (mpfr_ptr)0);
    Cr = json_array();
    Ci = json_array();
    Dm = _ssmh_sparse_json(H, H);
    for (j = 0; j < H; j++) {
        json_t *cr = json_array(), *ci = json_array();
        for (s = 0; s < P; s++) {
            json_array_append_new(cr, ssmh_json_rational(t[3]->data + 2 * (j * P + s)));
            json_array_append_new(ci, ssmh_json_rational(t[3]->data + 2 * (j * P + s) + 1));
        }
        json_array_append_new(Cr, cr);
        json_array_append_new(Ci, ci);
        if (D != NULL)
            _ssmh_sparse_json_add(Dm, j, j, ssmh_json_rational(D->data + j));
    }
    if (bad) {
        json_decref(re);
        json_decref(im);
        json_decref(Br);
        json_decref(Bi);
        json_decref(Cr);
        json_decref(Ci);
        json_decref(Dm);
        return ssmh_error_set(err, SSMH_E_VALUE, file, t[4]->name,
                              "exp(log_step) or the discretized model leaves the range of the "
                              "%ld-bit format (overflow or NaN)", (long)bits);
    }
    o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    snprintf(src, sizeof(src),
             "imported by ssmheads from %s (layout s5, %s, P = %ld complex modes, H = %ld, output %s); "
             "exp/sin/cos and the discretization by MPFR at %d bits, rounded to nearest at %ld bits",
             file, bilinear ? "bilinear" : "ZOH", (long)P, (long)H, output_re ? "re" : "2re",
             SSMH_WP, (long)bits);
    json_object_set_new(o, "source", json_string(src));
    x = json_object();
    json_object_set_new(x, "re", re);
    json_object_set_new(x, "im", im);
    json_object_set_new(o, "A", json_pack("{s:o}", "complex_diag", x));
    json_object_set_new(o, "B", json_pack("{s:o,s:o}", "re", Br, "im", Bi));
    json_object_set_new(o, "C", json_pack("{s:o,s:o}", "re", Cr, "im", Ci));
    json_object_set_new(o, "D", Dm);
    json_object_set_new(o, "output", json_string(output_re ? "re" : "2re"));
    rc = ssmh_model_from_json(m, o, file, "$", lim, err);
    json_decref(o);
    return rc;
}
