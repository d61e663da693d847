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

static u64 powmod(u64 a, u64 e, u64 P)
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

int ssmhc_reduce(u64 *out, const mpq_t x, u64 P)
{
    mpz_t t;
    u64 n, d;
    if (mpq_sgn(x) == 0) {   /* 0 (denominator 1 in canonical form) */
        *out = 0;
        return 0;
    }
    mpz_init(t);
    mpz_fdiv_r_ui(t, mpq_denref(x), (unsigned long)P);
    d = mpz_get_ui(t);
    mpz_fdiv_r_ui(t, mpq_numref(x), (unsigned long)P);
    n = mpz_get_ui(t);
    mpz_clear(t);
    if (d == 0)
        return -1;
    *out = d == 1 ? n : ssmhc_mulmod(n, powmod(d, P - 2, P), P);
    return 0;
}

int ssmhc_reduce_mat(u64 *out, const ssmhc_qmat *m, u64 P)
{
    size_t i, n = (size_t)m->rows * (size_t)m->cols;
    for (i = 0; i < n; i++)
        if (ssmhc_reduce(out + i, m->e[i], P) != 0)
            return -1;
    return 0;
}

/* Block-diagonal A: each used input column c evolves only on the blocks
   where B[., c] is nonzero, and only those states meet C. */
static int lag_entries_blocks(u64 *out, const ssmhc_model *m, const long *lags, long r,
                              const long *erow, const long *ecol, u64 P)
{
    long N = m->N, d = m->d, c, i, j, s, li, na;
    u64 *a = malloc(sizeof(u64) * (size_t)(2 * N)), *x = malloc(sizeof(u64) * (size_t)N);
    u64 *y = malloc(sizeof(u64) * (size_t)N);
    u64 *C = malloc(sizeof(u64) * (size_t)(m->p * N)), *D = malloc(sizeof(u64) * (size_t)(m->p * d));
    long *act = malloc(sizeof(long) * (size_t)N);
    u64 **crows = calloc((size_t)(r > 0 ? r : 1), sizeof(u64 *));
    u64 *ap = malloc(sizeof(u64) * (size_t)N); /* Shoup companions of A[i][i] */
    int rc = -1;

    if (!a || !x || !y || !act || !C || !D || !crows || !ap)
        ssmhc_out_of_memory(NULL);
    if (ssmhc_reduce_mat(a, &m->Ab, P) != 0 || ssmhc_reduce_mat(C, &m->C, P) != 0
        || ssmhc_reduce_mat(D, &m->D, P) != 0)
        goto done;
    for (i = 0; i < N; i++)
        ap[i] = ssmhc_shoup_pre(a[2 * i], P);
    for (c = 0; c < d; c++) {
        long power = 0;
        int used = 0;
        for (j = 0; j < r; j++)
            used |= ecol[j] == c;
        if (!used)
            continue;
        /* the active states: whole blocks meeting a nonzero of B[., c] */
        na = 0;
        for (s = 0; s < N; s += m->blk[s] == 1 ? 2 : 1) {
            long b = m->blk[s] == 1 ? 2 : 1, t;
            int nz = 0;
            for (t = s; t < s + b; t++)
                nz |= mpq_sgn(SSMHC_Q(&m->B, t, c)) != 0;
            if (nz)
                for (t = s; t < s + b; t++)
                    act[na++] = t;
        }
        for (i = 0; i < na; i++)
            if (ssmhc_reduce(&x[i], SSMHC_Q(&m->B, act[i], c), P) != 0)
                goto done;
        for (li = 0; li < r; li++) {
            long lag = lags[li], want = m->delayed ? lag - 1 : lag;
            while (want >= 0 && power < want) {
                for (i = 0; i < na; i++) {
                    long t = act[i];
                    y[i] = ssmhc_shoup_mul(a[2 * t], ap[t], x[i], P);
                    if (m->blk[t] == 1)
                        y[i] = (y[i] + ssmhc_mulmod(a[2 * t + 1], x[i + 1], P)) % P;
                    else if (m->blk[t] == 2)
                        y[i] = (y[i] + ssmhc_mulmod(a[2 * t + 1], x[i - 1], P)) % P;
                }
                memcpy(x, y, sizeof(u64) * (size_t)na);
                power++;
            }
            for (j = 0; j < r; j++) {
                u64 v = 0;
                if (ecol[j] != c)
                    continue;
                if (want >= 0) {
                    if (crows[j] == NULL) { /* C[erow[j], act] gathered once */
                        crows[j] = malloc(sizeof(u64) * (size_t)(na > 0 ? na : 1));
                        if (crows[j] == NULL)
                            ssmhc_out_of_memory(NULL);
                        for (i = 0; i < na; i++)
                            crows[j][i] = C[erow[j] * N + act[i]];
                    }
                    v = dotmod(crows[j], 1, x, 1, na, P);
                }
                if (lag == 0)
                    v = (v + D[erow[j] * d + c]) % P;
                out[li * r + j] = v;
            }
        }
    }
    rc = 0;
done:
    free(a);
    free(x);
    free(y);
    free(act);
    free(C);
    free(D);
    for (j = 0; j < r; j++)
        free(crows[j]);
    free(crows);
    free(ap);
    return rc;
}

/* Entries K_l[row_j][col_j] mod P for the lags l = lags[0..r-1] (increasing):
   X_l = A^l B column by column, only for the columns that occur. */
int ssmhc_lag_entries_mod(u64 *out, const ssmhc_model *m, const long *lags, long r,
                          const long *erow, const long *ecol, u64 P)
{
    long N = m->N, d = m->d, p = m->p, i, j, c, li;
    u64 *A, *B, *C, *D, *X, *Y;
    char *used;
    int rc = -1;
    long power = 0; /* X holds A^power B */

    if (m->block_diag)
        return lag_entries_blocks(out, m, lags, r, erow, ecol, P);
    A = malloc(sizeof(u64) * (size_t)(N * N));
    B = malloc(sizeof(u64) * (size_t)(N * d));
    C = malloc(sizeof(u64) * (size_t)(p * N));
    D = malloc(sizeof(u64) * (size_t)(p * d));
    X = malloc(sizeof(u64) * (size_t)(N * d));
    Y = malloc(sizeof(u64) * (size_t)N);
    used = calloc((size_t)d, 1);
    if (!A || !B || !C || !D || !X || !Y || !used)
        ssmhc_out_of_memory(NULL);
    if (ssmhc_reduce_mat(A, &m->A, P) || ssmhc_reduce_mat(B, &m->B, P)
        || ssmhc_reduce_mat(C, &m->C, P) || ssmhc_reduce_mat(D, &m->D, P))
        goto done;
    for (j = 0; j < r; j++)
        used[ecol[j]] = 1;
    memcpy(X, B, sizeof(u64) * (size_t)(N * d));
    for (li = 0; li < r; li++) {
        long lag = lags[li];
        long want = m->delayed ? lag - 1 : lag; /* the power of A needed */
        while (want >= 0 && power < want) {
            for (c = 0; c < d; c++) {
                if (!used[c])
                    continue;
                for (i = 0; i < N; i++)
                    Y[i] = dotmod(A + i * N, 1, X + c, d, N, P);
                for (i = 0; i < N; i++)
                    X[i * d + c] = Y[i];
            }
            power++;
        }
        for (j = 0; j < r; j++) {
            u64 v = 0;
            if (want >= 0)
                v = dotmod(C + erow[j] * N, 1, X + ecol[j], d, N, P);
            if (lag == 0)
                v = (v + D[erow[j] * d + ecol[j]]) % P;
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
    free(used);
    return rc;
}

long ssmhc_support(const ssmhc_model *m)
{
    long p = m->p, d = m->d, N = m->N, i, j, s, t, b, count = 0;
    char *mask;
    if (!m->block_diag)
        return p * d;
    mask = calloc((size_t)(p * d), 1);
    if (mask == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < p * d; i++)
        mask[i] = mpq_sgn(m->D.e[i]) != 0;
    for (s = 0; s < N; s += b) {
        b = m->blk[s] == 1 ? 2 : 1;
        for (i = 0; i < p; i++) {
            int ci = 0;
            for (t = s; t < s + b; t++)
                ci |= mpq_sgn(SSMHC_Q(&m->C, i, t)) != 0;
            if (!ci)
                continue;
            for (j = 0; j < d; j++)
                for (t = s; t < s + b; t++)
                    if (mpq_sgn(SSMHC_Q(&m->B, t, j)) != 0)
                        mask[i * d + j] = 1;
        }
    }
    for (i = 0; i < p * d; i++)
        count += mask[i];
    free(mask);
    return count;
}
