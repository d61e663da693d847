/*
 * Weight files: a directory of .npy files, .npz (zip of .npy, via libzip)
 * and .safetensors (8-byte length, JSON header, raw data).  Guarantee:
 * every size claimed by a header is checked against the bytes actually
 * present before anything is allocated for it; opening parses headers only,
 * and a tensor's data is decoded on demand, so a dtype that cannot be read
 * exactly (strings, objects, big-endian, Fortran order) is refused only when
 * something needs that tensor.  NaN/Inf and header lies are refused.
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
    w->buf_ = NULL;
}

void ssmh_weights_clear(ssmh_weights_t w)
{
    slong i;
    for (i = 0; i < w->n; i++) {
        free(w->t[i].name);
        free(w->t[i].own_);
        if (w->t[i].data)
            _fmpq_vec_clear(w->t[i].data, FLINT_MAX(1, (w->t[i].is_complex ? 2 : 1) * w->t[i].len));
    }
    free(w->t);
    free(w->buf_);
    ssmh_weights_init(w);
}

ssmh_tensor_struct *ssmh_weights_get(const ssmh_weights_t w, const char *prefix,
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

void _ssmh_tensor_describe(char *out, size_t size, const ssmh_tensor_struct *t)
{
    size_t k = 0;
    int i;
    k += (size_t)snprintf(out + k, size - k, "(");
    for (i = 0; i < t->ndim && k < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%s%ld", i ? ", " : "", (long)t->shape[i]);
    if (k < size)
        snprintf(out + k, size - k, "%s) %s", t->ndim == 1 ? "," : "", t->dtype);
}

int _ssmh_weights_add(ssmh_weights_t w, const char *name, int ndim, const slong *shape,
                      _ssmh_dtype_t t, const char *dtype_name, int fortran,
                      const unsigned char *raw, size_t nbytes, unsigned char *own,
                      const char *file, ssmh_error_t *err)
{
    /* Nothing is allocated in proportion to the shape here: the raw bytes
       are already held (bounded by the file limit) or absent (a tensor given
       by its shape only), so only the product must stay representable.  The
       element cap applies when a tensor is decoded, so a checkpoint's large
       embedding does not block importing its small SSM layers. */
    slong len = 1, i, max = WORD(1) << 58;
    int size = _ssmh_dtype_size(t);
    ssmh_tensor_struct *x, *nt;
    if (ndim < 0 || ndim > SSMH_TENSOR_MAX_DIM) {
        free(own);
        return ssmh_error_set(err, SSMH_E_SHAPE, file, name, "%d dimensions (at most %d)", ndim,
                              SSMH_TENSOR_MAX_DIM);
    }
    for (i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (shape[i] > 0 && len > max / shape[i])) {
            free(own);
            return ssmh_error_set(err, SSMH_E_LIMIT, file, name, "tensor too large");
        }
        len *= shape[i];
    }
    if (raw == NULL)
        nbytes = (size_t)len * (size_t)size;
    if (size != 0 && (size_t)len * (size_t)size != nbytes) {
        free(own);
        return ssmh_error_set(err, SSMH_E_PARSE, file, name,
                              "%zu bytes of data, the shape needs %zu (truncated or inconsistent)",
                              nbytes, (size_t)len * (size_t)size);
    }
    if (ssmh_weights_get(w, NULL, name) != NULL) {
        free(own);
        return ssmh_error_set(err, SSMH_E_VALUE, file, name, "duplicate tensor name");
    }
    nt = realloc(w->t, sizeof(ssmh_tensor_struct) * (size_t)(w->n + 1));
    if (nt == NULL) {
        free(own);
        return ssmh_error_set(err, SSMH_E_NOMEM, file, name, "out of memory");
    }
    w->t = nt;
    x = w->t + w->n;
    memset(x, 0, sizeof(*x));
    x->name = strdup(name);
    snprintf(x->dtype, sizeof(x->dtype), "%s", dtype_name);
    x->ndim = ndim;
    for (i = 0; i < ndim; i++)
        x->shape[i] = shape[i];
    x->len = len;
    x->kind_ = (int)t;
    x->is_complex = t == SSMH_DT_C64 || t == SSMH_DT_C128;
    x->readable = size != 0 && t != SSMH_DT_BIG_ENDIAN && !fortran;
    x->fortran_ = fortran;
    x->raw_ = raw;
    x->nbytes_ = nbytes;
    x->own_ = own;
    w->n++;
    return SSMH_OK;
}

int ssmh_weights_decode(ssmh_weights_t w, ssmh_tensor_struct *x, const char *file,
                        ssmh_error_t *err)
{
    _ssmh_dtype_t t = (_ssmh_dtype_t)x->kind_;
    slong i, parts = (x->is_complex ? 2 : 1) * x->len;
    int size;
    (void)w;
    if (x->data != NULL)
        return SSMH_OK;
    if (x->fortran_)
        return ssmh_error_set(err, SSMH_E_PARSE, file, x->name,
                              "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
    if (t == SSMH_DT_BIG_ENDIAN)
        return ssmh_error_set(err, SSMH_E_PARSE, file, x->name,
                              "dtype '%s' is not supported (big-endian: convert with "
                              "a.astype(a.dtype.newbyteorder('<')))", x->dtype);
    if (!x->readable)
        return ssmh_error_set(err, SSMH_E_PARSE, file, x->name,
                              "dtype '%s' is not supported: it cannot be read as exact numbers "
                              "(floats, complex, integers and bool can)", x->dtype);
    if (x->raw_ == NULL && parts > 0)
        return ssmh_error_set(err, SSMH_E_VALUE, file, x->name,
                              "was given by its dtype and shape only, without its data");
    if (parts > MAX_ELEMENTS)
        return ssmh_error_set(err, SSMH_E_LIMIT, file, x->name,
                              "%ld elements are more than the %ld one tensor may decode to",
                              (long)parts, (long)MAX_ELEMENTS);
    size = _ssmh_dtype_size(t) / (x->is_complex ? 2 : 1);
    x->data = _fmpq_vec_init(FLINT_MAX(1, parts));
    for (i = 0; i < parts; i++)
        if (_ssmh_decode(x->data + i, x->raw_ + (size_t)i * (size_t)size, t) != 0) {
            _fmpq_vec_clear(x->data, FLINT_MAX(1, parts));
            x->data = NULL;
            return ssmh_error_set(err, SSMH_E_VALUE, file, x->name,
                                  "element %ld is NaN or infinite", (long)(x->is_complex ? i / 2 : i));
        }
    return SSMH_OK;
}

/* ---- .npy ---------------------------------------------------------------- */
static _ssmh_dtype_t npy_dtype(const char *d)
{
    static const struct { const char *s; _ssmh_dtype_t t; } map[] = {
        {"<f8", SSMH_DT_F64}, {"<f4", SSMH_DT_F32}, {"<f2", SSMH_DT_F16},
        {"|i1", SSMH_DT_I8}, {"|u1", SSMH_DT_U8}, {"<i2", SSMH_DT_I16}, {"<u2", SSMH_DT_U16},
        {"<i4", SSMH_DT_I32}, {"<u4", SSMH_DT_U32}, {"<i8", SSMH_DT_I64}, {"<u8", SSMH_DT_U64},
        {"|b1", SSMH_DT_BOOL}, {"<c8", SSMH_DT_C64}, {"<c16", SSMH_DT_C128}};
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(d, map[i].s) == 0)
            return map[i].t;
    if (d[0] == '>' && strchr("fiuc", d[1]) != NULL)
        return SSMH_DT_BIG_ENDIAN;
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
                    unsigned char *own, const char *file, ssmh_error_t *err)
{
    size_t hl, off;
    char *h, descr[32];
    const char *p;
    slong shape[SSMH_TENSOR_MAX_DIM];
    int ndim = 0, rc, fortran = 0;
    _ssmh_dtype_t t = SSMH_DT_NONE;

    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
        free(own);
        return ssmh_error_set(err, SSMH_E_PARSE, file, name, "not a .npy array (bad magic)");
    }
    if (buf[6] == 1) {
        hl = (size_t)buf[8] | ((size_t)buf[9] << 8);
        off = 10;
    } else if (buf[6] == 2 || buf[6] == 3) {
        if (len < 12) {
            free(own);
            return ssmh_error_set(err, SSMH_E_PARSE, file, name, "truncated .npy header");
        }
        hl = (size_t)buf[8] | ((size_t)buf[9] << 8) | ((size_t)buf[10] << 16) | ((size_t)buf[11] << 24);
        off = 12;
    } else {
        free(own);
        return ssmh_error_set(err, SSMH_E_PARSE, file, name, "unsupported .npy version %d", buf[6]);
    }
    if (hl > len - off || hl > 1 << 20) {
        free(own);
        return ssmh_error_set(err, SSMH_E_PARSE, file, name, "truncated .npy header");
    }
    h = malloc(hl + 1);
    memcpy(h, buf + off, hl);
    h[hl] = '\0';
    rc = SSMH_OK;
    p = dict_value(h, "'descr'");
    if (p == NULL)
        rc = ssmh_error_set(err, SSMH_E_PARSE, file, name, "no 'descr' in the .npy header");
    else if (*p != '\'' || sscanf(p + 1, "%31[^']", descr) != 1)
        snprintf(descr, sizeof(descr), "structured");   /* a list of fields: readable by no layout */
    else
        t = npy_dtype(descr);
    if (rc == SSMH_OK) {
        p = dict_value(h, "'fortran_order'");
        if (p == NULL || (strncmp(p, "False", 5) != 0 && strncmp(p, "True", 4) != 0))
            rc = ssmh_error_set(err, SSMH_E_PARSE, file, name, "no 'fortran_order' in the .npy header");
        else
            fortran = strncmp(p, "True", 4) == 0;
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
    if (rc != SSMH_OK) {
        free(own);
        return rc;
    }
    return _ssmh_weights_add(w, name, ndim, shape, t, descr, fortran, buf + off + hl,
                             len - off - hl, own, file, err);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* ---- .npz ---------------------------------------------------------------- */
/* Each entry is inflated once (its bytes stay with its tensor); the total
   is bounded by the file limit. */
int _ssmh_npz_parse(ssmh_weights_t w, const unsigned char *data, size_t len, const char *path,
                    const ssmh_limits_t *lim, ssmh_error_t *err)
{
    int rc = SSMH_OK;
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;
    zip_int64_t n, i;
    size_t total = 0;
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
        if (st.size > lim->max_file_bytes || total + st.size > lim->max_file_bytes) {
            rc = ssmh_error_set(err, SSMH_E_LIMIT, path, st.name,
                                "the archive's entries inflate past the file limit of %zu bytes",
                                lim->max_file_bytes);
            break;
        }
        total += st.size;
        f = zip_fopen_index(z, (zip_uint64_t)i, 0);
        buf = malloc((size_t)st.size + 1);
        if (f == NULL || buf == NULL
            || zip_fread(f, buf, st.size) != (zip_int64_t)st.size) {
            free(buf);
            rc = ssmh_error_set(err, SSMH_E_PARSE, path, st.name, "cannot read this archive entry");
        } else {
            name = strdup(st.name);
            name[strlen(name) - 4] = '\0';
            rc = _ssmh_npy_parse(w, name, buf, (size_t)st.size, buf, path, err);
            free(name);
        }
        if (f)
            zip_fclose(f);
    }
    zip_discard(z);   /* frees the source too */
    return rc;
}

/* ---- .safetensors ---------------------------------------------------------- */
static _ssmh_dtype_t st_dtype(const char *d)
{
    static const struct { const char *s; _ssmh_dtype_t t; } map[] = {
        {"F64", SSMH_DT_F64}, {"F32", SSMH_DT_F32}, {"F16", SSMH_DT_F16}, {"BF16", SSMH_DT_BF16},
        {"I8", SSMH_DT_I8}, {"U8", SSMH_DT_U8}, {"I16", SSMH_DT_I16}, {"U16", SSMH_DT_U16},
        {"I32", SSMH_DT_I32}, {"U32", SSMH_DT_U32}, {"I64", SSMH_DT_I64}, {"U64", SSMH_DT_U64},
        {"BOOL", SSMH_DT_BOOL}, {"C64", SSMH_DT_C64}};
    size_t i;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(d, map[i].s) == 0)
            return map[i].t;
    return SSMH_DT_NONE;
}

int ssmh_weights_add(ssmh_weights_t w, const char *name, const char *dtype, int ndim,
                     const slong *shape, const void *data, size_t nbytes, ssmh_error_t *err)
{
    _ssmh_dtype_t t = st_dtype(dtype);
    unsigned char *copy;
    if (t == SSMH_DT_NONE)
        t = npy_dtype(dtype);
    if (data == NULL)   /* dtype and shape only: listed and recognized, never decoded */
        return _ssmh_weights_add(w, name, ndim, shape, t, dtype, 0, NULL, 0, NULL, "", err);
    if (t == SSMH_DT_NONE || t == SSMH_DT_BIG_ENDIAN)
        return ssmh_error_set(err, SSMH_E_USAGE, "", name, "dtype '%s' cannot be read exactly", dtype);
    copy = malloc(nbytes + 1);
    if (copy == NULL)
        return ssmh_error_set(err, SSMH_E_NOMEM, "", name, "out of memory");
    memcpy(copy, data, nbytes);
    return _ssmh_weights_add(w, name, ndim, shape, t, dtype, 0, copy, nbytes, copy, "", err);
}

/* The tensors point into `data`, which w must own (or outlive w). */
static int safetensors_headers(ssmh_weights_t w, const unsigned char *data, size_t len,
                               const char *path, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const char *buf = (const char *)data;
    size_t hl, dlen;
    json_t *root;
    const char *key;
    json_t *val;
    int rc = SSMH_OK, i;
    if (len < 8)
        return ssmh_error_set(err, SSMH_E_PARSE, path, "", "truncated .safetensors file (no header length)");
    hl = 0;
    for (i = 7; i >= 0; i--)
        hl = (hl << 8) | (unsigned char)buf[i];
    if (hl > len - 8)
        return ssmh_error_set(err, SSMH_E_PARSE, path, "",
                              "header length %zu runs past the end of the file", hl);
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
        rc = _ssmh_weights_add(w, key, nd, shape, st_dtype(json_string_value(dt)),
                               json_string_value(dt), 0, data + 8 + hl + b, (size_t)(e - b),
                               NULL, path, err);
    }
    json_decref(root);
    return rc;
}

int _ssmh_safetensors_parse(ssmh_weights_t w, const unsigned char *data, size_t len,
                            const char *path, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    unsigned char *copy = malloc(len + 1);
    if (copy == NULL)
        return ssmh_error_set(err, SSMH_E_NOMEM, path, "", "out of memory");
    memcpy(copy, data, len);
    free(w->buf_);
    w->buf_ = copy;
    return safetensors_headers(w, copy, len, path, lim, err);
}

/* ---- a directory of .npy files -------------------------------------------- */
static int read_npy_file(ssmh_weights_t w, const char *name, const char *full,
                         const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char *buf;
    size_t len;
    int rc;
    if ((rc = ssmh_file_read(&buf, &len, full, lim->max_file_bytes, err)) != SSMH_OK)
        return rc;
    return _ssmh_npy_parse(w, name, (const unsigned char *)buf, len, (unsigned char *)buf, full, err);
}

static int read_dir(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int rc = SSMH_OK;
    if (d == NULL)
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot open the directory");
    while (rc == SSMH_OK && (e = readdir(d)) != NULL) {
        char full[4096], *name;
        if (!ends_with(e->d_name, ".npy"))
            continue;
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        name = strdup(e->d_name);
        name[strlen(name) - 4] = '\0';
        rc = read_npy_file(w, name, full, lim, err);
        free(name);
    }
    closedir(d);
    return rc;
}

int ssmh_weights_open(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim_in,
                      ssmh_error_t *err)
{
    ssmh_limits_t deflim;
    struct stat st;
    int rc;
    char *buf;
    size_t len;
    if (lim_in == NULL) {
        ssmh_limits_default(&deflim);
        lim_in = &deflim;
    }
    ssmh_weights_clear(w);
    if (stat(path, &st) != 0)
        return ssmh_error_set(err, SSMH_E_IO, path, "", "cannot open: no such file or directory");
    if (S_ISDIR(st.st_mode))
        rc = read_dir(w, path, lim_in, err);
    else if (ends_with(path, ".npz") || ends_with(path, ".safetensors")) {
        if ((rc = ssmh_file_read(&buf, &len, path, lim_in->max_file_bytes, err)) == SSMH_OK) {
            if (ends_with(path, ".npz")) {
                rc = _ssmh_npz_parse(w, (const unsigned char *)buf, len, path, lim_in, err);
                free(buf);
            } else {
                w->buf_ = (unsigned char *)buf;
                rc = safetensors_headers(w, w->buf_, len, path, lim_in, err);
            }
        }
    } else if (ends_with(path, ".npy"))
        rc = read_npy_file(w, "", path, lim_in, err);
    else
        rc = ssmh_error_set(err, SSMH_E_USAGE, path, "",
                            "unknown weight format (expected a directory of .npy, .npz or .safetensors)");
    if (rc != SSMH_OK)
        ssmh_weights_clear(w);
    return rc;
}

int ssmh_weights_read(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim,
                      ssmh_error_t *err)
{
    slong i;
    int rc = ssmh_weights_open(w, path, lim, err);
    for (i = 0; rc == SSMH_OK && i < w->n; i++)
        rc = ssmh_weights_decode(w, w->t + i, path, err);
    if (rc != SSMH_OK)
        ssmh_weights_clear(w);
    return rc;
}
