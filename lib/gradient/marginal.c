/*
 * A power-bounded form for a marginal A: P > 0 with P - A^T P A >= 0, so
 * that the envelope holds with gamma = 1.  Guarantee: when 1 is returned, P
 * is symmetric and, by exact construction,
 *     P - A^T P A = T^-T diag(0, P_s - A_s^T P_s A_s) T^-1,
 * where only P_s is a rounded floating-point Stein solution; the caller
 * proves P > 0 and P - A^T P A >= 0 exactly before using it.
 *
 * Method.  mu (the minimal polynomial of A) = u s over Z, u the product of
 * the irreducible factors f with |f(0)| = |lead f|.  For a marginal A these
 * are exactly the factors with roots on the unit circle (every root has
 * modulus <= 1 and their product has modulus 1), each simple in mu; s has
 * every root inside.  Q^N = ker u(A) + ker s(A) with ker s(A) = im u(A), so
 * T = [U S] (bases of the two) gives T^-1 A T = diag(A_u, A_s).  P_u is the
 * component of I in ker L along im L, for L(X) = X - A_u^T X A_u on
 * symmetric matrices: A_u is semisimple with unit-modulus eigenvalues, so L
 * is semisimple, ker L holds the A_u-invariant forms, and that component is
 * the Cesaro mean lim (1/n) sum_t (A_u^t)^T A_u^t -- positive definite since
 * A_u and its inverse are power-bounded.  One exact linear solve gives it
 * (P_u = I when A_u is already orthogonal).
 */
#include "ssmheads-impl.h"
#include <math.h>

#define MAX_UNIT_DIM 24   /* L acts on m (m + 1) / 2 unknowns */

void _ssmh_fmpz_poly_of_mat(fmpq_mat_t X, const fmpz_poly_t f, const fmpq_mat_t A)
{
    slong N = fmpq_mat_nrows(A), i, k;
    fmpq_mat_t T;
    fmpq_mat_init(T, N, N);
    fmpq_mat_zero(X);
    for (k = fmpz_poly_degree(f); k >= 0; k--) {   /* Horner */
        fmpq_mat_mul(T, X, A);
        fmpq_mat_swap(X, T);
        for (i = 0; i < N; i++)
            fmpq_add_fmpz(fmpq_mat_entry(X, i, i), fmpq_mat_entry(X, i, i), f->coeffs + k);
    }
    fmpq_mat_clear(T);
}

/* Column indices of the pivots of Z (its rank r first entries of piv). */
static slong pivot_columns(slong *piv, const fmpz_mat_t Z)
{
    fmpz_mat_t R;
    fmpz_t den;
    slong r, i, j = 0;
    fmpz_mat_init(R, fmpz_mat_nrows(Z), fmpz_mat_ncols(Z));
    fmpz_init(den);
    r = fmpz_mat_rref(R, den, Z);
    for (i = 0; i < r; i++) {
        while (fmpz_is_zero(fmpz_mat_entry(R, i, j)))
            j++;
        piv[i] = j;
    }
    fmpz_mat_clear(R);
    fmpz_clear(den);
    return r;
}

/* P_u = the component of I in ker L along im L (see above); 0 on failure. */
static int invariant_form(fmpq_mat_t Pu, const fmpq_mat_t Au)
{
    slong m = fmpq_mat_nrows(Au), q = m * (m + 1) / 2, i, j, a, b, row, col, nk, r, t;
    slong *idx = flint_malloc(sizeof(slong) * (size_t)(m * m)), *piv = flint_malloc(sizeof(slong) * (size_t)q);
    fmpq_mat_t L, c;
    fmpz_mat_t Z, K, M, rhs;
    fmpz_t den;
    fmpq_t x;
    int ok;

    for (i = 0, row = 0; i < m; i++)
        for (j = i; j < m; j++, row++)
            idx[i * m + j] = idx[j * m + i] = row;
    fmpq_mat_init(L, q, q);
    fmpq_mat_init(c, q, 1);
    fmpz_mat_init(Z, q, q);
    fmpz_mat_init(K, q, q);
    fmpz_mat_init(M, q, q);
    fmpz_mat_init(rhs, q, 1);
    fmpz_init(den);
    fmpq_init(x);
    /* row (i, j), column (a, b): coefficient of x_ab in (X - A^T X A)_ij */
    for (i = 0; i < m; i++)
        for (j = i; j < m; j++)
            for (a = 0; a < m; a++)
                for (b = 0; b < m; b++) {
                    fmpq *e = fmpq_mat_entry(L, idx[i * m + j], idx[a * m + b]);
                    fmpq_mul(x, fmpq_mat_entry(Au, a, i), fmpq_mat_entry(Au, b, j));
                    fmpq_sub(e, e, x);
                }
    for (row = 0; row < q; row++)
        fmpq_add_ui(fmpq_mat_entry(L, row, row), fmpq_mat_entry(L, row, row), 1);
    fmpq_mat_get_fmpz_mat_matwise(Z, den, L);
    nk = fmpz_mat_nullspace(K, Z);
    r = pivot_columns(piv, Z);
    ok = nk >= 1 && nk + r == q;
    for (row = 0; row < q && ok; row++) {
        for (col = 0; col < nk; col++)
            fmpz_set(fmpz_mat_entry(M, row, col), fmpz_mat_entry(K, row, col));
        for (col = 0; col < r; col++)
            fmpz_set(fmpz_mat_entry(M, row, nk + col), fmpz_mat_entry(Z, row, piv[col]));
    }
    for (i = 0; i < m; i++)
        fmpz_one(fmpz_mat_entry(rhs, idx[i * m + i], 0));
    ok = ok && fmpq_mat_solve_fmpz_mat(c, M, rhs);
    for (i = 0; i < m && ok; i++)
        for (j = 0; j < m; j++) {
            fmpq *e = fmpq_mat_entry(Pu, i, j);
            fmpq_zero(e);
            for (t = 0; t < nk; t++) {
                fmpq_mul_fmpz(x, fmpq_mat_entry(c, t, 0), fmpz_mat_entry(K, idx[i * m + j], t));
                fmpq_add(e, e, x);
            }
        }
    flint_free(idx);
    flint_free(piv);
    fmpq_mat_clear(L);
    fmpq_mat_clear(c);
    fmpz_mat_clear(Z);
    fmpz_mat_clear(K);
    fmpz_mat_clear(M);
    fmpz_mat_clear(rhs);
    fmpz_clear(den);
    fmpq_clear(x);
    return ok;
}

/* Is the block (r0..r1) x (c0..c1) of X zero? */
static int block_zero(const fmpq_mat_t X, slong r0, slong r1, slong c0, slong c1)
{
    slong i, j;
    for (i = r0; i < r1; i++)
        for (j = c0; j < c1; j++)
            if (!fmpq_is_zero(fmpq_mat_entry(X, i, j)))
                return 0;
    return 1;
}

int _ssmh_power_bounded_form(fmpq_mat_t P, const fmpq_mat_t A)
{
    slong N = fmpq_mat_nrows(A), i, j, nk = 0, r = 0;
    slong *piv = flint_malloc(sizeof(slong) * (size_t)N);
    fmpq_poly_t mu;
    fmpz_poly_t z, u;
    fmpz_poly_factor_t fac;
    fmpq_mat_t X, T, Ti, At, D, W;
    fmpz_mat_t Z, K;
    fmpz_t den;
    int ok = 1;

    fmpq_poly_init(mu);
    fmpz_poly_init(z);
    fmpz_poly_init(u);
    fmpz_poly_factor_init(fac);
    fmpq_mat_init(X, N, N);
    fmpq_mat_init(T, N, N);
    fmpq_mat_init(Ti, N, N);
    fmpq_mat_init(At, N, N);
    fmpq_mat_init(D, N, N);
    fmpq_mat_init(W, N, N);
    fmpz_mat_init(Z, N, N);
    fmpz_mat_init(K, N, N);
    fmpz_init(den);

    fmpq_mat_minpoly(mu, A);
    fmpq_poly_get_numerator(z, mu);
    fmpz_poly_factor(fac, z);
    fmpz_poly_one(u);
    for (j = 0; j < fac->num; j++) {
        slong d = fmpz_poly_degree(fac->p + j);
        if (d >= 1 && fmpz_cmpabs(fac->p[j].coeffs + 0, fac->p[j].coeffs + d) == 0) {
            ok &= fac->exp[j] == 1;   /* a unit-circle root must be semisimple */
            fmpz_poly_mul(u, u, fac->p + j);
        }
    }
    ok = ok && fmpz_poly_degree(u) >= 1;
    if (ok) {   /* U = ker u(A), S = independent columns of u(A) */
        _ssmh_fmpz_poly_of_mat(X, u, A);
        fmpq_mat_get_fmpz_mat_matwise(Z, den, X);
        nk = fmpz_mat_nullspace(K, Z);
        r = pivot_columns(piv, Z);
        ok = nk >= 1 && nk + r == N;
    }
    for (i = 0; i < N && ok; i++) {
        for (j = 0; j < nk; j++)
            fmpq_set_fmpz(fmpq_mat_entry(T, i, j), fmpz_mat_entry(K, i, j));
        for (j = 0; j < r; j++)
            fmpq_set(fmpq_mat_entry(T, i, nk + j), fmpq_mat_entry(X, i, piv[j]));
    }
    for (j = 0; j < N && ok; j++) {   /* columns of comparable size, by powers of 2 */
        slong ex = WORD_MIN;          /* exact sizes: no double to overflow */
        for (i = 0; i < N; i++)
            ex = FLINT_MAX(ex, _ssmh_fmpq_log2(fmpq_mat_entry(T, i, j)));
        if (ex == WORD_MIN)
            ex = 0;
        for (i = 0; i < N; i++) {
            if (ex > 0)
                fmpq_div_2exp(fmpq_mat_entry(T, i, j), fmpq_mat_entry(T, i, j), (ulong)ex);
            else
                fmpq_mul_2exp(fmpq_mat_entry(T, i, j), fmpq_mat_entry(T, i, j), (ulong)(-ex));
        }
    }
    ok = ok && fmpq_mat_inv(Ti, T);
    if (ok) {
        fmpq_mat_mul(W, A, T);
        fmpq_mat_mul(At, Ti, W);
        ok = block_zero(At, 0, nk, nk, N) && block_zero(At, nk, N, 0, nk);
    }
    if (ok) {   /* D = diag(P_u, P_s) */
        fmpq_mat_t Au, As, Pu, Ps;
        fmpq_mat_init(Au, nk, nk);
        fmpq_mat_init(Pu, nk, nk);
        fmpq_mat_init(As, N - nk, N - nk);
        fmpq_mat_init(Ps, N - nk, N - nk);
        for (i = 0; i < N; i++)
            for (j = 0; j < N; j++)
                if ((i < nk) == (j < nk))
                    fmpq_set(i < nk ? fmpq_mat_entry(Au, i, j) : fmpq_mat_entry(As, i - nk, j - nk),
                             fmpq_mat_entry(At, i, j));
        {   /* an orthogonal A_u keeps I itself (no solve, no size limit) */
            fmpq_mat_t Aut, AtA;
            fmpq_mat_init(Aut, nk, nk);
            fmpq_mat_init(AtA, nk, nk);
            fmpq_mat_transpose(Aut, Au);
            fmpq_mat_mul(AtA, Aut, Au);
            if (fmpq_mat_is_one(AtA))
                fmpq_mat_one(Pu);
            else
                ok = nk <= MAX_UNIT_DIM && invariant_form(Pu, Au);
            fmpq_mat_clear(Aut);
            fmpq_mat_clear(AtA);
        }
        if (N > nk) {   /* P_s proven here: P_s > 0, P_s - A_s^T P_s A_s >= 0 */
            fmpq_t one;
            fmpq_init(one);
            fmpq_one(one);
            ok = ok && _ssmh_stein_form(Ps, As, one, NULL, NULL, NULL, 0);
            fmpq_clear(one);
        }
        for (i = 0; i < N && ok; i++)
            for (j = 0; j < N; j++)
                if ((i < nk) == (j < nk))
                    fmpq_set(fmpq_mat_entry(D, i, j),
                             i < nk ? fmpq_mat_entry(Pu, i, j) : fmpq_mat_entry(Ps, i - nk, j - nk));
        fmpq_mat_clear(Au);
        fmpq_mat_clear(Pu);
        fmpq_mat_clear(As);
        fmpq_mat_clear(Ps);
    }
    if (ok) {   /* P = T^-T D T^-1 */
        fmpq_mat_mul(W, D, Ti);
        fmpq_mat_transpose(T, Ti);
        fmpq_mat_mul(P, T, W);
    }
    flint_free(piv);
    fmpq_poly_clear(mu);
    fmpz_poly_clear(z);
    fmpz_poly_clear(u);
    fmpz_poly_factor_clear(fac);
    fmpq_mat_clear(X);
    fmpq_mat_clear(T);
    fmpq_mat_clear(Ti);
    fmpq_mat_clear(At);
    fmpq_mat_clear(D);
    fmpq_mat_clear(W);
    fmpz_mat_clear(Z);
    fmpz_mat_clear(K);
    fmpz_clear(den);
    return ok;
}
