/*
 * Writer for ssmheads-model/1.  Guarantee: ssmh_model_read of what
 * ssmh_model_to_json produces gives back the same exact model.
 */
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

/* A matrix of at least 1024 entries of which at most 1/8 are nonzero is
   written in the sparse form {"rows", "cols", "entries"} (a channel bank's
   B and C), every other matrix as an array of rows. */
static int sparse_form(slong r, slong c, slong nz)
{
    return r * c >= 1024 && 8 * nz <= r * c;
}

static json_t *entry_triple(slong i, slong j, const fmpq_t x)
{
    json_t *t = json_array();
    json_array_append_new(t, json_integer(i));
    json_array_append_new(t, json_integer(j));
    json_array_append_new(t, ssmh_json_rational(x));
    return t;
}

static json_t *sparse_object(slong r, slong c, json_t *entries)
{
    json_t *o = json_object();
    json_object_set_new(o, "rows", json_integer(r));
    json_object_set_new(o, "cols", json_integer(c));
    json_object_set_new(o, "entries", entries);
    return o;
}

static json_t *matrix(const fmpq_mat_t m)
{
    slong i, j, r = fmpq_mat_nrows(m), c = fmpq_mat_ncols(m), nz = 0;
    json_t *e;
    if (r * c < 1024)
        return _ssmh_json_matrix_shaped(m);   /* (empty ones keep their shape) */
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            nz += !fmpq_is_zero(fmpq_mat_entry(m, i, j));
    if (!sparse_form(r, c, nz))
        return ssmh_json_matrix(m);
    e = json_array();
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            if (!fmpq_is_zero(fmpq_mat_entry(m, i, j)))
                json_array_append_new(e, entry_triple(i, j, fmpq_mat_entry(m, i, j)));
    return sparse_object(r, c, e);
}

json_t *_ssmh_json_spmat(const ssmh_spmat_t M)
{
    slong i, j, k, r = M->r, c = M->c;
    json_t *a, *e;
    if (r == 0 || c == 0)   /* the only form that keeps both dimensions */
        return sparse_object(r, c, json_array());
    if (sparse_form(r, c, M->nnz)) {
        e = json_array();
        for (i = 0; i < r; i++)
            for (k = M->rowptr[i]; k < M->rowptr[i + 1]; k++)
                json_array_append_new(e, entry_triple(i, M->col[k], M->val + k));
        return sparse_object(r, c, e);
    }
    a = json_array();
    {
        json_t *zero = json_string("0");
        for (i = 0; i < r; i++) {
            json_t *row = json_array();
            for (j = 0, k = M->rowptr[i]; j < c; j++)
                if (k < M->rowptr[i + 1] && M->col[k] == j)
                    json_array_append_new(row, ssmh_json_rational(M->val + k++));
                else
                    json_array_append(row, zero);
            json_array_append_new(a, row);
        }
        json_decref(zero);
    }
    return a;
}

static json_t *cmatrix(const ssmh_spmat_t re, const ssmh_spmat_t im)
{
    json_t *o = json_object();
    json_object_set_new(o, "re", _ssmh_json_spmat(re));
    json_object_set_new(o, "im", _ssmh_json_spmat(im));
    return o;
}

json_t *ssmh_model_to_json(const ssmh_model_t m)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    json_object_set_new(o, "convention", json_string(ssmh_convention_name(m->convention)));
    if (m->name)
        json_object_set_new(o, "name", json_string(m->name));
    if (m->source)
        json_object_set_new(o, "source", json_string(m->source));
    if (m->structure == SSMH_STRUCTURE_DENSE) {
        json_object_set_new(o, "A", matrix(m->A));
    } else if (m->structure == SSMH_STRUCTURE_DIAG) {
        json_t *a = json_object();
        json_object_set_new(a, "diag", ssmh_json_vector(m->lambda_re));
        json_object_set_new(o, "A", a);
    } else {
        json_t *a = json_object(), *cd = json_object();
        json_object_set_new(cd, "re", ssmh_json_vector(m->lambda_re));
        json_object_set_new(cd, "im", ssmh_json_vector(m->lambda_im));
        json_object_set_new(a, "complex_diag", cd);
        json_object_set_new(o, "A", a);
    }
    if (m->structure == SSMH_STRUCTURE_COMPLEX_DIAG) {
        json_object_set_new(o, "B", cmatrix(m->B, m->B_im));
        json_object_set_new(o, "C", cmatrix(m->C, m->C_im));
        json_object_set_new(o, "output", json_string(m->output == SSMH_OUTPUT_RE ? "re" : "2re"));
    } else {
        json_object_set_new(o, "B", _ssmh_json_spmat(m->B));
        json_object_set_new(o, "C", _ssmh_json_spmat(m->C));
    }
    if (m->has_D)
        json_object_set_new(o, "D", matrix(m->D));
    if (m->length > 0)
        json_object_set_new(o, "length", json_integer(m->length));
    return o;
}

int ssmh_model_write_file(const ssmh_model_t m, const char *path,
                          ssmh_error_t *err)
{
    json_t *o = ssmh_model_to_json(m);
    char *s = ssmh_json_dumps(o);
    int rc;
    json_decref(o);
    if (s == NULL)
        return ssmh_error_set(err, SSMH_E_NOMEM, path, "", "out of memory");
    rc = ssmh_file_write_atomic(path, s, strlen(s), err);
    free(s);
    return rc;
}
