/*
 * Dyadic interval powers (GMP only): is M2 gamma^k <= Q, for a rational
 * 0 < gamma < 1 and any 64-bit k, in O(log k) products of bounded size.
 *
 * A bound is a dyadic m 2^e (mpz m >= 0, long e).  With x = gamma:
 *  1. x is enclosed by lo_0 = floor(a 2^s / b) 2^-s <= a/b <= ceil(...) 2^-s
 *     = hi_0, both of prec bits (x = a/b in lowest terms);
 *  2. x^k by repeated squaring: X <- X^2 for each bit of k, R <- R X for
 *     each set bit, every product of lower bounds rounded down (floor of the
 *     mantissa to prec bits) and of upper bounds rounded up (ceiling).  All
 *     values are positive, so lo_R <= x^k <= hi_R by induction (products of
 *     enclosures of positive numbers, rounded outward).  Every upper bound
 *     stays <= 1 (hi_0 <= 1 since a < b; rounding up a product <= 2^N by a
 *     shift keeps it <= 2^N), so once hi_X < 2^-T (T = 2^50) while a set bit
 *     of k remains, x^k <= hi_X < 2^-T: that is the answer (every Q here is
 *     far above 2^-T), and no exponent ever leaves [-2^58, 1];
 *  3. lo_R > Q/M2 decides "fails", hi_R <= Q/M2 decides "holds";
 *  4. otherwise, with Q/M2 = u/v in lowest terms, x^k = u/v needs b^k = v,
 *     so k (bits(b) - 1) < bits(v): only then is the exact comparison
 *     a^k v <= u b^k made (its numbers are at most about twice v's size);
 *     else equality is impossible and the precision doubles (the gap is
 *     nonzero), up to --max-bits (then SSMHC_LIMIT).
 * Each round costs about 2 log2(k) multiplications of prec-bit numbers; the
 * first round (prec = 128 + bits(k)) decides all but near-ties.
 */
#include "ssmhc.h"

#define TINY_EXP (1L << 50)

typedef struct {
    mpz_t m;
    long e;
} dyadic;

static void dy_init(dyadic *x)
{
    mpz_init(x->m);
    x->e = 0;
}

static void dy_clear(dyadic *x)
{
    mpz_clear(x->m);
}

/* x < 2^dy_mag(x) (m > 0) */
static long dy_mag(const dyadic *x)
{
    return x->e + (long)mpz_sizeinbase(x->m, 2);
}

/* The mantissa to at most prec bits (up: ceiling, else floor; m >= 0). */
static void dy_round(dyadic *x, long prec, int up)
{
    long b, sh;
    if (mpz_sgn(x->m) == 0)
        return;
    b = (long)mpz_sizeinbase(x->m, 2);
    if (b <= prec)
        return;
    sh = b - prec;
    if (up)
        mpz_cdiv_q_2exp(x->m, x->m, (unsigned long)sh);
    else
        mpz_fdiv_q_2exp(x->m, x->m, (unsigned long)sh);
    x->e += sh;
}

/* r = x y rounded outward (r may alias x or y) */
static void dy_mul(dyadic *r, const dyadic *x, const dyadic *y, long prec, int up)
{
    long e = x->e + y->e;
    mpz_mul(r->m, x->m, y->m);
    r->e = mpz_sgn(r->m) == 0 ? 0 : e;
    dy_round(r, prec, up);
}

/* sign(x - u/v) for u, v > 0, deciding by magnitudes first so that no shift
   is larger than the numbers involved. */
static int dy_cmp_q(const dyadic *x, const mpz_t u, const mpz_t v)
{
    long bl, bu;
    mpz_t t, w;
    int c;
    if (mpz_sgn(x->m) == 0)
        return -1;
    bl = (long)mpz_sizeinbase(x->m, 2) + (long)mpz_sizeinbase(v, 2); /* m v in [2^(bl-2), 2^bl) */
    bu = (long)mpz_sizeinbase(u, 2);                                  /* u in [2^(bu-1), 2^bu) */
    if (bl + x->e <= bu - 1)
        return -1;
    if (bl - 2 + x->e >= bu)
        return 1;
    /* here |e| <= bl + bu + 2 */
    mpz_init(t);
    mpz_init(w);
    mpz_mul(t, x->m, v);
    if (x->e >= 0) {
        mpz_mul_2exp(t, t, (unsigned long)x->e);
        c = mpz_cmp(t, u);
    } else {
        mpz_mul_2exp(w, u, (unsigned long)(-x->e));
        c = mpz_cmp(t, w);
    }
    mpz_clear(t);
    mpz_clear(w);
    return c;
}

/* lo <= (a/b)^k <= hi, 0 < a < b.  Returns 1 when the answer is "tiny"
   (x^k <= hi = 2^-TINY_EXP, lo = 0), else 0. */
static int pow_bounds(dyadic *lo, dyadic *hi, const mpz_t a, const mpz_t b, unsigned long long k,
                      long prec)
{
    dyadic xl, xh;
    long s = prec + (long)mpz_sizeinbase(b, 2) - (long)mpz_sizeinbase(a, 2) + 1;
    int tiny = 0;
    dy_init(&xl);
    dy_init(&xh);
    /* a 2^s / b >= 2^(bits(a) - 1 + s - bits(b)) = 2^prec */
    mpz_mul_2exp(xl.m, a, (unsigned long)s);
    mpz_cdiv_q(xh.m, xl.m, b);
    mpz_fdiv_q(xl.m, xl.m, b);
    xl.e = xh.e = -s;
    dy_round(&xl, prec, 0);
    dy_round(&xh, prec, 1);
    mpz_set_ui(lo->m, 1);
    mpz_set_ui(hi->m, 1);
    lo->e = hi->e = 0;
    for (;;) {
        if (k & 1) {
            dy_mul(lo, lo, &xl, prec, 0);
            dy_mul(hi, hi, &xh, prec, 1);
        }
        k >>= 1;
        if (k == 0)
            break;
        if (dy_mag(&xh) < -TINY_EXP) {   /* a factor <= X remains */
            tiny = 1;
            mpz_set_ui(lo->m, 0);
            lo->e = 0;
            mpz_set_ui(hi->m, 1);
            hi->e = -TINY_EXP;
            break;
        }
        if (mpz_sgn(xl.m) != 0 && dy_mag(&xl) < -2 * TINY_EXP) {
            mpz_set_ui(xl.m, 0);   /* 0 is a lower bound too */
            xl.e = 0;
        }
        dy_mul(&xl, &xl, &xl, prec, 0);
        dy_mul(&xh, &xh, &xh, prec, 1);
    }
    dy_clear(&xl);
    dy_clear(&xh);
    return tiny;
}

static long bitlen(unsigned long long k)
{
    long b = 0;
    while (k) {
        b++;
        k >>= 1;
    }
    return b;
}

int ssmhc_dyadic_pow_le(mpq_srcptr M2, mpq_srcptr gamma, unsigned long long k, mpq_srcptr Q)
{
    const ssmhc_limits *lim = ssmhc_limits_get();
    /* at most 2^30 bits whatever --max-bits says: GMP's numbers stop near
       2^37 bits, and a shift must never reach that */
    long prec, cap = lim->max_bits > 0 && lim->max_bits < (1L << 30) ? lim->max_bits : (1L << 30);
    const __mpz_struct *a = mpq_numref(gamma), *b = mpq_denref(gamma);
    dyadic lo, hi;
    mpq_t R;
    int res = -1;
    dy_init(&lo);
    dy_init(&hi);
    mpq_init(R);
    mpq_div(R, Q, M2);   /* gamma^k <= R ?  R = u / v in lowest terms */
    for (prec = 128 + bitlen(k); res < 0 && prec <= cap; prec *= 2) {
        pow_bounds(&lo, &hi, a, b, k, prec);
        if (dy_cmp_q(&hi, mpq_numref(R), mpq_denref(R)) <= 0) {
            res = 1;
        } else if (dy_cmp_q(&lo, mpq_numref(R), mpq_denref(R)) > 0) {
            res = 0;
        } else if (k < (unsigned long long)mpz_sizeinbase(mpq_denref(R), 2)
                   && (unsigned __int128)k * (mpz_sizeinbase(b, 2) - 1)
                          < (unsigned __int128)mpz_sizeinbase(mpq_denref(R), 2)) {
            /* equality is possible: a^k v <= u b^k, exactly */
            mpz_t x, y;
            mpz_init(x);
            mpz_init(y);
            mpz_pow_ui(x, a, (unsigned long)k);
            mpz_mul(x, x, mpq_denref(R));
            mpz_pow_ui(y, b, (unsigned long)k);
            mpz_mul(y, y, mpq_numref(R));
            res = mpz_cmp(x, y) <= 0;
            mpz_clear(x);
            mpz_clear(y);
        }
    }
    if (res < 0)
        ssmhc_limit(NULL, "deciding M2 gamma^%llu <= eps^2 needs more than %ld bits of precision "
                    "(--max-bits)", k, cap);
    dy_clear(&lo);
    dy_clear(&hi);
    mpq_clear(R);
    return res;
}
