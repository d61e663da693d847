/*
 * Checker for certificates of kind `heads` (doc/cert-heads.md).
 * Accepts only when the claimed k(n) (and k_inf, n*, profile) follow from
 * the witnesses: a lower bound from leading minors nonzero modulo a prime
 * that divides no denominator, and an upper bound from an annihilating
 * polynomial (checked exactly, or Cayley-Hamilton), exact dependencies, or
 * the trivial bounds j, m + 1 and the structural support size.
 */
#include "ssmhc-impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAG 100000000L

typedef struct {
    long r, *lags, *erow, *ecol;
    int modes;       /* the mode form: lags NULL, mode[i], part[i] instead */
    long *mode, *part;
    long m, Z;
    long F;          /* lags >= F are covered by the recurrence */
    char *covered;   /* covered[l] for l < F (pivots count as covered) */
    char *is_pivot;
    long *spre;      /* spre[j] = S(j) = #{pivots < j}, j = 0 .. F */
    char *allcov;    /* allcov[j]: every lag < j covered, j = 0 .. F */
} heads_ctx;

/* S(j) = #{i : l_i < j}; every pivot is < F.  O(1): a profile of any
   length is checked in one pass. */
static long S_at(const heads_ctx *c, long j)
{
    return c->spre[j < c->F ? j : c->F];
}

/* Upper bound on k(j) the certificate proves (allcov filled). */
static long upper_at(const heads_ctx *c, long j)
{
    long triv = j;
    if (c->Z < triv)
        triv = c->Z;
    if (c->F < triv)
        triv = c->F;
    return c->allcov[j < c->F ? j : c->F] ? S_at(c, j) : triv;
}

static int proven(const heads_ctx *c, long j, long v)
{
    return S_at(c, j) == v && upper_at(c, j) == v;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int read_longs(long *out, const json_t *a, long n, long lo, long hi)
{
    long i;
    for (i = 0; i < n; i++)
        if (ssmhc_json_long(out + i, json_array_get(a, (size_t)i), lo, hi) != 0)
            return -1;
    return 0;
}

static ssmhc_verdict_t check_annihilator(heads_ctx *c, const json_t *ann, const ssmhc_model *m,
                                         ssmhc_report_t *r)
{
    const json_t *side;
    long deg;

    if (!json_is_object(ann))
        return ssmhc_fail(r, "upper: annihilator missing");
    side = json_object_get(ann, "side");
    if (json_is_string(side) && strcmp(json_string_value(side), "cayley_hamilton") == 0) {
        if (json_object_size(ann) != 1)
            return ssmhc_fail(r, "upper: cayley_hamilton takes no coefficients");
        c->m = m->N;
        return SSMHC_VERIFIED;
    }
    deg = ssmhc_check_annihilator(ann, m, r);
    if (deg < 0)
        return SSMHC_REJECTED;
    c->m = deg;
    return SSMHC_VERIFIED;
}

/* The elimination's answer (ssmhc_leading_minors_mod) as a verdict. */
static ssmhc_verdict_t lower_verdict(long k, ssmhc_report_t *r)
{
    if (k > 0)
        return ssmhc_fail(r, "lower: leading minor %ld is zero mod P", k);
    if (k < 0)
        return ssmhc_fail(r, "lower: pivot %ld has no inverse mod P", -k);
    return SSMHC_VERIFIED;
}

static ssmhc_verdict_t check_lower(heads_ctx *c, const json_t *low, const ssmhc_model *m,
                                   ssmhc_report_t *r)
{
    const json_t *jp, *jl, *je;
    mpz_t P, lo, hi;
    u64 Pu, *X;
    long i, k;
    int ok;

    c->r = 0;
    if (low == NULL || json_is_null(low))
        return SSMHC_VERIFIED;
    if (!json_is_object(low) || json_object_size(low) != 3)
        return ssmhc_fail(r, "lower: malformed");
    jp = json_object_get(low, "prime");
    c->modes = json_object_get(low, "modes") != NULL;
    jl = json_object_get(low, c->modes ? "modes" : "lags");
    je = json_object_get(low, "entries");
    if (!json_is_string(jp) || !json_is_array(jl) || !json_is_array(je)
        || json_array_size(jl) != json_array_size(je) || json_array_size(jl) == 0)
        return ssmhc_fail(r, "lower: prime, %s and entries malformed", c->modes ? "modes" : "lags");
    mpz_init(P);
    mpz_init(lo);
    mpz_init(hi);
    ok = mpz_set_str(P, json_string_value(jp), 10) == 0 && json_string_value(jp)[0] != '+'
         && json_string_value(jp)[0] != '-';
    mpz_set_ui(lo, 2);
    mpz_ui_pow_ui(hi, 2, 63);
    ok = ok && mpz_cmp(P, lo) > 0 && mpz_cmp(P, hi) < 0 && mpz_probab_prime_p(P, 40) > 0;
    Pu = ok ? (u64)mpz_get_ui(P) : 0;
    mpz_clear(P);
    mpz_clear(lo);
    mpz_clear(hi);
    if (!ok)
        return ssmhc_fail(r, "lower: the modulus is not a prime in (2, 2^63)");
    c->r = (long)json_array_size(jl);
    if (c->r > m->p * m->d || c->r > c->F)
        return ssmhc_fail(r, "lower: more %s than the dimension allows", c->modes ? "modes" : "lags");
    c->erow = malloc(sizeof(long) * (size_t)c->r);
    c->ecol = malloc(sizeof(long) * (size_t)c->r);
    if (c->modes) {
        long nm = m->complex_modes ? m->N / 2 : m->N;
        if (!m->block_diag)
            return ssmhc_fail(r, "lower: the mode form needs a diag or complex_diag model");
        c->mode = malloc(sizeof(long) * (size_t)c->r);
        c->part = malloc(sizeof(long) * (size_t)c->r);
        for (i = 0; i < c->r; i++) {
            const json_t *e = json_array_get(jl, (size_t)i);
            if (!json_is_array(e) || json_array_size(e) != 2
                || ssmhc_json_long(c->mode + i, json_array_get(e, 0), 0, nm - 1) != 0
                || ssmhc_json_long(c->part + i, json_array_get(e, 1), 0, 1) != 0)
                return ssmhc_fail(r, "lower: mode %ld is not a pair [mode, part] (mode < %ld, "
                                     "part 0 or 1)", i, nm);
        }
    } else {
        c->lags = malloc(sizeof(long) * (size_t)c->r);
        if (read_longs(c->lags, jl, c->r, 0, c->F - 1) != 0)
            return ssmhc_fail(r, "lower: a lag is not an integer in [0, F - 1] (F = %ld)", c->F);
        for (i = 1; i < c->r; i++)
            if (c->lags[i] <= c->lags[i - 1])
                return ssmhc_fail(r, "lower: lags are not strictly increasing");
    }
    for (i = 0; i < c->r; i++) {
        const json_t *e = json_array_get(je, (size_t)i);
        if (!json_is_array(e) || json_array_size(e) != 2
            || ssmhc_json_long(c->erow + i, json_array_get(e, 0), 0, m->p - 1) != 0
            || ssmhc_json_long(c->ecol + i, json_array_get(e, 1), 0, m->d - 1) != 0)
            return ssmhc_fail(r, "lower: entry %ld is not a position [row, col] of K", i);
    }
    {   /* distinct positions: sorted row-major keys */
        long *key = malloc(sizeof(long) * (size_t)c->r);
        for (i = 0; i < c->r; i++)
            key[i] = c->erow[i] * m->d + c->ecol[i];
        qsort(key, (size_t)c->r, sizeof(long), cmp_long);
        for (i = 1; i < c->r && key[i] != key[i - 1]; i++)
            ;
        free(key);
        if (i < c->r)
            return ssmhc_fail(r, "lower: an entry position repeats");
    }
    if (ssmhc_limits_get()->max_memory > 0
        && (size_t)c->r * (size_t)c->r > ssmhc_limits_get()->max_memory / 4 / sizeof(u64))
        return ssmhc_limit(r, "lower: a %ld x %ld matrix mod P needs more than a quarter of the "
                           "memory limit (--max-memory)", c->r, c->r);
    if (c->modes && Pu < ((u64)1 << 28)) {   /* the residues in 32 bits, eliminated there */
        uint32_t *A = ssmhc_malloc(sizeof(uint32_t) * (size_t)(c->r * c->r));
        int rc = ssmhc_mode_entries_mod(NULL, A, m, c->mode, c->part, c->r, c->erow, c->ecol, Pu, r);
        if (rc != 0) {
            free(A);
            return rc == -1 ? ssmhc_fail(r, "lower: the prime divides a denominator of the model")
                            : SSMHC_REJECTED;
        }
        k = ssmhc_leading_minors_mod32(A, c->r, Pu);
        free(A);
        return lower_verdict(k, r);
    }
    X = ssmhc_malloc(sizeof(u64) * (size_t)(c->r * c->r));
    if (c->modes) {
        int rc = ssmhc_mode_entries_mod(X, NULL, m, c->mode, c->part, c->r, c->erow, c->ecol, Pu, r);
        if (rc != 0) {
            free(X);
            return rc == -1 ? ssmhc_fail(r, "lower: the prime divides a denominator of the model")
                            : SSMHC_REJECTED;
        }
    } else if (ssmhc_lag_entries_mod(X, m, c->lags, c->r, c->erow, c->ecol, Pu) != 0) {
        free(X);
        return ssmhc_fail(r, "lower: the prime divides a denominator of the model");
    }
    /* Elimination without pivoting: every leading minor must be nonzero. */
    k = ssmhc_leading_minors_mod(X, c->r, Pu);
    free(X);
    return lower_verdict(k, r);
}

static ssmhc_verdict_t check_dependencies(heads_ctx *c, const json_t *deps, const ssmhc_model *m,
                                          ssmhc_report_t *r)
{
    long nd, i, j, maxlag = -1, l;
    ssmhc_qmat *K = NULL;
    ssmhc_verdict_t v = SSMHC_VERIFIED;

    if (deps == NULL)
        return SSMHC_VERIFIED;
    if (!json_is_array(deps))
        return ssmhc_fail(r, "upper: dependencies malformed");
    nd = (long)json_array_size(deps);
    for (i = 0; i < nd; i++) {
        const json_t *d = json_array_get(deps, (size_t)i);
        long lag;
        if (!json_is_object(d) || json_object_size(d) != 3
            || ssmhc_json_long(&lag, json_object_get(d, "lag"), 0, c->F - 1) != 0)
            return ssmhc_fail(r, "upper: dependency %ld malformed (lag must be in [0, F - 1])", i);
        if (c->is_pivot[lag] || c->covered[lag])
            return ssmhc_fail(r, "upper: dependency %ld: lag %ld is a pivot or repeated", i, lag);
        c->covered[lag] = 2; /* to be checked */
        if (lag > maxlag)
            maxlag = lag;
    }
    if (nd == 0)
        return SSMHC_VERIFIED;
    K = malloc(sizeof(ssmhc_qmat) * (size_t)(maxlag + 1));
    if (ssmhc_model_lags(K, m, maxlag + 1) != 0)
        v = ssmhc_limit(r, "upper: %s", ssmhc_limit_note());
    for (i = 0; i < nd && v == SSMHC_VERIFIED; i++) {
        const json_t *d = json_array_get(deps, (size_t)i);
        const json_t *pv = json_object_get(d, "pivots"), *co = json_object_get(d, "coeffs");
        long lag = (long)json_integer_value(json_object_get(d, "lag")), np;
        ssmhc_qmat T;
        mpq_t cf, t;
        if (!json_is_array(pv) || !json_is_array(co) || json_array_size(pv) != json_array_size(co)) {
            v = ssmhc_fail(r, "upper: dependency %ld: pivots and coeffs malformed", i);
            break;
        }
        np = (long)json_array_size(pv);
        ssmhc_qmat_init(&T, m->p, m->d);
        mpq_init(cf);
        mpq_init(t);
        for (j = 0; j < np && v == SSMHC_VERIFIED; j++) {
            long pl;
            size_t e;
            if (ssmhc_json_long(&pl, json_array_get(pv, (size_t)j), 0, lag - 1) != 0
                || !c->is_pivot[pl]
                || (j > 0 && pl <= (long)json_integer_value(json_array_get(pv, (size_t)j - 1)))
                || ssmhc_json_rational(cf, json_array_get(co, (size_t)j)) != 0) {
                v = ssmhc_fail(r, "upper: dependency %ld: term %ld is not a smaller pivot lag with an exact coefficient", i, j);
                break;
            }
            for (e = 0; e < (size_t)m->p * (size_t)m->d; e++) {
                mpq_mul(t, cf, K[pl].e[e]);
                mpq_add(T.e[e], T.e[e], t);
            }
        }
        if (v == SSMHC_VERIFIED && !ssmhc_qmat_equal(&T, &K[lag]))
            v = ssmhc_fail(r, "upper: dependency for lag %ld does not hold exactly", lag);
        c->covered[lag] = 1;
        ssmhc_qmat_clear(&T);
        mpq_clear(cf);
        mpq_clear(t);
    }
    for (l = 0; l <= maxlag; l++)
        ssmhc_qmat_clear(&K[l]);
    free(K);
    return v;
}

static int lower_is_modes(const json_t *wit)
{
    const json_t *low = json_is_object(wit) ? json_object_get(wit, "lower") : NULL;
    return json_is_object(low) && json_object_get(low, "modes") != NULL;
}

/* The mode form proves k(j) >= r for j >= F only (doc/cert-heads.md): the
   claim is k_inf, at the trivial upper bound r = min(Z, F), with no n*,
   no profile and no dependencies. */
static ssmhc_verdict_t check_mode_claim(const heads_ctx *c, long n, long k, const json_t *jki,
                                        const json_t *jns, const json_t *jpr, const json_t *deps,
                                        ssmhc_report_t *r)
{
    long triv = c->Z < c->F ? c->Z : c->F, ki;
    if (jns != NULL || jpr != NULL)
        return ssmhc_fail(r, "claim: the mode form proves k_inf only (no n_star, no profile)");
    if (deps != NULL && (!json_is_array(deps) || json_array_size(deps) != 0))
        return ssmhc_fail(r, "upper: the mode form takes no dependencies");
    if (n < c->F)
        return ssmhc_fail(r, "claim: the mode form proves k(n) for n >= F = %ld only, not n = %ld",
                          c->F, n);
    if (k != c->r || c->r != triv)
        return ssmhc_fail(r, "claim: k(%ld) = %ld does not follow (lower %ld from modes, upper %ld)",
                          n, k, c->r, triv);
    if (jki != NULL && (ssmhc_json_long(&ki, jki, 0, MAX_LAG) != 0 || ki != c->r))
        return ssmhc_fail(r, "claim: k_inf does not follow");
    return SSMHC_VERIFIED;
}

ssmhc_verdict_t ssmhc_check_heads(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    static const char *const claim_keys[] = {"kind", "n", "k", "k_inf", "n_star", "profile", NULL};
    const json_t *claim = json_object_get(cert, "claim"), *wit = json_object_get(cert, "witness");
    const json_t *upper, *jki, *jns, *jpr;
    heads_ctx c;
    long n, k, i, l;
    ssmhc_verdict_t v;
    const char *key;
    json_t *val;

    memset(&c, 0, sizeof(c));
    json_object_foreach((json_t *)claim, key, val) {
        int ok = 0;
        for (i = 0; claim_keys[i]; i++)
            ok |= strcmp(key, claim_keys[i]) == 0;
        if (!ok)
            return ssmhc_fail(r, "claim: unknown field '%s'", key);
    }
    if (ssmhc_json_long(&n, json_object_get(claim, "n"), 1, MAX_LAG) != 0
        || ssmhc_json_long(&k, json_object_get(claim, "k"), 0, MAX_LAG) != 0)
        return ssmhc_fail(r, "claim: n and k must be integers (n >= 1)");
    jki = json_object_get(claim, "k_inf");
    jns = json_object_get(claim, "n_star");
    jpr = json_object_get(claim, "profile");
    if ((jki == NULL) != (jns == NULL) && !(jns == NULL && lower_is_modes(wit)))
        return ssmhc_fail(r, "claim: k_inf and n_star go together");
    if (!json_is_object(wit) || json_object_size(wit) != 2)
        return ssmhc_fail(r, "witness: expected exactly lower and upper");
    upper = json_object_get(wit, "upper");
    if (!json_is_object(upper) || json_object_size(upper) > 2
        || (json_object_size(upper) == 2 && !json_object_get(upper, "dependencies")))
        return ssmhc_fail(r, "witness: upper malformed");
    if (!json_object_get(wit, "lower"))
        return ssmhc_fail(r, "witness: lower missing");

    c.Z = ssmhc_support(m);
    v = check_annihilator(&c, json_object_get(upper, "annihilator"), m, r);
    if (v == SSMHC_VERIFIED) {
        /* direct with D = 0: K_l = C A^l B for every l, so the recurrence
           already covers lag m; otherwise it covers lags >= m + 1 */
        c.F = c.m + 1 - (!m->delayed && ssmhc_smat_is_zero(&m->D));
        if (c.F < 1)
            c.F = 1;
    }
    if (v == SSMHC_VERIFIED)
        v = check_lower(&c, json_object_get(wit, "lower"), m, r);
    if (v == SSMHC_VERIFIED && c.modes) {
        v = check_mode_claim(&c, n, k, jki, jns, jpr, json_object_get(upper, "dependencies"), r);
        goto out;
    }
    if (v == SSMHC_VERIFIED) {
        c.covered = calloc((size_t)c.F, 1);
        c.is_pivot = calloc((size_t)c.F, 1);
        for (i = 0; i < c.r; i++)
            c.covered[c.lags[i]] = c.is_pivot[c.lags[i]] = 1;
        v = check_dependencies(&c, json_object_get(upper, "dependencies"), m, r);
    }
    if (v == SSMHC_VERIFIED) {
        c.spre = calloc((size_t)c.F + 1, sizeof(long));
        c.allcov = calloc((size_t)c.F + 1, 1);
        for (i = 0; i < c.r; i++)
            c.spre[c.lags[i] + 1]++;
        for (l = 0; l < c.F; l++)
            c.spre[l + 1] += c.spre[l];
        /* lags whose S(l) already equals the support size are covered */
        for (l = 0; l < c.F; l++)
            if (!c.covered[l] && S_at(&c, l) >= c.Z)
                c.covered[l] = 1;
        c.allcov[0] = 1;
        for (l = 0; l < c.F; l++)
            c.allcov[l + 1] = c.allcov[l] && c.covered[l];
        if (!proven(&c, n, k))
            v = ssmhc_fail(r, "claim: k(%ld) = %ld does not follow (lower %ld, upper %ld)", n, k,
                           S_at(&c, n), upper_at(&c, n));
    }
    if (v == SSMHC_VERIFIED && jki != NULL) {
        long ki, ns;
        if (ssmhc_json_long(&ki, jki, 0, MAX_LAG) != 0 || ssmhc_json_long(&ns, jns, 1, MAX_LAG) != 0)
            v = ssmhc_fail(r, "claim: k_inf/n_star malformed");
        else if (ki != c.r || !proven(&c, c.F, ki))
            v = ssmhc_fail(r, "claim: k_inf = %ld does not follow", ki);
        else if (ns != (c.r > 0 ? c.lags[c.r - 1] + 1 : 1))
            v = ssmhc_fail(r, "claim: n_star = %ld is not the last pivot lag + 1", ns);
        else if (ns > 1 && upper_at(&c, ns - 1) >= ki)
            v = ssmhc_fail(r, "claim: k(n_star - 1) < k_inf is not proven");
    }
    if (v == SSMHC_VERIFIED && jpr != NULL) {
        if (!json_is_array(jpr) || json_array_size(jpr) > (size_t)MAX_LAG)
            v = ssmhc_fail(r, "claim: profile malformed");
        for (i = 0; v == SSMHC_VERIFIED && i < (long)json_array_size(jpr); i++) {
            long kj;
            if (ssmhc_json_long(&kj, json_array_get(jpr, (size_t)i), 0, MAX_LAG) != 0
                || !proven(&c, i + 1, kj))
                v = ssmhc_fail(r, "claim: profile entry k(%ld) does not follow", i + 1);
        }
    }
out:
    if (v == SSMHC_VERIFIED)
        snprintf(r->step, sizeof(r->step),
                 "heads: k(%ld) = %ld proven (%ld independent %s mod a prime, annihilator degree %ld, support %ld)",
                 n, k, c.r, c.modes ? "mode rows" : "lags", c.m, c.Z);
    free(c.mode);
    free(c.part);
    free(c.lags);
    free(c.erow);
    free(c.ecol);
    free(c.covered);
    free(c.is_pivot);
    free(c.spre);
    free(c.allcov);
    return v;
}
