/*
 * Transcendental steps of the weight layouts, evaluated with MPFR.
 * Guarantee: every operation runs at WP = 256 bits and the caller rounds
 * the final value once to nearest at its precision (_ssmh_mpfr_to_q), so
 * the imported rationals are the same on every machine.  (Correctly
 * rounded except in cases closer to a rounding boundary than 2^-200.)
 */
#include "weights-impl.h"
#include <stdlib.h>

int _ssmh_mpfr_to_q(fmpq_t out, const mpfr_t x, slong bits)
{
    mpfr_t r;
    mpz_t m;
    fmpz_t z;
    mpfr_exp_t e, emin = mpfr_get_emin(), emax = mpfr_get_emax();
    int t;
    if (!mpfr_number_p(x))
        return -1;
    /* round to nearest in the IEEE format of that precision: binary64's
       exponent range up to 53 bits, binary128's above, with gradual
       underflow (subnormals) and overflow refused */
    mpfr_init2(r, bits);
    mpfr_set_emin(bits <= 53 ? -1073 : -16493);
    mpfr_set_emax(bits <= 53 ? 1024 : 16384);
    t = mpfr_set(r, x, MPFR_RNDN);
    t = mpfr_check_range(r, t, MPFR_RNDN);
    mpfr_subnormalize(r, t, MPFR_RNDN);
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    if (mpfr_inf_p(r)) {
        mpfr_clear(r);
        return -1;
    }
    mpz_init(m);
    fmpz_init(z);
    if (mpfr_zero_p(r)) {
        fmpq_zero(out);
    } else {
        e = mpfr_get_z_2exp(m, r);
        fmpz_set_mpz(z, m);
        fmpz_set(fmpq_numref(out), z);
        fmpz_one(fmpq_denref(out));
        if (e >= 0)
            fmpq_mul_2exp(out, out, (ulong)e);
        else
            fmpq_div_2exp(out, out, (ulong)(-e));
    }
    mpz_clear(m);
    fmpz_clear(z);
    mpfr_clear(r);
    return 0;
}

int _ssmh_mpfr_guard(mpfr_t x, int *bad)
{
    if (mpfr_number_p(x) && (mpfr_zero_p(x) || mpfr_get_exp(x) <= 1024))
        return 0;
    *bad = 1;
    mpfr_set_ui(x, 0, MPFR_RNDN);
    return 1;
}

void _ssmh_q_to_mpfr(mpfr_t x, const fmpq_t q)
{
    mpq_t t;
    mpq_init(t);
    fmpq_get_mpq(t, q);
    mpfr_set_q(x, t, MPFR_RNDN);
    mpq_clear(t);
}

json_t *_ssmh_mpfr_json(const mpfr_t x, slong bits, int *bad)
{
    fmpq_t q;
    json_t *j;
    fmpq_init(q);
    if (_ssmh_mpfr_to_q(q, x, bits) != 0) {
        *bad = 1;
        fmpq_zero(q);
    }
    j = ssmh_json_rational(q);
    fmpq_clear(q);
    return j;
}

/* (xr + i xi) / (yr + i yi) */
void _ssmh_cdiv(mpfr_t qr, mpfr_t qi, const mpfr_t xr, const mpfr_t xi, const mpfr_t yr,
                const mpfr_t yi)
{
    mpfr_t d, t, u;
    mpfr_inits2(SSMH_WP, d, t, u, (mpfr_ptr)0);
    mpfr_sqr(d, yr, MPFR_RNDN);
    mpfr_sqr(t, yi, MPFR_RNDN);
    mpfr_add(d, d, t, MPFR_RNDN);
    mpfr_mul(t, xr, yr, MPFR_RNDN);
    mpfr_mul(u, xi, yi, MPFR_RNDN);
    mpfr_add(t, t, u, MPFR_RNDN);          /* xr yr + xi yi */
    mpfr_mul(u, xi, yr, MPFR_RNDN);
    mpfr_mul(qi, xr, yi, MPFR_RNDN);
    mpfr_sub(qi, u, qi, MPFR_RNDN);        /* xi yr - xr yi */
    mpfr_div(qi, qi, d, MPFR_RNDN);
    mpfr_div(qr, t, d, MPFR_RNDN);
    mpfr_clears(d, t, u, (mpfr_ptr)0);
}

void _ssmh_discretize(mpfr_t er, mpfr_t ei, mpfr_t pr, mpfr_t pi, const mpfr_t ar,
                      const mpfr_t ai, const mpfr_t dt, int bilinear)
{
    mpfr_t t, u, nr, ni;
    mpfr_inits2(SSMH_WP, t, u, nr, ni, (mpfr_ptr)0);
    if (!bilinear) {
        mpfr_mul(t, dt, ar, MPFR_RNDN);
        mpfr_exp(t, t, MPFR_RNDN);                    /* |exp(dt A)| */
        mpfr_mul(u, dt, ai, MPFR_RNDN);
        mpfr_sin_cos(ei, er, u, MPFR_RNDN);
        mpfr_mul(er, er, t, MPFR_RNDN);
        mpfr_mul(ei, ei, t, MPFR_RNDN);               /* Abar = er + i ei */
        mpfr_sub_ui(nr, er, 1, MPFR_RNDN);
        mpfr_set(ni, ei, MPFR_RNDN);
        _ssmh_cdiv(pr, pi, nr, ni, ar, ai);           /* (Abar - 1) / A */
    } else {
        mpfr_mul(nr, dt, ar, MPFR_RNDN);
        mpfr_div_2ui(nr, nr, 1, MPFR_RNDN);
        mpfr_mul(ni, dt, ai, MPFR_RNDN);
        mpfr_div_2ui(ni, ni, 1, MPFR_RNDN);           /* dt A / 2 */
        mpfr_ui_sub(t, 1, nr, MPFR_RNDN);
        mpfr_neg(u, ni, MPFR_RNDN);                   /* 1 - dt A/2 */
        mpfr_add_ui(nr, nr, 1, MPFR_RNDN);
        _ssmh_cdiv(er, ei, nr, ni, t, u);             /* Abar */
        mpfr_set_ui(nr, 0, MPFR_RNDN);
        _ssmh_cdiv(pr, pi, dt, nr, t, u);             /* dt / (1 - dt A/2) */
    }
    mpfr_clears(t, u, nr, ni, (mpfr_ptr)0);
}

json_t *_ssmh_sparse_json(slong rows, slong cols)
{
    json_t *o = json_object();
    json_object_set_new(o, "rows", json_integer(rows));
    json_object_set_new(o, "cols", json_integer(cols));
    json_object_set_new(o, "entries", json_array());
    return o;
}

void _ssmh_sparse_json_add(json_t *m, slong i, slong j, json_t *v)
{
    json_t *e = json_array();
    json_array_append_new(e, json_integer(i));
    json_array_append_new(e, json_integer(j));
    json_array_append_new(e, v);
    json_array_append_new(json_object_get(m, "entries"), e);
}

void _ssmh_cmul(mpfr_t xr, mpfr_t xi, const mpfr_t yr, const mpfr_t yi)
{
    mpfr_t a, b;
    mpfr_inits2(SSMH_WP, a, b, (mpfr_ptr)0);
    mpfr_mul(a, xr, yr, MPFR_RNDN);
    mpfr_mul(b, xi, yi, MPFR_RNDN);
    mpfr_sub(a, a, b, MPFR_RNDN);          /* xr yr - xi yi */
    mpfr_mul(b, xr, yi, MPFR_RNDN);
    mpfr_mul(xi, xi, yr, MPFR_RNDN);
    mpfr_add(xi, xi, b, MPFR_RNDN);        /* xi yr + xr yi */
    mpfr_set(xr, a, MPFR_RNDN);
    mpfr_clears(a, b, (mpfr_ptr)0);
}

void _ssmh_transform(mpfr_t y, const mpfr_t x, ssmh_transform_t t)
{
    mpfr_t c;
    switch (t) {
    case SSMH_TRANSFORM_EXP:
        mpfr_exp(y, x, MPFR_RNDN);
        break;
    case SSMH_TRANSFORM_RELU:                  /* F.relu(x) + 1e-4 */
        mpfr_init2(c, SSMH_WP);
        mpfr_set_ui(c, 1, MPFR_RNDN);
        mpfr_div_ui(c, c, 10000, MPFR_RNDN);
        if (mpfr_sgn(x) > 0)
            mpfr_add(y, x, c, MPFR_RNDN);
        else
            mpfr_set(y, c, MPFR_RNDN);
        mpfr_clear(c);
        break;
    case SSMH_TRANSFORM_SIGMOID:               /* 1 / (1 + exp(-x)) */
        mpfr_neg(y, x, MPFR_RNDN);
        mpfr_exp(y, y, MPFR_RNDN);
        mpfr_add_ui(y, y, 1, MPFR_RNDN);
        mpfr_ui_div(y, 1, y, MPFR_RNDN);
        break;
    case SSMH_TRANSFORM_SOFTPLUS:              /* torch: x itself when x > 20 */
        if (mpfr_cmp_ui(x, 20) > 0) {
            mpfr_set(y, x, MPFR_RNDN);
        } else {
            mpfr_exp(y, x, MPFR_RNDN);
            mpfr_log1p(y, y, MPFR_RNDN);
        }
        break;
    default:
        mpfr_set(y, x, MPFR_RNDN);
    }
}

static int cmp_triplet(const void *a, const void *b)
{
    const _ssmh_triplet_t *x = a, *y = b;
    if (x->i != y->i)
        return x->i < y->i ? -1 : 1;
    return x->j < y->j ? -1 : x->j > y->j;
}

json_t *_ssmh_sparse_from_triplets(slong rows, slong cols, _ssmh_triplet_t *t, slong n)
{
    json_t *m = _ssmh_sparse_json(rows, cols);
    slong k;
    qsort(t, (size_t)n, sizeof(*t), cmp_triplet);
    for (k = 0; k < n; k++)
        _ssmh_sparse_json_add(m, t[k].i, t[k].j, t[k].v);
    return m;
}
