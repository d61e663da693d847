/*
 * ssmheads/core.h -- status codes, error reports, limits, versions.
 *
 * Guarantee: every library entry point reports failure only through its
 * return value and the optional ssmh_error_t it was given.
 */
#ifndef SSMHEADS_CORE_H
#define SSMHEADS_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpq_mat.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSMH_VERSION_STRING "0.1.0"

/* Status codes: 0 or negative. */
typedef enum {
    SSMH_OK = 0,
    SSMH_E_PARSE = -1,     /* malformed syntax (JSON, number, weight file) */
    SSMH_E_SHAPE = -2,     /* dimensions that do not fit */
    SSMH_E_VALUE = -3,     /* a well-formed but invalid value */
    SSMH_E_IO = -4,        /* cannot read or write a file */
    SSMH_E_LIMIT = -5,     /* a resource limit was hit */
    SSMH_E_USAGE = -6,     /* invalid arguments to a call */
    SSMH_E_UNDECIDED = -7, /* cannot decide within the limits */
    SSMH_E_NOMEM = -8,     /* allocation failed */
    SSMH_E_NOTIMPL = -9,   /* feature not implemented yet */
    SSMH_E_INTERNAL = -10  /* a self-check failed: a bug */
} ssmh_status_t;

/* A caller-owned error report.  Fields are empty strings / 0 when unknown. */
typedef struct {
    int code;            /* an ssmh_status_t */
    char file[512];      /* the file being read, or "" */
    char path[256];      /* a JSON path such as $.A[1][0], or "" */
    int line, column;    /* 1-based position in the file, or 0 */
    char message[512];
} ssmh_error_t;

/* Progress of long work (the CLI shows it on a terminal).  The library
   never prints: a caller that wants progress points lim->progress at a
   ssmh_progress_t it owns, and the library's long loops then call fn with
   what they are doing ("gradient: extended-precision Stein form") and how
   far they are (done of total; total <= 0 when unknown) -- at most once
   per `interval` seconds (0.25 when <= 0), from the thread running the
   loop, so one ssmh_progress_t serves one thread; a new `what` (a new
   stage) is always passed on.  fn must not call back into the library.
   `last` and `last_what` are the library's (zero before the first call). */
typedef struct ssmh_progress_struct {
    void (*fn)(void *arg, const char *what, double done, double total);
    void *arg;
    double interval;
    double last;
    const char *last_what;
} ssmh_progress_t;

/* Resource limits.  ssmh_limits_default() gives values that keep a 2-core,
   24 GiB machine responsive. */
typedef struct {
    long max_dim;        /* largest N, d, p (and attention head count) */
    long max_digits;     /* largest number of decimal digits in one number
                            (exponent included) */
    long max_bits;       /* largest size, in bits, a rational may grow to
                            during a computation (0 = unlimited) */
    long max_length;     /* largest sequence length n */
    size_t max_file_bytes; /* largest input file */
    size_t max_memory;   /* address space of the process, in bytes (the CLI
                            sets it with setrlimit; 0 = none) */
    double timeout;      /* seconds of CPU time, 0 = none */
    ssmh_progress_t *progress; /* NULL (the default): no progress reports */
} ssmh_limits_t;

void ssmh_limits_default(ssmh_limits_t *lim);

/* A long loop's report: calls lim->progress->fn(arg, what, done, total) if
   lim and lim->progress are set and `interval` has passed since the last
   call; otherwise costs one clock read.  lim may be NULL. */
void ssmh_progress_step(const ssmh_limits_t *lim, const char *what, double done, double total);

/* Name of a status code ("invalid input", ...).  Never NULL. */
const char *ssmh_strerror(int code);

/* Fill err (if not NULL) and return code.  Printf-style message. */
int ssmh_error_set(ssmh_error_t *err, int code, const char *file,
                   const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
void ssmh_error_clear(ssmh_error_t *err);

/* Library version string. */
const char *ssmh_version(void);
/* Version of the FLINT / Arb the library was built against. */
const char *ssmh_flint_version(void);

/* ---- exact numbers ---------------------------------------------------- */

/* Parse an exact rational: "-3/4", "7", "0.125", "1e-3", "-2.5E+10", and
   the Fortran exponent form "0.1D+05" / "1.5d-3" (as SLICOT writes data).
   Hexadecimal binary floats "0x1.8p-3" are accepted too.  Returns SSMH_OK,
   SSMH_E_VALUE (zero denominator), SSMH_E_PARSE (not a number) or
   SSMH_E_LIMIT (more than max_digits decimal digits in the string, or in
   the numerator or denominator of the canonical p/q: "1e-300" and
   "0x1p-1000" count as the 301 digits of their denominators). */
int ssmh_rational_parse(fmpq_t out, const char *s, long max_digits,
                        const char **why);

/* Canonical string "p/q" or "p"; caller frees with flint_free(). */
char *ssmh_rational_get_str(const fmpq_t x);

/* 64-bit FNV-1a hash, for seeding randomized steps from the input. */
uint64_t ssmh_hash_bytes(uint64_t h, const void *data, size_t len);
uint64_t ssmh_hash_fmpq_mat(uint64_t h, const fmpq_mat_t m);

/* ---- files --------------------------------------------------------------- */

/* Read a whole file ("-" = stdin) into a NUL-terminated buffer (free()). */
int ssmh_file_read(char **buf, size_t *len, const char *path,
                   size_t max_bytes, ssmh_error_t *err);
/* Write atomically: a temporary file beside path, fsync, then rename.
   On failure nothing is left behind.  path "-" writes to stdout. */
int ssmh_file_write_atomic(const char *path, const char *data, size_t len,
                           ssmh_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
