/*
 * The s4d layout: a layer of H channels, each a diagonal SSM with N2
 * complex modes (S4D parameterization), discretized by ZOH or bilinear.
 * Guarantee: every transcendental number (exp, cos, sin) and every
 * discretization formula is evaluated with MPFR at 256 bits and rounded to
 * nearest at `bits` (53 = binary64 by default): the same rationals on every
 * machine.  The model is complex-diagonal and channel-sparse, never dense.
 *
 * Tensors (after the prefix): log_A_real (H x N2), A_imag (H x N2),
 * C (H x N2 x 2: real and imaginary parts), log_dt (H), optional D (H).
 * A = -exp(log_A_real) + i A_imag, dt = exp(log_dt); the channel h computes
 * y = 2 Re(sum_n Cbar_n Abar_n^l) x + D_h x, with
 *   ZOH:      Abar = exp(dt A),               Cbar = C (exp(dt A) - 1) / A
 *   bilinear: Abar = (1 + dt A/2)/(1 - dt A/2), Cbar = C dt / (1 - dt A/2).
 */
#include "weights-impl.h"
#include <string.h>

static int s4d_json(json_t **out, const ssmh_weights_t w, const char *prefix, int bilinear,
                    slong bits, const char *file, ssmh_error_t *err)
{
    const ssmh_tensor_struct *lar, *aim, *C, *ldt, *D;
    slong H, N2, h, n, M;
    json_t *o, *re, *im, *Bre, *Bim, *Cre, *Cim, *Dm;
    mpfr_t ar, ai, dt, er, ei, t, cr, ci, nr, ni, pr, pi;
    char src[700];
    static const char *need_names[] = {"log_A_real", "A_imag", "C", "log_dt"};
    const ssmh_tensor_struct *got[4];
    int i, bad = 0;

    for (i = 0; i < 4; i++) {
        got[i] = ssmh_weights_get(w, prefix, need_names[i]);
        if (got[i] == NULL)
            return ssmh_error_set(err, SSMH_E_VALUE, file, need_names[i], "no tensor named %s%s",
                                  prefix ? prefix : "", need_names[i]);
    }
    lar = got[0];
    aim = got[1];
    C = got[2];
    ldt = got[3];
    D = ssmh_weights_get(w, prefix, "D");
    if (lar->ndim != 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, lar->name, "log_A_real must be H x N/2");
    H = lar->shape[0];
    N2 = lar->shape[1];
    if (aim->ndim != 2 || aim->shape[0] != H || aim->shape[1] != N2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, aim->name, "A_imag must be %ld x %ld", (long)H, (long)N2);
    if (C->ndim != 3 || C->shape[0] != H || C->shape[1] != N2 || C->shape[2] != 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, C->name, "C must be %ld x %ld x 2 (real, imaginary)",
                              (long)H, (long)N2);
    if (ldt->ndim != 1 || ldt->shape[0] != H)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, ldt->name, "log_dt must have length %ld", (long)H);
    if (D != NULL && (D->ndim != 1 || D->shape[0] != H))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, D->name, "D must have length %ld", (long)H);
    M = H * N2;
    mpfr_inits2(SSMH_WP, ar, ai, dt, er, ei, t, cr, ci, nr, ni, pr, pi, (mpfr_ptr)0);
    re = json_array();
    im = json_array();
    /* channel-sparse B, C and D, written in the sparse matrix form */
    Bre = _ssmh_sparse_json(M, H);
    Bim = _ssmh_sparse_json(M, H);
    Cre = _ssmh_sparse_json(H, M);
    Cim = _ssmh_sparse_json(H, M);
    Dm = _ssmh_sparse_json(H, H);
    for (h = 0; h < H; h++) {
        _ssmh_q_to_mpfr(dt, ldt->data + h);
        mpfr_exp(dt, dt, MPFR_RNDN);
        _ssmh_mpfr_guard(dt, &bad);
        for (n = 0; n < N2; n++) {
            slong s = h * N2 + n;
            _ssmh_q_to_mpfr(ar, lar->data + s);
            mpfr_exp(ar, ar, MPFR_RNDN);
            mpfr_neg(ar, ar, MPFR_RNDN);                      /* A = ar + i ai */
            _ssmh_mpfr_guard(ar, &bad);
            _ssmh_q_to_mpfr(ai, aim->data + s);
            _ssmh_discretize(er, ei, pr, pi, ar, ai, dt, bilinear);
            /* Cbar = C * (pr + i pi) */
            _ssmh_q_to_mpfr(cr, C->data + 2 * s);
            _ssmh_q_to_mpfr(ci, C->data + 2 * s + 1);
            mpfr_mul(nr, cr, pr, MPFR_RNDN);
            mpfr_mul(t, ci, pi, MPFR_RNDN);
            mpfr_sub(nr, nr, t, MPFR_RNDN);
            mpfr_mul(ni, cr, pi, MPFR_RNDN);
            mpfr_mul(t, ci, pr, MPFR_RNDN);
            mpfr_add(ni, ni, t, MPFR_RNDN);
            json_array_append_new(re, _ssmh_mpfr_json(er, bits, &bad));
            json_array_append_new(im, _ssmh_mpfr_json(ei, bits, &bad));
            _ssmh_sparse_json_add(Bre, s, h, json_string("1"));
            _ssmh_sparse_json_add(Cre, h, s, _ssmh_mpfr_json(nr, bits, &bad));
            _ssmh_sparse_json_add(Cim, h, s, _ssmh_mpfr_json(ni, bits, &bad));
        }
        if (D != NULL)
            _ssmh_sparse_json_add(Dm, h, h, ssmh_json_rational(D->data + h));
    }
    mpfr_clears(ar, ai, dt, er, ei, t, cr, ci, nr, ni, pr, pi, (mpfr_ptr)0);
    if (bad) {
        json_decref(re);
        json_decref(im);
        json_decref(Bre);
        json_decref(Bim);
        json_decref(Cre);
        json_decref(Cim);
        json_decref(Dm);
        return ssmh_error_set(err, SSMH_E_VALUE, file, lar->name,
                              "exp(log_A_real), exp(log_dt) or the discretized model leaves the "
                              "range of the %ld-bit format (overflow or NaN)", (long)bits);
    }
    o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    snprintf(src, sizeof(src),
             "imported by ssmheads from %s (layout s4d, %s, %ld channels x %ld complex modes); "
             "exp/sin/cos and the discretization by MPFR at %d bits, rounded to nearest at %ld bits",
             file, bilinear ? "bilinear" : "ZOH", (long)H, (long)N2, SSMH_WP, (long)bits);
    json_object_set_new(o, "source", json_string(src));
    {
        json_t *cd = json_object(), *a = json_object(), *b = json_object(), *c = json_object();
        json_object_set_new(cd, "re", re);
        json_object_set_new(cd, "im", im);
        json_object_set_new(a, "complex_diag", cd);
        json_object_set_new(o, "A", a);
        json_object_set_new(b, "re", Bre);
        json_object_set_new(b, "im", Bim);
        json_object_set_new(o, "B", b);
        json_object_set_new(c, "re", Cre);
        json_object_set_new(c, "im", Cim);
        json_object_set_new(o, "C", c);
    }
    json_object_set_new(o, "output", json_string("2re"));
    json_object_set_new(o, "D", Dm);
    *out = o;
    return SSMH_OK;
}

int ssmh_import_s4d(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, int bilinear,
                    slong bits, const char *file, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_t *o = NULL;
    int rc;
    if (bits < 2 || bits > 4096)
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "precision must be 2 .. 4096 bits");
    if ((rc = s4d_json(&o, w, prefix, bilinear, bits, file, err)) != SSMH_OK)
        return rc;
    rc = ssmh_model_from_json(m, o, file, "$", lim, err);
    json_decref(o);
    return rc;
}
