/*
 * The dense and diag layouts (A, B, C and D as stored) and the attention
 * layout.  Guarantee: the numbers are the file's, exactly; the result is
 * built as JSON and read back through the strict readers, so an imported
 * model obeys every rule of a hand-written one.
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

int _ssmh_layout_dense(json_t **out, _ssmh_lay_t *L, const ssmh_import_opts_t *o)
{
    ssmh_tensor_struct *A, *B, *C, *D;
    json_t *m, *Dm;
    char src[700];
    int diag = strcmp(o->layout, "diag") == 0, rc;
    slong N, d, p;
    if ((rc = _ssmh_lay_need(&A, L, "A", diag ? "a vector of N eigenvalues" : "an N x N matrix")) != SSMH_OK
        || (rc = _ssmh_lay_need(&B, L, "B", "an N x d matrix")) != SSMH_OK
        || (rc = _ssmh_lay_need(&C, L, "C", "a p x N matrix")) != SSMH_OK)
        return rc;
    if (A->ndim != (diag ? 1 : 2) || (!diag && A->shape[0] != A->shape[1]))
        return _ssmh_lay_shape_error(L, A, diag ? "a vector (N,) for layout diag" : "a square N x N matrix for layout dense");
    N = A->shape[0];
    if (B->ndim != 2 || B->shape[0] != N)
        return _ssmh_lay_shape_error(L, B, "(%ld, d)", (long)N);
    if (C->ndim != 2 || C->shape[1] != N)
        return _ssmh_lay_shape_error(L, C, "(p, %ld)", (long)N);
    d = B->shape[1];
    p = C->shape[0];
    D = _ssmh_lay_find(L, "D");
    _ssmh_lay_size(L, "N", N);
    _ssmh_lay_size(L, "d", d);
    _ssmh_lay_size(L, "p", p);
    if (L->info)
        json_object_set_new(L->info, "form", json_string(diag ? "A (N), B, C, D" : "A, B, C, D"));
    if ((rc = _ssmh_lay_decode(L, A, 0)) != SSMH_OK || (rc = _ssmh_lay_decode(L, B, 0)) != SSMH_OK
        || (rc = _ssmh_lay_decode(L, C, 0)) != SSMH_OK || (rc = _ssmh_lay_D(&Dm, L, D, p, d)) != SSMH_OK
        || L->dry)
        return rc;
    snprintf(src, sizeof(src), "imported by ssmheads from %s (layout %s%s%s), floats converted exactly",
             L->file, o->layout, *L->prefix ? ", prefix " : "", L->prefix);
    m = _ssmh_model_object(src);
    if (diag) {
        json_t *v = json_array();
        slong i;
        for (i = 0; i < N; i++)
            json_array_append_new(v, ssmh_json_rational(A->data + i));
        json_object_set_new(m, "A", json_pack("{s:o}", "diag", v));
    } else {
        json_object_set_new(m, "A", matrix(A, 0, N, N));
    }
    json_object_set_new(m, "B", matrix(B, 0, N, d));
    json_object_set_new(m, "C", matrix(C, 0, p, N));
    json_object_set_new(m, "D", Dm);
    *out = m;
    return SSMH_OK;
}

int ssmh_import_attention(ssmh_attention_t a, ssmh_weights_t w, const char *prefix_in,
                          const char *file, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    _ssmh_lay_t L;
    ssmh_tensor_struct *V, *WV, *WO;
    json_t *o = json_object(), *hs = json_array();
    slong h;
    int rc = SSMH_OK;
    memset(&L, 0, sizeof(L));
    L.w = w;
    L.file = file;
    L.layout = "attention";
    L.err = err;
    _ssmh_prefix_normalize(L.prefix, sizeof(L.prefix), prefix_in);
    V = _ssmh_lay_find(&L, "V");
    json_object_set_new(o, "format", json_string("ssmheads-attention/1"));
    if (V != NULL) {
        if (V->ndim != 3)
            rc = _ssmh_lay_shape_error(&L, V, "V of shape (H, p, d)");
        if (rc == SSMH_OK)
            rc = _ssmh_lay_decode(&L, V, 0);
        for (h = 0; rc == SSMH_OK && h < V->shape[0]; h++) {
            json_t *ho = json_object();
            json_object_set_new(ho, "value", matrix(V, h * V->shape[1] * V->shape[2], V->shape[1], V->shape[2]));
            json_array_append_new(hs, ho);
        }
    } else if ((rc = _ssmh_lay_need(&WV, &L, "W_V", "(H, d_h, d), or V (H, p, d)")) == SSMH_OK
               && (rc = _ssmh_lay_need(&WO, &L, "W_O", "(H, p, d_h)")) == SSMH_OK) {
        if (WV->ndim != 3)
            rc = _ssmh_lay_shape_error(&L, WV, "(H, d_h, d)");
        else if (WO->ndim != 3 || WV->shape[0] != WO->shape[0] || WO->shape[2] != WV->shape[1])
            rc = _ssmh_lay_shape_error(&L, WO, "(%ld, p, %ld) to match W_V", (long)WV->shape[0], (long)WV->shape[1]);
        if (rc == SSMH_OK && (rc = _ssmh_lay_decode(&L, WV, 0)) == SSMH_OK)
            rc = _ssmh_lay_decode(&L, WO, 0);
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
