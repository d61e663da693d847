/*
 * ssmheads/weights.h -- trained weights: .npy directories, .npz and
 * .safetensors, converted exactly (every binary float is a dyadic rational),
 * and the layouts that turn named tensors into models or attention layers.
 *
 * Guarantee: a tensor that reads is exactly the file's numbers; anything
 * else -- NaN or Inf, big-endian or Fortran-order arrays, unknown dtypes,
 * truncated data, header offsets past the end, wrong shapes -- is refused
 * with the file and the tensor named.  No allocation in proportion to a
 * claimed size before the size is checked against the file and the limits.
 */
#ifndef SSMHEADS_WEIGHTS_H
#define SSMHEADS_WEIGHTS_H

#include <ssmheads/attention.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSMH_TENSOR_MAX_DIM 8

typedef struct {
    char *name;
    int ndim;
    slong shape[SSMH_TENSOR_MAX_DIM];
    slong len;       /* product of the shape */
    fmpq *data;      /* row-major (C order) */
} ssmh_tensor_struct;

typedef struct {
    slong n;
    ssmh_tensor_struct *t;
} ssmh_weights_struct;
typedef ssmh_weights_struct ssmh_weights_t[1];

void ssmh_weights_init(ssmh_weights_t w);
void ssmh_weights_clear(ssmh_weights_t w);
/* A directory of .npy files, a .npz or a .safetensors file (by extension). */
int ssmh_weights_read(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim,
                      ssmh_error_t *err);
/* The tensor named prefix + name, or NULL. */
const ssmh_tensor_struct *ssmh_weights_get(const ssmh_weights_t w, const char *prefix,
                                           const char *name);

/* Layouts (doc/weights.md).  dense: A (N x N), B (N x d), C (p x N), optional
   D (p x d); diag: the same with A a vector of length N.  The result is built
   as ssmheads-model/1 JSON and read back through the strict reader. */
int ssmh_import_model(ssmh_model_t m, const ssmh_weights_t w, const char *layout,
                      const char *prefix, const char *file, const ssmh_limits_t *lim,
                      ssmh_error_t *err);
/* s4d (doc/weights.md): log_A_real, A_imag (H x N/2), C (H x N/2 x 2),
   log_dt (H), optional D (H); ZOH (bilinear = 0) or bilinear; exp, sin, cos
   and the discretization by MPFR, rounded to nearest at `bits` (53: binary64). */
int ssmh_import_s4d(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, int bilinear,
                    slong bits, const char *file, const ssmh_limits_t *lim, ssmh_error_t *err);
/* lru: nu_log, theta_log, gamma_log (N), B_re, B_im (N x H), C_re, C_im
   (H x N), optional D (H); y = Re(C x) + D u; exp/sin/cos as for s4d. */
int ssmh_import_lru(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, slong bits,
                    const char *file, const ssmh_limits_t *lim, ssmh_error_t *err);
/* s5: Lambda_re, Lambda_im (P), B (P x H x 2), C (H x P x 2), log_step (P or
   P x 1), optional D (H); ZOH or bilinear; output 2 Re(C x) (output_re = 0,
   conjugate symmetry) or Re(C x); exp/sin/cos as for s4d. */
int ssmh_import_s5(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, int bilinear,
                   int output_re, slong bits, const char *file, const ssmh_limits_t *lim,
                   ssmh_error_t *err);
/* mamba2: a frozen slice of a Mamba-2 layer (doc/weights.md): A_log,
   dt_bias, optional dt, optional D (nheads), B and C (ngroups x d_state);
   an exact diagonal realization of the slice's lag operators with
   nheads x headdim states; softplus/exp by MPFR rounded at `bits`. */
int ssmh_import_mamba2(ssmh_model_t m, const ssmh_weights_t w, const char *prefix, slong headdim,
                       slong bits, const char *file, const ssmh_limits_t *lim, ssmh_error_t *err);
/* A model layout and its options, as `import` and `batch` take them. */
typedef struct {
    const char *layout;   /* dense, diag, s4d, s5, lru, mamba2 */
    const char *prefix;   /* tensor name prefix ("" for none) */
    int bilinear;         /* s4d, s5: bilinear instead of ZOH */
    int output_re;        /* s5: y = Re(C x) instead of 2 Re(C x) */
    slong bits;           /* s4d, s5, lru, mamba2: rounding precision (53) */
    slong headdim;        /* mamba2: channels per head (1) */
} ssmh_import_opts_t;
void ssmh_import_opts_default(ssmh_import_opts_t *o);
/* Is `layout` a model layout (dense, diag, s4d, s5, lru, mamba2)? */
int ssmh_import_is_model_layout(const char *layout);
/* Read the weights at `path` and build the model of o->layout. */
int ssmh_import_model_file(ssmh_model_t m, const char *path, const ssmh_import_opts_t *o,
                           const ssmh_limits_t *lim, ssmh_error_t *err);
/* attention: W_V (H x d_h x d) and W_O (H x p x d_h), or V (H x p x d). */
int ssmh_import_attention(ssmh_attention_t a, const ssmh_weights_t w, const char *prefix,
                          const char *file, const ssmh_limits_t *lim, ssmh_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
