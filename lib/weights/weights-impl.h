/* weights-impl.h -- private interface of the weights module. */
#ifndef SSMH_WEIGHTS_IMPL_H
#define SSMH_WEIGHTS_IMPL_H

#include "ssmheads-impl.h"
#include <stdint.h>

typedef enum {
    SSMH_DT_NONE = 0, SSMH_DT_F64, SSMH_DT_F32, SSMH_DT_F16, SSMH_DT_BF16,
    SSMH_DT_I8, SSMH_DT_U8, SSMH_DT_I16, SSMH_DT_U16, SSMH_DT_I32, SSMH_DT_U32,
    SSMH_DT_I64, SSMH_DT_U64
} _ssmh_dtype_t;

/* Exact value of one little-endian element; -1 for NaN/Inf. */
int _ssmh_decode(fmpq_t out, const unsigned char *p, _ssmh_dtype_t t);
int _ssmh_dtype_size(_ssmh_dtype_t t);
/* Append a tensor decoded from raw little-endian data (exactly len * size
   bytes); errors name file and tensor. */
int _ssmh_weights_add(ssmh_weights_t w, const char *name, int ndim, const slong *shape,
                      _ssmh_dtype_t t, const unsigned char *data, size_t nbytes,
                      const char *file, ssmh_error_t *err);
/* Parse one .npy image (version 1-3) into w under name. */
int _ssmh_npy_parse(ssmh_weights_t w, const char *name, const unsigned char *buf, size_t len,
                    const char *file, ssmh_error_t *err);

/* Whole .npz archives and .safetensors files already in memory (the file
   readers and the fuzz harnesses use these). */
int _ssmh_npz_parse(ssmh_weights_t w, const unsigned char *data, size_t len, const char *path,
                    const ssmh_limits_t *lim, ssmh_error_t *err);
int _ssmh_safetensors_parse(ssmh_weights_t w, const unsigned char *data, size_t len,
                            const char *path, const ssmh_limits_t *lim, ssmh_error_t *err);

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
/* One continuous mode A = ar + i ai with step dt: Abar = er + i ei and the
   input/output factor p = pr + i pi, ZOH: Abar = exp(dt A), p = (Abar - 1)/A;
   bilinear: Abar = (1 + dt A/2)/(1 - dt A/2), p = dt/(1 - dt A/2). */
void _ssmh_discretize(mpfr_t er, mpfr_t ei, mpfr_t pr, mpfr_t pi, const mpfr_t ar,
                      const mpfr_t ai, const mpfr_t dt, int bilinear);
/* A sparse-form matrix {"rows", "cols", "entries"}; entries must be added
   in increasing row-major order. */
json_t *_ssmh_sparse_json(slong rows, slong cols);
void _ssmh_sparse_json_add(json_t *m, slong i, slong j, json_t *v);

#endif
