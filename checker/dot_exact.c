/*
 * Exact integer arithmetic for the checker's dense steps.  Guarantee:
 * ssmhc_dot_i64 returns sum_k a_k b_k exactly for signed 64-bit inputs
 * (each product, below 2^126 in magnitude, is added to a 128-bit
 * accumulator of its sign, carries counted in a third word, so nothing is
 * rounded or lost); ssmhc_qmat_integers gives den M exactly as integers.
 */
#include "ssmhc-impl.h"
#include <stdlib.h>

typedef unsigned __int128 u128;

/* out = hi 2^128 + lo */
static void set_u192(mpz_t out, u64 hi, u128 lo)
{
    mpz_set_ui(out, (unsigned long)hi);
    mpz_mul_2exp(out, out, 64);
    mpz_add_ui(out, out, (unsigned long)(u64)(lo >> 64));
    mpz_mul_2exp(out, out, 64);
    mpz_add_ui(out, out, (unsigned long)(u64)lo);
}

void ssmhc_dot_i64(mpz_t out, const long long *a, long sa, const long long *b, long sb, long n)
{
    u128 pos = 0, neg = 0, t;
    u64 cpos = 0, cneg = 0;
    long k;
    mpz_t x;
    for (k = 0; k < n; k++) {
        long long x1 = a[k * sa], y1 = b[k * sb];
        u64 ux = x1 < 0 ? (u64)0 - (u64)x1 : (u64)x1, uy = y1 < 0 ? (u64)0 - (u64)y1 : (u64)y1;
        t = (u128)ux * uy;
        if ((x1 < 0) != (y1 < 0)) {
            neg += t;
            cneg += neg < t;
        } else {
            pos += t;
            cpos += pos < t;
        }
    }
    set_u192(out, cpos, pos);
    if (neg != 0 || cneg != 0) {
        mpz_init(x);
        set_u192(x, cneg, neg);
        mpz_sub(out, out, x);
        mpz_clear(x);
    }
}

void ssmhc_mpz_set_i128(mpz_t out, __int128 v)
{
    unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    mpz_set_ui(out, (unsigned long)(u >> 64));
    mpz_mul_2exp(out, out, 64);
    mpz_add_ui(out, out, (unsigned long)(u & 0xFFFFFFFFFFFFFFFFULL));
    if (v < 0)
        mpz_neg(out, out);
}

int ssmhc_fits_i64(long long *out, const mpz_t x)
{
    if (mpz_sizeinbase(x, 2) > 62) /* |x| < 2^62: negation and products stay safe */
        return 0;
    *out = (long long)mpz_get_si(x);
    return 1;
}

mpz_t *ssmhc_qmat_integers(mpz_t den, const ssmhc_qmat *M)
{
    size_t e, n = (size_t)M->rows * (size_t)M->cols;
    mpz_t *Z, t;
    size_t nb = 0;
    mpq_t dq;
    /* Distinct denominators make the lcm (and every entry of den M) as long
       as all of them together: within --max-bits and the work budget. */
    mpz_set_ui(den, 1);
    for (e = 0; e < n; e++)
        if (mpz_cmp_ui(mpq_denref(M->e[e]), 1) != 0) {
            mpz_lcm(den, den, mpq_denref(M->e[e]));
            if (mpz_sizeinbase(den, 2) > nb + 4096) {
                nb = mpz_sizeinbase(den, 2);
                mpq_init(dq);
                mpq_set_z(dq, den);
                e = ssmhc_bits_check(dq, "a common denominator") != 0 ? n + 1 : e;
                mpq_clear(dq);
            }
        }
    if (e > n || ssmhc_work_spend((double)n * (double)(mpz_sizeinbase(den, 2) / 64 + 1),
                                  "a common denominator") != 0)
        return NULL;
    Z = ssmhc_malloc(sizeof(mpz_t) * (n ? n : 1));
    mpz_init(t);
    for (e = 0; e < n; e++) {
        mpz_init(Z[e]);
        mpz_divexact(t, den, mpq_denref(M->e[e]));
        mpz_mul(Z[e], t, mpq_numref(M->e[e]));
    }
    mpz_clear(t);
    return Z;
}
