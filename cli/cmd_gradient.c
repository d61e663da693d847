/* ssmheads gradient -- certified gradient attenuation of an SSM, set beside
   the attention highway.  Parses, calls the library, prints. */
#include "cli.h"
#include <math.h>
#include <mpfr.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: ssmheads gradient MODEL [-n N] [--eps E] [--lags L] [--cert OUT]\n"
    "                         [--plot FILE.svg] [--attention ATTN] [--json]\n"
    "Exact stability verdict (stable / marginal / unstable), a certified\n"
    "enclosure of the spectral radius (of A and of the minimal realization), and\n"
    "a proven envelope ||K_l||_2^2 = ||C A^l B||_2^2 <= M2 gamma^(2l).  The table\n"
    "lists the exact ||K_l||_F^2 and an enclosure of ||K_l||_2 per lag.\n"
    "  -n N           sequence length: tabulate lags < N (unless --lags)\n"
    "  --eps E        horizon: the lag from which the envelope keeps ||K_l||_2 <= E;\n"
    "                 also the lag where the SSM falls below E times each highway\n"
    "  --lags L       tabulate lags 0 .. L (default 16)\n"
    "  --cert OUT     write a `gradient` certificate (doc/gradient.md)\n"
    "  --plot F.svg   per-lag norms against the envelope, log scale (atomic write)\n"
    "  --attention A  highway norms ||V_h||_2 of a real attention layer\n"
    "  --json         print one JSON object\n" CLI_LIMIT_HELP;


static void print_dec(const char *label, const fmpq_t x, int up)
{
    char *s = cli_decimal(x, up);
    printf("%s%s", label, s);
    free(s);
}

int cli_cmd_gradient(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        {"eps", required_argument, NULL, 'e'},
        {"lags", required_argument, NULL, 'L'},
        {"cert", required_argument, NULL, 'c'},
        {"plot", required_argument, NULL, 'p'},
        {"attention", required_argument, NULL, 'a'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_model_t m;
    ssmh_attention_t att;
    ssmh_gradient_t g;
    ssmh_error_t err;
    fmpq_t eps;
    ssmh_highways_t hws;   /* highway lower bounds ||V_h||_2 >= hws->lo[h] */
    slong h, l;
    long n = 0, lags = -1;
    const char *cert = NULL, *plot = NULL, *attn = NULL;
    int json = 0, have_eps = 0, opt, rc, cert_rc = CLI_EXIT_OK;

    ssmh_limits_default(&lim);
    fmpq_init(eps);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fmpq_clear(eps); return cli_help(usage);
        case 'j': json = 1; break;
        case 'c': cert = optarg; break;
        case 'p': plot = optarg; break;
        case 'a': attn = optarg; break;
        case 'e':
            if ((rc = cli_parse_eps(eps, "gradient", optarg)) != 0)
                goto bad_option;
            have_eps = 1;
            break;
        case 'L':
            if ((rc = cli_parse_long(&lags, "gradient", "--lags", optarg, 0, 100000)) != 0)
                goto bad_option;
            break;
        case 'n':
            if ((rc = cli_parse_long(&n, "gradient", "-n", optarg, 1, lim.max_length)) != 0)
                goto bad_option;
            break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "gradient")) != 0)
                goto bad_option;
            break;
        }
    }
    if (optind + 1 != argc) {
        fmpq_clear(eps);
        return cli_usage_error("gradient", "expected exactly one MODEL");
    }
    cli_limits_apply(&lim);
    ssmh_model_init(m);
    ssmh_attention_init(att);
    ssmh_gradient_init(g);
    ssmh_highways_init(hws);
    ssmh_error_clear(&err);
    if ((rc = cli_load_model(m, argv[optind], &lim)) != CLI_EXIT_OK
        || (cert != NULL && (rc = cli_check_certifiable(m, &lim, argv[optind])) != CLI_EXIT_OK))
        goto done;
    if (n == 0)
        n = m->length;
    if (lags < 0)
        lags = n > 0 ? FLINT_MIN(n - 1, 16) : 16;
    if (attn != NULL) {
        if (ssmh_attention_read_file(att, attn, &lim, &err) != SSMH_OK) {
            rc = cli_report(&err);
            goto done;
        }
        if (ssmh_highways_check(att, m, attn, &err) != SSMH_OK) {
            rc = cli_report(&err);
            goto done;
        }
    }
    if (ssmh_gradient_compute(g, m, lags, have_eps ? eps : NULL, &lim, &err) != SSMH_OK) {
        if (!err.file[0])
            snprintf(err.file, sizeof(err.file), "%s", argv[optind]);
        rc = cli_report(&err);
        goto done;
    }
    cli_progress_clear();
    /* highways: ||V_h||_2 of the given layer, or ||K_0||_2 (the lag-0 map a
       head with alpha = 1 would pass) */
    ssmh_highways_compute(hws, g, attn ? att : NULL);
    rc = CLI_EXIT_OK;
    if (cert != NULL) {
        json_t *c = ssmh_gradient_certificate(g, m);
        if (c == NULL) {
            /* the exact verdict and enclosures are still printed below */
            fprintf(stderr, "ssmheads: %s: no certificate written: %s\n", argv[optind], g->why_envelope);
            cert_rc = CLI_EXIT_UNDECIDED;
            cert = NULL;
        } else {
            rc = cli_write_json(cert, c);
            json_decref(c);
            if (rc == CLI_EXIT_OK && g->why_verdict[0])
                fprintf(stderr, "ssmheads: %s: the certificate proves the envelope but not the %s verdict: %s\n",
                        argv[optind], ssmh_stability_name(g->spec->verdict), g->why_verdict);
        }
    }
    if (rc == CLI_EXIT_OK && plot != NULL)
        rc = cli_write_svg(plot, ssmh_gradient_svg(g, hws));
    if (rc == CLI_EXIT_OK && json) {
        json_t *o = ssmh_gradient_to_json(g);
        json_object_set_new(o, "highways", ssmh_highways_to_json(hws, g, m, have_eps ? eps : NULL));
        rc = cli_print_json(o);
        json_decref(o);
    } else if (rc == CLI_EXIT_OK) {
        printf("stability: %s (exact)", ssmh_stability_name(g->spec->verdict));
        print_dec(";  spectral radius in [", g->spec->rho_lo, 0);
        print_dec(", ", g->spec->rho_hi, 1);
        printf("]\n");
        printf("minimal realization (%ld states): %s", (long)g->mcmillan_degree,
               ssmh_stability_name(g->spec_min->verdict));
        print_dec(", spectral radius in [", g->spec_min->rho_lo, 0);
        print_dec(", ", g->spec_min->rho_hi, 1);
        printf("]\n");
        if (g->have_env) {
            print_dec("envelope (proven): ||C A^l B||_2^2 <= M2 gamma^(2l) with gamma = ", g->env->gamma, 1);
            print_dec(", M2 = ", g->env->M2, 1);
            printf("\n");
        } else {
            printf("envelope: %s\n", g->why_envelope[0] ? g->why_envelope : "none could be proven");
        }
        if (g->why_verdict[0] && g->have_env)
            printf("not certified: the %s verdict (%s)\n", ssmh_stability_name(g->spec->verdict),
                   g->why_verdict);
        if (have_eps) {
            char *e = cli_decimal(eps, 0);
            if (g->horizon >= 0)
                printf("horizon: ||K_l||_2 <= %s for every lag l >= %ld\n", e, (long)g->horizon);
            else
                printf("horizon: none (%s; eps = %s)\n", g->horizon_none ? g->horizon_none : "none", e);
            free(e);
        }
        printf("\n   lag   ||K_l||_F^2 (exact)   ||K_l||_2 in             envelope  log10 |");
        printf("\n");
        for (l = 0; l <= g->lags; l++) {
            char *f = cli_decimal(g->norms_f2 + l, 1), *a = cli_decimal(g->norm2_lo + l, 0), *b = cli_decimal(g->norm2_hi + l, 1);
            double nv = fmpq_get_d(g->norm2_hi + l), ev = ssmh_gradient_envelope_d(g, l);
            int bar = nv > 0 ? cli_bar_column(30.0 + 3.0 * log10(nv)) : 0, ebar;
            char line[64];
            ebar = isfinite(ev) && ev > 0 ? cli_bar_column(30.0 + 3.0 * log10(ev)) : -1;
            memset(line, ' ', sizeof(line));
            for (int i = 0; i < bar && i < 60; i++)
                line[i] = '#';
            if (ebar >= 0 && ebar < 60)
                line[ebar] = '|';
            line[60] = '\0';
            printf("%6ld   %-20s  [%s, %s]  %9.2e  %s\n", (long)l, f, a, b, ev, line);
            free(f);
            free(a);
            free(b);
        }
        printf("(# bars: ||K_l||_2 on a log scale, 3 columns per decade; | marks the envelope)\n");
        printf("\nattention highway: a head with alpha_ij = 1 passes ||V_h|| at every distance; the\n"
               "k-head emulation of this SSM inherits K_l, hence the envelope above.\n");
        for (h = 0; h < hws->n; h++) {
            char *v = cli_decimal(hws->lo + h, 0);
            if (attn)
                printf("head %ld: ||V_h||_2 >= %s", (long)h, v);
            else
                printf("K_0 as a highway: ||K_0||_2 >= %s", v);
            if (have_eps && fmpq_sgn(hws->lo + h) > 0) {
                fmpq_t t;
                slong d;
                const char *why = NULL;
                fmpq_init(t);
                fmpq_mul(t, eps, hws->lo + h);
                d = ssmh_gradient_horizon(g, m, t, &why);
                if (d >= 0)
                    printf("; the SSM's gradient is below eps times it from lag %ld on", (long)d);
                else
                    printf("; the SSM's envelope never falls below eps times it (%s)", why);
                fmpq_clear(t);
            }
            printf("\n");
            free(v);
        }
        if (cert)
            printf("certificate written to %s\n", cert);
        if (plot)
            printf("plot written to %s\n", plot);
    }
    if (rc == CLI_EXIT_OK)
        rc = cert_rc;
done:
    ssmh_highways_clear(hws);
    ssmh_gradient_clear(g);
    ssmh_attention_clear(att);
    ssmh_model_clear(m);
    fmpq_clear(eps);
    return rc;

bad_option:   /* an option could not be read: nothing else is set up yet */
    fmpq_clear(eps);
    return rc;
}
