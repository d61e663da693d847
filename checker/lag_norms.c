/*
 * Exact Frobenius norms of the lags for the checker (GMP only, its own
 * code).  Guarantee: ssmhc_lag_norms_f2 sets out[l] = ||K_l||_F^2 exactly
 * for l < count.  Block-diagonal A (structured models) avoids the dense
 * lags: a sparse B and C (a channel bank) sums C[i][s] (A^t B)[s][j] over
 * the nonzero pairs of each block; a dense one uses
 * ||C A^t B||_F^2 = tr(Gc A^t Gb (A^t)^T), Gb = B B^T and Gc = C^T C, in
 * integers (O(N^2) per lag).  Dense A: the exact lags.
 */
#include "ssmhc-impl.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SPARSE_RATIO 64
#define GRAM_MIN_WORK (1L << 24)

static long bsz(const ssmhc_model *m, long s)
{
    return m->blk[s] == 1 ? 2 : 1;
}

/* ---- dense lags ---------------------------------------------------------- */

static int norms_dense(mpq_t *out, const ssmhc_model *m, long count)
{
    ssmhc_lagstream ls;
    ssmhc_qmat K;
    long l;
    size_t e;
    int rc = 0;
    mpq_t c;
    mpq_init(c);
    ssmhc_qmat_init(&K, m->p, m->d);
    ssmhc_lagstream_init(&ls, m);
    for (l = 0; l < count && rc == 0; l++) {
        if ((rc = ssmhc_lagstream_next(&ls, &K)) != 0)
            break;
        mpq_set_ui(out[l], 0, 1);
        for (e = 0; e < (size_t)m->p * (size_t)m->d; e++) {
            mpq_mul(c, K.e[e], K.e[e]);
            mpq_add(out[l], out[l], c);
        }
    }
    ssmhc_lagstream_clear(&ls);
    ssmhc_qmat_clear(&K);
    mpq_clear(c);
    return rc;
}

/* Limbs of an exact number (numerator and denominator), for the work
   budget: the next step multiplies it by A's entries. */
static double limbs_q(const mpq_t x)
{
    return (double)((mpz_sizeinbase(mpq_numref(x), 2) + mpz_sizeinbase(mpq_denref(x), 2)) / 64 + 1);
}

static double limbs_z(const mpz_t x)
{
    return (double)(mpz_sizeinbase(x, 2) / 64 + 1);
}

/* The largest limb count of A's block entries (the cost of one product). */
static double limbs_A(const ssmhc_model *m)
{
    long i;
    double big = 1;
    for (i = 0; i < m->Ab.rows * m->Ab.cols; i++)
        if (mpq_sgn(m->Ab.e[i]) != 0 && limbs_q(m->Ab.e[i]) > big)
            big = limbs_q(m->Ab.e[i]);
    return big;
}

/* ---- sparse B and C ------------------------------------------------------ */

typedef struct {
    long *rs, *r;   /* rows of C each block touches: r[rs[k] .. rs[k + 1]) */
    long *cs, *c;   /* columns of B */
    long *st, nb;   /* block starts (nb blocks) */
    double pairs;
    /* C on each block's rows and states: Cv[co[k] + (x - rs[k]) size_k + u]
       = C[r[x]][st[k] + u] */
    long *co;
    mpq_t *Cv;
    long ncv;
} blocks_t;

/* Union of the rows t0 .. t1-1 of S (their column indices) appended to
   out (mark: zeroed flags, left zeroed); returns the new length. */
static long touch(long *out, long n, char *mark, const ssmhc_smat *S, long t0, long t1)
{
    long t, k, n0 = n;
    for (t = t0; t < t1; t++)
        for (k = S->rowptr[t]; k < S->rowptr[t + 1]; k++)
            if (!mark[S->col[k]]) {
                mark[S->col[k]] = 1;
                out[n++] = S->col[k];
            }
    for (k = n0; k < n; k++)
        mark[out[k]] = 0;
    return n;
}

static void blocks_init(blocks_t *bl, const ssmhc_model *m)
{
    long s, t, k, x, nr = 0, nc = 0;
    char *mr = ssmhc_calloc((size_t)(m->p > 0 ? m->p : 1), 1), *mc = ssmhc_calloc((size_t)(m->d > 0 ? m->d : 1), 1);
    long *rpos = ssmhc_malloc(sizeof(long) * (size_t)(m->p > 0 ? m->p : 1));
    ssmhc_smat Ct;
    ssmhc_smat_transpose(&Ct, &m->C);   /* row t: the rows of C state t meets */
    bl->st = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    bl->rs = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    bl->cs = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    bl->co = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    for (s = 0, k = 0; s < m->N; s += bsz(m, s))
        bl->st[k++] = s;
    bl->nb = k;
    bl->st[k] = m->N;
    /* the lists are no longer than the nonzeros of C and B */
    bl->r = ssmhc_malloc(sizeof(long) * (size_t)(Ct.nnz > 0 ? Ct.nnz : 1));
    bl->c = ssmhc_malloc(sizeof(long) * (size_t)(m->B.nnz > 0 ? m->B.nnz : 1));
    bl->pairs = 0;
    bl->ncv = 0;
    for (k = 0; k < bl->nb; k++) {
        bl->rs[k] = nr;
        bl->cs[k] = nc;
        bl->co[k] = bl->ncv;
        nr = touch(bl->r, nr, mr, &Ct, bl->st[k], bl->st[k + 1]);
        nc = touch(bl->c, nc, mc, &m->B, bl->st[k], bl->st[k + 1]);
        bl->pairs += (double)(nr - bl->rs[k]) * (double)(nc - bl->cs[k]);
        bl->ncv += (nr - bl->rs[k]) * (bl->st[k + 1] - bl->st[k]);
    }
    bl->rs[bl->nb] = nr;
    bl->cs[bl->nb] = nc;
    bl->co[bl->nb] = bl->ncv;
    bl->Cv = ssmhc_qvec_init(bl->ncv);
    for (k = 0; k < bl->nb; k++) {
        long sz = bl->st[k + 1] - bl->st[k], q;
        for (x = bl->rs[k]; x < bl->rs[k + 1]; x++)
            rpos[bl->r[x]] = x - bl->rs[k];
        for (t = bl->st[k]; t < bl->st[k + 1]; t++)
            for (q = Ct.rowptr[t]; q < Ct.rowptr[t + 1]; q++)
                mpq_set(bl->Cv[bl->co[k] + rpos[Ct.col[q]] * sz + (t - bl->st[k])], Ct.val[q]);
    }
    ssmhc_smat_clear(&Ct);
    free(mr);
    free(mc);
    free(rpos);
}

static void blocks_clear(blocks_t *bl)
{
    ssmhc_qvec_clear(bl->Cv, bl->ncv);
    free(bl->co);
    free(bl->st);
    free(bl->rs);
    free(bl->cs);
    free(bl->r);
    free(bl->c);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The index of code in the sorted codes[0 .. n). */
static long code_index(const long *codes, long n, long code)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (codes[mid] < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* X[t][y] = (A^power B)[t][c[y]] for the columns each block touches, kept
   per block; K accumulated on the positions the blocks and D can touch
   only (numbered once: no p x d array). */
static int norms_sparse(mpq_t *out, const ssmhc_model *m, const blocks_t *bl, long count)
{
    long d = m->d, nx = 0, k, y, x, t, u, l, e, npos, npair = 0, nd = m->D.nnz;
    double bigA = limbs_A(m);
    int rc = 0;
    long *xoff = ssmhc_malloc(sizeof(long) * (size_t)(bl->nb + 1));
    long *poff = ssmhc_malloc(sizeof(long) * (size_t)(bl->nb + 1));
    long *codes, *kix, *dix, *cpos = ssmhc_malloc(sizeof(long) * (size_t)(d > 0 ? d : 1));
    mpq_t *X, *Y, *K, s, v;
    for (k = 0; k < bl->nb; k++) {
        xoff[k] = nx;
        poff[k] = npair;
        nx += (bl->st[k + 1] - bl->st[k]) * (bl->cs[k + 1] - bl->cs[k]);
        npair += (bl->rs[k + 1] - bl->rs[k]) * (bl->cs[k + 1] - bl->cs[k]);
    }
    xoff[bl->nb] = nx;
    poff[bl->nb] = npair;
    /* the touched positions i d + j, sorted and numbered */
    codes = ssmhc_malloc(sizeof(long) * (size_t)(npair + nd > 0 ? npair + nd : 1));
    kix = ssmhc_malloc(sizeof(long) * (size_t)(npair > 0 ? npair : 1));
    dix = ssmhc_malloc(sizeof(long) * (size_t)(nd > 0 ? nd : 1));
    for (k = 0, e = 0; k < bl->nb; k++)
        for (x = bl->rs[k]; x < bl->rs[k + 1]; x++)
            for (y = bl->cs[k]; y < bl->cs[k + 1]; y++)
                codes[e++] = bl->r[x] * d + bl->c[y];
    for (x = 0; x < m->p; x++)
        for (y = m->D.rowptr[x]; y < m->D.rowptr[x + 1]; y++)
            codes[e++] = x * d + m->D.col[y];
    qsort(codes, (size_t)e, sizeof(long), cmp_long);
    for (x = 0, npos = 0; x < e; x++)
        if (npos == 0 || codes[x] != codes[npos - 1])
            codes[npos++] = codes[x];
    for (k = 0, e = 0; k < bl->nb; k++)
        for (x = bl->rs[k]; x < bl->rs[k + 1]; x++)
            for (y = bl->cs[k]; y < bl->cs[k + 1]; y++, e++)
                kix[e] = code_index(codes, npos, bl->r[x] * d + bl->c[y]);
    for (x = 0, e = 0; x < m->p; x++)
        for (y = m->D.rowptr[x]; y < m->D.rowptr[x + 1]; y++)
            dix[e++] = code_index(codes, npos, x * d + m->D.col[y]);
    X = ssmhc_qvec_init(nx);
    Y = ssmhc_qvec_init(nx);
    K = ssmhc_qvec_init(npos);
    mpq_init(s);
    mpq_init(v);
    for (k = 0; k < bl->nb; k++) {   /* X = B on the touched columns */
        long ncol = bl->cs[k + 1] - bl->cs[k], q;
        for (y = 0; y < ncol; y++)
            cpos[bl->c[bl->cs[k] + y]] = y;
        for (t = 0; t < bl->st[k + 1] - bl->st[k]; t++)
            for (q = m->B.rowptr[bl->st[k] + t]; q < m->B.rowptr[bl->st[k] + t + 1]; q++)
                mpq_set(X[xoff[k] + t * ncol + cpos[m->B.col[q]]], m->B.val[q]);
    }
    for (l = 0; l < count; l++) {
        int modes = !(m->delayed && l == 0);
        if (modes)
            for (k = 0; k < bl->nb; k++) {
                long nb = bl->st[k + 1] - bl->st[k], ncol = bl->cs[k + 1] - bl->cs[k];
                for (x = bl->rs[k]; x < bl->rs[k + 1]; x++) {
                    const mpq_t *cx = bl->Cv + bl->co[k] + (x - bl->rs[k]) * nb;
                    for (y = 0; y < ncol; y++) {
                        mpq_set_ui(s, 0, 1);
                        for (t = 0; t < nb; t++) {
                            mpq_mul(v, cx[t], X[xoff[k] + t * ncol + y]);
                            mpq_add(s, s, v);
                        }
                        e = kix[poff[k] + (x - bl->rs[k]) * ncol + y];
                        mpq_add(K[e], K[e], s);
                    }
                }
            }
        if (l == 0)
            for (e = 0; e < nd; e++)
                mpq_add(K[dix[e]], K[dix[e]], m->D.val[e]);
        mpq_set_ui(out[l], 0, 1);
        for (e = 0; e < npos; e++) {
            mpq_mul(v, K[e], K[e]);
            mpq_add(out[l], out[l], v);
            mpq_set_ui(K[e], 0, 1);
        }
        if (modes && l + 1 < count) {   /* X <- A X, block by block */
            /* the exact powers grow with the lag: stop them at --max-bits,
               and the work (this step's products and the next lag's sums
               against C) at the budget */
            double w = 0;
            for (e = 0; e < nx && rc == 0; e++) {
                if ((rc = ssmhc_bits_check(X[e], "the lags C A^l B")) != 0)
                    break;
                w += limbs_q(X[e]);
            }
            if (rc == 0)
                rc = ssmhc_work_spend(w * (2.0 * bigA + (double)(m->p > 0 ? m->p : 1)), "the lags C A^l B");
            if (rc != 0)
                break;
            for (k = 0; k < bl->nb; k++) {
                long nb = bl->st[k + 1] - bl->st[k], ncol = bl->cs[k + 1] - bl->cs[k], i0 = bl->st[k];
                for (t = 0; t < nb; t++)
                    for (y = 0; y < ncol; y++) {
                        mpq_set_ui(s, 0, 1);
                        for (u = 0; u < nb; u++) {
                            mpq_mul(v, ssmhc_model_A_entry(m, i0 + t, i0 + u), X[xoff[k] + u * ncol + y]);
                            mpq_add(s, s, v);
                        }
                        mpq_set(Y[xoff[k] + t * ncol + y], s);
                    }
                for (e = xoff[k]; e < xoff[k + 1]; e++)
                    mpq_swap(X[e], Y[e]);
            }
        }
    }
    ssmhc_qvec_clear(X, nx);
    ssmhc_qvec_clear(Y, nx);
    ssmhc_qvec_clear(K, npos);
    free(xoff);
    free(poff);
    free(codes);
    free(kix);
    free(dix);
    free(cpos);
    mpq_clear(s);
    mpq_clear(v);
    return rc;
}

/* ---- dense B and C: Gram matrices ---------------------------------------- */

/* den M as integers (row-major, a fresh array), den the lcm of the
   denominators; i64 receives them when all fit (else *fits = 0). */
static mpz_t *scaled(mpz_t den, long long **i64, int *fits, const ssmhc_qmat *M)
{
    size_t e, n = (size_t)M->rows * (size_t)M->cols;
    mpz_t *Z = ssmhc_qmat_integers(den, M);
    if (Z == NULL)
        return NULL;
    *i64 = ssmhc_malloc(sizeof(long long) * (n ? n : 1));
    for (e = 0, *fits = 1; e < n && *fits; e++)
        *fits = ssmhc_fits_i64(*i64 + e, Z[e]);
    return Z;
}

/* G[a][b] = sum_k Z[a][k] Z[b][k] (rows of an n x k array; rows = 1) or
   sum_k Z[k][a] Z[k][b] (columns; rows = 0), G n x n. */
static mpz_t *gram(const mpz_t *Z, const long long *z64, int fits, long R, long Cc, int rows)
{
    long n = rows ? R : Cc, k = rows ? Cc : R, a, b, q;
    long sa = rows ? 1 : Cc;   /* stride along k */
    mpz_t *G = ssmhc_malloc(sizeof(mpz_t) * (size_t)(n * n > 0 ? n * n : 1));
    if (G == NULL)
        ssmhc_out_of_memory(NULL);
    for (a = 0; a < n; a++)
        for (b = 0; b <= a; b++) {
            long oa = rows ? a * Cc : a, ob = rows ? b * Cc : b;
            mpz_init(G[a * n + b]);
            if (fits) {
                ssmhc_dot_i64(G[a * n + b], z64 + oa, sa, z64 + ob, sa, k);
            } else {
                for (q = 0; q < k; q++)
                    mpz_addmul(G[a * n + b], Z[oa + q * sa], Z[ob + q * sa]);
            }
            if (b < a)
                mpz_init_set(G[b * n + a], G[a * n + b]);
        }
    return G;
}

static int norms_gram(mpq_t *out, const ssmhc_model *m, long count)
{
    int rc = 0;
    long N = m->N, p = m->p, d = m->d, i, j, s, l, t = 0, nb;
    long long *b64, *c64;
    int bfit, cfit;
    mpz_t bden, cden, L, tr, h, den, x;
    mpz_t *Bz, *Cz, *Gb, *Gc, *Az, *Dz, *Y, *T4;
    long *st, k;
    mpq_t q;
    ssmhc_qmat Bq, Cq;

    mpz_init(bden);
    mpz_init(cden);
    mpz_init(L);
    mpz_init(tr);
    mpz_init(h);
    mpz_init(den);
    mpz_init(x);
    mpq_init(q);
    /* a dense layer's B and C, densely (the model's dimensions passed the
       bounds of a dense copy) */
    if (ssmhc_smat_dense(&Bq, &m->B, "the lag norms: B") != 0) {
        Bz = Cz = NULL;
    } else if (ssmhc_smat_dense(&Cq, &m->C, "the lag norms: C") != 0) {
        ssmhc_qmat_clear(&Bq);
        Bz = Cz = NULL;
    } else {
        Bz = scaled(bden, &b64, &bfit, &Bq);
        Cz = Bz != NULL ? scaled(cden, &c64, &cfit, &Cq) : NULL;
        ssmhc_qmat_clear(&Bq);
        ssmhc_qmat_clear(&Cq);
    }
    if (Cz == NULL) {   /* a limit (noted): a common denominator, a dense copy */
        if (Bz != NULL) {
            for (i = 0; i < N * d; i++)
                mpz_clear(Bz[i]);
            free(Bz);
            free(b64);
        }
        mpz_clear(bden);
        mpz_clear(cden);
        mpz_clear(L);
        mpz_clear(tr);
        mpz_clear(h);
        mpz_clear(den);
        mpz_clear(x);
        mpq_clear(q);
        return -1;
    }
    Gb = gram((const mpz_t *)Bz, b64, bfit, N, d, 1);   /* B B^T */
    Gc = gram((const mpz_t *)Cz, c64, cfit, p, N, 0);   /* C^T C */
    /* blocks: A = Az / L, D_t = Dz / L^t (4 entries per block) */
    st = ssmhc_malloc(sizeof(long) * (size_t)(N + 1));
    for (s = 0, nb = 0; s < N; s += bsz(m, s))
        st[nb++] = s;
    st[nb] = N;
    mpz_set_ui(L, 1);
    for (i = 0; i < N; i++)
        for (j = 0; j < 2; j++)
            if (mpz_cmp_ui(mpq_denref(SSMHC_Q(&m->Ab, i, j)), 1) != 0)
                mpz_lcm(L, L, mpq_denref(SSMHC_Q(&m->Ab, i, j)));
    mpq_set_z(q, L);
    if (ssmhc_bits_check(q, "the common denominator of A") != 0)
        rc = -1;   /* checked once the arrays below exist, so one cleanup serves */
    Az = ssmhc_malloc(sizeof(mpz_t) * (size_t)(4 * nb));
    Dz = ssmhc_malloc(sizeof(mpz_t) * (size_t)(4 * nb));
    T4 = ssmhc_malloc(sizeof(mpz_t) * 4);
    Y = ssmhc_malloc(sizeof(mpz_t) * (size_t)(N * N > 0 ? N * N : 1));
    if (!st || !Az || !Dz || !T4 || !Y)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < 4; i++)
        mpz_init(T4[i]);
    for (s = 0; s < nb; s++)
        for (i = 0; i < 4; i++) {
            long r0 = st[s] + i / 2, c0 = st[s] + i % 2;
            mpz_init(Az[4 * s + i]);
            mpz_init_set_ui(Dz[4 * s + i], i == 0 || i == 3 ? 1 : 0);
            if (r0 < st[s + 1] && c0 < st[s + 1]) {
                const __mpq_struct *a = ssmhc_model_A_entry(m, r0, c0);
                mpz_divexact(x, L, mpq_denref(a));
                mpz_mul(Az[4 * s + i], x, mpq_numref(a));
            }
        }
    for (i = 0; i < N * N; i++)
        mpz_init(Y[i]);
    for (l = 0; l < count && rc == 0; l++) {
        int modes = !(m->delayed && l == 0);
        mpq_set_ui(out[l], 0, 1);
        if (modes) {
            /* Y = Dz Gb, then tr(Gc Y Dz^T) */
            for (s = 0; s < nb; s++) {
                long i0 = st[s], sb = st[s + 1] - i0, u;
                for (u = 0; u < sb; u++)
                    for (j = 0; j < N; j++) {
                        mpz_mul(Y[(i0 + u) * N + j], Dz[4 * s + 2 * u], Gb[i0 * N + j]);
                        if (sb == 2)
                            mpz_addmul(Y[(i0 + u) * N + j], Dz[4 * s + 2 * u + 1], Gb[(i0 + 1) * N + j]);
                    }
            }
            mpz_set_ui(tr, 0);
            for (i = 0; i < N; i++)
                for (s = 0; s < nb; s++) {
                    long j0 = st[s], sb = st[s + 1] - j0, v;
                    for (v = 0; v < sb; v++) {
                        mpz_mul(h, Y[i * N + j0], Dz[4 * s + 2 * v]);
                        if (sb == 2)
                            mpz_addmul(h, Y[i * N + j0 + 1], Dz[4 * s + 2 * v + 1]);
                        mpz_addmul(tr, h, Gc[i * N + j0 + v]);
                    }
                }
            mpz_pow_ui(den, L, (unsigned long)(2 * t));
            mpz_mul(den, den, bden);
            mpz_mul(den, den, bden);
            mpz_mul(den, den, cden);
            mpz_mul(den, den, cden);
            mpq_set_num(out[l], tr);
            mpq_set_den(out[l], den);
            mpq_canonicalize(out[l]);
        }
        if (l == 0) {   /* D: ||D||^2, and 2 <C B, D> when direct */
            for (i = 0; i < p; i++)
                for (k = m->D.rowptr[i]; k < m->D.rowptr[i + 1]; k++) {
                    const __mpq_struct *e = m->D.val[k];
                    j = m->D.col[k];
                    mpq_mul(q, e, e);
                    mpq_add(out[l], out[l], q);
                    if (!modes)
                        continue;
                    mpz_set_ui(h, 0);
                    for (s = 0; s < N; s++)
                        mpz_addmul(h, Cz[i * N + s], Bz[s * d + j]);
                    mpz_mul(den, bden, cden);
                    mpq_set_num(q, h);
                    mpq_set_den(q, den);
                    mpq_canonicalize(q);
                    mpq_mul(q, q, e);
                    mpq_add(out[l], out[l], q);
                    mpq_add(out[l], out[l], q);
                }
        }
        if (modes && l + 1 < count) {   /* Dz <- Az Dz */
            /* the next lag's trace: N^2 products of Y's and the Gram
               matrices' entries, and Dz grows by A's bits: both within the
               work budget, Dz within --max-bits */
            double w = 0, gz = 1;
            for (i = 0; i < 4 * nb; i++) {
                mpq_set_z(q, Dz[i]);
                if ((rc = ssmhc_bits_check(q, "the lags C A^l B")) != 0)
                    break;
                if (limbs_z(Dz[i]) > w)
                    w = limbs_z(Dz[i]);
            }
            for (i = 0; i < N * N && rc == 0; i += N + 1)
                gz = fmax(gz, fmax(limbs_z(Gb[i]), limbs_z(Gc[i])));
            if (rc == 0)
                rc = ssmhc_work_spend((w + limbs_z(L)) * (8.0 * (double)nb + 3.0 * (double)N * (double)N * gz),
                                      "the lags C A^l B");
            if (rc != 0)
                break;
            for (s = 0; s < nb; s++) {
                for (i = 0; i < 4; i++) {
                    mpz_mul(T4[i], Az[4 * s + (i / 2) * 2], Dz[4 * s + i % 2]);
                    mpz_addmul(T4[i], Az[4 * s + (i / 2) * 2 + 1], Dz[4 * s + 2 + i % 2]);
                }
                for (i = 0; i < 4; i++)
                    mpz_swap(Dz[4 * s + i], T4[i]);
            }
            t++;
        }
    }
    for (i = 0; i < N * N; i++) {
        mpz_clear(Y[i]);
        mpz_clear(Gb[i]);
        mpz_clear(Gc[i]);
    }
    for (i = 0; i < N * d; i++)
        mpz_clear(Bz[i]);
    for (i = 0; i < p * N; i++)
        mpz_clear(Cz[i]);
    for (i = 0; i < 4 * nb; i++) {
        mpz_clear(Az[i]);
        mpz_clear(Dz[i]);
    }
    for (i = 0; i < 4; i++)
        mpz_clear(T4[i]);
    free(Y);
    free(Gb);
    free(Gc);
    free(Bz);
    free(Cz);
    free(b64);
    free(c64);
    free(Az);
    free(Dz);
    free(T4);
    free(st);
    mpz_clear(bden);
    mpz_clear(cden);
    mpz_clear(L);
    mpz_clear(tr);
    mpz_clear(h);
    mpz_clear(den);
    mpz_clear(x);
    mpq_clear(q);
    return rc;
}

int ssmhc_lag_norms_f2(mpq_t *out, const ssmhc_model *m, long count)
{
    return ssmhc_lag_norms_f2_by(out, m, count, 0);
}

/* Would three N x N integer matrices (B B^T, C^T C, the product) fit in
   the memory limit's share of a square matrix?  (A probe: no note.) */
static int gram_fits(const ssmhc_model *m)
{
    const ssmhc_limits *lim = ssmhc_limits_get();
    double bytes = 3.0 * 32.0 * (double)m->N * (double)m->N;
    return (double)m->N * (double)m->N <= (double)SSMHC_MAX_ENTRIES
           && (lim->max_memory == 0 || bytes <= (double)lim->max_memory / 4);
}

int ssmhc_lag_norms_f2_by(mpq_t *out, const ssmhc_model *m, long count, int method)
{
    blocks_t bl;
    double dense = (double)m->p * (double)m->d * (double)m->N;
    int rc;
    if (!m->block_diag || count <= 0 || method == 3)
        return norms_dense(out, m, count);
    blocks_init(&bl, m);
    if (method == 1 || (method == 0 && bl.pairs * SPARSE_RATIO < dense))
        rc = norms_sparse(out, m, &bl, count);
    else if (method == 2 || (method == 0 && dense > (double)GRAM_MIN_WORK && gram_fits(m)))
        rc = norms_gram(out, m, count);
    else
        rc = norms_dense(out, m, count);
    blocks_clear(&bl);
    return rc;
}
