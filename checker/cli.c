/*
 * The checker's command line, shared by `ssmheads verify` and the
 * standalone `ssmheads-verify`: one status line (s VERIFIED / s NOT
 * VERIFIED), diagnostics on other lines.  Exit 0 only when verified;
 * 1 rejected; 3 usage; 5 unreadable file.
 */
#include "ssmhc.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "Usage: ssmheads verify CERT [--model MODEL]\n"
    "Re-verify an ssmheads-cert/1 certificate with the independent checker\n"
    "(GMP rationals and jansson only).  Prints `s VERIFIED` and exits 0 when\n"
    "every step checks exactly; otherwise `s NOT VERIFIED`, the failing step,\n"
    "and exit 1.  --model MODEL also requires the embedded model to be exactly\n"
    "the model in MODEL.\n";

int ssmhc_main(int argc, char **argv)
{
    const char *cert = NULL, *model = NULL;
    ssmhc_report_t r;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
            model = argv[++i];
        } else if (strncmp(argv[i], "--model=", 8) == 0) {
            model = argv[i] + 8;
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
    if (ssmhc_verify_file(cert, model, &r) == SSMHC_VERIFIED && r.verdict == SSMHC_VERIFIED) {
        printf("s VERIFIED\n");
        printf("c %s\n", r.step);
        return 0;
    }
    printf("s NOT VERIFIED\n");
    printf("c failing step: %s\n", r.step);
    return 1;
}
