/* ssmheads represent -- can this attention layer represent this SSM? */
#include "cli.h"
#include <string.h>

static const char usage[] =
    "Usage: ssmheads represent ATTN MODEL -n N [--cert OUT] [--json]\n"
    "Decide exactly whether span{K_l : l < N} lies in span{V_h} of the layer,\n"
    "i.e. whether some choice of coefficients alpha^h_ij makes the layer equal\n"
    "the SSM on length N.  Yes: per-head kernels c_h(l) (and the recurrence\n"
    "that continues them) with sum_h c_h(l) V_h = K_l.  No: the first lag whose\n"
    "K_l leaves the span, a matrix W orthogonal to every V_h with <W, K_l> != 0,\n"
    "and how many more heads the layer would need.  Exit 0 when representable,\n"
    "1 when not.\n"
    "  -n N        sequence length (default: the model's \"length\")\n"
    "  --cert OUT  write a `represent` certificate (checked by ssmheads verify)\n"
    "  --json      print one JSON object\n" CLI_LIMIT_HELP;

int cli_cmd_represent(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        {"cert", required_argument, NULL, 'c'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_attention_t a;
    ssmh_model_t m;
    ssmh_represent_t r;
    ssmh_error_t err;
    long n = 0;
    const char *cert = NULL;
    int json = 0, opt, rc;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'j': json = 1; break;
        case 'c': cert = optarg; break;
        case 'n':
            if (cli_parse_long(&n, "represent", "-n", optarg, 1, lim.max_length))
                return CLI_EXIT_USAGE;
            break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "represent")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 2 != argc)
        return cli_usage_error("represent", "expected ATTN and MODEL");
    cli_limits_apply(&lim);
    ssmh_attention_init(a);
    ssmh_model_init(m);
    ssmh_represent_init(r);
    ssmh_error_clear(&err);
    if (ssmh_attention_read_file(a, argv[optind], &lim, &err) != SSMH_OK) {
        rc = cli_report(&err);
        goto done;
    }
    if ((rc = cli_load_model(m, argv[optind + 1], &lim)) != CLI_EXIT_OK
        || (cert != NULL && (rc = cli_check_certifiable(m, &lim, argv[optind + 1])) != CLI_EXIT_OK))
        goto done;
    if (n == 0)
        n = m->length;
    if (n == 0) {
        rc = cli_usage_error("represent", "-n N is required (the model has no \"length\")");
        goto done;
    }
    if (ssmh_represent_compute(r, a, m, n, &lim, &err) != SSMH_OK) {
        if (!err.file[0])
            snprintf(err.file, sizeof(err.file), "%s",
                     err.code == SSMH_E_SHAPE ? argv[optind] : argv[optind + 1]);
        rc = cli_report(&err);
        goto done;
    }
    cli_progress_clear();
    rc = CLI_EXIT_OK;
    if (cert != NULL) {
        json_t *c = ssmh_represent_certificate(r, a, m);
        rc = cli_write_json(cert, c);
        json_decref(c);
    }
    if (rc == CLI_EXIT_OK && json) {
        json_t *o = ssmh_represent_to_json(r);
        rc = cli_print_json(o);
        json_decref(o);
    } else if (rc == CLI_EXIT_OK) {
        printf("layer: %ld heads, span dimension %ld; SSM on length %ld: k = %ld heads needed\n",
               (long)r->H, (long)r->dim, (long)r->n, (long)r->k);
        if (r->verdict == SSMH_REPRESENT_YES) {
            printf("representable: yes -- span{K_l : l < %ld} lies in span{V_h}; kernels c_h(l) "
                   "tabulated for l < %ld%s\n",
                   (long)r->n, (long)r->L,
                   r->recurrence ? " and continued by the recurrence" : "");
        } else {
            printf("representable: no -- K_%ld is outside span{V_h} (every earlier lag is inside);\n"
                   "witness W (integer p x d) is orthogonal to every V_h with <W, K_%ld> != 0.\n",
                   (long)r->witness_lag, (long)r->witness_lag);
            printf("the layer shares %ld dimensions with span{K_l : l < %ld}: it would need %ld more "
                   "head%s\n",
                   (long)r->inter, (long)r->n, (long)r->extra_heads, r->extra_heads == 1 ? "" : "s");
        }
        if (cert)
            printf("certificate written to %s\n", cert);
    }
    if (rc == CLI_EXIT_OK && r->verdict == SSMH_REPRESENT_NO)
        rc = CLI_EXIT_FALSE;
done:
    ssmh_represent_clear(r);
    ssmh_model_clear(m);
    ssmh_attention_clear(a);
    return rc;
}
