/*
 * Arithmetic modulo a prime P < 2^63 for the checker's lower-bound step:
 * reduction of rationals (refused when P divides a denominator) and entries
 * of lag operators mod P.  Independent of the producer's code.
 */
#include "ssmhc-impl.h"
#include <stdlib.h>
#include <string.h>

u64 ssmhc_mulmod(u64 a, u64 b, u64 P)
{
    return (u64)(((unsigned __int128)a * b) % P);
}

u64 ssmhc_shoup_pre(u64 f, u64 P)
{
    return (u64)((((unsigned __int128)f) << 64) / P);
}

/* sum_i a[i * sa] b[i * sb] mod P: 128-bit products summed into a 192-bit
   accumulator (a carry count above 128 bits), reduced once at the end. */
static u64 dotmod(const u64 *a, long sa, const u64 *b, long sb, long n, u64 P)
{
    unsigned __int128 acc = 0, p;
    u64 carries = 0, two64, two128, r;
    long i;
    for (i = 0; i < n; i++) {
        p = (unsigned __int128)a[i * sa] * b[i * sb];
        acc += p;
        carries += acc < p;
    }
    r = (u64)(acc % P);
    if (carries) {
        two64 = (u64)(((unsigned __int128)1 << 64) % P);
        two128 = ssmhc_mulmod(two64, two64, P);
        r = (u64)(((unsigned __int128)r + ssmhc_mulmod(carries % P, two128, P)) % P);
    }
    return r;
}

u64 ssmhc_powmod(u64 a, u64 e, u64 P)
{
    u64 r = 1;
    while (e) {
        if (e & 1)
            r = ssmhc_mulmod(r, a, P);
        a = ssmhc_mulmod(a, a, P);
        e >>= 1;
    }
    return r;
}

/* Inverses of denominators mod P, direct-mapped by the residue: float data
   has few distinct denominators (powers of two), so most entries need no
   exponentiation. */
#define INV_CACHE 256   /* = 2^8, the shift below */
typedef struct {
    u64 den[INV_CACHE], inv[INV_CACHE];
} inv_cache;

static int reduce_cached(u64 *out, const mpq_t x, u64 P, inv_cache *ic)
{
    u64 n, d, slot;
    if (mpq_sgn(x) == 0) {   /* 0 (denominator 1 in canonical form) */
        *out = 0;
        return 0;
    }
    d = (u64)mpz_fdiv_ui(mpq_denref(x), (unsigned long)P);
    n = (u64)mpz_fdiv_ui(mpq_numref(x), (unsigned long)P);
    if (d == 0)
        return -1;
    if (d == 1) {
        *out = n;
        return 0;
    }
    slot = (u64)(d * 0x9E3779B97F4A7C15ULL) >> 56;   /* Fibonacci hashing: 256 slots */
    if (ic == NULL || ic->den[slot] != d) {
        u64 inv = ssmhc_powmod(d, P - 2, P);
        if (ic == NULL) {
            *out = ssmhc_mulmod(n, inv, P);
            return 0;
        }
        ic->den[slot] = d;
        ic->inv[slot] = inv;
    }
    *out = ssmhc_mulmod(n, ic->inv[slot], P);
    return 0;
}

int ssmhc_reduce(u64 *out, const mpq_t x, u64 P)
{
    return reduce_cached(out, x, P, NULL);
}

int ssmhc_reduce_mat(u64 *out, const ssmhc_qmat *m, u64 P)
{
    size_t i, n = (size_t)m->rows * (size_t)m->cols;
    inv_cache *ic = ssmhc_calloc(1, sizeof(inv_cache));   /* den 0 never occurs */
    int rc = 0;
    for (i = 0; i < n && rc == 0; i++)
        rc = reduce_cached(out + i, m->e[i], P, ic);
    free(ic);
    return rc;
}

int ssmhc_reduce_smat(u64 *out, const ssmhc_smat *m, u64 P)
{
    long i, k;
    inv_cache *ic = ssmhc_calloc(1, sizeof(inv_cache));
    int rc = 0;
    memset(out, 0, sizeof(u64) * (size_t)m->rows * (size_t)m->cols);
    for (i = 0; i < m->rows && rc == 0; i++)
        for (k = m->rowptr[i]; k < m->rowptr[i + 1] && rc == 0; k++)
            rc = reduce_cached(out + (size_t)i * (size_t)m->cols + (size_t)m->col[k], m->val[k], P, ic);
    free(ic);
    return rc;
}

int ssmhc_reduce_smat_values(u64 *out, const ssmhc_smat *m, u64 P)
{
    long k, nnz = m->rowptr[m->rows];
    inv_cache *ic = ssmhc_calloc(1, sizeof(inv_cache));
    int rc = 0;
    for (k = 0; k < nnz && rc == 0; k++)
        rc = reduce_cached(out + k, m->val[k], P, ic);
    free(ic);
    return rc;
}

static u64 addmod(u64 a, u64 b, u64 P)
{
    u64 t = a + b;   /* a, b < P < 2^63: no overflow */
    return t - (P & (0 - (u64)(t >= P)));
}

/* Block-diagonal A: each used input column c evolves only on the blocks
   where B[., c] is nonzero, and only those states meet C.  Each step of
   x <- A x takes two Shoup products per state (A's entries are fixed).
   B's columns come from its transpose and C's rows are merged with the
   active states: nothing of size p N or N d. */
static int lag_entries_blocks(u64 *out, const ssmhc_model *m, const long *lags, long r,
                              const long *erow, const long *ecol, u64 P)
{
    long N = m->N, d = m->d, c, i, j, li, na, k;
    u64 *a = ssmhc_malloc(sizeof(u64) * (size_t)(2 * N)), *x = ssmhc_malloc(sizeof(u64) * (size_t)N);
    u64 *y = ssmhc_malloc(sizeof(u64) * (size_t)N);
    long *act = ssmhc_malloc(sizeof(long) * (size_t)N), *part = ssmhc_malloc(sizeof(long) * (size_t)N);
    u64 **crows = ssmhc_calloc((size_t)(r > 0 ? r : 1), sizeof(u64 *));
    /* per active state: diagonal entry, partner entry, their Shoup companions */
    u64 *ad = ssmhc_malloc(sizeof(u64) * (size_t)N), *adp = ssmhc_malloc(sizeof(u64) * (size_t)N);
    u64 *ao = ssmhc_malloc(sizeof(u64) * (size_t)N), *aop = ssmhc_malloc(sizeof(u64) * (size_t)N);
    long *jl = ssmhc_malloc(sizeof(long) * (size_t)(r > 0 ? r : 1)), nj;
    inv_cache *ic = ssmhc_calloc(1, sizeof(inv_cache));
    ssmhc_smat Bt;
    int rc = -1;

    ssmhc_smat_transpose(&Bt, &m->B);   /* row c: the states B[., c] is nonzero on */
    if (ssmhc_reduce_mat(a, &m->Ab, P) != 0)
        goto done;
    for (c = 0; c < d; c++) {
        long power = 0;
        /* the entries in column c */
        for (j = 0, nj = 0; j < r; j++)
            if (ecol[j] == c)
                jl[nj++] = j;
        if (nj == 0)
            continue;
        /* the active states: whole blocks meeting a nonzero of B[., c] */
        na = ssmhc_model_block_support(act, part, m, &Bt, c);
        for (i = 0, k = Bt.rowptr[c]; i < na; i++) {
            long t = act[i];
            ad[i] = a[2 * t];
            adp[i] = ssmhc_shoup_pre(ad[i], P);
            ao[i] = part[i] >= 0 ? a[2 * t + 1] : 0;
            aop[i] = ssmhc_shoup_pre(ao[i], P);
            x[i] = 0;
            if (k < Bt.rowptr[c + 1] && Bt.col[k] == t) {
                if (reduce_cached(&x[i], Bt.val[k], P, ic) != 0)
                    goto done;
                k++;
            }
        }
        for (li = 0; li < r; li++) {
            long lag = lags[li], want = m->delayed ? lag - 1 : lag;
            while (want >= 0 && power < want) {
                for (i = 0; i < na; i++) {
                    u64 v = ssmhc_shoup_mul(ad[i], adp[i], x[i], P);
                    if (part[i] >= 0)
                        v = addmod(v, ssmhc_shoup_mul(ao[i], aop[i], x[part[i]], P), P);
                    y[i] = v;
                }
                { u64 *sw = x; x = y; y = sw; }
                power++;
            }
            for (i = 0; i < nj; i++) {
                u64 v = 0;
                j = jl[i];
                if (want >= 0) {
                    if (crows[j] == NULL) { /* C[erow[j], act] gathered once */
                        const ssmhc_smat *C = &m->C;
                        long q = C->rowptr[erow[j]], qe = C->rowptr[erow[j] + 1], t;
                        crows[j] = ssmhc_malloc(sizeof(u64) * (size_t)(na > 0 ? na : 1));
                        for (t = 0; t < na; t++) {   /* both increase: a merge */
                            crows[j][t] = 0;
                            while (q < qe && C->col[q] < act[t])
                                q++;
                            if (q < qe && C->col[q] == act[t]
                                && reduce_cached(&crows[j][t], C->val[q], P, ic) != 0)
                                goto done;
                        }
                    }
                    v = dotmod(crows[j], 1, x, 1, na, P);
                }
                if (lag == 0) {
                    u64 dv;
                    if (reduce_cached(&dv, ssmhc_smat_entry(&m->D, erow[j], c), P, ic) != 0)
                        goto done;
                    v = addmod(v, dv, P);
                }
                out[li * r + j] = v;
            }
        }
        for (i = 0; i < nj; i++) {   /* the gathered rows belong to this column's states */
            free(crows[jl[i]]);
            crows[jl[i]] = NULL;
        }
    }
    rc = 0;
done:
    free(a);
    free(x);
    free(y);
    free(act);
    free(part);
    for (j = 0; j < r; j++)
        free(crows[j]);
    free(crows);
    free(ad);
    free(adp);
    free(ao);
    free(aop);
    free(jl);
    free(ic);
    ssmhc_smat_clear(&Bt);
    return rc;
}

/* Entries K_l[row_j][col_j] mod P for the lags l = lags[0..r-1] (increasing):
   X_l = A^l B column by column, only for the columns that occur (each kept
   contiguous, so every step is a row of A against a column: N^2 per column
   and lag). */
int ssmhc_lag_entries_mod(u64 *out, const ssmhc_model *m, const long *lags, long r,
                          const long *erow, const long *ecol, u64 P)
{
    long N = m->N, d = m->d, p = m->p, i, j, u, li, nu;
    u64 *A, *B, *C, *D, *X, *Y;
    long *colidx;
    int rc = -1;
    long power = 0; /* X holds A^power B */

    if (m->block_diag)
        return lag_entries_blocks(out, m, lags, r, erow, ecol, P);
    A = malloc(sizeof(u64) * (size_t)(N * N));
    B = malloc(sizeof(u64) * (size_t)(N * d));
    C = malloc(sizeof(u64) * (size_t)(p * N));
    D = malloc(sizeof(u64) * (size_t)(p * d));
    colidx = malloc(sizeof(long) * (size_t)d);
    if (!A || !B || !C || !D || !colidx)
        ssmhc_out_of_memory(NULL);
    for (j = 0; j < d; j++)
        colidx[j] = -1;
    for (j = 0; j < r; j++)
        colidx[ecol[j]] = 0;
    for (j = 0, nu = 0; j < d; j++)
        if (colidx[j] >= 0)
            colidx[j] = nu++;
    /* X and Y: nu used columns of N entries each (column-major) */
    X = malloc(sizeof(u64) * (size_t)(N * (nu > 0 ? nu : 1)));
    Y = malloc(sizeof(u64) * (size_t)(N * (nu > 0 ? nu : 1)));
    if (!X || !Y)
        ssmhc_out_of_memory(NULL);
    if (ssmhc_reduce_mat(A, &m->A, P) || ssmhc_reduce_smat(B, &m->B, P)
        || ssmhc_reduce_smat(C, &m->C, P) || ssmhc_reduce_smat(D, &m->D, P))
        goto done;
    for (j = 0; j < d; j++)
        if (colidx[j] >= 0)
            for (i = 0; i < N; i++)
                X[colidx[j] * N + i] = B[i * d + j];
    for (li = 0; li < r; li++) {
        long lag = lags[li];
        long want = m->delayed ? lag - 1 : lag; /* the power of A needed */
        while (want >= 0 && power < want) {
            for (i = 0; i < N; i++)
                for (u = 0; u < nu; u++)
                    Y[u * N + i] = dotmod(A + i * N, 1, X + u * N, 1, N, P);
            { u64 *sw = X; X = Y; Y = sw; }
            power++;
        }
        for (j = 0; j < r; j++) {
            u64 v = 0;
            if (want >= 0)
                v = dotmod(C + erow[j] * N, 1, X + colidx[ecol[j]] * N, 1, N, P);
            if (lag == 0)
                v = addmod(v, D[erow[j] * d + ecol[j]], P);
            out[li * r + j] = v;
        }
    }
    rc = 0;
done:
    free(A);
    free(B);
    free(C);
    free(D);
    free(X);
    free(Y);
    free(colidx);
    return rc;
}

long ssmhc_support(const ssmhc_model *m)
{
    long p = m->p, d = m->d, N = m->N, i, j, k, s, t, b, count = 0, nr, nc;
    char *mask, *mr, *mc;
    long *rows, *cols;
    ssmhc_smat Ct;
    if (!m->block_diag)
        return p * d;
    mask = ssmhc_calloc((size_t)(p * d), 1);   /* p x d: bounded with D */
    mr = ssmhc_calloc((size_t)p, 1);
    mc = ssmhc_calloc((size_t)d, 1);
    rows = ssmhc_malloc(sizeof(long) * (size_t)p);
    cols = ssmhc_malloc(sizeof(long) * (size_t)d);
    for (i = 0; i < p; i++)
        for (k = m->D.rowptr[i]; k < m->D.rowptr[i + 1]; k++) {
            mask[i * d + m->D.col[k]] = 1;
            count++;
        }
    ssmhc_smat_transpose(&Ct, &m->C);   /* row t: the rows of C state t meets */
    /* per block: the rows of C and the columns of B it touches; stop once
       every position is marked (a dense layer's first block does that) */
    for (s = 0; s < N && count < p * d; s += b) {
        b = m->blk[s] == 1 ? 2 : 1;
        nr = nc = 0;
        for (t = s; t < s + b; t++) {
            for (k = Ct.rowptr[t]; k < Ct.rowptr[t + 1]; k++)
                if (!mr[Ct.col[k]]) {
                    mr[Ct.col[k]] = 1;
                    rows[nr++] = Ct.col[k];
                }
            for (k = m->B.rowptr[t]; k < m->B.rowptr[t + 1]; k++)
                if (!mc[m->B.col[k]]) {
                    mc[m->B.col[k]] = 1;
                    cols[nc++] = m->B.col[k];
                }
        }
        for (i = 0; i < nr; i++)
            for (j = 0; j < nc; j++) {
                char *x = mask + rows[i] * d + cols[j];
                count += !*x;
                *x = 1;
            }
        for (i = 0; i < nr; i++)
            mr[rows[i]] = 0;
        for (j = 0; j < nc; j++)
            mc[cols[j]] = 0;
    }
    free(mask);
    free(mr);
    free(mc);
    free(rows);
    free(cols);
    ssmhc_smat_clear(&Ct);
    return count;
}
