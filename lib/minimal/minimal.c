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

/* A column basis R (N x r) of the Krylov space span{W, A W, A^2 W, ...},
   built block by block: stops at rank N or when a block adds nothing (then
   the span is A-invariant).  R consists of Krylov columns. */
static slong krylov_basis(fmpq_mat_t R, const fmpq_mat_t A, const fmpq_mat_t W)
{
    slong N = fmpq_mat_nrows(A), w = fmpq_mat_ncols(W), r = 0, prev = -1, i, j, c;
    slong *piv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N + w));
    fmpq_mat_t X, Y, K;
    fmpq_mat_init(X, N, w);
    fmpq_mat_init(Y, N, w);
    fmpq_mat_set(X, W);
    fmpq_mat_clear(R);
    fmpq_mat_init(R, N, 0);
    while (r < N && r > prev && w > 0) {
        prev = r;
        fmpq_mat_init(K, N, r + w);
        for (i = 0; i < N; i++) {
            for (j = 0; j < r; j++)
                fmpq_set(fmpq_mat_entry(K, i, j), fmpq_mat_entry(R, i, j));
            for (j = 0; j < w; j++)
                fmpq_set(fmpq_mat_entry(K, i, r + j), fmpq_mat_entry(X, i, j));
        }
        r = column_profile(piv, K);
        fmpq_mat_clear(R);
        fmpq_mat_init(R, N, r);
        for (c = 0; c < r; c++)
            for (i = 0; i < N; i++)
                fmpq_set(fmpq_mat_entry(R, i, c), fmpq_mat_entry(K, i, piv[c]));
        fmpq_mat_clear(K);
        fmpq_mat_mul(Y, A, X);
        fmpq_mat_swap(X, Y);
    }
    fmpq_mat_clear(X);
    fmpq_mat_clear(Y);
    flint_free(piv);
    return r;
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
    fmpq_mat_t R, AR, Ar, Br, Cr, T, Tt, TA, Amt, Am, Cmt, Cm, Bm, Crt;
    slong N, d, p, r, n, *piv;
    int ok = 1;
    ssmh_progress_step(lim, "minimal: reachable and observable subspaces (exact)", 0, 0);

    ssmh_minimal_clear(res);
    ssmh_model_init(m);
    ssmh_model_realify(m, m_in);
    N = m->N;
    d = m->d;
    p = m->p;
    res->N = N;
    /* reachable subspace, and the observable rank (for the report) */
    fmpq_mat_init(R, N, 0);
    r = krylov_basis(R, m->A, m->B);
    res->reachable_rank = r;
    {
        fmpq_mat_t At, Ct, Ob;
        fmpq_mat_init(At, N, N);
        fmpq_mat_init(Ct, N, p);
        fmpq_mat_init(Ob, N, 0);
        fmpq_mat_transpose(At, m->A);
        fmpq_mat_transpose(Ct, m->C);
        res->observable_rank = krylov_basis(Ob, At, Ct);
        fmpq_mat_clear(At);
        fmpq_mat_clear(Ct);
        fmpq_mat_clear(Ob);
    }
    if (r == N && res->observable_rank == N) {   /* already minimal */
        res->mcmillan_degree = N;
        ssmh_model_set_dense(res->minimal, m->convention, m->A, m->B, m->C, m->D);
        res->minimal->has_D = m_in->has_D;
        fmpq_mat_clear(R);
        ssmh_model_clear(m);
        return SSMH_OK;
    }
    piv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N * FLINT_MAX(d, p)));
    /* restriction to the reachable subspace */
    fmpq_mat_init(AR, N, r);
    fmpq_mat_mul(AR, m->A, R);
    fmpq_mat_init(Ar, r, r);
    fmpq_mat_init(Br, r, d);
    fmpq_mat_init(Cr, p, r);
    ok &= solve_checked(Ar, R, AR);
    ok &= solve_checked(Br, R, m->B);
    fmpq_mat_mul(Cr, m->C, R);
    /* observable quotient of (Ar, Br, Cr): T = a basis of the row space of
       [Cr; Cr Ar; ...] (its kernel is the unobservable subspace) */
    {
        fmpq_mat_t Art, Crt0, Ob;
        fmpq_mat_init(Art, r, r);
        fmpq_mat_init(Crt0, r, p);
        fmpq_mat_init(Ob, r, 0);
        fmpq_mat_transpose(Art, Ar);
        fmpq_mat_transpose(Crt0, Cr);
        n = r > 0 ? krylov_basis(Ob, Art, Crt0) : 0;
        fmpq_mat_init(T, n, r);
        if (n > 0)
            fmpq_mat_transpose(T, Ob);
        fmpq_mat_clear(Art);
        fmpq_mat_clear(Crt0);
        fmpq_mat_clear(Ob);
    }
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
    json_object_set_new(o, "A", _ssmh_json_matrix_shaped(m->A));
    json_object_set_new(o, "B", _ssmh_json_matrix_shaped(m->B));
    json_object_set_new(o, "C", _ssmh_json_matrix_shaped(m->C));
    json_object_set_new(o, "D", _ssmh_json_matrix_shaped(m->D));
    return o;
}
