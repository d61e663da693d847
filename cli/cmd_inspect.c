/* ssmheads inspect -- the tensors and SSM modules of a checkpoint. */
#include "cli.h"
#include <string.h>

static const char usage[] =
    "Usage: ssmheads inspect CKPT [--json]\n"
    "List every tensor of a checkpoint (a directory of .npy files, a .npz or a\n"
    "safetensors file) with its dtype and shape, and every SSM module recognized\n"
    "in it (layout, prefix, sizes) with the exact 'ssmheads import' command line\n"
    "for each.  Nothing is decoded: tensors of any dtype are listed.\n"
    "  --json    one JSON object: {\"file\", \"tensors\": [{\"name\", \"dtype\", \"shape\",\n"
    "            \"complex\"}], \"modules\": [{\"layout\", \"form\", \"prefix\", \"sizes\",\n"
    "            \"assumed\", \"args\", \"importable\", \"problem\", \"command\"}]}\n"
    "Settings only a module's constructor knows (e.g. s4.py's dt_transform, S5's\n"
    "conj_sym) are listed as \"assumed\" with the reference defaults the import uses.\n"
    CLI_LIMIT_HELP;

/* a shell word: as is when safe, else in single quotes */
static void shell_word(FILE *b, const char *s)
{
    const char *p;
    int safe = *s != '\0';
    for (p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || strchr("._-/+=:,@%", *p)))
            safe = 0;
    if (safe) {
        fprintf(b, "%s", s);
        return;
    }
    fprintf(b, "'");
    for (p = s; *p; p++)
        if (*p == '\'')
            fprintf(b, "'\\''");
        else
            fprintf(b, "%c", *p);
    fprintf(b, "'");
}

static char *command(const char *file, const json_t *mo)
{
    char *text = NULL;
    size_t len = 0;
    FILE *b = open_memstream(&text, &len);
    const json_t *args = json_object_get(mo, "args");
    const char *prefix = json_string_value(json_object_get(mo, "prefix"));
    char out[300];
    size_t i, n;
    if (b == NULL)
        return NULL;
    fprintf(b, "ssmheads import ");
    shell_word(b, file);
    for (i = 0; i < json_array_size(args); i++) {
        fprintf(b, " ");
        shell_word(b, json_string_value(json_array_get(args, i)));
    }
    n = strlen(prefix);
    while (n > 0 && (prefix[n - 1] == '.' || prefix[n - 1] == '/'))
        n--;
    snprintf(out, sizeof(out), "%.*s.json", (int)FLINT_MIN(n, 250), n ? prefix : "model");
    for (i = 0; out[i]; i++)
        if (out[i] == '/')
            out[i] = '_';
    fprintf(b, " -o ");
    shell_word(b, out);
    if (fclose(b) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int cli_cmd_inspect(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    ssmh_limits_t lim;
    ssmh_error_t err;
    json_t *r, *mods, *ts;
    int opt, rc, as_json = 0;
    size_t i, j;

    ssmh_limits_default(&lim);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': return cli_help(usage);
        case 'j': as_json = 1; break;
        default:
            if ((rc = cli_other_option(&lim, opt, optarg, "inspect")) != 0)
                return rc;
            break;
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("inspect", "expected exactly one checkpoint path");
    cli_limits_apply(&lim);
    ssmh_error_clear(&err);
    if (ssmh_weights_inspect(&r, argv[optind], &lim, &err) != SSMH_OK)
        return cli_report(&err);
    mods = json_object_get(r, "modules");
    for (i = 0; i < json_array_size(mods); i++) {
        char *c = command(argv[optind], json_array_get(mods, i));
        if (c == NULL) {
            json_decref(r);
            fprintf(stderr, "%s: out of memory\n", cli_progname);
            return CLI_EXIT_LIMIT;
        }
        json_object_set_new(json_array_get(mods, i), "command", json_string(c));
        free(c);
    }
    if (as_json) {
        rc = cli_print_json(r);
        json_decref(r);
        return rc;
    }
    ts = json_object_get(r, "tensors");
    printf("%s: %zu tensors\n", argv[optind], json_array_size(ts));
    for (i = 0; i < json_array_size(ts); i++) {
        json_t *t = json_array_get(ts, i), *sh = json_object_get(t, "shape");
        printf("  %-40s %-6s (", json_string_value(json_object_get(t, "name")),
               json_string_value(json_object_get(t, "dtype")));
        for (j = 0; j < json_array_size(sh); j++)
            printf("%s%lld", j ? ", " : "", (long long)json_integer_value(json_array_get(sh, j)));
        printf("%s)\n", json_array_size(sh) == 1 ? "," : "");
    }
    printf("%zu SSM module%s recognized%s\n", json_array_size(mods), json_array_size(mods) == 1 ? "" : "s",
           json_array_size(mods) ? ":" : "");
    for (i = 0; i < json_array_size(mods); i++) {
        json_t *mo = json_array_get(mods, i), *sz = json_object_get(mo, "sizes"), *v;
        const char *key, *pre = json_string_value(json_object_get(mo, "prefix"));
        int first = 1;
        printf("  %s (%s) at %s%s%s:", json_string_value(json_object_get(mo, "layout")),
               json_string_value(json_object_get(mo, "form")), *pre ? "'" : "the top level", pre, *pre ? "'" : "");
        json_object_foreach(sz, key, v) {
            printf("%s %s = %lld", first ? "" : ",", key, (long long)json_integer_value(v));
            first = 0;
        }
        printf("\n    %s\n", json_string_value(json_object_get(mo, "command")));
        sz = json_object_get(mo, "assumed");
        first = 1;
        json_object_foreach(sz, key, v) {
            printf("%s%s %s", first ? "    assumed (constructor settings the file cannot show; the reference's "
                                      "defaults): " : ", ", key, json_string_value(v));
            first = 0;
        }
        if (!first)
            printf("\n");
        if (!json_is_true(json_object_get(mo, "importable")))
            printf("    not importable as it is: %s\n", json_string_value(json_object_get(mo, "problem")));
    }
    json_decref(r);
    return CLI_EXIT_OK;
}
