/* ssmheads import -- trained weights to exact model or attention files. */
#include "cli.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "Usage: ssmheads import CKPT --layout LAYOUT [--prefix P] [layout options] -o OUT\n"
    "       ssmheads import CKPT --layout LAYOUT --all [layout options] -o DIR\n"
    "Read a checkpoint (a directory of .npy files, a .npz or a .safetensors file:\n"
    "a reference implementation's state_dict, unchanged) and write an exact\n"
    "ssmheads-model/1 (or ssmheads-attention/1) file.  Every float16, bfloat16,\n"
    "float32, float64 or complex number is the dyadic rational it stands for; only\n"
    "the tensors the layout reads are decoded.  'ssmheads inspect CKPT' lists the\n"
    "modules a checkpoint holds with the import command for each.\n"
    "Layouts (doc/weights.md has the tensors, shapes and formulas of each):\n"
    "  s4d        state-spaces/s4: s4d.py S4D (kernel.log_A_real, kernel.A_imag,\n"
    "             kernel.C, kernel.log_dt, D) or s4.py FFTConv/S4Block with\n"
    "             SSMKernelDiag (kernel.A_real, A_imag, B, C, inv_dt, D), detected\n"
    "             from the names\n"
    "  s5         lindermanlab/S5 S5SSM: Lambda_re, Lambda_im, B, C, log_step, D\n"
    "  lru        minimal-LRU (nu_log, theta_log, gamma_log, B_re, B_im, C_re,\n"
    "             C_im, D) or LRU-pytorch (complex B and C, full D)\n"
    "  mamba2     mamba_ssm Mamba2 with a frozen slice: A_log, dt_bias, D and one\n"
    "             token's B, C (ngroups x d_state) and dt (nheads)\n"
    "  dense      A (N x N), B (N x d), C (p x N), optional D (p x d)\n"
    "  diag       the same with A a vector of length N (a real diagonal)\n"
    "  attention  W_V (H x d_h x d) and W_O (H x p x d_h), or V (H x p x d)\n"
    "  --prefix P            the SSM module's path, e.g. layers.3. (a missing\n"
    "                        trailing dot is added; none for a bare module)\n"
    "  --all                 every module of LAYOUT in CKPT: DIR/<prefix>.json each,\n"
    "                        and DIR/manifest.txt for 'ssmheads batch'\n"
    "Options that only the module's constructor knows (defaults: the reference's):\n"
    "  --discretization D    s4d (s4.py, flat), s5: zoh (default) or bilinear\n"
    "  --dt-transform T      s4.py: none, exp (default), relu, sigmoid, softplus\n"
    "  --real-transform T    s4.py: exp (default); --imag-transform T: none (default)\n"
    "  --dt-fast[=BOOL]      s4.py: inv_dt under sinh (default false)\n"
    "  --bandlimit X         s4.py: mask modes with dt |A_imag|/(2 pi) >= X/2\n"
    "  --swap-channels[=BOOL] s4.py FFTConv: outputs ordered (h c) (default false)\n"
    "  --conj-sym[=BOOL]     s5: y = 2 Re(C x) (true, default) or Re(C x) (false);\n"
    "                        --output 2re|re says the same\n"
    "  --clip-eigs[=BOOL]    s5: Lambda_re clipped to at most -1e-4 (default false)\n"
    "  --step-rescale X      s5: step = X exp(log_step) (default 1)\n"
    "  --ngroups G           mamba2: when B and C are flat and G is not fixed\n"
    "  --headdim P           mamba2: when no tensor fixes nheads x headdim\n"
    "  --dt-limit LO,HI      mamba2: clamp softplus(dt + dt_bias) (default 0,inf)\n"
    "  --precision BITS      round exp/ZOH results to BITS (default 53, binary64)\n"
    "  -o OUT                output file (written atomically; - for stdout)\n"
    CLI_LIMIT_HELP;

enum { OPT_ALL = 2000, OPT_LAYOUT_OPTION };

static void print_notes(const char *file, const char *prefix, const json_t *notes)
{
    size_t i;
    for (i = 0; notes && i < json_array_size(notes); i++)
        fprintf(stderr, "%s: %s: %s%s%snote: %s\n", cli_progname, file, prefix && *prefix ? "'" : "",
                prefix ? prefix : "", prefix && *prefix ? "': " : "",
                json_string_value(json_array_get(notes, i)));
}

/* DIR/<prefix without its dot, made safe for a file name>.json */
static void model_name(char *out, size_t size, const char *prefix)
{
    size_t n = strlen(prefix), i, k = 0;
    while (n > 0 && (prefix[n - 1] == '.' || prefix[n - 1] == '/'))
        n--;
    for (i = 0; i < n && k + 1 < size; i++) {
        char c = prefix[i];
        out[k++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                           || c == '_' || c == '-'
                       ? c
                       : '_';
    }
    out[k] = '\0';
    if (k == 0)
        snprintf(out, size, "model");
}

static int import_all(const char *file, const char *dir, ssmh_import_opts_t *io, const ssmh_limits_t *lim)
{
    ssmh_weights_t w;
    ssmh_error_t err;
    json_t *mods, *models = json_array(), *lines = json_array();
    size_t i, j, count = 0;
    struct stat st;
    int rc = CLI_EXIT_OK;
    char *manifest = NULL;
    size_t mlen = 0;

    ssmh_error_clear(&err);
    ssmh_weights_init(w);
    if (ssmh_weights_open(w, file, lim, &err) != SSMH_OK) {
        json_decref(models);
        json_decref(lines);
        return cli_report(&err);
    }
    mods = ssmh_weights_recognize(w);
    for (i = 0; i < json_array_size(mods) && rc == CLI_EXIT_OK; i++) {
        json_t *mo = json_array_get(mods, i), *notes = NULL, *line;
        const char *prefix = json_string_value(json_object_get(mo, "prefix"));
        char name[300];
        ssmh_model_t m;
        if (strcmp(json_string_value(json_object_get(mo, "layout")), io->layout) != 0)
            continue;
        io->prefix = prefix;
        ssmh_model_init(m);
        if (ssmh_import_weights(m, &notes, w, io, file, lim, &err) != SSMH_OK) {
            fprintf(stderr, "%s: %s: module '%s' (one of --all):\n", cli_progname, file, prefix);
            rc = cli_report(&err);
        } else {
            print_notes(file, prefix, notes);
            model_name(name, sizeof(name), prefix);
            for (j = 0; j < json_array_size(models); j++)
                if (strcmp(json_string_value(json_array_get(json_array_get(models, j), 0)), name) == 0)
                    break;
            if (j < json_array_size(models)) {
                fprintf(stderr, "%s: %s: the modules '%s' and another one get the same file name %s.json\n",
                        cli_progname, file, prefix, name);
                rc = CLI_EXIT_INPUT;
            } else {
                json_array_append_new(models, json_pack("[s,o]", name, ssmh_model_to_json(m)));
                line = json_pack("{s:s+++,s:s}", "model", dir, "/", name, ".json", "id", *prefix ? prefix : "model");
                json_array_append_new(lines, line);
                count++;
            }
        }
        json_decref(notes);
        ssmh_model_clear(m);
    }
    json_decref(mods);
    ssmh_weights_clear(w);
    if (rc == CLI_EXIT_OK && count == 0) {
        fprintf(stderr, "%s: %s: no module of layout %s (ssmheads inspect %s lists what it holds)\n",
                cli_progname, file, io->layout, file);
        rc = CLI_EXIT_INPUT;
    }
    if (rc == CLI_EXIT_OK) {
        if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0) {
            fprintf(stderr, "%s: %s: cannot create the directory: %s\n", cli_progname, dir, strerror(errno));
            rc = CLI_EXIT_IO;
        } else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "%s: %s: not a directory (--all writes a directory)\n", cli_progname, dir);
            rc = CLI_EXIT_IO;
        }
    }
    for (i = 0; rc == CLI_EXIT_OK && i < json_array_size(models); i++) {
        json_t *e = json_array_get(models, i);
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.json", dir, json_string_value(json_array_get(e, 0)));
        rc = cli_write_json(path, json_array_get(e, 1));
    }
    if (rc == CLI_EXIT_OK) {
        char path[4096];
        ssmh_error_clear(&err);
        for (i = 0; i < json_array_size(lines); i++) {
            char *s = json_dumps(json_array_get(lines, i), JSON_COMPACT);
            size_t l = strlen(s);
            manifest = realloc(manifest, mlen + l + 2);
            memcpy(manifest + mlen, s, l);
            mlen += l;
            manifest[mlen++] = '\n';
            free(s);
        }
        snprintf(path, sizeof(path), "%s/manifest.txt", dir);
        cli_write_begin();
        if (ssmh_file_write_atomic(path, manifest ? manifest : "", mlen, &err) != SSMH_OK)
            rc = cli_report(&err);
        cli_write_end();
        if (rc == CLI_EXIT_OK)
            printf("%zu models (layout %s) written to %s, listed in %s\n", count, io->layout, dir, path);
    }
    free(manifest);
    json_decref(models);
    json_decref(lines);
    return rc;
}

int cli_cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"layout", required_argument, NULL, 'l'},
        {"prefix", required_argument, NULL, 'p'},
        {"all", no_argument, NULL, OPT_ALL},
        {"discretization", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"precision", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"output", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"conj-sym", optional_argument, NULL, OPT_LAYOUT_OPTION},
        {"headdim", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"ngroups", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"dt-transform", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"real-transform", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"imag-transform", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"dt-fast", optional_argument, NULL, OPT_LAYOUT_OPTION},
        {"swap-channels", optional_argument, NULL, OPT_LAYOUT_OPTION},
        {"bandlimit", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"clip-eigs", optional_argument, NULL, OPT_LAYOUT_OPTION},
        {"step-rescale", required_argument, NULL, OPT_LAYOUT_OPTION},
        {"dt-limit", required_argument, NULL, OPT_LAYOUT_OPTION},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_error_t err;
    ssmh_import_opts_t io;
    const char *layout = NULL, *prefix = "", *out = NULL;
    int opt, idx, rc, all = 0;

    ssmh_limits_default(&lim);
    ssmh_import_opts_default(&io);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, &idx)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'l': layout = optarg; break;
        case 'p': prefix = optarg; break;
        case 'o': out = optarg; break;
        case OPT_ALL: all = 1; break;
        case OPT_LAYOUT_OPTION:
            ssmh_error_clear(&err);
            if (ssmh_import_opts_set(&io, opts[idx].name, optarg ? optarg : "true", &err) != SSMH_OK)
                return cli_usage_error("import", "%s", err.message);
            break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "import")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("import", "expected exactly one checkpoint path");
    if (layout == NULL || out == NULL)
        return cli_usage_error("import", "--layout and -o are required");
    if (strcmp(layout, "attention") != 0 && !ssmh_import_is_model_layout(layout))
        return cli_usage_error("import", "unknown layout '%s' (s4d, s5, lru, mamba2, dense, diag, attention)",
                               layout);
    if (all && (strcmp(layout, "attention") == 0 || *prefix || strcmp(out, "-") == 0))
        return cli_usage_error("import", "--all takes a model layout, no --prefix, and -o DIR");
    cli_limits_apply(&lim);
    io.layout = layout;
    io.prefix = prefix;
    ssmh_error_clear(&err);
    if (all)
        return import_all(argv[optind], out, &io, &lim);
    if (strcmp(layout, "attention") == 0) {
        ssmh_weights_t w;
        ssmh_attention_t a;
        if (io.given)
            return cli_usage_error("import", "layout options do not apply to layout attention");
        ssmh_weights_init(w);
        ssmh_attention_init(a);
        if (ssmh_weights_open(w, argv[optind], &lim, &err) != SSMH_OK
            || ssmh_import_attention(a, w, prefix, argv[optind], &lim, &err) != SSMH_OK) {
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
        ssmh_weights_clear(w);
    } else {
        ssmh_model_t m;
        json_t *notes = NULL;
        ssmh_model_init(m);
        if (ssmh_import_file(m, &notes, argv[optind], &io, &lim, &err) != SSMH_OK) {
            rc = cli_report(&err);
        } else {
            json_t *o = ssmh_model_to_json(m);
            cli_progress_clear();
            print_notes(argv[optind], NULL, notes);
            rc = cli_write_json(out, o);
            json_decref(o);
            if (rc == CLI_EXIT_OK && strcmp(out, "-") != 0)
                printf("model N = %ld, d = %ld, p = %ld (layout %s) written to %s\n", (long)m->N,
                       (long)m->d, (long)m->p, layout, out);
        }
        json_decref(notes);
        ssmh_model_clear(m);
    }
    return rc;
}
