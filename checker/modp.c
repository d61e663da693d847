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
    mpz_init(t);
    mpz_fdiv_r_ui(t, mpq_denref(x), (unsigned long)P);
    d = mpz_get_ui(t);
    mpz_fdiv_r_ui(t, mpq_numref(x), (unsigned long)P);
    n = mpz_get_ui(t);
    mpz_clear(t);
    if (d == 0)
        return -1;
    *out = ssmhc_mulmod(n, powmod(d, P - 2, P), P);
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

/* Entries K_l[row_j][col_j] mod P for the lags l = lags[0..r-1] (increasing):
   X_l = A^l B column by column, only for the columns that occur. */
int ssmhc_lag_entries_mod(u64 *out, const ssmhc_model *m, const long *lags, long r,
                          const long *erow, const long *ecol, u64 P)
{
    long N = m->N, d = m->d, p = m->p, i, j, s, l, c, li;
    u64 *A = malloc(sizeof(u64) * (size_t)(N > 0 ? N * N : 1));
    u64 *B = malloc(sizeof(u64) * (size_t)(N * d));
    u64 *C = malloc(sizeof(u64) * (size_t)(p * N));
    u64 *D = malloc(sizeof(u64) * (size_t)(p * d));
    u64 *X = malloc(sizeof(u64) * (size_t)(N * d)), *Y = malloc(sizeof(u64) * (size_t)N);
    char *used = calloc((size_t)d, 1);
    int rc = -1;
    long power = 0; /* X holds A^power B */

    if (!A || !B || !C || !D || !X || !Y || !used)
        abort();
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
                if (m->block_diag) {
                    for (i = 0; i < N;) {
                        long b = (i + 1 < N && mpq_sgn(SSMHC_Q(&m->A, i, i + 1)) != 0) ? 2 : 1;
                        if (b == 1) {
                            Y[i] = ssmhc_mulmod(A[i * N + i], X[i * d + c], P);
                        } else {
                            Y[i] = (ssmhc_mulmod(A[i * N + i], X[i * d + c], P)
                                    + ssmhc_mulmod(A[i * N + i + 1], X[(i + 1) * d + c], P)) % P;
                            Y[i + 1] = (ssmhc_mulmod(A[(i + 1) * N + i], X[i * d + c], P)
                                        + ssmhc_mulmod(A[(i + 1) * N + i + 1], X[(i + 1) * d + c], P)) % P;
                        }
                        i += b;
                    }
                } else {
                    for (i = 0; i < N; i++) {
                        unsigned __int128 acc = 0;
                        for (s = 0; s < N; s++) {
                            acc += (unsigned __int128)A[i * N + s] * X[s * d + c];
                            if ((s & 15) == 15)
                                acc %= P;
                        }
                        Y[i] = (u64)(acc % P);
                    }
                }
                for (i = 0; i < N; i++)
                    X[i * d + c] = Y[i];
            }
            power++;
        }
        for (j = 0; j < r; j++) {
            u64 v = 0;
            if (want >= 0) {
                unsigned __int128 acc = 0;
                for (s = 0; s < N; s++) {
                    acc += (unsigned __int128)C[erow[j] * N + s] * X[s * d + ecol[j]];
                    if ((s & 15) == 15)
                        acc %= P;
                }
                v = (u64)(acc % P);
            }
            if (lag == 0)
                v = (v + D[erow[j] * d + ecol[j]]) % P;
            out[li * r + j] = v;
        }
        (void)l;
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
        abort();
    for (i = 0; i < p * d; i++)
        mask[i] = mpq_sgn(m->D.e[i]) != 0;
    for (s = 0; s < N; s += b) {
        b = (s + 1 < N && mpq_sgn(SSMHC_Q(&m->A, s, s + 1)) != 0) ? 2 : 1;
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
