/*
 * Exact real form of a model for the heads module.  Guarantee: the lag
 * operators of _ssmh_real_t equal those of the model, and a structured
 * model (diag, complex_diag) keeps its block-diagonal A as a list of 1x1
 * and 2x2 blocks -- never as a dense M x M matrix, so a layer of thousands
 * of modes costs O(M) memory for A -- and, unless asked for dense B and C,
 * its realified B and C sparsely: O(M + nonzeros).
 */
#include "heads-impl.h"
#include <string.h>

/* The realified B (rows 2s, 2s+1 from B, B_im; row s for a real diagonal
   model) and the transpose of the realified C (rows 2s, 2s+1 from
   f C[:, s], -f C_im[:, s]), sparse, from the model's sparse parts. */
static void real_sparse(_ssmh_real_t *r, const ssmh_model_t m)
{
    slong N = m->N, s, k;
    ssmh_spmat_t Ct, Cit;
    fmpq_t t;
    if (m->structure == SSMH_STRUCTURE_DIAG) {
        ssmh_spmat_set(r->Bs, m->B);
        ssmh_spmat_transpose(r->Cts, m->C);
        return;
    }
    {
        slong f = m->output == SSMH_OUTPUT_RE ? 1 : 2;
        fmpq_init(t);
        ssmh_spmat_clear(r->Bs);
        ssmh_spmat_init(r->Bs, 2 * N, m->d);
        _ssmh_spmat_fit(r->Bs, m->B->nnz + m->B_im->nnz);
        for (s = 0; s < N; s++) {
            for (k = m->B->rowptr[s]; k < m->B->rowptr[s + 1]; k++)
                _ssmh_spmat_append(r->Bs, 2 * s, m->B->col[k], m->B->val + k);
            for (k = m->B_im->rowptr[s]; k < m->B_im->rowptr[s + 1]; k++)
                _ssmh_spmat_append(r->Bs, 2 * s + 1, m->B_im->col[k], m->B_im->val + k);
        }
        _ssmh_spmat_finish(r->Bs);
        ssmh_spmat_init(Ct, 0, 0);
        ssmh_spmat_init(Cit, 0, 0);
        ssmh_spmat_transpose(Ct, m->C);
        ssmh_spmat_transpose(Cit, m->C_im);
        ssmh_spmat_clear(r->Cts);
        ssmh_spmat_init(r->Cts, 2 * N, m->p);
        _ssmh_spmat_fit(r->Cts, Ct->nnz + Cit->nnz);
        for (s = 0; s < N; s++) {
            for (k = Ct->rowptr[s]; k < Ct->rowptr[s + 1]; k++) {
                fmpq_mul_si(t, Ct->val + k, f);
                _ssmh_spmat_append_swap(r->Cts, 2 * s, Ct->col[k], t);
            }
            for (k = Cit->rowptr[s]; k < Cit->rowptr[s + 1]; k++) {
                fmpq_mul_si(t, Cit->val + k, -f);
                _ssmh_spmat_append_swap(r->Cts, 2 * s + 1, Cit->col[k], t);
            }
        }
        _ssmh_spmat_finish(r->Cts);
        ssmh_spmat_clear(Ct);
        ssmh_spmat_clear(Cit);
        fmpq_clear(t);
    }
}

/* The realified B and C, densely. */
static void real_dense(_ssmh_real_t *r, const ssmh_model_t m)
{
    fmpq_mat_clear(r->B);
    fmpq_mat_clear(r->C);
    fmpq_mat_init(r->B, r->M, m->d);
    fmpq_mat_init(r->C, m->p, r->M);
    if (m->structure != SSMH_STRUCTURE_COMPLEX_DIAG) {
        ssmh_spmat_get_fmpq_mat(r->B, m->B);
        ssmh_spmat_get_fmpq_mat(r->C, m->C);
    } else {
        slong i, k;
        ssmh_spmat_get_fmpq_mat(r->B, r->Bs);
        for (i = 0; i < r->M; i++)   /* Cts: C's columns as rows */
            for (k = r->Cts->rowptr[i]; k < r->Cts->rowptr[i + 1]; k++)
                fmpq_set(fmpq_mat_entry(r->C, r->Cts->col[k], i), r->Cts->val + k);
    }
}

void _ssmh_real_init(_ssmh_real_t *r, const ssmh_model_t m, int with_BC)
{
    slong s, N = m->N, b = 0;
    memset(r, 0, sizeof(*r));
    r->src = m;
    r->has_BC = 1;
    r->delayed = m->convention == SSMH_CONVENTION_DELAYED;
    r->blockdiag = m->structure != SSMH_STRUCTURE_DENSE;
    r->d = m->d;
    r->p = m->p;
    fmpq_mat_init(r->B, 0, 0);
    fmpq_mat_init(r->C, 0, 0);
    ssmh_spmat_init(r->Bs, 0, 0);
    ssmh_spmat_init(r->Cts, 0, 0);
    r->D = m->D;
    if (!r->blockdiag) {
        r->M = N;
        fmpq_mat_init(r->A, N, N);
        fmpq_mat_set(r->A, m->A);
        real_dense(r, m);
        return;
    }
    fmpq_mat_init(r->A, 0, 0);
    if (m->structure == SSMH_STRUCTURE_DIAG) {
        r->M = N;
        r->nblk = N;
        r->blk = flint_malloc(sizeof(slong) * (size_t)(N + 1));
        r->a = _fmpq_vec_init(4 * N);
        r->a_alloc = 4 * N;
        for (s = 0; s < N; s++) {
            r->blk[s] = s;
            fmpq_set(r->a + 4 * s, fmpq_mat_entry(m->lambda_re, s, 0));
        }
        r->blk[N] = N;
    } else {
        /* complex_diag: states (Re h_s, Im h_s) */
        r->M = 2 * N;
        r->blk = flint_malloc(sizeof(slong) * (size_t)(2 * N + 1));
        r->a = _fmpq_vec_init(8 * N);
        r->a_alloc = 8 * N;
        for (s = 0; s < N; s++) {
            const fmpq *re = fmpq_mat_entry(m->lambda_re, s, 0), *im = fmpq_mat_entry(m->lambda_im, s, 0);
            if (fmpq_is_zero(im)) { /* two decoupled 1x1 blocks */
                r->blk[b] = 2 * s;
                fmpq_set(r->a + 4 * b, re);
                b++;
                r->blk[b] = 2 * s + 1;
                fmpq_set(r->a + 4 * b, re);
                b++;
            } else {
                r->blk[b] = 2 * s;
                fmpq_set(r->a + 4 * b, re);
                fmpq_neg(r->a + 4 * b + 1, im);
                fmpq_set(r->a + 4 * b + 2, im);
                fmpq_set(r->a + 4 * b + 3, re);
                b++;
            }
        }
        r->nblk = b;
        r->blk[b] = 2 * N;
    }
    if (!with_BC || m->structure == SSMH_STRUCTURE_COMPLEX_DIAG)
        real_sparse(r, m);   /* (the complex dense form is built from it) */
    r->has_BC = with_BC;
    if (with_BC) {
        real_dense(r, m);
        ssmh_spmat_clear(r->Bs);
        ssmh_spmat_clear(r->Cts);
        ssmh_spmat_init(r->Bs, 0, 0);
        ssmh_spmat_init(r->Cts, 0, 0);
    }
}

void _ssmh_real_clear(_ssmh_real_t *r)
{
    fmpq_mat_clear(r->A);
    fmpq_mat_clear(r->B);
    fmpq_mat_clear(r->C);
    ssmh_spmat_clear(r->Bs);
    ssmh_spmat_clear(r->Cts);
    if (r->a)
        _fmpq_vec_clear(r->a, r->a_alloc);
    flint_free(r->blk);
    memset(r, 0, sizeof(*r));
}

void _ssmh_real_apply(fmpq_mat_t out, const _ssmh_real_t *r, const fmpq_mat_t X)
{
    slong b, j, cols = fmpq_mat_ncols(X);
    fmpq_t t, u;
    if (!r->blockdiag) {
        fmpq_mat_mul(out, r->A, X);
        return;
    }
    fmpq_init(t);
    fmpq_init(u);
    for (b = 0; b < r->nblk; b++) {
        slong i = r->blk[b];
        const fmpq *a = r->a + 4 * b;
        if (r->blk[b + 1] - i == 1) {
            for (j = 0; j < cols; j++)
                fmpq_mul(fmpq_mat_entry(out, i, j), a, fmpq_mat_entry(X, i, j));
            continue;
        }
        for (j = 0; j < cols; j++) {
            fmpq_mul(t, a, fmpq_mat_entry(X, i, j));
            fmpq_mul(u, a + 1, fmpq_mat_entry(X, i + 1, j));
            fmpq_add(t, t, u);
            fmpq_mul(u, a + 2, fmpq_mat_entry(X, i, j));
            fmpq_mul(fmpq_mat_entry(out, i + 1, j), a + 3, fmpq_mat_entry(X, i + 1, j));
            fmpq_add(fmpq_mat_entry(out, i + 1, j), fmpq_mat_entry(out, i + 1, j), u);
            fmpq_set(fmpq_mat_entry(out, i, j), t);
        }
    }
    fmpq_clear(t);
    fmpq_clear(u);
}

void _ssmh_real_charpoly(fmpq_poly_t q, const _ssmh_real_t *r)
{
    slong b;
    if (!r->blockdiag) {
        fmpq_mat_charpoly(q, r->A);
        return;
    }
    fmpq_poly_one(q);
    for (b = 0; b < r->nblk; b++) {
        fmpq_poly_t f;
        fmpq_t t;
        const fmpq *a = r->a + 4 * b;
        fmpq_poly_init(f);
        fmpq_init(t);
        if (r->blk[b + 1] - r->blk[b] == 1) {
            fmpq_poly_set_coeff_si(f, 1, 1);
            fmpq_neg(t, a);
            fmpq_poly_set_coeff_fmpq(f, 0, t);
        } else {
            fmpq_poly_set_coeff_si(f, 2, 1);
            fmpq_mul_si(t, a, -2);
            fmpq_poly_set_coeff_fmpq(f, 1, t);
            fmpq_mul(t, a, a);
            fmpq_addmul(t, a + 2, a + 2);
            fmpq_poly_set_coeff_fmpq(f, 0, t);
        }
        fmpq_poly_mul(q, q, f);
        fmpq_poly_clear(f);
        fmpq_clear(t);
    }
}
