/* Shared plumbing of the ssmheads program: errors, exit codes, I/O. */
#include "cli.h"
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <mpfr.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

const char *cli_progname = "ssmheads";

int cli_exit_code(int status)
{
    return ssmh_exit_code(status);
}

int cli_report(const ssmh_error_t *err)
{
    cli_progress_clear();
    fprintf(stderr, "%s: ", cli_progname);
    if (err->file[0])
        fprintf(stderr, "%s: ", err->file);
    if (err->path[0])
        fprintf(stderr, "%s: ", err->path);
    fprintf(stderr, "%s\n", err->message[0] ? err->message : ssmh_strerror(err->code));
    return cli_exit_code(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: %s%s", cli_progname, cmd ? cmd : "", cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(try '%s %s%s--help')\n", cli_progname, cmd ? cmd : "", cmd ? " " : "");
    if (cmd)
        fprintf(stderr, "%s", "");
    return CLI_EXIT_USAGE;
}

int cli_load_model(ssmh_model_t m, const char *path, const ssmh_limits_t *lim)
{
    ssmh_error_t err;
    ssmh_error_clear(&err);
    if (ssmh_model_read_file(m, path, lim, &err) != SSMH_OK)
        return cli_report(&err);
    return CLI_EXIT_OK;
}

int cli_check_certifiable(const ssmh_model_t m, const ssmh_limits_t *lim, const char *path)
{
    ssmh_error_t err;
    ssmh_error_clear(&err);
    if (ssmh_model_checkable(m, lim, &err) == SSMH_OK)
        return CLI_EXIT_OK;
    snprintf(err.file, sizeof(err.file), "%s", path);
    return cli_report(&err);
}

int cli_print_text(const char *s)
{
    cli_progress_clear();
    fputs(s, stdout);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write to stdout\n", cli_progname);
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}

int cli_print_json(const json_t *v)
{
    char *s = ssmh_json_dumps(v);
    int rc;
    if (s == NULL) {
        fprintf(stderr, "%s: out of memory\n", cli_progname);
        return CLI_EXIT_LIMIT;
    }
    rc = cli_print_text(s);
    free(s);
    return rc;
}

int cli_write_json(const char *path, const json_t *v)
{
    ssmh_error_t err;
    char *s = ssmh_json_dumps(v);
    int rc;
    ssmh_error_clear(&err);
    if (s == NULL) {
        fprintf(stderr, "%s: out of memory\n", cli_progname);
        return CLI_EXIT_LIMIT;
    }
    cli_write_begin();
    rc = ssmh_file_write_atomic(path, s, strlen(s), &err);
    cli_write_end();
    free(s);
    return rc == SSMH_OK ? CLI_EXIT_OK : cli_report(&err);
}

int cli_parse_long(long *out, const char *cmd, const char *opt, const char *arg,
                   long lo, long hi)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi)
        return cli_usage_error(cmd, "%s expects an integer in [%ld, %ld], got '%s'",
                               opt, lo, hi, arg);
    *out = v;
    return 0;
}

int cli_parse_rational(fmpq_t out, const char *cmd, const char *opt, const char *arg)
{
    const char *why;
    if (ssmh_rational_parse(out, arg, 10000, &why) != SSMH_OK)
        return cli_usage_error(cmd, "%s expects an exact number (e.g. 1e-6 or 1/1000): %s",
                               opt, why);
    return 0;
}

int cli_parse_eps(fmpq_t eps, const char *cmd, const char *arg)
{
    if (cli_parse_rational(eps, cmd, "--eps", arg))
        return CLI_EXIT_USAGE;
    if (fmpq_sgn(eps) <= 0)
        return cli_usage_error(cmd, "--eps must be a positive exact number");
    return 0;
}

int cli_limits_option(ssmh_limits_t *lim, int opt, const char *arg,
                      const char *cmd, int *rc)
{
    long v;
    *rc = 0;
    switch (opt) {
    case CLI_OPT_MAX_DIM:
    case CLI_OPT_MAX_STATE:
        if ((*rc = cli_parse_long(&v, cmd, opt == CLI_OPT_MAX_DIM ? "--max-dim" : "--max-state",
                                  arg, 1, 1L << 30)) == 0)
            lim->max_dim = v;
        return 1;
    case CLI_OPT_MAX_DIGITS:
        if ((*rc = cli_parse_long(&v, cmd, "--max-digits", arg, 1, 1L << 30)) == 0)
            lim->max_digits = v;
        return 1;
    case CLI_OPT_MAX_BITS:
        if ((*rc = cli_parse_long(&v, cmd, "--max-bits", arg, 0, LONG_MAX)) == 0)
            lim->max_bits = v;
        return 1;
    case CLI_OPT_TIMEOUT:
        if ((*rc = cli_parse_long(&v, cmd, "--timeout", arg, 0, 1L << 30)) == 0)
            lim->timeout = (double)v;
        return 1;
    case CLI_OPT_NO_PROGRESS:
        cli_progress_disable();
        return 1;
    case CLI_OPT_MAX_MEMORY: {   /* N (GiB) or NM (MiB) */
        char num[32];
        size_t len = strlen(arg);
        int mib = len > 0 && (arg[len - 1] == 'M' || arg[len - 1] == 'm');
        int gib = len > 0 && (arg[len - 1] == 'G' || arg[len - 1] == 'g');
        snprintf(num, sizeof(num), "%.*s", (int)(len - (size_t)(mib || gib)), arg);
        if ((*rc = cli_parse_long(&v, cmd, "--max-memory", num, 0, mib ? 1L << 30 : 1L << 20)) == 0)
            lim->max_memory = (size_t)v << (mib ? 20 : 30);
        return 1;
    }
    default:
        return 0;
    }
}

/* Signals that end a run (SIGINT, SIGTERM, SIGHUP, SIGQUIT, and SIGXCPU for
   --timeout).  Handlers are process-wide, so whichever thread receives the
   signal (FLINT's worker threads included), the decision is the same:
   - while an output file is being written (cli_write_begin/end) the signal
     waits until the file is complete;
   - if a run installed a forward descriptor (batch), the signal number is
     written there and the run ends itself once no line is half written;
   - otherwise the process ends at once with exit 128 + signal (6 for the CPU
     limit): nothing has been written yet. */
static volatile sig_atomic_t writing, pending;
static volatile sig_atomic_t forward_fd = -1;

static void end_by_signal(int sig)
{
    static const char cpu[] = "ssmheads: time limit hit (--timeout)\n";
    if (sig == SIGXCPU) {
        if (write(2, cpu, sizeof(cpu) - 1) < 0) {
            /* nothing more can be done */
        }
        _exit(CLI_EXIT_LIMIT);
    }
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    if (forward_fd >= 0) {
        unsigned char c = (unsigned char)sig;
        if (write(forward_fd, &c, 1) < 0) {
            /* the reader is gone: nothing more can be done */
        }
        return;
    }
    if (writing) {
        pending = sig;
        return;
    }
    end_by_signal(sig);
}

void cli_signals_install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXCPU};
    struct sigaction sa;
    size_t i;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
}

void cli_signals_forward(int fd)
{
    forward_fd = fd;
}

void cli_write_begin(void)
{
    writing = 1;
}

void cli_write_end(void)
{
    writing = 0;
    if (pending)
        end_by_signal(pending);
}

/* Running out of memory under --max-memory: GMP, jansson and FLINT allocate
   through these, so an allocation failure ends the process with exit 6 and
   a message instead of an abort (output files are written atomically at the
   end, so none is left half-written). */
static void out_of_memory(void)
{
    static const char msg[] = "ssmheads: out of memory (the --max-memory limit, or the machine's)\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        /* nothing more can be done */
    }
    _exit(CLI_EXIT_LIMIT);
}

static void *checked_malloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL && n > 0)
        out_of_memory();
    return p;
}

static void *checked_realloc(void *p, size_t old, size_t n)
{
    void *q = realloc(p, n);
    (void)old;
    if (q == NULL && n > 0)
        out_of_memory();
    return q;
}

static void gmp_free(void *p, size_t n)
{
    (void)n;
    free(p);
}

/* FLINT calls this instead of abort() for its exceptions; after printing
   "Exception (...)" it is either an allocation failure or a FLINT error. */
static FLINT_NORETURN void flint_stopped(void)
{
    static const char msg[] = "ssmheads: FLINT stopped (see the message above): out of memory "
                              "under --max-memory, or an internal error\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        /* nothing more can be done */
    }
    _exit(CLI_EXIT_LIMIT);
}

#if defined(__SANITIZE_ADDRESS__)
#define CLI_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLI_ASAN 1
#endif
#endif

void cli_limits_apply(ssmh_limits_t *lim)
{
    mp_set_memory_functions(checked_malloc, checked_realloc, gmp_free);
    json_set_alloc_funcs(checked_malloc, free);
    flint_set_abort(flint_stopped);
#ifndef CLI_ASAN   /* AddressSanitizer reserves terabytes of address space */
    if (lim->max_memory > 0) {
        struct rlimit rl;
        getrlimit(RLIMIT_AS, &rl);
        if (rl.rlim_max == RLIM_INFINITY || (rlim_t)lim->max_memory < rl.rlim_max) {
            rl.rlim_cur = (rlim_t)lim->max_memory;
            setrlimit(RLIMIT_AS, &rl);
            /* one malloc arena for every thread: a FLINT worker's first
               allocation would otherwise reserve a new 64 MiB heap, and
               glibc crashes (SIGSEGV in alloc_new_heap) when that mmap
               fails under the limit, before the out-of-memory exit 6 */
            mallopt(M_ARENA_MAX, 1);
        }
    }
#endif
    cli_signals_install();
    if (lim->timeout > 0) {
        struct rlimit rl;
        getrlimit(RLIMIT_CPU, &rl);
        rl.rlim_cur = (rlim_t)lim->timeout;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
            rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_CPU, &rl);
    }
    cli_progress_start(lim);
}

int cli_help(const char *text)
{
    fputs(text, stdout);
    return CLI_EXIT_OK;
}

/* FLINT's large modular products may use every core of the machine
   (SSMHEADS_THREADS overrides; 1 disables).  Results do not depend on it. */
void cli_threads_init(void)
{
    const char *env = getenv("SSMHEADS_THREADS");
    long n = env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > 64)
        n = 64;
    flint_set_num_threads((int)n);
}

/* The default branch of every command's option loop: a limit option is
   applied (0), anything else is a usage error (its exit code). */
int cli_other_option(ssmh_limits_t *lim, int opt, const char *arg, const char *cmd)
{
    int rc;
    if (cli_limits_option(lim, opt, arg, cmd, &rc))
        return rc;
    return cli_usage_error(cmd, "unknown option");
}

char *cli_decimal(const fmpq_t x, int up)
{
    mpfr_t v;
    mpq_t q;
    char *s = NULL, *out;
    mpfr_init2(v, 64);
    mpq_init(q);
    fmpq_get_mpq(q, x);
    mpfr_set_q(v, q, up ? MPFR_RNDU : MPFR_RNDD);
    mpfr_asprintf(&s, up ? "%.6RUe" : "%.6RDe", v);
    out = strdup(s);
    mpfr_free_str(s);
    mpfr_clear(v);
    mpq_clear(q);
    return out;
}

int cli_write_svg(const char *path, char *svg)
{
    ssmh_error_t err;
    int rc;
    if (svg == NULL) {
        fprintf(stderr, "%s: out of memory\n", cli_progname);
        return CLI_EXIT_LIMIT;
    }
    ssmh_error_clear(&err);
    cli_write_begin();
    rc = ssmh_file_write_atomic(path, svg, strlen(svg), &err);
    cli_write_end();
    free(svg);
    return rc == SSMH_OK ? CLI_EXIT_OK : cli_report(&err);
}

int cli_bar_column(double col)
{
    if (isnan(col))
        return -1;
    if (col > 1000.0)
        return 1000;
    if (col < -1.0)
        return -1;
    return (int)floor(col);
}
