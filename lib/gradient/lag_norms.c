/*
 * Lag norms of structured models (diag, complex_diag) without dense lags
 * (SPEC 1.4).  Guarantee: f2[l] = ||K_l||_F^2 exactly and
 * lo[l] <= ||K_l||_2 <= hi[l] for l = 0 .. lags, by one of two methods:
 *
 * - sparse (channel banks: few nonzero pairs per mode): K_l summed exactly
 *   over the nonzero pairs c_is b_sj of each mode, one lag at a time;
 *   ||K_l||_2 is the largest over the connected blocks of K_l (rows and
 *   columns linked by nonzeros), a 1 x 1 block exactly, a larger one by
 *   ssmh_norm2_enclose;
 * - Gram (dense B and C, large p d M): with the realified Gb = B B^T,
 *   Gc = C^T C and D_t = A^t block diagonal, ||C D_t B||_F^2 =
 *   tr(Gc D_t Gb D_t^T), all in integers (O(M^2) per lag); ||K_l||_2 from
 *   below by the exact Rayleigh quotient u^T K_l v / (|u| |v|) at
 *   float-guided dyadic u, v, from above by min(||K_l||_F,
 *   sqrt(beta_B beta_C) rho_hi^t) (||B||_2^2 <= beta_B and
 *   ||C||_2^2 <= beta_C proven by the envelope, ||A^t||_2 = rho^t for the
 *   normal block-diagonal A).
 *
 * _ssmh_lag_norms returns 1 when it handled the model, 0 when the caller
 * should compute the dense lags (small or dense models: the exact lags and
 * the tight enclosure are cheap there), or SSMH_E_LIMIT past --max-bits.
 */
#include "ssmheads-impl.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SPARSE_RATIO 64          /* pairs * 64 < p M d: the sparse sum */
#define GRAM_MIN_WORK (1L << 24) /* p d M above this: the Gram method */
#define POWER_ITERS 60

/* The structured model as modes: eigenvalue (re, im), output factor f;
   C's and C_im's columns (the modes' output vectors) as the rows of their
   transposes. */
typedef struct {
    const ssmh_model_struct *m;
    int cplx;
    slong f;   /* 2 for "2re", else 1 */
    ssmh_spmat_t Ct, Cit;
} modes_t;

static void modes_init(modes_t *z, const ssmh_model_t m)
{
    z->m = m;
    z->cplx = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG;
    z->f = z->cplx && m->output != SSMH_OUTPUT_RE ? 2 : 1;
    ssmh_spmat_init(z->Ct, 0, 0);
    ssmh_spmat_init(z->Cit, 0, 0);
    ssmh_spmat_transpose(z->Ct, m->C);
    if (z->cplx)
        ssmh_spmat_transpose(z->Cit, m->C_im);
}

static void modes_clear(modes_t *z)
{
    ssmh_spmat_clear(z->Ct);
    ssmh_spmat_clear(z->Cit);
}

/* --max-bits hit at lag l. */
static int too_big(ssmh_error_t *err, slong l, slong cap)
{
    return ssmh_error_set(err, SSMH_E_LIMIT, "", "",
                          "exact lag %ld needs rationals of more than %ld bits (--max-bits); "
                          "ask for fewer lags", (long)l, (long)cap);
}

static slong height_bits(const fmpq_t x)
{
    return (slong)(fmpz_bits(fmpq_numref(x)) + fmpz_bits(fmpq_denref(x)));
}

/* ---- the sparse method --------------------------------------------------- */

/* Connected blocks of the nonzero pattern of K (rows 0..p-1, columns
   p..p+d-1 in one union-find). */
static slong root(slong *par, slong x)
{
    while (par[x] != x)
        x = par[x] = par[par[x]];
    return x;
}

/* lo <= ||K||_2 <= hi from the connected blocks of K's nonzeros (the
   positions nz[0..nnz) of K, row-major i * d + j): ||K||_2 is the largest
   block norm.  Entries are grouped by block (counting sort), so the work
   is linear in nnz besides the enclosures of blocks with several entries. */
static void norm2_blocks(fmpq_t lo, fmpq_t hi, const fmpq_mat_t K, const slong *nz, slong nnz)
{
    slong p = fmpq_mat_nrows(K), d = fmpq_mat_ncols(K), e, i, j, g, f;
    slong *par = flint_malloc(sizeof(slong) * (size_t)(p + d));
    slong *start = flint_calloc((size_t)(p + d + 1), sizeof(slong));
    slong *ord = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(nnz, 1));
    slong *rmap = flint_malloc(sizeof(slong) * (size_t)p), *cmap = flint_malloc(sizeof(slong) * (size_t)d);
    fmpq_t a, b;
    fmpq_init(a);
    fmpq_init(b);
    fmpq_zero(lo);
    fmpq_zero(hi);
    for (i = 0; i < p + d; i++)
        par[i] = i;
    for (i = 0; i < p; i++)
        rmap[i] = -1;
    for (j = 0; j < d; j++)
        cmap[j] = -1;
    for (e = 0; e < nnz; e++)
        par[root(par, nz[e] / d)] = root(par, p + nz[e] % d);
    for (e = 0; e < nnz; e++)
        start[root(par, nz[e] / d) + 1]++;
    for (g = 0; g < p + d; g++)
        start[g + 1] += start[g];
    {
        slong *fill = flint_malloc(sizeof(slong) * (size_t)(p + d));
        for (g = 0; g < p + d; g++)
            fill[g] = start[g];
        for (e = 0; e < nnz; e++)
            ord[fill[root(par, nz[e] / d)]++] = nz[e];
        flint_free(fill);
    }
    for (g = 0; g < p + d; g++) {
        slong n0 = start[g], n1 = start[g + 1], nr = 0, nc = 0;
        if (n1 - n0 == 1) {   /* a lone entry: its block's norm is |K_ij| */
            fmpq_abs(a, fmpq_mat_entry(K, ord[n0] / d, ord[n0] % d));
            fmpq_set(b, a);
        } else if (n1 - n0 > 1) {
            fmpq_mat_t Kb;
            for (f = n0; f < n1; f++) {
                i = ord[f] / d;
                j = ord[f] % d;
                if (rmap[i] < 0)
                    rmap[i] = nr++;
                if (cmap[j] < 0)
                    cmap[j] = nc++;
            }
            fmpq_mat_init(Kb, nr, nc);
            for (f = n0; f < n1; f++)
                fmpq_set(fmpq_mat_entry(Kb, rmap[ord[f] / d], cmap[ord[f] % d]),
                         fmpq_mat_entry(K, ord[f] / d, ord[f] % d));
            ssmh_norm2_enclose(a, b, Kb);
            fmpq_mat_clear(Kb);
            for (f = n0; f < n1; f++) {
                rmap[ord[f] / d] = -1;
                cmap[ord[f] % d] = -1;
            }
        } else {
            continue;
        }
        if (fmpq_cmp(a, lo) > 0)
            fmpq_set(lo, a);
        if (fmpq_cmp(b, hi) > 0)
            fmpq_set(hi, b);
    }
    fmpq_clear(a);
    fmpq_clear(b);
    flint_free(par);
    flint_free(start);
    flint_free(ord);
    flint_free(rmap);
    flint_free(cmap);
}

/* Per mode: the nonzero rows of C and columns of B (CSR), with the values
   of the real and imaginary parts there. */
typedef struct {
    slong *cs, *c;   /* rows c[cs[s] .. cs[s + 1]) */
    slong *bs, *b;   /* columns b[bs[s] .. bs[s + 1]) */
    fmpq *cre, *cim, *bre, *bim;   /* aligned with c and b */
    slong nc, nb;
    slong pairs;     /* sum over modes of |rows| |cols| */
} pattern_t;

/* Row s of X and Y (sparse, same shape; Y may be NULL: zero) merged:
   positions into idx (increasing), values into xv, yv; returns their
   number. */
static slong merge_rows(slong *idx, fmpq *xv, fmpq *yv, const ssmh_spmat_t X,
                        const ssmh_spmat_struct *Y, slong s)
{
    slong a = X->rowptr[s], ae = X->rowptr[s + 1], b = 0, be = 0, n = 0;
    if (Y != NULL) {
        b = Y->rowptr[s];
        be = Y->rowptr[s + 1];
    }
    while (a < ae || b < be) {
        slong ca = a < ae ? X->col[a] : WORD_MAX, cb = b < be ? Y->col[b] : WORD_MAX;
        slong c = FLINT_MIN(ca, cb);
        if (idx != NULL) {
            idx[n] = c;
            if (ca == c)
                fmpq_set(xv + n, X->val + a);
            if (cb == c)
                fmpq_set(yv + n, Y->val + b);
        }
        a += ca == c;
        b += cb == c;
        n++;
    }
    return n;
}

static void pattern_init(pattern_t *pt, const modes_t *z)
{
    const ssmh_model_struct *m = z->m;
    const ssmh_spmat_struct *Bi = z->cplx ? m->B_im : NULL, *Ci = z->cplx ? z->Cit : NULL;
    slong N = m->N, s, nc = 0, nb = 0;
    pt->cs = flint_malloc(sizeof(slong) * (size_t)(N + 1));
    pt->bs = flint_malloc(sizeof(slong) * (size_t)(N + 1));
    for (s = 0; s < N; s++) {
        nc += merge_rows(NULL, NULL, NULL, z->Ct, Ci, s);
        nb += merge_rows(NULL, NULL, NULL, m->B, Bi, s);
    }
    pt->nc = nc;
    pt->nb = nb;
    pt->c = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(nc, 1));
    pt->b = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(nb, 1));
    pt->cre = _fmpq_vec_init(FLINT_MAX(nc, 1));
    pt->cim = _fmpq_vec_init(FLINT_MAX(nc, 1));
    pt->bre = _fmpq_vec_init(FLINT_MAX(nb, 1));
    pt->bim = _fmpq_vec_init(FLINT_MAX(nb, 1));
    pt->pairs = 0;
    for (s = 0, nc = nb = 0; s < N; s++) {
        slong rows, cols;
        pt->cs[s] = nc;
        pt->bs[s] = nb;
        rows = merge_rows(pt->c + nc, pt->cre + nc, pt->cim + nc, z->Ct, Ci, s);
        cols = merge_rows(pt->b + nb, pt->bre + nb, pt->bim + nb, m->B, Bi, s);
        nc += rows;
        nb += cols;
        pt->pairs += rows * cols;
    }
    pt->cs[N] = nc;
    pt->bs[N] = nb;
}

static void pattern_clear(pattern_t *pt)
{
    flint_free(pt->cs);
    flint_free(pt->bs);
    flint_free(pt->c);
    flint_free(pt->b);
    _fmpq_vec_clear(pt->cre, FLINT_MAX(pt->nc, 1));
    _fmpq_vec_clear(pt->cim, FLINT_MAX(pt->nc, 1));
    _fmpq_vec_clear(pt->bre, FLINT_MAX(pt->nb, 1));
    _fmpq_vec_clear(pt->bim, FLINT_MAX(pt->nb, 1));
}

/* K_l = f Re(sum_s c_s mu_s b_s^T) + (lag 0) D, one lag at a time;
   mu_s = lambda_s^t, t = l (direct) or l - 1 (delayed; K_0 = D). */
static int norms_sparse(fmpq *f2, fmpq *lo, fmpq *hi, const modes_t *z, const pattern_t *pt,
                        slong lags, slong cap, ssmh_error_t *err)
{
    const ssmh_model_struct *m = z->m;
    slong N = m->N, p = m->p, d = m->d, l, s, x, y, e, nnz;
    int delayed = m->convention == SSMH_CONVENTION_DELAYED;
    fmpq *mr = _fmpq_vec_init(N), *mi = _fmpq_vec_init(N);   /* mu_s */
    fmpq *wr = _fmpq_vec_init(FLINT_MAX(p, 1)), *wi = _fmpq_vec_init(FLINT_MAX(p, 1));
    slong *nz = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, FLINT_MIN(p * d, pt->pairs + p * d)));
    char *mark = flint_calloc((size_t)(p * d), 1);
    fmpq_mat_t K;
    fmpq_t t, u;
    int rc = 1;
    fmpq_init(t);
    fmpq_init(u);
    fmpq_mat_init(K, p, d);
    for (s = 0; s < N; s++)
        fmpq_one(mr + s);
    for (l = 0; l <= lags && rc == 1; l++) {
        int use_modes = !(delayed && l == 0);
        nnz = 0;
        if (cap > 0)   /* the exact powers grow with the lag (--max-bits) */
            for (s = 0; s < N && rc == 1; s++)
                if (height_bits(mr + s) > cap || height_bits(mi + s) > cap)
                    rc = too_big(err, l, cap);
        if (rc != 1)
            break;
        if (use_modes)
            for (s = 0; s < N; s++) {
                slong r0 = pt->cs[s], r1 = pt->cs[s + 1];
                if (r0 == r1 || pt->bs[s] == pt->bs[s + 1])
                    continue;
                /* w_i = f c_is mu_s for the nonzero rows i */
                for (x = r0; x < r1; x++) {
                    fmpq_mul(wr + x - r0, pt->cre + x, mr + s);
                    if (z->cplx) {
                        const fmpq *ci = pt->cim + x;
                        fmpq_submul(wr + x - r0, ci, mi + s);
                        fmpq_mul(wi + x - r0, pt->cre + x, mi + s);
                        fmpq_addmul(wi + x - r0, ci, mr + s);
                    }
                    if (z->f != 1) {
                        fmpq_mul_si(wr + x - r0, wr + x - r0, z->f);
                        if (z->cplx)
                            fmpq_mul_si(wi + x - r0, wi + x - r0, z->f);
                    }
                }
                /* K_ij += Re(w_i b_sj) = wr br - wi bi */
                for (x = r0; x < r1; x++)
                    for (y = pt->bs[s]; y < pt->bs[s + 1]; y++) {
                        slong i = pt->c[x], j = pt->b[y];
                        fmpq *k = fmpq_mat_entry(K, i, j);
                        if (!mark[i * d + j]) {
                            mark[i * d + j] = 1;
                            nz[nnz++] = i * d + j;
                        }
                        fmpq_addmul(k, wr + x - r0, pt->bre + y);
                        if (z->cplx)
                            fmpq_submul(k, wi + x - r0, pt->bim + y);
                    }
            }
        if (l == 0)
            for (x = 0; x < p; x++)
                for (y = 0; y < d; y++)
                    if (!fmpq_is_zero(fmpq_mat_entry(m->D, x, y))) {
                        fmpq_add(fmpq_mat_entry(K, x, y), fmpq_mat_entry(K, x, y),
                                 fmpq_mat_entry(m->D, x, y));
                        if (!mark[x * d + y]) {
                            mark[x * d + y] = 1;
                            nz[nnz++] = x * d + y;
                        }
                    }
        /* drop the cancelled entries, then the norms */
        for (e = 0, x = 0; e < nnz; e++) {
            const fmpq *k = fmpq_mat_entry(K, nz[e] / d, nz[e] % d);
            mark[nz[e]] = 0;
            fmpq_addmul(f2 + l, k, k);
            if (!fmpq_is_zero(k))
                nz[x++] = nz[e];
        }
        norm2_blocks(lo + l, hi + l, K, nz, x);
        for (e = 0; e < x; e++)
            fmpq_zero(fmpq_mat_entry(K, nz[e] / d, nz[e] % d));
        if (use_modes)   /* mu_s <- mu_s lambda_s */
            for (s = 0; s < N; s++) {
                const fmpq *a = fmpq_mat_entry(m->lambda_re, s, 0);
                if (!z->cplx) {
                    fmpq_mul(mr + s, mr + s, a);
                    continue;
                }
                {
                    const fmpq *b = fmpq_mat_entry(m->lambda_im, s, 0);
                    fmpq_mul(t, mr + s, a);
                    fmpq_submul(t, mi + s, b);
                    fmpq_mul(u, mr + s, b);
                    fmpq_addmul(u, mi + s, a);
                    fmpq_swap(mr + s, t);
                    fmpq_swap(mi + s, u);
                }
            }
    }
    fmpq_mat_clear(K);
    fmpq_clear(t);
    fmpq_clear(u);
    _fmpq_vec_clear(mr, N);
    _fmpq_vec_clear(mi, N);
    _fmpq_vec_clear(wr, FLINT_MAX(p, 1));
    _fmpq_vec_clear(wi, FLINT_MAX(p, 1));
    flint_free(nz);
    flint_free(mark);
    return rc;
}

/* ---- the Gram method ----------------------------------------------------- */

/* The realified model in integers: B = Bz / bden (M x d), C = Cz / cden
   (p x M), A = blocks Az / L; block b starts at state st[b] (size 1 or 2). */
typedef struct {
    slong M, nb, *st;
    fmpz_mat_t Bz, Cz;
    fmpz_t bden, cden, L;
    fmpz *az;   /* 4 per block: [[a0, a1], [a2, a3]] (1 x 1: a0) */
} realz_t;

static slong bsize(const realz_t *r, slong b)
{
    return r->st[b + 1] - r->st[b];
}

static void realz_init(realz_t *r, const modes_t *z)
{
    const ssmh_model_struct *m = z->m;
    slong N = m->N, s, i, k, b = 0;
    fmpq_mat_t Br, Cr;
    fmpq *a;
    r->M = z->cplx ? 2 * N : N;
    r->st = flint_malloc(sizeof(slong) * (size_t)(r->M + 1));
    a = _fmpq_vec_init(4 * r->M);
    fmpq_mat_init(Br, r->M, m->d);
    fmpq_mat_init(Cr, m->p, r->M);
    for (s = 0; s < N; s++) {
        if (!z->cplx) {
            r->st[b] = s;
            fmpq_set(a + 4 * b++, fmpq_mat_entry(m->lambda_re, s, 0));
            continue;
        }
        /* states (Re h_s, Im h_s): [[a, -b], [b, a]], or two 1 x 1 blocks */
        if (fmpq_is_zero(fmpq_mat_entry(m->lambda_im, s, 0))) {
            r->st[b] = 2 * s;
            fmpq_set(a + 4 * b++, fmpq_mat_entry(m->lambda_re, s, 0));
            r->st[b] = 2 * s + 1;
            fmpq_set(a + 4 * b++, fmpq_mat_entry(m->lambda_re, s, 0));
        } else {
            r->st[b] = 2 * s;
            fmpq_set(a + 4 * b, fmpq_mat_entry(m->lambda_re, s, 0));
            fmpq_neg(a + 4 * b + 1, fmpq_mat_entry(m->lambda_im, s, 0));
            fmpq_set(a + 4 * b + 2, fmpq_mat_entry(m->lambda_im, s, 0));
            fmpq_set(a + 4 * b + 3, fmpq_mat_entry(m->lambda_re, s, 0));
            b++;
        }
    }
    /* the realified B (rows 2s, 2s+1: Re, Im) and C (columns f Re, -f Im) */
    for (s = 0; s < N; s++) {
        slong t = z->cplx ? 2 * s : s;
        for (k = m->B->rowptr[s]; k < m->B->rowptr[s + 1]; k++)
            fmpq_set(fmpq_mat_entry(Br, t, m->B->col[k]), m->B->val + k);
        for (k = z->Ct->rowptr[s]; k < z->Ct->rowptr[s + 1]; k++)
            fmpq_mul_si(fmpq_mat_entry(Cr, z->Ct->col[k], t), z->Ct->val + k, z->f);
        if (!z->cplx)
            continue;
        for (k = m->B_im->rowptr[s]; k < m->B_im->rowptr[s + 1]; k++)
            fmpq_set(fmpq_mat_entry(Br, t + 1, m->B_im->col[k]), m->B_im->val + k);
        for (k = z->Cit->rowptr[s]; k < z->Cit->rowptr[s + 1]; k++)
            fmpq_mul_si(fmpq_mat_entry(Cr, z->Cit->col[k], t + 1), z->Cit->val + k, -z->f);
    }
    r->nb = b;
    r->st[b] = r->M;
    fmpz_mat_init(r->Bz, r->M, m->d);
    fmpz_mat_init(r->Cz, m->p, r->M);
    fmpz_init(r->bden);
    fmpz_init(r->cden);
    fmpz_init(r->L);
    fmpq_mat_get_fmpz_mat_matwise(r->Bz, r->bden, Br);
    fmpq_mat_get_fmpz_mat_matwise(r->Cz, r->cden, Cr);
    fmpz_one(r->L);
    for (i = 0; i < 4 * b; i++)
        fmpz_lcm(r->L, r->L, fmpq_denref(a + i));
    r->az = _fmpz_vec_init(4 * b);
    for (i = 0; i < 4 * b; i++) {
        fmpz_divexact(r->az + i, r->L, fmpq_denref(a + i));
        fmpz_mul(r->az + i, r->az + i, fmpq_numref(a + i));
    }
    _fmpq_vec_clear(a, 4 * r->M);
    fmpq_mat_clear(Br);
    fmpq_mat_clear(Cr);
}

static void realz_clear(realz_t *r)
{
    flint_free(r->st);
    fmpz_mat_clear(r->Bz);
    fmpz_mat_clear(r->Cz);
    fmpz_clear(r->bden);
    fmpz_clear(r->cden);
    fmpz_clear(r->L);
    _fmpz_vec_clear(r->az, 4 * r->nb);
}

/* D <- Az D per block (D holds 4 integers per block, Az^t). */
static void power_step(fmpz *D, const realz_t *r)
{
    slong b;
    fmpz_t x0, x1, x2, x3;
    fmpz_init(x0);
    fmpz_init(x1);
    fmpz_init(x2);
    fmpz_init(x3);
    for (b = 0; b < r->nb; b++) {
        fmpz *dd = D + 4 * b;
        const fmpz *a = r->az + 4 * b;
        if (bsize(r, b) == 1) {
            fmpz_mul(dd, dd, a);
            continue;
        }
        fmpz_mul(x0, a, dd);
        fmpz_addmul(x0, a + 1, dd + 2);
        fmpz_mul(x1, a, dd + 1);
        fmpz_addmul(x1, a + 1, dd + 3);
        fmpz_mul(x2, a + 2, dd);
        fmpz_addmul(x2, a + 3, dd + 2);
        fmpz_mul(x3, a + 2, dd + 1);
        fmpz_addmul(x3, a + 3, dd + 3);
        fmpz_swap(dd, x0);
        fmpz_swap(dd + 1, x1);
        fmpz_swap(dd + 2, x2);
        fmpz_swap(dd + 3, x3);
    }
    fmpz_clear(x0);
    fmpz_clear(x1);
    fmpz_clear(x2);
    fmpz_clear(x3);
}

/* tr(Gc D Gb D^T) for the block-diagonal integer D (4 entries per block). */
static void gram_trace(fmpz_t out, const fmpz_mat_t Gc, const fmpz_mat_t Gb, const fmpz *D,
                       const realz_t *r)
{
    slong M = r->M, b, c, i, u, v;
    fmpz_mat_t Y;   /* Y = D Gb */
    fmpz_t h, t;
    fmpz_mat_init(Y, M, M);
    fmpz_init(h);
    fmpz_init(t);
    for (b = 0; b < r->nb; b++) {
        slong i0 = r->st[b], sb = bsize(r, b);
        const fmpz *dd = D + 4 * b;
        for (u = 0; u < sb; u++)
            for (c = 0; c < M; c++) {
                fmpz *y = fmpz_mat_entry(Y, i0 + u, c);
                fmpz_mul(y, dd + 2 * u, fmpz_mat_entry(Gb, i0, c));
                if (sb == 2)
                    fmpz_addmul(y, dd + 2 * u + 1, fmpz_mat_entry(Gb, i0 + 1, c));
            }
    }
    /* tr(Gc Y D^T) = sum_i sum_j Gc_ij (Y D^T)_ij, (Y D^T)_ij = sum_w Y_i,j0+w D_b[j-j0][w] */
    fmpz_zero(out);
    for (i = 0; i < M; i++)
        for (b = 0; b < r->nb; b++) {
            slong j0 = r->st[b], sb = bsize(r, b);
            const fmpz *dd = D + 4 * b;
            for (v = 0; v < sb; v++) {
                fmpz_mul(h, fmpz_mat_entry(Y, i, j0), dd + 2 * v);
                if (sb == 2)
                    fmpz_addmul(h, fmpz_mat_entry(Y, i, j0 + 1), dd + 2 * v + 1);
                fmpz_addmul(out, h, fmpz_mat_entry(Gc, i, j0 + v));
            }
        }
    fmpz_mat_clear(Y);
    fmpz_clear(h);
    fmpz_clear(t);
}

/* x <- A^t x in doubles, block by block, with the block powers pw (4 per
   block, as doubles). */
static void apply_blocks_d(double *out, const double *x, const double *pw, const realz_t *r,
                           int transpose)
{
    slong b;
    for (b = 0; b < r->nb; b++) {
        slong i0 = r->st[b];
        const double *q = pw + 4 * b;
        if (bsize(r, b) == 1) {
            out[i0] = q[0] * x[i0];
        } else if (!transpose) {
            out[i0] = q[0] * x[i0] + q[1] * x[i0 + 1];
            out[i0 + 1] = q[2] * x[i0] + q[3] * x[i0 + 1];
        } else {
            out[i0] = q[0] * x[i0] + q[2] * x[i0 + 1];
            out[i0 + 1] = q[1] * x[i0] + q[3] * x[i0 + 1];
        }
    }
}

/* lo <= ||K||_2 with K = C D_t B (+ D0 at lag 0), D_t = Dz / L^t: power
   iteration in doubles for the dominant singular pair (u, v), rounded to
   dyadics, and the exact Rayleigh quotient (u^T K v)^2 / (|u|^2 |v|^2). */
static void rayleigh_lower(fmpq_t lo, const realz_t *r, const double *Bd, const double *Cd,
                           const double *pw, const fmpz *Dz, slong t, const fmpq_mat_t D0,
                           const double *D0d, slong p, slong d)
{
    slong M = r->M, i, j, it, b;
    double *v = flint_malloc(sizeof(double) * (size_t)d), *w = flint_malloc(sizeof(double) * (size_t)M);
    double *w2 = flint_malloc(sizeof(double) * (size_t)M), *y = flint_malloc(sizeof(double) * (size_t)p);
    double nv;
    fmpz *vz = _fmpz_vec_init(d), *uz = _fmpz_vec_init(p), *a = _fmpz_vec_init(M), *c = _fmpz_vec_init(M);
    fmpz_t s, h, nu, nvz, den;
    fmpq_t q, q2;
    for (j = 0; j < d; j++)
        v[j] = 1.0 + 0.01 * (double)j;
    for (it = 0; it < POWER_ITERS; it++) {
        /* y = K v, v = K^T y / |K^T y| */
        for (i = 0; i < M; i++) {
            double x = 0;
            for (j = 0; j < d; j++)
                x += Bd[i * d + j] * v[j];
            w[i] = x;
        }
        apply_blocks_d(w2, w, pw, r, 0);
        for (i = 0; i < p; i++) {
            double x = 0;
            for (j = 0; j < M; j++)
                x += Cd[i * M + j] * w2[j];
            if (D0d != NULL)
                for (j = 0; j < d; j++)
                    x += D0d[i * d + j] * v[j];
            y[i] = x;
        }
        for (j = 0; j < M; j++) {
            double x = 0;
            for (i = 0; i < p; i++)
                x += Cd[i * M + j] * y[i];
            w[j] = x;
        }
        apply_blocks_d(w2, w, pw, r, 1);
        nv = 0;
        for (j = 0; j < d; j++) {
            double x = 0;
            for (i = 0; i < M; i++)
                x += Bd[i * d + j] * w2[i];
            if (D0d != NULL)
                for (i = 0; i < p; i++)
                    x += D0d[i * d + j] * y[i];
            v[j] = x;
            nv += x * x;
        }
        nv = sqrt(nv);
        if (!(nv > 0) || !isfinite(nv))
            break;
        for (j = 0; j < d; j++)
            v[j] /= nv;
    }
    fmpz_init(s);
    fmpz_init(h);
    fmpz_init(nu);
    fmpz_init(nvz);
    fmpz_init(den);
    fmpq_init(q);
    fmpq_init(q2);
    fmpq_zero(lo);
    if (nv > 0 && isfinite(nv)) {
        /* u = K v (y of the last step) */
        double ny = 0;
        for (i = 0; i < p; i++)
            ny += y[i] * y[i];
        ny = sqrt(ny);
        /* unit vectors on the 2^-30 grid; a failed conversion leaves a
           zero entry, which only weakens the lower bound */
        for (j = 0; j < d; j++)
            if (!_ssmh_fmpz_set_d(vz + j, nearbyint(ldexp(v[j], 30))))
                fmpz_zero(vz + j);
        for (i = 0; i < p; i++)
            if (!(ny > 0 && isfinite(ny)) || !_ssmh_fmpz_set_d(uz + i, nearbyint(ldexp(y[i] / ny, 30))))
                fmpz_zero(uz + i);
        /* a = Bz vz, c = Cz^T uz */
        for (i = 0; i < M; i++)
            for (j = 0; j < d; j++)
                fmpz_addmul(a + i, fmpz_mat_entry(r->Bz, i, j), vz + j);
        for (j = 0; j < M; j++)
            for (i = 0; i < p; i++)
                fmpz_addmul(c + j, fmpz_mat_entry(r->Cz, i, j), uz + i);
        /* s = c^T Dz a: u^T C D_t B v = s / (cden bden L^t 2^60) */
        for (b = 0; b < r->nb; b++) {
            slong i0 = r->st[b], sb = bsize(r, b), x2, y2;
            for (x2 = 0; x2 < sb; x2++)
                for (y2 = 0; y2 < sb; y2++) {
                    fmpz_mul(h, c + i0 + x2, Dz + 4 * b + 2 * x2 + y2);
                    fmpz_addmul(s, h, a + i0 + y2);
                }
        }
        fmpz_pow_ui(den, r->L, (ulong)t);
        fmpz_mul(den, den, r->bden);
        fmpz_mul(den, den, r->cden);
        fmpq_set_fmpz_frac(q, s, den);
        if (D0 != NULL) {   /* + uz^T D0 vz (also over 2^60) */
            for (i = 0; i < p; i++)
                for (j = 0; j < d; j++)
                    if (!fmpq_is_zero(fmpq_mat_entry(D0, i, j))) {
                        fmpz_mul(h, uz + i, vz + j);
                        fmpq_mul_fmpz(q2, fmpq_mat_entry(D0, i, j), h);
                        fmpq_add(q, q, q2);
                    }
        }
        /* lo^2 = q^2 / (|uz|^2 |vz|^2) (the 2^60 scales cancel) */
        for (i = 0; i < p; i++)
            fmpz_addmul(nu, uz + i, uz + i);
        for (j = 0; j < d; j++)
            fmpz_addmul(nvz, vz + j, vz + j);
        fmpz_mul(nu, nu, nvz);
        if (!fmpz_is_zero(nu)) {
            fmpq_t lo2, dummy;
            fmpq_init(lo2);
            fmpq_init(dummy);
            fmpq_mul(lo2, q, q);
            fmpq_div_fmpz(lo2, lo2, nu);
            _ssmh_sqrt_enclose(lo, dummy, lo2, 40);
            fmpq_clear(lo2);
            fmpq_clear(dummy);
        }
    }
    fmpz_clear(s);
    fmpz_clear(h);
    fmpz_clear(nu);
    fmpz_clear(nvz);
    fmpz_clear(den);
    fmpq_clear(q);
    fmpq_clear(q2);
    _fmpz_vec_clear(vz, d);
    _fmpz_vec_clear(uz, p);
    _fmpz_vec_clear(a, M);
    _fmpz_vec_clear(c, M);
    flint_free(v);
    flint_free(w);
    flint_free(w2);
    flint_free(y);
}

static int norms_gram(fmpq *f2, fmpq *lo, fmpq *hi, const modes_t *z, slong lags,
                      const fmpq_t beta_BC, const fmpq_t rho_hi, slong cap, ssmh_error_t *err)
{
    const ssmh_model_struct *m = z->m;
    slong p = m->p, d = m->d, l, i, j, b, t;
    int delayed = m->convention == SSMH_CONVENTION_DELAYED, dz = fmpq_mat_is_zero(m->D);
    realz_t r;
    fmpz_mat_t Bt, Ct, Gb, Gc;
    fmpz *Dz;
    double *Bd, *Cd, *pw, *D0d;
    fmpz_t tr, den, x, cb;
    fmpq_t q, dn, env, rho2t, a2, bnd;
    int rc = 1;

    realz_init(&r, z);
    fmpz_mat_init(Bt, d, r.M);
    fmpz_mat_init(Ct, r.M, p);
    fmpz_mat_init(Gb, r.M, r.M);
    fmpz_mat_init(Gc, r.M, r.M);
    fmpz_mat_transpose(Bt, r.Bz);
    fmpz_mat_transpose(Ct, r.Cz);
    fmpz_mat_mul(Gb, r.Bz, Bt);
    fmpz_mat_mul(Gc, Ct, r.Cz);
    fmpz_mat_clear(Bt);
    fmpz_mat_clear(Ct);
    Dz = _fmpz_vec_init(4 * r.nb);
    pw = flint_malloc(sizeof(double) * (size_t)(4 * r.nb));
    Bd = flint_malloc(sizeof(double) * (size_t)(r.M * d));
    Cd = flint_malloc(sizeof(double) * (size_t)(p * r.M));
    D0d = flint_malloc(sizeof(double) * (size_t)(p * d));
    for (i = 0; i < p * d; i++)
        D0d[i] = fmpq_get_d(fmpq_mat_entry(m->D, i / d, i % d));
    {
        double sb = 1.0 / fmpz_get_d(r.bden), sc = 1.0 / fmpz_get_d(r.cden);
        for (i = 0; i < r.M * d; i++)
            Bd[i] = fmpz_get_d(fmpz_mat_entry(r.Bz, i / d, i % d)) * sb;
        for (i = 0; i < p * r.M; i++)
            Cd[i] = fmpz_get_d(fmpz_mat_entry(r.Cz, i / r.M, i % r.M)) * sc;
        if (!(sb > 0) || !(sc > 0))   /* huge denominators: a zero guide is still sound */
            for (i = 0; i < r.M * d; i++)
                Bd[i] = 0;
    }
    fmpz_init(tr);
    fmpz_init(den);
    fmpz_init(x);
    fmpz_init(cb);
    fmpq_init(q);
    fmpq_init(dn);
    fmpq_init(env);
    fmpq_init(rho2t);
    fmpq_init(a2);
    fmpq_init(bnd);
    for (b = 0; b < r.nb; b++)   /* Dz = I */
        fmpz_one(Dz + 4 * b), fmpz_zero(Dz + 4 * b + 1), fmpz_zero(Dz + 4 * b + 2),
            fmpz_one(Dz + 4 * b + 3);
    fmpq_one(rho2t);
    for (l = 0, t = 0; l <= lags && rc == 1; l++) {
        int modes = !(delayed && l == 0);
        double Ld = fmpz_get_d(r.L), sc = 1;
        if (cap > 0 && (slong)(fmpz_bits(r.L) * (ulong)t) + _fmpz_vec_max_bits(Dz, 4 * r.nb) > cap) {
            rc = too_big(err, l, cap);
            break;
        }
        fmpq_zero(f2 + l);
        fmpq_zero(lo + l);
        if (modes) {
            /* ||C D_t B||_F^2 = tr(Gc Dz Gb Dz^T) / (cden^2 bden^2 L^(2t)) */
            gram_trace(tr, Gc, Gb, Dz, &r);
            fmpz_pow_ui(den, r.L, (ulong)(2 * t));
            fmpz_mul(den, den, r.bden);
            fmpz_mul(den, den, r.bden);
            fmpz_mul(den, den, r.cden);
            fmpz_mul(den, den, r.cden);
            fmpq_set_fmpz_frac(f2 + l, tr, den);
            for (i = 0; i < t; i++)
                sc /= Ld;
            for (b = 0; b < 4 * r.nb; b++)
                pw[b] = fmpz_get_d(Dz + b) * sc;
        }
        if (l == 0 && !dz) {
            /* K_0 = C B + D (direct) or D (delayed): + 2 <C B, D> + ||D||^2 */
            for (i = 0; i < p; i++)
                for (j = 0; j < d; j++) {
                    const fmpq *e = fmpq_mat_entry(m->D, i, j);
                    if (fmpq_is_zero(e))
                        continue;
                    fmpq_addmul(f2 + l, e, e);
                    if (!modes)
                        continue;
                    fmpz_zero(cb);
                    for (b = 0; b < r.M; b++)
                        fmpz_addmul(cb, fmpz_mat_entry(r.Cz, i, b), fmpz_mat_entry(r.Bz, b, j));
                    fmpz_mul(den, r.bden, r.cden);
                    fmpq_set_fmpz_frac(q, cb, den);
                    fmpq_mul(q, q, e);
                    fmpq_mul_2exp(q, q, 1);
                    fmpq_add(f2 + l, f2 + l, q);
                }
        }
        /* from below: a Rayleigh quotient; delayed lag 0 is D alone */
        if (modes) {
            rayleigh_lower(lo + l, &r, Bd, Cd, pw, Dz, t, (l == 0 && !dz) ? m->D : NULL,
                           (l == 0 && !dz) ? D0d : NULL, p, d);
        } else {
            fmpq_t dummy;
            fmpq_init(dummy);
            ssmh_norm2_enclose(lo + l, dummy, m->D);
            fmpq_clear(dummy);
        }
        /* from above: ||K||_F, and sqrt(beta_B beta_C) rho^t for the modes' part */
        fmpq_set(bnd, f2 + l);
        if (modes && beta_BC != NULL && (l > 0 || dz || delayed)) {
            fmpq_mul(env, beta_BC, rho2t);
            if (fmpq_cmp(env, bnd) < 0)
                fmpq_set(bnd, env);
        }
        _ssmh_sqrt_enclose(a2, hi + l, bnd, 40);
        if (fmpq_cmp(lo + l, hi + l) > 0)   /* cannot happen: both proven */
            fmpq_set(lo + l, hi + l);
        if (modes) {
            power_step(Dz, &r);
            fmpq_mul(rho2t, rho2t, rho_hi);
            fmpq_mul(rho2t, rho2t, rho_hi);
            t++;
        }
    }
    fmpz_clear(tr);
    fmpz_clear(den);
    fmpz_clear(x);
    fmpz_clear(cb);
    fmpq_clear(q);
    fmpq_clear(dn);
    fmpq_clear(env);
    fmpq_clear(rho2t);
    fmpq_clear(a2);
    fmpq_clear(bnd);
    _fmpz_vec_clear(Dz, 4 * r.nb);
    flint_free(pw);
    flint_free(Bd);
    flint_free(Cd);
    flint_free(D0d);
    fmpz_mat_clear(Gb);
    fmpz_mat_clear(Gc);
    realz_clear(&r);
    return rc;
}

int _ssmh_lag_norms(fmpq *f2, fmpq *lo, fmpq *hi, const ssmh_model_t m, slong lags,
                    const fmpq_t beta_BC, const fmpq_t rho_hi, const ssmh_limits_t *lim,
                    ssmh_error_t *err)
{
    return _ssmh_lag_norms_by(f2, lo, hi, m, lags, beta_BC, rho_hi, lim, err, 0);
}

int _ssmh_lag_norms_by(fmpq *f2, fmpq *lo, fmpq *hi, const ssmh_model_t m, slong lags,
                       const fmpq_t beta_BC, const fmpq_t rho_hi, const ssmh_limits_t *lim,
                       ssmh_error_t *err, int method)
{
    modes_t z;
    pattern_t pt;
    double M, dense;
    slong cap = lim && lim->max_bits > 0 ? lim->max_bits : 0;
    int done = 0;
    if (m->structure != SSMH_STRUCTURE_DIAG && m->structure != SSMH_STRUCTURE_COMPLEX_DIAG)
        return 0;
    modes_init(&z, m);
    M = (double)(z.cplx ? 2 * m->N : m->N);
    dense = (double)m->p * (double)m->d * M;
    pattern_init(&pt, &z);
    if (method == 1 || (method == 0 && (double)pt.pairs * SPARSE_RATIO < dense)) {
        done = norms_sparse(f2, lo, hi, &z, &pt, lags, cap, err);
    } else if (method == 2 || (method == 0 && dense > (double)GRAM_MIN_WORK)) {
        done = norms_gram(f2, lo, hi, &z, lags, beta_BC, rho_hi, cap, err);
    }
    pattern_clear(&pt);
    modes_clear(&z);
    return done;
}
