/*
 * The checker's command line, shared by `ssmheads verify` and the
 * standalone `ssmheads-verify`: one status line (s VERIFIED / s NOT
 * VERIFIED), diagnostics on other lines.  Exit 0 only when verified;
 * 1 rejected; 3 usage; 4 the file is not a certificate (a model, ...);
 * 5 unreadable file; 6 a resource limit (the program's limits, SPEC 4).
 */
#include "ssmhc.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "Usage: ssmheads verify CERT [--model MODEL] [limit options]\n"
    "Re-verify an ssmheads-cert/1 certificate with the independent checker\n"
    "(GMP rationals and jansson only).  Prints `s VERIFIED` and exits 0 when\n"
    "every step checks exactly; otherwise `s NOT VERIFIED`, the failing step,\n"
    "and exit 1 (4: the file is not a certificate; 6: a resource limit was\n"
    "hit).  --model MODEL also requires the embedded model to be exactly the\n"
    "model in MODEL.\n"
    "  --max-dim N      largest dimension accepted (default 65536)\n"
    "  --max-state N    same as --max-dim\n"
    "  --max-digits N   most digits in one number (default 100000)\n"
    "  --max-bits N     largest exact number a check forms, in bits (default 2^26)\n"
    "  --timeout SEC    CPU-time limit; exit 6 when hit (default none)\n"
    "  --max-memory N   memory (address space) limit in GiB, or N M for MiB; exit 6\n"
    "                   when hit (default 16 GiB, 0 for none)\n";

/* An integer option value in [lo, hi], or -1 after a usage message. */
static int int_arg(long *out, const char *opt, const char *arg, long lo, long hi)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "ssmheads: verify: %s expects an integer in [%ld, %ld], got '%s'\n", opt,
                lo, hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

/* --opt VALUE or --opt=VALUE: 1 (taken, *val set), 0 (another option). */
static int option(const char *name, int argc, char **argv, int *i, const char **val)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] == '\0' && *i + 1 < argc) {
        *val = argv[++*i];
        return 1;
    }
    return 0;
}

/* The limit options; 1 when argv[*i] was one (rc set on a bad value). */
static int limit_option(ssmhc_limits *lim, int argc, char **argv, int *i, int *rc)
{
    const char *v;
    long x;
    *rc = 0;
    if (option("--max-dim", argc, argv, i, &v) || option("--max-state", argc, argv, i, &v)) {
        if (int_arg(&x, "--max-dim", v, 1, 1L << 30) != 0)
            *rc = 3;
        else
            lim->max_dim = x;
    } else if (option("--max-digits", argc, argv, i, &v)) {
        if (int_arg(&x, "--max-digits", v, 1, 1L << 30) != 0)
            *rc = 3;
        else
            lim->max_digits = x;
    } else if (option("--max-bits", argc, argv, i, &v)) {
        if (int_arg(&x, "--max-bits", v, 0, LONG_MAX) != 0)
            *rc = 3;
        else
            lim->max_bits = x;
    } else if (option("--timeout", argc, argv, i, &v)) {
        if (int_arg(&x, "--timeout", v, 0, 1L << 30) != 0)
            *rc = 3;
        else
            lim->timeout = (double)x;
    } else if (option("--max-memory", argc, argv, i, &v)) {   /* N (GiB), NG or NM */
        char num[32];
        size_t len = strlen(v);
        int mib = len > 0 && (v[len - 1] == 'M' || v[len - 1] == 'm');
        int gib = len > 0 && (v[len - 1] == 'G' || v[len - 1] == 'g');
        snprintf(num, sizeof(num), "%.*s", (int)(len - (size_t)(mib || gib)), v);
        if (int_arg(&x, "--max-memory", num, 0, mib ? 1L << 30 : 1L << 20) != 0)
            *rc = 3;
        else
            lim->max_memory = (size_t)x << (mib ? 20 : 30);
    } else {
        return 0;
    }
    return 1;
}

int ssmhc_main(int argc, char **argv)
{
    const char *cert = NULL, *model = NULL;
    ssmhc_limits lim;
    ssmhc_report_t r;
    ssmhc_verdict_t v;
    int i, rc;

    ssmhc_limits_default(&lim);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
            model = argv[++i];
        } else if (strncmp(argv[i], "--model=", 8) == 0) {
            model = argv[i] + 8;
        } else if (limit_option(&lim, argc, argv, &i, &rc)) {
            if (rc != 0)
                return rc;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "ssmheads: verify: unknown option '%s'\n", argv[i]);
            return 3;
        } else if (cert == NULL) {
            cert = argv[i];
        } else {
            fprintf(stderr, "ssmheads: verify: expected one CERT\n");
            return 3;
        }
    }
    if (cert == NULL) {
        fprintf(stderr, "ssmheads: verify: missing CERT\n%s", usage);
        return 3;
    }
    if (access(cert, R_OK) != 0) {
        fprintf(stderr, "ssmheads: %s: cannot open: %s\n", cert, strerror(errno));
        printf("s NOT VERIFIED\n");
        return 5;
    }
    if (model != NULL && access(model, R_OK) != 0) {
        fprintf(stderr, "ssmheads: %s: cannot open: %s\n", model, strerror(errno));
        printf("s NOT VERIFIED\n");
        return 5;
    }
    ssmhc_limits_install(&lim);
    v = ssmhc_verify_file(cert, model, &r);
    if (v == SSMHC_VERIFIED && r.verdict == SSMHC_VERIFIED) {
        printf("s VERIFIED\n");
        printf("c %s\n", r.step);
        return 0;
    }
    printf("s NOT VERIFIED\n");
    if (v == SSMHC_NOT_CERTIFICATE) {
        fprintf(stderr, "ssmheads: %s: %s\n", cert, r.step);
        return 4;
    }
    if (v == SSMHC_LIMIT) {
        printf("c resource limit: %s\n", r.step);
        fprintf(stderr, "ssmheads: verify: %s: %s\n", cert, r.step);
        return 6;
    }
    printf("c failing step: %s\n", r.step);
    return 1;
}
