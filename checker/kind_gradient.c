/*
 * Checker for certificates of kind `gradient` (doc/gradient.md).  Accepts
 * only when, exactly: P > 0; gamma^2 P - A^T P A >= 0; beta_B I - B^T P B >= 0;
 * beta_C P - C^T C >= 0 (for P = I: beta_C I - C C^T >= 0, the same largest
 * eigenvalue); M2 = beta_B beta_C; "stable" only with gamma < 1 (then every
 * |lambda| <= gamma < 1); every listed ||K_l||_F^2 recomputed (lag by
 * lag: the first wrong one ends the check); the horizon exactly the least
 * lag the envelope allows (horizon.c: none for gamma > 1, O(log t)
 * comparisons); "marginal" (with
 * gamma = 1) and "unstable" only with evidence of an eigenvalue (a block of
 * a structured A, phi(A) v = 0 for phi of degree <= 2, a cyclic vector for
 * phi, or a Stein form that forces a root outside).  The envelope (P,
 * gamma, beta_B, beta_C) by ssmhc_check_envelope (envelope.c); each
 * semidefiniteness by its own LDL^T without pivoting (a zero pivot needs a
 * zero column).
 */
#include "ssmhc-impl.h"
#include <stdlib.h>
#include <string.h>

/* A JSON array of n exact numbers as an n x 1 matrix (initialised on success). */
static int read_vec(ssmhc_qmat *v, const json_t *a, long n)
{
    long i;
    if (!json_is_array(a) || (long)json_array_size(a) != n)
        return -1;
    ssmhc_qmat_init(v, n, 1);
    for (i = 0; i < n; i++)
        if (ssmhc_json_rational(v->e[i], json_array_get(a, (size_t)i)) != 0) {
            ssmhc_qmat_clear(v);
            return -1;
        }
    return 0;
}

/* out = phi(A) x for monic phi = [c0, (c1,) 1]. */
static void phi_apply(ssmhc_qmat *out, const ssmhc_model *m, const mpq_t *c, long deg, const ssmhc_qmat *x)
{
    ssmhc_qmat y, z;
    size_t e;
    mpq_t t;
    mpq_init(t);
    ssmhc_qmat_init(&y, m->N, 1);
    ssmhc_qmat_init(&z, m->N, 1);
    ssmhc_model_apply_A(&y, m, x);                 /* A x */
    if (deg == 2) {
        ssmhc_model_apply_A(&z, m, &y);            /* A^2 x */
        for (e = 0; e < (size_t)m->N; e++) {
            mpq_mul(t, c[1], y.e[e]);
            mpq_add(z.e[e], z.e[e], t);
        }
        ssmhc_qmat_copy(&y, &z);
    }
    for (e = 0; e < (size_t)m->N; e++) {
        mpq_mul(t, c[0], x->e[e]);
        mpq_add(out->e[e], y.e[e], t);
    }
    ssmhc_qmat_clear(&y);
    ssmhc_qmat_clear(&z);
    mpq_clear(t);
}

static int is_symmetric(const ssmhc_qmat *P)
{
    long i, j;
    for (i = 0; i < P->rows; i++)
        for (j = 0; j < i; j++)
            if (!mpq_equal(SSMHC_Q(P, i, j), SSMHC_Q(P, j, i)))
                return 0;
    return 1;
}

/* "cyclic": monic phi = [c0, ..., 1] of degree d, power k in {1, 2}, and v
   with v, A v, ..., A^(kd-1) v independent and phi^k(A) v = 0.  Then A on
   that cyclic space has characteristic polynomial phi^k: every root of phi
   is an eigenvalue of A, and for k = 2 a defective one (its Jordan block
   there has size >= 2).  |c0| is the product of the roots' moduli, so
   |c0| >= 1 shows a root of modulus >= 1 and |c0| > 1 one outside.
   Returns the class of |c0| against 1, or 2 when invalid. */
static int check_cyclic(const json_t *ev, const ssmhc_model *m, int *chain)
{
    const json_t *pc = json_object_get(ev, "poly");
    long d, k, D, i, j;
    mpq_t *phi = NULL, *psi = NULL, t;
    ssmhc_qmat v, u, Kr, acc;
    int cls = 2, ok;
    if (json_object_size(ev) != 4u || !json_is_array(pc) || json_array_size(pc) < 2
        || (long)json_array_size(pc) > m->N + 1
        || ssmhc_json_long(&k, json_object_get(ev, "power"), 1, 2) != 0)
        return 2;
    d = (long)json_array_size(pc) - 1;
    D = k * d;
    if (D > m->N)
        return 2;
    phi = malloc(sizeof(mpq_t) * (size_t)(d + 1));
    psi = malloc(sizeof(mpq_t) * (size_t)(D + 1));
    for (i = 0; i <= d; i++)
        mpq_init(phi[i]);
    for (i = 0; i <= D; i++)
        mpq_init(psi[i]);
    mpq_init(t);
    ok = 1;
    for (i = 0; i <= d; i++)
        ok &= ssmhc_json_rational(phi[i], json_array_get(pc, (size_t)i)) == 0;
    ok = ok && mpq_cmp_ui(phi[d], 1, 1) == 0;
    if (ok) {   /* psi = phi^k */
        if (k == 1) {
            for (i = 0; i <= d; i++)
                mpq_set(psi[i], phi[i]);
        } else {
            for (i = 0; i <= d; i++)
                for (j = 0; j <= d; j++) {
                    mpq_mul(t, phi[i], phi[j]);
                    mpq_add(psi[i + j], psi[i + j], t);
                }
        }
    }
    if (ok && read_vec(&v, json_object_get(ev, "v"), m->N) == 0) {
        /* Kr = [v, A v, ..., A^(D-1) v]; acc = sum_i psi_i A^i v */
        ssmhc_qmat_init(&u, m->N, 1);
        ssmhc_qmat_init(&Kr, m->N, D);
        ssmhc_qmat_init(&acc, m->N, 1);
        ssmhc_qmat_copy(&u, &v);
        for (i = 0; i <= D; i++) {
            ssmhc_qmat w;
            for (j = 0; j < m->N; j++) {
                if (i < D)
                    mpq_set(SSMHC_Q(&Kr, j, i), u.e[j]);
                mpq_mul(t, psi[i], u.e[j]);
                mpq_add(acc.e[j], acc.e[j], t);
            }
            if (i < D) {
                ssmhc_qmat_init(&w, m->N, 1);
                ssmhc_model_apply_A(&w, m, &u);
                ssmhc_qmat_copy(&u, &w);
                ssmhc_qmat_clear(&w);
                for (j = 0; j < m->N && ok; j++)   /* the Krylov powers grow */
                    ok = ssmhc_bits_check(u.e[j], "witness.evidence (cyclic)") == 0;
                if (!ok)
                    break;
            }
        }
        if (ok && ssmhc_qmat_is_zero(&acc) && ssmhc_qmat_rank(&Kr) == D) {
            mpq_abs(t, phi[0]);
            cls = mpq_cmp_ui(t, 1, 1) > 0 ? 1 : mpq_cmp_ui(t, 1, 1) < 0 ? -1 : 0;
            *chain = k == 2;
        }
        ssmhc_qmat_clear(&u);
        ssmhc_qmat_clear(&Kr);
        ssmhc_qmat_clear(&acc);
        ssmhc_qmat_clear(&v);
    }
    for (i = 0; i <= d; i++)
        mpq_clear(phi[i]);
    for (i = 0; i <= D; i++)
        mpq_clear(psi[i]);
    free(phi);
    free(psi);
    mpq_clear(t);
    return cls;
}

/* "stein": r >= 1, a symmetric P with r^2 P - A^T P A > 0, and x with
   x^T P x < 0.  Then A has an eigenvalue with |lambda| > r: with B = A / r,
   f(y) = y^T P y strictly decreases along y, B y, B^2 y, ...; if every
   eigenvalue of B were inside the circle, f(B^t x) -> 0 > f(x) >= f(B^t x);
   one on it (B z = mu z, |mu| = 1) gives 0 = (1 - |mu|^2) z* P z = z* Q z
   > 0.  Returns 1 (outside), or 2 when invalid. */
static int check_stein(const json_t *ev, const ssmhc_model *m)
{
    ssmhc_qmat P, S, x, Px;
    mpq_t r, r2, xPx, t;
    int cls = 2;
    long i;
    if (json_object_size(ev) != 4u)
        return 2;
    mpq_init(r); mpq_init(r2); mpq_init(xPx); mpq_init(t);
    if (ssmhc_json_rational(r, json_object_get(ev, "r")) == 0 && mpq_cmp_ui(r, 1, 1) >= 0
        && ssmhc_json_qmat(&P, json_object_get(ev, "P"), m->N, m->N) == 0) {
        if (is_symmetric(&P) && read_vec(&x, json_object_get(ev, "x"), m->N) == 0) {
            ssmhc_qmat_init(&Px, m->N, 1);
            ssmhc_qmat_mul(&Px, &P, &x);
            for (i = 0; i < m->N; i++) {
                mpq_mul(t, x.e[i], Px.e[i]);
                mpq_add(xPx, xPx, t);
            }
            if (mpq_sgn(xPx) < 0) {
                mpq_mul(r2, r, r);
                ssmhc_envelope_stein(&S, m, &P, r2);
                if (ssmhc_qmat_psd(&S, 1))
                    cls = 1;
                ssmhc_qmat_clear(&S);
            }
            ssmhc_qmat_clear(&Px);
            ssmhc_qmat_clear(&x);
        }
        ssmhc_qmat_clear(&P);
    }
    mpq_clear(r); mpq_clear(r2); mpq_clear(xPx); mpq_clear(t);
    return cls;
}

/* The verdict evidence: returns the class of the exhibited eigenvalue's
   modulus (-1 inside, 0 on, 1 outside the unit circle), with *chain set for
   a defective (Jordan chain) witness; 2 when the evidence is invalid. */
static int check_evidence(const json_t *ev, const ssmhc_model *m, int *chain)
{
    const json_t *ty = json_object_get(ev, "type");
    mpq_t c[3], mod2, t;
    long deg = 0, s, i;
    int cls = 2;
    *chain = 0;
    if (!json_is_object(ev) || !json_is_string(ty))
        return 2;
    if (strcmp(json_string_value(ty), "cyclic") == 0)
        return check_cyclic(ev, m, chain);
    if (strcmp(json_string_value(ty), "stein") == 0)
        return check_stein(ev, m);
    mpq_init(c[0]); mpq_init(c[1]); mpq_init(c[2]); mpq_init(mod2); mpq_init(t);
    if (strcmp(json_string_value(ty), "block") == 0) {
        if (json_object_size(ev) == 2 && m->block_diag
            && ssmhc_json_long(&s, json_object_get(ev, "state"), 0, m->N - 1) == 0 && m->blk[s] != 2) {
            if (m->blk[s] == 0) {
                mpq_mul(mod2, SSMHC_Q(&m->Ab, s, 0), SSMHC_Q(&m->Ab, s, 0));
                cls = mpq_cmp_ui(mod2, 1, 1) > 0 ? 1 : mpq_cmp_ui(mod2, 1, 1) < 0 ? -1 : 0;
            } else {   /* [[a, -b], [b, a]]: eigenvalues a +- i b, |lambda|^2 = a^2 + b^2 */
                mpq_neg(t, ssmhc_model_A_entry(m, s + 1, s));
                if (mpq_equal(ssmhc_model_A_entry(m, s, s), ssmhc_model_A_entry(m, s + 1, s + 1))
                    && mpq_equal(ssmhc_model_A_entry(m, s, s + 1), t)) {
                    mpq_mul(mod2, ssmhc_model_A_entry(m, s, s), ssmhc_model_A_entry(m, s, s));
                    mpq_mul(t, ssmhc_model_A_entry(m, s + 1, s), ssmhc_model_A_entry(m, s + 1, s));
                    mpq_add(mod2, mod2, t);
                    cls = mpq_cmp_ui(mod2, 1, 1) > 0 ? 1 : mpq_cmp_ui(mod2, 1, 1) < 0 ? -1 : 0;
                }
            }
        }
    } else if (strcmp(json_string_value(ty), "kernel") == 0 || strcmp(json_string_value(ty), "chain") == 0) {
        const json_t *pc = json_object_get(ev, "poly");
        ssmhc_qmat v, w, r;
        int is_chain = strcmp(json_string_value(ty), "chain") == 0, ok;
        ok = json_object_size(ev) == (is_chain ? 4u : 3u) && json_is_array(pc)
             && (json_array_size(pc) == 2 || json_array_size(pc) == 3);
        if (ok) {
            deg = (long)json_array_size(pc) - 1;
            for (i = 0; i <= deg; i++)
                ok &= ssmhc_json_rational(c[i], json_array_get(pc, (size_t)i)) == 0;
            ok = ok && mpq_cmp_ui(c[deg], 1, 1) == 0;
        }
        if (ok) {   /* the roots of phi and their modulus */
            if (deg == 1) {
                mpq_mul(mod2, c[0], c[0]);
            } else {
                mpq_mul(t, c[1], c[1]);
                mpq_set(mod2, c[0]);
                mpq_mul_2exp(c[2], c[0], 2);   /* 4 c0 (c[2] no longer needed) */
                ok = mpq_cmp(t, c[2]) < 0;     /* a complex pair, |z|^2 = c0 */
            }
        }
        if (ok && read_vec(&v, json_object_get(ev, "v"), m->N) == 0) {
            ssmhc_qmat_init(&r, m->N, 1);
            phi_apply(&r, m, c, deg, &v);
            ok = !ssmhc_qmat_is_zero(&v) && ssmhc_qmat_is_zero(&r);
            if (ok && is_chain) {
                if (read_vec(&w, json_object_get(ev, "w"), m->N) == 0) {
                    phi_apply(&r, m, c, deg, &w);
                    ok = ssmhc_qmat_equal(&r, &v);
                    ssmhc_qmat_clear(&w);
                } else {
                    ok = 0;
                }
            }
            ssmhc_qmat_clear(&r);
            ssmhc_qmat_clear(&v);
            if (ok) {
                cls = mpq_cmp_ui(mod2, 1, 1) > 0 ? 1 : mpq_cmp_ui(mod2, 1, 1) < 0 ? -1 : 0;
                *chain = is_chain;
            }
        }
    }
    mpq_clear(c[0]); mpq_clear(c[1]); mpq_clear(c[2]); mpq_clear(mod2); mpq_clear(t);
    return cls;
}

ssmhc_verdict_t ssmhc_check_gradient(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r)
{
    const json_t *claim = json_object_get(cert, "claim"), *wit = json_object_get(cert, "witness");
    const json_t *jP, *jst, *jnf, *jeps, *jh;
    mpq_t gamma, M2, bB, bC, t, eps;
    int identity, ok = 1;
    long i, nl;
    ssmhc_verdict_t v = SSMHC_VERIFIED;

    if (!json_is_object(wit) || json_object_size(wit) != 3u + (json_object_get(wit, "evidence") != NULL))
        return ssmhc_fail(r, "witness: expected P, beta_B, beta_C (and evidence)");
    jst = json_object_get(claim, "stable");
    jnf = json_object_get(claim, "norms_f2");
    jeps = json_object_get(claim, "eps");
    jh = json_object_get(claim, "horizon");
    if (json_object_size(claim) != 4u + (jst != NULL) + 2u * (jeps != NULL) || (jeps == NULL) != (jh == NULL)
        || !json_is_array(jnf) || json_array_size(jnf) < 1 || json_array_size(jnf) > 100001
        || (jst != NULL && !json_is_string(jst)))
        return ssmhc_fail(r, "claim: expected kind, gamma, M2, norms_f2 (and stable, eps with horizon)");
    if (jst != NULL) {
        const char *vs = json_string_value(jst);
        const json_t *ev = json_object_get(wit, "evidence");
        int chain = 0, cls;
        if (strcmp(vs, "stable") == 0) {
            if (ev != NULL)
                return ssmhc_fail(r, "witness: a stable claim takes no evidence");
        } else if (strcmp(vs, "marginal") == 0 || strcmp(vs, "unstable") == 0) {
            int marg = strcmp(vs, "marginal") == 0;
            mpq_t g;
            if (ev == NULL)
                return ssmhc_fail(r, "witness: a %s claim needs evidence", vs);
            cls = check_evidence(ev, m, &chain);
            if (cls == 2)
                return ssmhc_fail(r, "witness: the evidence does not check (an eigenvalue as claimed is not shown)");
            if (marg && (cls != 0 || chain))
                return ssmhc_fail(r, "witness: marginal needs an eigenvalue on the unit circle");
            if (!marg && !(cls > 0 || (cls == 0 && chain)))
                return ssmhc_fail(r, "witness: unstable needs an eigenvalue outside the unit circle or a defective one on it");
            mpq_init(g);
            if (marg && (ssmhc_json_rational(g, json_object_get(claim, "gamma")) != 0
                         || mpq_cmp_ui(g, 1, 1) != 0)) {
                mpq_clear(g);
                return ssmhc_fail(r, "claim: marginal needs gamma = 1 (A power-bounded in the P-norm)");
            }
            mpq_clear(g);
        } else {
            return ssmhc_fail(r, "claim: stable must be stable, marginal or unstable");
        }
    } else if (json_object_get(wit, "evidence") != NULL) {
        return ssmhc_fail(r, "witness: evidence without a verdict claim");
    }
    mpq_init(gamma); mpq_init(M2); mpq_init(bB); mpq_init(bC); mpq_init(t); mpq_init(eps);
    ok = ssmhc_json_rational(gamma, json_object_get(claim, "gamma")) == 0
         && ssmhc_json_rational(M2, json_object_get(claim, "M2")) == 0
         && ssmhc_json_rational(bB, json_object_get(wit, "beta_B")) == 0
         && ssmhc_json_rational(bC, json_object_get(wit, "beta_C")) == 0
         && mpq_sgn(gamma) >= 0 && mpq_sgn(bB) >= 0 && mpq_sgn(bC) >= 0;
    if (!ok) {
        v = ssmhc_fail(r, "claim/witness: gamma, M2, beta_B, beta_C must be exact and >= 0");
        goto out;
    }
    mpq_mul(t, bB, bC);
    if (!mpq_equal(t, M2)) {
        v = ssmhc_fail(r, "claim: M2 != beta_B beta_C");
        goto out;
    }
    if (jst != NULL && strcmp(json_string_value(jst), "stable") == 0 && mpq_cmp_ui(gamma, 1, 1) >= 0) {
        v = ssmhc_fail(r, "claim: stable needs gamma < 1");
        goto out;
    }
    jP = json_object_get(wit, "P");
    identity = json_is_string(jP) && strcmp(json_string_value(jP), "identity") == 0;
    if (ssmhc_check_envelope(m, jP, gamma, bB, bC, "witness", NULL, r) != 0) {
        v = SSMHC_REJECTED;
        goto out;
    }
    /* exact Frobenius norms, lag by lag: the first wrong one ends the check */
    nl = (long)json_array_size(jnf);
    {
        mpq_t c;
        mpq_init(c);
        if (m->block_diag) {
            /* structured A: the norms without the dense lags (lag_norms.c),
               under the same bit, work and memory limits */
            mpq_t *f = ssmhc_qvec_init(nl);
            for (i = 0; i < nl && v == SSMHC_VERIFIED; i++)
                if (ssmhc_json_rational(c, json_array_get(jnf, (size_t)i)) != 0)
                    v = ssmhc_fail(r, "claim: norms_f2[%ld] is not an exact number", i);
            if (v == SSMHC_VERIFIED && ssmhc_lag_norms_f2(f, m, nl) != 0)
                v = ssmhc_limit(r, "%s", ssmhc_limit_note());
            for (i = 0; i < nl && v == SSMHC_VERIFIED; i++) {
                ssmhc_json_rational(c, json_array_get(jnf, (size_t)i));
                if (!mpq_equal(c, f[i]))
                    v = ssmhc_fail(r, "claim: norms_f2[%ld] is not ||K_%ld||_F^2", i, i);
            }
            ssmhc_qvec_clear(f, nl);
        } else {
            ssmhc_lagstream ls;
            ssmhc_qmat K;
            mpq_t f;
            long j;
            mpq_init(f);
            ssmhc_qmat_init(&K, m->p, m->d);
            ssmhc_lagstream_init(&ls, m);
            for (i = 0; i < nl && v == SSMHC_VERIFIED; i++) {
                if (ssmhc_json_rational(c, json_array_get(jnf, (size_t)i)) != 0) {
                    v = ssmhc_fail(r, "claim: norms_f2[%ld] is not an exact number", i);
                    break;
                }
                if (ssmhc_lagstream_next(&ls, &K) != 0) {
                    v = ssmhc_limit(r, "%s", ssmhc_limit_note());
                    break;
                }
                mpq_set_ui(f, 0, 1);
                for (j = 0; j < m->p * m->d; j++) {
                    mpq_mul(t, K.e[j], K.e[j]);
                    mpq_add(f, f, t);
                }
                if (!mpq_equal(c, f))
                    v = ssmhc_fail(r, "claim: norms_f2[%ld] is not ||K_%ld||_F^2", i, i);
            }
            ssmhc_lagstream_clear(&ls);
            ssmhc_qmat_clear(&K);
            mpq_clear(f);
        }
        mpq_clear(c);
    }
    /* horizon: the least lag from which the envelope covers every later K_l */
    if (v == SSMHC_VERIFIED && jeps != NULL) {
        long h;
        if (ssmhc_json_rational(eps, jeps) != 0 || mpq_sgn(eps) <= 0
            || ssmhc_json_long(&h, jh, 0, (long)SSMHC_MAX_HORIZON) != 0) {
            v = ssmhc_fail(r, "claim: eps must be > 0 and horizon an integer in 0 .. 2^62");
            goto out;
        }
        if (ssmhc_check_horizon(m, gamma, M2, eps, h, r) != 0)
            v = SSMHC_REJECTED;
    }
    if (v == SSMHC_VERIFIED)
        snprintf(r->step, sizeof(r->step),
                 "gradient: envelope ||C A^l B||^2 <= M2 gamma^(2l) proven (P %s)%s, %ld Frobenius norms%s",
                 identity ? "= I" : "dense",
                 !jst ? "" : strcmp(json_string_value(jst), "stable") == 0 ? ", stable (gamma < 1)"
                          : strcmp(json_string_value(jst), "marginal") == 0 ? ", marginal (gamma = 1 and a unit-circle eigenvalue)"
                          : ", unstable (an exhibited eigenvalue)", nl,
                 jeps ? ", horizon" : "");
out:
    mpq_clear(gamma); mpq_clear(M2); mpq_clear(bB); mpq_clear(bC); mpq_clear(t); mpq_clear(eps);
    return v;
}
