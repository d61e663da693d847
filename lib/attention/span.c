/*
 * span{V_h} of an attention layer.  Guarantee: dim is the exact dimension;
 * the basis heads are the column rank profile (each is independent of the
 * heads before it), found by FLINT's exact (multimodular) rref of the
 * integer-scaled value maps; each redundant head's combination of the basis
 * heads is checked exactly before it is reported.
 */
#include "ssmheads-impl.h"
#include <string.h>

void ssmh_span_init(ssmh_span_t s)
{
    memset(s, 0, sizeof(*s));
}

void ssmh_span_clear(ssmh_span_t s)
{
    flint_free(s->basis);
    flint_free(s->redundant);
    flint_free(s->rank);
    if (s->combo)
        _fmpq_vec_clear(s->combo, FLINT_MAX(1, s->nred * s->dim));
    memset(s, 0, sizeof(*s));
}

/* The pd x H matrix of vec(V_h) (row-major vec: entry (i, j) at i * d + j). */
void _ssmh_attention_columns(fmpq_mat_t Vm, const ssmh_attention_t a)
{
    slong h, i, j;
    fmpq_mat_init(Vm, a->p * a->d, a->H);
    for (h = 0; h < a->H; h++)
        for (i = 0; i < a->p; i++)
            for (j = 0; j < a->d; j++)
                fmpq_set(fmpq_mat_entry(Vm, i * a->d + j, h), fmpq_mat_entry(a->V + h, i, j));
}

int ssmh_span_compute(ssmh_span_t s, const ssmh_attention_t a, ssmh_error_t *err)
{
    fmpq_mat_t Vm;
    fmpz_mat_t Z, R;
    fmpz *scale;
    fmpz_t den;
    slong H = a->H, h, j, r, *is_basis_col;
    int ok = 1;

    ssmh_span_clear(s);
    s->H = H;
    _ssmh_attention_columns(Vm, a);
    fmpz_mat_init(Z, fmpq_mat_nrows(Vm), H);
    fmpz_mat_init(R, fmpq_mat_nrows(Vm), H);
    scale = _fmpz_vec_init(H);
    fmpz_init(den);
    /* column h of Z is scale_h vec(V_h): column dependencies are unchanged */
    fmpq_mat_get_fmpz_mat_colwise(Z, scale, Vm);
    r = fmpz_mat_rref(R, den, Z);
    s->dim = r;
    s->nred = H - r;
    s->basis = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, r));
    s->redundant = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, H - r));
    s->combo = _fmpq_vec_init(FLINT_MAX(1, (H - r) * r));
    is_basis_col = flint_calloc((size_t)H, sizeof(slong));
    /* pivot of row i: its first nonzero column */
    for (j = 0, h = 0; j < r; j++) {
        while (h < H && fmpz_is_zero(fmpz_mat_entry(R, j, h)))
            h++;
        s->basis[j] = h;
        is_basis_col[h] = 1;
    }
    for (h = 0, s->nred = 0; h < H; h++) {
        fmpq_mat_t T, U;
        if (is_basis_col[h])
            continue;
        s->redundant[s->nred] = h;
        /* scale_h V_h = sum_j (R[j][h] / den) scale_b V_b */
        fmpq_mat_init(T, a->p, a->d);
        fmpq_mat_init(U, a->p, a->d);
        for (j = 0; j < r; j++) {
            fmpq *c = s->combo + s->nred * r + j;
            fmpq_set_fmpz_frac(c, fmpz_mat_entry(R, j, h), den);
            fmpq_mul_fmpz(c, c, scale + s->basis[j]);
            fmpq_div_fmpz(c, c, scale + h);
            fmpq_mat_scalar_mul_fmpq(U, a->V + s->basis[j], c);
            fmpq_mat_add(T, T, U);
        }
        ok &= fmpq_mat_equal(T, a->V + h);
        fmpq_mat_clear(T);
        fmpq_mat_clear(U);
        s->nred++;
    }
    s->rank = flint_malloc(sizeof(slong) * (size_t)H);
    for (h = 0; h < H; h++) {
        fmpz_mat_t Zh;
        fmpz_t dh;
        fmpz_mat_init(Zh, a->p, a->d);
        fmpz_init(dh);
        fmpq_mat_get_fmpz_mat_matwise(Zh, dh, a->V + h);
        s->rank[h] = fmpz_mat_rank(Zh);
        fmpz_mat_clear(Zh);
        fmpz_clear(dh);
    }
    flint_free(is_basis_col);
    fmpz_clear(den);
    _fmpz_vec_clear(scale, H);
    fmpz_mat_clear(Z);
    fmpz_mat_clear(R);
    fmpq_mat_clear(Vm);
    if (!ok)
        return ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "span: a redundant head's combination failed its exact check");
    return SSMH_OK;
}

json_t *ssmh_span_to_json(const ssmh_span_t s)
{
    json_t *o = json_object(), *b = json_array(), *rd = json_array(), *cb = json_array(),
           *rk = json_array();
    slong i, j;
    json_object_set_new(o, "heads", json_integer(s->H));
    json_object_set_new(o, "dim", json_integer(s->dim));
    for (i = 0; i < s->dim; i++)
        json_array_append_new(b, json_integer(s->basis[i]));
    for (i = 0; i < s->nred; i++) {
        json_t *c = json_array();
        json_array_append_new(rd, json_integer(s->redundant[i]));
        for (j = 0; j < s->dim; j++)
            json_array_append_new(c, ssmh_json_rational(s->combo + i * s->dim + j));
        json_array_append_new(cb, c);
    }
    for (i = 0; i < s->H; i++)
        json_array_append_new(rk, json_integer(s->rank[i]));
    json_object_set_new(o, "basis_heads", b);
    json_object_set_new(o, "redundant_heads", rd);
    json_object_set_new(o, "redundant_as", cb);
    json_object_set_new(o, "head_ranks", rk);
    return o;
}
