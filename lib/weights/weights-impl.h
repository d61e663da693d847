/* weights-impl.h -- private interface of the weights module. */
#ifndef SSMH_WEIGHTS_IMPL_H
#define SSMH_WEIGHTS_IMPL_H

#include "ssmheads-impl.h"
#include <stdint.h>

typedef enum {
    SSMH_DT_NONE = 0, SSMH_DT_F64, SSMH_DT_F32, SSMH_DT_F16, SSMH_DT_BF16,
    SSMH_DT_I8, SSMH_DT_U8, SSMH_DT_I16, SSMH_DT_U16, SSMH_DT_I32, SSMH_DT_U32,
    SSMH_DT_I64, SSMH_DT_U64, SSMH_DT_BOOL, SSMH_DT_C64, SSMH_DT_C128,
    SSMH_DT_BIG_ENDIAN   /* a '>' numpy dtype: known, refused when decoded */
} _ssmh_dtype_t;

/* Exact value of one little-endian real element; -1 for NaN/Inf. */
int _ssmh_decode(fmpq_t out, const unsigned char *p, _ssmh_dtype_t t);
/* Bytes per element (a complex element counts both parts); 0 if unknown. */
int _ssmh_dtype_size(_ssmh_dtype_t t);
/* Append a tensor header: raw points to nbytes of data (owned by w, by
   the caller until w is cleared, or by `own` which w frees).  The size is
   checked against the shape when the dtype's size is known. */
int _ssmh_weights_add(ssmh_weights_t w, const char *name, int ndim, const slong *shape,
                      _ssmh_dtype_t t, const char *dtype_name, int fortran,
                      const unsigned char *raw, size_t nbytes, unsigned char *own,
                      const char *file, ssmh_error_t *err);
/* Parse one .npy image (version 1-3) into w under name; `own` (may be
   NULL) is the malloc'ed block holding buf, which w then frees. */
int _ssmh_npy_parse(ssmh_weights_t w, const char *name, const unsigned char *buf, size_t len,
                    unsigned char *own, const char *file, ssmh_error_t *err);

/* Whole .npz archives and .safetensors files already in memory (the file
   readers and the fuzz harnesses use these); the bytes are copied. */
int _ssmh_npz_parse(ssmh_weights_t w, const unsigned char *data, size_t len, const char *path,
                    const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_safetensors_parse(ssmh_weights_t w, const unsigned char *data, size_t len,
                            const char *path, const ssmh_limits_t *lim, ssmh_error_t *err);

/* "(4, 1) F32" style description of a tensor's shape and dtype. */
void _ssmh_tensor_describe(char *out, size_t size, const ssmh_tensor_struct *t);

/* ---- lookup.c: what a layout reads ---------------------------------------- */

/* One layout run over a checkpoint: the prefix (normalised), the tensors
   it marked as used, the notes for the user and, for a dry run (the
   recognizer), no decoding at all. */
typedef struct {
    ssmh_weights_struct *w;
    char prefix[256];
    const char *file;
    const char *layout;
    char *used;           /* w->n flags */
    json_t *notes;        /* array of strings */
    json_t *info;         /* "form", "sizes", "args" for the recognizer */
    int dry;              /* shapes only */
    ssmh_error_t *err;
} _ssmh_lay_t;

/* Normalise a prefix: a missing trailing '.' is added (unless it ends in
   '/' or is empty). */
void _ssmh_prefix_normalize(char *out, size_t size, const char *prefix);
/* The tensor prefix + name (marked used), or NULL. */
ssmh_tensor_struct *_ssmh_lay_find(_ssmh_lay_t *L, const char *name);
/* The same, required: a missing tensor is an error naming the expected
   shape and suggesting the prefix where the checkpoint has the module. */
int _ssmh_lay_need(ssmh_tensor_struct **t, _ssmh_lay_t *L, const char *name,
                   const char *expect);
/* A shape error: "T: expected EXPECT, found (shape) dtype". */
int _ssmh_lay_shape_error(_ssmh_lay_t *L, const ssmh_tensor_struct *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Decode t (a real tensor unless complex_ok); refuses complex data where a
   real number is expected. */
int _ssmh_lay_decode(_ssmh_lay_t *L, ssmh_tensor_struct *t, int complex_ok);
/* The shape of t without leading axes of size 1, into shape; returns ndim. */
int _ssmh_squeeze_leading(slong *shape, const ssmh_tensor_struct *t);
/* Is t real with shape S + (2,) or complex with shape S (S given as n dims
   after removing leading 1s beyond n)?  Both store (re, im) interleaved. */
int _ssmh_is_complex_pairs(const ssmh_tensor_struct *t, int n, const slong *S);
/* Append a one-line note. */
void _ssmh_lay_note(_ssmh_lay_t *L, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Note the tensors under the prefix that no step marked as used. */
void _ssmh_lay_note_unused(_ssmh_lay_t *L);
/* "; found as 'T': use --prefix P" for the first tensor (outside the
   prefix) whose name ends with one of names (NULL-terminated), or "". */
void _ssmh_lay_suggest(char *out, size_t size, const _ssmh_lay_t *L, const char *const *names);
/* Is there a tensor whose name starts with prefix + sub? */
int _ssmh_lay_has_under(const _ssmh_lay_t *L, const char *sub);
/* D (optional) of a layer with p outputs and d inputs: a vector of
   length p = d (one per channel, leading singleton axes allowed) or a full
   p x d matrix; *out the sparse-form matrix (NULL on a dry run). */
int _ssmh_lay_D(json_t **out, _ssmh_lay_t *L, ssmh_tensor_struct *D, slong p, slong d);
/* info.sizes[key] = v */
void _ssmh_lay_size(_ssmh_lay_t *L, const char *key, slong v);

/* The layouts: *out = the ssmheads-model/1 JSON (NULL on a dry run). */
int _ssmh_layout_dense(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o);
int _ssmh_layout_s4d(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o);
int _ssmh_layout_s5(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o);
int _ssmh_layout_lru(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o);
int _ssmh_layout_mamba2(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o);
/* Run one layout over w (the recognizer calls this with dry = 1). */
int _ssmh_layout_run(json_t **out, json_t **notes, json_t *info, ssmh_weights_t w,
                     const ssmh_import_opts_t *o, int dry, const char *file,
                     ssmh_error_t *err);

/* ---- discretize.c: MPFR steps of the layouts ---------------------------- */
#include <mpfr.h>
#define SSMH_WP 256  /* working precision of every transcendental step */

/* MPFR <-> exact rationals: round x to nearest at `bits` in the IEEE format
   of that precision (binary64's exponent range up to 53 bits, binary128's
   above; subnormals as IEEE).  Returns -1 (out untouched) for NaN, an
   infinity or an overflow. */
int _ssmh_mpfr_to_q(fmpq_t out, const mpfr_t x, slong bits);
void _ssmh_q_to_mpfr(mpfr_t x, const fmpq_t q);
/* x rounded, as a "p/q" string; on overflow or NaN *bad = 1 (and "0"). */
json_t *_ssmh_mpfr_json(const mpfr_t x, slong bits, int *bad);
/* An intermediate value (a step size, an angle) that must be finite and
   below 2^1024 before it feeds exp, sin or cos: otherwise *bad = 1, x = 0,
   returns 1.  Keeps the argument reductions small (no hang on 2^(2^30)). */
int _ssmh_mpfr_guard(mpfr_t x, int *bad);
/* (qr + i qi) = (xr + i xi) / (yr + i yi) */
void _ssmh_cdiv(mpfr_t qr, mpfr_t qi, const mpfr_t xr, const mpfr_t xi, const mpfr_t yr,
                const mpfr_t yi);
/* (xr + i xi) *= (yr + i yi) */
void _ssmh_cmul(mpfr_t xr, mpfr_t xi, const mpfr_t yr, const mpfr_t yi);
/* One continuous mode A = ar + i ai with step dt: Abar = er + i ei and the
   input/output factor p = pr + i pi, ZOH: Abar = exp(dt A), p = (Abar - 1)/A;
   bilinear: Abar = (1 + dt A/2)/(1 - dt A/2), p = dt/(1 - dt A/2). */
void _ssmh_discretize(mpfr_t er, mpfr_t ei, mpfr_t pr, mpfr_t pi, const mpfr_t ar,
                      const mpfr_t ai, const mpfr_t dt, int bilinear);
/* The parameter transforms of s4.py (param_transform) and softplus as
   torch computes it (x itself above the threshold 20). */
void _ssmh_transform(mpfr_t y, const mpfr_t x, ssmh_transform_t t);
/* A sparse-form matrix {"rows", "cols", "entries"}; entries must be added
   in increasing row-major order. */
json_t *_ssmh_sparse_json(slong rows, slong cols);
void _ssmh_sparse_json_add(json_t *m, slong i, slong j, json_t *v);
/* A sparse-form matrix from triplets in any order (sorted here). */
typedef struct {
    slong i, j;
    json_t *v;
} _ssmh_triplet_t;
json_t *_ssmh_sparse_from_triplets(slong rows, slong cols, _ssmh_triplet_t *t, slong n);

const char *_ssmh_transform_name(ssmh_transform_t t);
/* "ssmheads-model/1" object with the given source text. */
json_t *_ssmh_model_object(const char *source);
/* Options text for `source`: "name value (default)" or "(given)". */
void _ssmh_opt_text(char *out, size_t size, const ssmh_import_opts_t *o, unsigned bit,
                    const char *name, const char *value);

#endif
