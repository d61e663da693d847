/*
 * Strict JSON reading and exact-number writing shared by every file format.
 * Guarantee: numbers are read exactly or refused with the JSON path; a
 * matrix is allocated only after its shape has been checked.
 */
#include "ssmheads-impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *ssmh_json_parse(const char *buf, size_t len, const char *file,
                        const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_error_t je;
    json_t *root;

    if (lim && lim->max_file_bytes && len > lim->max_file_bytes) {
        ssmh_error_set(err, SSMH_E_LIMIT, file, "$",
                       "file larger than the limit of %zu bytes", lim->max_file_bytes);
        return NULL;
    }
    if (memchr(buf, '\0', len) != NULL) {
        ssmh_error_set(err, SSMH_E_PARSE, file, "$",
                       "not a JSON text (contains NUL bytes: a binary file?)");
        return NULL;
    }
    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        const char *hint = "";
        if (strstr(je.text, "too big integer"))
            hint = " (write large integers as strings, e.g. \"123456789012345678901\")";
        else if (strstr(je.text, "real number overflow")
                 || strstr(je.text, "real number underflow"))
            hint = " (write numbers as strings so they can be read exactly)";
        ssmh_error_set(err, SSMH_E_PARSE, file, "$", "invalid JSON at line %d, column %d: %s%s",
                       je.line, je.column, je.text, hint);
        if (err) {
            err->line = je.line;
            err->column = je.column;
        }
        return NULL;
    }
    return root;
}

int ssmh_json_get_rational(fmpq_t out, const json_t *v, const char *file,
                           const char *path, const ssmh_limits_t *lim,
                           ssmh_error_t *err)
{
    if (json_is_string(v)) {
        const char *why = NULL;
        const char *s = json_string_value(v);
        int rc;
        if (strlen(s) != json_string_length(v))
            return ssmh_error_set(err, SSMH_E_PARSE, file, path,
                                  "not a number (string contains NUL)");
        rc = ssmh_rational_parse(out, s, lim ? lim->max_digits : 0, &why);
        if (rc != SSMH_OK) {
            if (rc == SSMH_E_LIMIT)
                return ssmh_error_set(err, rc, file, path,
                                      "%s (limit %ld digits)", why,
                                      lim ? lim->max_digits : 100000L);
            return ssmh_error_set(err, rc, file, path, "%s: \"%.40s%s\"", why, s,
                                  strlen(s) > 40 ? "..." : "");
        }
        return SSMH_OK;
    }
    if (json_is_integer(v)) {
        fmpz_set_si(fmpq_numref(out), (slong)json_integer_value(v));
        fmpz_one(fmpq_denref(out));
        return SSMH_OK;
    }
    if (json_is_real(v))
        return ssmh_error_set(err, SSMH_E_PARSE, file, path,
                              "JSON real number %.17g cannot be read exactly: quote it as a string (\"%.17g\") or write p/q",
                              json_real_value(v), json_real_value(v));
    if (json_is_boolean(v))
        return ssmh_error_set(err, SSMH_E_PARSE, file, path, "expected a number, got a boolean");
    if (json_is_null(v))
        return ssmh_error_set(err, SSMH_E_PARSE, file, path, "expected a number, got null");
    if (json_is_array(v))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path, "expected a number, got an array");
    return ssmh_error_set(err, SSMH_E_PARSE, file, path, "expected a number, got an object");
}

/* One entry: the fast path parses without building a path; only a failure
   builds "$...[i][j]" and re-reads the value for the message. */
static int get_entry(fmpq_t out, const json_t *v, const char *file, const char *path,
                     long i, long j, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char p[300], q[300];
    if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)
        && ssmh_rational_parse(out, json_string_value(v), lim ? lim->max_digits : 0, NULL) == SSMH_OK)
        return SSMH_OK;
    _ssmh_path_index(p, sizeof(p), path, i);
    if (j >= 0)
        _ssmh_path_index(q, sizeof(q), p, j);
    else
        strcpy(q, p);
    return ssmh_json_get_rational(out, v, file, q, lim, err);
}

/* The sparse form {"rows": R, "cols": C, "entries": [[i, j, v], ...]}:
   0-based positions, strictly increasing in row-major order, every other
   entry 0.  R * C is bounded before anything is allocated (a dense copy
   must stay possible).  Sets *r, *c and *je; the values are read by the
   caller. */
static int sparse_shape(slong *r, slong *c, const json_t **je, const json_t *v, slong rows,
                        slong cols, const char *file, const char *path,
                        const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char p[300], q[300];
    const char *key;
    json_t *val;
    const json_t *jr = json_object_get(v, "rows"), *jc = json_object_get(v, "cols");
    long maxd = lim ? lim->max_dim : (1L << 16);
    slong n, t, last = -1;

    *je = json_object_get(v, "entries");
    json_object_foreach((json_t *)v, key, val) {
        if (strcmp(key, "rows") && strcmp(key, "cols") && strcmp(key, "entries")) {
            _ssmh_path_key(p, sizeof(p), path, key);
            return ssmh_error_set(err, SSMH_E_VALUE, file, p,
                                  "unknown key (a sparse matrix has \"rows\", \"cols\" and \"entries\")");
        }
    }
    if (!json_is_integer(jr) || !json_is_integer(jc) || !json_is_array(*je))
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path,
                              "expected a matrix: an array of rows, or {\"rows\": R, \"cols\": C, \"entries\": [[i, j, value], ...]}");
    if (json_integer_value(jr) < 0 || json_integer_value(jc) < 0)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path, "negative matrix dimension");
    if (json_integer_value(jr) > maxd || json_integer_value(jc) > maxd)
        return ssmh_error_set(err, SSMH_E_LIMIT, file, path,
                              "%ld x %ld exceeds the dimension limit %ld",
                              (long)json_integer_value(jr), (long)json_integer_value(jc), maxd);
    *r = (slong)json_integer_value(jr);
    *c = (slong)json_integer_value(jc);
    if (*r * *c > SSMH_MAX_MATRIX_ENTRIES)
        return ssmh_error_set(err, SSMH_E_LIMIT, file, path,
                              "%ld x %ld has more than %ld entries", (long)*r, (long)*c,
                              (long)SSMH_MAX_MATRIX_ENTRIES);
    if (rows >= 0 && *r != rows)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path, "expected %ld rows, found %ld",
                              (long)rows, (long)*r);
    if (cols >= 0 && *c != cols)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path, "expected %ld columns, found %ld",
                              (long)cols, (long)*c);
    n = (slong)json_array_size(*je);
    _ssmh_path_key(q, sizeof(q), path, "entries");
    for (t = 0; t < n; t++) {
        const json_t *e = json_array_get(*je, (size_t)t);
        const json_t *ji = json_array_get(e, 0), *jj = json_array_get(e, 1);
        if (!json_is_array(e) || json_array_size(e) != 3 || !json_is_integer(ji)
            || !json_is_integer(jj)) {
            _ssmh_path_index(p, sizeof(p), q, (long)t);
            return ssmh_error_set(err, SSMH_E_SHAPE, file, p, "expected [row, column, value]");
        }
        if (json_integer_value(ji) < 0 || json_integer_value(ji) >= *r
            || json_integer_value(jj) < 0 || json_integer_value(jj) >= *c) {
            _ssmh_path_index(p, sizeof(p), q, (long)t);
            return ssmh_error_set(err, SSMH_E_SHAPE, file, p,
                                  "position (%ld, %ld) outside the %ld x %ld matrix",
                                  (long)json_integer_value(ji), (long)json_integer_value(jj),
                                  (long)*r, (long)*c);
        }
        if ((slong)json_integer_value(ji) * *c + (slong)json_integer_value(jj) <= last) {
            _ssmh_path_index(p, sizeof(p), q, (long)t);
            return ssmh_error_set(err, SSMH_E_VALUE, file, p,
                                  "positions must strictly increase in row-major order");
        }
        last = (slong)json_integer_value(ji) * *c + (slong)json_integer_value(jj);
    }
    return SSMH_OK;
}

/* Value t of a validated sparse form, into out. */
static int sparse_value(fmpq_t out, const json_t *je, slong t, const char *file,
                        const char *path, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char p[300], q[300];
    _ssmh_path_key(q, sizeof(q), path, "entries");
    _ssmh_path_index(p, sizeof(p), q, (long)t);
    return get_entry(out, json_array_get(json_array_get(je, (size_t)t), 2), file, p, 2, -1, lim,
                     err);
}

static slong sparse_pos(const json_t *je, slong t, int k)
{
    return (slong)json_integer_value(json_array_get(json_array_get(je, (size_t)t), (size_t)k));
}

/* The array-of-rows form: an array of r equal-length rows (c entries),
   within the dimension limit and the expected shape.  r = 0 takes c =
   cols (0 when any). */
static int dense_shape(slong *r, slong *c, const json_t *v, slong rows, slong cols,
                       const char *file, const char *path, const ssmh_limits_t *lim,
                       ssmh_error_t *err)
{
    char p[300];
    slong i;
    long maxd = lim ? lim->max_dim : (1L << 16);

    if (!json_is_array(v))
        return ssmh_error_set(err, SSMH_E_PARSE, file, path,
                              "expected a matrix (an array of rows)");
    *r = (slong)json_array_size(v);
    *c = 0;
    if (*r > maxd)
        return ssmh_error_set(err, SSMH_E_LIMIT, file, path,
                              "%ld rows exceed the dimension limit %ld", (long)*r, maxd);
    if (rows >= 0 && *r != rows)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path,
                              "expected %ld rows, found %ld", (long)rows, (long)*r);
    if (*r == 0) {
        *c = cols < 0 ? 0 : cols;
        return SSMH_OK;
    }
    for (i = 0; i < *r; i++) {
        const json_t *row = json_array_get(v, (size_t)i);
        _ssmh_path_index(p, sizeof(p), path, (long)i);
        if (!json_is_array(row))
            return ssmh_error_set(err, SSMH_E_SHAPE, file, p,
                                  "expected a row (an array of numbers)");
        if (i == 0)
            *c = (slong)json_array_size(row);
        if ((slong)json_array_size(row) > maxd)
            return ssmh_error_set(err, SSMH_E_LIMIT, file, p,
                                  "%ld columns exceed the dimension limit %ld",
                                  (long)json_array_size(row), maxd);
        if ((slong)json_array_size(row) != *c)
            return ssmh_error_set(err, SSMH_E_SHAPE, file, p,
                                  "ragged rows: %ld entries, row 0 has %ld",
                                  (long)json_array_size(row), (long)*c);
    }
    if (cols >= 0 && *c != cols)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path,
                              "expected %ld columns, found %ld", (long)cols, (long)*c);
    return SSMH_OK;
}

int ssmh_json_get_matrix(fmpq_mat_t out, const json_t *v, slong rows,
                         slong cols, const char *file, const char *path,
                         const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const json_t *je;
    slong r, c, i, j, t;
    int rc;

    if (json_is_object(v)) {
        if ((rc = sparse_shape(&r, &c, &je, v, rows, cols, file, path, lim, err)) != SSMH_OK)
            return rc;
        fmpq_mat_clear(out);
        fmpq_mat_init(out, r, c);
        for (t = 0; t < (slong)json_array_size(je); t++)
            if ((rc = sparse_value(fmpq_mat_entry(out, sparse_pos(je, t, 0), sparse_pos(je, t, 1)),
                                   je, t, file, path, lim, err)) != SSMH_OK)
                return rc;
        return SSMH_OK;
    }
    if ((rc = dense_shape(&r, &c, v, rows, cols, file, path, lim, err)) != SSMH_OK)
        return rc;
    fmpq_mat_clear(out);
    fmpq_mat_init(out, r, c);
    for (i = 0; i < r; i++) {
        const json_t *row = json_array_get(v, (size_t)i);
        for (j = 0; j < c; j++) {
            rc = get_entry(fmpq_mat_entry(out, i, j), json_array_get(row, (size_t)j), file,
                           path, (long)i, (long)j, lim, err);
            if (rc != SSMH_OK)
                return rc;
        }
    }
    return SSMH_OK;
}

int _ssmh_json_get_spmat(ssmh_spmat_t out, const json_t *v, slong rows, slong cols,
                         const char *file, const char *path, const ssmh_limits_t *lim,
                         ssmh_error_t *err)
{
    const json_t *je;
    slong r, c, i, j, t, n;
    fmpq_t x;
    int rc = SSMH_OK;

    if (json_is_object(v))
        rc = sparse_shape(&r, &c, &je, v, rows, cols, file, path, lim, err);
    else
        rc = dense_shape(&r, &c, v, rows, cols, file, path, lim, err);
    if (rc != SSMH_OK)
        return rc;
    ssmh_spmat_clear(out);
    ssmh_spmat_init(out, r, c);
    fmpq_init(x);
    if (json_is_object(v)) {
        n = (slong)json_array_size(je);
        _ssmh_spmat_fit(out, n);
        for (t = 0; t < n && rc == SSMH_OK; t++)
            if ((rc = sparse_value(x, je, t, file, path, lim, err)) == SSMH_OK)
                _ssmh_spmat_append_swap(out, sparse_pos(je, t, 0), sparse_pos(je, t, 1), x);
    } else {
        for (i = 0; i < r && rc == SSMH_OK; i++) {
            const json_t *row = json_array_get(v, (size_t)i);
            for (j = 0; j < c && rc == SSMH_OK; j++)
                if ((rc = get_entry(x, json_array_get(row, (size_t)j), file, path, (long)i,
                                    (long)j, lim, err)) == SSMH_OK)
                    _ssmh_spmat_append_swap(out, i, j, x);
        }
    }
    fmpq_clear(x);
    _ssmh_spmat_finish(out);
    return rc;
}

int ssmh_json_get_vector(fmpq_mat_t out, const json_t *v, slong n,
                         const char *file, const char *path,
                         const ssmh_limits_t *lim, ssmh_error_t *err)
{
    slong len, i;
    long maxd = lim ? lim->max_dim : (1L << 16);

    if (!json_is_array(v))
        return ssmh_error_set(err, SSMH_E_PARSE, file, path,
                              "expected a vector (an array of numbers)");
    len = (slong)json_array_size(v);
    if (len > maxd)
        return ssmh_error_set(err, SSMH_E_LIMIT, file, path,
                              "%ld entries exceed the dimension limit %ld", (long)len, maxd);
    if (n >= 0 && len != n)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path,
                              "expected %ld entries, found %ld", (long)n, (long)len);
    fmpq_mat_clear(out);
    fmpq_mat_init(out, len, 1);
    for (i = 0; i < len; i++) {
        int rc = get_entry(fmpq_mat_entry(out, i, 0), json_array_get(v, (size_t)i), file, path,
                           (long)i, -1, lim, err);
        if (rc != SSMH_OK)
            return rc;
    }
    return SSMH_OK;
}

json_t *ssmh_json_rational(const fmpq_t x)
{
    char *s = ssmh_rational_get_str(x);
    json_t *j = json_string(s);
    flint_free(s);
    return j;
}

json_t *ssmh_json_fmpz(const fmpz_t x)
{
    char *s = fmpz_get_str(NULL, 10, x);
    json_t *j = json_string(s);
    flint_free(s);
    return j;
}

json_t *ssmh_json_matrix(const fmpq_mat_t m)
{
    json_t *a = json_array();
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(m); i++) {
        json_t *row = json_array();
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            json_array_append_new(row, ssmh_json_rational(fmpq_mat_entry(m, i, j)));
        json_array_append_new(a, row);
    }
    return a;
}

json_t *_ssmh_json_matrix_shaped(const fmpq_mat_t m)
{
    json_t *o;
    if (fmpq_mat_nrows(m) > 0 && fmpq_mat_ncols(m) > 0)
        return ssmh_json_matrix(m);
    /* [] would lose the column count of a 0 x d matrix: the sparse form
       keeps both dimensions (SPEC 3.1, README "sparse") */
    o = json_object();
    json_object_set_new(o, "rows", json_integer(fmpq_mat_nrows(m)));
    json_object_set_new(o, "cols", json_integer(fmpq_mat_ncols(m)));
    json_object_set_new(o, "entries", json_array());
    return o;
}

json_t *ssmh_json_vector(const fmpq_mat_t col)
{
    json_t *a = json_array();
    slong i;
    for (i = 0; i < fmpq_mat_nrows(col); i++)
        json_array_append_new(a, ssmh_json_rational(fmpq_mat_entry(col, i, 0)));
    return a;
}

char *ssmh_json_dumps(const json_t *v)
{
    char *s = json_dumps(v, JSON_PRESERVE_ORDER | JSON_COMPACT);
    char *t;
    size_t n;
    if (s == NULL)
        return NULL;
    n = strlen(s);
    t = malloc(n + 2);
    if (t == NULL) {
        free(s);
        return NULL;
    }
    memcpy(t, s, n);
    t[n] = '\n';
    t[n + 1] = '\0';
    free(s);
    return t;
}

json_t *ssmh_json_load_file(const char *file, const ssmh_limits_t *lim_in, ssmh_error_t *err)
{
    ssmh_limits_t deflim;
    char *buf;
    size_t len;
    json_t *root;
    if (lim_in == NULL) {
        ssmh_limits_default(&deflim);
        lim_in = &deflim;
    }
    if (ssmh_file_read(&buf, &len, file, lim_in->max_file_bytes, err) != SSMH_OK)
        return NULL;
    root = ssmh_json_parse(buf, len, file, lim_in, err);
    free(buf);
    return root;
}
