/*
 * Exact minimal realization by the Kalman decomposition.  Reachable part:
 * the greedy column basis R of the Krylov matrix [B, AB, ...] (FLINT's exact
 * multimodular rref of the integer-scaled matrix), A_r, B_r from R A_r = A R
 * and R B_r = B.  Observable quotient: the greedy row basis T of
 * [C_r; C_r A_r; ...], A_m from A_m T = T A_r, C_m from C_m T = C_r,
 * B_m = T B_r.  Every solve is multiplied back and compared exactly.
 */
#include "ssmheads-impl.h"
#include <string.h>

void ssmh_minimal_init(ssmh_minimal_t r)
{
    memset(r, 0, sizeof(*r));
    ssmh_model_init(r->minimal);
}

void ssmh_minimal_clear(ssmh_minimal_t r)
{
    ssmh_model_clear(r->minimal);
    memset(r, 0, sizeof(*r));
    ssmh_model_init(r->minimal);
}

/* Greedy column basis of X: writes the pivot columns to piv, returns the rank. */
static slong column_profile(slong *piv, const fmpq_mat_t X)
{
    fmpz_mat_t Z, R;
    fmpz *scale;
    fmpz_t den;
    slong r, i, c;
    if (fmpq_mat_nrows(X) == 0 || fmpq_mat_ncols(X) == 0)
        return 0;
    fmpz_mat_init(Z, fmpq_mat_nrows(X), fmpq_mat_ncols(X));
    fmpz_mat_init(R, fmpq_mat_nrows(X), fmpq_mat_ncols(X));
    scale = _fmpz_vec_init(fmpq_mat_ncols(X));
    fmpz_init(den);
    fmpq_mat_get_fmpz_mat_colwise(Z, scale, X);
    r = fmpz_mat_rref(R, den, Z);
    for (i = 0, c = 0; i < r; i++) {
        while (fmpz_is_zero(fmpz_mat_entry(R, i, c)))
            c++;
        piv[i] = c;
    }
    fmpz_clear(den);
    _fmpz_vec_clear(scale, fmpq_mat_ncols(X));
    fmpz_mat_clear(Z);
    fmpz_mat_clear(R);
    return r;
}

/* [W, A W, A^2 W, ...] with N blocks (side 0), or its dual
   [W; W A; ...] (side 1), as one matrix. */
static void krylov(fmpq_mat_t Kr, const fmpq_mat_t A, const fmpq_mat_t W, int rows)
{
    slong N = fmpq_mat_nrows(A), w = rows ? fmpq_mat_nrows(W) : fmpq_mat_ncols(W), b, i, j;
    fmpq_mat_t X, Y;
    if (rows)
        fmpq_mat_init(Kr, N * w, N);
    else
        fmpq_mat_init(Kr, N, N * w);
    fmpq_mat_init(X, fmpq_mat_nrows(W), fmpq_mat_ncols(W));
    fmpq_mat_init(Y, fmpq_mat_nrows(W), fmpq_mat_ncols(W));
    fmpq_mat_set(X, W);
    for (b = 0; b < N; b++) {
        for (i = 0; i < fmpq_mat_nrows(X); i++)
            for (j = 0; j < fmpq_mat_ncols(X); j++)
                fmpq_set(rows ? fmpq_mat_entry(Kr, b * w + i, j) : fmpq_mat_entry(Kr, i, b * w + j),
                         fmpq_mat_entry(X, i, j));
        if (rows)
            fmpq_mat_mul(Y, X, A);
        else
            fmpq_mat_mul(Y, A, X);
        fmpq_mat_swap(X, Y);
    }
    fmpq_mat_clear(X);
    fmpq_mat_clear(Y);
}

/* Solve M X = Y exactly (M full column rank) and check it; 1 on success. */
static int solve_checked(fmpq_mat_t X, const fmpq_mat_t M, const fmpq_mat_t Y)
{
    fmpq_mat_t T;
    int ok;
    if (fmpq_mat_ncols(M) == 0) {
        ok = fmpq_mat_is_zero(Y);
        return ok;
    }
    ok = fmpq_mat_can_solve_multi_mod(X, M, Y);
    if (ok) {
        fmpq_mat_init(T, fmpq_mat_nrows(Y), fmpq_mat_ncols(Y));
        fmpq_mat_mul(T, M, X);
        ok = fmpq_mat_equal(T, Y);
        fmpq_mat_clear(T);
    }
    return ok;
}

int ssmh_minimal_compute(ssmh_minimal_t res, const ssmh_model_t m_in, const ssmh_limits_t *lim,
                         ssmh_error_t *err)
{
    ssmh_model_t m;
    fmpq_mat_t Kr, Ob, R, AR, Ar, Br, Cr, O2, T, Tt, TA, Amt, Am, Cmt, Cm, Bm, Crt;
    slong N, d, p, r, n, i, j, *piv;
    int ok = 1;
    (void)lim;

    ssmh_minimal_clear(res);
    ssmh_model_init(m);
    ssmh_model_realify(m, m_in);
    N = m->N;
    d = m->d;
    p = m->p;
    res->N = N;
    /* reachable subspace */
    krylov(Kr, m->A, m->B, 0);
    piv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N * FLINT_MAX(d, p)));
    r = column_profile(piv, Kr);
    res->reachable_rank = r;
    fmpq_mat_init(R, N, r);
    for (j = 0; j < r; j++)
        for (i = 0; i < N; i++)
            fmpq_set(fmpq_mat_entry(R, i, j), fmpq_mat_entry(Kr, i, piv[j]));
    fmpq_mat_clear(Kr);
    /* observable rank of the original (for the report) */
    krylov(Ob, m->A, m->C, 1);
    {
        fmpq_mat_t Obt;
        fmpq_mat_init(Obt, N, fmpq_mat_nrows(Ob));
        fmpq_mat_transpose(Obt, Ob);
        res->observable_rank = column_profile(piv, Obt);
        fmpq_mat_clear(Obt);
    }
    fmpq_mat_clear(Ob);
    /* restriction to the reachable subspace */
    fmpq_mat_init(AR, N, r);
    fmpq_mat_mul(AR, m->A, R);
    fmpq_mat_init(Ar, r, r);
    fmpq_mat_init(Br, r, d);
    fmpq_mat_init(Cr, p, r);
    ok &= solve_checked(Ar, R, AR);
    ok &= solve_checked(Br, R, m->B);
    fmpq_mat_mul(Cr, m->C, R);
    /* observable quotient of (Ar, Br, Cr) */
    fmpq_mat_init(Tt, 0, 0);
    {
        fmpq_mat_t O2t;
        krylov(O2, Ar, Cr, 1);   /* (p r) x r */
        fmpq_mat_init(O2t, r, fmpq_mat_nrows(O2));
        fmpq_mat_transpose(O2t, O2);
        n = r > 0 ? column_profile(piv, O2t) : 0;
        fmpq_mat_clear(O2t);
    }
    fmpq_mat_init(T, n, r);
    for (i = 0; i < n; i++)
        for (j = 0; j < r; j++)
            fmpq_set(fmpq_mat_entry(T, i, j), fmpq_mat_entry(O2, piv[i], j));
    fmpq_mat_clear(O2);
    fmpq_mat_clear(Tt);
    fmpq_mat_init(Tt, r, n);
    fmpq_mat_transpose(Tt, T);
    /* A_m T = T A_r  <=>  T^T A_m^T = (T A_r)^T */
    fmpq_mat_init(TA, n, r);
    fmpq_mat_mul(TA, T, Ar);
    fmpq_mat_init(Amt, n, n);
    {
        fmpq_mat_t TAt;
        fmpq_mat_init(TAt, r, n);
        fmpq_mat_transpose(TAt, TA);
        ok &= solve_checked(Amt, Tt, TAt);
        fmpq_mat_clear(TAt);
    }
    fmpq_mat_init(Am, n, n);
    fmpq_mat_transpose(Am, Amt);
    fmpq_mat_init(Crt, r, p);
    fmpq_mat_transpose(Crt, Cr);
    fmpq_mat_init(Cmt, n, p);
    ok &= solve_checked(Cmt, Tt, Crt);
    fmpq_mat_init(Cm, p, n);
    fmpq_mat_transpose(Cm, Cmt);
    fmpq_mat_init(Bm, n, d);
    fmpq_mat_mul(Bm, T, Br);
    res->mcmillan_degree = n;
    ssmh_model_set_dense(res->minimal, m->convention, Am, Bm, Cm, m->D);
    res->minimal->has_D = m_in->has_D;

    fmpq_mat_clear(R);
    fmpq_mat_clear(AR);
    fmpq_mat_clear(Ar);
    fmpq_mat_clear(Br);
    fmpq_mat_clear(Cr);
    fmpq_mat_clear(T);
    fmpq_mat_clear(Tt);
    fmpq_mat_clear(TA);
    fmpq_mat_clear(Amt);
    fmpq_mat_clear(Am);
    fmpq_mat_clear(Crt);
    fmpq_mat_clear(Cmt);
    fmpq_mat_clear(Cm);
    fmpq_mat_clear(Bm);
    flint_free(piv);
    ssmh_model_clear(m);
    if (!ok) {
        ssmh_minimal_clear(res);
        return ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "minimal: an exact identity of the Kalman decomposition failed");
    }
    return SSMH_OK;
}

json_t *ssmh_minimal_to_json(const ssmh_minimal_t r)
{
    json_t *o = json_object();
    const ssmh_model_struct *m = r->minimal;
    json_object_set_new(o, "state_dim", json_integer(r->N));
    json_object_set_new(o, "reachable_rank", json_integer(r->reachable_rank));
    json_object_set_new(o, "observable_rank", json_integer(r->observable_rank));
    json_object_set_new(o, "mcmillan_degree", json_integer(r->mcmillan_degree));
    json_object_set_new(o, "convention", json_string(ssmh_convention_name(m->convention)));
    json_object_set_new(o, "A", ssmh_json_matrix(m->A));
    json_object_set_new(o, "B", ssmh_json_matrix(m->B));
    json_object_set_new(o, "C", ssmh_json_matrix(m->C));
    json_object_set_new(o, "D", ssmh_json_matrix(m->D));
    return o;
}
