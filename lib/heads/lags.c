/*
 * Exact lag operators K_l (SPEC 1.2).  Guarantee: ssmh_lags returns exactly
 * K_0 .. K_{count-1} of the model under its convention, D included; for
 * structured models the realified A is applied block by block (1x1 or 2x2
 * blocks), never as a dense matrix power.
 */
#include "heads-impl.h"

void _ssmh_apply_A(fmpq_mat_t out, const ssmh_model_t r, int blockdiag,
                   const fmpq_mat_t X)
{
    slong i, j, M = r->N, d = fmpq_mat_ncols(X);
    fmpq_t t, u;
    if (!blockdiag) {
        fmpq_mat_mul(out, r->A, X);
        return;
    }
    fmpq_init(t);
    fmpq_init(u);
    for (i = 0; i < M;) {
        int two = i + 1 < M && !fmpq_is_zero(fmpq_mat_entry(r->A, i, i + 1));
        if (!two) {
            for (j = 0; j < d; j++)
                fmpq_mul(fmpq_mat_entry(out, i, j), fmpq_mat_entry(r->A, i, i),
                         fmpq_mat_entry(X, i, j));
            i++;
        } else {
            for (j = 0; j < d; j++) {
                fmpq_mul(t, fmpq_mat_entry(r->A, i, i), fmpq_mat_entry(X, i, j));
                fmpq_mul(u, fmpq_mat_entry(r->A, i, i + 1), fmpq_mat_entry(X, i + 1, j));
                fmpq_add(t, t, u);
                fmpq_mul(u, fmpq_mat_entry(r->A, i + 1, i), fmpq_mat_entry(X, i, j));
                fmpq_mul(fmpq_mat_entry(out, i + 1, j), fmpq_mat_entry(r->A, i + 1, i + 1),
                         fmpq_mat_entry(X, i + 1, j));
                fmpq_add(fmpq_mat_entry(out, i + 1, j), fmpq_mat_entry(out, i + 1, j), u);
                fmpq_set(fmpq_mat_entry(out, i, j), t);
            }
            i += 2;
        }
    }
    fmpq_clear(t);
    fmpq_clear(u);
}

int ssmh_lags(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
              ssmh_error_t *err)
{
    ssmh_model_t r;
    fmpq_mat_t X, Y;
    slong l;
    int blockdiag = m->structure != SSMH_STRUCTURE_DENSE;

    if (count <= 0)
        return SSMH_OK;
    ssmh_model_init(r);
    ssmh_model_realify(r, m);
    fmpq_mat_init(X, r->N, r->d);
    fmpq_mat_init(Y, r->N, r->d);
    fmpq_mat_set(X, r->B);
    for (l = 0; l < count; l++) {
        fmpq_mat_clear(K + l);
        fmpq_mat_init(K + l, r->p, r->d);
        if (m->convention == SSMH_CONVENTION_DELAYED) {
            if (l == 0) {
                fmpq_mat_set(K + l, r->D);
                continue;
            }
            fmpq_mat_mul(K + l, r->C, X);
        } else {
            fmpq_mat_mul(K + l, r->C, X);
            if (l == 0)
                fmpq_mat_add(K + l, K + l, r->D);
        }
        if (l + 1 < count) {
            _ssmh_apply_A(Y, r, blockdiag, X);
            fmpq_mat_swap(X, Y);
        }
    }
    fmpq_mat_clear(X);
    fmpq_mat_clear(Y);
    ssmh_model_clear(r);
    (void)err;
    return SSMH_OK;
}
