/* ssmheads approx -- the certified least head count within eps.  Parses,
   calls the library, prints. */
#include "cli.h"
#include <math.h>
#include <mpfr.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: ssmheads approx MODEL -n N --eps E [--relative] [--curve] [--plot FILE.svg]\n"
    "                       [--method auto|exact|enclosure|modes] [--cert OUT] [--json]\n"
    "The least H such that some H-head factorized attention layer reproduces the\n"
    "SSM on length N within operator error E (Frobenius norm of the whole\n"
    "block-Toeplitz operator; Eckart-Young, SPEC 1.6), with an exact upper witness\n"
    "(a rational basis of H value maps and its exact squared residual) and a\n"
    "proven lower bound on E(H-1)^2.  Exit 2 when eps^2 is too close to a\n"
    "boundary E(H)^2 to separate.\n"
    "  -n N          sequence length (default: the model's \"length\")\n"
    "  --eps E       the error allowed (an exact number > 0)\n"
    "  --relative    E is relative to ||T||_F\n"
    "  --curve       also print enclosures of E(H)^2 for H = 0 .. k\n"
    "  --plot F.svg  the curve E(H)^2 on a log scale, with eps^2 (atomic write)\n"
    "  --method M    exact: exact G and exact residuals (slow on long float\n"
    "                lags); enclosure: fixed-point lags with a certified error\n"
    "                (needs a stable model; looser curve); modes: the same in\n"
    "                the mode space of a wide diag/complex_diag layer;\n"
    "                it certifies H, not the curve; auto (default):\n"
    "                enclosure when the exact lags would be long, else (or if\n"
    "                it cannot decide and the lags stay short) exact\n"
    "  --cert OUT    write an `approx` certificate (doc/approx.md)\n"
    "  --json        print one JSON object\n" CLI_LIMIT_HELP;


/* An exact input printed exactly when short, else as an MPFR decimal. */
static char *exact_or_decimal(const fmpq_t x, int up)
{
    char *s = fmpq_get_str(NULL, 10, x), *out;
    if (strlen(s) <= 40) {
        out = strdup(s);
    } else {
        out = cli_decimal(x, up);
    }
    flint_free(s);
    return out;
}

static void print_text(const ssmh_approx_t a, int curve)
{
    char *e = exact_or_decimal(a->eps, 0), *u = exact_or_decimal(a->error2_upper, 1);
    char *t = exact_or_decimal(a->tau, 0);
    slong h;
    printf("H = %ld head%s reproduce%s the SSM within eps = %s%s on n = %ld (exact k(n) = %ld)\n",
           (long)a->H, a->H == 1 ? "" : "s", a->H == 1 ? "s" : "", e,
           a->relative ? " * ||T||_F" : "", (long)a->n, (long)a->k);
    if (a->method == SSMH_APPROX_ENCLOSURE || a->method == SSMH_APPROX_MODES)
        printf("upper witness: %ld rational value map%s, squared residual <= %s <= %s%s\n"
               "(%s, %ld bits, with a certified error: doc/approx.md)\n",
               (long)a->H, a->H == 1 ? "" : "s", u, t,
               a->relative ? " <= eps^2 ||T||_F^2" : " = eps^2",
               a->method == SSMH_APPROX_MODES ? "fixed-point mode functions" : "rounded lags",
               (long)a->s);
    else
        printf("upper witness: %ld rational value map%s, exact squared residual %s <= eps^2 = %s%s\n",
               (long)a->H, a->H == 1 ? "" : "s", u, t,
               a->exact_upper ? " (an exact eigenspace: = E(H)^2)" : "");
    if (a->H >= 1) {
        char *l = exact_or_decimal(a->error2_lower_prev, 0);
        printf("lower witness: E(%ld)^2 >= %s > eps^2 (proven)\n", (long)(a->H - 1), l);
        free(l);
    }
    if (curve) {
        printf("\n     H   E(H)^2 in                          log10 |\n");
        for (h = 0; h <= a->k; h++) {
            char *lo = cli_decimal(a->curve_lo + h, 0), *hi = cli_decimal(a->curve_hi + h, 1);
            /* E(0)^2 at column 57, 3 columns per decade below it */
            double v = fmpq_get_d(a->curve_hi + h), tv = fmpq_get_d(a->tau);
            double top = fmpq_get_d(a->curve_hi + 0);
            int bar = v > 0 && top > 0 ? cli_bar_column(57.0 + 3.0 * log10(v / top)) : 0;
            int tb = tv > 0 && top > 0 ? cli_bar_column(57.0 + 3.0 * log10(tv / top)) : -1;
            char line[64];
            memset(line, ' ', sizeof(line));
            for (int i = 0; i < bar && i < 60; i++)
                line[i] = '#';
            if (tb >= 0 && tb < 60)
                line[tb] = '|';
            line[60] = '\0';
            printf("%6ld   [%s, %s]%s  %s\n", (long)h, lo, hi, h == a->H ? " <" : "  ", line);
            free(lo);
            free(hi);
        }
        printf("(# bars: E(H)^2 on a log scale, 3 columns per decade; | marks eps^2; < marks H)\n");
    }
    free(e);
    free(u);
    free(t);
}

int cli_cmd_approx(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        {"eps", required_argument, NULL, 'e'},
        {"relative", no_argument, NULL, 'r'},
        {"curve", no_argument, NULL, 'C'},
        {"plot", required_argument, NULL, 'P'},
        {"cert", required_argument, NULL, 'c'},
        {"method", required_argument, NULL, 'M'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_model_t m;
    ssmh_approx_t a;
    ssmh_error_t err;
    fmpq_t eps;
    const char *cert = NULL, *plot = NULL;
    long n = 0;
    int json = 0, relative = 0, curve = 0, have_eps = 0, opt, rc;
    ssmh_approx_method_t method = SSMH_APPROX_AUTO;

    ssmh_limits_default(&lim);
    fmpq_init(eps);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fmpq_clear(eps); return cli_help(usage);
        case 'j': json = 1; break;
        case 'r': relative = 1; break;
        case 'C': curve = 1; break;
        case 'P': plot = optarg; break;
        case 'c': cert = optarg; break;
        case 'M':
            if (strcmp(optarg, "auto") == 0)
                method = SSMH_APPROX_AUTO;
            else if (strcmp(optarg, "exact") == 0)
                method = SSMH_APPROX_EXACT;
            else if (strcmp(optarg, "enclosure") == 0)
                method = SSMH_APPROX_ENCLOSURE;
            else if (strcmp(optarg, "modes") == 0)
                method = SSMH_APPROX_MODES;
            else {
                fmpq_clear(eps);
                return cli_usage_error("approx", "--method must be auto, exact, enclosure or modes");
            }
            break;
        case 'e':
            if ((rc = cli_parse_eps(eps, "approx", optarg)) != 0)
                goto bad_option;
            have_eps = 1;
            break;
        case 'n':
            if ((rc = cli_parse_long(&n, "approx", "-n", optarg, 1, lim.max_length)) != 0)
                goto bad_option;
            break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "approx")) != 0)
                goto bad_option;
            break;
        }
    }
    if (optind + 1 != argc || !have_eps) {
        fmpq_clear(eps);
        return cli_usage_error("approx", optind + 1 != argc ? "expected exactly one MODEL"
                                                           : "--eps E is required");
    }
    cli_limits_apply(&lim);
    ssmh_model_init(m);
    ssmh_approx_init(a);
    ssmh_error_clear(&err);
    if ((rc = cli_load_model(m, argv[optind], &lim)) != CLI_EXIT_OK
        || (cert != NULL && (rc = cli_check_certifiable(m, &lim, argv[optind])) != CLI_EXIT_OK))
        goto done;
    if (n == 0)
        n = m->length;
    if (n == 0) {
        rc = cli_usage_error("approx", "-n N is required (the model has no \"length\")");
        goto done;
    }
    if (ssmh_approx_compute_method(a, m, n, eps, relative, method, curve || plot != NULL, &lim,
                                   &err) != SSMH_OK) {
        if (!err.file[0])
            snprintf(err.file, sizeof(err.file), "%s", argv[optind]);
        rc = cli_report(&err);
        goto done;
    }
    cli_progress_clear();
    rc = CLI_EXIT_OK;
    if (cert != NULL) {
        json_t *c = ssmh_approx_certificate(a, m);
        rc = cli_write_json(cert, c);
        json_decref(c);
    }
    if (rc == CLI_EXIT_OK && plot != NULL)
        rc = cli_write_svg(plot, ssmh_approx_svg(a));
    if (rc == CLI_EXIT_OK && json) {
        json_t *o = ssmh_approx_to_json(a, curve);
        rc = cli_print_json(o);
        json_decref(o);
    } else if (rc == CLI_EXIT_OK) {
        print_text(a, curve);
    }
done:
    ssmh_approx_clear(a);
    ssmh_model_clear(m);
    fmpq_clear(eps);
    return rc;

bad_option:   /* an option could not be read: nothing else is set up yet */
    fmpq_clear(eps);
    return rc;
}
