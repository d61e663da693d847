/*
 * Floating-point guides made into exact dyadic rationals, checked.
 * Guarantee: no NaN, infinity or out-of-range double ever reaches GMP or
 * FLINT from here (fmpz_set_d traps on NaN and Inf: SIGFPE).  Each function
 * tests its argument first and returns 0 when it cannot convert; the
 * result is then 0 and the caller must treat the float proposal as failed
 * (warn_unused_result makes forgetting that a compiler warning).  When 1
 * is returned the stated relation holds exactly.
 */
#include "ssmheads-impl.h"
#include <math.h>

/* Shifts beyond this are refused: ldexp takes an int, and no double guide
   needs a grid finer than 2^-(2^20). */
#define MAX_SHIFT (WORD(1) << 20)

int _ssmh_fmpz_set_d(fmpz_t z, double x)
{
    if (!isfinite(x) || x != nearbyint(x)) {
        fmpz_zero(z);
        return 0;
    }
    fmpz_set_d(z, x);   /* exact: a finite integral double */
    return 1;
}

int _ssmh_set_dyadic(fmpq_t q, double x, slong shift)
{
    double y;
    if (!isfinite(x) || shift > MAX_SHIFT || shift < -MAX_SHIFT) {
        fmpq_zero(q);
        return 0;
    }
    y = nearbyint(ldexp(x, (int)shift));
    if (!_ssmh_fmpz_set_d(fmpq_numref(q), y)) {   /* x 2^shift overflowed */
        fmpq_zero(q);
        return 0;
    }
    fmpz_one(fmpq_denref(q));
    _ssmh_fmpq_mul_2exp_si(q, q, -shift);
    return 1;
}

int _ssmh_round_up(fmpq_t out, double x)
{
    int e;
    double m;
    if (isnan(x) || isinf(x)) {
        fmpq_zero(out);
        return 0;
    }
    if (!(x > 0)) {   /* 0 >= x */
        fmpq_zero(out);
        return 1;
    }
    m = frexp(x, &e);   /* x = m 2^e, 1/2 <= m < 1 */
    if (!_ssmh_fmpz_set_d(fmpq_numref(out), ceil(m * 1073741824.0) + 1)) {   /* m 2^30, up */
        fmpq_zero(out);
        return 0;
    }
    fmpz_one(fmpq_denref(out));
    _ssmh_fmpq_mul_2exp_si(out, out, e - 30);
    return 1;
}

void _ssmh_round_up_q(fmpq_t out, const fmpq_t x, slong bits)
{
    /* e with 2^(e-1) <= |x| < 2^(e+1) (bit lengths), then ceil(x 2^(bits-e)) */
    slong e, s;
    fmpz_t t;
    if (fmpq_is_zero(x) || fmpz_is_one(fmpq_denref(x))) {
        if (fmpz_bits(fmpq_numref(x)) <= (ulong)bits + 1) {
            fmpq_set(out, x);
            return;
        }
    }
    e = (slong)fmpz_bits(fmpq_numref(x)) - (slong)fmpz_bits(fmpq_denref(x));
    s = bits - e;
    fmpz_init(t);
    if (s >= 0) {
        fmpz_mul_2exp(t, fmpq_numref(x), (ulong)s);
        fmpz_cdiv_q(t, t, fmpq_denref(x));
    } else {
        fmpz_mul_2exp(t, fmpq_denref(x), (ulong)(-s));
        fmpz_cdiv_q(t, fmpq_numref(x), t);
    }
    fmpz_set(fmpq_numref(out), t);
    fmpz_one(fmpq_denref(out));
    _ssmh_fmpq_mul_2exp_si(out, out, -s);
    fmpz_clear(t);
}

void _ssmh_fmpq_mul_2exp_si(fmpq_t y, const fmpq_t x, slong s)
{
    if (s >= 0)
        fmpq_mul_2exp(y, x, (ulong)s);
    else
        fmpq_div_2exp(y, x, (ulong)(-s));
}

slong _ssmh_fmpq_log2(const fmpq_t x)
{
    if (fmpq_is_zero(x))
        return WORD_MIN;
    return (slong)fmpz_bits(fmpq_numref(x)) - (slong)fmpz_bits(fmpq_denref(x));
}

double _ssmh_fmpq_get_d_2exp(const fmpq_t x, slong e)
{
    /* x 2^-e, computed from a scaled copy so that no intermediate
       overflows; underflow to 0 is harmless for a guide */
    fmpq_t t;
    double d;
    if (fmpq_is_zero(x))
        return 0.0;
    if (_ssmh_fmpq_log2(x) - e < -1100)
        return 0.0;
    if (_ssmh_fmpq_log2(x) - e > 1020)
        return fmpq_sgn(x) > 0 ? INFINITY : -INFINITY;
    fmpq_init(t);
    _ssmh_fmpq_mul_2exp_si(t, x, -e);
    d = fmpq_get_d(t);
    fmpq_clear(t);
    return d;
}
