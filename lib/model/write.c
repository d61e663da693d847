/*
 * Writer for ssmheads-model/1.  Guarantee: ssmh_model_read of what
 * ssmh_model_to_json produces gives back the same exact model.
 */
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

static json_t *cmatrix(const fmpq_mat_t re, const fmpq_mat_t im)
{
    json_t *o = json_object();
    json_object_set_new(o, "re", ssmh_json_matrix(re));
    json_object_set_new(o, "im", ssmh_json_matrix(im));
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
        json_object_set_new(o, "A", ssmh_json_matrix(m->A));
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
        json_object_set_new(o, "B", ssmh_json_matrix(m->B));
        json_object_set_new(o, "C", ssmh_json_matrix(m->C));
    }
    if (m->has_D)
        json_object_set_new(o, "D", ssmh_json_matrix(m->D));
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
