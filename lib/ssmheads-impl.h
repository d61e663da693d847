/*
 * ssmheads-impl.h -- private helpers shared by the library's modules.
 * Not installed.  Includes the right Arb headers for FLINT 2.9 (separate
 * Arb) and FLINT 3 (Arb merged).
 */
#ifndef SSMHEADS_IMPL_H
#define SSMHEADS_IMPL_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <ssmheads.h>

#ifdef SSMH_FLINT3
#include <flint/arb.h>
#include <flint/acb.h>
#include <flint/arb_poly.h>
#include <flint/acb_poly.h>
#include <flint/arb_mat.h>
#include <flint/arb_fmpz_poly.h>
#else
#include <arb.h>
#include <acb.h>
#include <arb_poly.h>
#include <acb_poly.h>
#include <arb_mat.h>
#include <arb_fmpz_poly.h>
#endif
#include <flint/ulong_extras.h>
#include <flint/nmod_vec.h>
#include <flint/nmod_mat.h>
#ifdef SSMH_FLINT3
#include <flint/nmod.h>   /* FLINT 3 moved nmod_add & co. here */
#endif
#include <flint/fmpz_poly.h>
#include <flint/fmpz_poly_factor.h>
#include <flint/fmpq_poly.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpz_vec.h>

 /* The pd x H matrix whose column h is vec(V_h) (entry (i, j) at row
   i * d + j); Vm is initialised by the call. */
void _ssmh_attention_columns(fmpq_mat_t Vm, const ssmh_attention_t a);

/* A mode's eigenvalue re (+- i im) (im NULL: real) and its index, sorted
   by _ssmh_mode_sort by (re, im) -- (re, |im|) when abs_im, which puts a
   mode with its conjugate -- ties by index (lib/model/mode_order.c);
   _ssmh_mode_cmp compares the eigenvalues alone. */
typedef struct {
    const fmpq *re, *im;
    slong i;
} ssmh_mode_key_t;
void _ssmh_mode_sort(ssmh_mode_key_t *keys, slong n, int abs_im);
int _ssmh_mode_cmp(const ssmh_mode_key_t *a, const ssmh_mode_key_t *b, int abs_im);

/* A result the caller must look at (a failed float conversion). */
#if defined(__GNUC__)
#define SSMH_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SSMH_MUST_CHECK
#endif

/* Doubles into exact dyadics, checked first (lib/core/dyadic.c).  Each
   returns 1 when the relation holds exactly, 0 (result 0) when the double
   is NaN, infinite or out of range: the float proposal has failed and the
   caller tries its next method.  Nothing else may call fmpz_set_d. */
int _ssmh_fmpz_set_d(fmpz_t z, double x) SSMH_MUST_CHECK;                /* z = x, x integral */
int _ssmh_set_dyadic(fmpq_t q, double x, slong shift) SSMH_MUST_CHECK;   /* nearbyint(x 2^s) 2^-s */
int _ssmh_round_up(fmpq_t out, double x) SSMH_MUST_CHECK;   /* out >= x, about 30 bits */
/* out >= x, a dyadic with about `bits` significant bits, exactly (no double). */
void _ssmh_round_up_q(fmpq_t out, const fmpq_t x, slong bits);
/* y = x 2^s for any sign of s (y may alias x). */
void _ssmh_fmpq_mul_2exp_si(fmpq_t y, const fmpq_t x, slong s);
/* floor-ish log2 |x| from bit lengths (within 1); WORD_MIN for 0. */
slong _ssmh_fmpq_log2(const fmpq_t x);
/* x 2^-e as a double, without overflow in between (+-Inf past the range,
   0 below it): a guide only. */
double _ssmh_fmpq_get_d_2exp(const fmpq_t x, slong e);

/* gradient helpers (lib/gradient/psd.c, spectrum.c) */
int _ssmh_is_psd(const fmpq_mat_t S, int strict);
/* 1: S proven PSD (PD when strict) by a rounded factor; 0: proven not;
   -1: undecided (lib/gradient/psd_factor.c).  S symmetric. */
int _ssmh_psd_by_factor(const fmpq_mat_t S, int strict);
/* Cholesky of s - delta I (n x n, row-major, doubles) into the lower
   triangle of l: n on success, else the first pivot k <= 0 (*dk its value;
   l then holds the leading k x k factor).  A guide only. */
slong _ssmh_cholesky_d(double *l, const double *s, slong n, double delta, double *dk);
void _ssmh_lmax_upper(fmpq_t beta, const fmpq_mat_t G);
double _ssmh_power_iteration(const double *g, slong n, double *v, slong iters);
void _ssmh_dominant_vector(fmpq_mat_t v, const fmpq_mat_t G);
void _ssmh_sqrt_enclose(fmpq_t lo, fmpq_t hi, const fmpq_t q, slong bits);
json_t *_ssmh_verdict_evidence(const ssmh_model_t m, ssmh_stability_t verdict);

/* Exact ||K_l||_F^2 and enclosures of ||K_l||_2, l = 0 .. lags, of a
   structured model without its dense lags (lib/gradient/lag_norms.c);
   beta_BC (or NULL) = beta_B beta_C of a proven P = I envelope, rho_hi >= rho(A).
   Returns 1 when done, 0 (nothing written) when the dense lags are the
   better way, or SSMH_E_LIMIT (err set) past lim's max_bits. */
int _ssmh_lag_norms(fmpq *f2, fmpq *lo, fmpq *hi, const ssmh_model_t m, slong lags,
                    const fmpq_t beta_BC, const fmpq_t rho_hi, const ssmh_limits_t *lim,
                    ssmh_error_t *err);
/* The same with the method forced (tests): 0 as above, 1 sparse, 2 Gram. */
int _ssmh_lag_norms_by(fmpq *f2, fmpq *lo, fmpq *hi, const ssmh_model_t m, slong lags,
                       const fmpq_t beta_BC, const fmpq_t rho_hi, const ssmh_limits_t *lim,
                       ssmh_error_t *err, int method);

/* G = X^T X (outer = 0) or X X^T (outer = 1), exactly; G initialised with
   the right shape (lib/gradient/gram.c). */
void _ssmh_gram(fmpq_mat_t G, const ssmh_spmat_t X, int outer);

/* S = gamma^2 P - A^T P A, exactly (lib/gradient/envelope.c). */
void _ssmh_stein_residual(fmpq_mat_t S, const fmpq_mat_t A, const fmpq_mat_t P, const fmpq_t gamma);

/* Floating-point proposals, to be proven by the caller (lib/gradient/numeric.c):
   P ~ sum_k (A^T/gamma)^k (A/gamma)^k; P = Re(W^H W) from eigenvectors
   (0 on a repeated eigenvalue); and for an A with an eigenvalue outside the
   unit circle, r >= 1 with r^2 P - A^T P A > 0 and x^T P x < 0 intended
   (x is N x 1, initialised by the caller). */
int _ssmh_stein_numeric(fmpq_mat_t P, const fmpq_mat_t A, double gamma) SSMH_MUST_CHECK;
int _ssmh_eigen_form(fmpq_mat_t P, const fmpq_mat_t A);
int _ssmh_instability_form(fmpq_mat_t P, fmpq_mat_t x, fmpq_t r, const fmpq_mat_t A);

/* P > 0 with gamma^2 P - A^T P A >= 0, proven exactly, by the ladder of
   lib/gradient/stein.c (doubles, balanced basis, extended precision, exact
   solve for small N); 1 on success with *method naming the method (static
   text; method may be NULL), else 0 with the reason in why (may be NULL).
   lim (may be NULL) receives progress. */
int _ssmh_stein_form(fmpq_mat_t P, const fmpq_mat_t A, const fmpq_t gamma, const ssmh_limits_t *lim,
                     const char **method, char *why, size_t why_size);

/* P > 0 with P - A^T P A >= 0 for a marginal A (semisimple unit-circle
   eigenvalues, the rest inside), built exactly from the spectral
   decomposition (lib/gradient/marginal.c); 0 when not found.  The caller
   proves it. */
int _ssmh_power_bounded_form(fmpq_mat_t P, const fmpq_mat_t A);

/* X = f(A) for f in Z[x] (X N x N, initialised by the caller). */
void _ssmh_fmpz_poly_of_mat(fmpq_mat_t X, const fmpz_poly_t f, const fmpq_mat_t A);

/* A matrix as an array of rows, or, when it has no rows or no columns, as
   {"rows": R, "cols": C, "entries": []}, the only form that keeps both
   dimensions (lib/model/json.c). */
json_t *_ssmh_json_matrix_shaped(const fmpq_mat_t m);

/* Sparse matrices, the raw layer (lib/model/spmat.c): room for n
   nonzeros; entries appended in row-major order after every stored one
   (zeros skipped; _swap moves x in and leaves x zero), then _finish once
   -- no other function may be called on M in between. */
void _ssmh_spmat_fit(ssmh_spmat_t M, slong n);
void _ssmh_spmat_append(ssmh_spmat_t M, slong i, slong j, const fmpq_t x);
void _ssmh_spmat_append_swap(ssmh_spmat_t M, slong i, slong j, fmpq_t x);
void _ssmh_spmat_finish(ssmh_spmat_t M);
/* ssmh_hash_bytes(h, "0", 2) applied k times, in O(log k) steps
   (lib/core/rational.c). */
uint64_t _ssmh_hash_zeros(uint64_t h, ulong k);
/* A sparse matrix read from either matrix form of the model files, with the
   checks and messages of ssmh_json_get_matrix, never allocated densely
   (lib/model/json.c). */
int _ssmh_json_get_spmat(ssmh_spmat_t out, const json_t *v, slong rows, slong cols,
                         const char *file, const char *path, const ssmh_limits_t *lim,
                         ssmh_error_t *err);
/* The model file's form of a matrix: an array of rows, or the sparse form
   for one of at least 1024 entries of which at most 1/8 are nonzero (and
   for one without rows or columns) (lib/model/write.c). */
json_t *_ssmh_json_spmat(const ssmh_spmat_t M);

/* Largest rows * cols of a matrix read in the sparse form (whose file size
   does not bound the allocation): 2^27 entries, about 2 GiB of fmpq. */
#define SSMH_MAX_MATRIX_ENTRIES (WORD(1) << 27)

/* Append "[i]" or ".key" to a JSON path, truncating safely. */
void _ssmh_path_index(char *out, size_t size, const char *base, long i);
void _ssmh_path_key(char *out, size_t size, const char *base, const char *key);

#endif
