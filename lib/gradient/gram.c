/*
 * Exact Gram matrices.  Guarantee: _ssmh_gram sets G = X^T X (or X X^T)
 * exactly.  A sparse X (a channel bank's B and C: one nonzero per row) is
 * summed as outer products of its rows' (columns') nonzeros, so the work is
 * the sum of their squared counts instead of a dense product; a dense one
 * goes to FLINT's multimodular product.
 */
#include "ssmheads-impl.h"

/* G += sum over the rows r of X of x_r^T x_r; returns 0 (G untouched) when
   the dense product is cheaper. */
static int gram_sparse(fmpq_mat_t G, const ssmh_spmat_t X)
{
    slong n = X->r, k = X->c, r, a, b;
    double work = 0;
    for (r = 0; r < n; r++) {
        double nz = (double)(X->rowptr[r + 1] - X->rowptr[r]);
        work += nz * nz;
    }
    if (work * 64.0 > (double)n * (double)k * (double)k)
        return 0;
    for (r = 0; r < n; r++)
        for (a = X->rowptr[r]; a < X->rowptr[r + 1]; a++)
            for (b = X->rowptr[r]; b < X->rowptr[r + 1]; b++)
                fmpq_addmul(fmpq_mat_entry(G, X->col[a], X->col[b]), X->val + a, X->val + b);
    return 1;
}

void _ssmh_gram(fmpq_mat_t G, const ssmh_spmat_t X, int outer)
{
    /* outer = 0: X^T X (sum over rows); outer = 1: X X^T (over columns,
       the rows of X^T) */
    ssmh_spmat_t Y;
    const ssmh_spmat_struct *R = X;
    fmpq_mat_zero(G);
    ssmh_spmat_init(Y, 0, 0);
    if (outer) {
        ssmh_spmat_transpose(Y, X);
        R = Y;
    }
    if (!gram_sparse(G, R)) {
        fmpq_mat_t Xd, Xt;
        fmpq_mat_init(Xd, X->r, X->c);
        fmpq_mat_init(Xt, X->c, X->r);
        ssmh_spmat_get_fmpq_mat(Xd, X);
        fmpq_mat_transpose(Xt, Xd);
        if (outer)
            fmpq_mat_mul(G, Xd, Xt);
        else
            fmpq_mat_mul(G, Xt, Xd);
        fmpq_mat_clear(Xd);
        fmpq_mat_clear(Xt);
    }
    ssmh_spmat_clear(Y);
}
