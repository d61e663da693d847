/*
 * gram.c -- the lags as vectors, and the certified spectrum of their
 * weighted Gram matrix G = F W F^T = sum_{l<n} (n-l) vec(K_l) vec(K_l)^T.
 *
 * Guarantee: _ssmh_gram_compute returns, exactly, the support (the vec
 * positions i*d + j where some K_l, l < n, is nonzero) and F = [vec K_0 ...
 * vec K_{n-1}] on it.
 * _ssmh_gram_spectrum factors the exact characteristic polynomial of G over
 * Z and encloses each nonzero eigenvalue (with multiplicity) in an Arb ball,
 * sorted in decreasing order with distinct eigenvalues certified apart:
 * equal eigenvalues are recognised exactly (same root of the same factor),
 * never by a tolerance.
 */
#include "approx-impl.h"

int _ssmh_gram_compute(fmpq_mat_t F, slong **support, slong *dim, const ssmh_model_t m,
                       slong n, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    fmpq_mat_struct *K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)n);
    slong l, i, j, pd, s;
    char *used;
    int rc;
    for (l = 0; l < n; l++)
        fmpq_mat_init(K + l, 0, 0);
    rc = ssmh_lags_limited(K, m, n, lim, err);
    if (rc != SSMH_OK)
        goto done;
    pd = m->p * m->d;
    used = flint_calloc((size_t)FLINT_MAX(pd, 1), 1);
    for (l = 0; l < n; l++)
        for (i = 0; i < m->p; i++)
            for (j = 0; j < m->d; j++)
                if (!fmpq_is_zero(fmpq_mat_entry(K + l, i, j)))
                    used[i * m->d + j] = 1;
    *dim = 0;
    for (i = 0; i < pd; i++)
        *dim += used[i];
    *support = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(*dim, 1));
    for (i = 0, s = 0; i < pd; i++)
        if (used[i])
            (*support)[s++] = i;
    flint_free(used);
    fmpq_mat_clear(F);
    fmpq_mat_init(F, *dim, n);
    for (l = 0; l < n; l++)
        for (s = 0; s < *dim; s++)
            fmpq_set(fmpq_mat_entry(F, s, l),
                     fmpq_mat_entry(K + l, (*support)[s] / m->d, (*support)[s] % m->d));
done:
    for (l = 0; l < n; l++)
        fmpq_mat_clear(K + l);
    flint_free(K);
    return rc;
}

void _ssmh_eigs_init(ssmh_eigs_t *e)
{
    memset(e, 0, sizeof(*e));
    fmpz_poly_factor_init(e->fac);
}

static void eigs_free_balls(ssmh_eigs_t *e)
{
    if (e->lam != NULL)
        _arb_vec_clear(e->lam, e->k);
    flint_free(e->fi);
    flint_free(e->ri);
    e->lam = NULL;
    e->fi = e->ri = NULL;
}

void _ssmh_eigs_clear(ssmh_eigs_t *e)
{
    eigs_free_balls(e);
    if (e->rootsum != NULL)
        _fmpq_vec_clear(e->rootsum, e->fac->num);
    fmpz_poly_factor_clear(e->fac);
}

/* Factor the characteristic polynomial of S (G, or W F^T F: the same
   nonzero eigenvalues) without its power of x. */
void _ssmh_eigs_factor(ssmh_eigs_t *e, const fmpq_mat_t G)
{
    fmpq_poly_t cp;
    fmpz_poly_t z;
    slong i, lo = 0, dim = fmpq_mat_nrows(G);
    fmpq_poly_init(cp);
    fmpz_poly_init(z);
    if (dim > 0)
        fmpq_mat_charpoly(cp, G);
    else
        fmpq_poly_one(cp);
    fmpq_poly_get_numerator(z, cp);
    while (lo < fmpz_poly_length(z) && fmpz_is_zero(z->coeffs + lo))
        lo++;
    fmpz_poly_shift_right(z, z, lo);
    e->k = fmpz_poly_degree(z);
    if (e->k > 0)
        fmpz_poly_factor(e->fac, z);
    e->rootsum = _fmpq_vec_init(FLINT_MAX(e->fac->num, 1));
    for (i = 0; i < e->fac->num; i++) {
        const fmpz_poly_struct *f = e->fac->p + i;
        slong d = fmpz_poly_degree(f);
        fmpq_set_fmpz_frac(e->rootsum + i, f->coeffs + d - 1, f->coeffs + d);
        fmpq_neg(e->rootsum + i, e->rootsum + i);
    }
    fmpq_poly_clear(cp);
    fmpz_poly_clear(z);
}

typedef struct {
    arb_struct *x;
    slong fi, ri;
} eig_ref_t;

static int cmp_desc(const void *a, const void *b)
{
    const eig_ref_t *x = a, *y = b;
    return -arf_cmp(arb_midref(x->x), arb_midref(y->x));
}

/* Enclose every nonzero eigenvalue at precision prec, sorted decreasingly.
   Returns 1 when distinct eigenvalues are certified apart, 0 when prec is
   not enough yet. */
int _ssmh_eigs_enclose(ssmh_eigs_t *e, slong prec)
{
    slong i, j, c, q = 0;
    arb_ptr all = _arb_vec_init(FLINT_MAX(e->k, 1));
    eig_ref_t *ref = flint_malloc(sizeof(eig_ref_t) * (size_t)FLINT_MAX(e->k, 1));
    int ok = 1;
    eigs_free_balls(e);
    for (i = 0; i < e->fac->num; i++) {
        const fmpz_poly_struct *f = e->fac->p + i;
        slong d = fmpz_poly_degree(f);
        acb_ptr r = _acb_vec_init(d);
        if (d == 1) {
            fmpq_t x;
            fmpq_init(x);
            fmpq_set(x, e->rootsum + i);
            arb_set_fmpq(acb_realref(r), x, prec);
            fmpq_clear(x);
        } else {
            arb_fmpz_poly_complex_roots(r, f, 0, prec);
        }
        for (j = 0; j < d; j++)
            for (c = 0; c < e->fac->exp[i]; c++) {
                arb_set(all + q, acb_realref(r + j));
                ref[q].fi = i;
                ref[q].ri = j;
                q++;
            }
        _acb_vec_clear(r, d);
    }
    for (i = 0; i < e->k; i++)
        ref[i].x = all + i;
    qsort(ref, (size_t)e->k, sizeof(eig_ref_t), cmp_desc);
    e->lam = _arb_vec_init(FLINT_MAX(e->k, 1));
    e->fi = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(e->k, 1));
    e->ri = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(e->k, 1));
    for (i = 0; i < e->k; i++) {
        arb_set(e->lam + i, ref[i].x);
        e->fi[i] = ref[i].fi;
        e->ri[i] = ref[i].ri;
        if (i > 0 && !_ssmh_eigs_same(e, i - 1, i) && !arb_gt(e->lam + i - 1, e->lam + i))
            ok = 0;
        if (!arb_is_positive(e->lam + i))
            ok = 0;   /* G >= 0: nonzero eigenvalues are > 0, once resolved */
    }
    _arb_vec_clear(all, FLINT_MAX(e->k, 1));
    flint_free(ref);
    return ok;
}

int _ssmh_eigs_same(const ssmh_eigs_t *e, slong i, slong j)
{
    return e->fi[i] == e->fi[j] && e->ri[i] == e->ri[j];
}

/* below[i] = copies of factor i's roots past the h largest eigenvalues;
   returns 1 when no irreducible factor of degree > 1 has roots on both
   sides of that cut (then the tail and the top-h invariant subspace are
   exact). */
static int cut_counts(slong *below, const ssmh_eigs_t *e, slong h)
{
    slong i;
    for (i = h; i < e->k; i++)
        below[e->fi[i]]++;
    for (i = 0; i < e->fac->num; i++) {
        slong d = fmpz_poly_degree(e->fac->p + i);
        if (d > 1 && below[i] != 0 && below[i] != d * e->fac->exp[i])
            return 0;
    }
    return 1;
}

/* E(h)^2 = sum_{q >= h} lambda_q (0-based: the eigenvalues past the h
   largest) as [lo, hi]; exact (lo = hi) when the cut splits no irreducible
   factor of degree > 1.  Returns 1 when exact. */
int _ssmh_eigs_tail(fmpq_t lo, fmpq_t hi, const ssmh_eigs_t *e, const fmpq_t total, slong h,
                    slong prec)
{
    slong i, nf = e->fac->num;
    slong *below = flint_calloc((size_t)FLINT_MAX(nf, 1), sizeof(slong));
    int exact = cut_counts(below, e, h);
    if (exact) {
        fmpq_t s;
        fmpq_init(s);
        fmpq_zero(lo);
        for (i = 0; i < nf; i++) {
            slong d = fmpz_poly_degree(e->fac->p + i);
            /* d == 1: below copies of the rational root; else all roots */
            fmpq_mul_si(s, e->rootsum + i, d == 1 ? below[i] : below[i] / d);
            fmpq_add(lo, lo, s);
        }
        fmpq_set(hi, lo);
        fmpq_clear(s);
    } else {
        arb_t t;
        arf_t b;
        arb_init(t);
        arf_init(b);
        for (i = h; i < e->k; i++)
            arb_add(t, t, e->lam + i, prec);
        arb_get_lbound_arf(b, t, prec);
        arf_get_fmpq(lo, b);
        arb_get_ubound_arf(b, t, prec);
        arf_get_fmpq(hi, b);
        if (fmpq_sgn(lo) < 0)
            fmpq_zero(lo);
        if (fmpq_cmp(hi, total) > 0)
            fmpq_set(hi, total);
        arb_clear(t);
        arf_clear(b);
    }
    flint_free(below);
    return exact;
}

/* 1 when the cut after the h largest eigenvalues splits only factors of
   degree 1, i.e. the top-h invariant subspace is spanned by exact kernels. */
int _ssmh_eigs_cut_rational(const ssmh_eigs_t *e, slong h)
{
    slong *below = flint_calloc((size_t)FLINT_MAX(e->fac->num, 1), sizeof(slong));
    int r = cut_counts(below, e, h);
    flint_free(below);
    return r;
}
