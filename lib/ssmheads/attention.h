/*
 * ssmheads/attention.h -- factorized attention layers (SPEC 1.3, 3.3):
 * their operator span, and whether they represent a given SSM.
 *
 * Guarantee: every answer is exact.  span: the basis heads are the first
 * heads independent of the earlier ones, and each redundant head's
 * combination of them is checked exactly.  represent: "yes" comes with
 * kernels c_h(l) and a recurrence such that sum_h c_h(l) V_h = K_l for all
 * l < n, checked exactly for the tabulated lags; "no" comes with the first
 * lag whose K_l leaves span{V_h} and a matrix W orthogonal (Frobenius) to
 * every V_h with <W, K_l> != 0.
 */
#ifndef SSMHEADS_ATTENTION_H
#define SSMHEADS_ATTENTION_H

#include <ssmheads/heads.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    slong H, p, d;
    fmpq_mat_struct *V;      /* H value maps V_h (p x d) */
    fmpq_mat_struct *W_V;    /* per head: d_h x d, or 0 x 0 when given as "value" */
    fmpq_mat_struct *W_O;    /* per head: p x d_h, or 0 x 0 */
} ssmh_attention_struct;
typedef ssmh_attention_struct ssmh_attention_t[1];

void ssmh_attention_init(ssmh_attention_t a);
void ssmh_attention_clear(ssmh_attention_t a);
/* Read ssmheads-attention/1 (strict, like model files: errors name the
   file and JSON path). */
int ssmh_attention_from_json(ssmh_attention_t a, const json_t *obj, const char *file,
                             const char *path, const ssmh_limits_t *lim, ssmh_error_t *err);
int ssmh_attention_read_file(ssmh_attention_t a, const char *file,
                             const ssmh_limits_t *lim, ssmh_error_t *err);
/* The layer as ssmheads-attention/1, in the form it was given. */
json_t *ssmh_attention_to_json(const ssmh_attention_t a);

/* ---- span{V_h} ------------------------------------------------------------ */
typedef struct {
    slong H, dim;
    slong *basis;        /* dim head indices, increasing */
    slong nred;
    slong *redundant;    /* H - dim head indices */
    fmpq *combo;         /* nred x dim: V_redundant[i] = sum_j combo[i*dim+j] V_basis[j] */
    slong *rank;         /* rank of each V_h (its effective head dimension) */
} ssmh_span_struct;
typedef ssmh_span_struct ssmh_span_t[1];

void ssmh_span_init(ssmh_span_t s);
void ssmh_span_clear(ssmh_span_t s);
int ssmh_span_compute(ssmh_span_t s, const ssmh_attention_t a, ssmh_error_t *err);
json_t *ssmh_span_to_json(const ssmh_span_t s);

/* ---- representability of an SSM by the layer ---------------------------- */
typedef enum {
    SSMH_REPRESENT_UNKNOWN = 0,
    SSMH_REPRESENT_YES,
    SSMH_REPRESENT_NO
} ssmh_represent_verdict_t;

typedef struct {
    ssmh_represent_verdict_t verdict;
    slong n, k, dim, H, p, d;
    slong inter;         /* dim(span{V_h} cap span{K_l : l < n}) */
    slong extra_heads;   /* k - inter: heads the layer would still need */
    /* YES */
    slong L, m;          /* kernels tabulated for l < L; recurrence degree */
    fmpq *kernels;       /* H * L: c_h(l) at [h * L + l] */
    fmpq *recurrence;    /* q_0 .. q_m (monic, q(A) B = 0) when n > L, else NULL */
    /* NO */
    slong witness_lag;
    fmpq_mat_t W;        /* p x d, integer entries */
    fmpq *before;        /* witness_lag * H: coefficients of K_l, l < witness_lag */
} ssmh_represent_struct;
typedef ssmh_represent_struct ssmh_represent_t[1];

void ssmh_represent_init(ssmh_represent_t r);
void ssmh_represent_clear(ssmh_represent_t r);
/* Decide span{K_l : l < n} <= span{V_h}.  The layer's p x d must equal the
   model's (else SSMH_E_SHAPE). */
int ssmh_represent_compute(ssmh_represent_t r, const ssmh_attention_t a, const ssmh_model_t m,
                           slong n, const ssmh_limits_t *lim, ssmh_error_t *err);
json_t *ssmh_represent_to_json(const ssmh_represent_t r);
/* A `represent` certificate (doc/cert-represent.md). */
json_t *ssmh_represent_certificate(const ssmh_represent_t r, const ssmh_attention_t a,
                                   const ssmh_model_t m);

#ifdef __cplusplus
}
#endif
#endif
