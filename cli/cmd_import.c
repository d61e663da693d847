/* ssmheads import -- trained weights to an exact model or attention file. */
#include "cli.h"
#include <string.h>

static const char usage[] =
    "Usage: ssmheads import WEIGHTS --layout LAYOUT [--prefix P] -o OUT\n"
    "Read a directory of .npy files, a .npz or a .safetensors file and write an\n"
    "exact ssmheads-model/1 (or ssmheads-attention/1) file: every float16,\n"
    "bfloat16, float32 or float64 is the dyadic rational it stands for.\n"
    "Layouts (tensor names after the prefix; doc/weights.md):\n"
    "  dense      A (N x N), B (N x d), C (p x N), optional D (p x d)\n"
    "  diag       the same with A a vector of length N (a real diagonal)\n"
    "  attention  W_V (H x d_h x d) and W_O (H x p x d_h), or V (H x p x d)\n"
    "  s4d        log_A_real, A_imag (H x N/2), C (H x N/2 x 2), log_dt (H), D (H)\n"
    "  s5         Lambda_re, Lambda_im (P), B (P x H x 2), C (H x P x 2),\n"
    "             log_step (P), D (H)\n"
    "  lru        nu_log, theta_log, gamma_log (N), B_re, B_im (N x H),\n"
    "             C_re, C_im (H x N), D (H)\n"
    "  mamba2     a frozen slice: A_log, dt_bias, dt, D (nheads), B, C (ngroups x\n"
    "             d_state)\n"
    "  --prefix P            tensor name prefix, e.g. layers.3.mixer.\n"
    "  --discretization D    s4d, s5: zoh (default) or bilinear\n"
    "  --output O            s5: 2re (default, conjugate symmetry: y = 2 Re(C x))\n"
    "                        or re (y = Re(C x))\n"
    "  --headdim P           mamba2: channels per head (default 1)\n"
    "  --precision BITS      s4d, s5, lru, mamba2: round exp/ZOH results to BITS\n"
    "                        (default 53)\n"
    "  -o OUT                output file (written atomically; - for stdout)\n"
    CLI_LIMIT_HELP;

int cli_cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"layout", required_argument, NULL, 'l'},
        {"prefix", required_argument, NULL, 'p'},
        {"discretization", required_argument, NULL, 'z'},
        {"precision", required_argument, NULL, 'b'},
        {"output", required_argument, NULL, 'O'},
        {"headdim", required_argument, NULL, 'H'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_weights_t w;
    ssmh_error_t err;
    const char *layout = NULL, *prefix = "", *out = NULL;
    int opt, rc, bilinear = 0, output_re = 0;
    long bits = 53, headdim = 1;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'l': layout = optarg; break;
        case 'p': prefix = optarg; break;
        case 'o': out = optarg; break;
        case 'z':
            if (strcmp(optarg, "zoh") == 0)
                bilinear = 0;
            else if (strcmp(optarg, "bilinear") == 0)
                bilinear = 1;
            else
                return cli_usage_error("import", "--discretization must be zoh or bilinear");
            break;
        case 'O':
            if (strcmp(optarg, "2re") == 0)
                output_re = 0;
            else if (strcmp(optarg, "re") == 0)
                output_re = 1;
            else
                return cli_usage_error("import", "--output must be 2re or re");
            break;
        case 'H':
            if (cli_parse_long(&headdim, "import", "--headdim", optarg, 1, 1L << 16))
                return CLI_EXIT_USAGE;
            break;
        case 'b':
            if (cli_parse_long(&bits, "import", "--precision", optarg, 2, 4096))
                return CLI_EXIT_USAGE;
            break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "import")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("import", "expected exactly one WEIGHTS path");
    if (layout == NULL || out == NULL)
        return cli_usage_error("import", "--layout and -o are required");
    if (strcmp(layout, "attention") != 0 && !ssmh_import_is_model_layout(layout))
        return cli_usage_error("import", "unknown layout '%s' (dense, diag, attention, s4d, s5, lru, mamba2)",
                               layout);
    cli_limits_apply(&lim);
    ssmh_weights_init(w);
    ssmh_error_clear(&err);
    if (strcmp(layout, "attention") == 0 && ssmh_weights_read(w, argv[optind], &lim, &err) != SSMH_OK) {
        rc = cli_report(&err);
    } else if (strcmp(layout, "attention") == 0) {
        ssmh_attention_t a;
        ssmh_attention_init(a);
        if (ssmh_import_attention(a, w, prefix, argv[optind], &lim, &err) != SSMH_OK) {
            rc = cli_report(&err);
        } else {
            json_t *o = ssmh_attention_to_json(a);
            cli_progress_clear();
            rc = cli_write_json(out, o);
            json_decref(o);
            if (rc == CLI_EXIT_OK && strcmp(out, "-") != 0)
                printf("attention layer with %ld heads (%ld x %ld value maps) written to %s\n",
                       (long)a->H, (long)a->p, (long)a->d, out);
        }
        ssmh_attention_clear(a);
    } else {
        ssmh_model_t m;
        ssmh_import_opts_t io;
        ssmh_import_opts_default(&io);
        io.layout = layout;
        io.prefix = prefix;
        io.bilinear = bilinear;
        io.output_re = output_re;
        io.bits = bits;
        io.headdim = headdim;
        ssmh_model_init(m);
        if (ssmh_import_model_file(m, argv[optind], &io, &lim, &err) != SSMH_OK) {
            rc = cli_report(&err);
        } else {
            json_t *o = ssmh_model_to_json(m);
            cli_progress_clear();
            rc = cli_write_json(out, o);
            json_decref(o);
            if (rc == CLI_EXIT_OK && strcmp(out, "-") != 0)
                printf("model N = %ld, d = %ld, p = %ld (layout %s) written to %s\n", (long)m->N,
                       (long)m->d, (long)m->p, layout, out);
        }
        ssmh_model_clear(m);
    }
    ssmh_weights_clear(w);
    return rc;
}
