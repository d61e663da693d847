/*
 * The gradient horizon (doc/gradient.md, "Horizon in lags").  The proven
 * envelope gives ||C A^t B||_2^2 <= M2 gamma^(2t) for every t >= 0; t* is
 * the least t >= 0 with M2 gamma^(2s) <= eps^2 for EVERY s >= t.
 * Guarantee: the horizon is reported only when it bounds every later lag:
 * it exists iff M2 = 0, gamma < 1, or gamma = 1 with M2 <= eps^2 (for
 * gamma > 1 and M2 > 0 the envelope grows without bound, and the reason is
 * returned instead); gamma <= 1 makes the envelope nonincreasing, so t* is
 * then the least t with M2 gamma^(2t) <= eps^2, and every comparison is
 * decided rigorously: Arb balls by repeated squaring (arb_pow_ui, O(log t)
 * products at a bounded precision, doubled while undecided), exact powers
 * only when the balls do not decide and equality is possible (gamma = a/b
 * in lowest terms, gamma^k = u/v needs b^k = v: then the exact power is no
 * larger than v).  The search starts at the logarithm estimate and verifies
 * t and t - 1, so a horizon of 10^9 costs milliseconds.  In lags: t* for a
 * direct model with D = 0, max(t*, 1) with D != 0 (K_0 = CB + D is not
 * covered by the envelope), t* + 1 for a delayed one (K_l = C A^(l-1) B).
 */
#include "ssmheads-impl.h"
#include <math.h>

#define MAX_HORIZON (WORD(1) << 62)   /* as the checker: 2t fits 64 bits */
#define MAX_PREC (WORD(1) << 20)      /* below the checker's --max-bits default */

/* M2 gamma^(2t) <= eps2 ?  0 < gamma < 1, M2 > 0.  1, 0, or -1 (undecided
   within MAX_PREC bits). */
static int env_le(const fmpq_t M2, const fmpq_t gamma, const fmpq_t eps2, slong t)
{
    ulong k = 2 * (ulong)t;
    slong prec;
    fmpq_t R;
    arb_t x, y;
    int res = -1;
    fmpq_init(R);
    arb_init(x);
    arb_init(y);
    fmpq_div(R, eps2, M2);   /* gamma^k <= R = u / v ? */
    for (prec = 128 + FLINT_BIT_COUNT(k); res < 0 && prec <= MAX_PREC; prec *= 2) {
        arb_set_fmpq(x, gamma, prec);
        arb_pow_ui(x, x, k, prec);
        arb_set_fmpq(y, R, prec);
        if (arb_le(x, y)) {
            res = 1;
        } else if (arb_gt(x, y)) {
            res = 0;
        } else {
            ulong bv = fmpz_bits(fmpq_denref(R)), bb = fmpz_bits(fmpq_denref(gamma));
            if (k < bv && (bb - 1) * k < bv) {   /* equality possible: exactly */
                fmpz_t a, b;
                fmpz_init(a);
                fmpz_init(b);
                fmpz_pow_ui(a, fmpq_numref(gamma), k);
                fmpz_mul(a, a, fmpq_denref(R));
                fmpz_pow_ui(b, fmpq_denref(gamma), k);
                fmpz_mul(b, b, fmpq_numref(R));
                res = fmpz_cmp(a, b) <= 0;
                fmpz_clear(a);
                fmpz_clear(b);
            }
        }
    }
    fmpq_clear(R);
    arb_clear(x);
    arb_clear(y);
    return res;
}

/* t0 ~ log(eps2 / M2) / log(gamma^2), from Arb (a guess: verified after) */
static slong estimate(const fmpq_t M2, const fmpq_t gamma, const fmpq_t eps2)
{
    arb_t a, b;
    arf_t mid;
    slong prec = 128 + (slong)fmpz_bits(fmpq_denref(gamma)), t = 1;
    double v;
    arb_init(a);
    arb_init(b);
    arf_init(mid);
    arb_set_fmpq(a, eps2, prec);
    arb_set_fmpq(b, M2, prec);
    arb_div(a, a, b, prec);
    arb_log(a, a, prec);
    arb_set_fmpq(b, gamma, prec);
    arb_log(b, b, prec);
    arb_mul_2exp_si(b, b, 1);
    arb_div(a, a, b, prec);
    arf_set(mid, arb_midref(a));
    v = arf_get_d(mid, ARF_RND_NEAR);
    if (isfinite(v) && v > 1)
        t = v >= (double)MAX_HORIZON ? MAX_HORIZON : (slong)ceil(v);
    arb_clear(a);
    arb_clear(b);
    arf_clear(mid);
    return t;
}

slong ssmh_envelope_horizon(const ssmh_envelope_t e, const fmpq_t eps, const char **why)
{
    fmpq_t eps2;
    slong t = -1, lo, hi, step;
    int c;
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = NULL;
    fmpq_init(eps2);
    fmpq_mul(eps2, eps, eps);
    if (fmpq_is_zero(e->M2)) {
        t = 0;
    } else if (fmpq_cmp_ui(e->gamma, 1) > 0) {
        *why = "gamma > 1: the envelope M2 gamma^(2l) grows without bound";
    } else if (fmpq_cmp(e->M2, eps2) <= 0) {
        t = 0;
    } else if (fmpq_is_one(e->gamma)) {
        *why = "gamma = 1 and M2 > eps^2: the envelope stays above eps^2";
    } else if (fmpq_is_zero(e->gamma)) {
        t = 1;
    } else {
        /* 0 < gamma < 1 and M2 > eps^2: the least t >= 1 with env_le(t),
           bracketed around the estimate (env_le(0) is false), then bisected */
        lo = hi = estimate(e->M2, e->gamma, eps2);
        c = env_le(e->M2, e->gamma, eps2, hi);
        if (c > 0) {
            for (step = 1, lo = hi - 1; lo > 0 && (c = env_le(e->M2, e->gamma, eps2, lo)) > 0;
                 step *= 2) {
                hi = lo;
                lo = step >= hi ? 0 : hi - step;
            }
        } else if (c == 0) {
            for (step = 1; (c = env_le(e->M2, e->gamma, eps2, hi)) == 0; step *= 2) {
                lo = hi;
                if (hi > MAX_HORIZON - step) {
                    c = -2;
                    break;
                }
                hi += step;
            }
        }
        while (c >= 0 && hi - lo > 1) {   /* env_le(lo) false, env_le(hi) true */
            slong mid = lo + (hi - lo) / 2;
            c = env_le(e->M2, e->gamma, eps2, mid);
            if (c > 0)
                hi = mid;
            else if (c == 0)
                lo = mid;
        }
        if (c >= 0)
            t = hi;
        else
            *why = c == -2 ? "the horizon lies beyond 2^62 lags"
                           : "M2 gamma^(2t) against eps^2 is undecided within 2^20 bits";
    }
    fmpq_clear(eps2);
    return t;
}

static slong horizon_in_lags(const ssmh_model_t m, slong t, const char **why)
{
    slong h;
    if (t < 0)
        return -1;
    h = m->convention == SSMH_CONVENTION_DELAYED ? t + 1 : (fmpq_mat_is_zero(m->D) || t >= 1) ? t : 1;
    if (h > MAX_HORIZON) {
        if (why != NULL)
            *why = "the horizon lies beyond 2^62 lags";
        return -1;
    }
    return h;
}

slong ssmh_gradient_horizon(const ssmh_gradient_t g, const ssmh_model_t m, const fmpq_t eps,
                            const char **why)
{
    const char *w = NULL;
    slong h = -1;
    if (!g->have_env)
        w = "no envelope could be proven";
    else
        h = horizon_in_lags(m, ssmh_envelope_horizon(g->env, eps, &w), &w);
    if (why != NULL)
        *why = h >= 0 ? NULL : w;
    return h;
}
