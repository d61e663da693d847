/*
 * Reader for ssmheads-model/1 (SPEC 3.1).  Guarantee: strict -- unknown
 * keys, wrong shapes, inexact numbers and unknown enumerations are refused
 * with the JSON path; dimensions are checked against the limits before any
 * matrix is allocated.
 */
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

#define FMT "ssmheads-model/1"

typedef struct {
    const char *file;
    const char *base;   /* JSON path of the model object */
    const ssmh_limits_t *lim;
    ssmh_error_t *err;
} ctx_t;

static void key_path(char *out, size_t n, const ctx_t *c, const char *k)
{
    _ssmh_path_key(out, n, c->base, k);
}

static int check_keys(const json_t *obj, const char *const *allowed,
                      const ctx_t *c, const char *path)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        int ok = 0, i;
        for (i = 0; allowed[i] != NULL; i++)
            if (strcmp(key, allowed[i]) == 0)
                ok = 1;
        if (!ok) {
            char p[300];
            _ssmh_path_key(p, sizeof(p), path, key);
            return ssmh_error_set(c->err, SSMH_E_VALUE, c->file, p, "unknown key \"%.60s\"", key);
        }
    }
    return SSMH_OK;
}

/* A possibly complex matrix: a plain matrix (imaginary part 0) or
   {"re": M, "im": M}. */
static int get_cmatrix(ssmh_spmat_t re, ssmh_spmat_t im, const json_t *v, slong rows,
                       slong cols, const ctx_t *c, const char *path)
{
    char p[300];
    int rc;
    if (json_is_object(v) && json_object_get(v, "entries") == NULL) {
        static const char *const keys[] = {"re", "im", NULL};
        const json_t *jr = json_object_get(v, "re"), *ji = json_object_get(v, "im");
        if ((rc = check_keys(v, keys, c, path)) != SSMH_OK)
            return rc;
        if (jr == NULL || ji == NULL)
            return ssmh_error_set(c->err, SSMH_E_VALUE, c->file, path,
                                  "a complex matrix needs both \"re\" and \"im\"");
        _ssmh_path_key(p, sizeof(p), path, "re");
        if ((rc = _ssmh_json_get_spmat(re, jr, rows, cols, c->file, p, c->lim, c->err)) != SSMH_OK)
            return rc;
        _ssmh_path_key(p, sizeof(p), path, "im");
        return _ssmh_json_get_spmat(im, ji, re->r, re->c, c->file, p, c->lim, c->err);
    }
    if ((rc = _ssmh_json_get_spmat(re, v, rows, cols, c->file, path, c->lim, c->err)) != SSMH_OK)
        return rc;
    ssmh_spmat_clear(im);
    ssmh_spmat_init(im, re->r, re->c);
    return SSMH_OK;
}

static int get_string(char **out, const json_t *v, const ctx_t *c, const char *key)
{
    char p[300];
    key_path(p, sizeof(p), c, key);
    if (!json_is_string(v))
        return ssmh_error_set(c->err, SSMH_E_VALUE, c->file, p, "expected a string");
    free(*out);
    *out = strdup(json_string_value(v));
    return SSMH_OK;
}

static int read_A(ssmh_model_t m, const json_t *jA, const ctx_t *c)
{
    char p[300], q[300];
    int rc;
    key_path(p, sizeof(p), c, "A");
    if (json_is_array(jA) || (json_is_object(jA) && json_object_get(jA, "entries") != NULL)) {
        if ((rc = ssmh_json_get_matrix(m->A, jA, -1, -1, c->file, p, c->lim, c->err)) != SSMH_OK)
            return rc;
        if (fmpq_mat_nrows(m->A) == 0)
            return ssmh_error_set(c->err, SSMH_E_SHAPE, c->file, p, "A is empty (N must be at least 1)");
        if (fmpq_mat_nrows(m->A) != fmpq_mat_ncols(m->A))
            return ssmh_error_set(c->err, SSMH_E_SHAPE, c->file, p, "A is %ld x %ld, not square",
                                  (long)fmpq_mat_nrows(m->A), (long)fmpq_mat_ncols(m->A));
        m->structure = SSMH_STRUCTURE_DENSE;
        m->N = fmpq_mat_nrows(m->A);
        return SSMH_OK;
    }
    if (json_is_object(jA)) {
        static const char *const keys[] = {"diag", "complex_diag", NULL};
        const json_t *jd = json_object_get(jA, "diag");
        const json_t *jc = json_object_get(jA, "complex_diag");
        if ((rc = check_keys(jA, keys, c, p)) != SSMH_OK)
            return rc;
        if ((jd == NULL) == (jc == NULL))
            return ssmh_error_set(c->err, SSMH_E_VALUE, c->file, p,
                                  "structured A needs exactly one of \"diag\" or \"complex_diag\"");
        if (jd != NULL) {
            _ssmh_path_key(q, sizeof(q), p, "diag");
            if ((rc = ssmh_json_get_vector(m->lambda_re, jd, -1, c->file, q, c->lim, c->err)) != SSMH_OK)
                return rc;
            m->structure = SSMH_STRUCTURE_DIAG;
        } else {
            static const char *const ckeys[] = {"re", "im", NULL};
            const json_t *jr, *ji;
            _ssmh_path_key(q, sizeof(q), p, "complex_diag");
            if (!json_is_object(jc))
                return ssmh_error_set(c->err, SSMH_E_VALUE, c->file, q,
                                      "expected {\"re\": [...], \"im\": [...]}");
            if ((rc = check_keys(jc, ckeys, c, q)) != SSMH_OK)
                return rc;
            jr = json_object_get(jc, "re");
            ji = json_object_get(jc, "im");
            if (jr == NULL || ji == NULL)
                return ssmh_error_set(c->err, SSMH_E_VALUE, c->file, q,
                                      "complex_diag needs both \"re\" and \"im\"");
            _ssmh_path_key(p, sizeof(p), q, "re");
            if ((rc = ssmh_json_get_vector(m->lambda_re, jr, -1, c->file, p, c->lim, c->err)) != SSMH_OK)
                return rc;
            _ssmh_path_key(p, sizeof(p), q, "im");
            if ((rc = ssmh_json_get_vector(m->lambda_im, ji, fmpq_mat_nrows(m->lambda_re),
                                           c->file, p, c->lim, c->err)) != SSMH_OK)
                return rc;
            m->structure = SSMH_STRUCTURE_COMPLEX_DIAG;
        }
        m->N = fmpq_mat_nrows(m->lambda_re);
        if (m->N == 0) {
            key_path(p, sizeof(p), c, "A");
            return ssmh_error_set(c->err, SSMH_E_SHAPE, c->file, p, "A is empty (N must be at least 1)");
        }
        return SSMH_OK;
    }
    return ssmh_error_set(c->err, SSMH_E_VALUE, c->file, p,
                          "expected a matrix, {\"diag\": [...]} or {\"complex_diag\": {...}}");
}

int ssmh_model_from_json(ssmh_model_t m, const json_t *obj, const char *file,
                         const char *path, const ssmh_limits_t *lim_in,
                         ssmh_error_t *err)
{
    static const char *const keys[] = {"format", "convention", "A", "B", "C", "D",
                                       "length", "name", "source", "output", NULL};
    ssmh_limits_t deflim;
    ctx_t c;
    const json_t *v;
    char p[300];
    int rc, cplx;

    if (lim_in == NULL) {
        ssmh_limits_default(&deflim);
        lim_in = &deflim;
    }
    c.file = file;
    c.base = path ? path : "$";
    c.lim = lim_in;
    c.err = err;
    ssmh_model_clear(m);
    ssmh_model_init(m);

    if (!json_is_object(obj))
        return ssmh_error_set(err, SSMH_E_VALUE, file, c.base, "expected a model object");
    if ((rc = check_keys(obj, keys, &c, c.base)) != SSMH_OK)
        return rc;

    v = json_object_get(obj, "format");
    key_path(p, sizeof(p), &c, "format");
    if (v == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, c.base,
                              "missing \"format\": \"" FMT "\"");
    if (!json_is_string(v) || strcmp(json_string_value(v), FMT) != 0)
        return ssmh_error_set(err, SSMH_E_VALUE, file, p,
                              "unknown format (expected \"" FMT "\")");

    m->convention = SSMH_CONVENTION_DIRECT;
    if ((v = json_object_get(obj, "convention")) != NULL) {
        key_path(p, sizeof(p), &c, "convention");
        if (json_is_string(v) && strcmp(json_string_value(v), "direct") == 0)
            m->convention = SSMH_CONVENTION_DIRECT;
        else if (json_is_string(v) && strcmp(json_string_value(v), "delayed") == 0)
            m->convention = SSMH_CONVENTION_DELAYED;
        else
            return ssmh_error_set(err, SSMH_E_VALUE, file, p,
                                  "unknown convention (expected \"direct\" or \"delayed\")");
    }

    if ((v = json_object_get(obj, "A")) == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, c.base, "missing \"A\"");
    if ((rc = read_A(m, v, &c)) != SSMH_OK)
        return rc;
    cplx = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG;

    if ((v = json_object_get(obj, "B")) == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, c.base, "missing \"B\"");
    key_path(p, sizeof(p), &c, "B");
    if (cplx)
        rc = get_cmatrix(m->B, m->B_im, v, m->N, -1, &c, p);
    else
        rc = _ssmh_json_get_spmat(m->B, v, m->N, -1, file, p, lim_in, err);
    if (rc != SSMH_OK)
        return rc;
    m->d = m->B->c;
    if (m->d == 0)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, p, "B has no columns (d must be at least 1)");

    if ((v = json_object_get(obj, "C")) == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, c.base, "missing \"C\"");
    key_path(p, sizeof(p), &c, "C");
    if (cplx)
        rc = get_cmatrix(m->C, m->C_im, v, -1, m->N, &c, p);
    else
        rc = _ssmh_json_get_spmat(m->C, v, -1, m->N, file, p, lim_in, err);
    if (rc != SSMH_OK)
        return rc;
    m->p = m->C->r;
    if (m->p == 0)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, p, "C has no rows (p must be at least 1)");

    fmpq_mat_clear(m->D);
    fmpq_mat_init(m->D, m->p, m->d);
    if ((v = json_object_get(obj, "D")) != NULL) {
        key_path(p, sizeof(p), &c, "D");
        if ((rc = ssmh_json_get_matrix(m->D, v, m->p, m->d, file, p, lim_in, err)) != SSMH_OK)
            return rc;
        m->has_D = 1;
    }

    m->output = cplx ? SSMH_OUTPUT_2RE : SSMH_OUTPUT_REAL;
    if ((v = json_object_get(obj, "output")) != NULL) {
        key_path(p, sizeof(p), &c, "output");
        if (!cplx)
            return ssmh_error_set(err, SSMH_E_VALUE, file, p,
                                  "\"output\" applies only to a complex_diag model");
        if (json_is_string(v) && strcmp(json_string_value(v), "2re") == 0)
            m->output = SSMH_OUTPUT_2RE;
        else if (json_is_string(v) && strcmp(json_string_value(v), "re") == 0)
            m->output = SSMH_OUTPUT_RE;
        else
            return ssmh_error_set(err, SSMH_E_VALUE, file, p,
                                  "unknown output rule (expected \"2re\" or \"re\")");
    }

    if ((v = json_object_get(obj, "length")) != NULL) {
        key_path(p, sizeof(p), &c, "length");
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return ssmh_error_set(err, SSMH_E_VALUE, file, p,
                                  "expected a positive JSON integer");
        if (json_integer_value(v) > lim_in->max_length)
            return ssmh_error_set(err, SSMH_E_LIMIT, file, p,
                                  "length %lld exceeds the limit %ld",
                                  (long long)json_integer_value(v), lim_in->max_length);
        m->length = (slong)json_integer_value(v);
    }
    if ((v = json_object_get(obj, "name")) != NULL
        && (rc = get_string(&m->name, v, &c, "name")) != SSMH_OK)
        return rc;
    if ((v = json_object_get(obj, "source")) != NULL
        && (rc = get_string(&m->source, v, &c, "source")) != SSMH_OK)
        return rc;
    return SSMH_OK;
}

int ssmh_model_read_string(ssmh_model_t m, const char *buf, size_t len,
                           const char *file, const ssmh_limits_t *lim,
                           ssmh_error_t *err)
{
    json_t *root = ssmh_json_parse(buf, len, file, lim, err);
    int rc;
    if (root == NULL)
        return err ? err->code : SSMH_E_PARSE;
    rc = ssmh_model_from_json(m, root, file, "$", lim, err);
    json_decref(root);
    return rc;
}

int ssmh_model_read_file(ssmh_model_t m, const char *file,
                         const ssmh_limits_t *lim, ssmh_error_t *err)
{
    json_t *root = ssmh_json_load_file(file, lim, err);
    int rc;
    if (root == NULL)
        return err ? err->code : SSMH_E_PARSE;
    rc = ssmh_model_from_json(m, root, file, "$", lim, err);
    json_decref(root);
    return rc;
}
