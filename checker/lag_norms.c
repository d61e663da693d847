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
} blocks_t;

static void blocks_init(blocks_t *bl, const ssmhc_model *m)
{
    long s, i, j, t, k, nr = 0, nc = 0;
    bl->st = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    bl->rs = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    bl->cs = ssmhc_malloc(sizeof(long) * (size_t)(m->N + 1));
    if (!bl->st || !bl->rs || !bl->cs)
        ssmhc_out_of_memory(NULL);
    for (s = 0, k = 0; s < m->N; s += bsz(m, s))
        bl->st[k++] = s;
    bl->nb = k;
    bl->st[k] = m->N;
    /* two passes: count, then fill */
    for (k = 0; k < bl->nb; k++)
        for (i = 0; i < m->p; i++)
            for (t = bl->st[k]; t < bl->st[k + 1]; t++)
                if (mpq_sgn(SSMHC_Q(&m->C, i, t)) != 0) {
                    nr++;
                    break;
                }
    for (k = 0; k < bl->nb; k++)
        for (j = 0; j < m->d; j++)
            for (t = bl->st[k]; t < bl->st[k + 1]; t++)
                if (mpq_sgn(SSMHC_Q(&m->B, t, j)) != 0) {
                    nc++;
                    break;
                }
    bl->r = ssmhc_malloc(sizeof(long) * (size_t)(nr > 0 ? nr : 1));
    bl->c = ssmhc_malloc(sizeof(long) * (size_t)(nc > 0 ? nc : 1));
    if (!bl->r || !bl->c)
        ssmhc_out_of_memory(NULL);
    bl->pairs = 0;
    for (k = 0, nr = nc = 0; k < bl->nb; k++) {
        bl->rs[k] = nr;
        bl->cs[k] = nc;
        for (i = 0; i < m->p; i++)
            for (t = bl->st[k]; t < bl->st[k + 1]; t++)
                if (mpq_sgn(SSMHC_Q(&m->C, i, t)) != 0) {
                    bl->r[nr++] = i;
                    break;
                }
        for (j = 0; j < m->d; j++)
            for (t = bl->st[k]; t < bl->st[k + 1]; t++)
                if (mpq_sgn(SSMHC_Q(&m->B, t, j)) != 0) {
                    bl->c[nc++] = j;
                    break;
                }
        bl->pairs += (double)(nr - bl->rs[k]) * (double)(nc - bl->cs[k]);
    }
    bl->rs[bl->nb] = nr;
    bl->cs[bl->nb] = nc;
}

static void blocks_clear(blocks_t *bl)
{
    free(bl->st);
    free(bl->rs);
    free(bl->cs);
    free(bl->r);
    free(bl->c);
}

/* X[t][y] = (A^power B)[t][c[y]] for the columns each block touches, kept
   per block; K accumulated densely at the touched positions only. */
static int norms_sparse(mpq_t *out, const ssmhc_model *m, const blocks_t *bl, long count)
{
    long p = m->p, d = m->d, nx = 0, k, y, x, t, u, l, e, nnz;
    double bigA = limbs_A(m);
    int rc = 0;
    long *xoff = ssmhc_malloc(sizeof(long) * (size_t)(bl->nb + 1));
    mpq_t *X, *Y, *K, s, v;
    long *nz = ssmhc_malloc(sizeof(long) * (size_t)(p * d > 0 ? p * d : 1));
    char *mark = ssmhc_calloc((size_t)(p * d > 0 ? p * d : 1), 1);
    if (!xoff || !nz || !mark)
        ssmhc_out_of_memory(NULL);
    for (k = 0; k < bl->nb; k++) {
        xoff[k] = nx;
        nx += (bl->st[k + 1] - bl->st[k]) * (bl->cs[k + 1] - bl->cs[k]);
    }
    xoff[bl->nb] = nx;
    X = ssmhc_malloc(sizeof(mpq_t) * (size_t)(nx > 0 ? nx : 1));
    Y = ssmhc_malloc(sizeof(mpq_t) * (size_t)(nx > 0 ? nx : 1));
    K = ssmhc_malloc(sizeof(mpq_t) * (size_t)(p * d > 0 ? p * d : 1));
    if (!X || !Y || !K)
        ssmhc_out_of_memory(NULL);
    for (e = 0; e < nx; e++) {
        mpq_init(X[e]);
        mpq_init(Y[e]);
    }
    for (e = 0; e < p * d; e++)
        mpq_init(K[e]);
    mpq_init(s);
    mpq_init(v);
    for (k = 0; k < bl->nb; k++) {   /* X = B on the touched columns */
        long nb = bl->st[k + 1] - bl->st[k], ncol = bl->cs[k + 1] - bl->cs[k];
        for (t = 0; t < nb; t++)
            for (y = 0; y < ncol; y++)
                mpq_set(X[xoff[k] + t * ncol + y], SSMHC_Q(&m->B, bl->st[k] + t, bl->c[bl->cs[k] + y]));
    }
    for (l = 0; l < count; l++) {
        int modes = !(m->delayed && l == 0);
        nnz = 0;
        if (modes)
            for (k = 0; k < bl->nb; k++) {
                long nb = bl->st[k + 1] - bl->st[k], ncol = bl->cs[k + 1] - bl->cs[k];
                for (x = bl->rs[k]; x < bl->rs[k + 1]; x++)
                    for (y = 0; y < ncol; y++) {
                        long i = bl->r[x], j = bl->c[bl->cs[k] + y];
                        mpq_set_ui(s, 0, 1);
                        for (t = 0; t < nb; t++) {
                            mpq_mul(v, SSMHC_Q(&m->C, i, bl->st[k] + t), X[xoff[k] + t * ncol + y]);
                            mpq_add(s, s, v);
                        }
                        mpq_add(K[i * d + j], K[i * d + j], s);
                        if (!mark[i * d + j]) {
                            mark[i * d + j] = 1;
                            nz[nnz++] = i * d + j;
                        }
                    }
            }
        if (l == 0)
            for (e = 0; e < p * d; e++)
                if (mpq_sgn(m->D.e[e]) != 0) {
                    mpq_add(K[e], K[e], m->D.e[e]);
                    if (!mark[e]) {
                        mark[e] = 1;
                        nz[nnz++] = e;
                    }
                }
        mpq_set_ui(out[l], 0, 1);
        for (e = 0; e < nnz; e++) {
            mpq_mul(v, K[nz[e]], K[nz[e]]);
            mpq_add(out[l], out[l], v);
            mpq_set_ui(K[nz[e]], 0, 1);
            mark[nz[e]] = 0;
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
                rc = ssmhc_work_spend(w * (2.0 * bigA + (double)(p > 0 ? p : 1)), "the lags C A^l B");
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
    for (e = 0; e < nx; e++) {
        mpq_clear(X[e]);
        mpq_clear(Y[e]);
    }
    for (e = 0; e < p * d; e++)
        mpq_clear(K[e]);
    free(X);
    free(Y);
    free(K);
    free(xoff);
    free(nz);
    free(mark);
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
    long *st;
    mpq_t q;

    mpz_init(bden);
    mpz_init(cden);
    mpz_init(L);
    mpz_init(tr);
    mpz_init(h);
    mpz_init(den);
    mpz_init(x);
    mpq_init(q);
    Bz = scaled(bden, &b64, &bfit, &m->B);
    Cz = Bz != NULL ? scaled(cden, &c64, &cfit, &m->C) : NULL;
    if (Cz == NULL) {   /* a common denominator past a limit (noted) */
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
                for (j = 0; j < d; j++) {
                    const __mpq_struct *e = SSMHC_Q(&m->D, i, j);
                    if (mpq_sgn(e) == 0)
                        continue;
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
