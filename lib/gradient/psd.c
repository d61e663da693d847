/*
 * Exact positive (semi)definiteness of a symmetric rational matrix: a
 * rounded floating-point factor checked exactly (psd_factor.c) when it
 * settles the question, else fraction-free LDL^T without pivoting.
 * Guarantee: returns 1 only if the matrix is PSD
 * (PD when strict): a zero pivot must come with a zero remaining column,
 * which is exactly the semidefinite case; a negative pivot refutes.
 * Also: a certified upper bound on the largest eigenvalue of a PSD matrix,
 * guided by floating-point power iteration and proven by the LDL^T.
 */
#include "ssmheads-impl.h"
#include <math.h>
#include <stdlib.h>

/* Semidefiniteness of a symmetric rational matrix by fraction-free
   (Bareiss) elimination of its integer multiple, without pivoting: no gcds,
   so much faster than LDL^T over Q on float-derived data.  After the pivots
   taken so far, M[i][j] is a positive multiple (the last pivot taken, a
   positive principal minor) of the Schur complement entry and depends only
   on the rows and columns of those pivots; so a zero pivot whose remaining
   column is zero is skipped (its index deleted) and elimination goes on
   with the same divisor.  PSD iff every pivot is > 0, or 0 with a zero
   column (LDL^T); PD iff every pivot is > 0 (Sylvester).  S symmetric. */
static int psd_fraction_free(const fmpq_mat_t S, int strict)
{
    slong n = fmpq_mat_nrows(S), i, j, k;
    fmpz_mat_t M;
    fmpz_t den, prev, t;
    int ok = _ssmh_psd_by_factor(S, strict);   /* a rounded factor, exactly checked */
    if (ok >= 0)
        return ok;
    ok = 1;
    fmpz_mat_init(M, n, n);
    fmpz_init(den);
    fmpz_init(prev);
    fmpz_init(t);
    fmpq_mat_get_fmpz_mat_matwise(M, den, S);
    fmpz_one(prev);
    for (k = 0; k < n && ok; k++) {
        int sg = fmpz_sgn(fmpz_mat_entry(M, k, k));
        if (sg < 0 || (sg == 0 && strict)) {
            ok = 0;
            break;
        }
        if (sg == 0) {
            for (i = k + 1; i < n && ok; i++)
                ok = fmpz_is_zero(fmpz_mat_entry(M, i, k));
            continue;   /* skip index k: prev unchanged */
        }
        for (i = k + 1; i < n; i++)
            for (j = k + 1; j <= i; j++) {
                fmpz_mul(t, fmpz_mat_entry(M, k, k), fmpz_mat_entry(M, i, j));
                fmpz_submul(t, fmpz_mat_entry(M, i, k), fmpz_mat_entry(M, k, j));
                fmpz_divexact(fmpz_mat_entry(M, i, j), t, prev);
                fmpz_set(fmpz_mat_entry(M, j, i), fmpz_mat_entry(M, i, j));
            }
        fmpz_set(prev, fmpz_mat_entry(M, k, k));
    }
    fmpz_mat_clear(M);
    fmpz_clear(den);
    fmpz_clear(prev);
    fmpz_clear(t);
    return ok;
}

static slong find_root(slong *parent, slong i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* A symmetric matrix is PSD (PD) iff each diagonal block of its connected
   components (indices linked by nonzero entries) is: each block is
   eliminated on its own, so a diagonal or block-diagonal matrix (a channel
   bank's Gram matrices) costs no growth across blocks. */
int _ssmh_is_psd(const fmpq_mat_t S, int strict)
{
    slong n = fmpq_mat_nrows(S), i, j, c, m, *parent, *members;
    int ok = 1;
    for (i = 0; i < n && ok; i++)
        for (j = 0; j < i && ok; j++)
            ok = fmpq_equal(fmpq_mat_entry(S, i, j), fmpq_mat_entry(S, j, i));
    if (!ok)
        return 0;
    parent = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(n, 1));
    members = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(n, 1));
    for (i = 0; i < n; i++)
        parent[i] = i;
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (!fmpq_is_zero(fmpq_mat_entry(S, i, j)))
                parent[find_root(parent, i)] = find_root(parent, j);
    for (i = 0, c = 0; i < n; i++)
        c += find_root(parent, i) == i;
    if (c <= 1) {
        ok = psd_fraction_free(S, strict);
    } else {
        for (c = 0; c < n && ok; c++) {
            if (find_root(parent, c) != c)
                continue;
            for (i = 0, m = 0; i < n; i++)
                if (find_root(parent, i) == c)
                    members[m++] = i;
            if (m == 1) {
                int sg = fmpq_sgn(fmpq_mat_entry(S, c, c));
                ok = sg > 0 || (sg == 0 && !strict);
            } else {
                fmpq_mat_t B;
                fmpq_mat_init(B, m, m);
                for (i = 0; i < m; i++)
                    for (j = 0; j < m; j++)
                        fmpq_set(fmpq_mat_entry(B, i, j), fmpq_mat_entry(S, members[i], members[j]));
                ok = psd_fraction_free(B, strict);
                fmpq_mat_clear(B);
            }
        }
    }
    flint_free(parent);
    flint_free(members);
    return ok;
}

/* Power iteration on a symmetric PSD n x n matrix g (row-major doubles),
   from v (overwritten by the dominant eigenvector estimate); returns the
   estimate of lambda_max.  A guide only: every use proves its result. */
double _ssmh_power_iteration(const double *g, slong n, double *v, slong iters)
{
    slong i, j, it;
    double *w = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)), lam = 0, nv;
    for (it = 0; it < iters; it++) {
        nv = 0;
        for (i = 0; i < n; i++) {
            double t = 0;
            for (j = 0; j < n; j++)
                t += g[i * n + j] * v[j];
            w[i] = t;
            nv += t * t;
        }
        nv = sqrt(nv);
        if (!(nv > 0))
            break;
        lam = nv;   /* ||G v|| with ||v|| = 1 */
        for (i = 0; i < n; i++)
            v[i] = w[i] / nv;
    }
    free(w);
    return lam;
}

/* The matrix as doubles (row-major), and the starting vector 1 + i/100. */
static double *to_doubles(const fmpq_mat_t G, double **v)
{
    slong n = fmpq_mat_nrows(G), m = fmpq_mat_ncols(G), i;
    double *g = malloc(sizeof(double) * (size_t)(n * m > 0 ? n * m : 1));
    for (i = 0; i < n * m; i++)
        g[i] = fmpq_get_d(fmpq_mat_entry(G, i / m, i % m));
    *v = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    for (i = 0; i < n; i++)
        (*v)[i] = 1.0 + 0.01 * (double)i;
    return g;
}

/* _ssmh_power_iteration on the nonzeros of g only (the same sums in the
   same order: skipped terms are zeros), for sparse Gram matrices. */
static double power_iteration_sparse(const double *g, slong n, double *v, slong iters)
{
    slong i, j, it, nnz = 0, *start = malloc(sizeof(slong) * (size_t)(n + 1)), *col;
    double *val, *w = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)), lam = 0, nv;
    for (i = 0; i < n * n; i++)
        nnz += g[i] != 0;
    col = malloc(sizeof(slong) * (size_t)(nnz > 0 ? nnz : 1));
    val = malloc(sizeof(double) * (size_t)(nnz > 0 ? nnz : 1));
    for (i = 0, nnz = 0; i < n; i++) {
        start[i] = nnz;
        for (j = 0; j < n; j++)
            if (g[i * n + j] != 0) {
                col[nnz] = j;
                val[nnz++] = g[i * n + j];
            }
    }
    start[n] = nnz;
    for (it = 0; it < iters; it++) {
        nv = 0;
        for (i = 0; i < n; i++) {
            double t = 0;
            for (j = start[i]; j < start[i + 1]; j++)
                t += val[j] * v[col[j]];
            w[i] = t;
            nv += t * t;
        }
        nv = sqrt(nv);
        if (!(nv > 0))
            break;
        lam = nv;
        for (i = 0; i < n; i++)
            v[i] = w[i] / nv;
    }
    free(start);
    free(col);
    free(val);
    free(w);
    return lam;
}

/* Largest eigenvalue of a symmetric PSD G (a guide). */
static double power_lmax(const fmpq_mat_t G)
{
    slong n = fmpq_mat_nrows(G), i, nnz = 0;
    double *v, *g = to_doubles(G, &v), lam;
    for (i = 0; i < n * n; i++)
        nnz += g[i] != 0;
    if (nnz * 8 < n * n)
        lam = power_iteration_sparse(g, n, v, 500);
    else
        lam = _ssmh_power_iteration(g, n, v, 500);
    free(g);
    free(v);
    return lam;
}

/* A float-guided rational unit-ish vector near the dominant eigenvector of
   G (entries on the grid 2^-30), for exact Rayleigh quotients. */
void _ssmh_dominant_vector(fmpq_mat_t v, const fmpq_mat_t G)
{
    double *x, *g = to_doubles(G, &x);
    slong i;
    _ssmh_power_iteration(g, fmpq_mat_nrows(G), x, 200);
    for (i = 0; i < fmpq_mat_nrows(G); i++)
        if (!_ssmh_set_dyadic(fmpq_mat_entry(v, i, 0), x[i], 30))
            fmpq_zero(fmpq_mat_entry(v, i, 0));   /* a failed guide: any vector is a valid Rayleigh quotient */
    free(g);
    free(x);
}

/* beta >= lambda_max(G), proven: beta I - G is PSD (G symmetric PSD).
   Falls back to trace(G), always a valid bound. */
void _ssmh_lmax_upper(fmpq_t beta, const fmpq_mat_t G)
{
    slong n = fmpq_mat_nrows(G), i, tries;
    double lam = power_lmax(G);
    fmpq_mat_t S;
    fmpq_mat_init(S, n, n);
    for (tries = 0; tries < 6; tries++) {
        if (!_ssmh_round_up(beta, lam * (1.0 + ldexp(1.0, -24 + 4 * (int)tries)) + 1e-300)) {
            tries = 6;   /* lam is NaN or Inf: no float guide, the trace below */
            break;
        }
        fmpq_mat_neg(S, G);
        for (i = 0; i < n; i++)
            fmpq_add(fmpq_mat_entry(S, i, i), fmpq_mat_entry(S, i, i), beta);
        if (_ssmh_is_psd(S, 0))
            break;
    }
    if (tries == 6) {
        fmpq_zero(beta);
        for (i = 0; i < n; i++)
            fmpq_add(beta, beta, fmpq_mat_entry(G, i, i));
    }
    fmpq_mat_clear(S);
}
