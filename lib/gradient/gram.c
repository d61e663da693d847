/*
 * Exact Gram matrices.  Guarantee: _ssmh_gram sets G = X^T X (or X X^T)
 * exactly.  A sparse X (a channel bank's B and C: one nonzero per row) is
 * summed as outer products of its rows' (columns') nonzeros, so the work is
 * the sum of their squared counts instead of a dense product.
 */
#include "ssmheads-impl.h"

/* G += sum over rows r of x_r^T x_r (rows of X), or over columns when
   cols is set; returns 0 (G untouched) when the dense product is cheaper. */
static int gram_sparse(fmpq_mat_t G, const fmpq_mat_t X, int cols)
{
    slong n = cols ? fmpq_mat_ncols(X) : fmpq_mat_nrows(X);
    slong k = cols ? fmpq_mat_nrows(X) : fmpq_mat_ncols(X), r, a, b, nz;
    slong *idx = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(k, 1));
    double work = 0;
#define X_AT(r, a) (cols ? fmpq_mat_entry(X, a, r) : fmpq_mat_entry(X, r, a))
    for (r = 0; r < n; r++) {
        for (a = 0, nz = 0; a < k; a++)
            nz += !fmpq_is_zero(X_AT(r, a));
        work += (double)nz * (double)nz;
    }
    if (work * 64.0 > (double)n * (double)k * (double)k) {
        flint_free(idx);
        return 0;
    }
    for (r = 0; r < n; r++) {
        for (a = 0, nz = 0; a < k; a++)
            if (!fmpq_is_zero(X_AT(r, a)))
                idx[nz++] = a;
        for (a = 0; a < nz; a++)
            for (b = 0; b < nz; b++)
                fmpq_addmul(fmpq_mat_entry(G, idx[a], idx[b]), X_AT(r, idx[a]), X_AT(r, idx[b]));
    }
#undef X_AT
    flint_free(idx);
    return 1;
}

void _ssmh_gram(fmpq_mat_t G, const fmpq_mat_t X, int outer)
{
    /* outer = 0: X^T X (sum over rows); outer = 1: X X^T (over columns) */
    fmpq_mat_zero(G);
    if (!gram_sparse(G, X, outer)) {
        fmpq_mat_t Xt;
        fmpq_mat_init(Xt, fmpq_mat_ncols(X), fmpq_mat_nrows(X));
        fmpq_mat_transpose(Xt, X);
        if (outer)
            fmpq_mat_mul(G, X, Xt);
        else
            fmpq_mat_mul(G, Xt, X);
        fmpq_mat_clear(Xt);
    }
}
