/*
 * What a file given to `verify` is when it is not a certificate: a model,
 * an attention layer, batch results or a manifest (JSON lines), the --json
 * output of a command, a weight file.  Guarantee: a description is given
 * only for input that is not an ssmheads-cert/1 certificate (or a damaged
 * one: an object with a claim or a witness is judged as a certificate), so
 * a certificate is never turned away as "something else".
 */
#include "ssmhc.h"
#include <stdio.h>
#include <string.h>

/* An object carrying every key of `keys` (NULL-terminated). */
static int has_all(const json_t *o, const char *const *keys)
{
    for (; *keys; keys++)
        if (json_object_get(o, *keys) == NULL)
            return 0;
    return 1;
}

const char *ssmhc_identify_json(const json_t *j, int lines)
{
    static const struct {
        const char *keys[4];
        const char *what;
    } outputs[] = {
        {{"k", "n_star", "profile", NULL}, "heads"},
        {{"k", "heads", "n", NULL}, "construct"},
        {{"stable", "rho_lo", "norms_f2", NULL}, "gradient"},
        {{"H", "error2_upper", "eps", NULL}, "approx"},
        {{"representable", "n", NULL}, "represent"},
        {{"mcmillan_degree", "reachable_rank", NULL}, "minimal"},
        {{"heads", "dim", "basis_heads", NULL}, "span"},
    };
    const json_t *f;
    size_t i;
    if (!json_is_object(j))
        return "is JSON but not a certificate (a certificate is an object with \"format\": "
               "\"ssmheads-cert/1\")";
    f = json_object_get(j, "format");
    if (json_is_string(f)) {
        const char *s = json_string_value(f);
        if (strcmp(s, "ssmheads-cert/1") == 0 && !lines)
            return NULL;
        if (strcmp(s, "ssmheads-model/1") == 0)
            return "is an ssmheads-model/1 file, not a certificate; write one with --cert "
                   "(e.g. `ssmheads heads MODEL -n N --cert OUT`)";
        if (strcmp(s, "ssmheads-attention/1") == 0)
            return "is an ssmheads-attention/1 file (an attention layer), not a certificate; "
                   "write one with `ssmheads represent ATTN MODEL -n N --cert OUT`";
    }
    if (json_object_get(j, "claim") || json_object_get(j, "witness")
        || (json_is_string(f) && strcmp(json_string_value(f), "ssmheads-cert/1") == 0))
        return lines ? "holds several JSON values (JSON lines?): a certificate is one object"
                     : NULL;   /* a (possibly damaged) certificate: judged as one */
    if (json_object_get(j, "status") && json_object_get(j, "id") && json_object_get(j, "exit"))
        return "is ssmheads batch results (JSON lines), not a certificate; the certificates "
               "are the files their \"cert\" fields name (batch --cert-dir)";
    if ((json_object_get(j, "model") || json_object_get(j, "weights")) && !json_object_get(j, "format"))
        return "is an ssmheads batch manifest (JSON lines), not a certificate";
    if (json_is_string(f))
        return "is not a certificate: its format is not ssmheads-cert/1";
    for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
        if (has_all(j, outputs[i].keys)) {
            static char buf[160];
            snprintf(buf, sizeof(buf), "is the --json output of `ssmheads %s`, not a certificate; "
                     "write one with --cert", outputs[i].what);
            return buf;
        }
    return "is JSON but not a certificate (a certificate is an object with \"format\": "
           "\"ssmheads-cert/1\")";
}

const char *ssmhc_identify_bytes(const char *data, size_t len)
{
    if (len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
        return "is a zip archive (.npz weights?), not a certificate; `ssmheads import` reads "
               "weight files";
    if (len >= 6 && memcmp(data, "\223NUMPY", 6) == 0)
        return "is a .npy array (weights), not a certificate; `ssmheads import` reads weight files";
    if (len >= 10 && data[8] == '{' && data[9] == '"' && memchr(data, '\0', 8) != NULL)
        return "is a .safetensors file (weights), not a certificate; `ssmheads import` reads "
               "weight files";
    return NULL;
}
