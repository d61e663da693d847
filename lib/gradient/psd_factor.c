/*
 * Fast exact semidefiniteness by a rounded factor.  Guarantee:
 * _ssmh_psd_by_factor returns 1 only if S is PSD (PD when strict), 0 only if
 * it is not, and -1 when it cannot tell (the caller then eliminates
 * exactly).
 *
 * Floating point only proposes.  A Cholesky factor of S - delta I in
 * doubles, rounded to integers Lz / 2^sh (|Lz| < 2^50), gives
 * E = S - L L^T exactly (integer arithmetic on den S and Lz Lz^T); if E is
 * diagonally dominant with a nonnegative diagonal it is PSD (Gershgorin), so
 * S = L L^T + E is PSD, and PD when moreover every Lz_ii != 0 (L L^T is then
 * PD).  Against: when the Cholesky of S itself breaks down at pivot k, the
 * vector x = L^-T e_k of the leading k x k block (rounded to dyadics) is
 * tried, and x^T S x < 0 computed exactly refutes.
 */
#include "ssmheads-impl.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FACTOR_MIN_DIM 24   /* smaller matrices: exact elimination is cheap */
#define FACTOR_BITS 50

/* Cholesky of s - delta I (n x n, row-major) into the lower triangle of l.
   Returns n on success, else the index k of the first pivot <= 0 (then
   l holds the factor of the leading k x k block and *dk the pivot). */
slong _ssmh_cholesky_d(double *l, const double *s, slong n, double delta, double *dk)
{
    slong i, j, k;
    memset(l, 0, sizeof(double) * (size_t)(n * n));
    for (j = 0; j < n; j++) {
        double d = s[j * n + j] - delta;
        for (k = 0; k < j; k++)
            d -= l[j * n + k] * l[j * n + k];
        if (!(d > 0)) {
            *dk = d;
            return j;
        }
        d = sqrt(d);
        l[j * n + j] = d;
        for (i = j + 1; i < n; i++) {
            double t = s[i * n + j];
            const double *li = l + i * n, *lj = l + j * n;
            for (k = 0; k < j; k++)
                t -= li[k] * lj[k];
            l[i * n + j] = t / d;
        }
    }
    return n;
}

/* E = den 2^(2 sh) (S - Lz Lz^T / 2^(2 sh)) = Sz 2^(2 sh) - den Lz Lz^T, and
   is it diagonally dominant with a nonnegative diagonal?  Sz = den S. */
static int dominant(const fmpz_mat_t Sz, const fmpz_t den, const slong *Lz, slong n, slong sh)
{
    slong i, j, k;
    fmpz_t e, rowsum, t;
    fmpz *diag = _fmpz_vec_init(n), *off = _fmpz_vec_init(n);
    int ok = 1;
    fmpz_init(e);
    fmpz_init(rowsum);
    fmpz_init(t);
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++) {
            /* (Lz Lz^T)_ij: |Lz| < 2^50, n < 2^26 terms: fits in 128 bits */
            __int128 acc = 0;
            const slong *li = Lz + i * n, *lj = Lz + j * n;
            for (k = 0; k <= j; k++)
                acc += (__int128)li[k] * lj[k];
            fmpz_set_signed_uiui(t, (ulong)((unsigned __int128)acc >> 64), (ulong)acc);
            fmpz_mul(t, t, den);
            fmpz_mul_2exp(e, fmpz_mat_entry(Sz, i, j), (ulong)(2 * sh));
            fmpz_sub(e, e, t);
            if (i == j) {
                fmpz_set(diag + i, e);
            } else {
                fmpz_abs(e, e);
                fmpz_add(off + i, off + i, e);
                fmpz_add(off + j, off + j, e);
            }
        }
    for (i = 0; i < n && ok; i++)
        ok = fmpz_sgn(diag + i) >= 0 && fmpz_cmp(off + i, diag + i) <= 0;
    _fmpz_vec_clear(diag, n);
    _fmpz_vec_clear(off, n);
    fmpz_clear(e);
    fmpz_clear(rowsum);
    fmpz_clear(t);
    return ok;
}

/* x^T S x < 0 for x = L^-T e_k (k x k leading block), rounded to dyadics? */
static int refuted(const fmpq_mat_t S, const double *l, slong n, slong k)
{
    double *x = flint_calloc((size_t)(k + 1), sizeof(double)), big = 0;
    slong i, j;
    int e, neg;
    fmpz_t acc, t;
    fmpz *xz;
    fmpq_t q, r;
    /* L_k^T x = e_k with the pivot taken as 1: back substitution on the
       first k columns (x_k = 1) */
    x[k] = 1;
    for (i = k - 1; i >= 0; i--) {
        double t2 = 0;
        for (j = i + 1; j <= k; j++)
            t2 += l[j * n + i] * x[j];
        x[i] = -t2 / l[i * n + i];
    }
    for (i = 0; i <= k; i++)
        big = fmax(big, fabs(x[i]));
    if (!(big > 0) || !isfinite(big)) {
        flint_free(x);
        return 0;
    }
    frexp(big, &e);
    xz = _fmpz_vec_init(k + 1);
    for (i = 0; i <= k; i++)   /* x on the grid 2^(e - 50): integers below 2^50 */
        if (!_ssmh_fmpz_set_d(xz + i, nearbyint(ldexp(x[i], FACTOR_BITS - e)))) {
            _fmpz_vec_clear(xz, k + 1);
            flint_free(x);
            return 0;   /* (finite by the test above; a failed proposal refutes nothing) */
        }
    /* x^T S x = sum_ij x_i x_j S_ij, exactly */
    fmpz_init(acc);
    fmpz_init(t);
    fmpq_init(q);
    fmpq_init(r);
    for (i = 0; i <= k; i++)
        for (j = 0; j <= k; j++) {
            if (fmpz_is_zero(xz + i) || fmpz_is_zero(xz + j)
                || fmpq_is_zero(fmpq_mat_entry(S, i, j)))
                continue;
            fmpz_mul(t, xz + i, xz + j);
            fmpq_mul_fmpz(q, fmpq_mat_entry(S, i, j), t);
            fmpq_add(r, r, q);
        }
    neg = fmpq_sgn(r) < 0;
    fmpz_clear(acc);
    fmpz_clear(t);
    fmpq_clear(q);
    fmpq_clear(r);
    _fmpz_vec_clear(xz, k + 1);
    flint_free(x);
    return neg;
}

int _ssmh_psd_by_factor(const fmpq_mat_t S, int strict)
{
    slong n = fmpq_mat_nrows(S), i, j, k, sh, step;
    double *s, *l, scale = 0, lmax = 0, dk = 0;
    slong *Lz;
    fmpz_mat_t Sz;
    fmpz_t den;
    int result = -1;

    if (n < FACTOR_MIN_DIM)
        return -1;
    s = flint_malloc(sizeof(double) * (size_t)(n * n));
    l = flint_malloc(sizeof(double) * (size_t)(n * n));
    for (i = 0; i < n * n; i++)
        s[i] = fmpq_get_d(fmpq_mat_entry(S, i / n, i % n));
    for (i = 0; i < n; i++)
        scale = fmax(scale, fabs(s[i * n + i]));
    for (i = 0; i < n * n && isfinite(scale); i++)
        if (!isfinite(s[i]))
            scale = NAN;
    if (!(scale > 0) || !isfinite(scale) || scale > 1e300 || scale < 1e-300) {
        flint_free(s);
        flint_free(l);
        return -1;
    }
    /* The shift must exceed the rounding errors in E's row sums (about
       n^2 2^-49 scale from rounding L, n^2 2^-53 scale from the float
       Cholesky) and stay below the least eigenvalue of S: a shift 8 times
       the error estimate, or 16 and 256 times that when S leaves room (the
       largest shift that factors wins). */
    for (step = 2; step >= 0 && result < 0; step--) {
        double delta = fmin(ldexp(scale * (double)n * (double)n, -46 + 4 * (int)step), scale / 4);
        k = _ssmh_cholesky_d(l, s, n, delta, &dk);
        if (k < n)
            continue;
        for (i = 0, lmax = 0; i < n * n; i++)
            lmax = fmax(lmax, fabs(l[i]));
        if (!(lmax > 0) || !isfinite(lmax))   /* a tiny pivot overflowed a column */
            continue;
        {
            int e;
            frexp(lmax, &e);
            sh = FACTOR_BITS - 1 - e;   /* |Lz| < 2^49 */
        }
        Lz = flint_malloc(sizeof(slong) * (size_t)(n * n));
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                Lz[i * n + j] = j <= i ? (slong)nearbyint(ldexp(l[i * n + j], (int)sh)) : 0;
        fmpz_mat_init(Sz, n, n);
        fmpz_init(den);
        fmpq_mat_get_fmpz_mat_matwise(Sz, den, S);
        if (sh >= 0 && dominant(Sz, den, Lz, n, sh)) {
            result = 1;
            for (i = 0; i < n && strict; i++)
                if (Lz[i * n + i] == 0)
                    result = -1;   /* L L^T may be singular: let elimination decide */
        }
        fmpz_mat_clear(Sz);
        fmpz_clear(den);
        flint_free(Lz);
        break;   /* a smaller shift leaves less slack: no better chance */
    }
    if (result < 0) {
        k = _ssmh_cholesky_d(l, s, n, 0, &dk);
        if (k < n && dk < 0 && refuted(S, l, n, k))
            result = 0;
    }
    flint_free(s);
    flint_free(l);
    return result;
}
