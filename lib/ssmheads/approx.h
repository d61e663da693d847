/*
 * ssmheads/approx.h -- certified approximate head count (SPEC 1.6).
 *
 * For H heads the best operator error on length n is
 * E(H)^2 = sum_{q>H} lambda_q(G), G = sum_{l<n} (n-l) vec(K_l) vec(K_l)^T
 * (Eckart-Young).  ssmh_approx_compute finds the least H with
 * E(H)^2 <= tau (tau = eps^2, or eps^2 ||T||_F^2 when relative).
 *
 * Guarantee: the answer is backed by two exact witnesses, each checked over
 * Q before it is returned: an upper one (H rational value maps whose exact
 * squared residual error2_upper is <= tau, so E(H)^2 <= tau) and a lower one
 * (a rational t >= 0 and Z = W Y W^T with Y >= 0 and Z - G + t I >= 0, proven
 * by exact LDL^T, so E(H-1)^2 >= tr G - (H-1) t - tr Z = error2_lower_prev
 * > tau; for H = 1 the bound is tr G itself).  The curve's enclosures come
 * from the exact characteristic polynomial of G, its factorization over Z
 * and Arb root isolation (exact where no irreducible factor is split by the
 * cut).  Doubles are never used; Arb only guides the witnesses.
 */
#ifndef SSMHEADS_APPROX_H
#define SSMHEADS_APPROX_H

#include <ssmheads/model.h>
#include <ssmheads/gradient.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How the answer is proven: exact G (short lengths, small numbers) or
   fixed-point lags with a certified error (doc/approx.md, "Enclosure
   certificates"); AUTO takes the enclosure when the exact lags would be
   long (n times A's bit size > 1024) and falls back to exact when the
   enclosure cannot decide. */
typedef enum {
    SSMH_APPROX_AUTO = 0,
    SSMH_APPROX_EXACT,
    SSMH_APPROX_ENCLOSURE,
    SSMH_APPROX_MODES      /* the enclosure in the mode space of a wide diagonal
                              layer (doc/approx.md, "Mode certificates"); AUTO
                              takes it where the enclosure's support is too large */
} ssmh_approx_method_t;

typedef struct {
    ssmh_approx_method_t method;   /* EXACT or ENCLOSURE once computed */
    slong n, k, H;           /* length, exact k(n) = rank G, the answer */
    slong p, d;              /* shape of the value maps */
    int relative;
    fmpq_t eps, tau;         /* eps; threshold on E^2 */
    fmpq_t total;            /* ||T||_F^2 = tr G = E(0)^2 */
    fmpq_t error2_upper;     /* exact residual of the basis (<= tau) */
    fmpq_t error2_lower_prev;/* proven lower bound on E(H-1)^2 (> tau), H >= 1 */
    fmpq *curve_lo, *curve_hi;  /* E(h)^2 in [lo, hi], h = 0 .. k */
    slong dim;               /* support: vec positions i*d + j that can be nonzero */
    slong *support;
    fmpq_mat_t basis;        /* dim x H (upper witness, one value map per column) */
    fmpq_t t;                /* lower witness (H >= 2) */
    fmpq_mat_t W, Y;         /* dim x r and r x r */
    int exact_upper;         /* basis spans an exact eigenspace (residual = E(H)^2) */
    /* ENCLOSURE only (then total and tau are lower bounds, total_hi and
       tau_hi upper ones; error2_upper bounds the basis's residual; the
       curve is computed only when asked, and is looser) */
    slong s;                 /* fixed-point bits of the rounded lags */
    ssmh_envelope_t env;     /* gamma < 1, P, beta_C */
    fmpq_t e, u, v, rho;     /* error bounds and the Ky Fan shift's slack */
    fmpq_t total_hi, tau_hi;
    fmpq_mat_t L, Dl;        /* S x S unit lower, S x 1: the LDL^T proposal */
    /* MODES: basis is m x H in mode coordinates, W the m x (H-1) vectors b_i,
       L the m x m lower triangular factor, t the shift; dim = m */
    fmpq_t eta, c2;
    slong q;                 /* Psi_up's grid: 2^-q */
    int too_wide;            /* ENCLOSURE refused for the support's size */
} ssmh_approx_struct;
typedef ssmh_approx_struct ssmh_approx_t[1];

void ssmh_approx_init(ssmh_approx_t a);
void ssmh_approx_clear(ssmh_approx_t a);
/* Decide the least H on length n.  SSMH_E_UNDECIDED when tau sits on, or
   too close to, a boundary E(h)^2 to separate within the precision limit;
   SSMH_E_LIMIT when lim's bit limit is hit. */
int ssmh_approx_compute(ssmh_approx_t a, const ssmh_model_t m, slong n, const fmpq_t eps,
                        int relative, const ssmh_limits_t *lim, ssmh_error_t *err);
/* The same with a chosen method (ssmh_approx_compute is AUTO, with the
   curve); the enclosure method encloses the curve only when curve != 0. */
int ssmh_approx_compute_method(ssmh_approx_t a, const ssmh_model_t m, slong n, const fmpq_t eps,
                               int relative, ssmh_approx_method_t method, int curve,
                               const ssmh_limits_t *lim, ssmh_error_t *err);
/* SPEC 4 fields (H, n, eps, error2_upper, error2_lower_prev, k), plus
   relative, threshold, total and, when curve, "curve": [{H, lo, hi}]. */
json_t *ssmh_approx_to_json(const ssmh_approx_t a, int curve);
/* An `approx` certificate (doc/approx.md). */
json_t *ssmh_approx_certificate(const ssmh_approx_t a, const ssmh_model_t m);

#ifdef __cplusplus
}
#endif
#endif
