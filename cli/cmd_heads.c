/* ssmheads heads -- the exact head count k(n), k_inf and n* of an SSM. */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: ssmheads heads MODEL [-n N] [--budget H] [--cert OUT] [--json]\n"
    "                      [--profile | --no-profile]\n"
    "The interaction rank k(n) = dim span{K_0..K_{n-1}}: the least number of\n"
    "attention heads that represent the SSM on length-n sequences, with k_inf,\n"
    "the saturation length n* and the profile k(1..n*).\n"
    "  -n N          sequence length (default: the model's \"length\", else k_inf)\n"
    "  --budget H    decide whether H heads suffice (exit 1 when they do not)\n"
    "  --cert OUT    write a certificate for `ssmheads verify`\n"
    "  --json        one JSON object on stdout\n"
    "  --profile     always compute n* and the profile (the lag witness)\n"
    "  --no-profile  k_inf only, from independent modes where the model is\n"
    "                diagonal (the default for layers whose lag witness would\n"
    "                cost far more; see doc/cert-heads.md)\n" CLI_LIMIT_HELP;

static void print_human(const ssmh_heads_t h, const ssmh_model_t m, const char *path,
                        slong budget)
{
    slong j, shown = 0;
    printf("model: %s (%s, N = %ld, d = %ld, p = %ld%s)\n", m->name ? m->name : path,
           ssmh_convention_name(m->convention), (long)m->N, (long)m->d, (long)m->p,
           m->structure == SSMH_STRUCTURE_DIAG ? ", diagonal A"
           : m->structure == SSMH_STRUCTURE_COMPLEX_DIAG ? ", complex-diagonal A" : "");
    if (h->n > 0)
        printf("k(%ld) = %ld heads\n", (long)h->n, (long)h->k);
    if (h->lower_modes) {
        printf("k_inf = %ld, reached at some n* with %ld <= n* <= %ld\n", (long)h->k_inf,
               (long)FLINT_MAX(h->r, 1), (long)FLINT_MAX(h->first_covered, 1));
        printf("(n* and the profile not computed: k_inf comes from %ld independent modes;\n"
               " --profile computes them from the lags)\n", (long)h->r);
    } else {
        printf("k_inf = %ld, reached at n* = %ld\n", (long)h->k_inf, (long)h->n_star);
        printf("profile k(1..%ld):", (long)h->n_star);
        for (j = 1; j <= h->n_star && j <= 32; j++)
            printf(" %ld", (long)ssmh_heads_k_at(h, j));
        if (h->n_star > 32)
            printf(" ...");
        printf("\n");
    }
    if (h->k <= 1)
        printf("Interaction Rank Gap: none -- a single head represents this SSM%s.\n",
               h->k == 0 ? " (it is identically zero)" : "");
    else {
        printf("Interaction Rank Gap: %ld -- a single head cannot represent this SSM;\n"
               "%ld heads are necessary and sufficient. Independent %s:",
               (long)(h->k - 1), (long)h->k, h->lower_modes ? "modes" : "lags");
        for (j = 0; j < h->r && shown < 16 && h->lower_modes; j++, shown++)
            printf(" %s_%ld", h->mode_part[j] ? "Y" : "X", (long)h->mode_index[j]);
        for (j = 0; j < h->r && shown < 16 && !h->lower_modes; j++)
            if (h->n == 0 || h->pivot_lags[j] < h->n) {
                printf(" K_%ld", (long)h->pivot_lags[j]);
                shown++;
            }
        if (h->k > 16)
            printf(" ...");
        printf("\n");
    }
    if (budget >= 0)
        printf("budget %ld heads: %s\n", (long)budget,
               h->k <= budget ? "representable" : "NOT representable");
    printf("(exact: lower bound from a minor %s nonzero mod the prime %lu, upper bound from %s)\n",
           h->lower_modes ? "of mode rows" : "of lag entries", (unsigned long)h->prime,
           h->lower_modes ? "the structural support or the annihilator's degree"
           : h->ann == SSMH_ANNIHILATOR_B ? "an annihilating polynomial and exact dependencies"
                                          : "Cayley-Hamilton and exact dependencies");
}

int cli_cmd_heads(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        {"budget", required_argument, NULL, 'b'},
        {"cert", required_argument, NULL, 'c'},
        {"profile", no_argument, NULL, 'P'},
        {"no-profile", no_argument, NULL, 'K'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_model_t m;
    ssmh_heads_t h;
    ssmh_error_t err;
    long n = 0, budget = -1;
    const char *cert = NULL;
    int json = 0, opt, rc, how = SSMH_HEADS_AUTO;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'j': json = 1; break;
        case 'n':
            if (cli_parse_long(&n, "heads", "-n", optarg, 1, lim.max_length))
                return CLI_EXIT_USAGE;
            break;
        case 'b':
            if (cli_parse_long(&budget, "heads", "--budget", optarg, 0, 1L << 40))
                return CLI_EXIT_USAGE;
            break;
        case 'c': cert = optarg; break;
        case 'P':
        case 'K':
            if (how != SSMH_HEADS_AUTO && how != (opt == 'P' ? SSMH_HEADS_PROFILE : SSMH_HEADS_KINF_ONLY))
                return cli_usage_error("heads", "--profile and --no-profile exclude each other");
            how = opt == 'P' ? SSMH_HEADS_PROFILE : SSMH_HEADS_KINF_ONLY;
            break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "heads")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("heads", "expected exactly one MODEL");
    cli_limits_apply(&lim);
    ssmh_model_init(m);
    if ((rc = cli_load_model(m, argv[optind], &lim)) != CLI_EXIT_OK
        || (cert != NULL && (rc = cli_check_certifiable(m, &lim, argv[optind])) != CLI_EXIT_OK)) {
        ssmh_model_clear(m);
        return rc;
    }
    if (n == 0 && m->length > 0)
        n = m->length;
    ssmh_heads_init(h);
    ssmh_error_clear(&err);
    if (ssmh_heads_compute_opts(h, m, n, how, &lim, &err) != SSMH_OK) {
        if (!err.file[0])
            snprintf(err.file, sizeof(err.file), "%s", argv[optind]);
        rc = cli_report(&err);
    } else {
        cli_progress_clear();
        rc = CLI_EXIT_OK;
        if (cert != NULL) {
            json_t *c = ssmh_heads_certificate(h, m);
            rc = cli_write_json(cert, c);
            json_decref(c);
        }
        if (rc == CLI_EXIT_OK) {
            if (json) {
                json_t *o = ssmh_heads_to_json(h, budget);
                rc = cli_print_json(o);
                json_decref(o);
            } else {
                print_human(h, m, argv[optind], budget);
            }
        }
        if (rc == CLI_EXIT_OK && budget >= 0 && h->k > budget)
            rc = CLI_EXIT_FALSE;
    }
    ssmh_heads_clear(h);
    ssmh_model_clear(m);
    return rc;
}
