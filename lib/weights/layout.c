/*
 * Layouts: named tensors -> ssmheads-model/1 or ssmheads-attention/1.  The
 * result is built as JSON and read back through the strict readers, so an
 * imported model obeys every rule of a hand-written one.
 */
#include "weights-impl.h"
#include <string.h>

static json_t *matrix(const ssmh_tensor_struct *t, slong off, slong rows, slong cols)
{
    json_t *m = json_array();
    slong i, j;
    for (i = 0; i < rows; i++) {
        json_t *r = json_array();
        for (j = 0; j < cols; j++)
            json_array_append_new(r, ssmh_json_rational(t->data + off + i * cols + j));
        json_array_append_new(m, r);
    }
    return m;
}

static int need(const ssmh_tensor_struct **out, const ssmh_weights_t w, const char *prefix,
                const char *name, int ndim, const char *file, ssmh_error_t *err)
{
    char full[512];
    snprintf(full, sizeof(full), "%s%s", prefix ? prefix : "", name);
    *out = ssmh_weights_get(w, prefix, name);
    if (*out == NULL)
        return ssmh_error_set(err, SSMH_E_VALUE, file, full, "no tensor named %s", full);
    if ((*out)->ndim != ndim)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, full, "expected %d dimensions, found %d", ndim,
                              (*out)->ndim);
    return SSMH_OK;
}

int ssmh_import_model(ssmh_model_t m, const ssmh_weights_t w, const char *layout,
                      const char *prefix, const char *file, const ssmh_limits_t *lim,
                      ssmh_error_t *err)
{
    const ssmh_tensor_struct *A, *B, *C, *D;
    json_t *o;
    char src[600];
    int diag, rc;
    if (strcmp(layout, "dense") != 0 && strcmp(layout, "diag") != 0)
        return ssmh_error_set(err, SSMH_E_USAGE, file, "", "unknown model layout '%s'", layout);
    diag = strcmp(layout, "diag") == 0;
    if ((rc = need(&A, w, prefix, "A", diag ? 1 : 2, file, err)) != SSMH_OK
        || (rc = need(&B, w, prefix, "B", 2, file, err)) != SSMH_OK
        || (rc = need(&C, w, prefix, "C", 2, file, err)) != SSMH_OK)
        return rc;
    D = ssmh_weights_get(w, prefix, "D");
    if (D != NULL && D->ndim != 2)
        return ssmh_error_set(err, SSMH_E_SHAPE, file, D->name, "expected 2 dimensions, found %d", D->ndim);
    o = json_object();
    json_object_set_new(o, "format", json_string("ssmheads-model/1"));
    snprintf(src, sizeof(src), "imported by ssmheads from %s (layout %s%s%s), floats converted exactly",
             file, layout, prefix && *prefix ? ", prefix " : "", prefix ? prefix : "");
    json_object_set_new(o, "source", json_string(src));
    if (diag) {
        json_t *v = json_array(), *a = json_object();
        slong i;
        for (i = 0; i < A->shape[0]; i++)
            json_array_append_new(v, ssmh_json_rational(A->data + i));
        json_object_set_new(a, "diag", v);
        json_object_set_new(o, "A", a);
    } else {
        json_object_set_new(o, "A", matrix(A, 0, A->shape[0], A->shape[1]));
    }
    json_object_set_new(o, "B", matrix(B, 0, B->shape[0], B->shape[1]));
    json_object_set_new(o, "C", matrix(C, 0, C->shape[0], C->shape[1]));
    if (D != NULL)
        json_object_set_new(o, "D", matrix(D, 0, D->shape[0], D->shape[1]));
    rc = ssmh_model_from_json(m, o, file, "$", lim, err);
    json_decref(o);
    return rc;
}

int ssmh_import_attention(ssmh_attention_t a, const ssmh_weights_t w, const char *prefix,
                          const char *file, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    const ssmh_tensor_struct *V = ssmh_weights_get(w, prefix, "V"), *WV, *WO;
    json_t *o = json_object(), *hs = json_array();
    slong h;
    int rc = SSMH_OK;
    json_object_set_new(o, "format", json_string("ssmheads-attention/1"));
    if (V != NULL) {
        if (V->ndim != 3)
            rc = ssmh_error_set(err, SSMH_E_SHAPE, file, V->name, "V must be H x p x d");
        for (h = 0; rc == SSMH_OK && h < V->shape[0]; h++) {
            json_t *ho = json_object();
            json_object_set_new(ho, "value", matrix(V, h * V->shape[1] * V->shape[2], V->shape[1], V->shape[2]));
            json_array_append_new(hs, ho);
        }
    } else if ((rc = need(&WV, w, prefix, "W_V", 3, file, err)) == SSMH_OK
               && (rc = need(&WO, w, prefix, "W_O", 3, file, err)) == SSMH_OK) {
        if (WV->shape[0] != WO->shape[0] || WO->shape[2] != WV->shape[1])
            rc = ssmh_error_set(err, SSMH_E_SHAPE, file, WO->name,
                                "W_V is %ld x %ld x %ld, so W_O must be %ld x p x %ld",
                                (long)WV->shape[0], (long)WV->shape[1], (long)WV->shape[2],
                                (long)WV->shape[0], (long)WV->shape[1]);
        for (h = 0; rc == SSMH_OK && h < WV->shape[0]; h++) {
            json_t *ho = json_object();
            json_object_set_new(ho, "W_V", matrix(WV, h * WV->shape[1] * WV->shape[2], WV->shape[1], WV->shape[2]));
            json_object_set_new(ho, "W_O", matrix(WO, h * WO->shape[1] * WO->shape[2], WO->shape[1], WO->shape[2]));
            json_array_append_new(hs, ho);
        }
    }
    json_object_set_new(o, "heads", hs);
    if (rc == SSMH_OK)
        rc = ssmh_attention_from_json(a, o, file, "$", lim, err);
    json_decref(o);
    return rc;
}

void ssmh_import_opts_default(ssmh_import_opts_t *o)
{
    o->layout = NULL;
    o->prefix = "";
    o->bilinear = 0;
    o->output_re = 0;
    o->bits = 53;
    o->headdim = 1;
}

int ssmh_import_is_model_layout(const char *layout)
{
    static const char *const names[] = {"dense", "diag", "s4d", "s5", "lru", "mamba2", NULL};
    int i;
    for (i = 0; layout != NULL && names[i] != NULL; i++)
        if (strcmp(layout, names[i]) == 0)
            return 1;
    return 0;
}

int ssmh_import_model_file(ssmh_model_t m, const char *path, const ssmh_import_opts_t *o,
                           const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_weights_t w;
    const char *prefix = o->prefix ? o->prefix : "";
    int rc;
    if (!ssmh_import_is_model_layout(o->layout))
        return ssmh_error_set(err, SSMH_E_USAGE, path, "", "unknown model layout '%s'",
                              o->layout ? o->layout : "(none)");
    ssmh_weights_init(w);
    rc = ssmh_weights_read(w, path, lim, err);
    if (rc == SSMH_OK) {
        if (strcmp(o->layout, "s4d") == 0)
            rc = ssmh_import_s4d(m, w, prefix, o->bilinear, o->bits, path, lim, err);
        else if (strcmp(o->layout, "s5") == 0)
            rc = ssmh_import_s5(m, w, prefix, o->bilinear, o->output_re, o->bits, path, lim, err);
        else if (strcmp(o->layout, "mamba2") == 0)
            rc = ssmh_import_mamba2(m, w, prefix, o->headdim, o->bits, path, lim, err);
        else if (strcmp(o->layout, "lru") == 0)
            rc = ssmh_import_lru(m, w, prefix, o->bits, path, lim, err);
        else
            rc = ssmh_import_model(m, w, o->layout, prefix, path, lim, err);
    }
    ssmh_weights_clear(w);
    return rc;
}
