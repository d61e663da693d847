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

int ssmh_json_get_matrix(fmpq_mat_t out, const json_t *v, slong rows,
                         slong cols, const char *file, const char *path,
                         const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char p[300];
    slong r, c = 0, i, j;
    long maxd = lim ? lim->max_dim : (1L << 16);

    if (!json_is_array(v))
        return ssmh_error_set(err, json_is_object(v) ? SSMH_E_SHAPE : SSMH_E_PARSE, file, path,
                              "expected a matrix (an array of rows)");
    r = (slong)json_array_size(v);
    if (r > maxd)
        return ssmh_error_set(err, SSMH_E_LIMIT, file, path,
                              "%ld rows exceed the dimension limit %ld", (long)r, maxd);
    if (rows >= 0 && r != rows)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path,
                              "expected %ld rows, found %ld", (long)rows, (long)r);
    if (r == 0) {
        if (cols < 0)
            cols = 0;
        fmpq_mat_clear(out);
        fmpq_mat_init(out, 0, cols);
        return SSMH_OK;
    }
    for (i = 0; i < r; i++) {
        const json_t *row = json_array_get(v, (size_t)i);
        _ssmh_path_index(p, sizeof(p), path, (long)i);
        if (!json_is_array(row))
            return ssmh_error_set(err, SSMH_E_SHAPE, file, p,
                                  "expected a row (an array of numbers)");
        if (i == 0)
            c = (slong)json_array_size(row);
        if ((slong)json_array_size(row) > maxd)
            return ssmh_error_set(err, SSMH_E_LIMIT, file, p,
                                  "%ld columns exceed the dimension limit %ld",
                                  (long)json_array_size(row), maxd);
        if ((slong)json_array_size(row) != c)
            return ssmh_error_set(err, SSMH_E_SHAPE, file, p,
                                  "ragged rows: %ld entries, row 0 has %ld",
                                  (long)json_array_size(row), (long)c);
    }
    if (cols >= 0 && c != cols)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, path,
                              "expected %ld columns, found %ld", (long)cols, (long)c);
    fmpq_mat_clear(out);
    fmpq_mat_init(out, r, c);
    for (i = 0; i < r; i++) {
        const json_t *row = json_array_get(v, (size_t)i);
        for (j = 0; j < c; j++) {
            char q[300];
            int rc;
            _ssmh_path_index(p, sizeof(p), path, (long)i);
            _ssmh_path_index(q, sizeof(q), p, (long)j);
            rc = ssmh_json_get_rational(fmpq_mat_entry(out, i, j),
                                        json_array_get(row, (size_t)j), file, q, lim, err);
            if (rc != SSMH_OK)
                return rc;
        }
    }
    return SSMH_OK;
}

int ssmh_json_get_vector(fmpq_mat_t out, const json_t *v, slong n,
                         const char *file, const char *path,
                         const ssmh_limits_t *lim, ssmh_error_t *err)
{
    char p[300];
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
        int rc;
        _ssmh_path_index(p, sizeof(p), path, (long)i);
        rc = ssmh_json_get_rational(fmpq_mat_entry(out, i, 0),
                                    json_array_get(v, (size_t)i), file, p, lim, err);
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
