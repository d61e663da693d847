/*
 * ssmheads/report.h -- reports shared by the program and the JSON entry
 * point (ssmheads/api.h): the attention highways set beside the gradient,
 * and the SVG plots of the gradient envelope and of the approx curve.
 *
 * Guarantee: the highways' bounds are exact rationals (lower ends of
 * certified enclosures of ||V_h||_2) and the lags they give are decided
 * exactly by ssmh_gradient_horizon; the plots convert exact results to
 * doubles only to place points on the page, and nothing is decided from
 * them.  `ssmheads gradient --plot` and `ssmheads approx --plot` write
 * exactly these strings.
 */
#ifndef SSMHEADS_REPORT_H
#define SSMHEADS_REPORT_H

#include <ssmheads/gradient.h>
#include <ssmheads/attention.h>
#include <ssmheads/approx.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The distance-independent paths of attention (SPEC 1.4, Gradient Highway):
   a head with alpha_ij = 1 passes V_h at every distance. */
typedef struct {
    slong n;          /* number of highways */
    int attention;    /* 1: the heads of a layer; 0: K_0 as the one highway */
    fmpq *lo;         /* n lower bounds: lo[h] <= ||V_h||_2 (or ||K_0||_2) */
} ssmh_highways_struct;
typedef ssmh_highways_struct ssmh_highways_t[1];

void ssmh_highways_init(ssmh_highways_t h);
void ssmh_highways_clear(ssmh_highways_t h);
/* SSMH_E_SHAPE, naming attfile and $.heads, when the layer's value maps are
   not p x d like the model's lag operators. */
int ssmh_highways_check(const ssmh_attention_t att, const ssmh_model_t m, const char *attfile,
                        ssmh_error_t *err);
/* The highways of att (a layer already checked by ssmh_highways_check), or,
   when att is NULL, K_0 as the highway (lower end of g's enclosure of
   ||K_0||_2). */
void ssmh_highways_compute(ssmh_highways_t h, const ssmh_gradient_t g,
                           const ssmh_attention_t att);
/* The "highways" array of the gradient JSON report: per highway "head"
   (an index, or "K_0"), "highway_lo" and, when eps is not NULL,
   "below_eps_highway_from": the lag from which the SSM's envelope stays below
   eps times the highway (null when it never does).  New reference. */
json_t *ssmh_highways_to_json(const ssmh_highways_t h, const ssmh_gradient_t g,
                              const ssmh_model_t m, const fmpq_t eps);

/* The gradient plot: ||K_l||_2 (upper ends) against the proven envelope and
   the highways, log scale.  A NUL-terminated SVG document (free()), or NULL
   when out of memory. */
char *ssmh_gradient_svg(const ssmh_gradient_t g, const ssmh_highways_t h);
/* The approx plot: E(H)^2 (upper ends of the curve) against eps^2, with the
   answer H marked.  a must hold the curve (computed with curve != 0).
   free() the result; NULL when out of memory or without a curve. */
char *ssmh_approx_svg(const ssmh_approx_t a);

#ifdef __cplusplus
}
#endif
#endif
