/*
 * Reader and writer for ssmheads-attention/1 (SPEC 3.3).  Guarantee: strict
 * as the model reader -- unknown keys, wrong shapes and inexact numbers are
 * refused with the file and JSON path; V_h = W_O W_V is formed exactly.
 */
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

#define FMT "ssmheads-attention/1"

void ssmh_attention_init(ssmh_attention_t a)
{
    memset(a, 0, sizeof(*a));
}

void ssmh_attention_clear(ssmh_attention_t a)
{
    slong h;
    for (h = 0; h < a->H; h++) {
        fmpq_mat_clear(a->V + h);
        fmpq_mat_clear(a->W_V + h);
        fmpq_mat_clear(a->W_O + h);
    }
    flint_free(a->V);
    flint_free(a->W_V);
    flint_free(a->W_O);
    memset(a, 0, sizeof(*a));
}

static int only_keys(const json_t *o, const char *const *allowed, const char *file,
                     const char *path, ssmh_error_t *err)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)o, key, val) {
        int i, ok = 0;
        for (i = 0; allowed[i]; i++)
            ok |= strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char p[300];
            _ssmh_path_key(p, sizeof(p), path, key);
            return ssmh_error_set(err, SSMH_E_VALUE, file, p, "unknown key \"%.60s\"", key);
        }
    }
    return SSMH_OK;
}

/* One head at path hp: {"value": p x d} or {"W_V": d_h x d, "W_O": p x d_h}. */
static int read_head(ssmh_attention_t a, slong h, const json_t *o, const char *file,
                     const char *hp, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    static const char *const keys[] = {"value", "W_V", "W_O", "name", NULL};
    const json_t *v, *wv, *wo;
    char p[300];
    int rc;

    if (!json_is_object(o))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, hp, "expected a head object");
    if ((rc = only_keys(o, keys, file, hp, err)) != SSMH_OK)
        return rc;
    v = json_object_get(o, "value");
    wv = json_object_get(o, "W_V");
    wo = json_object_get(o, "W_O");
    if (v != NULL && (wv != NULL || wo != NULL))
        return ssmh_error_set(err, SSMH_E_VALUE, file, hp,
                              "give either \"value\" or \"W_V\" and \"W_O\", not both");
    if (v != NULL) {
        _ssmh_path_key(p, sizeof(p), hp, "value");
        rc = ssmh_json_get_matrix(a->V + h, v, h ? a->p : -1, h ? a->d : -1, file, p, lim, err);
        if (rc != SSMH_OK)
            return rc;
    } else {
        if (wv == NULL || wo == NULL)
            return ssmh_error_set(err, SSMH_E_VALUE, file, hp,
                                  "a head needs \"value\", or both \"W_V\" and \"W_O\"");
        _ssmh_path_key(p, sizeof(p), hp, "W_V");
        rc = ssmh_json_get_matrix(a->W_V + h, wv, -1, h ? a->d : -1, file, p, lim, err);
        if (rc != SSMH_OK)
            return rc;
        _ssmh_path_key(p, sizeof(p), hp, "W_O");
        rc = ssmh_json_get_matrix(a->W_O + h, wo, h ? a->p : -1, fmpq_mat_nrows(a->W_V + h),
                                  file, p, lim, err);
        if (rc != SSMH_OK)
            return rc;
        if (fmpq_mat_nrows(a->W_V + h) == 0)
            return ssmh_error_set(err, SSMH_E_SHAPE, file, p, "head dimension d_h must be >= 1");
        fmpq_mat_clear(a->V + h);
        fmpq_mat_init(a->V + h, fmpq_mat_nrows(a->W_O + h), fmpq_mat_ncols(a->W_V + h));
        fmpq_mat_mul(a->V + h, a->W_O + h, a->W_V + h);
    }
    if (h == 0) {
        a->p = fmpq_mat_nrows(a->V);
        a->d = fmpq_mat_ncols(a->V);
        if (a->p == 0 || a->d == 0)
            return ssmh_error_set(err, SSMH_E_SHAPE, file, hp, "value maps must be p x d with p, d >= 1");
    }
    return SSMH_OK;
}

int ssmh_attention_from_json(ssmh_attention_t a, const json_t *obj, const char *file,
                             const char *path, const ssmh_limits_t *lim_in, ssmh_error_t *err)
{
    static const char *const keys[] = {"format", "heads", "name", "source", NULL};
    ssmh_limits_t deflim;
    const json_t *f, *hs;
    char p[300];
    slong h, H;
    int rc;

    if (lim_in == NULL) {
        ssmh_limits_default(&deflim);
        lim_in = &deflim;
    }
    if (path == NULL)
        path = "$";
    ssmh_attention_clear(a);
    if (!json_is_object(obj))
        return ssmh_error_set(err, SSMH_E_VALUE, file, path, "expected an attention object");
    if ((rc = only_keys(obj, keys, file, path, err)) != SSMH_OK)
        return rc;
    f = json_object_get(obj, "format");
    _ssmh_path_key(p, sizeof(p), path, "format");
    if (f == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, path, "missing \"format\" (expected \"" FMT "\")");
    if (!json_is_string(f) || strcmp(json_string_value(f), FMT) != 0)
        return ssmh_error_set(err, SSMH_E_VALUE, file, p, "unknown format (expected \"" FMT "\")");
    hs = json_object_get(obj, "heads");
    _ssmh_path_key(p, sizeof(p), path, "heads");
    if (hs == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, path, "missing \"heads\"");
    if (!json_is_array(hs) || json_array_size(hs) == 0)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, p, "expected a nonempty array of heads");
    H = (slong)json_array_size(hs);
    if (H > lim_in->max_dim)
        return ssmh_error_set(err, SSMH_E_LIMIT, file, p, "%ld heads exceed the dimension limit %ld",
                              (long)H, lim_in->max_dim);
    a->V = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)H);
    a->W_V = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)H);
    a->W_O = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)H);
    for (h = 0; h < H; h++) {
        fmpq_mat_init(a->V + h, 0, 0);
        fmpq_mat_init(a->W_V + h, 0, 0);
        fmpq_mat_init(a->W_O + h, 0, 0);
    }
    a->H = H;
    for (h = 0; h < H; h++) {
        char hp[300];
        _ssmh_path_index(hp, sizeof(hp), p, (long)h);
        if ((rc = read_head(a, h, json_array_get(hs, (size_t)h), file, hp, lim_in, err)) != SSMH_OK) {
            ssmh_attention_clear(a);
            return rc;
        }
    }
    return SSMH_OK;
}

int ssmh_attention_read_file(ssmh_attention_t a, const char *file,
                             const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_t *root = ssmh_json_load_file(file, lim, err);
    int rc;
    if (root == NULL)
        return err ? err->code : SSMH_E_PARSE;
    rc = ssmh_attention_from_json(a, root, file, "$", lim, err);
    json_decref(root);
    return rc;
}

json_t *ssmh_attention_to_json(const ssmh_attention_t a)
{
    json_t *o = json_object(), *hs = json_array();
    slong h;
    json_object_set_new(o, "format", json_string(FMT));
    for (h = 0; h < a->H; h++) {
        json_t *ho = json_object();
        if (fmpq_mat_nrows(a->W_V + h) > 0) {
            json_object_set_new(ho, "W_V", ssmh_json_matrix(a->W_V + h));
            json_object_set_new(ho, "W_O", ssmh_json_matrix(a->W_O + h));
        } else {
            json_object_set_new(ho, "value", ssmh_json_matrix(a->V + h));
        }
        json_array_append_new(hs, ho);
    }
    json_object_set_new(o, "heads", hs);
    return o;
}
