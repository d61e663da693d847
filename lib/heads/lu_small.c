/*
 * LU with row pivoting modulo a prime below 2^28, for the mode form of the
 * heads lower witness: a tall m x n matrix of full column rank is reduced
 * to PA = LU, and the rows perm[0 .. n-1] with the columns in order then
 * have nonzero leading minors.
 *
 * Guarantee: _ssmh_lu_small returns 1 only when every one of the n pivots
 * is a nonzero residue (its inverse checked), so the leading minors of the
 * permuted rows are nonzero mod P; 0 when some column has no nonzero pivot
 * left (rank below n mod P).  It is FLINT's nmod_mat_lu restricted to this
 * case, about three times faster there on FLINT 2.9 (whose triangular
 * solves spend most of that LU in scalar dot products): residues are 32
 * bits, sums of up to 256 products stay below 2^64 and are reduced once.
 */
#include "heads-impl.h"
#include <stdint.h>
#include <string.h>

#define PANEL 256   /* (2^28 - 1)^2 * 256 < 2^64 */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && __GNUC__ >= 8
#define KERNEL __attribute__((target_clones("avx2", "default"), optimize("O3")))
#else
#define KERNEL
#endif

/* x mod P for x < 2^64, P < 2^28, pinv = floor(2^64 / P). */
static inline ulong barrett(ulong x, ulong P, ulong pinv)
{
    ulong q = (ulong)(((unsigned __int128)x * pinv) >> 64), r = x - q * P;
    if (r >= P)
        r -= P;
    if (r >= P)
        r -= P;
    return r;
}

static inline uint32_t sub32(uint32_t x, ulong s, ulong P)
{
    return (uint32_t)(x >= s ? x - s : x + P - s);
}

/* acc[0 .. w) += sum_k l[k] U[k][0 .. w) (U with row stride ld). */
KERNEL static void axpy_rows(ulong *acc, const uint32_t *l, const uint32_t *U, slong ld,
                             slong kb, slong w)
{
    slong k, j;
    for (k = 0; k < kb; k++) {
        ulong a = l[k];
        const uint32_t *u = U + (size_t)k * (size_t)ld;
        for (j = 0; j < w; j++)
            acc[j] += a * u[j];
    }
}

KERNEL static ulong dot32(const uint32_t *a, const uint32_t *b, slong t)
{
    ulong s = 0;
    slong k;
    for (k = 0; k < t; k++)
        s += (ulong)a[k] * b[k];
    return s;
}

static void swap_rows(uint32_t *A, slong n, slong i, slong j, slong *perm)
{
    slong k, t = perm[i];
    uint32_t *a = A + (size_t)i * (size_t)n, *b = A + (size_t)j * (size_t)n;
    for (k = 0; k < n; k++) {
        uint32_t x = a[k];
        a[k] = b[k];
        b[k] = x;
    }
    perm[i] = perm[j];
    perm[j] = t;
}

int _ssmh_lu_small(slong *perm, uint32_t *A, slong m, slong n, ulong P)
{
    ulong pinv = (ulong)((((unsigned __int128)1) << 64) / P), *acc;
    uint32_t *ucol;
    slong k0, i, j;
    nmod_t mod;
    int ok = 1;

    nmod_init(&mod, P);
    for (i = 0; i < m; i++)
        perm[i] = i;
    acc = flint_malloc(sizeof(ulong) * (size_t)FLINT_MAX(1, n));
    ucol = flint_malloc(sizeof(uint32_t) * PANEL);
    for (k0 = 0; k0 < n && ok; k0 += PANEL) {
        slong kb = FLINT_MIN(n - k0, PANEL), c0 = k0 + kb, w = n - c0;
        for (j = k0; j < c0 && ok; j++) {
            slong t = j - k0, pr = -1;
            ulong piv, inv;
            for (i = k0; i < j; i++) {   /* U[k0 .. j-1][j], top down */
                uint32_t *x = A + (size_t)i * (size_t)n + j;
                *x = sub32(*x, barrett(dot32(A + (size_t)i * (size_t)n + k0, ucol, i - k0), P, pinv), P);
                ucol[i - k0] = *x;
            }
            for (i = j; i < m; i++) {    /* the candidates for the pivot */
                uint32_t *x = A + (size_t)i * (size_t)n + j;
                *x = sub32(*x, barrett(dot32(A + (size_t)i * (size_t)n + k0, ucol, t), P, pinv), P);
                if (pr < 0 && *x != 0)
                    pr = i;
            }
            if (pr < 0) {
                ok = 0;
                break;
            }
            if (pr != j)
                swap_rows(A, n, pr, j, perm);
            piv = A[(size_t)j * (size_t)n + j];
            inv = n_invmod(piv, P);
            if (nmod_mul(inv, piv, mod) != 1) {
                ok = 0;
                break;
            }
            for (i = j + 1; i < m; i++) {
                uint32_t *x = A + (size_t)i * (size_t)n + j;
                *x = (uint32_t)nmod_mul(*x, inv, mod);
            }
        }
        if (!ok || w <= 0)
            break;
        /* U12: row i -= sum_{k0 <= k < i} L[i][k] U12[k], then A22 -= L21 U12 */
        for (i = k0 + 1; i < m; i++) {
            uint32_t *row = A + (size_t)i * (size_t)n + c0;
            memset(acc, 0, sizeof(ulong) * (size_t)w);
            axpy_rows(acc, A + (size_t)i * (size_t)n + k0, A + (size_t)k0 * (size_t)n + c0, n,
                      FLINT_MIN(i - k0, kb), w);
            for (j = 0; j < w; j++)
                row[j] = sub32(row[j], barrett(acc[j], P, pinv), P);
        }
    }
    flint_free(acc);
    flint_free(ucol);
    return ok;
}
