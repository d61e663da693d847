/*
 * Checkpoints in a request: "weights" (the path of a .npz, .safetensors or
 * directory of .npy files) or "tensors" (a state_dict held in memory,
 * inline), and the `inspect` command over either.  Guarantee: inline
 * tensors go through ssmh_weights_add, so they are decoded, checked,
 * imported and recognized by exactly the code that reads a file of the
 * same bytes; a damaged member is refused naming its JSON path, and the
 * decoded bytes are bounded by the file limit (max_file_bytes) as a file
 * of them would be.
 *
 *   "tensors": {NAME: {"dtype": D, "shape": [..], "data": B64}, ...}
 *
 * D is a safetensors dtype name ("F32", "BF16", "C64", ...) or a numpy
 * descr ("<c16", "<f8", ...); data is the standard base64 of the raw
 * little-endian, C-order bytes.  Without "data" the tensor is known by its
 * dtype and shape only: enough to recognize modules (nothing is decoded),
 * and refused by a layout that needs its numbers.  "tensors_file" names
 * the tensors in errors and in `source` ("<tensors>" by default).
 */
#include "api-impl.h"
#include <stdlib.h>
#include <string.h>

#define TENSORS_LABEL "<tensors>"

static int bad(ssmh_error_t *err, const char *path, const char *what)
{
    return ssmh_error_set(err, SSMH_E_USAGE, _SSMH_REQUEST, path, "%s", what);
}

static int add_one(ssmh_weights_t w, size_t *total, const char *name, const json_t *spec,
                   const char *label, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char base[300], path[340];
    const json_t *dt, *sh, *data, *v;
    const char *key;
    slong shape[SSMH_TENSOR_MAX_DIM];
    unsigned char *bytes = NULL;
    size_t i, len = 0, at;
    int rc;
    _ssmh_path_key(base, sizeof(base), "$.tensors", name);
    if (!json_is_object(spec))
        return bad(err, base, "expects {\"dtype\", \"shape\", \"data\"}");
    json_object_foreach((json_t *)spec, key, v) {
        if (strcmp(key, "dtype") != 0 && strcmp(key, "shape") != 0 && strcmp(key, "data") != 0) {
            _ssmh_path_key(path, sizeof(path), base, key);
            return bad(err, path, "unknown key (a tensor has dtype, shape and data)");
        }
    }
    dt = json_object_get(spec, "dtype");
    sh = json_object_get(spec, "shape");
    data = json_object_get(spec, "data");
    _ssmh_path_key(path, sizeof(path), base, "dtype");
    if (!json_is_string(dt))
        return bad(err, path, "expects a dtype name (\"F32\", \"BF16\", \"C64\", \"<f8\", ...)");
    _ssmh_path_key(path, sizeof(path), base, "shape");
    if (!json_is_array(sh) || json_array_size(sh) > SSMH_TENSOR_MAX_DIM)
        return bad(err, path, "expects an array of at most 8 dimensions");
    for (i = 0; i < json_array_size(sh); i++) {
        v = json_array_get(sh, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return bad(err, path, "expects integers >= 0");
        shape[i] = (slong)json_integer_value(v);
    }
    _ssmh_path_key(path, sizeof(path), base, "data");
    if (data != NULL && !json_is_string(data))
        return bad(err, path, "expects the base64 text of the tensor's bytes");
    if (data != NULL) {
        rc = _ssmh_base64_decode(&bytes, &len, json_string_value(data), json_string_length(data),
                                 &at);
        if (rc == -2)
            return ssmh_error_set(err, SSMH_E_NOMEM, label, name, "out of memory");
        if (rc != 0)
            return ssmh_error_set(err, SSMH_E_PARSE, label, name,
                                  "the data is not canonical base64 (at character %zu of %zu)",
                                  at, json_string_length(data));
        if (len > lim->max_file_bytes - FLINT_MIN(*total, lim->max_file_bytes)) {
            free(bytes);
            return ssmh_error_set(err, SSMH_E_LIMIT, label, name,
                                  "the tensors' data pass the file limit of %zu bytes",
                                  lim->max_file_bytes);
        }
        *total += len;
    }
    rc = ssmh_weights_add(w, name, json_string_value(dt), (int)json_array_size(sh), shape,
                          data != NULL ? (const void *)bytes : NULL, len, err);
    free(bytes);
    if (rc == SSMH_E_USAGE) {   /* an unknown dtype: a member of the request */
        snprintf(err->file, sizeof(err->file), "%s", _SSMH_REQUEST);
        snprintf(err->path, sizeof(err->path), "%.240s.dtype", base);
    } else if (rc != SSMH_OK) {
        snprintf(err->file, sizeof(err->file), "%s", label);
    }
    return rc;
}

int _ssmh_req_weights(ssmh_weights_t w, const char **label, const json_t *req,
                      const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const char *path = NULL, *name;
    const json_t *ts = json_object_get(req, "tensors"), *spec;
    size_t total = 0;
    int rc;
    *label = TENSORS_LABEL;
    if ((rc = _ssmh_req_string(&path, req, "weights", err)) != SSMH_OK
        || (rc = _ssmh_req_string(label, req, "tensors_file", err)) != SSMH_OK)
        return rc;
    if (path != NULL && ts != NULL)
        return bad(err, "$", "give \"weights\" (a path) or \"tensors\", not both");
    if (path != NULL) {
        if (json_object_get(req, "tensors_file") != NULL)
            return bad(err, "$.tensors_file", "names inline \"tensors\" (the request has none)");
        if (path[0] == '\0' || strcmp(path, "-") == 0)
            return bad(err, "$.weights", "expects the path of a weight file or directory");
        *label = path;
        return ssmh_weights_open(w, path, lim, err);
    }
    if (ts == NULL)
        return bad(err, "$", "expects \"weights\" (the path of a weight file or directory) or "
                             "\"tensors\" (inline)");
    if (!json_is_object(ts))
        return bad(err, "$.tensors", "expects an object of tensors {name: {dtype, shape, data}}");
    json_object_foreach((json_t *)ts, name, spec) {
        if ((rc = add_one(w, &total, name, spec, *label, lim, err)) != SSMH_OK) {
            ssmh_weights_clear(w);
            return rc;
        }
    }
    return SSMH_OK;
}

int _ssmh_api_inspect(json_t *resp, const json_t *req, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_weights_t w;
    const char *label;
    int rc;
    ssmh_weights_init(w);
    if ((rc = _ssmh_req_weights(w, &label, req, lim, err)) == SSMH_OK)
        json_object_set_new(resp, "result",
                            json_pack("{s:s,s:o,s:o}", "file", label, "tensors",
                                      ssmh_weights_tensors_json(w), "modules",
                                      ssmh_weights_recognize(w)));
    ssmh_weights_clear(w);
    return rc;
}
