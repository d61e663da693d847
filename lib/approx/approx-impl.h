/*
 * approx-impl.h -- private interface of the approximate head count module
 * (lib/approx): the exact weighted Gram matrix and its certified spectrum.
 */
#ifndef SSMH_APPROX_IMPL_H
#define SSMH_APPROX_IMPL_H

#include "ssmheads-impl.h"
#include <string.h>

/* The support and F = [vec K_0 ... vec K_{n-1}] on it, exactly (F is
   re-initialised; *support is flint_malloc'ed). */
int _ssmh_gram_compute(fmpq_mat_t F, slong **support, slong *dim, const ssmh_model_t m,
                       slong n, const ssmh_limits_t *lim, ssmh_error_t *err);

/* The nonzero eigenvalues of G: the irreducible factors of its
   characteristic polynomial (x removed) and sorted enclosures. */
typedef struct {
    slong k;                  /* rank of G: nonzero eigenvalues with multiplicity */
    fmpz_poly_factor_t fac;   /* irreducible factors over Z, with exponents */
    fmpq *rootsum;            /* sum of the roots of each factor */
    arb_ptr lam;              /* k balls, decreasing */
    slong *fi, *ri;           /* factor and root index of each ball */
} ssmh_eigs_t;

void _ssmh_eigs_init(ssmh_eigs_t *e);
void _ssmh_eigs_clear(ssmh_eigs_t *e);
void _ssmh_eigs_factor(ssmh_eigs_t *e, const fmpq_mat_t G);
int _ssmh_eigs_enclose(ssmh_eigs_t *e, slong prec);
int _ssmh_eigs_same(const ssmh_eigs_t *e, slong i, slong j);
int _ssmh_eigs_tail(fmpq_t lo, fmpq_t hi, const ssmh_eigs_t *e, const fmpq_t total, slong h,
                    slong prec);
int _ssmh_eigs_cut_rational(const ssmh_eigs_t *e, slong h);

/* The enclosure method (enclosure.c): a's n, p, d, eps, relative and k
   (= k(n), which bounds H) are set; fills the rest (the curve only when
   asked: it costs two more support^3 products).  SSMH_E_UNDECIDED
   when it cannot decide. */
int _ssmh_approx_enclosure(ssmh_approx_t a, const ssmh_model_t m, int curve, const ssmh_limits_t *lim,
                           ssmh_error_t *err);
/* The mode method (modes.c): a's n, p, d, eps, relative and k are set.
   SSMH_E_UNDECIDED when it cannot decide (not diagonal, |lambda| > 1, too
   large, or eps^2 too close to a boundary). */
int _ssmh_approx_modes(ssmh_approx_t a, const ssmh_model_t m, const ssmh_limits_t *lim,
                       ssmh_error_t *err);
/* A dyadic y >= sqrt(x) (x >= 0), about 60 bits; y may alias x. */
void _ssmh_sqrt_up(fmpq_t y, const fmpq_t x);

/* Guidance in doubles (symeig.c): a = V diag(w) V^T, w decreasing; and
   a = L diag(D) L^T without pivoting (1 when every pivot is > 0). */
int _ssmh_symeig(double *w, double *V, double *a, slong n);
int _ssmh_ldlt_d(double *L, double *D, const double *a, slong n);

#endif
