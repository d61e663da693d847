/*
 * cli.h -- the ssmheads program's shared plumbing.  The CLI parses
 * arguments, calls the library and prints; it does no mathematics.
 */
#ifndef SSMHEADS_CLI_H
#define SSMHEADS_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <ssmheads.h>
#include <flint/fmpq_vec.h>

/* Exit codes (SPEC 4). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FALSE = 1,     /* certificate rejected, or the claim is false */
    CLI_EXIT_UNDECIDED = 2,
    CLI_EXIT_USAGE = 3,
    CLI_EXIT_INPUT = 4,     /* invalid input: parse, shape, value */
    CLI_EXIT_IO = 5,
    CLI_EXIT_LIMIT = 6,
    CLI_EXIT_NOTIMPL = 7    /* a command that is not implemented yet */
};

/* One command: name, entry point, one-line summary, usage text. */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command_t;

int cli_cmd_heads(int argc, char **argv);
int cli_cmd_construct(int argc, char **argv);
int cli_cmd_verify(int argc, char **argv);
int cli_cmd_span(int argc, char **argv);
int cli_cmd_represent(int argc, char **argv);
int cli_cmd_gradient(int argc, char **argv);
int cli_cmd_minimal(int argc, char **argv);
int cli_cmd_approx(int argc, char **argv);
int cli_cmd_import(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_batch(int argc, char **argv);
int cli_cmd_call(int argc, char **argv);

/* Use the machine's cores for FLINT (SSMHEADS_THREADS=N overrides). */
void cli_threads_init(void);

/* Map a library status to an exit code. */
int cli_exit_code(int status);
/* Print "ssmheads: FILE: $.path: message" to stderr; returns the exit code. */
int cli_report(const ssmh_error_t *err);
/* Print "ssmheads: CMD: message" (usage error) and return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Read a model; on failure print the error and return the exit code. */
int cli_load_model(ssmh_model_t m, const char *path, const ssmh_limits_t *lim);
/* With --cert: 0 when the checker can hold a certificate about m, else the
   exit code after the message (no certificate can be written). */
int cli_check_certifiable(const ssmh_model_t m, const ssmh_limits_t *lim, const char *path);
/* Print a JSON value (one object), or a text, on stdout; returns an exit code. */
int cli_print_json(const json_t *v);
int cli_print_text(const char *s);
/* Write a JSON value to path atomically; returns an exit code. */
int cli_write_json(const char *path, const json_t *v);

/* Integer / rational option values; on failure print and return non-zero. */
int cli_parse_long(long *out, const char *cmd, const char *opt, const char *arg,
                   long lo, long hi);
int cli_parse_rational(fmpq_t out, const char *cmd, const char *opt, const char *arg);
/* --eps E: an exact number > 0; 0, or the usage exit code after a message. */
int cli_parse_eps(fmpq_t eps, const char *cmd, const char *arg);

/* Options every command accepts for resource limits. */
#define CLI_OPT_MAX_DIM 1001
#define CLI_OPT_MAX_DIGITS 1002
#define CLI_OPT_MAX_BITS 1003
#define CLI_OPT_TIMEOUT 1004
#define CLI_OPT_MAX_STATE 1005
#define CLI_OPT_MAX_MEMORY 1006
#define CLI_OPT_NO_PROGRESS 1007
#define CLI_LIMIT_LONGOPTS                                   \
    {"max-dim", required_argument, NULL, CLI_OPT_MAX_DIM},   \
    {"max-state", required_argument, NULL, CLI_OPT_MAX_STATE}, \
    {"max-digits", required_argument, NULL, CLI_OPT_MAX_DIGITS}, \
    {"max-bits", required_argument, NULL, CLI_OPT_MAX_BITS}, \
    {"timeout", required_argument, NULL, CLI_OPT_TIMEOUT}, \
    {"max-memory", required_argument, NULL, CLI_OPT_MAX_MEMORY}, \
    {"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS}
#define CLI_LIMIT_HELP \
    "  --max-dim N      largest dimension accepted (default 65536)\n" \
    "  --max-state N    same as --max-dim\n" \
    "  --max-digits N   most digits in one number (default 100000)\n" \
    "  --max-bits N     largest rational size, in bits (default 2^26)\n" \
    "  --timeout SEC    CPU-time limit; exit 6 when hit (default none)\n" \
    "  --max-memory N   memory (address space) limit in GiB, or N M for MiB; exit 6\n" \
    "                   when hit (default 16 GiB, 0 for none)\n" \
    "  --no-progress    no progress line on stderr (shown only on a terminal, once\n" \
    "                   a command has run for 2 seconds)\n"
/* Handle a limit option; returns 1 if opt was one (and *rc set on error). */
/* The default case of a command's option loop: 0 (a limit option was
   applied) or the exit code to return. */
int cli_other_option(ssmh_limits_t *lim, int opt, const char *arg, const char *cmd);
int cli_limits_option(ssmh_limits_t *lim, int opt, const char *arg,
                      const char *cmd, int *rc);
/* Install the CPU-time and memory limits and the signal handling below
   (after option parsing), and the progress line (lim->progress). */
void cli_limits_apply(ssmh_limits_t *lim);

/* Progress of long work (cli/progress.c): one line on stderr, on a terminal
   only, after 2 s, never with --no-progress.  cli_progress_clear() erases
   it and stops it: every command calls it before printing its results. */
void cli_progress_disable(void);
int cli_progress_wanted(void);
void cli_progress_start(ssmh_limits_t *lim);
void cli_progress_clear(void);

/* A decimal of x by MPFR, rounded outward: up for upper bounds, down for
   lower ones (malloc'ed). */
char *cli_decimal(const fmpq_t x, int up);

/* Write a plot (an SVG document from the library, or NULL when it ran out
   of memory) to path atomically and free it; returns an exit code. */
int cli_write_svg(const char *path, char *svg);

/* floor(col) as an int for the text bar charts, clamped to [-1, 1000]; NaN
   gives -1 (no bar): no double out of int range is ever cast. */
int cli_bar_column(double col);

/* Process-wide handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGXCPU: an
   output file being written (between cli_write_begin and cli_write_end;
   cli_write_json does this) is finished first, then the process exits with
   128 + signal (6 for the CPU limit).  cli_signals_forward(fd) sends each
   signal's number to fd instead (batch ends itself); -1 undoes it. */
void cli_signals_install(void);
void cli_signals_forward(int fd);
void cli_write_begin(void);
void cli_write_end(void);

/* Print usage text for a command to stdout (help) and return 0. */
int cli_help(const char *text);

extern const char *cli_progname;

#endif
