/*
 * The envelope ||C A^l B||_2^2 <= M2 gamma^(2l).  Guarantee: returned only
 * when proven exactly: P > 0 (identity for structured models, whose A is
 * normal), gamma^2 P - A^T P A >= 0, beta_B I - B^T P B >= 0 and
 * beta_C P - C^T C >= 0 (for P = I: beta_C I - C C^T >= 0), each by an
 * exact LDL^T.  For dense models P is, in order of preference, the
 * power-bounded form of a marginal A with gamma = 1 (marginal.c), the
 * eigenvector form, the identity, or the Stein solution of
 * P - (A/gamma)^T P (A/gamma) = I in floating point (numeric.c), rounded to
 * short dyadic rationals; floating point only proposes, LDL^T decides.
 * When none of these is proven (eigenvalues a hair inside the circle,
 * Jordan blocks, strongly non-normal A), the hard cases' methods of
 * stein.c follow: a balanced basis, extended precision, an exact solve.
 */
#include "ssmheads-impl.h"
/* GCC 12 reports the fmpq_t members of ssmh_envelope_struct as 8-byte
   regions when passed on (a known false positive of its array-parameter
   bounds analysis; valgrind and ASan are clean here). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ssmh_envelope_init(ssmh_envelope_t e)
{
    memset(e, 0, sizeof(*e));
    fmpq_init(e->gamma);
    fmpq_init(e->beta_B);
    fmpq_init(e->beta_C);
    fmpq_init(e->M2);
    fmpq_mat_init(e->P, 0, 0);
}

void ssmh_envelope_clear(ssmh_envelope_t e)
{
    fmpq_clear(e->gamma);
    fmpq_clear(e->beta_B);
    fmpq_clear(e->beta_C);
    fmpq_clear(e->M2);
    fmpq_mat_clear(e->P);
    ssmh_envelope_init(e);
}

/* gamma: a short rational > rho_hi * (1 + delta), kept below 1 when rho_hi < 1. */
static void pick_gamma(fmpq_t g, const fmpq_t rho_hi, double delta)
{
    fmpq_t half;
    if (!_ssmh_round_up(g, fmpq_get_d(rho_hi) * (1.0 + delta) + 1e-9 * delta)) {
        /* rho_hi beyond the range of doubles: the same, exactly */
        fmpq_init(half);
        if (!_ssmh_round_up(half, delta))
            fmpq_zero(half);
        fmpq_add_si(half, half, 1);
        fmpq_mul(half, half, rho_hi);
        _ssmh_round_up_q(g, half, 30);
        fmpq_clear(half);
    }
    if (fmpq_cmp(g, rho_hi) <= 0) { /* rounding could not separate: go halfway to 2 rho + 1 */
        fmpq_init(half);
        fmpq_add_si(half, rho_hi, 1);
        fmpq_add(g, g, half);
        fmpq_div_2exp(g, g, 1);
        fmpq_clear(half);
    }
    if (fmpq_cmp_ui(rho_hi, 1) < 0 && fmpq_cmp_ui(g, 1) >= 0) {
        fmpq_add_si(g, rho_hi, 1);   /* (rho_hi + 1) / 2 < 1 */
        fmpq_div_2exp(g, g, 1);
    }
}

/* S = gamma^2 P - A^T P A (or with P = I). */
void _ssmh_stein_residual(fmpq_mat_t S, const fmpq_mat_t A, const fmpq_mat_t P, const fmpq_t gamma)
{
    slong N = fmpq_mat_nrows(A);
    fmpq_mat_t At, T, U;
    fmpq_t g2;
    fmpq_mat_init(At, N, N);
    fmpq_mat_init(T, N, N);
    fmpq_mat_init(U, N, N);
    fmpq_init(g2);
    fmpq_mul(g2, gamma, gamma);
    fmpq_mat_transpose(At, A);
    fmpq_mat_mul(T, P, A);
    fmpq_mat_mul(U, At, T);
    fmpq_mat_scalar_mul_fmpq(S, P, g2);
    fmpq_mat_sub(S, S, U);
    fmpq_mat_clear(At);
    fmpq_mat_clear(T);
    fmpq_mat_clear(U);
    fmpq_clear(g2);
}

/* beta_C P - C^T C >= 0, exactly. */
static int beta_C_holds(const fmpq_t beta, const fmpq_mat_t P, const fmpq_mat_t C)
{
    slong N = fmpq_mat_nrows(P);
    fmpq_mat_t Ct, S, CtC;
    int ok;
    fmpq_mat_init(Ct, N, fmpq_mat_nrows(C));
    fmpq_mat_init(CtC, N, N);
    fmpq_mat_init(S, N, N);
    fmpq_mat_transpose(Ct, C);
    fmpq_mat_mul(CtC, Ct, C);
    fmpq_mat_scalar_mul_fmpq(S, P, beta);
    fmpq_mat_sub(S, S, CtC);
    ok = _ssmh_is_psd(S, 0);
    fmpq_mat_clear(Ct);
    fmpq_mat_clear(CtC);
    fmpq_mat_clear(S);
    return ok;
}

/* beta_C with beta_C P - C^T C >= 0: guided by lambda_max(C P^-1 C^T) in
   floating point (Cholesky of P, power iteration), proven exactly on the
   N x N matrix; returns 0 if no candidate could be proven. */
static int beta_C_dense(fmpq_t beta, const fmpq_mat_t P, const fmpq_mat_t C)
{
    slong N = fmpq_mat_nrows(P), p = fmpq_mat_nrows(C), i, j, k, tries;
    double *L = flint_calloc((size_t)(N * N), sizeof(double)), *Y = flint_malloc(sizeof(double) * (size_t)(N * p));
    double *G = flint_malloc(sizeof(double) * (size_t)(p * p)), *v = flint_malloc(sizeof(double) * (size_t)p);
    double lam = 0;
    int ok = 1;
    /* P = L L^T */
    for (j = 0; j < N && ok; j++) {
        double d = fmpq_get_d(fmpq_mat_entry(P, j, j));
        for (k = 0; k < j; k++)
            d -= L[j * N + k] * L[j * N + k];
        if (!(d > 0)) {
            ok = 0;
            break;
        }
        L[j * N + j] = sqrt(d);
        for (i = j + 1; i < N; i++) {
            double t = fmpq_get_d(fmpq_mat_entry(P, i, j));
            for (k = 0; k < j; k++)
                t -= L[i * N + k] * L[j * N + k];
            L[i * N + j] = t / L[j * N + j];
        }
    }
    if (ok) {
        /* Y = L^-1 C^T, G = Y^T Y = C P^-1 C^T */
        for (k = 0; k < p; k++)
            for (i = 0; i < N; i++) {
                double t = fmpq_get_d(fmpq_mat_entry(C, k, i));
                for (j = 0; j < i; j++)
                    t -= L[i * N + j] * Y[j * p + k];
                Y[i * p + k] = t / L[i * N + i];
            }
        for (i = 0; i < p; i++)
            for (j = 0; j < p; j++) {
                double t = 0;
                for (k = 0; k < N; k++)
                    t += Y[k * p + i] * Y[k * p + j];
                G[i * p + j] = t;
            }
        for (i = 0; i < p; i++)
            v[i] = 1.0 + 0.01 * (double)i;
        lam = _ssmh_power_iteration(G, p, v, 300);
    }
    flint_free(L);
    flint_free(Y);
    flint_free(G);
    flint_free(v);
    if (!ok)
        return 0;
    ok = 0;
    for (tries = 0; tries < 5 && !ok; tries++) {
        if (!_ssmh_round_up(beta, lam * (1.0 + ldexp(1.0, -20 + 4 * (int)tries)) + 1e-300))
            break;   /* the float guide overflowed */
        ok = beta_C_holds(beta, P, C);
    }
    return ok;
}

/* beta_C with beta_C P - C^T C >= 0 when floating point cannot guide it
   (P too ill-conditioned for a Cholesky in doubles): G = C P^-1 C^T
   exactly, beta_C >= lambda_max(G) by _ssmh_lmax_upper (its trace at
   worst), then the inequality proven exactly. */
#define BETA_C_EXACT_MAX_N 256
static int beta_C_exact(fmpq_t beta, const fmpq_mat_t P, const fmpq_mat_t C)
{
    slong N = fmpq_mat_nrows(P), p = fmpq_mat_nrows(C);
    fmpq_mat_t Ct, X, G;
    int ok;
    if (N > BETA_C_EXACT_MAX_N)
        return 0;
    fmpq_mat_init(Ct, N, p);
    fmpq_mat_init(X, N, p);
    fmpq_mat_init(G, p, p);
    fmpq_mat_transpose(Ct, C);
    ok = fmpq_mat_solve(X, P, Ct);
    if (ok) {
        fmpq_mat_mul(G, C, X);
        _ssmh_lmax_upper(beta, G);
        ok = beta_C_holds(beta, P, C);
    }
    fmpq_mat_clear(Ct);
    fmpq_mat_clear(X);
    fmpq_mat_clear(G);
    return ok;
}

/* The hard cases (stein.c), when no quick candidate was proven: gamma as
   tight as a 2^-10 margin allows (halfway to 1 when stable and that is
   not below 1), then a wider one.  Fills e; 0 with the reason in why. */
static int hard_envelope(ssmh_envelope_struct *e, const ssmh_model_t m, const ssmh_spectrum_t s,
                         const ssmh_limits_t *lim, char *why, size_t why_size)
{
    slong N = m->N, t;
    fmpq_mat_t P, Bt, T, G, B, C;
    fmpq_t gam, prev, bB, bC;
    int ok = 0;
    static const double margin[] = {0x1p-10, 0.25};
    fmpq_mat_init(B, N, m->d);   /* a dense model's B and C, densely */
    fmpq_mat_init(C, m->p, N);
    ssmh_spmat_get_fmpq_mat(B, m->B);
    ssmh_spmat_get_fmpq_mat(C, m->C);
    fmpq_mat_init(P, N, N);
    fmpq_mat_init(Bt, m->d, N);
    fmpq_mat_init(T, N, m->d);
    fmpq_mat_init(G, m->d, m->d);
    fmpq_init(gam);
    fmpq_init(prev);
    fmpq_init(bB);
    fmpq_init(bC);
    fmpq_mat_transpose(Bt, B);
    for (t = 0; t < 2 && !ok; t++) {
        const char *method = NULL;
        if (fmpq_cmp_ui(s->rho_hi, 1) < 0 && fmpq_get_d(s->rho_hi) < 1e-3)
            fmpq_set_si(gam, 1, t == 0 ? 2 : 4);   /* (nearly) nilpotent */
        else
            pick_gamma(gam, s->rho_hi, margin[t]);
        if (t > 0 && fmpq_equal(gam, prev))
            continue;
        fmpq_set(prev, gam);
        if (!_ssmh_stein_form(P, m->A, gam, lim, &method, why, why_size))
            continue;
        if (!beta_C_dense(bC, P, C) && !beta_C_exact(bC, P, C)) {
            snprintf(why, why_size, "P was proven (%s) but no beta_C with beta_C P - C^T C >= 0 could be",
                     method);
            continue;
        }
        fmpq_mat_mul(T, P, B);
        fmpq_mat_mul(G, Bt, T);
        _ssmh_lmax_upper(bB, G);
        fmpq_set(e->gamma, gam);
        fmpq_set(e->beta_B, bB);
        fmpq_set(e->beta_C, bC);
        fmpq_mul(e->M2, bB, bC);
        fmpq_mat_set(e->P, P);
        e->identity_P = 0;
        e->method = method;
        ok = 1;
    }
    fmpq_mat_clear(P);
    fmpq_mat_clear(Bt);
    fmpq_mat_clear(T);
    fmpq_mat_clear(G);
    fmpq_mat_clear(B);
    fmpq_mat_clear(C);
    fmpq_clear(gam);
    fmpq_clear(prev);
    fmpq_clear(bB);
    fmpq_clear(bC);
    return ok;
}

int ssmh_envelope_compute(ssmh_envelope_t e, const ssmh_model_t m, const ssmh_spectrum_t s,
                          ssmh_error_t *err)
{
    return ssmh_envelope_compute_limited(e, m, s, NULL, err);
}

int ssmh_envelope_compute_limited(ssmh_envelope_t e_arg, const ssmh_model_t m_in, const ssmh_spectrum_t s,
                                  const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char why[512] = "";
    ssmh_envelope_struct *e = e_arg;
    ssmh_model_t m;
    slong N;
    int ok = 0;
    size_t t;

    ssmh_envelope_clear(e);
    ssmh_model_init(m);
    if (m_in->structure == SSMH_STRUCTURE_DIAG || m_in->structure == SSMH_STRUCTURE_COMPLEX_DIAG) {
        /* A normal: ||A x|| <= rho ||x||, P = I.  No dense realification: the
           Gram matrices of the realified B and C come from the model's parts,
           B_r^T B_r = Re B^T Re B + Im B^T Im B and
           C_r C_r^T = f^2 (Re C Re C^T + Im C Im C^T), f = 2 for "2re". */
        int cplx = m_in->structure == SSMH_STRUCTURE_COMPLEX_DIAG;
        N = cplx ? 2 * m_in->N : m_in->N;
        e->N = N;
        e->identity_P = 1;
        e->method = "identity (A is normal)";
        if (s->verdict == SSMH_MARGINAL && fmpq_is_one(s->rho_hi))
            fmpq_one(e->gamma);
        else
            pick_gamma(e->gamma, s->rho_hi, ldexp(1.0, -20));
        /* (A is block diagonal with normal blocks: check blockwise exactly) */
        ok = 1;
        {
            slong i;
            fmpq_t g2, q;
            fmpq_init(g2);
            fmpq_init(q);
            fmpq_mul(g2, e->gamma, e->gamma);
            for (i = 0; i < m_in->N && ok; i++) {
                fmpq_mul(q, fmpq_mat_entry(m_in->lambda_re, i, 0), fmpq_mat_entry(m_in->lambda_re, i, 0));
                if (cplx)
                    fmpq_addmul(q, fmpq_mat_entry(m_in->lambda_im, i, 0),
                                fmpq_mat_entry(m_in->lambda_im, i, 0));
                ok = fmpq_cmp(q, g2) <= 0;
            }
            fmpq_clear(g2);
            fmpq_clear(q);
        }
        {
            fmpq_mat_t G, H;
            fmpq_t b;
            fmpq_init(b);
            fmpq_mat_init(G, m_in->d, m_in->d);
            fmpq_mat_init(H, m_in->d, m_in->d);
            _ssmh_gram(G, m_in->B, 0);   /* sparse when B is (a channel bank) */
            if (cplx) {
                _ssmh_gram(H, m_in->B_im, 0);
                fmpq_mat_add(G, G, H);
            }
            _ssmh_lmax_upper(b, G);
            fmpq_set(e->beta_B, b);
            fmpq_mat_clear(G);
            fmpq_mat_clear(H);
            fmpq_mat_init(G, m_in->p, m_in->p);
            fmpq_mat_init(H, m_in->p, m_in->p);
            _ssmh_gram(G, m_in->C, 1);
            if (cplx) {
                _ssmh_gram(H, m_in->C_im, 1);
                fmpq_mat_add(G, G, H);
                if (m_in->output != SSMH_OUTPUT_RE) {   /* f^2 = 4 */
                    fmpz_t four;
                    fmpz_init_set_ui(four, 4);
                    fmpq_mat_scalar_mul_fmpz(G, G, four);
                    fmpz_clear(four);
                }
            }
            _ssmh_lmax_upper(b, G);
            fmpq_set(e->beta_C, b);
            fmpq_mat_clear(G);
            fmpq_mat_clear(H);
            fmpq_clear(b);
        }
    } else {
        /* candidates (P, gamma); keep the proven one with the least M2 */
        ssmh_model_realify(m, m_in);
        N = m->N;
        e->N = N;
        static const struct { int kind; double delta; } cand[] = {
            {4, 0.0},   /* 4: gamma = 1, the power-bounded form of a marginal A */
            {0, 1e-6}, {0, 1e-3}, {0, 0.005}, {1, 1e-6}, {1, 0.005}, {2, 0.005}, {2, 0.01},
            {2, 0.02}, {2, 0.05}, {2, 0.1}, {2, 0.25}, {2, 0.5}, {2, 1.0},
            {3, 0.01}, {3, 0.1}, {3, 0.5}};   /* 3: gamma = rho_hi + delta (small rho) */
        fmpq_mat_t S, Bt, G, T, Pc, Bm, Cm;
        fmpq_t gam, bB, bC, M2;
        int have_eig = -1;
        fmpq_mat_t Peig;
        fmpq_mat_clear(e->P);
        fmpq_mat_init(e->P, N, N);
        fmpq_mat_init(S, N, N);
        fmpq_mat_init(Pc, N, N);
        fmpq_mat_init(Peig, N, N);
        fmpq_mat_init(Bt, m->d, N);
        fmpq_mat_init(T, N, m->d);
        fmpq_mat_init(G, m->d, m->d);
        fmpq_mat_init(Bm, N, m->d);   /* a dense model's B and C, densely */
        fmpq_mat_init(Cm, m->p, N);
        ssmh_spmat_get_fmpq_mat(Bm, m->B);
        ssmh_spmat_get_fmpq_mat(Cm, m->C);
        fmpq_mat_transpose(Bt, Bm);
        fmpq_init(gam);
        fmpq_init(bB);
        fmpq_init(bC);
        fmpq_init(M2);
        /* tier 1: gamma within 1% of rho (kinds 0-2, delta <= 1%), least M2;
           tier 2 (when tier 1 proves nothing, or rho is tiny): the least
           bound at lag N, log M2 + 2 N log gamma */
        int tiny = fmpq_get_d(s->rho_hi) < 1e-3;
        double best_score = INFINITY;
        for (t = 0; t < sizeof(cand) / sizeof(cand[0]); t++) {
            int tier1 = (cand[t].kind <= 2 && cand[t].delta <= 0.01 && !tiny) || cand[t].kind == 4;
            ssmh_progress_step(lim, "gradient: envelope candidates", (double)t,
                               (double)(sizeof(cand) / sizeof(cand[0])));
            if (ok && best_score == -INFINITY)
                break;   /* the first tier-1 success is kept: candidates are ordered best first */
            if (tiny && cand[t].kind <= 2)
                continue;
            if (cand[t].kind == 4) {
                if (s->verdict != SSMH_MARGINAL || !_ssmh_power_bounded_form(Pc, m->A))
                    continue;
                fmpq_one(gam);
            } else if (cand[t].kind == 3) {
                fmpq_t r2;
                fmpq_init(r2);
                if (!_ssmh_round_up(r2, fmpq_get_d(s->rho_hi) + cand[t].delta)) {
                    fmpq_clear(r2);
                    continue;   /* rho_hi past the doubles: not small */
                }
                pick_gamma(gam, r2, 0.0);
                fmpq_clear(r2);
                if (fmpq_cmp_ui(s->rho_hi, 1) < 0 && fmpq_cmp_ui(gam, 1) >= 0)
                    continue;
            } else {
                pick_gamma(gam, s->rho_hi, cand[t].delta);
            }
            if (cand[t].kind == 0) {
                if (have_eig < 0)
                    have_eig = _ssmh_eigen_form(Peig, m->A);
                if (!have_eig)
                    continue;
                fmpq_mat_set(Pc, Peig);
            } else if (cand[t].kind == 1) {
                fmpq_mat_one(Pc);
            } else if (cand[t].kind != 4) {
                if (!_ssmh_stein_numeric(Pc, m->A, fmpq_get_d(gam)))   /* kinds 2 and 3 */
                    continue;
            }
            if (!_ssmh_is_psd(Pc, 1))
                continue;
            _ssmh_stein_residual(S, m->A, Pc, gam);
            if (!_ssmh_is_psd(S, 0))
                continue;
            if (!beta_C_dense(bC, Pc, Cm) && !beta_C_exact(bC, Pc, Cm))
                continue;
            fmpq_mat_mul(T, Pc, Bm);
            fmpq_mat_mul(G, Bt, T);
            _ssmh_lmax_upper(bB, G);
            fmpq_mul(M2, bB, bC);
            {
                double score = log(fmpq_get_d(M2) > 0 ? fmpq_get_d(M2) : 1e-300)
                               + 2.0 * (double)N * log(fmpq_get_d(gam) > 0 ? fmpq_get_d(gam) : 1e-300);
                int better = tier1 ? (!ok || fmpq_cmp(M2, e->M2) < 0) : (!ok || score < best_score);
                if (!better)
                    continue;
                best_score = tier1 ? -INFINITY : score;
            }
            {
                ok = 1;
                fmpq_set(e->gamma, gam);
                fmpq_set(e->beta_B, bB);
                fmpq_set(e->beta_C, bC);
                fmpq_set(e->M2, M2);
                fmpq_mat_set(e->P, Pc);
                e->identity_P = cand[t].kind == 1;
                e->method = cand[t].kind == 4 ? "power-bounded form (gamma = 1)"
                            : cand[t].kind == 0 ? "eigenvector form"
                            : cand[t].kind == 1 ? "identity" : "doubling in doubles";
            }
        }
        if (!ok)
            ok = hard_envelope(e, m, s, lim, why, sizeof(why));
        fmpq_clear(gam);
        fmpq_clear(bB);
        fmpq_clear(bC);
        fmpq_clear(M2);
        fmpq_mat_clear(S);
        fmpq_mat_clear(Pc);
        fmpq_mat_clear(Peig);
        fmpq_mat_clear(Bt);
        fmpq_mat_clear(T);
        fmpq_mat_clear(G);
        fmpq_mat_clear(Bm);
        fmpq_mat_clear(Cm);
    }
    {
        fmpq_t prod;
        fmpq_init(prod);
        fmpq_mul(prod, e->beta_B, e->beta_C);
        fmpq_set(e->M2, prod);
        fmpq_clear(prod);
    }
    ssmh_model_clear(m);
    if (!ok) {
        ssmh_envelope_clear(e);
        return ssmh_error_set(err, SSMH_E_UNDECIDED, "", "", "no gradient envelope could be proven: %s",
                              why[0] ? why : "no P from the Stein solve passed its exact check");
    }
    return SSMH_OK;
}
