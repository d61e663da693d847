/*
 * Can a given attention layer represent an SSM on length n?  Guarantee: the
 * verdict is exact.  span{K_l : l < n} is spanned by the K at the pivot lags
 * (ssmh_construct), so the layer represents the SSM iff each pivot K lies in
 * span{V_h}; FLINT's exact solver decides each, and every reported identity
 * (kernels, earlier lags, the orthogonal witness) is re-checked exactly here
 * before it is returned.
 */
#include "ssmheads-impl.h"
#include <string.h>

void ssmh_represent_init(ssmh_represent_t r)
{
    memset(r, 0, sizeof(*r));
    fmpq_mat_init(r->W, 0, 0);
}

void ssmh_represent_clear(ssmh_represent_t r)
{
    if (r->kernels)
        _fmpq_vec_clear(r->kernels, FLINT_MAX(1, r->H * r->L));
    if (r->recurrence)
        _fmpq_vec_clear(r->recurrence, r->m + 1);
    if (r->before)
        _fmpq_vec_clear(r->before, FLINT_MAX(1, r->witness_lag * r->H));
    fmpq_mat_clear(r->W);
    memset(r, 0, sizeof(*r));
    fmpq_mat_init(r->W, 0, 0);
}

static void vec_of(fmpq_mat_t col, const fmpq_mat_t M)
{
    slong i, j, d = fmpq_mat_ncols(M);
    for (i = 0; i < fmpq_mat_nrows(M); i++)
        for (j = 0; j < d; j++)
            fmpq_set(fmpq_mat_entry(col, i * d + j, 0), fmpq_mat_entry(M, i, j));
}

/* sum_h coef[h] V_h == K ? */
static int combination_is(const ssmh_attention_t a, const fmpq *coef, const fmpq_mat_t K)
{
    fmpq_mat_t T, U;
    slong h;
    int ok;
    fmpq_mat_init(T, a->p, a->d);
    fmpq_mat_init(U, a->p, a->d);
    for (h = 0; h < a->H; h++) {
        if (fmpq_is_zero(coef + h))
            continue;
        fmpq_mat_scalar_mul_fmpq(U, a->V + h, coef + h);
        fmpq_mat_add(T, T, U);
    }
    ok = fmpq_mat_equal(T, K);
    fmpq_mat_clear(T);
    fmpq_mat_clear(U);
    return ok;
}

static void frob(fmpq_t out, const fmpq_mat_t X, const fmpq_mat_t Y)
{
    slong i, j;
    fmpq_zero(out);
    for (i = 0; i < fmpq_mat_nrows(X); i++)
        for (j = 0; j < fmpq_mat_ncols(X); j++)
            fmpq_addmul(out, fmpq_mat_entry(X, i, j), fmpq_mat_entry(Y, i, j));
}

/* W = the component of vec(K) orthogonal to the basis columns Vb, scaled to
   coprime integers (Vb^T Vb y = Vb^T k, W = k - Vb y). */
static void orthogonal_witness(fmpq_mat_t W, const fmpq_mat_t Vb, const fmpq_mat_t kv,
                               slong p, slong d)
{
    slong dim = fmpq_mat_ncols(Vb), i, j;
    fmpq_mat_t w, Vt, G, rhs, y, Vy;
    fmpz_mat_t Z;
    fmpz_t den, g;

    fmpq_mat_init(w, p * d, 1);
    fmpq_mat_set(w, kv);
    if (dim > 0) {
        fmpq_mat_init(Vt, dim, p * d);
        fmpq_mat_init(G, dim, dim);
        fmpq_mat_init(rhs, dim, 1);
        fmpq_mat_init(y, dim, 1);
        fmpq_mat_init(Vy, p * d, 1);
        fmpq_mat_transpose(Vt, Vb);
        fmpq_mat_mul(G, Vt, Vb);
        fmpq_mat_mul(rhs, Vt, kv);
        fmpq_mat_solve_multi_mod(y, G, rhs); /* G is nonsingular: Vb has full rank */
        fmpq_mat_mul(Vy, Vb, y);
        fmpq_mat_sub(w, kv, Vy);
        fmpq_mat_clear(Vt);
        fmpq_mat_clear(G);
        fmpq_mat_clear(rhs);
        fmpq_mat_clear(y);
        fmpq_mat_clear(Vy);
    }
    fmpz_mat_init(Z, p * d, 1);
    fmpz_init(den);
    fmpz_init(g);
    fmpq_mat_get_fmpz_mat_matwise(Z, den, w);
    for (i = 0; i < p * d; i++)
        fmpz_gcd(g, g, fmpz_mat_entry(Z, i, 0));
    fmpq_mat_clear(W);
    fmpq_mat_init(W, p, d);
    for (i = 0; i < p; i++)
        for (j = 0; j < d; j++) {
            fmpz *z = fmpz_mat_entry(Z, i * d + j, 0);
            if (!fmpz_is_zero(g))
                fmpz_divexact(z, z, g);
            fmpz_set(fmpq_numref(fmpq_mat_entry(W, i, j)), z);
            fmpz_one(fmpq_denref(fmpq_mat_entry(W, i, j)));
        }
    fmpz_clear(den);
    fmpz_clear(g);
    fmpz_mat_clear(Z);
    fmpq_mat_clear(w);
}

int ssmh_represent_compute(ssmh_represent_t r, const ssmh_attention_t a, const ssmh_model_t m,
                           slong n, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    ssmh_span_t sp;
    ssmh_construction_t c;
    fmpq_mat_t Vm, Vb, kv, x, coef;
    fmpq_mat_struct *K = NULL;
    slong dim, k, i, j, l, h, fail = -1, nK = 0;
    int rc;

    ssmh_represent_clear(r);
    if (n < 1)
        return ssmh_error_set(err, SSMH_E_USAGE, "", "", "represent needs n >= 1");
    if (a->p != m->p || a->d != m->d)
        return ssmh_error_set(err, SSMH_E_SHAPE, "", "$.heads",
                              "the layer's value maps are %ld x %ld but the model's lag operators are %ld x %ld",
                              (long)a->p, (long)a->d, (long)m->p, (long)m->d);
    ssmh_span_init(sp);
    if ((rc = ssmh_span_compute(sp, a, err)) != SSMH_OK) {
        ssmh_span_clear(sp);
        return rc;
    }
    ssmh_construction_init(c);
    if ((rc = ssmh_construct(c, m, n, lim, err)) != SSMH_OK) {
        ssmh_span_clear(sp);
        ssmh_construction_clear(c);
        return rc;
    }
    dim = sp->dim;
    k = c->k;
    r->n = n;
    r->k = k;
    r->dim = dim;
    r->H = a->H;
    r->p = a->p;
    r->d = a->d;
    _ssmh_attention_columns(Vm, a);
    fmpq_mat_init(Vb, a->p * a->d, dim);
    for (j = 0; j < dim; j++)
        for (i = 0; i < a->p * a->d; i++)
            fmpq_set(fmpq_mat_entry(Vb, i, j), fmpq_mat_entry(Vm, i, sp->basis[j]));
    /* coef[b][j]: K_{pivot j} = sum_b coef[b][j] V_{basis b} */
    fmpq_mat_init(coef, dim, FLINT_MAX(k, 1));
    fmpq_mat_init(kv, a->p * a->d, 1);
    fmpq_mat_init(x, dim, 1);
    for (j = 0; j < k && fail < 0; j++) {
        vec_of(kv, c->values + j);
        if (dim == 0 || !fmpq_mat_can_solve_multi_mod(x, Vb, kv)) {
            fail = j;
            break;
        }
        for (i = 0; i < dim; i++)
            fmpq_set(fmpq_mat_entry(coef, i, j), fmpq_mat_entry(x, i, 0));
    }
    if (fail < 0 && k > 0 && dim == 0)
        fail = 0;

    /* the tabulated lags, for the exact re-checks */
    nK = fail >= 0 ? c->pivot_lags[fail] + 1 : c->L;
    K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)FLINT_MAX(1, nK));
    for (l = 0; l < nK; l++)
        fmpq_mat_init(K + l, 0, 0);
    rc = ssmh_lags_limited(K, m, nK, lim, err);

    if (rc == SSMH_OK && fail < 0) {
        r->verdict = SSMH_REPRESENT_YES;
        r->inter = k;
        r->L = c->L;
        r->kernels = _fmpq_vec_init(FLINT_MAX(1, a->H * r->L));
        for (i = 0; i < dim; i++)
            for (l = 0; l < r->L; l++)
                for (j = 0; j < k; j++)
                    fmpq_addmul(r->kernels + sp->basis[i] * r->L + l, fmpq_mat_entry(coef, i, j),
                                c->kernels + j * c->L + l);
        if (c->recurrence) {
            r->m = c->m;
            r->recurrence = _fmpq_vec_init(r->m + 1);
            for (l = 0; l <= r->m; l++)
                fmpq_set(r->recurrence + l, c->recurrence + l);
        }
        for (l = 0; l < r->L && rc == SSMH_OK; l++) {
            fmpq *col = _fmpq_vec_init(a->H);
            for (h = 0; h < a->H; h++)
                fmpq_set(col + h, r->kernels + h * r->L + l);
            if (!combination_is(a, col, K + l))
                rc = ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "represent: kernel check failed at lag %ld", (long)l);
            _fmpq_vec_clear(col, a->H);
        }
    } else if (rc == SSMH_OK) {
        fmpq_t ip;
        fmpz_mat_t Z;
        fmpz *sc;
        fmpq_mat_t Both;
        r->verdict = SSMH_REPRESENT_NO;
        r->witness_lag = c->pivot_lags[fail];
        vec_of(kv, c->values + fail);
        orthogonal_witness(r->W, Vb, kv, a->p, a->d);
        fmpq_init(ip);
        for (h = 0; h < a->H && rc == SSMH_OK; h++) {
            frob(ip, r->W, a->V + h);
            if (!fmpq_is_zero(ip))
                rc = ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "represent: witness not orthogonal to head %ld", (long)h);
        }
        frob(ip, r->W, K + r->witness_lag);
        if (rc == SSMH_OK && fmpq_is_zero(ip))
            rc = ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "represent: witness orthogonal to K");
        fmpq_clear(ip);
        /* every earlier lag lies in the span: its coefficients, checked */
        r->before = _fmpq_vec_init(FLINT_MAX(1, r->witness_lag * a->H));
        for (l = 0; l < r->witness_lag && rc == SSMH_OK; l++) {
            for (i = 0; i < dim; i++)
                for (j = 0; j < fail; j++)
                    fmpq_addmul(r->before + l * a->H + sp->basis[i], fmpq_mat_entry(coef, i, j),
                                c->kernels + j * c->L + l);
            if (!combination_is(a, r->before + l * a->H, K + l))
                rc = ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "represent: lag %ld check failed", (long)l);
        }
        /* dim(span V cap span K) = dim + k - rank[Vb | K pivots] */
        fmpq_mat_init(Both, a->p * a->d, dim + k);
        for (j = 0; j < dim; j++)
            for (i = 0; i < a->p * a->d; i++)
                fmpq_set(fmpq_mat_entry(Both, i, j), fmpq_mat_entry(Vb, i, j));
        for (j = 0; j < k; j++) {
            vec_of(kv, c->values + j);
            for (i = 0; i < a->p * a->d; i++)
                fmpq_set(fmpq_mat_entry(Both, i, dim + j), fmpq_mat_entry(kv, i, 0));
        }
        fmpz_mat_init(Z, a->p * a->d, dim + k);
        sc = _fmpz_vec_init(dim + k);
        fmpq_mat_get_fmpz_mat_colwise(Z, sc, Both);
        r->inter = dim + k - fmpz_mat_rank(Z);
        _fmpz_vec_clear(sc, dim + k);
        fmpz_mat_clear(Z);
        fmpq_mat_clear(Both);
    }
    r->extra_heads = k - r->inter;
    for (l = 0; l < nK; l++)
        fmpq_mat_clear(K + l);
    flint_free(K);
    fmpq_mat_clear(Vm);
    fmpq_mat_clear(Vb);
    fmpq_mat_clear(coef);
    fmpq_mat_clear(kv);
    fmpq_mat_clear(x);
    ssmh_span_clear(sp);
    ssmh_construction_clear(c);
    if (rc != SSMH_OK)
        ssmh_represent_clear(r);
    return rc;
}

json_t *ssmh_represent_to_json(const ssmh_represent_t r)
{
    json_t *o = json_object();
    slong h, l;
    json_object_set_new(o, "representable", json_boolean(r->verdict == SSMH_REPRESENT_YES));
    json_object_set_new(o, "n", json_integer(r->n));
    json_object_set_new(o, "k", json_integer(r->k));
    json_object_set_new(o, "dim", json_integer(r->dim));
    json_object_set_new(o, "heads", json_integer(r->H));
    json_object_set_new(o, "shared_dim", json_integer(r->inter));
    json_object_set_new(o, "extra_heads_needed", json_integer(r->extra_heads));
    if (r->verdict == SSMH_REPRESENT_YES) {
        json_t *ks = json_array();
        for (h = 0; h < r->H; h++) {
            json_t *kh = json_array();
            for (l = 0; l < r->L; l++)
                json_array_append_new(kh, ssmh_json_rational(r->kernels + h * r->L + l));
            json_array_append_new(ks, kh);
        }
        json_object_set_new(o, "kernels", ks);
        if (r->recurrence) {
            json_t *q = json_array();
            for (l = 0; l <= r->m; l++)
                json_array_append_new(q, ssmh_json_rational(r->recurrence + l));
            json_object_set_new(o, "recurrence", q);
        }
    } else {
        json_object_set_new(o, "witness_lag", json_integer(r->witness_lag));
        json_object_set_new(o, "witness", ssmh_json_matrix(r->W));
    }
    return o;
}

json_t *ssmh_represent_certificate(const ssmh_represent_t r, const ssmh_attention_t a,
                                   const ssmh_model_t m)
{
    json_t *o = json_object(), *claim = json_object(), *wit = json_object();
    slong h, l;
    json_object_set_new(o, "format", json_string("ssmheads-cert/1"));
    json_object_set_new(o, "model", ssmh_model_to_json(m));
    json_object_set_new(o, "attention", ssmh_attention_to_json(a));
    json_object_set_new(claim, "kind", json_string("represent"));
    json_object_set_new(claim, "n", json_integer(r->n));
    json_object_set_new(claim, "representable", json_boolean(r->verdict == SSMH_REPRESENT_YES));
    if (r->verdict == SSMH_REPRESENT_YES) {
        json_t *ks = json_array();
        json_object_set_new(wit, "L", json_integer(r->L));
        for (h = 0; h < r->H; h++) {
            json_t *kh = json_array();
            for (l = 0; l < r->L; l++)
                json_array_append_new(kh, ssmh_json_rational(r->kernels + h * r->L + l));
            json_array_append_new(ks, kh);
        }
        json_object_set_new(wit, "kernels", ks);
        if (r->recurrence) {
            json_t *q = json_array(), *rec = json_object();
            for (l = 0; l <= r->m; l++)
                json_array_append_new(q, ssmh_json_rational(r->recurrence + l));
            json_object_set_new(rec, "side", json_string("B"));
            json_object_set_new(rec, "coeffs", q);
            json_object_set_new(wit, "recurrence", rec);
        }
    } else {
        json_t *bf = json_array();
        json_object_set_new(claim, "witness_lag", json_integer(r->witness_lag));
        json_object_set_new(wit, "W", ssmh_json_matrix(r->W));
        for (l = 0; l < r->witness_lag; l++) {
            json_t *row = json_array();
            for (h = 0; h < r->H; h++)
                json_array_append_new(row, ssmh_json_rational(r->before + l * r->H + h));
            json_array_append_new(bf, row);
        }
        json_object_set_new(wit, "before", bf);
    }
    json_object_set_new(o, "claim", claim);
    json_object_set_new(o, "witness", wit);
    return o;
}
