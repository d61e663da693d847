/*
 * Semidefiniteness by a rounded factor, for the checker (GMP only, no code
 * shared with the producer).  Guarantee: ssmhc_psd_factor returns 1 only
 * if S is PSD (PD when strict), 0 only if it is not, -1 when it cannot tell
 * (ssmhc_qmat_psd then eliminates exactly).
 *
 * Doubles only propose: a Cholesky factor of S - delta I, rounded to
 * integers Lz / 2^sh with |Lz| < 2^49; then E = S - L L^T is formed exactly
 * (den S in integers, Lz Lz^T in 128-bit sums) and S = L L^T + E is PSD when
 * E is diagonally dominant with a nonnegative diagonal (Gershgorin), PD when
 * also every Lz_ii != 0.  Against: when the Cholesky of S breaks down at
 * pivot k, x = L^-T e_k on the leading block, rounded, with x^T S x < 0
 * computed exactly.
 */
#include "ssmhc-impl.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FACTOR_MIN_DIM 24

typedef __int128 i128;

/* Cholesky of s - delta I into l (lower); returns n, or the failing pivot k. */
static long chol(double *l, const double *s, long n, double delta)
{
    long i, j, k;
    memset(l, 0, sizeof(double) * (size_t)(n * n));
    for (j = 0; j < n; j++) {
        double d = s[j * n + j] - delta;
        for (k = 0; k < j; k++)
            d -= l[j * n + k] * l[j * n + k];
        if (!(d > 0))
            return j;
        d = sqrt(d);
        l[j * n + j] = d;
        for (i = j + 1; i < n; i++) {
            double t = s[i * n + j];
            for (k = 0; k < j; k++)
                t -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = t / d;
        }
    }
    return n;
}

/* E' = Sz 2^(2 sh) - den Lz Lz^T: diagonally dominant, nonnegative diagonal? */
static int dominant(const mpz_t *Sz, const mpz_t den, const long long *Lz, long n, long sh)
{
    long i, j, k;
    mpz_t e, t, *diag = malloc(sizeof(mpz_t) * (size_t)n), *off = malloc(sizeof(mpz_t) * (size_t)n);
    int ok = 1;
    if (diag == NULL || off == NULL)
        ssmhc_out_of_memory(NULL);
    mpz_init(e);
    mpz_init(t);
    for (i = 0; i < n; i++) {
        mpz_init(diag[i]);
        mpz_init(off[i]);
    }
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++) {
            i128 acc = 0;   /* |Lz| < 2^49 and n < 2^26: no overflow */
            for (k = 0; k <= j; k++)
                acc += (i128)Lz[i * n + k] * Lz[j * n + k];
            ssmhc_mpz_set_i128(t, acc);
            mpz_mul(t, t, den);
            mpz_mul_2exp(e, Sz[i * n + j], (unsigned long)(2 * sh));
            mpz_sub(e, e, t);
            if (i == j) {
                mpz_set(diag[i], e);
            } else {
                mpz_abs(e, e);
                mpz_add(off[i], off[i], e);
                mpz_add(off[j], off[j], e);
            }
        }
    for (i = 0; i < n && ok; i++)
        ok = mpz_sgn(diag[i]) >= 0 && mpz_cmp(off[i], diag[i]) <= 0;
    for (i = 0; i < n; i++) {
        mpz_clear(diag[i]);
        mpz_clear(off[i]);
    }
    free(diag);
    free(off);
    mpz_clear(e);
    mpz_clear(t);
    return ok;
}

/* x^T S x < 0 for x solving L_k^T x = 0 on the first k rows, x_k = 1? */
static int refutes(const ssmhc_qmat *S, const double *l, long n, long k)
{
    double *x = calloc((size_t)(k + 1), sizeof(double)), big = 0;
    long i, j;
    int ex, neg;
    mpz_t *xz, t;
    mpq_t q, r;
    if (x == NULL)
        ssmhc_out_of_memory(NULL);
    x[k] = 1;
    for (i = k - 1; i >= 0; i--) {
        double s = 0;
        for (j = i + 1; j <= k; j++)
            s += l[j * n + i] * x[j];
        x[i] = -s / l[i * n + i];
    }
    for (i = 0; i <= k; i++)
        big = fmax(big, fabs(x[i]));
    if (!(big > 0) || !isfinite(big)) {
        free(x);
        return 0;
    }
    frexp(big, &ex);
    xz = malloc(sizeof(mpz_t) * (size_t)(k + 1));
    if (xz == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i <= k; i++) {
        mpz_init(xz[i]);
        mpz_set_d(xz[i], nearbyint(ldexp(x[i], 50 - ex)));
    }
    mpz_init(t);
    mpq_init(q);
    mpq_init(r);
    for (i = 0; i <= k; i++)
        for (j = 0; j <= k; j++) {
            if (mpz_sgn(xz[i]) == 0 || mpz_sgn(xz[j]) == 0 || mpq_sgn(SSMHC_Q(S, i, j)) == 0)
                continue;
            mpz_mul(t, xz[i], xz[j]);
            mpq_set_z(q, t);
            mpq_mul(q, q, SSMHC_Q(S, i, j));
            mpq_add(r, r, q);
        }
    neg = mpq_sgn(r) < 0;
    for (i = 0; i <= k; i++)
        mpz_clear(xz[i]);
    free(xz);
    mpz_clear(t);
    mpq_clear(q);
    mpq_clear(r);
    free(x);
    return neg;
}

int ssmhc_psd_factor(const ssmhc_qmat *S, int strict)
{
    long n = S->rows, i, j, k, step, sh;
    double *s, *l, scale = 0, lmax;
    int result = -1;

    if (n < FACTOR_MIN_DIM || S->cols != n)
        return -1;
    s = malloc(sizeof(double) * (size_t)(n * n));
    l = malloc(sizeof(double) * (size_t)(n * n));
    if (s == NULL || l == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i < n * n; i++)
        s[i] = mpq_get_d(S->e[i]);
    for (i = 0; i < n; i++)
        scale = fmax(scale, fabs(s[i * n + i]));
    for (i = 0; i < n * n; i++)
        if (!isfinite(s[i]))
            scale = NAN;
    if (!(scale > 1e-300) || !(scale < 1e300)) {
        free(s);
        free(l);
        return -1;
    }
    /* a shift above the rounding errors of E's row sums (about n^2 2^-49
       scale) and below S's least eigenvalue: the largest of three that
       factors */
    for (step = 2; step >= 0 && result < 0; step--) {
        double delta = fmin(ldexp(scale * (double)n * (double)n, -46 + 4 * (int)step), scale / 4);
        long long *Lz;
        mpz_t den, *Sz;
        if (chol(l, s, n, delta) < n)
            continue;
        for (i = 0, lmax = 0; i < n * n; i++)
            lmax = fmax(lmax, fabs(l[i]));
        if (!(lmax > 0) || !isfinite(lmax))   /* a tiny pivot overflowed a column */
            continue;
        {
            int ex;
            frexp(lmax, &ex);
            sh = 48 - ex;   /* |Lz| <= 2^48 + 1/2 < 2^49 */
        }
        if (sh < 0)
            break;
        Lz = malloc(sizeof(long long) * (size_t)(n * n));
        if (Lz == NULL)
            ssmhc_out_of_memory(NULL);
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                Lz[i * n + j] = j <= i ? (long long)nearbyint(ldexp(l[i * n + j], (int)sh)) : 0;
        mpz_init(den);
        Sz = ssmhc_qmat_integers(den, S);
        if (Sz == NULL) {   /* past a limit (noted): the answer is the limit */
            mpz_clear(den);
            free(Lz);
            result = 0;
            break;
        }
        if (dominant((const mpz_t *)Sz, den, Lz, n, sh)) {
            result = 1;
            for (i = 0; i < n && strict; i++)
                if (Lz[i * n + i] == 0)
                    result = -1;
        }
        for (i = 0; i < n * n; i++)
            mpz_clear(Sz[i]);
        free(Sz);
        mpz_clear(den);
        free(Lz);
        break;
    }
    if (result < 0) {
        k = chol(l, s, n, 0);
        if (k < n && refutes(S, l, n, k))
            result = 0;
    }
    free(s);
    free(l);
    return result;
}
