/*
 * The checker's resource limits: the program's limits (SPEC 4: --max-dim,
 * --max-digits, --max-bits, --timeout, --max-memory, the model reader's size
 * caps), with the producer's defaults, implemented here without sharing its
 * code.  Guarantee: a limit ends a verification with SSMHC_LIMIT (exit 6)
 * and a message naming the limit, never with an acceptance, an abort or a
 * partial answer:
 *  - explicit checks (ssmhc_limit, ssmhc_bits_check, ssmhc_dense_check)
 *    record the first limit hit; ssmhc_verify_json then answers LIMIT;
 *  - allocations (ssmhc_malloc, and GMP's and jansson's once
 *    ssmhc_limits_install ran) end the process with exit 6 when memory runs
 *    out, and GMP refuses a single number beyond 8 max_bits (a backstop:
 *    the explicit checks stop growth at max_bits first);
 *  - the CPU-time limit ends the process with exit 6 from SIGXCPU.
 * Process-wide state: the checker verifies one certificate at a time.
 */
#include "ssmhc.h"
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static ssmhc_limits current;   /* the defaults until set (see ssmhc_limits_get) */
static int current_set;
static char note[1024];
static int noted;
static double digits_left = -1, work_left = -1;   /* < 0: no budget */

void ssmhc_limits_default(ssmhc_limits *lim)
{
    lim->max_dim = 1L << 16;
    lim->max_digits = 100000;
    lim->max_bits = 1L << 26;
    lim->max_length = 1L << 24;
    lim->max_file_bytes = (size_t)1 << 30;
    lim->max_memory = (size_t)16 << 30;
    lim->timeout = 0;
}

void ssmhc_limits_set(const ssmhc_limits *lim)
{
    current = *lim;
    current_set = 1;
}

const ssmhc_limits *ssmhc_limits_get(void)
{
    if (!current_set) {
        ssmhc_limits_default(&current);
        current_set = 1;
    }
    return &current;
}

#define CUR (*ssmhc_limits_get())

ssmhc_verdict_t ssmhc_limit(ssmhc_report_t *r, const char *fmt, ...)
{
    va_list ap;
    if (!noted) {
        va_start(ap, fmt);
        vsnprintf(note, sizeof(note), fmt, ap);
        va_end(ap);
        noted = 1;
    }
    if (r != NULL) {
        r->verdict = SSMHC_REJECTED;
        snprintf(r->step, sizeof(r->step), "%s", note);
    }
    return SSMHC_REJECTED;
}

void ssmhc_limit_reset(void)
{
    noted = 0;
    note[0] = '\0';
    digits_left = work_left = -1;
}

void ssmhc_budgets_set(size_t doc_bytes)
{
    digits_left = 4.0 * (double)doc_bytes + (double)(1 << 20);
    work_left = CUR.max_bits > 0 ? 1024.0 * (double)CUR.max_bits : -1;
}

int ssmhc_digits_spend(size_t digits)
{
    if (digits_left < 0)
        return 0;
    digits_left -= (double)digits;
    if (digits_left >= 0)
        return 0;
    ssmhc_limit(NULL, "the certificate's numbers expand to far more digits than it spells (more "
                "than 4 per byte of the file plus 2^20: exponent notation does not make exact "
                "numbers free; the size caps of the reader)");
    return -1;
}

int ssmhc_work_spend(double limb_products, const char *what)
{
    if (work_left < 0)
        return 0;
    work_left -= limb_products;
    if (work_left >= 0)
        return 0;
    ssmhc_limit(NULL, "%s: the exact work exceeds %.0f limb products (1024 --max-bits)", what,
                1024.0 * (double)CUR.max_bits);
    return -1;
}

const char *ssmhc_limit_note(void)
{
    return noted ? note : NULL;
}

int ssmhc_bits_check(const mpq_t x, const char *what)
{
    long cap = CUR.max_bits;
    size_t b;
    if (cap <= 0)
        return 0;
    b = mpz_sizeinbase(mpq_numref(x), 2);
    if (mpz_sizeinbase(mpq_denref(x), 2) > b)
        b = mpz_sizeinbase(mpq_denref(x), 2);
    if (b <= (size_t)cap)
        return 0;
    ssmhc_limit(NULL, "%s: an exact number grows to %zu bits, beyond the limit of %ld (--max-bits)",
                what, b, cap);
    return -1;
}

int ssmhc_entries_check(long rows, long cols, const char *what)
{
    unsigned long long n = (unsigned long long)rows * (unsigned long long)cols;
    unsigned long long share = rows == cols ? 4 : 2;
    if (n > (unsigned long long)SSMHC_MAX_ENTRIES) {
        ssmhc_limit(NULL, "%s: %ld x %ld has more than %ld entries", what, rows, cols,
                    SSMHC_MAX_ENTRIES);
        return -1;
    }
    /* an exact entry takes about 48 bytes (the mpq_t and its smallest
       limbs); a square matrix (A, P) may use a quarter of the memory, since
       the checks make working copies of it, any other one half */
    if (CUR.max_memory > 0 && n * 48 > CUR.max_memory / share) {
        ssmhc_limit(NULL, "%s: %ld x %ld exact entries need about %llu MiB, more than 1/%llu of "
                    "the memory limit (--max-memory %zu MiB)", what, rows, cols, (n * 48) >> 20,
                    share, CUR.max_memory >> 20);
        return -1;
    }
    return 0;
}

int ssmhc_dense_check(long rows, long cols, const char *what)
{
    if (rows > CUR.max_dim || cols > CUR.max_dim) {
        ssmhc_limit(NULL, "%s: %ld x %ld exceeds the dimension limit %ld (--max-dim)", what, rows,
                    cols, CUR.max_dim);
        return -1;
    }
    return ssmhc_entries_check(rows, cols, what);
}

/* ---- the process-wide part (the command line) ------------------------------ */

static void say(int fd, const char *s)
{
    if (write(fd, s, strlen(s)) < 0) {
        /* nothing more can be done */
    }
}

void ssmhc_out_of_memory(const char *what)
{
    say(1, "s NOT VERIFIED\nc resource limit: out of memory\n");
    say(2, "ssmheads: verify: out of memory");
    if (what != NULL) {
        say(2, " (");
        say(2, what);
        say(2, ")");
    }
    say(2, ": the --max-memory limit, or the machine's\n");
    _exit(6);
}

void *ssmhc_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        ssmhc_out_of_memory(NULL);
    return p;
}

void *ssmhc_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        ssmhc_out_of_memory(NULL);
    return p;
}

/* GMP's allocations: a single block beyond 8 max_bits bits (max_bits bytes)
   is a number the explicit checks should have stopped (a product of two
   max_bits numbers and its scratch space stay below it). */
static void gmp_too_big(void)
{
    say(1, "s NOT VERIFIED\nc resource limit: --max-bits\n");
    say(2, "ssmheads: verify: an exact number grows beyond the --max-bits limit\n");
    _exit(6);
}

static size_t gmp_cap = (size_t)-1;   /* bytes; set by ssmhc_limits_install */

static void *gmp_alloc(size_t n)
{
    void *p;
    if (n > gmp_cap)
        gmp_too_big();
    p = malloc(n);
    if (p == NULL)
        ssmhc_out_of_memory(NULL);
    return p;
}

static void *gmp_realloc(void *p, size_t old, size_t n)
{
    void *q;
    (void)old;
    if (n > gmp_cap)
        gmp_too_big();
    q = realloc(p, n);
    if (q == NULL)
        ssmhc_out_of_memory(NULL);
    return q;
}

static void gmp_free(void *p, size_t n)
{
    (void)n;
    free(p);
}

static void on_cpu_limit(int sig)
{
    (void)sig;
    say(1, "s NOT VERIFIED\nc resource limit: --timeout\n");
    say(2, "ssmheads: verify: time limit hit (--timeout)\n");
    _exit(6);
}

#if defined(__SANITIZE_ADDRESS__)
#define SSMHC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SSMHC_ASAN 1
#endif
#endif

void ssmhc_limits_install(const ssmhc_limits *lim)
{
    struct rlimit rl;
    ssmhc_limits_set(lim);
    if (lim->max_bits > 0)
        gmp_cap = (size_t)lim->max_bits + ((size_t)1 << 20);
    mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
    json_set_alloc_funcs(ssmhc_malloc, free);
#ifndef SSMHC_ASAN   /* AddressSanitizer reserves terabytes of address space */
    if (lim->max_memory > 0 && getrlimit(RLIMIT_AS, &rl) == 0
        && (rl.rlim_max == RLIM_INFINITY || (rlim_t)lim->max_memory < rl.rlim_max)) {
        rl.rlim_cur = (rlim_t)lim->max_memory;
        setrlimit(RLIMIT_AS, &rl);
    }
#endif
    if (lim->timeout > 0 && getrlimit(RLIMIT_CPU, &rl) == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_cpu_limit;
        sigfillset(&sa.sa_mask);
        sigaction(SIGXCPU, &sa, NULL);
        rl.rlim_cur = (rlim_t)lim->timeout;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
            rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_CPU, &rl);
    }
}
