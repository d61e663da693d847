/*
 * Entry-point commands that read and write models and layers: version,
 * model, write_model, attention, import, lags.  Guarantee: a model or layer
 * in a response is the canonical JSON of what the strict readers (or the
 * import layouts, as `ssmheads import` runs them) produced.
 */
#include "api-impl.h"
#include <string.h>

static const char *structure_name(ssmh_structure_t s)
{
    return s == SSMH_STRUCTURE_DIAG ? "diag" : s == SSMH_STRUCTURE_COMPLEX_DIAG ? "complex_diag"
                                                                               : "dense";
}

static const char *output_name(ssmh_output_t o)
{
    return o == SSMH_OUTPUT_2RE ? "2re" : o == SSMH_OUTPUT_RE ? "re" : "real";
}

static json_t *model_summary(const ssmh_model_t m)
{
    json_t *o = json_object();
    json_object_set_new(o, "N", json_integer(m->N));
    json_object_set_new(o, "d", json_integer(m->d));
    json_object_set_new(o, "p", json_integer(m->p));
    json_object_set_new(o, "structure", json_string(structure_name(m->structure)));
    json_object_set_new(o, "convention", json_string(ssmh_convention_name(m->convention)));
    json_object_set_new(o, "output", json_string(output_name(m->output)));
    json_object_set_new(o, "has_D", json_boolean(m->has_D));
    json_object_set_new(o, "length", m->length > 0 ? json_integer(m->length) : json_null());
    return o;
}

static void set_model(json_t *resp, const ssmh_model_t m)
{
    json_object_set_new(resp, "model", ssmh_model_to_json(m));
    json_object_set_new(resp, "result", model_summary(m));
}

static void set_attention(json_t *resp, const ssmh_attention_t a)
{
    json_t *o = json_object();
    json_object_set_new(o, "H", json_integer(a->H));
    json_object_set_new(o, "p", json_integer(a->p));
    json_object_set_new(o, "d", json_integer(a->d));
    json_object_set_new(resp, "attention", ssmh_attention_to_json(a));
    json_object_set_new(resp, "result", o);
}

int _ssmh_api_version(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_string(ssmh_version()));
    json_object_set_new(o, "flint", json_string(ssmh_flint_version()));
    json_object_set_new(resp, "result", o);
    return 0;
}

int _ssmh_api_model(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_model_t m;
    const char *label;
    int rc;
    ssmh_model_init(m);
    if ((rc = _ssmh_req_model(m, &label, req, lim, err)) == SSMH_OK)
        set_model(resp, m);
    ssmh_model_clear(m);
    return rc;
}

int _ssmh_api_write_model(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                          ssmh_error_t *err)
{
    ssmh_model_t m;
    const char *label, *path = NULL;
    int rc;
    if ((rc = _ssmh_req_string(&path, req, "path", err)) != SSMH_OK)
        return rc;
    if (path == NULL || path[0] == '\0' || strcmp(path, "-") == 0)
        return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "$.path",
                              "expects the path of the file to write");
    ssmh_model_init(m);
    if ((rc = _ssmh_req_model(m, &label, req, lim, err)) == SSMH_OK
        && (rc = ssmh_model_write_file(m, path, err)) == SSMH_OK)
        set_model(resp, m);
    ssmh_model_clear(m);
    return rc;
}

int _ssmh_api_attention(json_t *resp, const json_t *req, const ssmh_limits_t *lim,
                        ssmh_error_t *err)
{
    ssmh_attention_t a;
    const char *label;
    int rc;
    ssmh_attention_init(a);
    if ((rc = _ssmh_req_attention(a, &label, req, lim, err)) == SSMH_OK)
        set_attention(resp, a);
    ssmh_attention_clear(a);
    return rc;
}

/* The layout options `ssmheads import` takes (their command-line names);
   each is handed to ssmh_import_opts_set, the parser the CLI and batch
   manifests use, so `source` and the refusals are the same. */
static const char *const import_option_names[] = {_SSMH_IMPORT_OPTIONS, NULL};

static int import_options(ssmh_import_opts_t *o, char *buf, size_t bufsize, const json_t *req,
                          ssmh_error_t *err)
{
    int rc;
    size_t i;
    ssmh_import_opts_default(o);
    if ((rc = _ssmh_req_string(&o->layout, req, "layout", err)) != SSMH_OK
        || (rc = _ssmh_req_string(&o->prefix, req, "prefix", err)) != SSMH_OK)
        return rc;
    for (i = 0; import_option_names[i] != NULL; i++) {
        const char *key = import_option_names[i];
        const json_t *v = json_object_get(req, key);
        const char *val = buf;
        char path_of[48];
        if (v == NULL)
            continue;
        snprintf(path_of, sizeof(path_of), "$.%s", key);
        if (json_is_string(v))
            val = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(buf, bufsize, "%lld", (long long)json_integer_value(v));
        else if (json_is_boolean(v))
            val = json_is_true(v) ? "true" : "false";
        else
            return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path_of,
                                  "expected a string, an integer or a boolean");
        if ((rc = ssmh_import_opts_set(o, key, val, err)) != SSMH_OK) {
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "%s", err->message);
            return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path_of, "%s", msg);
        }
    }
    if (o->layout == NULL)
        return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "$.layout", "is required");
    if (strcmp(o->layout, "attention") != 0 && !ssmh_import_is_model_layout(o->layout))
        return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "$.layout",
                              "unknown layout '%s' (dense, diag, attention, s4d, s5, lru, mamba2)",
                              o->layout);
    if (strcmp(o->layout, "attention") == 0 && o->given != 0)
        return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "",
                              "layout options do not apply to layout attention");
    return SSMH_OK;
}

/* attention: every tensor decoded, as `ssmheads import` reads the file */
static int import_attention(json_t *resp, ssmh_weights_t w, const char *prefix, const char *label,
                            const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_attention_t a;
    slong i;
    int rc = SSMH_OK;
    ssmh_attention_init(a);
    for (i = 0; rc == SSMH_OK && i < w->n; i++)
        rc = ssmh_weights_decode(w, w->t + i, label, err);
    if (rc == SSMH_OK && (rc = ssmh_import_attention(a, w, prefix, label, lim, err)) == SSMH_OK)
        set_attention(resp, a);
    ssmh_attention_clear(a);
    return rc;
}

int _ssmh_api_import(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_import_opts_t o;
    ssmh_weights_t w;
    const char *label;
    char buf[32];
    int rc;
    if ((rc = import_options(&o, buf, sizeof(buf), req, err)) != SSMH_OK)
        return rc;
    ssmh_weights_init(w);
    if ((rc = _ssmh_req_weights(w, &label, req, lim, err)) != SSMH_OK) {
        ssmh_weights_clear(w);
        return rc;
    }
    if (strcmp(o.layout, "attention") == 0) {
        rc = import_attention(resp, w, o.prefix, label, lim, err);
    } else {
        ssmh_model_t m;
        json_t *notes = NULL;
        ssmh_model_init(m);
        if ((rc = ssmh_import_weights(m, &notes, w, &o, label, lim, err)) == SSMH_OK) {
            set_model(resp, m);
            json_object_set_new(resp, "notes", notes != NULL ? notes : json_array());
            notes = NULL;
        }
        json_decref(notes);
        ssmh_model_clear(m);
    }
    ssmh_weights_clear(w);
    return rc;
}

int _ssmh_api_lags(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_model_t m;
    const char *label;
    slong count = 0, l;
    int given, rc;
    if ((rc = _ssmh_req_long(&count, &given, req, "count", 1, lim->max_length, err)) != SSMH_OK)
        return rc;
    if (!given)
        return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, "$.count",
                              "is required (how many lag operators K_0 ..)");
    ssmh_model_init(m);
    rc = _ssmh_req_model(m, &label, req, lim, err);
    if (rc == SSMH_OK && count > SSMH_MAX_MATRIX_ENTRIES / FLINT_MAX(1, m->p * m->d))
        rc = ssmh_error_set(err, SSMH_E_LIMIT, label, "",
                            "%ld lag operators of %ld x %ld are more than 2^27 entries",
                            (long)count, (long)m->p, (long)m->d);
    if (rc == SSMH_OK) {
        fmpq_mat_struct *K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)count);
        for (l = 0; l < count; l++)
            fmpq_mat_init(K + l, 0, 0);
        rc = _ssmh_api_failed(ssmh_lags_limited(K, m, count, lim, err), err, label);
        if (rc == SSMH_OK) {
            json_t *o = json_object(), *ks = json_array();
            for (l = 0; l < count; l++)
                json_array_append_new(ks, ssmh_json_matrix(K + l));
            json_object_set_new(o, "lags", ks);
            json_object_set_new(o, "convention", json_string(ssmh_convention_name(m->convention)));
            json_object_set_new(resp, "result", o);
        }
        for (l = 0; l < count; l++)
            fmpq_mat_clear(K + l);
        flint_free(K);
    }
    ssmh_model_clear(m);
    return rc;
}
