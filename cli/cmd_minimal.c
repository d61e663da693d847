/* ssmheads minimal -- exact reachable/observable ranks, McMillan degree and
   a minimal realization. */
#include "cli.h"
#include <string.h>

static const char usage[] =
    "Usage: ssmheads minimal MODEL [-o OUT] [--json]\n"
    "Exact reachable rank, observable rank and McMillan degree (the rank of the\n"
    "block Hankel matrix of the Markov parameters), and an exact minimal\n"
    "realization (Kalman decomposition) with the same convention and D that\n"
    "reproduces every lag operator K_l.  The tolerance-free ctrb/obsv/minreal.\n"
    "  -o OUT     write the minimal realization as an ssmheads-model/1 file\n"
    "  --json     print one JSON object (reachable_rank, observable_rank,\n"
    "             mcmillan_degree, A, B, C, D)\n" CLI_LIMIT_HELP;

int cli_cmd_minimal(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_model_t m;
    ssmh_minimal_t r;
    ssmh_error_t err;
    const char *out = NULL;
    int json = 0, opt, rc;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'j': json = 1; break;
        case 'o': out = optarg; break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "minimal")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("minimal", "expected exactly one MODEL");
    cli_limits_apply(&lim);
    ssmh_model_init(m);
    if ((rc = cli_load_model(m, argv[optind], &lim)) != CLI_EXIT_OK) {
        ssmh_model_clear(m);
        return rc;
    }
    ssmh_minimal_init(r);
    ssmh_error_clear(&err);
    if (ssmh_minimal_compute(r, m, &lim, &err) != SSMH_OK) {
        if (!err.file[0])
            snprintf(err.file, sizeof(err.file), "%s", argv[optind]);
        rc = cli_report(&err);
    } else {
        cli_progress_clear();
        rc = CLI_EXIT_OK;
        if (out != NULL) {
            if (r->mcmillan_degree == 0) {
                fprintf(stderr, "ssmheads: minimal: the minimal realization has no state "
                                "(every Markov parameter C A^l B is 0); not written to %s\n", out);
                rc = CLI_EXIT_INPUT;
            } else {
                json_t *mo = ssmh_model_to_json(r->minimal);
                rc = cli_write_json(out, mo);
                json_decref(mo);
            }
        }
        if (rc == CLI_EXIT_OK && json) {
            json_t *o = ssmh_minimal_to_json(r);
            rc = cli_print_json(o);
            json_decref(o);
        } else if (rc == CLI_EXIT_OK) {
            printf("state dimension %ld: reachable rank %ld, observable rank %ld\n",
                   (long)r->N, (long)r->reachable_rank, (long)r->observable_rank);
            printf("McMillan degree %ld: a minimal realization has %ld states%s\n",
                   (long)r->mcmillan_degree, (long)r->mcmillan_degree,
                   r->mcmillan_degree == r->N ? " (the model is already minimal)" : "");
            if (out)
                printf("minimal realization written to %s\n", out);
        }
    }
    ssmh_minimal_clear(r);
    ssmh_model_clear(m);
    return rc;
}
