/*
 * The members of a request (api.h), read strictly.  Guarantee: every value
 * is type- and range-checked as the CLI checks the option of the same name,
 * and every refusal is SSMH_E_USAGE (or the reader's own error for a model
 * or layer) naming the member's JSON path.
 */
#include "api-impl.h"
#include <limits.h>
#include <string.h>

static int usage(ssmh_error_t *err, const char *key, const char *fmt, const char *what)
{
    char path[300];
    _ssmh_path_key(path, sizeof(path), "$", key);
    return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path, fmt, what);
}

int _ssmh_req_keys(const json_t *req, const char *const *allowed, ssmh_error_t *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)req, key, v) {
        int i, ok = strcmp(key, "command") == 0 || strcmp(key, "limits") == 0;
        for (i = 0; !ok && allowed[i] != NULL; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            return usage(err, key, "unknown key for the command %s",
                         json_string_value(json_object_get(req, "command")));
    }
    return SSMH_OK;
}

int _ssmh_req_long(slong *out, int *given, const json_t *req, const char *key, slong lo,
                   slong hi, ssmh_error_t *err)
{
    const json_t *v = json_object_get(req, key);
    char path[300];
    if (given != NULL)
        *given = 0;
    if (v == NULL)
        return SSMH_OK;
    _ssmh_path_key(path, sizeof(path), "$", key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path,
                              "expects an integer in [%ld, %ld]", (long)lo, (long)hi);
    *out = (slong)json_integer_value(v);
    if (given != NULL)
        *given = 1;
    return SSMH_OK;
}

int _ssmh_req_bool(int *out, const json_t *req, const char *key, ssmh_error_t *err)
{
    const json_t *v = json_object_get(req, key);
    if (v == NULL)
        return SSMH_OK;
    if (!json_is_boolean(v))
        return usage(err, key, "expects true or false%s", "");
    *out = json_is_true(v);
    return SSMH_OK;
}

int _ssmh_req_string(const char **out, const json_t *req, const char *key, ssmh_error_t *err)
{
    const json_t *v = json_object_get(req, key);
    if (v == NULL)
        return SSMH_OK;
    if (!json_is_string(v))
        return usage(err, key, "expects a string%s", "");
    *out = json_string_value(v);
    return SSMH_OK;
}

int _ssmh_req_choice(int *out, const json_t *req, const char *key, const char *const *names,
                     ssmh_error_t *err)
{
    const char *s = NULL;
    char list[200] = "";
    int i, rc = _ssmh_req_string(&s, req, key, err);
    if (rc != SSMH_OK || s == NULL)
        return rc;
    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return SSMH_OK;
        }
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                 i == 0 ? "" : names[i + 1] == NULL ? " or " : ", ", names[i]);
    }
    return usage(err, key, "must be %s", list);
}

int _ssmh_req_eps(fmpq_t eps, int *given, const json_t *req, ssmh_error_t *err)
{
    const json_t *v = json_object_get(req, "eps");
    const char *why = NULL;
    int rc;
    *given = 0;
    if (v == NULL)
        return SSMH_OK;
    if (json_is_integer(v)) {
        fmpq_set_si(eps, (slong)json_integer_value(v), 1);
    } else if (!json_is_string(v)) {
        return usage(err, "eps", "expects an exact number as a string (e.g. \"1e-6\" or "
                                 "\"1/1000\") or an integer%s",
                     json_is_real(v) ? ": a JSON real cannot be read exactly, quote it" : "");
    } else if ((rc = ssmh_rational_parse(eps, json_string_value(v), 10000, &why)) != SSMH_OK) {
        return usage(err, "eps", "expects an exact number (e.g. 1e-6 or 1/1000): %s", why);
    }
    if (fmpq_sgn(eps) <= 0)
        return usage(err, "eps", "must be a positive exact number%s", "");
    *given = 1;
    return SSMH_OK;
}

int _ssmh_req_limits(ssmh_limits_t *lim, const json_t *req, ssmh_error_t *err)
{
    static const struct {
        const char *key;
        slong lo, hi;
    } known[] = {{"max_dim", 1, WORD(1) << 30},       {"max_state", 1, WORD(1) << 30},
                 {"max_digits", 1, WORD(1) << 30},    {"max_bits", 0, WORD_MAX},
                 {"max_length", 1, WORD(1) << 40},    {"max_file_bytes", 1, WORD(1) << 50}};
    const json_t *l = json_object_get(req, "limits");
    const char *key;
    json_t *v;
    ssmh_limits_default(lim);
    lim->max_memory = 0;   /* a process limit: `ssmheads call --max-memory` */
    if (l == NULL)
        return SSMH_OK;
    if (!json_is_object(l))
        return usage(err, "limits", "expects an object%s", "");
    json_object_foreach((json_t *)l, key, v) {
        char path[300];
        size_t i;
        slong x;
        _ssmh_path_key(path, sizeof(path), "$.limits", key);
        if (strcmp(key, "timeout") == 0 || strcmp(key, "max_memory") == 0)
            return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path,
                                  "CPU time and memory are limits of a process: run the "
                                  "request with `ssmheads call --timeout SEC --max-memory N`");
        for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            if (strcmp(key, known[i].key) == 0)
                break;
        if (i == sizeof(known) / sizeof(known[0]))
            return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path, "unknown limit");
        if (!json_is_integer(v) || json_integer_value(v) < known[i].lo
            || json_integer_value(v) > known[i].hi)
            return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path,
                                  "expects an integer in [%ld, %ld]", (long)known[i].lo,
                                  (long)known[i].hi);
        x = (slong)json_integer_value(v);
        if (i <= 1)
            lim->max_dim = x;
        else if (i == 2)
            lim->max_digits = x;
        else if (i == 3)
            lim->max_bits = x;
        else if (i == 4)
            lim->max_length = x;
        else
            lim->max_file_bytes = (size_t)x;
    }
    return SSMH_OK;
}

/* A model or layer member: *obj the inline object, or *path the file to read
   (never standard input, which belongs to the host program); *label the
   name its errors give (the path, or the `key`_file member, or key). */
static int source(const json_t **obj, const char **path, const char **label, const json_t *req,
                  const char *key, const char *format, ssmh_error_t *err)
{
    char file_key[64];
    const json_t *v = json_object_get(req, key);
    *obj = NULL;
    *path = NULL;
    *label = key;
    if (json_is_string(v)) {
        *path = *label = json_string_value(v);
        if ((*path)[0] == '\0' || strcmp(*path, "-") == 0)
            return usage(err, key, "expects a file path (standard input is not read by the entry "
                                   "point%s)", "");
        return SSMH_OK;
    }
    if (!json_is_object(v))
        return usage(err, key, "expects an %s object or a file path", format);
    *obj = v;
    snprintf(file_key, sizeof(file_key), "%s_file", key);
    return _ssmh_req_string(label, req, file_key, err);
}

int _ssmh_req_model(ssmh_model_t m, const char **label, const json_t *req,
                    const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const json_t *obj;
    const char *path;
    int rc = source(&obj, &path, label, req, "model", "ssmheads-model/1", err);
    if (rc != SSMH_OK)
        return rc;
    return path ? ssmh_model_read_file(m, path, lim, err)
                : ssmh_model_from_json(m, obj, *label, "$", lim, err);
}

int _ssmh_req_attention(ssmh_attention_t a, const char **label, const json_t *req,
                        const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const json_t *obj;
    const char *path;
    int rc = source(&obj, &path, label, req, "attention", "ssmheads-attention/1", err);
    if (rc != SSMH_OK)
        return rc;
    return path ? ssmh_attention_read_file(a, path, lim, err)
                : ssmh_attention_from_json(a, obj, *label, "$", lim, err);
}

int _ssmh_req_n(slong *n, int *given, const json_t *req, const ssmh_limits_t *lim,
                ssmh_error_t *err)
{
    *n = 0;
    return _ssmh_req_long(n, given, req, "n", 1, lim->max_length, err);
}

int _ssmh_req_default_n(slong *n, int given, const ssmh_model_t m, int required,
                        ssmh_error_t *err)
{
    if (!given)
        *n = m->length;
    if (*n == 0 && required)
        return usage(err, "n", "is required (the model has no \"length\")%s", "");
    return SSMH_OK;
}

int _ssmh_api_failed(int rc, ssmh_error_t *err, const char *label)
{
    if (err->file[0] == '\0')
        snprintf(err->file, sizeof(err->file), "%s", label);
    return rc;
}
