/*
 * Weight files: a directory of .npy files, .npz (zip of .npy, via libzip)
 * and .safetensors (8-byte length, JSON header, raw data).  Guarantee: every
 * size claimed by a header is checked against the bytes actually present
 * before anything is allocated for it; dtypes other than little-endian
 * floats and integers, Fortran order, NaN/Inf and header lies are refused.
 */
#include "weights-impl.h"
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#define MAX_ELEMENTS (WORD(1) << 26)

void ssmh_weights_init(ssmh_weights_t w)
{
    w->n = 0;
    w->t = NULL;
}

void ssmh_weights_clear(ssmh_weights_t w)
{
    slong i;
    for (i = 0; i < w->n; i++) {
        free(w->t[i].name);
        if (w->t[i].data)
            _fmpq_vec_clear(w->t[i].data, FLINT_MAX(1, w->t[i].len));
    }
    free(w->t);
    ssmh_weights_init(w);
}

const ssmh_tensor_struct *ssmh_weights_get(const ssmh_weights_t w, const char *prefix,
                                           const char *name)
{
    slong i;
    size_t lp = prefix ? strlen(prefix) : 0;
    for (i = 0; i < w->n; i++)
        if ((lp == 0 || strncmp(w->t[i].name, prefix, lp) == 0)
            && strcmp(w->t[i].name + lp, name) == 0)
            return w->t + i;
    return NULL;
}

int _ssmh_weights_add(ssmh_weights_t w, const char *name, int ndim, const slong *shape,
                      _ssmh_dtype_t t, const unsigned char *data, size_t nbytes,
                      const char *file, ssmh_error_t *err)
{
    slong len = 1, i;
    int size = _ssmh_dtype_size(t);
    ssmh_tensor_struct *x;
    if (size == 0)
        return ssmh_error_set(err, SSMH_E_PARSE, file, name, "unsupported dtype");
    if (ndim < 0 || ndim > SSMH_TENSOR_MAX_DIM)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, name, "%d dimensions (at most %d)", ndim,
                              SSMH_TENSOR_MAX_DIM);
    for (i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (shape[i] > 0 && len > MAX_ELEMENTS / shape[i]))
            return ssmh_error_set(err, SSMH_E_LIMIT, file, name, "tensor too large");
        len *= shape[i];
    }
    if ((size_t)len * (size_t)size != nbytes)
        return ssmh_error_set(err, SSMH_E_PARSE, file, name,
                              "%zu bytes of data, the shape needs %zu (truncated or inconsistent)",
                              nbytes, (size_t)len * (size_t)size);
    if (ssmh_weights_get(w, NULL, name) != NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, name, "duplicate tensor name");
    w->t = realloc(w->t, sizeof(ssmh_tensor_struct) * (size_t)(w->n + 1));
    if (w->t == NULL)
        return ssmh_error_set(err, SSMH_E_NOMEM, file, name, "out of memory");
    x = w->t + w->n;
    memset(x, 0, sizeof(*x));
    x->name = strdup(name);
    x->ndim = ndim;
    for (i = 0; i < ndim; i++)
        x->shape[i] = shape[i];
    x->len = len;
    x->data = _fmpq_vec_init(FLINT_MAX(1, len));
    w->n++;
    for (i = 0; i < len; i++)
        if (_ssmh_decode(x->data + i, data + (size_t)i * (size_t)size, t) != 0)
            return ssmh_error_set(err, SSMH_E_VALUE, file, name,
                                  "element %ld is NaN or infinite", (long)i);
    return SSMH_OK;
}

/* ---- .npy ---------------------------------------------------------------- */
static _ssmh_dtype_t npy_dtype(const char *d)
{
    static const struct { const char *s; _ssmh_dtype_t t; } map[] = {
        {"<f8", SSMH_DT_F64}, {"<f4", SSMH_DT_F32}, {"<f2", SSMH_DT_F16},
        {"|i1", SSMH_DT_I8}, {"|u1", SSMH_DT_U8}, {"<i2", SSMH_DT_I16}, {"<u2", SSMH_DT_U16},
        {"<i4", SSMH_DT_I32}, {"<u4", SSMH_DT_U32}, {"<i8", SSMH_DT_I64}, {"<u8", SSMH_DT_U64}};
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(d, map[i].s) == 0)
            return map[i].t;
    return SSMH_DT_NONE;
}

/* the value after 'key': in a Python dict literal (NUL-terminated copy h) */
static const char *dict_value(const char *h, const char *key)
{
    const char *p = strstr(h, key);
    if (p == NULL)
        return NULL;
    p += strlen(key);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

int _ssmh_npy_parse(ssmh_weights_t w, const char *name, const unsigned char *buf, size_t len,
                    const char *file, ssmh_error_t *err)
{
    size_t hl, off;
    char *h, descr[16];
    const char *p;
    slong shape[SSMH_TENSOR_MAX_DIM];
    int ndim = 0, rc, i;
    _ssmh_dtype_t t;

    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return ssmh_error_set(err, SSMH_E_PARSE, file, name, "not a .npy array (bad magic)");
    if (buf[6] == 1) {
        hl = (size_t)buf[8] | ((size_t)buf[9] << 8);
        off = 10;
    } else if (buf[6] == 2 || buf[6] == 3) {
        if (len < 12)
            return ssmh_error_set(err, SSMH_E_PARSE, file, name, "truncated .npy header");
        hl = (size_t)buf[8] | ((size_t)buf[9] << 8) | ((size_t)buf[10] << 16) | ((size_t)buf[11] << 24);
        off = 12;
    } else {
        return ssmh_error_set(err, SSMH_E_PARSE, file, name, "unsupported .npy version %d", buf[6]);
    }
    if (hl > len - off || hl > 1 << 20)
        return ssmh_error_set(err, SSMH_E_PARSE, file, name, "truncated .npy header");
    h = malloc(hl + 1);
    memcpy(h, buf + off, hl);
    h[hl] = '\0';
    rc = SSMH_OK;
    p = dict_value(h, "'descr'");
    if (p == NULL || *p != '\'' || sscanf(p + 1, "%15[^']", descr) != 1)
        rc = ssmh_error_set(err, SSMH_E_PARSE, file, name, "no 'descr' in the .npy header");
    else if ((t = npy_dtype(descr)) == SSMH_DT_NONE)
        rc = ssmh_error_set(err, SSMH_E_PARSE, file, name,
                            "dtype '%s' is not supported (little-endian float16/32/64 or integers; "
                            "convert big-endian or complex arrays first)", descr);
    if (rc == SSMH_OK) {
        p = dict_value(h, "'fortran_order'");
        if (p == NULL || strncmp(p, "False", 5) != 0)
            rc = ssmh_error_set(err, SSMH_E_PARSE, file, name,
                                "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
    }
    if (rc == SSMH_OK) {
        p = dict_value(h, "'shape'");
        if (p == NULL || *p != '(')
            rc = ssmh_error_set(err, SSMH_E_PARSE, file, name, "no 'shape' in the .npy header");
        else {
            p++;
            while (rc == SSMH_OK) {
                char *end;
                long v;
                while (*p == ' ' || *p == ',')
                    p++;
                if (*p == ')')
                    break;
                v = strtol(p, &end, 10);
                if (end == p || v < 0 || ndim == SSMH_TENSOR_MAX_DIM)
                    rc = ssmh_error_set(err, SSMH_E_PARSE, file, name, "bad shape in the .npy header");
                else
                    shape[ndim++] = v;
                p = end;
            }
        }
    }
    free(h);
    if (rc != SSMH_OK)
        return rc;
    (void)i;
    return _ssmh_weights_add(w, name, ndim, shape, t, buf + off + hl, len - off - hl, file, err);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* ---- .npz ---------------------------------------------------------------- */
int _ssmh_npz_parse(ssmh_weights_t w, const unsigned char *data, size_t len, const char *path,
                    const ssmh_limits_t *lim, ssmh_error_t *err)
{
    int rc = SSMH_OK;
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;
    zip_int64_t n, i;
    zip_error_init(&ze);
    src = zip_source_buffer_create(data, len, 0, &ze);
    z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    zip_error_fini(&ze);
    if (z == NULL) {
        if (src)
            zip_source_free(src);
        return ssmh_error_set(err, SSMH_E_PARSE, path, "", "cannot open as a .npz (zip) archive");
    }
    n = zip_get_num_entries(z, 0);
    for (i = 0; i < n && rc == SSMH_OK; i++) {
        zip_stat_t st;
        zip_file_t *f;
        unsigned char *buf;
        char *name;
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)
            || !(st.valid & ZIP_STAT_NAME) || !ends_with(st.name, ".npy"))
            continue;
        if (st.size > lim->max_file_bytes) {
            rc = ssmh_error_set(err, SSMH_E_LIMIT, path, st.name, "entry larger than the file limit");
            break;
        }
        f = zip_fopen_index(z, (zip_uint64_t)i, 0);
        buf = malloc((size_t)st.size + 1);
        if (f == NULL || buf == NULL
            || zip_fread(f, buf, st.size) != (zip_int64_t)st.size) {
            rc = ssmh_error_set(err, SSMH_E_PARSE, path, st.name, "cannot read this archive entry");
        } else {
            name = strdup(st.name);
            name[strlen(name) - 4] = '\0';
            rc = _ssmh_npy_parse(w, name, buf, (size_t)st.size, path, err);
            free(name);
        }
        if (f)
            zip_fclose(f);
        free(buf);
    }
    zip_discard(z);   /* frees the source too */
    return rc;
}

static int read_npz(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char *buf;
    size_t len;
    int rc;
    if ((rc = ssmh_file_read(&buf, &len, path, lim->max_file_bytes, err)) != SSMH_OK)
        return rc;
    rc = _ssmh_npz_parse(w, (const unsigned char *)buf, len, path, lim, err);
    free(buf);
    return rc;
}

/* ---- .safetensors ---------------------------------------------------------- */
static _ssmh_dtype_t st_dtype(const char *d)
{
    static const struct { const char *s; _ssmh_dtype_t t; } map[] = {
        {"F64", SSMH_DT_F64}, {"F32", SSMH_DT_F32}, {"F16", SSMH_DT_F16}, {"BF16", SSMH_DT_BF16},
        {"I8", SSMH_DT_I8}, {"U8", SSMH_DT_U8}, {"I16", SSMH_DT_I16}, {"U16", SSMH_DT_U16},
        {"I32", SSMH_DT_I32}, {"U32", SSMH_DT_U32}, {"I64", SSMH_DT_I64}, {"U64", SSMH_DT_U64}};
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(d, map[i].s) == 0)
            return map[i].t;
    return SSMH_DT_NONE;
}

int _ssmh_safetensors_parse(ssmh_weights_t w, const unsigned char *data, size_t len,
                            const char *path, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const char *buf = (const char *)data;
    size_t hl, dlen;
    json_t *root;
    const char *key;
    json_t *val;
    int rc = SSMH_OK, i;
    if (len < 8) {
        return ssmh_error_set(err, SSMH_E_PARSE, path, "", "truncated .safetensors file (no header length)");
    }
    hl = 0;
    for (i = 7; i >= 0; i--)
        hl = (hl << 8) | (unsigned char)buf[i];
    if (hl > len - 8) {
        return ssmh_error_set(err, SSMH_E_PARSE, path, "",
                              "header length %zu runs past the end of the file", hl);
    }
    root = ssmh_json_parse(buf + 8, hl, path, lim, err);
    if (root == NULL)
        return err ? err->code : SSMH_E_PARSE;
    dlen = len - 8 - hl;
    rc = json_is_object(root) ? SSMH_OK
                              : ssmh_error_set(err, SSMH_E_PARSE, path, "$", "the header is not a JSON object");
    json_object_foreach(root, key, val) {
        const json_t *dt, *sh, *of;
        slong shape[SSMH_TENSOR_MAX_DIM];
        json_int_t b, e;
        int nd;
        char jp[300];
        if (rc != SSMH_OK)
            break;
        if (strcmp(key, "__metadata__") == 0)
            continue;
        _ssmh_path_key(jp, sizeof(jp), "$", key);
        dt = json_object_get(val, "dtype");
        sh = json_object_get(val, "shape");
        of = json_object_get(val, "data_offsets");
        if (!json_is_string(dt) || !json_is_array(sh) || !json_is_array(of) || json_array_size(of) != 2
            || json_array_size(sh) > SSMH_TENSOR_MAX_DIM) {
            rc = ssmh_error_set(err, SSMH_E_PARSE, path, jp, "expected dtype, shape and data_offsets");
            break;
        }
        nd = (int)json_array_size(sh);
        for (i = 0; i < nd && rc == SSMH_OK; i++) {
            const json_t *d = json_array_get(sh, (size_t)i);
            if (!json_is_integer(d) || json_integer_value(d) < 0)
                rc = ssmh_error_set(err, SSMH_E_PARSE, path, jp, "shape entries must be integers >= 0");
            else
                shape[i] = (slong)json_integer_value(d);
        }
        if (rc != SSMH_OK)
            break;
        if (!json_is_integer(json_array_get(of, 0)) || !json_is_integer(json_array_get(of, 1))) {
            rc = ssmh_error_set(err, SSMH_E_PARSE, path, jp, "data_offsets must be integers");
            break;
        }
        b = json_integer_value(json_array_get(of, 0));
        e = json_integer_value(json_array_get(of, 1));
        if (b < 0 || e < b || (size_t)e > dlen) {
            rc = ssmh_error_set(err, SSMH_E_PARSE, path, jp,
                                "data_offsets [%lld, %lld] lie outside the %zu data bytes",
                                (long long)b, (long long)e, dlen);
            break;
        }
        if (st_dtype(json_string_value(dt)) == SSMH_DT_NONE) {
            rc = ssmh_error_set(err, SSMH_E_PARSE, path, jp, "dtype %s is not supported",
                                json_string_value(dt));
            break;
        }
        rc = _ssmh_weights_add(w, key, nd, shape, st_dtype(json_string_value(dt)),
                               (const unsigned char *)buf + 8 + hl + b, (size_t)(e - b), path, err);
    }
    json_decref(root);
    return rc;
}

static int read_safetensors(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim,
                            ssmh_error_t *err)
{
    char *buf;
    size_t len;
    int rc;
    if ((rc = ssmh_file_read(&buf, &len, path, lim->max_file_bytes, err)) != SSMH_OK)
        return rc;
    rc = _ssmh_safetensors_parse(w, (const unsigned char *)buf, len, path, lim, err);
    free(buf);
    return rc;
}

/* ---- a directory of .npy files -------------------------------------------- */
static int read_dir(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int rc = SSMH_OK;
    if (d == NULL)
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot open the directory");
    while (rc == SSMH_OK && (e = readdir(d)) != NULL) {
        char full[4096], *buf, *name;
        size_t len;
        if (!ends_with(e->d_name, ".npy"))
            continue;
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        if ((rc = ssmh_file_read(&buf, &len, full, lim->max_file_bytes, err)) != SSMH_OK)
            break;
        name = strdup(e->d_name);
        name[strlen(name) - 4] = '\0';
        rc = _ssmh_npy_parse(w, name, (const unsigned char *)buf, len, full, err);
        free(name);
        free(buf);
    }
    closedir(d);
    return rc;
}

int ssmh_weights_read(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim_in,
                      ssmh_error_t *err)
{
    ssmh_limits_t deflim;
    struct stat st;
    int rc;
    if (lim_in == NULL) {
        ssmh_limits_default(&deflim);
        lim_in = &deflim;
    }
    ssmh_weights_clear(w);
    if (stat(path, &st) != 0)
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot open: no such file or directory");
    if (S_ISDIR(st.st_mode))
        rc = read_dir(w, path, lim_in, err);
    else if (ends_with(path, ".npz"))
        rc = read_npz(w, path, lim_in, err);
    else if (ends_with(path, ".safetensors"))
        rc = read_safetensors(w, path, lim_in, err);
    else if (ends_with(path, ".npy")) {
        char *buf;
        size_t len;
        if ((rc = ssmh_file_read(&buf, &len, path, lim_in->max_file_bytes, err)) == SSMH_OK) {
            rc = _ssmh_npy_parse(w, "", (const unsigned char *)buf, len, path, err);
            free(buf);
        }
    } else
        rc = ssmh_error_set(err, SSMH_E_USAGE, path, "",
                            "unknown weight format (expected a directory of .npy, .npz or .safetensors)");
    if (rc != SSMH_OK)
        ssmh_weights_clear(w);
    return rc;
}
