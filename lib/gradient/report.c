/*
 * The gradient report (SPEC 4 `gradient`) and its certificate.  Guarantee:
 * every number is exact or a certified enclosure: ||K_l||_F^2 exactly;
 * ||K_l||_2 between sqrt of an exact Rayleigh quotient and sqrt of an
 * LDL^T-proven eigenvalue bound (both square roots rounded outward by Arb);
 * the horizon from the proven envelope (horizon.c).
 */
#include "ssmheads-impl.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ssmh_gradient_init(ssmh_gradient_t g)
{
    memset(g, 0, sizeof(*g));
    ssmh_spectrum_init(g->spec);
    ssmh_spectrum_init(g->spec_min);
    ssmh_envelope_init(g->env);
    fmpq_init(g->eps);
    g->horizon = -1;
}

void ssmh_gradient_clear(ssmh_gradient_t g)
{
    ssmh_spectrum_clear(g->spec);
    ssmh_spectrum_clear(g->spec_min);
    ssmh_envelope_clear(g->env);
    fmpq_clear(g->eps);
    if (g->evidence)
        json_decref(g->evidence);
    if (g->norms_f2) {
        _fmpq_vec_clear(g->norms_f2, g->lags + 1);
        _fmpq_vec_clear(g->norm2_lo, g->lags + 1);
        _fmpq_vec_clear(g->norm2_hi, g->lags + 1);
    }
    ssmh_gradient_init(g);   /* the sub-objects above hold nothing now */
}

/* Structured models: keep the modes whose eigenvalue group contributes to
   some K_l (sum over the group of c_i b_i^T != 0).  Groups by sorting. */
static void contributing_modes(ssmh_model_t out, const ssmh_model_t m)
{
    slong N = m->N, i, j, a, b, g0, g1, kept = 0, *ord, na, nb, ia, ib;
    slong *rows = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, m->p));
    slong *cols = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, m->d));
    int cplx = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG;
    char *keep = flint_calloc((size_t)FLINT_MAX(1, N), 1);
    char *rmark = flint_calloc((size_t)FLINT_MAX(1, m->p), 1);
    char *cmark = flint_calloc((size_t)FLINT_MAX(1, m->d), 1);
    ssmh_spmat_t Ct, Cit;   /* the modes' output vectors: C's columns as rows */
    fmpq_t re, im, t;
    ssmh_spmat_init(Ct, 0, 0);
    ssmh_spmat_init(Cit, 0, 0);
    ssmh_spmat_transpose(Ct, m->C);
    if (cplx)
        ssmh_spmat_transpose(Cit, m->C_im);
    fmpq_init(re);
    fmpq_init(im);
    fmpq_init(t);
    ord = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N));
    {
        ssmh_mode_key_t *key = flint_malloc(sizeof(ssmh_mode_key_t) * (size_t)FLINT_MAX(1, N));
        for (i = 0; i < N; i++) {
            key[i].re = fmpq_mat_entry(m->lambda_re, i, 0);
            key[i].im = cplx ? fmpq_mat_entry(m->lambda_im, i, 0) : NULL;
            key[i].i = i;
        }
        _ssmh_mode_sort(key, N, 0);
        for (i = 0; i < N; i++)
            ord[i] = key[i].i;
        flint_free(key);
    }
    for (g0 = 0; g0 < N; g0 = g1) {
        int nz = 0;
        for (g1 = g0 + 1; g1 < N; g1++) {
            slong x = ord[g0], y = ord[g1];
            if (!fmpq_equal(fmpq_mat_entry(m->lambda_re, x, 0), fmpq_mat_entry(m->lambda_re, y, 0))
                || (cplx && !fmpq_equal(fmpq_mat_entry(m->lambda_im, x, 0), fmpq_mat_entry(m->lambda_im, y, 0))))
                break;
        }
        /* only rows a with some C[a][j] != 0 and columns b with some
           B[j][b] != 0 (j in the group) can make the residue nonzero; for a
           single mode it is the outer product of two nonzero (complex)
           vectors as soon as both lists are nonempty */
        na = nb = 0;
        for (i = g0; i < g1; i++) {
            const ssmh_spmat_struct *L[4];
            slong q, k;
            L[0] = Ct;
            L[1] = cplx ? Cit : NULL;
            L[2] = m->B;
            L[3] = cplx ? m->B_im : NULL;
            for (q = 0; q < 4; q++)
                if (L[q] != NULL)
                    for (k = L[q]->rowptr[ord[i]]; k < L[q]->rowptr[ord[i] + 1]; k++) {
                        slong x = L[q]->col[k];
                        char *mk = q < 2 ? rmark + x : cmark + x;
                        if (!*mk) {
                            *mk = 1;
                            if (q < 2)
                                rows[na++] = x;
                            else
                                cols[nb++] = x;
                        }
                    }
        }
        for (ia = 0; ia < na; ia++)
            rmark[rows[ia]] = 0;
        for (ib = 0; ib < nb; ib++)
            cmark[cols[ib]] = 0;
        if (g1 - g0 == 1)
            nz = na > 0 && nb > 0;
        for (ia = 0; ia < na && !nz; ia++)
            for (ib = 0; ib < nb && !nz; ib++) {
                a = rows[ia];
                b = cols[ib];
                fmpq_zero(re);
                fmpq_zero(im);
                for (i = g0; i < g1; i++) {
                    const fmpq *cr, *br;
                    j = ord[i];
                    cr = ssmh_spmat_entry(Ct, j, a);
                    br = ssmh_spmat_entry(m->B, j, b);
                    fmpq_addmul(re, cr, br);
                    if (cplx) {
                        const fmpq *ci = ssmh_spmat_entry(Cit, j, a), *bi = ssmh_spmat_entry(m->B_im, j, b);
                        fmpq_mul(t, ci, bi);
                        fmpq_sub(re, re, t);
                        fmpq_addmul(im, cr, bi);
                        fmpq_addmul(im, ci, br);
                    }
                }
                nz = !fmpq_is_zero(re) || !fmpq_is_zero(im);
            }
        if (nz) {
            for (i = g0; i < g1; i++)
                keep[ord[i]] = 1;
            kept += g1 - g0;
        }
    }
    flint_free(ord);
    flint_free(rows);
    flint_free(cols);
    flint_free(rmark);
    flint_free(cmark);
    ssmh_spmat_clear(Ct);
    ssmh_spmat_clear(Cit);
    /* only the modes are needed (their spectrum): no copy of B and C */
    ssmh_model_clear(out);
    ssmh_model_init(out);
    out->structure = m->structure;
    out->convention = m->convention;
    out->output = m->output;
    out->p = m->p;
    out->d = m->d;
    fmpq_mat_clear(out->lambda_re);
    fmpq_mat_init(out->lambda_re, kept, 1);
    if (cplx) {
        fmpq_mat_clear(out->lambda_im);
        fmpq_mat_init(out->lambda_im, kept, 1);
    }
    for (i = 0, j = 0; i < N; i++)
        if (keep[i]) {
            fmpq_set(fmpq_mat_entry(out->lambda_re, j, 0), fmpq_mat_entry(m->lambda_re, i, 0));
            if (cplx)
                fmpq_set(fmpq_mat_entry(out->lambda_im, j, 0), fmpq_mat_entry(m->lambda_im, i, 0));
            j++;
        }
    out->N = kept;
    flint_free(keep);
    fmpq_clear(re);
    fmpq_clear(im);
    fmpq_clear(t);
}

/* lo <= ||K||_2 <= hi, for a matrix with modest entries. */
static void norm2_enclose_exact(fmpq_t lo, fmpq_t hi, const fmpq_mat_t K)
{
    slong p = fmpq_mat_nrows(K), d = fmpq_mat_ncols(K), n = FLINT_MIN(p, d), i;
    fmpq_mat_t Kt, G, v, Gv;
    fmpq_t num, den, q, l2;
    fmpq_mat_init(Kt, d, p);
    fmpq_mat_transpose(Kt, K);
    fmpq_mat_init(G, n, n);
    if (p <= d)
        fmpq_mat_mul(G, K, Kt);
    else
        fmpq_mat_mul(G, Kt, K);
    fmpq_init(q);
    fmpq_init(l2);
    fmpq_init(num);
    fmpq_init(den);
    _ssmh_lmax_upper(q, G);              /* lambda_max(G) <= q, proven */
    /* lambda_max(G) >= v^T G v / v^T v for the float-guided rational v */
    fmpq_mat_init(v, n, 1);
    fmpq_mat_init(Gv, n, 1);
    _ssmh_dominant_vector(v, G);
    fmpq_mat_mul(Gv, G, v);
    for (i = 0; i < n; i++) {
        fmpq_addmul(num, fmpq_mat_entry(v, i, 0), fmpq_mat_entry(Gv, i, 0));
        fmpq_addmul(den, fmpq_mat_entry(v, i, 0), fmpq_mat_entry(v, i, 0));
    }
    if (!fmpq_is_zero(den))
        fmpq_div(l2, num, den);
    {
        fmpq_t a, b;
        fmpq_init(a);
        fmpq_init(b);
        _ssmh_sqrt_enclose(lo, a, l2, 40);   /* lo = lower end of sqrt(l2) */
        _ssmh_sqrt_enclose(b, hi, q, 40);    /* hi = upper end of sqrt(q) */
        fmpq_clear(a);
        fmpq_clear(b);
    }
    fmpq_clear(num);
    fmpq_clear(den);
    fmpq_clear(q);
    fmpq_clear(l2);
    fmpq_mat_clear(v);
    fmpq_mat_clear(Gv);
    fmpq_mat_clear(Kt);
    fmpq_mat_clear(G);
}

/* lo <= ||K||_2 <= hi.  K is first rounded to K~ with 40-bit dyadics
   (relative to its largest entry): ||K||_2 is within ||K - K~||_F of
   ||K~||_2 (triangle inequality), and ||K - K~||_F^2 is computed exactly, so
   the enclosure stays certified while the exact work stays small. */
void ssmh_norm2_enclose(fmpq_t lo, fmpq_t hi, const fmpq_mat_t K)
{
    slong p = fmpq_mat_nrows(K), d = fmpq_mat_ncols(K), i, j;
    double big = 0;
    int e;
    fmpq_mat_t R;
    fmpq_t err2, el, eh, t;
    for (i = 0; i < p; i++)
        for (j = 0; j < d; j++)
            big = fmax(big, fabs(fmpq_get_d(fmpq_mat_entry(K, i, j))));
    if (big == 0 || !isfinite(big)) {
        if (big == 0) {
            fmpq_zero(lo);
            fmpq_zero(hi);
        } else {
            norm2_enclose_exact(lo, hi, K);
        }
        return;
    }
    frexp(big, &e);
    fmpq_mat_init(R, p, d);
    fmpq_init(err2);
    fmpq_init(el);
    fmpq_init(eh);
    fmpq_init(t);
    for (i = 0; i < p; i++)
        for (j = 0; j < d; j++) {
            fmpq *r = fmpq_mat_entry(R, i, j);
            if (!_ssmh_set_dyadic(r, fmpq_get_d(fmpq_mat_entry(K, i, j)), 40 - e))
                fmpq_zero(r);   /* (cannot happen for finite big) any R stays valid */
            fmpq_sub(t, fmpq_mat_entry(K, i, j), r);
            fmpq_addmul(err2, t, t);
        }
    norm2_enclose_exact(lo, hi, R);
    _ssmh_sqrt_enclose(el, eh, err2, 40);
    fmpq_add(hi, hi, eh);
    fmpq_sub(lo, lo, eh);
    if (fmpq_sgn(lo) < 0)
        fmpq_zero(lo);
    fmpq_clear(err2);
    fmpq_clear(el);
    fmpq_clear(eh);
    fmpq_clear(t);
    fmpq_mat_clear(R);
}

/* What the certificate can carry of the verdict: stable by the envelope
   itself (gamma < 1); marginal and unstable by exact eigenvalue evidence
   (marginal also needs gamma = 1).  Sets g->evidence or g->why_verdict. */
static void certify_verdict(ssmh_gradient_t g, const ssmh_model_t m)
{
    ssmh_stability_t v = g->spec->verdict;
    g->why_verdict[0] = '\0';
    if (!g->have_env) {
        snprintf(g->why_verdict, sizeof(g->why_verdict),
                 "a gradient certificate needs the envelope, which was not proven");
        return;
    }
    if (v == SSMH_STABLE) {
        if (fmpq_cmp_ui(g->env->gamma, 1) >= 0)   /* pick_gamma keeps gamma < 1: not expected */
            snprintf(g->why_verdict, sizeof(g->why_verdict), "the proven gamma is not below 1");
        return;
    }
    if (v == SSMH_MARGINAL && !fmpq_is_one(g->env->gamma)) {
        snprintf(g->why_verdict, sizeof(g->why_verdict),
                 "marginal needs a power-bounded P (gamma = 1), which was not found (the unit-circle "
                 "part is too large for the exact invariant-form solve, or its complement's Stein form "
                 "failed)");
        return;
    }
    g->evidence = _ssmh_verdict_evidence(m, v);
    if (g->evidence == NULL)
        snprintf(g->why_verdict, sizeof(g->why_verdict),
                 "no exact eigenvalue evidence (kernel, chain, cyclic or Stein form) fits the limits "
                 "(doc/gradient.md, \"Not certified yet\")");
}

int ssmh_gradient_compute(ssmh_gradient_t g, const ssmh_model_t m, slong lags, const fmpq_t eps,
                          const ssmh_limits_t *lim, ssmh_error_t *err)
{
    fmpq_mat_struct *K;
    slong l, i, j;
    int rc;

    ssmh_gradient_clear(g);
    g->convention = m->convention;
    ssmh_progress_step(lim, "gradient: exact spectrum", 0, 0);
    if ((rc = ssmh_spectrum_compute(g->spec, m, 30, err)) != SSMH_OK)
        return rc;
    /* the minimal realization's modes alone shape K_l */
    if (m->structure == SSMH_STRUCTURE_DIAG || m->structure == SSMH_STRUCTURE_COMPLEX_DIAG) {
        ssmh_model_t r;
        ssmh_model_init(r);
        contributing_modes(r, m);
        /* a complex mode is two real states, unless it is real (im = 0) */
        g->mcmillan_degree = 0;
        for (i = 0; i < r->N; i++)
            g->mcmillan_degree += (r->structure == SSMH_STRUCTURE_COMPLEX_DIAG
                                   && !fmpq_is_zero(fmpq_mat_entry(r->lambda_im, i, 0))) ? 2 : 1;
        if (r->N > 0)
            rc = ssmh_spectrum_compute(g->spec_min, r, 30, err);
        else
            g->spec_min->verdict = SSMH_STABLE;
        ssmh_model_clear(r);
    } else {
        ssmh_minimal_t mn;
        ssmh_minimal_init(mn);
        rc = ssmh_minimal_compute(mn, m, lim, err);
        if (rc == SSMH_OK) {
            g->mcmillan_degree = mn->mcmillan_degree;
            if (mn->mcmillan_degree > 0)
                rc = ssmh_spectrum_compute(g->spec_min, mn->minimal, 30, err);
            else
                g->spec_min->verdict = SSMH_STABLE;
        }
        ssmh_minimal_clear(mn);
    }
    if (rc != SSMH_OK)
        return rc;
    {
        ssmh_error_t e2;
        ssmh_error_clear(&e2);
        g->have_env = ssmh_envelope_compute_limited(g->env, m, g->spec, lim, &e2) == SSMH_OK;
        if (!g->have_env)
            snprintf(g->why_envelope, sizeof(g->why_envelope), "%s", e2.message);
    }
    ssmh_progress_step(lim, "gradient: verdict evidence", 0, 0);
    certify_verdict(g, m);
    if (eps != NULL) {
        g->have_eps = 1;
        fmpq_set(g->eps, eps);
        g->horizon = ssmh_gradient_horizon(g, m, eps, &g->horizon_none);
    }
    g->lags = lags;
    g->norms_f2 = _fmpq_vec_init(lags + 1);
    g->norm2_lo = _fmpq_vec_init(lags + 1);
    g->norm2_hi = _fmpq_vec_init(lags + 1);
    /* structured layers: the norms from the modes (no dense lags) */
    rc = _ssmh_lag_norms(g->norms_f2, g->norm2_lo, g->norm2_hi, m, lags,
                         g->have_env && g->env->identity_P ? g->env->M2 : NULL, g->spec->rho_hi,
                         lim, err);
    if (rc != 0)
        return rc < 0 ? rc : SSMH_OK;
    K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)(lags + 1));
    for (l = 0; l <= lags; l++)
        fmpq_mat_init(K + l, 0, 0);
    rc = ssmh_lags_limited(K, m, lags + 1, lim, err);
    for (l = 0; l <= lags && rc == SSMH_OK; l++) {
        for (i = 0; i < m->p; i++)
            for (j = 0; j < m->d; j++)
                fmpq_addmul(g->norms_f2 + l, fmpq_mat_entry(K + l, i, j), fmpq_mat_entry(K + l, i, j));
        ssmh_norm2_enclose(g->norm2_lo + l, g->norm2_hi + l, K + l);
    }
    for (l = 0; l <= lags; l++)
        fmpq_mat_clear(K + l);
    flint_free(K);
    return rc;
}

static json_t *q(const fmpq_t x)
{
    return ssmh_json_rational(x);
}

json_t *ssmh_gradient_to_json(const ssmh_gradient_t g)
{
    json_t *o = json_object(), *nf = json_array(), *n2 = json_array();
    slong l;
    json_object_set_new(o, "stable", json_string(ssmh_stability_name(g->spec->verdict)));
    json_object_set_new(o, "rho_lo", q(g->spec->rho_lo));
    json_object_set_new(o, "rho_hi", q(g->spec->rho_hi));
    json_object_set_new(o, "mcmillan_degree", json_integer(g->mcmillan_degree));
    json_object_set_new(o, "stable_minimal", json_string(ssmh_stability_name(g->spec_min->verdict)));
    json_object_set_new(o, "rho_minimal_lo", q(g->spec_min->rho_lo));
    json_object_set_new(o, "rho_minimal_hi", q(g->spec_min->rho_hi));
    json_object_set_new(o, "gamma", g->have_env ? q(g->env->gamma) : json_null());
    json_object_set_new(o, "M2", g->have_env ? q(g->env->M2) : json_null());
    json_object_set_new(o, "envelope_method",
                        g->have_env && g->env->method ? json_string(g->env->method) : json_null());
    {   /* the parts of the claim a certificate cannot carry, and why */
        json_t *nc = json_array(), *x;
        if (!g->have_env) {
            x = json_object();
            json_object_set_new(x, "part", json_string("envelope"));
            json_object_set_new(x, "why", json_string(g->why_envelope));
            json_array_append_new(nc, x);
        }
        if (g->why_verdict[0]) {
            x = json_object();
            json_object_set_new(x, "part", json_string("verdict"));
            json_object_set_new(x, "why", json_string(g->why_verdict));
            json_array_append_new(nc, x);
        }
        if (g->have_eps && !g->have_env) {
            x = json_object();
            json_object_set_new(x, "part", json_string("horizon"));
            json_object_set_new(x, "why", json_string("the horizon comes from the envelope"));
            json_array_append_new(nc, x);
        }
        json_object_set_new(o, "not_certified", nc);
    }
    for (l = 0; l <= g->lags; l++) {
        json_t *pair = json_array();
        json_array_append_new(nf, q(g->norms_f2 + l));
        json_array_append_new(pair, q(g->norm2_lo + l));
        json_array_append_new(pair, q(g->norm2_hi + l));
        json_array_append_new(n2, pair);
    }
    json_object_set_new(o, "norms_f2", nf);
    json_object_set_new(o, "norms_2", n2);
    if (g->have_eps) {
        json_object_set_new(o, "eps", q(g->eps));
        json_object_set_new(o, "horizon", g->horizon >= 0 ? json_integer(g->horizon) : json_null());
        if (g->horizon < 0)   /* why there is none (doc/gradient.md, "Horizon in lags") */
            json_object_set_new(o, "horizon_none", json_string(g->horizon_none ? g->horizon_none : "none"));
    }
    json_object_set_new(o, "convention", json_string(ssmh_convention_name(g->convention)));
    return o;
}

json_t *ssmh_gradient_certificate(const ssmh_gradient_t g, const ssmh_model_t m)
{
    json_t *o, *claim, *wit, *nf;
    slong l;
    if (!g->have_env)
        return NULL;
    o = json_object();
    claim = json_object();
    wit = json_object();
    nf = json_array();
    json_object_set_new(o, "format", json_string("ssmheads-cert/1"));
    json_object_set_new(o, "model", ssmh_model_to_json(m));
    json_object_set_new(claim, "kind", json_string("gradient"));
    if (g->spec->verdict == SSMH_STABLE && fmpq_cmp_ui(g->env->gamma, 1) < 0) {
        json_object_set_new(claim, "stable", json_string("stable"));
    } else {
        /* marginal needs gamma = 1 (power-bounded) besides a unit root:
           certify_verdict found the evidence when there is any */
        if (g->evidence != NULL) {
            json_object_set_new(claim, "stable", json_string(ssmh_stability_name(g->spec->verdict)));
            json_object_set(wit, "evidence", g->evidence);
        }
    }
    json_object_set_new(claim, "gamma", q(g->env->gamma));
    json_object_set_new(claim, "M2", q(g->env->M2));
    for (l = 0; l <= g->lags; l++)
        json_array_append_new(nf, q(g->norms_f2 + l));
    json_object_set_new(claim, "norms_f2", nf);
    if (g->have_eps && g->horizon >= 0) {
        json_object_set_new(claim, "eps", q(g->eps));
        json_object_set_new(claim, "horizon", json_integer(g->horizon));
    }
    json_object_set_new(wit, "P", g->env->identity_P ? json_string("identity")
                                                     : ssmh_json_matrix(g->env->P));
    json_object_set_new(wit, "beta_B", q(g->env->beta_B));
    json_object_set_new(wit, "beta_C", q(g->env->beta_C));
    json_object_set_new(o, "claim", claim);
    json_object_set_new(o, "witness", wit);
    return o;
}

double ssmh_gradient_envelope_d(const ssmh_gradient_t g, slong l)
{
    slong t = g->convention == SSMH_CONVENTION_DELAYED ? l - 1 : l;
    if (!g->have_env || t < 0)
        return NAN;
    return sqrt(fmpq_get_d(g->env->M2)) * pow(fmpq_get_d(g->env->gamma), (double)t);
}
