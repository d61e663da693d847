/*
 * The batch manifest: one model (or weight file with its layout) per line.
 * Guarantee: every entry is checked before anything runs -- a model path or
 * a weight path with a known layout, known options with valid values, and
 * ids unique across the manifest -- and every error names the manifest and
 * its line (and the JSON key for JSON lines).
 */
#include "ssmheads-impl.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void ssmh_manifest_init(ssmh_manifest_t mf)
{
    mf->n = 0;
    mf->e = NULL;
}

static void entry_clear(ssmh_batch_entry_t *e)
{
    free(e->id);
    free(e->model);
    free(e->weights);
    free((char *)e->import.layout);
    free((char *)e->import.prefix);
    memset(e, 0, sizeof(*e));
}

void ssmh_manifest_clear(ssmh_manifest_t mf)
{
    slong i;
    for (i = 0; i < mf->n; i++)
        entry_clear(mf->e + i);
    free(mf->e);
    ssmh_manifest_init(mf);
}

int ssmh_manifest_in_shard(slong i, slong shard, slong nshards)
{
    return nshards <= 1 || i % nshards == shard;
}

static char *dup_str(const char *s)
{
    char *t = strdup(s);
    if (t == NULL)
        abort();
    return t;
}

/* The option values shared by both line forms. */
static int set_option(ssmh_batch_entry_t *e, const char *key, const char *val, const char *file,
                      const char *where, ssmh_error_t *err)
{
    if (strcmp(key, "layout") == 0) {
        if (!ssmh_import_is_model_layout(val))
            return ssmh_error_set(err, SSMH_E_VALUE, file, where,
                                  "unknown layout '%s' (dense, diag, s4d, s5, lru, mamba2)", val);
        free((char *)e->import.layout);
        e->import.layout = dup_str(val);
    } else if (strcmp(key, "prefix") == 0) {
        free((char *)e->import.prefix);
        e->import.prefix = dup_str(val);
    } else if (strcmp(key, "n") == 0) {
        char *end;
        long v = strtol(val, &end, 10);
        if (*val == '\0' || *end != '\0' || v < 1 || v > (1L << 24))
            return ssmh_error_set(err, SSMH_E_VALUE, file, where, "n must be an integer in [1, 16777216]");
        e->n = v;
    } else {
        /* every layout option of `ssmheads import` (doc/weights.md) */
        ssmh_error_t oe;
        ssmh_error_clear(&oe);
        if (ssmh_import_opts_set(&e->import, key, val, &oe) != SSMH_OK)
            return ssmh_error_set(err, SSMH_E_VALUE, file, where, "%s%s", oe.message,
                                  strncmp(oe.message, "unknown", 7) == 0
                                      ? " (layout, prefix, n, or an option of ssmheads import)" : "");
    }
    return SSMH_OK;
}

/* {"model": P} or {"weights": P, "layout": L, "prefix": ..., "id": ...} */
static int json_line(ssmh_batch_entry_t *e, const char *text, size_t len, const char *file,
                     const char *where, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_t *o = ssmh_json_parse(text, len, file, lim, err), *v;
    const char *key;
    char at[300];
    int rc = SSMH_OK;
    if (o == NULL) {
        snprintf(at, sizeof(at), "%.250s", err->message);
        return ssmh_error_set(err, SSMH_E_PARSE, file, where, "%s", at);
    }
    if (!json_is_object(o)) {
        json_decref(o);
        return ssmh_error_set(err, SSMH_E_VALUE, file, where, "a JSON line must be an object");
    }
    json_object_foreach(o, key, v) {
        char num[32];
        const char *val = json_string_value(v);
        snprintf(at, sizeof(at), "%s: $.%s", where, key);
        if (json_is_integer(v) && (strcmp(key, "n") == 0 || strcmp(key, "precision") == 0
                                   || strcmp(key, "headdim") == 0 || strcmp(key, "ngroups") == 0)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            val = num;
        }
        if (val == NULL) {
            rc = ssmh_error_set(err, SSMH_E_VALUE, file, at, "expected a string");
        } else if (strcmp(key, "model") == 0) {
            e->model = dup_str(val);
        } else if (strcmp(key, "weights") == 0) {
            e->weights = dup_str(val);
        } else if (strcmp(key, "id") == 0) {
            e->id = dup_str(val);
        } else {
            rc = set_option(e, key, val, file, at, err);
        }
        if (rc != SSMH_OK)
            break;
    }
    if (rc == SSMH_OK && e->id == NULL) {   /* the entry itself, keys sorted */
        char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
        e->id = dup_str(s ? s : "");
        free(s);
    }
    json_decref(o);
    return rc;
}

/* PATH [--layout L] [--prefix P] [--discretization D] [--output O]
   [--precision B] [-n N], separated by blanks (no quoting). */
static int text_line(ssmh_batch_entry_t *e, char *text, const char *file, const char *where,
                     ssmh_error_t *err)
{
    char *tok, *save = NULL, *path;
    int rc = SSMH_OK;
    e->id = dup_str(text);
    path = strtok_r(text, " \t", &save);
    while (rc == SSMH_OK && (tok = strtok_r(NULL, " \t", &save)) != NULL) {
        const char *key = tok[0] == '-' && tok[1] == '-' ? tok + 2 : strcmp(tok, "-n") == 0 ? "n" : NULL;
        char *val;
        if (key == NULL)
            return ssmh_error_set(err, SSMH_E_VALUE, file, where,
                                  "unexpected '%s' (one path per line, then options; "
                                  "use a JSON line for paths with blanks)", tok);
        if ((val = strtok_r(NULL, " \t", &save)) == NULL)
            return ssmh_error_set(err, SSMH_E_VALUE, file, where, "option '%s' needs a value", tok);
        rc = set_option(e, key, val, file, where, err);
    }
    if (rc != SSMH_OK)
        return rc;
    if (e->import.layout != NULL)
        e->weights = dup_str(path);
    else
        e->model = dup_str(path);
    return SSMH_OK;
}

static int check_entry(const ssmh_batch_entry_t *e, const char *file, const char *where,
                       ssmh_error_t *err)
{
    if ((e->model == NULL) == (e->weights == NULL))
        return ssmh_error_set(err, SSMH_E_VALUE, file, where,
                              "an entry needs exactly one of a model path or a weights path");
    if (e->weights != NULL && e->import.layout == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, where, "a weights entry needs a layout");
    if (e->model != NULL && (e->import.layout != NULL || (e->import.prefix && *e->import.prefix)))
        return ssmh_error_set(err, SSMH_E_VALUE, file, where,
                              "layout options apply to weights entries only");
    if ((e->model && !*e->model) || (e->weights && !*e->weights))
        return ssmh_error_set(err, SSMH_E_VALUE, file, where, "empty path");
    return SSMH_OK;
}

static int cmp_id(const void *a, const void *b)
{
    const ssmh_batch_entry_t *x = *(ssmh_batch_entry_t *const *)a, *y = *(ssmh_batch_entry_t *const *)b;
    return strcmp(x->id, y->id);
}

int ssmh_manifest_read(ssmh_manifest_t mf, const char *path, const ssmh_limits_t *lim,
                       ssmh_error_t *err)
{
    char *buf, where[64];
    size_t len, pos = 0;
    slong line = 0, alloc = 0, i;
    int rc = SSMH_OK;

    ssmh_manifest_clear(mf);
    if ((rc = ssmh_file_read(&buf, &len, path, lim ? lim->max_file_bytes : 0, err)) != SSMH_OK)
        return rc;
    if (memchr(buf, '\0', len) != NULL) {
        free(buf);
        return ssmh_error_set(err, SSMH_E_PARSE, path, "", "not a text file (contains NUL bytes)");
    }
    while (pos < len && rc == SSMH_OK) {
        char *s = buf + pos, *nl = memchr(s, '\n', len - pos), *t;
        size_t l = nl ? (size_t)(nl - s) : len - pos;
        ssmh_batch_entry_t *e;
        pos += l + (nl != NULL);
        line++;
        s[l] = '\0';
        while (l > 0 && isspace((unsigned char)s[l - 1]))
            s[--l] = '\0';
        while (isspace((unsigned char)*s))
            s++, l--;
        if (*s == '\0' || *s == '#')
            continue;
        if (mf->n == alloc) {
            alloc = alloc ? 2 * alloc : 64;
            t = realloc(mf->e, sizeof(ssmh_batch_entry_t) * (size_t)alloc);
            if (t == NULL)
                abort();
            mf->e = (ssmh_batch_entry_t *)t;
        }
        e = mf->e + mf->n++;
        memset(e, 0, sizeof(*e));
        ssmh_import_opts_default(&e->import);
        e->import.prefix = NULL;
        e->line = line;
        snprintf(where, sizeof(where), "line %ld", (long)line);
        rc = *s == '{' ? json_line(e, s, l, path, where, lim, err) : text_line(e, s, path, where, err);
        if (rc == SSMH_OK)
            rc = check_entry(e, path, where, err);
        if (e->import.prefix == NULL)
            e->import.prefix = dup_str("");
    }
    free(buf);
    if (rc == SSMH_OK && mf->n > 1) {   /* ids must be unique */
        ssmh_batch_entry_t **ord = malloc(sizeof(*ord) * (size_t)mf->n);
        if (ord == NULL)
            abort();
        for (i = 0; i < mf->n; i++)
            ord[i] = mf->e + i;
        qsort(ord, (size_t)mf->n, sizeof(*ord), cmp_id);
        for (i = 1; i < mf->n && rc == SSMH_OK; i++)
            if (strcmp(ord[i - 1]->id, ord[i]->id) == 0) {
                slong a = FLINT_MIN(ord[i - 1]->line, ord[i]->line), b = FLINT_MAX(ord[i - 1]->line, ord[i]->line);
                snprintf(where, sizeof(where), "line %ld", (long)b);
                rc = ssmh_error_set(err, SSMH_E_VALUE, path, where,
                                    "the same entry (id \"%.200s\") as line %ld", ord[i]->id, (long)a);
            }
        free(ord);
    }
    if (rc == SSMH_OK && mf->n == 0)
        rc = ssmh_error_set(err, SSMH_E_VALUE, path, "", "no entries (only blank or # lines)");
    if (rc != SSMH_OK)
        ssmh_manifest_clear(mf);
    return rc;
}
