/*
 * ssmheads/heads.h -- lag operators, interaction rank, k-head construction.
 *
 * Guarantee: ssmh_heads_compute returns the exact interaction rank: every
 * count is backed by a lower witness (a minor that is nonzero modulo a prime
 * dividing no denominator, hence nonzero over Q) and an upper witness (an
 * annihilating polynomial carrying the span to every lag, exact dependency
 * coefficients checked over Q, or a trivial bound).  Saturation comes from
 * the annihilator, never from "a lag added nothing".
 */
#ifndef SSMHEADS_HEADS_H
#define SSMHEADS_HEADS_H

#include <ssmheads/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The lag operators K_0 ... K_{count-1} of the model, exactly, under its
   convention (SPEC 1.2).  K is an array of count matrices, each initialised
   by the caller (any shape: they are resized to p x d).  Exploits diagonal
   structure.  Returns SSMH_OK or SSMH_E_LIMIT. */
int ssmh_lags(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
              ssmh_error_t *err);
/* The same, refusing (SSMH_E_LIMIT) as soon as an exact power A^l B holds a
   rational of more than lim->max_bits bits (lim NULL or max_bits 0: none). */
int ssmh_lags_limited(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
                      const ssmh_limits_t *lim, ssmh_error_t *err);

typedef enum {
    SSMH_ANNIHILATOR_UNKNOWN = 0,
    SSMH_ANNIHILATOR_CAYLEY_HAMILTON, /* the characteristic polynomial, degree M */
    SSMH_ANNIHILATOR_B                /* an explicit monic q with q(A) B = 0 */
} ssmh_annihilator_t;

/* K_lag = sum_h coeffs[h] K_{pivot_lags[h]} over the first npiv pivots. */
typedef struct {
    slong lag, npiv;
    fmpq *coeffs;
} ssmh_dependency_t;

typedef struct {
    ssmh_convention_t convention;
    slong N, d, p;       /* the model's dimensions */
    slong M;             /* realified state dimension */
    slong n;             /* the length asked for (0: none) */
    slong k;             /* k(n), or k_inf when n == 0 */
    slong k_inf, n_star; /* n_star = 0: not computed (the mode form) */
    slong r;             /* rank of the lower witness (= k_inf) */
    int lower_modes;     /* 0: the lag form (pivot lags, n*, profile);
                            1: the mode form (doc/cert-heads.md): k_inf only,
                            pivot_lags NULL, n* between r and F */
    slong *pivot_lags;   /* r increasing lags (the lag form) */
    slong *mode_index, *mode_part; /* r mode rows [s, part] (the mode form) */
    slong *entry_row, *entry_col; /* r positions of the nonzero minor */
    slong support;       /* structural support size (a trivial bound on k) */
    ulong prime;         /* the prime of the lower witness */
    ssmh_annihilator_t ann;
    slong m;             /* degree of the annihilator */
    slong first_covered; /* F: every lag >= F lies in span{K_l : l < F} by the
                            recurrence; F = m + 1, or m for a direct model
                            with D = 0 (then K_l = C A^l B for all l) */
    fmpq *ann_coeffs;    /* q_0 .. q_m (monic) when ann == SSMH_ANNIHILATOR_B */
    slong ndeps;
    ssmh_dependency_t *deps;
} ssmh_heads_struct;
typedef ssmh_heads_struct ssmh_heads_t[1];

void ssmh_heads_init(ssmh_heads_t h);
void ssmh_heads_clear(ssmh_heads_t h);

/* Compute k(n) (n >= 1), k_inf, n*, pivots and witnesses; n == 0 means
   "no particular n" (then k = k_inf).  Randomness is seeded from the model
   hash.  Returns SSMH_OK, SSMH_E_LIMIT or SSMH_E_INTERNAL.  Always the lag
   form: n*, the profile and the pivot lags are known. */
int ssmh_heads_compute(ssmh_heads_t h, const ssmh_model_t m, slong n,
                       const ssmh_limits_t *lim, ssmh_error_t *err);

/* How ssmh_heads_compute_opts may answer (doc/cert-heads.md, "Which form
   the producer writes"). */
#define SSMH_HEADS_AUTO 0      /* the mode form where the lag form costs far more */
#define SSMH_HEADS_PROFILE 1   /* always the lag form (n*, profile, pivots) */
#define SSMH_HEADS_KINF_ONLY 2 /* the mode form wherever it applies */
int ssmh_heads_compute_opts(ssmh_heads_t h, const ssmh_model_t m, slong n, int how,
                            const ssmh_limits_t *lim, ssmh_error_t *err);

/* k(j) = number of pivot lags < j (the lag form; the mode form knows only
   k(j) = k_inf for j >= F, and answers k_inf there and -1 below). */
slong ssmh_heads_k_at(const ssmh_heads_t h, slong j);

/* The stable JSON report of SPEC 4 (`heads`); budget < 0: none. */
json_t *ssmh_heads_to_json(const ssmh_heads_t h, slong budget);

/* A `heads` certificate (doc/cert-heads.md) for the claim k(n) = k. */
json_t *ssmh_heads_certificate(const ssmh_heads_t h, const ssmh_model_t m);

/* ---- the k-head construction (SPEC 1.3) -------------------------------- */
typedef struct {
    slong n, k, L;       /* kernels are tabulated for lags 0 .. L-1 */
    slong p, d;
    fmpq_mat_struct *values;  /* k value maps V_h (p x d) */
    slong *pivot_lags;   /* V_h = K_{pivot_lags[h]} */
    fmpq *kernels;       /* k * L coefficients: c_h(l) at [h * L + l] */
    slong m;             /* recurrence degree (0 when none is needed) */
    fmpq *recurrence;    /* q_0 .. q_m, monic, when n > L */
} ssmh_construction_struct;
typedef ssmh_construction_struct ssmh_construction_t[1];

void ssmh_construction_init(ssmh_construction_t c);
void ssmh_construction_clear(ssmh_construction_t c);
/* Build the k(n)-head representation; sum_h c_h(l) V_h = K_l for l < n is
   checked exactly before returning. */
int ssmh_construct(ssmh_construction_t c, const ssmh_model_t m, slong n,
                   const ssmh_limits_t *lim, ssmh_error_t *err);
/* c_h(l) for any l >= 0 (continues the recurrence). */
void ssmh_construction_kernel(fmpq_t out, const ssmh_construction_t c, slong h, slong l);
json_t *ssmh_construction_to_json(const ssmh_construction_t c);

/* Simulate the SSM recurrence and the constructed attention layer on the
   exact input sequence x (n x d, one token per row) and compare: returns 1
   when the outputs are equal, 0 otherwise.  Y (n x p) receives the SSM's
   output when not NULL. */
int ssmh_simulate_ssm(fmpq_mat_t Y, const ssmh_model_t m, const fmpq_mat_t x);
int ssmh_simulate_attention(fmpq_mat_t Y, const ssmh_construction_t c, const fmpq_mat_t x);

#ifdef __cplusplus
}
#endif
#endif
