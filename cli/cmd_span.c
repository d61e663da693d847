/* ssmheads span -- the exact operator span of an attention layer. */
#include "cli.h"
#include <string.h>

static const char usage[] =
    "Usage: ssmheads span ATTN [--json]\n"
    "Exact dimension of span{V_h} of an ssmheads-attention/1 layer: how many of\n"
    "its heads really differ.  Basis heads are the first heads independent of\n"
    "the earlier ones; each redundant head is given as an exact combination of\n"
    "them; the rank of each V_h is its effective head dimension.\n"
    "  --json     print one JSON object (heads, dim, basis_heads, redundant_heads,\n"
    "             redundant_as, head_ranks)\n" CLI_LIMIT_HELP;

int cli_cmd_span(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_attention_t a;
    ssmh_span_t s;
    ssmh_error_t err;
    int json = 0, opt, rc;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'j': json = 1; break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "span")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("span", "expected exactly one ATTN file");
    cli_limits_apply(&lim);
    ssmh_attention_init(a);
    ssmh_error_clear(&err);
    if (ssmh_attention_read_file(a, argv[optind], &lim, &err) != SSMH_OK) {
        ssmh_attention_clear(a);
        return cli_report(&err);
    }
    ssmh_span_init(s);
    if (ssmh_span_compute(s, a, &err) != SSMH_OK) {
        rc = cli_report(&err);
    } else if (json) {
        json_t *o = ssmh_span_to_json(s);
        rc = cli_print_json(o);
        json_decref(o);
    } else {
        slong i, j;
        printf("%ld heads, value maps %ld x %ld: span{V_h} has dimension %ld "
               "(%ld heads really differ)\n",
               (long)a->H, (long)a->p, (long)a->d, (long)s->dim, (long)s->dim);
        printf("basis heads:");
        for (i = 0; i < s->dim; i++)
            printf(" %ld", (long)s->basis[i]);
        printf("%s\n", s->dim ? "" : " (none: every V_h is zero)");
        for (i = 0; i < s->nred; i++) {
            int first = 1;
            printf("head %ld is redundant: V_%ld =", (long)s->redundant[i], (long)s->redundant[i]);
            for (j = 0; j < s->dim; j++) {
                char *c;
                if (fmpq_is_zero(s->combo + i * s->dim + j))
                    continue;
                c = ssmh_rational_get_str(s->combo + i * s->dim + j);
                printf("%s (%s) V_%ld", first ? "" : " +", c, (long)s->basis[j]);
                flint_free(c);
                first = 0;
            }
            printf("%s\n", first ? " 0" : "");
        }
        printf("rank of each V_h:");
        for (i = 0; i < a->H; i++)
            printf(" %ld", (long)s->rank[i]);
        printf("\n");
        rc = CLI_EXIT_OK;
    }
    ssmh_span_clear(s);
    ssmh_attention_clear(a);
    return rc;
}
