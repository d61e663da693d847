/*
 * ssmheads/gradient.h -- certified gradient attenuation (SPEC 1.4): exact
 * stability, certified spectral radius, and an exact envelope
 * ||C A^l B||_2^2 <= M^2 gamma^(2l).
 *
 * Guarantee: the stability verdict is exact (characteristic polynomial,
 * irreducible factors, exact unit-circle root counts via the reciprocal
 * polynomial, certified Arb root enclosures for the rest, exact
 * semisimplicity test for repeated unit-circle factors); [rho_lo, rho_hi]
 * contains the spectral radius; the envelope's matrix inequalities are each
 * proven by an exact LDL^T with nonnegative pivots, and the horizon is
 * decided in exact arithmetic.
 */
#ifndef SSMHEADS_GRADIENT_H
#define SSMHEADS_GRADIENT_H

#include <ssmheads/model.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSMH_STABILITY_UNKNOWN = 0,
    SSMH_STABLE,     /* every |lambda| < 1 */
    SSMH_MARGINAL,   /* every |lambda| <= 1, unit-circle eigenvalues semisimple */
    SSMH_UNSTABLE    /* otherwise */
} ssmh_stability_t;

typedef struct {
    ssmh_stability_t verdict;
    fmpq_t rho_lo, rho_hi;  /* rho_lo <= rho(A) <= rho_hi (dyadic, or exact) */
    slong unit, outside;    /* distinct eigenvalues on / outside the unit circle */
    int defective_unit;     /* a unit-circle eigenvalue is not semisimple */
} ssmh_spectrum_struct;
typedef ssmh_spectrum_struct ssmh_spectrum_t[1];

void ssmh_spectrum_init(ssmh_spectrum_t s);
void ssmh_spectrum_clear(ssmh_spectrum_t s);
/* The spectrum of A (realified); rho enclosed to relative width 2^-rel_bits
   (or exactly). */
int ssmh_spectrum_compute(ssmh_spectrum_t s, const ssmh_model_t m, slong rel_bits,
                          ssmh_error_t *err);
const char *ssmh_stability_name(ssmh_stability_t v);

/* The envelope: P > 0 with gamma^2 P - A^T P A >= 0, beta_B I - B^T P B >= 0,
   beta_C P - C^T C >= 0 (or, when P = I, beta_C I - C C^T >= 0), hence
   ||C A^l B||_2^2 <= M2 gamma^(2l), M2 = beta_B beta_C. */
typedef struct {
    slong N;
    fmpq_t gamma, beta_B, beta_C, M2;
    int identity_P;          /* P = I (structured models) */
    fmpq_mat_t P;            /* N x N when !identity_P */
    const char *method;      /* how P was found (static text), e.g.
                                "doubling at 256 bits"; NULL when none */
} ssmh_envelope_struct;
typedef ssmh_envelope_struct ssmh_envelope_t[1];

void ssmh_envelope_init(ssmh_envelope_t e);
void ssmh_envelope_clear(ssmh_envelope_t e);
/* Find and prove an envelope with gamma > rho_hi (gamma < 1 when stable,
   within about 1% of rho when it can).  SSMH_E_UNDECIDED when no envelope
   could be proven. */
int ssmh_envelope_compute(ssmh_envelope_t e, const ssmh_model_t m, const ssmh_spectrum_t s,
                          ssmh_error_t *err);
/* The same, reporting progress through lim->progress (lim may be NULL).
   For the hard cases (no quick candidate proven) P comes from a balanced
   basis, extended precision or an exact Stein solve, still proven exactly;
   err's message says which part failed when none fits the limits. */
int ssmh_envelope_compute_limited(ssmh_envelope_t e, const ssmh_model_t m, const ssmh_spectrum_t s,
                                  const ssmh_limits_t *lim, ssmh_error_t *err);
/* The least t >= 0 with M2 gamma^(2s) <= eps^2 for every s >= t, decided
   rigorously in O(log t) operations (horizon.c); -1 when there is none:
   gamma > 1 with M2 > 0, gamma = 1 with M2 > eps^2, or t beyond 2^62 --
   then *why (when why is not NULL) says which, else NULL. */
slong ssmh_envelope_horizon(const ssmh_envelope_t e, const fmpq_t eps, const char **why);

/* The whole gradient report of SPEC 4. */
typedef struct {
    ssmh_convention_t convention;
    ssmh_spectrum_t spec, spec_min;   /* A, and the minimal realization's A */
    slong mcmillan_degree;
    ssmh_envelope_t env;
    int have_env;
    slong lags;                       /* norms for l = 0 .. lags */
    fmpq *norms_f2;                   /* exact ||K_l||_F^2 */
    fmpq *norm2_lo, *norm2_hi;        /* enclosures of ||K_l||_2 */
    int have_eps;
    fmpq_t eps;
    slong horizon;                    /* in lags (see doc/gradient.md); -1: none */
    const char *horizon_none;         /* why there is none (static), or NULL */
    json_t *evidence;                 /* the verdict's evidence for the certificate, or NULL */
    char why_envelope[512];           /* when !have_env: why no envelope was proven */
    char why_verdict[512];            /* "" when the certificate carries the verdict */
} ssmh_gradient_struct;
typedef ssmh_gradient_struct ssmh_gradient_t[1];

void ssmh_gradient_init(ssmh_gradient_t g);
void ssmh_gradient_clear(ssmh_gradient_t g);
/* eps may be NULL. */
int ssmh_gradient_compute(ssmh_gradient_t g, const ssmh_model_t m, slong lags, const fmpq_t eps,
                          const ssmh_limits_t *lim, ssmh_error_t *err);
json_t *ssmh_gradient_to_json(const ssmh_gradient_t g);
/* lo <= ||X||_2 <= hi for any rational matrix (exact Rayleigh quotient
   below, LDL^T-proven eigenvalue bound above, square roots outward). */
void ssmh_norm2_enclose(fmpq_t lo, fmpq_t hi, const fmpq_mat_t X);
/* The least lag from which the envelope keeps every later ||K_l||_2 <= eps
   (SPEC 4 `horizon`, doc/gradient.md "Horizon in lags"); -1 when it never
   does, with the reason in *why (static; why may be NULL). */
slong ssmh_gradient_horizon(const ssmh_gradient_t g, const ssmh_model_t m, const fmpq_t eps,
                            const char **why);
/* sqrt(M2) gamma^t, the envelope at lag l (t = l, or l - 1 for delayed),
   as a double for plots (never used to decide). */
double ssmh_gradient_envelope_d(const ssmh_gradient_t g, slong l);
/* NULL when no envelope was proven. */
json_t *ssmh_gradient_certificate(const ssmh_gradient_t g, const ssmh_model_t m);

#ifdef __cplusplus
}
#endif
#endif
