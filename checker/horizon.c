/*
 * The gradient horizon of a `gradient` certificate (doc/gradient.md,
 * "Horizon in lags").  The proven envelope gives ||C A^t B||_2^2 <=
 * M2 gamma^(2t) for every t >= 0.  Let t* be the least t >= 0 with
 * M2 gamma^(2s) <= eps^2 for EVERY s >= t; it exists iff M2 = 0, or
 * gamma < 1, or gamma = 1 and M2 <= eps^2 (for gamma > 1 and M2 > 0 the
 * envelope grows without bound), and then, gamma <= 1 making the envelope
 * nonincreasing, t* is the least t with M2 gamma^(2t) <= eps^2.  The
 * horizon in lags is h = t* (direct, D = 0: K_l = C A^l B for every l),
 * max(t*, 1) (direct, D != 0: K_0 = CB + D is not covered), t* + 1
 * (delayed: K_l = C A^(l-1) B for l >= 1, K_0 = D).  Accepted only when the
 * claimed h is exactly that, each comparison decided by
 * ssmhc_dyadic_pow_le (O(log t) operations, so a horizon of 2^62 costs
 * microseconds, not 2^62 powers).
 */
#include "ssmhc.h"

/* M2 gamma^(2t) <= eps2 ?  gamma <= 1 or M2 = 0.  1, 0, or -1 (limit). */
static int env_le(mpq_srcptr M2, mpq_srcptr gamma, mpq_srcptr eps2, long long t)
{
    if (mpq_sgn(M2) == 0 || (mpq_sgn(gamma) == 0 && t >= 1))
        return 1;
    if (mpq_sgn(gamma) == 0 || mpq_cmp_ui(gamma, 1, 1) == 0 || t == 0)
        return mpq_cmp(M2, eps2) <= 0;
    return ssmhc_dyadic_pow_le(M2, gamma, 2ULL * (unsigned long long)t, eps2);
}

int ssmhc_check_horizon(const ssmhc_model *m, mpq_srcptr gamma, mpq_srcptr M2, mpq_srcptr eps,
                        long long h, ssmhc_report_t *r)
{
    mpq_t eps2;
    long long t;
    int here, before = 0, dzero = ssmhc_smat_is_zero(&m->D), rc = -1;
    mpq_init(eps2);
    mpq_mul(eps2, eps, eps);
    if (mpq_sgn(M2) > 0 && mpq_cmp_ui(gamma, 1, 1) > 0) {
        ssmhc_fail(r, "claim: no horizon exists: gamma > 1, so the envelope M2 gamma^(2l) grows "
                      "without bound");
        goto out;
    }
    if (mpq_sgn(M2) > 0 && mpq_cmp_ui(gamma, 1, 1) == 0 && mpq_cmp(M2, eps2) > 0) {
        ssmhc_fail(r, "claim: no horizon exists: gamma = 1 and M2 > eps^2, so the envelope "
                      "stays above eps^2");
        goto out;
    }
    if (h < 0 || h > SSMHC_MAX_HORIZON || ((m->delayed || !dzero) && h == 0)) {
        ssmhc_fail(r, "claim: horizon %lld is not a lag the envelope can cover (0 .. 2^62; "
                      ">= 1 when K_0 is not C B)", h);
        goto out;
    }
    /* the t* the claim implies, and whether it must be the least */
    t = m->delayed ? h - 1 : h;
    here = env_le(M2, gamma, eps2, t);
    if (here > 0 && t > 0 && !(!m->delayed && !dzero && h == 1))
        before = env_le(M2, gamma, eps2, t - 1);
    if (here < 0 || before < 0) {
        ssmhc_limit(r, "%s", ssmhc_limit_note() ? ssmhc_limit_note() : "horizon undecided");
        goto out;
    }
    if (!here) {
        ssmhc_fail(r, "claim: the envelope does not reach eps at the claimed horizon %lld", h);
        goto out;
    }
    if (before) {
        ssmhc_fail(r, "claim: horizon %lld is not the least lag the envelope allows", h);
        goto out;
    }
    rc = 0;
out:
    mpq_clear(eps2);
    return rc;
}
