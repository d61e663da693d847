/*
 * Exact stability verdict and certified spectral radius.  Guarantee: the
 * verdict is exact -- structured models compare |lambda|^2 (rational) with 1;
 * dense models factor the characteristic polynomial over Z, count each
 * irreducible factor's unit-circle roots exactly (a factor has any only if
 * it is self-reciprocal; then x^s h(x + 1/x) = p(x) and the unit-circle
 * roots correspond to the real roots of h in (-2, 2)), separate every other
 * root from the unit circle with certified Arb enclosures, and test
 * repeated unit-circle factors for semisimplicity by exact ranks
 * (rank p(A) = rank p(A)^2).  [rho_lo, rho_hi] contains rho(A).
 */
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

#define MAX_PREC (1L << 16)

const char *ssmh_stability_name(ssmh_stability_t v)
{
    switch (v) {
    case SSMH_STABLE: return "stable";
    case SSMH_MARGINAL: return "marginal";
    case SSMH_UNSTABLE: return "unstable";
    default: return "unknown";
    }
}

void ssmh_spectrum_init(ssmh_spectrum_t s)
{
    memset(s, 0, sizeof(*s));
    fmpq_init(s->rho_lo);
    fmpq_init(s->rho_hi);
}

void ssmh_spectrum_clear(ssmh_spectrum_t s)
{
    fmpq_clear(s->rho_lo);
    fmpq_clear(s->rho_hi);
    ssmh_spectrum_init(s);
}

/* lo <= sqrt(q) <= hi with relative width about 2^-bits; exact when q is
   the square of a rational. */
void _ssmh_sqrt_enclose(fmpq_t lo, fmpq_t hi, const fmpq_t q, slong bits)
{
    fmpz_t a, b;
    arb_t x;
    arf_t t;
    fmpz_init(a);
    fmpz_init(b);
    if (fmpz_is_square(fmpq_numref(q)) && fmpz_is_square(fmpq_denref(q))) {
        fmpz_sqrt(a, fmpq_numref(q));
        fmpz_sqrt(b, fmpq_denref(q));
        fmpq_set_fmpz_frac(lo, a, b);
        fmpq_set(hi, lo);
    } else {
        arb_init(x);
        arf_init(t);
        arb_set_fmpq(x, q, bits + 64);
        arb_sqrt(x, x, bits + 64);
        arb_get_lbound_arf(t, x, bits + 64);
        arf_get_fmpq(lo, t);
        arb_get_ubound_arf(t, x, bits + 64);
        arf_get_fmpq(hi, t);
        arb_clear(x);
        arf_clear(t);
    }
    fmpz_clear(a);
    fmpz_clear(b);
}

static void max_into(fmpq_t acc, const fmpq_t x)
{
    if (fmpq_cmp(x, acc) > 0)
        fmpq_set(acc, x);
}

/* Structured: eigenvalues re (+- i im), |lambda|^2 rational, A diagonalizable. */
static void structured(ssmh_spectrum_t s, const ssmh_model_t m, slong bits)
{
    slong i;
    int cd = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG;
    ssmh_mode_key_t *key = flint_malloc(sizeof(ssmh_mode_key_t) * (size_t)FLINT_MAX(m->N, 1));
    fmpq_t sq, best, t;
    fmpq_init(sq);
    fmpq_init(best);
    fmpq_init(t);
    for (i = 0; i < m->N; i++) {
        key[i].re = fmpq_mat_entry(m->lambda_re, i, 0);
        key[i].im = cd ? fmpq_mat_entry(m->lambda_im, i, 0) : NULL;
        key[i].i = i;
    }
    _ssmh_mode_sort(key, m->N, 0);   /* equal ones adjacent: O(N log N) */
    for (i = 0; i < m->N; i++) {
        int dup = i > 0 && _ssmh_mode_cmp(key + i, key + i - 1, 0) == 0;
        fmpq_mul(sq, key[i].re, key[i].re);
        if (cd) {
            fmpq_mul(t, key[i].im, key[i].im);
            fmpq_add(sq, sq, t);
        }
        if (!dup) {
            int c = fmpq_cmp_ui(sq, 1);
            int cplx = cd && !fmpq_is_zero(key[i].im);
            /* a complex mode and its conjugate: two eigenvalues of the real form */
            if (c == 0)
                s->unit += cplx ? 2 : 1;
            else if (c > 0)
                s->outside += cplx ? 2 : 1;
        }
        max_into(best, sq);
    }
    s->verdict = s->outside ? SSMH_UNSTABLE : s->unit ? SSMH_MARGINAL : SSMH_STABLE;
    _ssmh_sqrt_enclose(s->rho_lo, s->rho_hi, best, bits);
    flint_free(key);
    fmpq_clear(sq);
    fmpq_clear(best);
    fmpq_clear(t);
}

/* p(A) exactly (Horner). */
static void poly_of_matrix(fmpq_mat_t out, const fmpz_poly_t p, const fmpq_mat_t A)
{
    slong i, N = fmpq_mat_nrows(A);
    fmpq_mat_t T;
    fmpq_t c;
    fmpq_mat_init(T, N, N);
    fmpq_init(c);
    fmpq_mat_zero(out);
    for (i = fmpz_poly_degree(p); i >= 0; i--) {
        fmpq_mat_mul(T, out, A);
        fmpq_mat_swap(T, out);
        fmpz_poly_get_coeff_fmpz(fmpq_numref(c), p, i);
        fmpz_one(fmpq_denref(c));
        for (slong k = 0; k < N; k++)
            fmpq_add(fmpq_mat_entry(out, k, k), fmpq_mat_entry(out, k, k), c);
    }
    fmpq_mat_clear(T);
    fmpq_clear(c);
}

static slong exact_rank(const fmpq_mat_t X)
{
    fmpz_mat_t Z;
    fmpz_t den;
    slong r;
    fmpz_mat_init(Z, fmpq_mat_nrows(X), fmpq_mat_ncols(X));
    fmpz_init(den);
    fmpq_mat_get_fmpz_mat_matwise(Z, den, X);
    r = fmpz_mat_rank(Z);
    fmpz_mat_clear(Z);
    fmpz_clear(den);
    return r;
}

/* Unit-circle roots of an irreducible p of degree >= 2 (0 unless p is
   self-reciprocal). */
static slong unit_roots(const fmpz_poly_t p)
{
    fmpz_poly_t rev, h, T0, T1, T2, w;
    slong deg = fmpz_poly_degree(p), s, k, count = 0, prec, nreal;
    int pal;
    fmpz_poly_init(rev);
    fmpz_poly_reverse(rev, p, deg + 1);
    pal = fmpz_poly_equal(rev, p);
    fmpz_poly_clear(rev);
    if (!pal || deg % 2 != 0)   /* anti-palindromic would vanish at 1 */
        return 0;
    s = deg / 2;
    /* p(x) / x^s = c_s + sum_{k=1..s} c_{s+k} (x^k + x^-k), x^k + x^-k = T_k(w) */
    fmpz_poly_init(h);
    fmpz_poly_init(T0);
    fmpz_poly_init(T1);
    fmpz_poly_init(T2);
    fmpz_poly_init(w);
    fmpz_poly_set_coeff_si(w, 1, 1);
    fmpz_poly_set_coeff_si(T0, 0, 2);
    fmpz_poly_set(T1, w);
    fmpz_poly_set_coeff_fmpz(h, 0, p->coeffs + s);
    for (k = 1; k <= s; k++) {
        fmpz_poly_scalar_addmul_fmpz(h, T1, p->coeffs + s + k);
        fmpz_poly_mul(T2, w, T1);
        fmpz_poly_sub(T2, T2, T0);
        fmpz_poly_swap(T0, T1);
        fmpz_poly_swap(T1, T2);
    }
    /* real roots of h (squarefree: p is) inside (-2, 2) */
    nreal = fmpz_poly_num_real_roots(h);
    for (prec = 64; nreal > 0 && prec <= MAX_PREC; prec *= 2) {
        acb_ptr r = _acb_vec_init(s);
        arb_t two, mtwo;
        slong i, decided = 0;
        arb_init(two);
        arb_init(mtwo);
        arb_set_si(two, 2);
        arb_set_si(mtwo, -2);
        arb_fmpz_poly_complex_roots(r, h, 0, prec);
        count = 0;
        for (i = 0; i < s; i++) {
            if (!acb_is_real(r + i))
                continue;
            if (arb_gt(acb_realref(r + i), mtwo) && arb_lt(acb_realref(r + i), two)) {
                count++;
                decided++;
            } else if (arb_le(acb_realref(r + i), mtwo) || arb_ge(acb_realref(r + i), two))
                decided++;
        }
        _acb_vec_clear(r, s);
        arb_clear(two);
        arb_clear(mtwo);
        if (decided == nreal)
            break;
    }
    fmpz_poly_clear(h);
    fmpz_poly_clear(T0);
    fmpz_poly_clear(T1);
    fmpz_poly_clear(T2);
    fmpz_poly_clear(w);
    return 2 * count;
}

/* One irreducible factor: counts, and its contribution to [rho_lo, rho_hi].
   Returns 0, or -1 when the roots could not be separated within MAX_PREC. */
static int factor_roots(ssmh_spectrum_t s, const fmpz_poly_t p, slong bits, int *has_unit,
                        fmpq_t lo, fmpq_t hi)
{
    slong deg = fmpz_poly_degree(p), U, prec, i;
    fmpq_zero(lo);
    fmpq_zero(hi);
    *has_unit = 0;
    if (deg == 1) {   /* root -c0/c1 exactly */
        fmpq_t z;
        int c;
        fmpq_init(z);
        fmpz_neg(fmpq_numref(z), p->coeffs + 0);
        fmpz_set(fmpq_denref(z), p->coeffs + 1);
        fmpq_canonicalise(z);
        fmpq_abs(z, z);
        c = fmpq_cmp_ui(z, 1);
        s->unit += c == 0;
        s->outside += c > 0;
        *has_unit = c == 0;
        fmpq_set(lo, z);
        fmpq_set(hi, z);
        fmpq_clear(z);
        return 0;
    }
    U = unit_roots(p);
    *has_unit = U > 0;
    for (prec = 2 * bits + 64; prec <= MAX_PREC; prec *= 2) {
        acb_ptr r = _acb_vec_init(deg);
        arb_t a, one;
        arf_t t;
        fmpq_t q;
        slong amb = 0, out = 0;
        int tight = 1;
        arb_init(a);
        arb_init(one);
        arf_init(t);
        fmpq_init(q);
        arb_one(one);
        arb_fmpz_poly_complex_roots(r, p, 0, prec);
        fmpq_zero(lo);
        fmpq_zero(hi);
        for (i = 0; i < deg; i++) {
            acb_abs(a, r + i, prec);
            if (arb_gt(a, one))
                out++;
            else if (!arb_lt(a, one))
                amb++;
            if (arb_rel_accuracy_bits(a) < bits + 2)
                tight = 0;
            arb_get_lbound_arf(t, a, prec);
            arf_get_fmpq(q, t);
            max_into(lo, q);
            arb_get_ubound_arf(t, a, prec);
            arf_get_fmpq(q, t);
            max_into(hi, q);
        }
        _acb_vec_clear(r, deg);
        arb_clear(a);
        arb_clear(one);
        arf_clear(t);
        fmpq_clear(q);
        if (amb == U && tight) {
            s->unit += U;
            s->outside += out;
            /* every root at modulus 1 is exactly 1: clamp the enclosure */
            if (U > 0 && out == 0 && fmpq_cmp_ui(hi, 1) >= 0) {
                fmpq_one(hi);
                if (fmpq_cmp_ui(lo, 1) < 0)
                    fmpq_one(lo);
            }
            return 0;
        }
    }
    return -1;
}

int ssmh_spectrum_compute(ssmh_spectrum_t s, const ssmh_model_t m_in, slong bits,
                          ssmh_error_t *err)
{
    ssmh_model_t m;
    fmpq_poly_t chi;
    fmpz_poly_t z;
    fmpz_poly_factor_t fac;
    fmpq_t lo, hi;
    slong j;
    int rc = SSMH_OK;

    ssmh_spectrum_clear(s);
    if (m_in->structure == SSMH_STRUCTURE_DIAG || m_in->structure == SSMH_STRUCTURE_COMPLEX_DIAG) {
        structured(s, m_in, bits);
        return SSMH_OK;
    }
    ssmh_model_init(m);
    ssmh_model_realify(m, m_in);
    fmpq_poly_init(chi);
    fmpz_poly_init(z);
    fmpz_poly_factor_init(fac);
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_mat_charpoly(chi, m->A);
    fmpq_poly_get_numerator(z, chi);
    fmpz_poly_factor(fac, z);
    for (j = 0; j < fac->num && rc == SSMH_OK; j++) {
        int has_unit;
        if (factor_roots(s, fac->p + j, bits, &has_unit, lo, hi) != 0) {
            rc = ssmh_error_set(err, SSMH_E_UNDECIDED, "", "",
                                "could not separate the eigenvalues from the unit circle within %ld bits",
                                MAX_PREC);
            break;
        }
        max_into(s->rho_lo, lo);
        max_into(s->rho_hi, hi);
        if (has_unit && fac->exp[j] > 1 && !s->defective_unit) {
            fmpq_mat_t E, E2;
            fmpq_mat_init(E, m->N, m->N);
            fmpq_mat_init(E2, m->N, m->N);
            poly_of_matrix(E, fac->p + j, m->A);
            fmpq_mat_mul(E2, E, E);
            s->defective_unit = exact_rank(E2) < exact_rank(E);
            fmpq_mat_clear(E);
            fmpq_mat_clear(E2);
        }
    }
    if (rc == SSMH_OK)
        s->verdict = (s->outside || s->defective_unit) ? SSMH_UNSTABLE
                     : s->unit ? SSMH_MARGINAL : SSMH_STABLE;
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpz_poly_factor_clear(fac);
    fmpz_poly_clear(z);
    fmpq_poly_clear(chi);
    ssmh_model_clear(m);
    return rc;
}
