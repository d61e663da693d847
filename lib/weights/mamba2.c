/*
 * The mamba2 layout: a frozen slice of a Mamba-2 (SSD) layer.  Mamba-2 is
 * selective -- B, C and the step dt depend on the input -- so ssmheads takes
 * the values of one slice (one token's B, C, dt, or any fixed choice) and
 * analyses the linear time-invariant SSM they define.  Per head h (group
 * g = h / (H / G)):
 *   Delta_h = softplus(dt_h + dt_bias_h),  a_h = exp(-Delta_h exp(A_log_h)),
 *   state_t = a_h state_{t-1} + Delta_h x_t B_g^T,  y_t = state_t C_g + D_h x_t,
 * so the lag operators are K_l = blockdiag_h(a_h^l Delta_h (C_g . B_g) I_P)
 * (+ diag(D_h) I_P at l = 0), P = headdim.  The model written is an exact
 * realization of exactly these K_l with one state per (head, channel):
 * A = diag(a_h), B = I, C = diag(c_h), c_h = Delta_h (C_g . B_g), D = diag(D_h).
 * Guarantee: C_g . B_g is exact; softplus, exp and the product with Delta by
 * MPFR at 256 bits, each of a_h and c_h rounded once to nearest at `bits`.
 * Tensors (after the prefix): A_log (H), dt_bias (H), optional dt (H, the
 * slice's raw step; 0 when absent), B and C (G x N, or N for G = 1),
 * optional D (H).
 */
#include "weights-impl.h"
#include <string.h>

static int get(const ssmh_tensor_struct **t, const ssmh_weights_t w, const char *prefix,
               const char *name, int optional, const char *file, ssmh_error_t *err)
{
    *t = ssmh_weights_get(w, prefix, name);
    if (*t == NULL && !optional)
        return ssmh_error_set(err, SSMH_E_VALUE, file, name, "no tensor named %s%s", prefix, name);
    return SSMH_OK;
}

int ssmh_import_mamba2(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, slong headdim,
                       slong bits, const char *file, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const ssmh_tensor_struct *Al, *db, *dt, *B, *C, *D;
    slong H, G, N, h, q, M;
    json_t *o, *lam, *Bm, *Cm, *Dm;
    mpfr_t delta, a, x, cb;
    fmpq_t dot, t;
    char src[700];
    int rc, bad = 0;

    if (bits < 2 || bits > 4096 || headdim < 1)
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "precision must be 2 .. 4096 bits, headdim >= 1");
    if ((rc = get(&Al, w, prefix, "A_log", 0, file, err)) != SSMH_OK
        || (rc = get(&db, w, prefix, "dt_bias", 0, file, err)) != SSMH_OK
        || (rc = get(&dt, w, prefix, "dt", 1, file, err)) != SSMH_OK
        || (rc = get(&B, w, prefix, "B", 0, file, err)) != SSMH_OK
        || (rc = get(&C, w, prefix, "C", 0, file, err)) != SSMH_OK
        || (rc = get(&D, w, prefix, "D", 1, file, err)) != SSMH_OK)
        return rc;
    if (Al->ndim != 1 || Al->shape[0] < 1)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, Al->name, "A_log must be a vector (nheads)");
    H = Al->shape[0];
    if (db->ndim != 1 || db->shape[0] != H)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, db->name, "dt_bias must have length %ld", (long)H);
    if (dt != NULL && (dt->ndim != 1 || dt->shape[0] != H))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, dt->name, "dt must have length %ld", (long)H);
    if (D != NULL && (D->ndim != 1 || D->shape[0] != H))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, D->name, "D must have length %ld", (long)H);
    if (B->ndim < 1 || B->ndim > 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, B->name, "B must be ngroups x d_state (or d_state)");
    G = B->ndim == 2 ? B->shape[0] : 1;
    N = B->shape[B->ndim - 1];
    if (C->ndim != B->ndim || C->shape[0] != B->shape[0] || C->shape[C->ndim - 1] != N)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, C->name, "C must have the shape of B");
    if (G < 1 || H % G != 0)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, B->name,
                              "ngroups (%ld) must divide nheads (%ld)", (long)G, (long)H);
    if (H * headdim > (lim ? lim->max_dim : (1L << 16)))
        return ssmh_error_set(err, SSMH_E_LIMIT, file, "", "nheads x headdim = %ld exceeds the dimension limit",
                              (long)(H * headdim));
    M = H * headdim;
    mpfr_inits2(SSMH_WP, delta, a, x, cb, (mpfr_ptr)0);
    fmpq_init(dot);
    fmpq_init(t);
    lam = json_array();
    Bm = _ssmh_sparse_json(M, M);
    Cm = _ssmh_sparse_json(M, M);
    Dm = _ssmh_sparse_json(M, M);
    for (h = 0; h < H; h++) {
        slong g = h / (H / G), n;
        json_t *av, *cv;
        fmpq_zero(dot);                              /* C_g . B_g, exactly */
        for (n = 0; n < N; n++) {
            fmpq_mul(t, C->data + g * N + n, B->data + g * N + n);
            fmpq_add(dot, dot, t);
        }
        fmpq_set(t, db->data + h);
        if (dt != NULL)
            fmpq_add(t, t, dt->data + h);
        _ssmh_q_to_mpfr(x, t);                       /* softplus(x) = log1p(exp(x)) */
        mpfr_exp(delta, x, MPFR_RNDN);
        mpfr_log1p(delta, delta, MPFR_RNDN);
        _ssmh_mpfr_guard(delta, &bad);
        _ssmh_q_to_mpfr(a, Al->data + h);
        mpfr_exp(a, a, MPFR_RNDN);
        _ssmh_mpfr_guard(a, &bad);
        mpfr_mul(a, a, delta, MPFR_RNDN);
        mpfr_neg(a, a, MPFR_RNDN);
        mpfr_exp(a, a, MPFR_RNDN);                   /* a_h = exp(-Delta exp(A_log)) */
        _ssmh_q_to_mpfr(cb, dot);
        mpfr_mul(cb, cb, delta, MPFR_RNDN);          /* c_h = Delta (C . B) */
        for (q = 0; q < headdim; q++) {
            slong s = h * headdim + q;
            av = _ssmh_mpfr_json(a, bits, &bad);
            cv = _ssmh_mpfr_json(cb, bits, &bad);
            json_array_append_new(lam, av);
            _ssmh_sparse_json_add(Bm, s, s, json_string("1"));
            _ssmh_sparse_json_add(Cm, s, s, cv);
            if (D != NULL)
                _ssmh_sparse_json_add(Dm, s, s, ssmh_json_rational(D->data + h));
        }
    }
    mpfr_clears(delta, a, x, cb, (mpfr_ptr)0);
    fmpq_clear(dot);
    fmpq_clear(t);
    if (bad) {
        json_decref(lam);
        json_decref(Bm);
        json_decref(Cm);
        json_decref(Dm);
        return ssmh_error_set(err, SSMH_E_VALUE, file, db->name,
                              "softplus(dt + dt_bias), exp(A_log) or the discretized model leaves the "
                              "range of the %ld-bit format (overflow or NaN)", (long)bits);
    }
    o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    snprintf(src, sizeof(src),
             "imported by ssmheads from %s (layout mamba2, frozen slice: %ld heads x headdim %ld, "
             "%ld groups, d_state %ld; realization of the slice's lag operators, one state per "
             "head channel); softplus/exp by MPFR at %d bits, rounded to nearest at %ld bits",
             file, (long)H, (long)headdim, (long)G, (long)N, SSMH_WP, (long)bits);
    json_object_set_new(o, "source", json_string(src));
    json_object_set_new(o, "A", json_pack("{s:o}", "diag", lam));
    json_object_set_new(o, "B", Bm);
    json_object_set_new(o, "C", Cm);
    json_object_set_new(o, "D", Dm);
    rc = ssmh_model_from_json(m, o, file, "$", lim, err);
    json_decref(o);
    return rc;
}
