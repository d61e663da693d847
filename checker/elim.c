/*
 * Leading principal minors modulo P for the checker's lower-bound steps:
 * Gaussian elimination in the given order, no pivoting.  Independent of
 * the producer's code.
 *
 * Guarantee: ssmhc_leading_minors_mod returns 0 only when every pivot is
 * nonzero and has an inverse mod P that was checked (pivot * inverse = 1),
 * so each leading minor is a unit mod P, hence nonzero over Q whatever P
 * is.  Two paths compute the same elimination: for P < 2^28 a blocked one
 * in 32-bit residues whose sums of up to 256 products stay below 2^64 and
 * are reduced once (Barrett, two corrections); otherwise one reduction per
 * product (Shoup, any P < 2^63).
 */
#include "ssmhc-impl.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_P_BITS 28
#define PANEL 256   /* (2^28 - 1)^2 * 256 < 2^64 */
#define SMALL_MIN_DIM 32

/* The vectorised kernels: built for AVX2 and plain x86-64, picked at run
   time, where the compiler supports it. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && __GNUC__ >= 8
#define KERNEL __attribute__((target_clones("avx2", "default"), optimize("O3")))
#else
#define KERNEL
#endif

/* x mod P for x < 2^64, P < 2^28, pinv = floor(2^64 / P): the quotient
   estimate is at most 2 short. */
static inline u64 barrett(u64 x, u64 P, u64 pinv)
{
    u64 q = (u64)(((unsigned __int128)x * pinv) >> 64), r = x - q * P;
    if (r >= P)
        r -= P;
    if (r >= P)
        r -= P;
    return r;
}

static inline uint32_t submod32(uint32_t x, u64 s, u64 P)
{
    return (uint32_t)(x >= s ? x - s : x + P - s);
}

/* acc[0 .. w) += sum_k l[k] U[k][0 .. w), U with row stride ld. */
KERNEL static void axpy_rows(u64 *acc, const uint32_t *l, const uint32_t *U, long ld, long kb,
                             long w)
{
    long k, j;
    for (k = 0; k < kb; k++) {
        u64 a = l[k];
        const uint32_t *u = U + (size_t)k * (size_t)ld;
        for (j = 0; j < w; j++)
            acc[j] += a * u[j];
    }
}

KERNEL static u64 dot32(const uint32_t *a, const uint32_t *b, long t)
{
    u64 s = 0;
    long k;
    for (k = 0; k < t; k++)
        s += (u64)a[k] * b[k];
    return s;
}

/* Right-looking blocked LU in place (A: n x n residues < P < 2^28): the
   panel of PANEL columns column by column (each entry one dot product
   of at most PANEL terms), then U's panel rows, then the trailing
   update A22 -= L21 U12 with 64-bit sums. */
static long eliminate_small(uint32_t *A, long n, u64 P)
{
    u64 pinv = (u64)((((unsigned __int128)1) << 64) / P), *acc;
    uint32_t *ucol;
    long k0, i, j;
    acc = ssmhc_malloc(sizeof(u64) * (size_t)n);
    ucol = ssmhc_malloc(sizeof(uint32_t) * PANEL);
    for (k0 = 0; k0 < n; k0 += PANEL) {
        long kb = n - k0 < PANEL ? n - k0 : PANEL, c0 = k0 + kb, w = n - c0;
        for (j = k0; j < c0; j++) {
            long t = j - k0;
            u64 piv, inv;
            for (i = k0; i <= j; i++) {   /* U[k0 .. j][j], top down */
                uint32_t *x = A + (size_t)i * (size_t)n + j;
                *x = submod32(*x, barrett(dot32(A + (size_t)i * (size_t)n + k0, ucol, i - k0), P, pinv), P);
                if (i < j)
                    ucol[i - k0] = *x;
            }
            piv = A[(size_t)j * (size_t)n + j];
            if (piv == 0) {
                free(acc);
                free(ucol);
                return j + 1;
            }
            inv = ssmhc_powmod(piv, P - 2, P);
            if (ssmhc_mulmod(inv, piv, P) != 1) {
                free(acc);
                free(ucol);
                return -(j + 1);
            }
            for (i = j + 1; i < n; i++) {   /* L[j + 1 ..][j] */
                uint32_t *x = A + (size_t)i * (size_t)n + j;
                u64 v = submod32(*x, barrett(dot32(A + (size_t)i * (size_t)n + k0, ucol, t), P, pinv), P);
                *x = (uint32_t)ssmhc_mulmod(v, inv, P);
            }
        }
        if (w <= 0)
            break;
        /* U12: row i -= sum_{k0 <= k < i} L[i][k] U12[k], top down */
        for (i = k0 + 1; i < c0; i++) {
            uint32_t *row = A + (size_t)i * (size_t)n + c0;
            memset(acc, 0, sizeof(u64) * (size_t)w);
            axpy_rows(acc, A + (size_t)i * (size_t)n + k0, A + (size_t)k0 * (size_t)n + c0, n,
                      i - k0, w);
            for (j = 0; j < w; j++)
                row[j] = submod32(row[j], barrett(acc[j], P, pinv), P);
        }
        for (i = c0; i < n; i++) {   /* A22 -= L21 U12 */
            uint32_t *row = A + (size_t)i * (size_t)n + c0;
            memset(acc, 0, sizeof(u64) * (size_t)w);
            axpy_rows(acc, A + (size_t)i * (size_t)n + k0, A + (size_t)k0 * (size_t)n + c0, n,
                      kb, w);
            for (j = 0; j < w; j++)
                row[j] = submod32(row[j], barrett(acc[j], P, pinv), P);
        }
    }
    free(acc);
    free(ucol);
    return 0;
}

/* One Shoup product per update: any P < 2^63. */
static long eliminate_any(u64 *X, long r, u64 P)
{
    long i, j, k;
    for (k = 0; k < r; k++) {
        u64 piv = X[k * r + k], inv;
        if (piv == 0)
            return k + 1;
        inv = ssmhc_powmod(piv, P - 2, P);
        if (ssmhc_mulmod(inv, piv, P) != 1) /* P is not prime after all */
            return -(k + 1);
        for (i = k + 1; i < r; i++) {
            u64 f = ssmhc_mulmod(X[i * r + k], inv, P), fp, *xi = X + i * r;
            const u64 *xk = X + k * r;
            if (f == 0)
                continue;
            fp = ssmhc_shoup_pre(f, P);
            for (j = k; j < r; j++) {
                u64 t = ssmhc_shoup_mul(f, fp, xk[j], P);
                u64 v = xi[j] - t;
                xi[j] = v + (P & (0 - (u64)(xi[j] < t))); /* branch-free */
            }
        }
    }
    return 0;
}

long ssmhc_leading_minors_mod32(uint32_t *A, long r, u64 P)
{
    long i, n = r * r, res;
    u64 *X;
    if (P < ((u64)1 << SMALL_P_BITS))
        return eliminate_small(A, r, P);
    X = ssmhc_malloc(sizeof(u64) * (size_t)(n > 0 ? n : 1));
    for (i = 0; i < n; i++)
        X[i] = A[i] % P;
    res = eliminate_any(X, r, P);
    free(X);
    return res;
}

long ssmhc_leading_minors_mod(u64 *X, long r, u64 P)
{
    long res;
    size_t i, n = (size_t)r * (size_t)r;
    uint32_t *A;
    if (P >= ((u64)1 << SMALL_P_BITS) || r < SMALL_MIN_DIM)
        return eliminate_any(X, r, P);
    A = ssmhc_malloc(sizeof(uint32_t) * (n > 0 ? n : 1));
    for (i = 0; i < n; i++)
        A[i] = (uint32_t)(X[i] % P);
    res = eliminate_small(A, r, P);
    free(A);
    return res;
}
