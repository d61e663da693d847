/*
 * ssmheads/model.h -- exact SSM models and the ssmheads-model/1 format.
 *
 * Guarantee: a model that reads successfully is exactly the one in the file
 * (every number an exact rational, every shape consistent); a model that does
 * not read leaves an error naming the file and the JSON path.  Nothing is
 * allocated in proportion to a size before that size has been checked
 * against the limits.
 */
#ifndef SSMHEADS_MODEL_H
#define SSMHEADS_MODEL_H

#include <jansson.h>
#include <ssmheads/core.h>
#include <ssmheads/spmat.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSMH_CONVENTION_UNKNOWN = 0,
    SSMH_CONVENTION_DIRECT,  /* h_t = A h_{t-1} + B x_t, y_t = C h_t + D x_t */
    SSMH_CONVENTION_DELAYED  /* h_{t+1} = A h_t + B x_t, y_t = C h_t + D x_t */
} ssmh_convention_t;

typedef enum {
    SSMH_STRUCTURE_UNKNOWN = 0,
    SSMH_STRUCTURE_DENSE,        /* A is a full N x N matrix */
    SSMH_STRUCTURE_DIAG,         /* A = diag(lambda_re) */
    SSMH_STRUCTURE_COMPLEX_DIAG  /* A = diag(lambda_re + i lambda_im), complex B, C */
} ssmh_structure_t;

typedef enum {
    SSMH_OUTPUT_UNKNOWN = 0,
    SSMH_OUTPUT_REAL,  /* real model: y = C h + D x */
    SSMH_OUTPUT_2RE,   /* complex model: y = 2 Re(C h) + D x (conjugate pairs) */
    SSMH_OUTPUT_RE     /* complex model: y = Re(C h) + D x */
} ssmh_output_t;

typedef struct {
    ssmh_convention_t convention;
    ssmh_structure_t structure;
    ssmh_output_t output;
    slong N, d, p;           /* state, input and output dimensions */
    fmpq_mat_t A;            /* DENSE: N x N; otherwise 0 x 0 */
    fmpq_mat_t lambda_re;    /* DIAG, COMPLEX_DIAG: N x 1; otherwise 0 x 0 */
    fmpq_mat_t lambda_im;    /* COMPLEX_DIAG: N x 1; otherwise 0 x 0 */
    ssmh_spmat_t B, C;       /* N x d, p x N (real parts for COMPLEX_DIAG),
                                kept sparse (a channel bank's are mostly 0) */
    ssmh_spmat_t B_im, C_im; /* COMPLEX_DIAG: imaginary parts; else 0 x 0 */
    fmpq_mat_t D;            /* p x d; zero when the file has no D */
    int has_D;               /* the file gave D explicitly */
    slong length;            /* the file's "length", or 0 when absent */
    char *name, *source;     /* optional labels (malloc'd) or NULL */
} ssmh_model_struct;
typedef ssmh_model_struct ssmh_model_t[1];

void ssmh_model_init(ssmh_model_t m);
void ssmh_model_clear(ssmh_model_t m);
/* SSMH_OK when the independent checker can hold a certificate about m
   within lim (the dense bounds on its realification, doc/trust.md);
   SSMH_E_LIMIT, with a message, when it would refuse one -- then no
   certificate is written.  lim NULL: the defaults. */
int ssmh_model_checkable(const ssmh_model_t m, const ssmh_limits_t *lim, ssmh_error_t *err);
/* Deep copy. */
void ssmh_model_set(ssmh_model_t out, const ssmh_model_t in);

/* A dense real model from its matrices (D may be NULL for 0). */
void ssmh_model_set_dense(ssmh_model_t m, ssmh_convention_t conv,
                          const fmpq_mat_t A, const fmpq_mat_t B,
                          const fmpq_mat_t C, const fmpq_mat_t D);

/* Read ssmheads-model/1.  file is the name used in errors ("-" = stdin). */
int ssmh_model_read_file(ssmh_model_t m, const char *file,
                         const ssmh_limits_t *lim, ssmh_error_t *err);
int ssmh_model_read_string(ssmh_model_t m, const char *buf, size_t len,
                           const char *file, const ssmh_limits_t *lim,
                           ssmh_error_t *err);
/* From an already parsed JSON object found at JSON path `path` of `file`
   (e.g. "$.model" inside a certificate). */
int ssmh_model_from_json(ssmh_model_t m, const json_t *obj, const char *file,
                         const char *path, const ssmh_limits_t *lim,
                         ssmh_error_t *err);

/* The model as an ssmheads-model/1 JSON object (new reference). */
json_t *ssmh_model_to_json(const ssmh_model_t m);
int ssmh_model_write_file(const ssmh_model_t m, const char *path,
                          ssmh_error_t *err);

/* An equal real dense model: diag -> diagonal A; complex diag with conjugate
   pairs -> 2x2 blocks [[a,-b],[b,a]] (SPEC 1.2).  Same K_l for every l. */
void ssmh_model_realify(ssmh_model_t out, const ssmh_model_t in);

/* Hash of the exact model, for seeding randomized steps reproducibly. */
uint64_t ssmh_model_hash(const ssmh_model_t m);

const char *ssmh_convention_name(ssmh_convention_t c);

/* ---- JSON helpers shared by every reader and writer --------------------- */

/* Read a JSON number (string or integer) at `path`.  JSON reals are refused
   with a message saying to quote them. */
int ssmh_json_get_rational(fmpq_t out, const json_t *v, const char *file,
                           const char *path, const ssmh_limits_t *lim,
                           ssmh_error_t *err);
/* Read a matrix (array of equal-length arrays of numbers).  rows/cols < 0
   means "any"; otherwise the shape must match.  A 0-row matrix is "[]";
   then cols (if >= 0) is taken as given. */
int ssmh_json_get_matrix(fmpq_mat_t out, const json_t *v, slong rows,
                         slong cols, const char *file, const char *path,
                         const ssmh_limits_t *lim, ssmh_error_t *err);
/* Read a vector (array of numbers) into an n x 1 matrix. */
int ssmh_json_get_vector(fmpq_mat_t out, const json_t *v, slong n,
                         const char *file, const char *path,
                         const ssmh_limits_t *lim, ssmh_error_t *err);
/* Parse a whole JSON document strictly (duplicate keys, trailing data,
   nesting and size limits).  Returns a new reference or NULL with err set. */
json_t *ssmh_json_parse(const char *buf, size_t len, const char *file,
                        const ssmh_limits_t *lim, ssmh_error_t *err);

/* Read and parse a whole file strictly ("-" = stdin); NULL with err set. */
json_t *ssmh_json_load_file(const char *file, const ssmh_limits_t *lim, ssmh_error_t *err);
json_t *ssmh_json_rational(const fmpq_t x);          /* "p/q" string */
json_t *ssmh_json_fmpz(const fmpz_t x);              /* "p" string */
json_t *ssmh_json_matrix(const fmpq_mat_t m);        /* array of rows */
json_t *ssmh_json_vector(const fmpq_mat_t col);      /* n x 1 -> array */
/* Serialize compactly-indented with a trailing newline (free()). */
char *ssmh_json_dumps(const json_t *v);

#ifdef __cplusplus
}
#endif
#endif
