/*
 * ssmhc.h -- the independent certificate checker.
 *
 * Trust lives here: this code shares no algorithm and no source file with the
 * producer (lib/), and uses only GMP (mpq_t, mpz_t) and jansson.  It links no
 * FLINT.  Guarantee: ssmhc_verify_* returns SSMHC_VERIFIED only when every step
 * of the certificate has been checked exactly; anything malformed, truncated,
 * inconsistent or altered gives SSMHC_REJECTED with the failing step, a
 * check stopped by a resource limit SSMHC_LIMIT (doc/trust.md, "The
 * checker's resource guarantee"), and a file that is not a certificate at
 * all SSMHC_NOT_CERTIFICATE.
 *
 * Names: ssmhc_<module>_<verb>.  The verdict's zero value is "unknown", so
 * zeroed memory never means "accepted".
 */
#ifndef SSMHC_H
#define SSMHC_H

#include <gmp.h>
#include <jansson.h>
#include <stddef.h>

/* LIMIT: the check could not be completed within the resource limits (never
   an acceptance); NOT_CERTIFICATE: the input is not a certificate at all
   (a model, an attention layer, results lines, a weight file, ...). */
typedef enum {
    SSMHC_UNKNOWN = 0,
    SSMHC_VERIFIED = 1,
    SSMHC_REJECTED = 2,
    SSMHC_LIMIT = 3,
    SSMHC_NOT_CERTIFICATE = 4
} ssmhc_verdict_t;

typedef struct {
    ssmhc_verdict_t verdict;
    char step[1024];   /* the failing step, or a summary when verified */
} ssmhc_report_t;

/* Set r to REJECTED with a printf-style step description; returns REJECTED. */
ssmhc_verdict_t ssmhc_fail(ssmhc_report_t *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- resource limits (limits.c) ------------------------------------------ */
/* The program's limits (SPEC 4, the same defaults as the producer's; the
   code is the checker's own).  0 means "none" for max_bits, max_memory and
   timeout. */
typedef struct {
    long max_dim;          /* largest N, d, p (--max-dim / --max-state) */
    long max_digits;       /* most decimal digits of a number's canonical p/q */
    long max_bits;         /* largest exact number a check may form, in bits */
    long max_length;       /* most lags one check streams (the -n limit) */
    size_t max_file_bytes; /* largest certificate or model file */
    size_t max_memory;     /* address space, in bytes */
    double timeout;        /* CPU seconds */
} ssmhc_limits;

/* Largest dense matrix the checker forms (as the producer's model reader). */
#define SSMHC_MAX_ENTRIES (1L << 27)

void ssmhc_limits_default(ssmhc_limits *lim);
/* The limits every check obeys (process-wide; the checker is single-
   threaded).  Until set, the defaults. */
void ssmhc_limits_set(const ssmhc_limits *lim);
const ssmhc_limits *ssmhc_limits_get(void);
/* Install the process-wide part (the command line only): address-space and
   CPU-time rlimits, GMP and jansson allocators that end the process with
   exit 6 (and refuse a single GMP number far beyond max_bits), and the
   SIGXCPU handler.  Each prints `s NOT VERIFIED` and a message naming the
   limit. */
void ssmhc_limits_install(const ssmhc_limits *lim);

/* A limit was hit: records the first such message for this verification
   (ssmhc_verify_json then answers SSMHC_LIMIT) and sets r (when not NULL)
   like ssmhc_fail.  Returns SSMHC_REJECTED, so callers just fail. */
ssmhc_verdict_t ssmhc_limit(ssmhc_report_t *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void ssmhc_limit_reset(void);   /* also drops the budgets below */
/* Budgets of one verification, set by ssmhc_verify_json from the size of
   the certificate (and --model file):
   - digits: the canonical digits of every number read, in total, at most 4
     per byte plus 2^20 -- so exponent notation ("1e99999", 7 bytes) cannot
     make 10^5-digit numbers free (the producer writes numbers in full);
   - work: the exact lag products (limbs of A times limbs of the state,
     summed), at most 1024 max_bits -- a backstop that stops chains of
     exact powers long before they take minutes.
   Each spend returns 0, or -1 with the limit recorded. */
void ssmhc_budgets_set(size_t doc_bytes);
int ssmhc_digits_spend(size_t digits);
int ssmhc_work_spend(double limb_products, const char *what);
const char *ssmhc_limit_note(void);   /* NULL when no limit was hit */
/* max_bits against an exact number: 0, or -1 with the limit recorded. */
int ssmhc_bits_check(const mpq_t x, const char *what);
/* A dense rows x cols matrix within --max-dim, SSMHC_MAX_ENTRIES and a
   share of --max-memory (a quarter for a square one, whose working copies
   the checks need too; half otherwise): 0, or -1 with the limit recorded.
   ssmhc_entries_check: the same without --max-dim (the realified parts of
   a complex model, 2N states for N <= --max-dim modes). */
int ssmhc_dense_check(long rows, long cols, const char *what);
int ssmhc_entries_check(long rows, long cols, const char *what);
/* Allocation that never returns NULL: out of memory ends the process with
   exit 6 (`s NOT VERIFIED` and a message naming --max-memory). */
void *ssmhc_malloc(size_t n);
void *ssmhc_calloc(size_t n, size_t size);
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void ssmhc_out_of_memory(const char *what);

/* ---- dyadic interval powers (dyadic.c) ----------------------------------- */
/* M2 gamma^k <= Q, decided with outward-rounded dyadic bounds of bounded size
   (repeated squaring, O(log k) products), exactly only when the bounds do not
   decide and equality is possible (then the exact power is no larger than
   Q's numbers).  0 < gamma < 1, M2 > 0, Q > 0.  Returns 1 (holds), 0 (fails),
   or -1 when --max-bits of precision do not decide (limit recorded). */
int ssmhc_dyadic_pow_le(mpq_srcptr M2, mpq_srcptr gamma, unsigned long long k, mpq_srcptr Q);

/* ---- exact rational matrices (row-major mpq_t) -------------------------- */
typedef struct {
    long rows, cols;
    mpq_t *e;
} ssmhc_qmat;
#define SSMHC_Q(m, i, j) ((m)->e[(size_t)(i) * (size_t)(m)->cols + (size_t)(j)])

void ssmhc_qmat_init(ssmhc_qmat *m, long rows, long cols);   /* zeros */
void ssmhc_qmat_clear(ssmhc_qmat *m);
/* A vector of n rationals, all 0 (room for one when n = 0); freed, with
   its entries, by ssmhc_qvec_clear(v, n). */
mpq_t *ssmhc_qvec_init(long n);
void ssmhc_qvec_clear(mpq_t *v, long n);
void ssmhc_qmat_copy(ssmhc_qmat *out, const ssmhc_qmat *in); /* out initialised */
void ssmhc_qmat_mul(ssmhc_qmat *out, const ssmhc_qmat *a, const ssmhc_qmat *b);
int ssmhc_qmat_equal(const ssmhc_qmat *a, const ssmhc_qmat *b);
int ssmhc_qmat_is_zero(const ssmhc_qmat *a);
long ssmhc_qmat_rank(const ssmhc_qmat *a);  /* exact Gaussian elimination */
/* Positive semidefinite (definite when strict) symmetric matrix: fraction-
   free LDL^T without pivoting (a zero pivot needs a zero column). */
int ssmhc_qmat_psd(ssmhc_qmat *S, int strict);

/* ---- sparse exact rational matrices (smat.c) ----------------------------- */
/* Compressed rows: row i's nonzeros are col[rowptr[i] .. rowptr[i + 1])
   (columns strictly increasing) with the values val[...], never 0.  Memory
   O(rows + nonzeros): a channel bank's B and C are millions of entries of
   which a few thousand are nonzero.  Dense copies (ssmhc_smat_dense) are
   made only after the dimensions pass ssmhc_entries_check. */
typedef struct {
    long rows, cols, nnz, alloc;
    long *rowptr;
    long *col;
    mpq_t *val;
} ssmhc_smat;

void ssmhc_smat_init(ssmhc_smat *m, long rows, long cols);   /* zeros */
void ssmhc_smat_clear(ssmhc_smat *m);
/* Building: entries in row-major order after every stored one (a zero x
   is not stored; x is swapped in and left 0), then finish once. */
void ssmhc_smat_push(ssmhc_smat *m, long i, long j, mpq_t x);
void ssmhc_smat_reserve(ssmhc_smat *m, long n);   /* room for n nonzeros */
void ssmhc_smat_finish(ssmhc_smat *m);
/* Either matrix form of the model files (an array of rows, or {"rows",
   "cols", "entries"}), the shape checked (rows/cols < 0: any) and the
   dimensions bounded by ssmhc_dense_check before anything is allocated,
   never stored densely.  0, or -1 (out left cleared-safe). */
int ssmhc_json_smat(ssmhc_smat *out, const json_t *v, long rows, long cols);
/* Entry (i, j), read-only (a shared 0 when not stored). */
const __mpq_struct *ssmhc_smat_entry(const ssmhc_smat *m, long i, long j);
int ssmhc_smat_equal(const ssmhc_smat *a, const ssmhc_smat *b);
int ssmhc_smat_is_zero(const ssmhc_smat *m);
/* out = in^T (out uninitialised). */
void ssmhc_smat_transpose(ssmhc_smat *out, const ssmhc_smat *in);
/* A dense copy (out uninitialised), after ssmhc_entries_check(what):
   0, or -1 with the limit recorded. */
int ssmhc_smat_dense(ssmhc_qmat *out, const ssmhc_smat *m, const char *what);
/* out = a x and out = x a (out initialised by the caller, the right
   shape; no aliasing). */
void ssmhc_smat_mul_qmat(ssmhc_qmat *out, const ssmhc_smat *a, const ssmhc_qmat *x);
void ssmhc_qmat_mul_smat(ssmhc_qmat *out, const ssmhc_qmat *x, const ssmhc_smat *a);

/* ---- strict JSON reading ------------------------------------------------- */
/* A rational from a JSON string ("-3/4", "0.125", "1e-3") or JSON integer.
   Returns 0 on success, -1 otherwise. */
int ssmhc_json_rational(mpq_t out, const json_t *v);
/* The dense form of a matrix, an array of rows of equal length: its shape
   (*r_out x *c_out), checked against rows/cols (< 0: any) and bounded by
   ssmhc_dense_check.  0, or -1 (nothing written). */
int ssmhc_json_dense_shape(long *r_out, long *c_out, const json_t *v, long rows, long cols);
/* The sparse form {"rows": R, "cols": C, "entries": [[i, j, v], ...]}: the
   shape checked as above (R x C bounded by ssmhc_dense_check), every
   position in range and strictly increasing row-major; *entries the array
   (its values not yet read).  0, or -1 (nothing written). */
int ssmhc_json_sparse_shape(long *r_out, long *c_out, const json_t **entries, const json_t *v,
                            long rows, long cols);
/* A matrix with the given shape (rows/cols < 0: any).  out is initialised by
   the call on success (and left cleared-safe on failure). */
int ssmhc_json_qmat(ssmhc_qmat *out, const json_t *v, long rows, long cols);
/* A JSON integer in [lo, hi]. */
int ssmhc_json_long(long *out, const json_t *v, long lo, long hi);

/* ---- the embedded model, realified exactly ------------------------------- */
typedef struct {
    int delayed;        /* 0: direct, 1: delayed convention */
    long N, d, p;       /* realified state dimension, input, output */
    int block_diag;     /* A is block diagonal with 1x1/2x2 blocks (structured
                           models): stored in O(N), applied in O(N d) */
    ssmhc_qmat A;       /* dense N x N; unused (0 x 0) when block_diag */
    ssmhc_qmat Ab;      /* block_diag: N x 2, Ab[i][0] = A[i][i] and
                           Ab[i][1] = A[i][partner of i] (0 for a 1x1 block) */
    unsigned char *blk; /* block_diag: 0 for a 1x1 block, 1 and 2 for the
                           first and second state of a 2x2 block */
    mpq_t zero;         /* block_diag: the value of every off-band entry */
    int complex_modes;  /* complex_diag: mode s owns the states 2s, 2s+1
                           (else mode s is state s) */
    ssmhc_smat B, C, D; /* realified B (N x d), C (p x N) and D, sparse */
} ssmhc_model;

/* Read and realify an ssmheads-model/1 object.  Returns 0 or -1 (r set). */
int ssmhc_model_read(ssmhc_model *m, const json_t *obj, ssmhc_report_t *r);
void ssmhc_model_clear(ssmhc_model *m);
/* Same delay convention and the same exact A, B, C, D. */
int ssmhc_model_equal(const ssmhc_model *a, const ssmhc_model *b);
/* The entry A[i][j] of the realified A (read-only, never allocated). */
const __mpq_struct *ssmhc_model_A_entry(const ssmhc_model *m, long i, long j);
/* Block-diagonal m: the states of the whole blocks that meet a nonzero of
   row v of W (whose columns are states), increasing, into act (room for N);
   part[i], unless part is NULL, the index in act of act[i]'s partner state,
   or -1 for a 1 x 1 block.  Returns how many. */
long ssmhc_model_block_support(long *act, long *part, const ssmhc_model *m,
                               const ssmhc_smat *W, long v);
/* out = A X  (out initialised by the caller with the right shape). */
void ssmhc_model_apply_A(ssmhc_qmat *out, const ssmhc_model *m, const ssmhc_qmat *X);
/* out = X A */
void ssmhc_model_apply_A_right(ssmhc_qmat *out, const ssmhc_model *m, const ssmhc_qmat *X);
/* The lags K_0, K_1, ... one at a time, exactly: the state X = A^j B (the
   power the next lag needs) is advanced once per lag and checked against
   --max-bits and the work budget. */
typedef struct {
    const ssmhc_model *m;
    long l;            /* the lag the next call returns */
    ssmhc_qmat X, Y;   /* X: the state; Y: scratch */
    double cost_A;     /* nonzeros of A times d times the limbs of its largest entry */
} ssmhc_lagstream;
void ssmhc_lagstream_init(ssmhc_lagstream *s, const ssmhc_model *m);
/* K (initialised p x d by the caller) = K_l for the next l.  0, or -1 when
   the state outgrows --max-bits (limit recorded). */
int ssmhc_lagstream_next(ssmhc_lagstream *s, ssmhc_qmat *K);
void ssmhc_lagstream_clear(ssmhc_lagstream *s);
/* K[0..count-1] exact lag operators (each initialised p x d by the call,
   also on failure).  0, or -1 when a state outgrows --max-bits. */
int ssmhc_model_lags(ssmhc_qmat *K, const ssmhc_model *m, long count);

/* An annihilating polynomial {"side": "B" | "C", "coeffs": [q_0 .. q_m]}:
   monic, 1 <= m + 1 <= N + 1 coefficients, and q(A) B = 0 (side B) or
   C q(A) = 0 (side C) exactly.  Returns m, or -1 with r set. */
long ssmhc_check_annihilator(const json_t *ann, const ssmhc_model *m, ssmhc_report_t *r);

/* The contraction envelope (envelope.c): P ("identity" or an N x N matrix)
   symmetric positive definite, gamma^2 P - A^T P A >= 0, beta_B I - B^T P B
   >= 0 (skipped when beta_B is NULL) and beta_C P - C^T C >= 0 (for P = I:
   beta_C I - C C^T >= 0), exactly.  Failures name `where` ("witness: P ...").
   lambda (or NULL) receives max_i sum_j |P_ij| (1 for "identity").
   Returns 0, or -1 with r set. */
int ssmhc_check_envelope(const ssmhc_model *m, const json_t *P, mpq_srcptr gamma,
                         mpq_srcptr beta_B, mpq_srcptr beta_C, const char *where,
                         mpq_ptr lambda, ssmhc_report_t *r);
/* S = g2 P - A^T P A for a symmetric N x N P (S initialised by the call). */
void ssmhc_envelope_stein(ssmhc_qmat *S, const ssmhc_model *m, const ssmhc_qmat *P, mpq_srcptr g2);

/* The horizon of a gradient claim (horizon.c, doc/gradient.md "Horizon in
   lags"): h is the least lag from which the proven envelope M2 gamma^(2t)
   keeps every later ||K_l||_2 <= eps (none when gamma > 1, or gamma = 1 with
   M2 > eps^2).  0, or -1 with r set (a limit is recorded as one). */
#define SSMHC_MAX_HORIZON (1LL << 62)
int ssmhc_check_horizon(const ssmhc_model *m, mpq_srcptr gamma, mpq_srcptr M2, mpq_srcptr eps,
                        long long h, ssmhc_report_t *r);

/* ---- one checker per claim kind ------------------------------------------ */
typedef ssmhc_verdict_t (*ssmhc_kind_fn)(const json_t *cert, const ssmhc_model *m,
                                         ssmhc_report_t *r);
ssmhc_verdict_t ssmhc_check_heads(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r);
ssmhc_verdict_t ssmhc_check_represent(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r);
ssmhc_verdict_t ssmhc_check_gradient(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r);
ssmhc_verdict_t ssmhc_check_approx(const json_t *cert, const ssmhc_model *m, ssmhc_report_t *r);
/* The enclosure variant of kind approx (witness.method "enclosure",
   approx_enclosure.c), for a claim already read: n >= 1, 0 <= H <= p d. */
ssmhc_verdict_t ssmhc_check_approx_enclosure(const json_t *cert, const ssmhc_model *m, long n,
                                             long H, ssmhc_report_t *r);
/* The mode variant (witness.method "modes", approx_modes.c), likewise. */
ssmhc_verdict_t ssmhc_check_approx_modes(const json_t *cert, const ssmhc_model *m, long n,
                                         long H, ssmhc_report_t *r);

/* ---- what a non-certificate is (identify.c) ------------------------------ */
/* A description ("is an ssmheads-model/1 file, not a certificate; ...") of
   parsed JSON that is not a certificate, or NULL for a certificate (also a
   damaged one).  lines: the file held several JSON values. */
const char *ssmhc_identify_json(const json_t *j, int lines);
/* The same for bytes that are not JSON (weight files), or NULL. */
const char *ssmhc_identify_bytes(const char *data, size_t len);

/* ---- the whole certificate ---------------------------------------------- */
/* Verify a certificate file; model_path (or NULL) must then hold exactly the
   embedded model.  SSMHC_LIMIT when a resource limit stopped the check
   (r->step names it), SSMHC_NOT_CERTIFICATE when the file is something else
   (r->step says what, without the file name). */
ssmhc_verdict_t ssmhc_verify_file(const char *cert_path, const char *model_path,
                                  ssmhc_report_t *r);
/* The same for parsed JSON (model_file may be NULL). */
ssmhc_verdict_t ssmhc_verify_json(const json_t *cert, const json_t *model_file,
                                  ssmhc_report_t *r);
/* The command line of `ssmheads verify` / `ssmheads-verify`; returns the
   exit code. */
int ssmhc_main(int argc, char **argv);

#endif
