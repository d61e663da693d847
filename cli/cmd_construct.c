/* ssmheads construct -- the k-head attention representation of an SSM. */
#include "cli.h"
#include <string.h>

static const char usage[] =
    "Usage: ssmheads construct MODEL -n N [-o OUT] [--json]\n"
    "Build k = k(N) heads: value maps V_h (the lag operators at the pivot lags)\n"
    "and relative-position kernels c_h(l) with sum_h c_h(l) V_h = K_l for all\n"
    "l < N, checked exactly.  Kernels are tabulated for l < L and continued by\n"
    "the monic recurrence q (lowest degree first) when N > L:\n"
    "c(l) = -sum_{i<m} q_i c(l-m+i) for l >= L.\n"
    "  -n N       sequence length (default: the model's \"length\")\n"
    "  -o OUT     write the construction as JSON to OUT (atomically)\n"
    "  --json     print the construction as one JSON object\n" CLI_LIMIT_HELP;

int cli_cmd_construct(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_model_t m;
    ssmh_construction_t c;
    ssmh_error_t err;
    long n = 0;
    const char *out = NULL;
    int json = 0, opt, rc;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "n:o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'j': json = 1; break;
        case 'n':
            if (cli_parse_long(&n, "construct", "-n", optarg, 1, lim.max_length))
                return CLI_EXIT_USAGE;
            break;
        case 'o': out = optarg; break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "construct")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("construct", "expected exactly one MODEL");
    cli_limits_apply(&lim);
    ssmh_model_init(m);
    if ((rc = cli_load_model(m, argv[optind], &lim)) != CLI_EXIT_OK) {
        ssmh_model_clear(m);
        return rc;
    }
    if (n == 0)
        n = m->length;
    if (n == 0) {
        ssmh_model_clear(m);
        return cli_usage_error("construct", "-n N is required (the model has no \"length\")");
    }
    ssmh_construction_init(c);
    ssmh_error_clear(&err);
    if (ssmh_construct(c, m, n, &lim, &err) != SSMH_OK) {
        if (!err.file[0])
            snprintf(err.file, sizeof(err.file), "%s", argv[optind]);
        rc = cli_report(&err);
    } else {
        json_t *o = ssmh_construction_to_json(c);
        cli_progress_clear();
        rc = CLI_EXIT_OK;
        if (out != NULL)
            rc = cli_write_json(out, o);
        if (rc == CLI_EXIT_OK && json)
            rc = cli_print_json(o);
        else if (rc == CLI_EXIT_OK) {
            slong h, l;
            printf("%ld heads represent the SSM exactly on length %ld (checked for every lag).\n",
                   (long)c->k, (long)c->n);
            for (h = 0; h < c->k; h++) {
                printf("head %ld: V = K at a pivot lag; kernel c(0..%ld) =", (long)h,
                       (long)(c->L > 8 ? 7 : c->L - 1));
                for (l = 0; l < c->L && l < 8; l++) {
                    char *s = ssmh_rational_get_str(c->kernels + h * c->L + l);
                    printf(" %s", s);
                    flint_free(s);
                }
                printf("%s\n", c->L > 8 ? " ..." : "");
            }
            if (c->recurrence)
                printf("kernels continue by a monic recurrence of degree %ld past lag %ld\n",
                       (long)c->m, (long)(c->L - 1));
            if (out)
                printf("written to %s\n", out);
        }
        json_decref(o);
    }
    ssmh_construction_clear(c);
    ssmh_model_clear(m);
    return rc;
}
