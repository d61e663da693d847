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

/* ---- discretize.c: MPFR steps of the layouts ---------------------------- */
#include <mpfr.h>
#define SSMH_WP 256  /* working precision of every transcendental step */

/* MPFR <-> exact rationals: round x to nearest at `bits`, exactly. */
void _ssmh_mpfr_to_q(fmpq_t out, const mpfr_t x, slong bits);
void _ssmh_q_to_mpfr(mpfr_t x, const fmpq_t q);
json_t *_ssmh_mpfr_json(const mpfr_t x, slong bits);   /* rounded, as "p/q" */
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
