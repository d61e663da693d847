/*
 * Lag rows modulo a prime.  Guarantee: _ssmh_modp_next produces exactly the
 * reduction mod P of K_l restricted to the structural support, for
 * l = 0, 1, 2, ... in turn (P divides no denominator of the model, checked
 * by _ssmh_modp_init).  Dense models use the Krylov sequence X <- A X with
 * FLINT's nmod_mat_mul; block-diagonal ones work block by block, sparsely
 * when B and C are sparse (per-channel banks).
 */
#include "heads-impl.h"
#include <stdlib.h>
#include <string.h>

#define MAX_PD (1L << 26)

static int reduce(mp_limb_t *out, const fmpq_t x, nmod_t mod)
{
    mp_limb_t num, den;
    if (fmpz_is_zero(fmpq_numref(x))) {
        *out = 0;
        return 0;
    }
    num = fmpz_fdiv_ui(fmpq_numref(x), mod.n);
    den = fmpz_fdiv_ui(fmpq_denref(x), mod.n);
    if (den == 0)
        return -1;
    *out = nmod_mul(num, n_invmod(den, mod.n), mod);
    return 0;
}

/* out is freshly initialised (zero): zero entries are left untouched, so a
   channel bank's mostly-zero B and C cost no writes. */
static int reduce_mat(nmod_mat_t out, const fmpq_mat_t in, nmod_t mod)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(in); i++)
        for (j = 0; j < fmpq_mat_ncols(in); j++)
            if (!fmpq_is_zero(fmpq_mat_entry(in, i, j))
                && reduce(nmod_mat_entry_ptr(out, i, j), fmpq_mat_entry(in, i, j), mod) != 0)
                return -1;
    return 0;
}

/* The rows of C (cols = 0) or the columns of B (cols = 1) that block b
   touches, into out (mark: a zeroed array of p or d flags, left zeroed);
   returns their number.  From the sparse realified B and C^T when they
   exist, else from the dense ones. */
static slong block_touch(slong *out, char *mark, const _ssmh_real_t *r, slong b, int cols)
{
    slong n = 0, t, k, i, lim = cols ? r->d : r->p;
    const ssmh_spmat_struct *S = cols ? r->Bs : r->Cts;
    if (r->has_BC) {
        for (i = 0; i < lim; i++)
            for (t = r->blk[b]; t < r->blk[b + 1]; t++)
                if (!fmpq_is_zero(cols ? fmpq_mat_entry(r->B, t, i) : fmpq_mat_entry(r->C, i, t))) {
                    out[n++] = i;
                    break;
                }
        return n;
    }
    for (t = r->blk[b]; t < r->blk[b + 1]; t++)
        for (k = S->rowptr[t]; k < S->rowptr[t + 1]; k++)
            if (!mark[S->col[k]]) {
                mark[S->col[k]] = 1;
                out[n++] = S->col[k];
            }
    for (k = 0; k < n; k++)
        mark[out[k]] = 0;
    return n;
}

/* The realified B and C mod P into dense arrays (freshly initialised). */
static int reduce_BC(nmod_mat_t B, nmod_mat_t C, const _ssmh_real_t *r, nmod_t mod)
{
    slong t, k;
    if (r->has_BC)
        return reduce_mat(B, r->B, mod) || reduce_mat(C, r->C, mod) ? -1 : 0;
    for (t = 0; t < r->M; t++) {
        for (k = r->Bs->rowptr[t]; k < r->Bs->rowptr[t + 1]; k++)
            if (reduce(nmod_mat_entry_ptr(B, t, r->Bs->col[k]), r->Bs->val + k, mod) != 0)
                return -1;
        for (k = r->Cts->rowptr[t]; k < r->Cts->rowptr[t + 1]; k++)
            if (reduce(nmod_mat_entry_ptr(C, r->Cts->col[k], t), r->Cts->val + k, mod) != 0)
                return -1;
    }
    return 0;
}

/* X re-initialised to zeros of the given shape. */
static void resize(nmod_mat_t X, slong r, slong c, ulong P)
{
    nmod_mat_clear(X);
    nmod_mat_init(X, r, c, P);
}

/* The index of position z in the (increasing) positions, or -1. */
static slong supp_index(const _ssmh_modp_t *s, slong z)
{
    slong lo = 0, hi = s->nsupp;
    while (lo < hi) {
        slong mid = lo + (hi - lo) / 2;
        if (s->supp[mid] < z)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nsupp && s->supp[lo] == z ? lo : -1;
}

/* The sparse path's per-block arrays (from the sparse realified B, C^T):
   Cb[coff[b] + x bs + u] = C[cr[x]][blk[b] + u] and
   X0[xoff[b] + u nc + y] = B[blk[b] + u][bc[y]], mod P. */
static int blocks_sparse_init(_ssmh_modp_t *s, const _ssmh_real_t *r)
{
    slong b, x, y, u, k, nc = 0, nx = 0;
    slong *rpos = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, s->p));
    slong *cpos = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, s->d));
    int rc = 0;
    s->coff = flint_malloc(sizeof(slong) * (size_t)(s->nblk + 1));
    s->xoff = flint_malloc(sizeof(slong) * (size_t)(s->nblk + 1));
    for (b = 0; b < s->nblk; b++) {
        slong bs = s->blk[b + 1] - s->blk[b];
        s->coff[b] = nc;
        s->xoff[b] = nx;
        nc += (s->cr_start[b + 1] - s->cr_start[b]) * bs;
        nx += (s->bc_start[b + 1] - s->bc_start[b]) * bs;
    }
    s->coff[s->nblk] = nc;
    s->xoff[s->nblk] = nx;
    s->Cb = flint_calloc((size_t)FLINT_MAX(1, nc), sizeof(mp_limb_t));
    s->Xb = flint_calloc((size_t)FLINT_MAX(1, nx), sizeof(mp_limb_t));
    s->X0 = flint_calloc((size_t)FLINT_MAX(1, nx), sizeof(mp_limb_t));
    for (b = 0; b < s->nblk && rc == 0; b++) {
        slong b0 = s->blk[b], bs = s->blk[b + 1] - b0;
        slong nr = s->cr_start[b + 1] - s->cr_start[b], ncol = s->bc_start[b + 1] - s->bc_start[b];
        for (x = 0; x < nr; x++)
            rpos[s->cr[s->cr_start[b] + x]] = x;
        for (y = 0; y < ncol; y++)
            cpos[s->bc[s->bc_start[b] + y]] = y;
        for (u = 0; u < bs && rc == 0; u++) {
            const ssmh_spmat_struct *Ct = r->Cts, *B = r->Bs;
            for (k = Ct->rowptr[b0 + u]; k < Ct->rowptr[b0 + u + 1] && rc == 0; k++)
                rc = reduce(s->Cb + s->coff[b] + rpos[Ct->col[k]] * bs + u, Ct->val + k, s->mod);
            for (k = B->rowptr[b0 + u]; k < B->rowptr[b0 + u + 1] && rc == 0; k++)
                rc = reduce(s->X0 + s->xoff[b] + u * ncol + cpos[B->col[k]], B->val + k, s->mod);
        }
    }
    if (nx > 0)
        memcpy(s->Xb, s->X0, sizeof(mp_limb_t) * (size_t)nx);
    /* the fixed factors' Shoup companions (C's entries, A's blocks), and
       the support index of every pair a block contributes to */
    s->Cbp = flint_malloc(sizeof(mp_limb_t) * (size_t)FLINT_MAX(1, nc));
    for (k = 0; k < nc; k++)
        s->Cbp[k] = n_mulmod_precomp_shoup(s->Cb[k], s->mod.n);
    s->Ap = flint_malloc(sizeof(mp_limb_t) * (size_t)FLINT_MAX(1, 2 * s->M));
    for (k = 0; k < 2 * s->M; k++)
        s->Ap[k] = n_mulmod_precomp_shoup(nmod_mat_entry(s->A, k / 2, k % 2), s->mod.n);
    s->poff = flint_malloc(sizeof(slong) * (size_t)(s->nblk + 1));
    for (b = 0, k = 0; b < s->nblk; b++) {
        s->poff[b] = k;
        k += (s->cr_start[b + 1] - s->cr_start[b]) * (s->bc_start[b + 1] - s->bc_start[b]);
    }
    s->poff[s->nblk] = k;
    s->zp = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, k));
    for (b = 0; b < s->nblk; b++) {
        slong nr = s->cr_start[b + 1] - s->cr_start[b], ncol = s->bc_start[b + 1] - s->bc_start[b];
        for (y = 0; y < ncol; y++)
            for (x = 0; x < nr; x++)
                s->zp[s->poff[b] + y * nr + x] =
                    supp_index(s, s->cr[s->cr_start[b] + x] * s->d + s->bc[s->bc_start[b] + y]);
    }
    flint_free(rpos);
    flint_free(cpos);
    return rc;
}

slong _ssmh_support(slong **supp, const _ssmh_real_t *r)
{
    slong p = r->p, d = r->d, i, j, b, nb, n = 0;
    char *mask;
    if (!r->blockdiag || p * d > MAX_PD) {
        *supp = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, p * d));
        for (i = 0; i < p * d; i++)
            (*supp)[i] = i;
        return p * d;
    }
    nb = r->nblk;
    mask = flint_calloc((size_t)(p * d), 1);
    for (i = 0; i < p; i++)
        for (j = 0; j < d; j++)
            if (!fmpq_is_zero(fmpq_mat_entry(r->D, i, j)))
                mask[i * d + j] = 1;
    {
        slong *rows = flint_malloc(sizeof(slong) * (size_t)p);
        slong *cols = flint_malloc(sizeof(slong) * (size_t)d);
        char *mr = flint_calloc((size_t)p, 1), *mc = flint_calloc((size_t)d, 1);
        for (b = 0; b < nb; b++) {
            slong nr = block_touch(rows, mr, r, b, 0), nc = nr ? block_touch(cols, mc, r, b, 1) : 0, x, y;
            for (x = 0; x < nr; x++)
                for (y = 0; y < nc; y++)
                    mask[rows[x] * d + cols[y]] = 1;
        }
        flint_free(rows);
        flint_free(cols);
        flint_free(mr);
        flint_free(mc);
    }
    for (i = 0; i < p * d; i++)
        n += mask[i];
    *supp = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, n));
    n = 0;
    for (i = 0; i < p * d; i++)
        if (mask[i])
            (*supp)[n++] = i;
    flint_free(mask);
    return n;
}

int _ssmh_modp_init(_ssmh_modp_t *s, const _ssmh_real_t *r, ulong P, const slong *sel,
                    slong nsel)
{
    slong M = r->M, d = r->d, p = r->p, i, j, b, t;
    int blockdiag = r->blockdiag;
    double sparse_cost = 0, dense_cost;
    char *mr, *mc;

    memset(s, 0, sizeof(*s));
    nmod_mat_init(s->A, 0, 0, P);   /* sized below; all clearable from here on */
    nmod_mat_init(s->B, 0, 0, P);
    nmod_mat_init(s->C, 0, 0, P);
    nmod_mat_init(s->X, 0, 0, P);
    nmod_mat_init(s->Y, 0, 0, P);
    nmod_mat_init(s->K, 0, 0, P);
    if (p * d > MAX_PD)
        return SSMH_E_LIMIT;
    nmod_init(&s->mod, P);
    s->M = M;
    s->d = d;
    s->p = p;
    s->blockdiag = blockdiag;
    s->delayed = r->delayed;
    if (sel == NULL) {
        s->nsupp = _ssmh_support(&s->supp, r);
    } else {
        s->nsupp = nsel;
        s->supp = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, nsel));
        for (i = 0; i < nsel; i++)
            s->supp[i] = sel[i];
    }
    /* A dense model's Krylov sequence runs only on the columns of B that
       the positions use (N^2 per column and lag) */
    s->colmap = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, d));
    s->cols = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, d));
    for (j = 0; j < d; j++)
        s->colmap[j] = blockdiag ? j : -1;
    for (i = 0; i < s->nsupp && !blockdiag; i++)
        s->colmap[s->supp[i] % d] = 0;
    for (j = 0, s->ncols = 0; j < d; j++)
        if (s->colmap[j] >= 0) {
            s->colmap[j] = s->ncols;
            s->cols[s->ncols++] = j;
        }
    s->nblk = blockdiag ? r->nblk : 1;
    s->blk = flint_malloc(sizeof(slong) * (size_t)(s->nblk + 1));
    if (blockdiag)
        for (b = 0; b <= s->nblk; b++)
            s->blk[b] = r->blk[b];
    else {
        s->blk[0] = 0;
        s->blk[1] = M;
    }
    /* D at the positions only; every nonzero reduced (P must divide no
       denominator of the model) */
    s->dsupp = flint_calloc((size_t)FLINT_MAX(1, s->nsupp), sizeof(mp_limb_t));
    for (i = 0, t = 0; i < p * d; i++) {
        const fmpq *e = fmpq_mat_entry(r->D, i / d, i % d);
        mp_limb_t v;
        while (t < s->nsupp && s->supp[t] < i)
            t++;
        if (fmpq_is_zero(e))
            continue;
        if (reduce(&v, e, s->mod))
            return -1;
        if (t < s->nsupp && s->supp[t] == i)
            s->dsupp[t] = v;
    }
    if (!blockdiag) {
        resize(s->A, M, M, P);
        if (reduce_mat(s->A, r->A, s->mod))
            return -1;
    } else {
        /* keep the blocks of A in a M x 2 array: row i holds A[i][blk start..] */
        resize(s->A, M, 2, P);
        for (b = 0; b < s->nblk; b++)
            for (i = s->blk[b]; i < s->blk[b + 1]; i++)
                for (j = s->blk[b]; j < s->blk[b + 1]; j++)
                    if (reduce(nmod_mat_entry_ptr(s->A, i, j - s->blk[b]),
                               r->a + 4 * b + 2 * (i - s->blk[b]) + (j - s->blk[b]), s->mod))
                        return -1;
        /* CSR lists of nonzero C rows and B columns per block (from the
           rational patterns: a zero mod P costs a little work) */
        s->cr_start = flint_malloc(sizeof(slong) * (size_t)(s->nblk + 1));
        s->bc_start = flint_malloc(sizeof(slong) * (size_t)(s->nblk + 1));
        s->cr_start[0] = s->bc_start[0] = 0;
        {
            slong ncr = 0, nbc = 0;
            for (t = 0; t < M && !r->has_BC; t++) {   /* bounds for the lists */
                ncr += r->Cts->rowptr[t + 1] - r->Cts->rowptr[t];
                nbc += r->Bs->rowptr[t + 1] - r->Bs->rowptr[t];
            }
            if (r->has_BC) {
                ncr = p * s->nblk;
                nbc = d * s->nblk;
            }
            s->cr = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, ncr));
            s->bc = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, nbc));
        }
        mr = flint_calloc((size_t)FLINT_MAX(1, p), 1);
        mc = flint_calloc((size_t)FLINT_MAX(1, d), 1);
        for (b = 0; b < s->nblk; b++) {
            slong nr = s->cr_start[b], nc = s->bc_start[b];
            nr += block_touch(s->cr + nr, mr, r, b, 0);
            nc += block_touch(s->bc + nc, mc, r, b, 1);
            s->cr_start[b + 1] = nr;
            s->bc_start[b + 1] = nc;
            sparse_cost += (double)(s->blk[b + 1] - s->blk[b])
                           * (double)(nr - s->cr_start[b]) * (double)(nc - s->bc_start[b]);
        }
        flint_free(mr);
        flint_free(mc);
        dense_cost = (double)p * (double)M * (double)d;
        s->sparse = !r->has_BC && sparse_cost * 4 < dense_cost;
    }
    if (s->sparse) {
        if (blocks_sparse_init(s, r))
            return -1;
        s->lag = 0;
        return 0;
    }
    resize(s->B, M, d, P);
    resize(s->C, p, M, P);
    resize(s->X, M, s->ncols, P);
    if (!blockdiag)   /* dense products only */
        resize(s->Y, M, s->ncols, P);
    resize(s->K, p, s->ncols, P);
    if (reduce_BC(s->B, s->C, r, s->mod))
        return -1;
    for (i = 0; i < M; i++)   /* X starts at zero: copy B's nonzeros only */
        for (j = 0; j < s->ncols; j++)
            if (nmod_mat_entry(s->B, i, s->cols[j]) != 0)
                nmod_mat_entry(s->X, i, j) = nmod_mat_entry(s->B, i, s->cols[j]);
    s->lag = 0;
    return 0;
}

void _ssmh_modp_rewind(_ssmh_modp_t *s)
{
    slong i, j;
    if (s->sparse) {
        if (s->xoff[s->nblk] > 0)
            memcpy(s->Xb, s->X0, sizeof(mp_limb_t) * (size_t)s->xoff[s->nblk]);
    } else {
        for (i = 0; i < s->M; i++)
            for (j = 0; j < s->ncols; j++)
                nmod_mat_entry(s->X, i, j) = nmod_mat_entry(s->B, i, s->cols[j]);
    }
    s->lag = 0;
}

void _ssmh_modp_clear(_ssmh_modp_t *s)
{
    nmod_mat_clear(s->A);
    nmod_mat_clear(s->B);
    nmod_mat_clear(s->C);
    nmod_mat_clear(s->X);
    nmod_mat_clear(s->Y);
    nmod_mat_clear(s->K);
    flint_free(s->blk);
    flint_free(s->supp);
    flint_free(s->dsupp);
    flint_free(s->cols);
    flint_free(s->colmap);
    flint_free(s->cr_start);
    flint_free(s->bc_start);
    flint_free(s->cr);
    flint_free(s->bc);
    flint_free(s->coff);
    flint_free(s->xoff);
    flint_free(s->Cb);
    flint_free(s->Xb);
    flint_free(s->X0);
    flint_free(s->Cbp);
    flint_free(s->Ap);
    flint_free(s->poff);
    flint_free(s->zp);
    memset(s, 0, sizeof(*s));
}

/* X <- A X, block by block (the per-block state on the sparse path). */
static void advance_blockdiag(_ssmh_modp_t *s)
{
    slong b, j, c;
    nmod_t mod = s->mod;
    for (b = 0; b < s->nblk; b++) {
        slong i0 = s->blk[b], bs = s->blk[b + 1] - i0;
        slong nc = s->sparse ? s->bc_start[b + 1] - s->bc_start[b] : s->d;
        mp_limb_t a00 = nmod_mat_entry(s->A, i0, 0), a01 = 0, a10 = 0, a11 = 0;
        if (bs == 2) {
            a01 = nmod_mat_entry(s->A, i0, 1);
            a10 = nmod_mat_entry(s->A, i0 + 1, 0);
            a11 = nmod_mat_entry(s->A, i0 + 1, 1);
        }
        if (s->sparse) {   /* A's entries are fixed: Shoup products */
            const mp_limb_t *ap = s->Ap + 2 * i0;
            mp_limb_t *x0 = s->Xb + s->xoff[b];
            for (c = 0; c < nc; c++, x0++) {
                if (bs == 1) {
                    *x0 = n_mulmod_shoup(a00, *x0, ap[0], mod.n);
                } else {
                    mp_limb_t v0 = *x0, v1 = x0[nc];
                    *x0 = nmod_add(n_mulmod_shoup(a00, v0, ap[0], mod.n),
                                   n_mulmod_shoup(a01, v1, ap[1], mod.n), mod);
                    x0[nc] = nmod_add(n_mulmod_shoup(a10, v0, ap[2], mod.n),
                                      n_mulmod_shoup(a11, v1, ap[3], mod.n), mod);
                }
            }
            continue;
        }
        for (j = 0; j < nc; j++) {
            mp_limb_t *x0 = nmod_mat_entry_ptr(s->X, i0, j);
            mp_limb_t *x1 = bs == 2 ? nmod_mat_entry_ptr(s->X, i0 + 1, j) : NULL;
            if (bs == 1) {
                *x0 = nmod_mul(a00, *x0, mod);
            } else {
                mp_limb_t v0 = *x0, v1 = *x1;
                *x0 = nmod_add(nmod_mul(a00, v0, mod), nmod_mul(a01, v1, mod), mod);
                *x1 = nmod_add(nmod_mul(a10, v0, mod), nmod_mul(a11, v1, mod), mod);
            }
        }
    }
}

void _ssmh_modp_next(_ssmh_modp_t *s, mp_limb_t *row)
{
    slong i, b, x, y, t;
    nmod_t mod = s->mod;
    int use_d = s->lag == 0;
    int use_cx = !(s->delayed && s->lag == 0);

    if (use_cx && s->sparse) {
        memset(row, 0, sizeof(mp_limb_t) * (size_t)s->nsupp);
        for (b = 0; b < s->nblk; b++) {
            slong bs = s->blk[b + 1] - s->blk[b], nc = s->bc_start[b + 1] - s->bc_start[b];
            slong nr = s->cr_start[b + 1] - s->cr_start[b];
            const slong *zb = s->zp + s->poff[b];
            for (y = 0; y < nc; y++) {
                const mp_limb_t *xc = s->Xb + s->xoff[b] + y;
                for (x = 0; x < nr; x++) {
                    slong z = zb[y * nr + x];
                    const mp_limb_t *cx = s->Cb + s->coff[b] + x * bs;
                    const mp_limb_t *cp = s->Cbp + s->coff[b] + x * bs;
                    mp_limb_t v;
                    if (z < 0)   /* a position outside the chosen ones */
                        continue;
                    v = n_mulmod_shoup(cx[0], xc[0], cp[0], mod.n);
                    for (t = 1; t < bs; t++)
                        v = nmod_add(v, n_mulmod_shoup(cx[t], xc[t * nc], cp[t], mod.n), mod);
                    row[z] = nmod_add(row[z], v, mod);
                }
            }
        }
    } else if (use_cx) {
        nmod_mat_mul(s->K, s->C, s->X);
        for (i = 0; i < s->nsupp; i++)
            row[i] = nmod_mat_entry(s->K, s->supp[i] / s->d, s->colmap[s->supp[i] % s->d]);
    } else {
        memset(row, 0, sizeof(mp_limb_t) * (size_t)s->nsupp);
    }
    if (use_d)
        for (i = 0; i < s->nsupp; i++)
            row[i] = nmod_add(row[i], s->dsupp[i], mod);
    if (use_cx) {
        if (s->blockdiag)
            advance_blockdiag(s);
        else {
            nmod_mat_mul(s->Y, s->A, s->X);
            nmod_mat_swap(s->X, s->Y);
        }
    }
    s->lag++;
}

/* All lags 0 .. L-1 at once for a block-diagonal model: with
   A_b^l = alpha_l I + beta_l A_b for a 2x2 block (Cayley-Hamilton; for a 1x1
   block simply a^l), the lag rows are the product V W of an L x M matrix of
   powers and an M x Z matrix of the block products C_b B_b, C_b A_b B_b.
   One nmod_mat_mul replaces L separate products. */
void _ssmh_modp_batch(nmod_mat_t rows, const _ssmh_modp_t *s, slong L)
{
    slong M = s->M, Z = s->nsupp, d = s->d, b, l, z, u, v;
    nmod_t mod = s->mod;
    nmod_mat_t V, W;

    nmod_mat_init(V, L, M, mod.n);
    nmod_mat_init(W, M, Z, mod.n);
    for (b = 0; b < s->nblk; b++) {
        slong i0 = s->blk[b], bs = s->blk[b + 1] - i0;
        /* powers: lag l uses A^(l - delayed); lag 0 of a delayed model none */
        slong off = s->delayed;
        if (bs == 1) {
            mp_limb_t a = nmod_mat_entry(s->A, i0, 0), x = 1;
            for (l = off; l < L; l++) {
                nmod_mat_entry(V, l, i0) = x;
                x = nmod_mul(x, a, mod);
            }
            for (z = 0; z < Z; z++) {
                slong i = s->supp[z] / d, j = s->supp[z] % d;
                nmod_mat_entry(W, i0, z) =
                    nmod_mul(nmod_mat_entry(s->C, i, i0), nmod_mat_entry(s->B, i0, j), mod);
            }
        } else {
            mp_limb_t a00 = nmod_mat_entry(s->A, i0, 0), a01 = nmod_mat_entry(s->A, i0, 1);
            mp_limb_t a10 = nmod_mat_entry(s->A, i0 + 1, 0), a11 = nmod_mat_entry(s->A, i0 + 1, 1);
            mp_limb_t tr = nmod_add(a00, a11, mod);
            mp_limb_t det = nmod_sub(nmod_mul(a00, a11, mod), nmod_mul(a01, a10, mod), mod);
            mp_limb_t al = 1, be = 0, t;
            for (l = off; l < L; l++) {
                nmod_mat_entry(V, l, i0) = al;
                nmod_mat_entry(V, l, i0 + 1) = be;
                t = nmod_neg(nmod_mul(det, be, mod), mod);
                be = nmod_add(al, nmod_mul(tr, be, mod), mod);
                al = t;
            }
            for (z = 0; z < Z; z++) {
                slong i = s->supp[z] / d, j = s->supp[z] % d;
                mp_limb_t cb = 0, cab = 0;
                for (u = 0; u < 2; u++) {
                    mp_limb_t cu = nmod_mat_entry(s->C, i, i0 + u);
                    if (cu == 0)
                        continue;
                    cb = nmod_add(cb, nmod_mul(cu, nmod_mat_entry(s->B, i0 + u, j), mod), mod);
                    for (v = 0; v < 2; v++)
                        cab = nmod_add(cab, nmod_mul(nmod_mul(cu, nmod_mat_entry(s->A, i0 + u, v), mod),
                                                     nmod_mat_entry(s->B, i0 + v, j), mod), mod);
                }
                nmod_mat_entry(W, i0, z) = cb;
                nmod_mat_entry(W, i0 + 1, z) = cab;
            }
        }
    }
    nmod_mat_mul(rows, V, W);
    if (L > 0)
        for (z = 0; z < Z; z++)
            nmod_mat_entry(rows, 0, z) =
                nmod_add(nmod_mat_entry(rows, 0, z),
                         s->dsupp[z], mod);
    nmod_mat_clear(V);
    nmod_mat_clear(W);
}
