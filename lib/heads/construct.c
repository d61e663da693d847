/*
 * The k-head attention representation (SPEC 1.3).  Guarantee: the value
 * maps are the lag operators at the pivot lags, the kernels are exact, and
 * sum_h c_h(l) V_h = K_l has been checked exactly for every tabulated lag;
 * past the table the kernels follow the annihilator's recurrence, which the
 * lags obey too (SPEC 1.2), so the identity holds for every l < n.
 */
#include "heads-impl.h"
#include <string.h>

void ssmh_construction_init(ssmh_construction_t c)
{
    memset(c, 0, sizeof(*c));
}

void ssmh_construction_clear(ssmh_construction_t c)
{
    slong h;
    for (h = 0; h < c->k; h++)
        fmpq_mat_clear(c->values + h);
    flint_free(c->values);
    flint_free(c->pivot_lags);
    if (c->kernels)
        _fmpq_vec_clear(c->kernels, c->k * c->L);
    if (c->recurrence)
        _fmpq_vec_clear(c->recurrence, c->m + 1);
    memset(c, 0, sizeof(*c));
}

/* Coefficients q_0..q_M of the characteristic polynomial of A. */
static void charpoly(fmpq *q, const ssmh_model_t m)
{
    _ssmh_real_t r;
    fmpq_poly_t f;
    slong i;
    _ssmh_real_init(&r, m, 0);
    fmpq_poly_init(f);
    _ssmh_real_charpoly(f, &r);
    for (i = 0; i <= r.M; i++)
        fmpq_poly_get_coeff_fmpq(q + i, f, i);
    fmpq_poly_clear(f);
    _ssmh_real_clear(&r);
}

int ssmh_construct(ssmh_construction_t c, const ssmh_model_t m, slong n,
                   const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_heads_t h;
    fmpq_mat_struct *K;
    fmpq_mat_t X, Y, S, T, U;
    slong i, j, l, k;
    int rc;

    ssmh_construction_clear(c);
    if (n < 1)
        return ssmh_error_set(err, SSMH_E_USAGE, "", "", "construct needs n >= 1");
    ssmh_heads_init(h);
    if ((rc = ssmh_heads_compute(h, m, n, lim, err)) != SSMH_OK) {
        ssmh_heads_clear(h);
        return rc;
    }
    k = h->k;
    c->n = n;
    c->k = k;
    c->p = m->p;
    c->d = m->d;
    c->L = n <= h->m + 1 ? n : h->m + 1;
    if (n > c->L) {
        c->m = h->m;
        c->recurrence = _fmpq_vec_init(c->m + 1);
        if (h->ann == SSMH_ANNIHILATOR_B) {
            for (i = 0; i <= c->m; i++)
                fmpq_set(c->recurrence + i, h->ann_coeffs + i);
        } else {
            charpoly(c->recurrence, m);
        }
    }
    K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)c->L);
    for (l = 0; l < c->L; l++)
        fmpq_mat_init(K + l, 0, 0);
    if ((rc = ssmh_lags_limited(K, m, c->L, lim, err)) != SSMH_OK) {
        for (l = 0; l < c->L; l++)
            fmpq_mat_clear(K + l);
        flint_free(K);
        ssmh_heads_clear(h);
        c->k = 0;   /* no values allocated yet; the recurrence is */
        ssmh_construction_clear(c);
        return rc;
    }
    c->values = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)FLINT_MAX(k, 1));
    c->pivot_lags = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(k, 1));
    for (i = 0; i < k; i++)
        c->pivot_lags[i] = h->pivot_lags[i];
    for (i = 0; i < k; i++) {
        fmpq_mat_init(c->values + i, m->p, m->d);
        fmpq_mat_set(c->values + i, K + h->pivot_lags[i]);
    }
    c->kernels = _fmpq_vec_init(FLINT_MAX(k * c->L, 1));
    rc = SSMH_OK;
    if (k > 0) {
        /* X^T c(l) = y(l) on the k entry positions of the nonzero minor. */
        fmpq_mat_init(X, k, k);
        fmpq_mat_init(Y, k, c->L);
        fmpq_mat_init(S, k, c->L);
        for (i = 0; i < k; i++)
            for (j = 0; j < k; j++)
                fmpq_set(fmpq_mat_entry(X, j, i),
                         fmpq_mat_entry(c->values + i, h->entry_row[j], h->entry_col[j]));
        for (l = 0; l < c->L; l++)
            for (j = 0; j < k; j++)
                fmpq_set(fmpq_mat_entry(Y, j, l), fmpq_mat_entry(K + l, h->entry_row[j], h->entry_col[j]));
        if (!fmpq_mat_solve_multi_mod(S, X, Y))
            rc = ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "singular pivot minor (please report)");
        for (i = 0; i < k && rc == SSMH_OK; i++)
            for (l = 0; l < c->L; l++)
                fmpq_set(c->kernels + i * c->L + l, fmpq_mat_entry(S, i, l));
        fmpq_mat_clear(X);
        fmpq_mat_clear(Y);
        fmpq_mat_clear(S);
    }
    /* Check sum_h c_h(l) V_h = K_l exactly for every tabulated lag. */
    fmpq_mat_init(T, m->p, m->d);
    fmpq_mat_init(U, m->p, m->d);
    for (l = 0; l < c->L && rc == SSMH_OK; l++) {
        fmpq_mat_zero(T);
        for (i = 0; i < k; i++) {
            fmpq_mat_scalar_mul_fmpq(U, c->values + i, c->kernels + i * c->L + l);
            fmpq_mat_add(T, T, U);
        }
        if (!fmpq_mat_equal(T, K + l))
            rc = ssmh_error_set(err, SSMH_E_INTERNAL, "", "",
                                "construction check failed at lag %ld (please report)", (long)l);
    }
    fmpq_mat_clear(T);
    fmpq_mat_clear(U);
    for (l = 0; l < c->L; l++)
        fmpq_mat_clear(K + l);
    flint_free(K);
    ssmh_heads_clear(h);
    return rc;
}

void ssmh_construction_kernel(fmpq_t out, const ssmh_construction_t c, slong h, slong l)
{
    fmpq *w;
    slong i, t, m = c->m;
    if (l < c->L) {
        fmpq_set(out, c->kernels + h * c->L + l);
        return;
    }
    /* c(t) = -sum_{i<m} q_i c(t - m + i) for t >= L, run forward from the table. */
    w = _fmpq_vec_init(l + 1);
    for (t = 0; t < c->L; t++)
        fmpq_set(w + t, c->kernels + h * c->L + t);
    for (t = c->L; t <= l; t++) {
        fmpq_zero(w + t);
        for (i = 0; i < m; i++)
            fmpq_submul(w + t, c->recurrence + i, w + t - m + i);
    }
    fmpq_set(out, w + l);
    _fmpq_vec_clear(w, l + 1);
}

json_t *ssmh_construction_to_json(const ssmh_construction_t c)
{
    json_t *o = json_object(), *heads = json_array();
    slong h, l;
    json_object_set_new(o, "k", json_integer(c->k));
    json_object_set_new(o, "n", json_integer(c->n));
    for (h = 0; h < c->k; h++) {
        json_t *e = json_object(), *ker = json_array();
        json_object_set_new(e, "value", ssmh_json_matrix(c->values + h));
        for (l = 0; l < c->L; l++)
            json_array_append_new(ker, ssmh_json_rational(c->kernels + h * c->L + l));
        json_object_set_new(e, "kernel", ker);
        json_array_append_new(heads, e);
    }
    json_object_set_new(o, "heads", heads);
    if (c->recurrence != NULL) {
        json_t *rec = json_array();
        for (l = 0; l <= c->m; l++)
            json_array_append_new(rec, ssmh_json_rational(c->recurrence + l));
        json_object_set_new(o, "recurrence", rec);
    }
    return o;
}
