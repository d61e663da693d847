/*
 * Exact real form of a model for the heads module.  Guarantee: the lag
 * operators of _ssmh_real_t equal those of the model, and a structured
 * model (diag, complex_diag) keeps its block-diagonal A as a list of 1x1
 * and 2x2 blocks -- never as a dense M x M matrix, so a layer of thousands
 * of modes costs O(M) memory for A.
 */
#include "heads-impl.h"
#include <string.h>

/* The nonzero patterns of the realified B (rows 2s, 2s+1 from B, B_im) and
   C (columns 2s, 2s+1 from C, C_im), each matrix read once in row order. */
static void real_patterns(_ssmh_real_t *r, const ssmh_model_t m)
{
    slong N = m->N, M = 2 * N, s, i, j, nb = 0, nc = 0, *fill;
    r->bnz_start = flint_calloc((size_t)(M + 1), sizeof(slong));
    r->cnz_start = flint_calloc((size_t)(M + 1), sizeof(slong));
    for (s = 0; s < N; s++)
        for (j = 0; j < m->d; j++) {
            r->bnz_start[2 * s + 1] += !fmpq_is_zero(fmpq_mat_entry(m->B, s, j));
            r->bnz_start[2 * s + 2] += !fmpq_is_zero(fmpq_mat_entry(m->B_im, s, j));
        }
    for (i = 0; i < m->p; i++)
        for (s = 0; s < N; s++) {
            r->cnz_start[2 * s + 1] += !fmpq_is_zero(fmpq_mat_entry(m->C, i, s));
            r->cnz_start[2 * s + 2] += !fmpq_is_zero(fmpq_mat_entry(m->C_im, i, s));
        }
    for (s = 0; s < M; s++) {
        r->bnz_start[s + 1] += r->bnz_start[s];
        r->cnz_start[s + 1] += r->cnz_start[s];
    }
    nb = r->bnz_start[M];
    nc = r->cnz_start[M];
    r->bnz = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(nb, 1));
    r->cnz = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(nc, 1));
    fill = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(M, 1));
    for (s = 0; s < M; s++)
        fill[s] = r->bnz_start[s];
    for (s = 0; s < N; s++)
        for (j = 0; j < m->d; j++) {
            if (!fmpq_is_zero(fmpq_mat_entry(m->B, s, j)))
                r->bnz[fill[2 * s]++] = j;
            if (!fmpq_is_zero(fmpq_mat_entry(m->B_im, s, j)))
                r->bnz[fill[2 * s + 1]++] = j;
        }
    for (s = 0; s < M; s++)
        fill[s] = r->cnz_start[s];
    for (i = 0; i < m->p; i++)   /* rows in increasing order within each column */
        for (s = 0; s < N; s++) {
            if (!fmpq_is_zero(fmpq_mat_entry(m->C, i, s)))
                r->cnz[fill[2 * s]++] = i;
            if (!fmpq_is_zero(fmpq_mat_entry(m->C_im, i, s)))
                r->cnz[fill[2 * s + 1]++] = i;
        }
    flint_free(fill);
}

void _ssmh_real_init(_ssmh_real_t *r, const ssmh_model_t m, int with_BC)
{
    slong s, j, N = m->N, b = 0;
    memset(r, 0, sizeof(*r));
    r->src = m;
    r->has_BC = 1;
    r->delayed = m->convention == SSMH_CONVENTION_DELAYED;
    r->blockdiag = m->structure != SSMH_STRUCTURE_DENSE;
    r->d = m->d;
    r->p = m->p;
    fmpq_mat_init(r->D, m->p, m->d);
    fmpq_mat_set(r->D, m->D);
    if (!r->blockdiag) {
        r->M = N;
        fmpq_mat_init(r->A, N, N);
        fmpq_mat_set(r->A, m->A);
        fmpq_mat_init(r->B, N, m->d);
        fmpq_mat_set(r->B, m->B);
        fmpq_mat_init(r->C, m->p, N);
        fmpq_mat_set(r->C, m->C);
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
        fmpq_mat_init(r->B, N, m->d);
        fmpq_mat_set(r->B, m->B);
        fmpq_mat_init(r->C, m->p, N);
        fmpq_mat_set(r->C, m->C);
        return;
    }
    /* complex_diag: states (Re h_s, Im h_s) */
    r->M = 2 * N;
    r->blk = flint_malloc(sizeof(slong) * (size_t)(2 * N + 1));
    r->a = _fmpq_vec_init(8 * N);
    r->a_alloc = 8 * N;
    r->has_BC = with_BC;
    fmpq_mat_init(r->B, with_BC ? 2 * N : 0, with_BC ? m->d : 0);
    fmpq_mat_init(r->C, with_BC ? m->p : 0, with_BC ? 2 * N : 0);
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
        if (!with_BC)
            continue;
        /* r->B, r->C start at zero: zero entries (a bank's) need no writes */
        for (j = 0; j < m->d; j++) {
            if (!fmpq_is_zero(fmpq_mat_entry(m->B, s, j)))
                fmpq_set(fmpq_mat_entry(r->B, 2 * s, j), fmpq_mat_entry(m->B, s, j));
            if (!fmpq_is_zero(fmpq_mat_entry(m->B_im, s, j)))
                fmpq_set(fmpq_mat_entry(r->B, 2 * s + 1, j), fmpq_mat_entry(m->B_im, s, j));
        }
        for (j = 0; j < m->p; j++) {
            slong f = m->output == SSMH_OUTPUT_RE ? 1 : 2;
            if (!fmpq_is_zero(fmpq_mat_entry(m->C, j, s)))
                fmpq_mul_si(fmpq_mat_entry(r->C, j, 2 * s), fmpq_mat_entry(m->C, j, s), f);
            if (!fmpq_is_zero(fmpq_mat_entry(m->C_im, j, s)))
                fmpq_mul_si(fmpq_mat_entry(r->C, j, 2 * s + 1), fmpq_mat_entry(m->C_im, j, s), -f);
        }
    }
    r->nblk = b;
    r->blk[b] = 2 * N;
    if (!with_BC)
        real_patterns(r, m);
}

/* Realified complex entries: B row 2s = Re b_s, row 2s+1 = Im b_s;
   C column 2s = f Re c_s, column 2s+1 = -f Im c_s (f = 2 for "2re"). */
int _ssmh_real_B_nz(const _ssmh_real_t *r, slong i, slong j)
{
    if (r->has_BC)
        return !fmpq_is_zero(fmpq_mat_entry(r->B, i, j));
    return !fmpq_is_zero(fmpq_mat_entry(i % 2 ? r->src->B_im : r->src->B, i / 2, j));
}

int _ssmh_real_C_nz(const _ssmh_real_t *r, slong i, slong j)
{
    if (r->has_BC)
        return !fmpq_is_zero(fmpq_mat_entry(r->C, i, j));
    return !fmpq_is_zero(fmpq_mat_entry(j % 2 ? r->src->C_im : r->src->C, i, j / 2));
}

void _ssmh_real_B_get(fmpq_t out, const _ssmh_real_t *r, slong i, slong j)
{
    if (r->has_BC)
        fmpq_set(out, fmpq_mat_entry(r->B, i, j));
    else
        fmpq_set(out, fmpq_mat_entry(i % 2 ? r->src->B_im : r->src->B, i / 2, j));
}

void _ssmh_real_C_get(fmpq_t out, const _ssmh_real_t *r, slong i, slong j)
{
    slong f = r->src->output == SSMH_OUTPUT_RE ? 1 : 2;
    if (r->has_BC)
        fmpq_set(out, fmpq_mat_entry(r->C, i, j));
    else
        fmpq_mul_si(out, fmpq_mat_entry(j % 2 ? r->src->C_im : r->src->C, i, j / 2), j % 2 ? -f : f);
}

void _ssmh_real_clear(_ssmh_real_t *r)
{
    fmpq_mat_clear(r->A);
    fmpq_mat_clear(r->B);
    fmpq_mat_clear(r->C);
    fmpq_mat_clear(r->D);
    if (r->a)
        _fmpq_vec_clear(r->a, r->a_alloc);
    flint_free(r->blk);
    flint_free(r->bnz_start);
    flint_free(r->bnz);
    flint_free(r->cnz_start);
    flint_free(r->cnz);
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
