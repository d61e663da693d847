/*
 * Evidence for the verdicts `marginal` and `unstable` in gradient
 * certificates.  Guarantee: what is returned is checkable by exact
 * arithmetic alone: a block of a structured model whose eigenvalue has
 * |lambda|^2 > 1 (or = 1), or a monic phi of degree <= 2 with a nonzero v,
 * phi(A) v = 0 (so a root of phi is an eigenvalue), whose roots lie outside
 * (or on) the unit circle, or a chain phi(A) w = v, phi(A) v = 0 with unit
 * roots (a defective unit-circle eigenvalue); for irreducible factors f of
 * higher degree, a vector whose A-cyclic space has minimal polynomial f (or
 * f^2: every root defective), with |f(0)| >= 1 showing a root of modulus
 * >= 1; for an unstable A whose outside roots are in no such factor, the
 * Stein form: r >= 1, r^2 P - A^T P A > 0 and x^T P x < 0, which force an
 * eigenvalue with |lambda| > r.  Every piece is checked exactly here before
 * it is returned.  NULL when none is found; the verdict is then reported
 * but not certified.
 */
#include "ssmheads-impl.h"

static json_t *q(const fmpq_t x)
{
    return ssmh_json_rational(x);
}

/* Structured: the first state of a mode with |lambda|^2 compared to 1 as cmp. */
static json_t *block_evidence(const ssmh_model_t m, int want)
{
    slong i;
    fmpq_t s, t;
    json_t *o = NULL;
    fmpq_init(s);
    fmpq_init(t);
    for (i = 0; i < m->N && o == NULL; i++) {
        fmpq_mul(s, fmpq_mat_entry(m->lambda_re, i, 0), fmpq_mat_entry(m->lambda_re, i, 0));
        if (m->structure == SSMH_STRUCTURE_COMPLEX_DIAG) {
            fmpq_mul(t, fmpq_mat_entry(m->lambda_im, i, 0), fmpq_mat_entry(m->lambda_im, i, 0));
            fmpq_add(s, s, t);
        }
        if ((want > 0 && fmpq_cmp_ui(s, 1) > 0) || (want == 0 && fmpq_cmp_ui(s, 1) == 0)) {
            o = json_object();
            json_object_set_new(o, "type", json_string("block"));
            json_object_set_new(o, "state",
                                json_integer(m->structure == SSMH_STRUCTURE_COMPLEX_DIAG ? 2 * i : i));
        }
    }
    fmpq_clear(s);
    fmpq_clear(t);
    return o;
}

/* A nonzero kernel vector of X (N x N), or 0. */
static int kernel_vector(fmpq_mat_t v, const fmpq_mat_t X, const fmpq_mat_t avoid)
{
    slong N = fmpq_mat_nrows(X), i, j, r;
    fmpz_mat_t Z, K;
    fmpz_t den, one;
    int found = 0;
    fmpz_mat_init(Z, N, N);
    fmpz_mat_init(K, N, N);
    fmpz_init(den);
    fmpz_init_set_ui(one, 1);
    fmpq_mat_get_fmpz_mat_matwise(Z, den, X);
    r = fmpz_mat_nullspace(K, Z);
    for (j = 0; j < r && !found; j++) {
        for (i = 0; i < N; i++)
            fmpq_set_fmpz_frac(fmpq_mat_entry(v, i, 0), fmpz_mat_entry(K, i, j), one);
        if (avoid == NULL) {
            found = 1;
        } else {   /* need avoid * v != 0 */
            fmpq_mat_t w;
            fmpq_mat_init(w, N, 1);
            fmpq_mat_mul(w, avoid, v);
            found = !fmpq_mat_is_zero(w);
            fmpq_mat_clear(w);
        }
    }
    fmpz_mat_clear(Z);
    fmpz_mat_clear(K);
    fmpz_clear(den);
    fmpz_clear(one);
    return found;
}

static json_t *vec_json(const fmpq_mat_t v)
{
    json_t *a = json_array();
    slong i;
    for (i = 0; i < fmpq_mat_nrows(v); i++)
        json_array_append_new(a, q(fmpq_mat_entry(v, i, 0)));
    return a;
}

/* Dense: an irreducible factor of degree <= 2 of the characteristic
   polynomial, its roots' modulus explicit. */
static json_t *kernel_evidence(const ssmh_model_t m, const fmpz_poly_factor_t fac, ssmh_stability_t verdict)
{
    slong j, N = m->N;
    json_t *o = NULL;
    for (j = 0; j < fac->num && o == NULL; j++) {
        slong deg = fmpz_poly_degree(fac->p + j);
        fmpq c[2];
        fmpq_t mod2, disc, t;
        int cls; /* -1 inside, 0 unit, 1 outside, 2 not usable */
        if (deg < 1 || deg > 2)
            continue;
        fmpq_init(c + 0);
        fmpq_init(c + 1);
        fmpq_init(mod2);
        fmpq_init(disc);
        fmpq_init(t);
        /* monic: phi = x^deg + c1 x + c0 (c1 unused for degree 1) */
        fmpq_set_fmpz_frac(c + 0, fac->p[j].coeffs + 0, fac->p[j].coeffs + deg);
        if (deg == 2)
            fmpq_set_fmpz_frac(c + 1, fac->p[j].coeffs + 1, fac->p[j].coeffs + 2);
        if (deg == 1) {
            fmpq_mul(mod2, c + 0, c + 0);
            cls = fmpq_cmp_ui(mod2, 1);
        } else {
            fmpq_mul(disc, c + 1, c + 1);     /* complex pair iff c1^2 < 4 c0 */
            fmpq_mul_2exp(t, c + 0, 2);
            cls = fmpq_cmp(disc, t) < 0 ? fmpq_cmp_ui(c + 0, 1) : 2;
        }
        if (cls != 2 && ((verdict == SSMH_UNSTABLE && cls > 0)
                         || (verdict == SSMH_UNSTABLE && cls == 0 && fac->exp[j] > 1)
                         || (verdict == SSMH_MARGINAL && cls == 0))) {
            fmpq_mat_t X, X2, v, w;
            int chain = verdict == SSMH_UNSTABLE && cls == 0;
            fmpq_mat_init(X, N, N);
            fmpq_mat_init(X2, N, N);
            fmpq_mat_init(v, N, 1);
            fmpq_mat_init(w, N, 1);
            _ssmh_fmpz_poly_of_mat(X, fac->p + j, m->A);   /* phi(A) = f(A) / lead f */
            fmpq_mat_scalar_div_fmpz(X, X, fac->p[j].coeffs + deg);
            if (!chain && kernel_vector(v, X, NULL)) {
                o = json_object();
                json_object_set_new(o, "type", json_string("kernel"));
            } else if (chain) {
                fmpq_mat_mul(X2, X, X);
                if (kernel_vector(w, X2, X)) {   /* w in ker phi^2, phi w != 0 */
                    fmpq_mat_mul(v, X, w);
                    o = json_object();
                    json_object_set_new(o, "type", json_string("chain"));
                    json_object_set_new(o, "w", vec_json(w));
                }
            }
            if (o != NULL) {
                json_t *pc = json_array();
                json_array_append_new(pc, q(c + 0));
                if (deg == 2)
                    json_array_append_new(pc, q(c + 1));
                json_array_append_new(pc, json_string("1"));
                json_object_set_new(o, "poly", pc);
                json_object_set_new(o, "v", vec_json(v));
            }
            fmpq_mat_clear(X);
            fmpq_mat_clear(X2);
            fmpq_mat_clear(v);
            fmpq_mat_clear(w);
        }
        fmpq_clear(c + 0);
        fmpq_clear(c + 1);
        fmpq_clear(mod2);
        fmpq_clear(disc);
        fmpq_clear(t);
    }
    return o;
}

#define CYCLIC_MAX_DEGREE 32

/* Dense: an irreducible factor f (degree > 2, at most CYCLIC_MAX_DEGREE) of
   the characteristic polynomial with |f(0)| = |lead f| (marginal: a root on
   the circle; unstable with a defective one) or |f(0)| > |lead f| (unstable:
   a root outside), and v in ker f(A) (power 1) or in ker f(A)^2 but not in
   ker f(A) (power 2).  f irreducible makes the minimal polynomial of v equal
   f or f^2: every root of f is an eigenvalue, defective for power 2. */
static json_t *cyclic_evidence(const ssmh_model_t m, const fmpz_poly_factor_t fac, ssmh_stability_t verdict)
{
    slong j, k, N = m->N;
    json_t *o = NULL;
    for (j = 0; j < fac->num && o == NULL; j++) {
        const fmpz_poly_struct *f = fac->p + j;
        slong d = fmpz_poly_degree(f);
        int c = d >= 1 ? fmpz_cmpabs(f->coeffs + 0, f->coeffs + d) : -1, power = 0;
        fmpq_mat_t X, X2, v;
        if (verdict == SSMH_MARGINAL && c == 0)
            power = 1;
        else if (verdict == SSMH_UNSTABLE && c > 0)
            power = 1;
        else if (verdict == SSMH_UNSTABLE && c == 0 && fac->exp[j] > 1)
            power = 2;
        if (power == 0 || d <= 2 || d > CYCLIC_MAX_DEGREE || power * d > N)
            continue;
        fmpq_mat_init(X, N, N);
        fmpq_mat_init(X2, N, N);
        fmpq_mat_init(v, N, 1);
        _ssmh_fmpz_poly_of_mat(X, f, m->A);
        if (power == 2)
            fmpq_mat_mul(X2, X, X);
        if (power == 1 ? kernel_vector(v, X, NULL) : kernel_vector(v, X2, X)) {
            json_t *pc = json_array();
            fmpq_t ck;
            fmpq_init(ck);
            for (k = 0; k < d; k++) {
                fmpq_set_fmpz_frac(ck, f->coeffs + k, f->coeffs + d);
                json_array_append_new(pc, q(ck));
            }
            json_array_append_new(pc, json_string("1"));
            fmpq_clear(ck);
            o = json_object();
            json_object_set_new(o, "type", json_string("cyclic"));
            json_object_set_new(o, "poly", pc);
            json_object_set_new(o, "power", json_integer(power));
            json_object_set_new(o, "v", vec_json(v));
        }
        fmpq_mat_clear(X);
        fmpq_mat_clear(X2);
        fmpq_mat_clear(v);
    }
    return o;
}

/* Dense, unstable: the Stein form (r, P, x), proven here: r >= 1,
   r^2 P - A^T P A > 0 and x^T P x < 0. */
static json_t *stein_evidence(const ssmh_model_t m)
{
    slong N = m->N;
    fmpq_mat_t P, S, x, Px, xPx;
    fmpq_t r;
    json_t *o = NULL;
    fmpq_mat_init(P, N, N);
    fmpq_mat_init(S, N, N);
    fmpq_mat_init(x, N, 1);
    fmpq_mat_init(Px, N, 1);
    fmpq_mat_init(xPx, 1, 1);
    fmpq_init(r);
    if (_ssmh_instability_form(P, x, r, m->A) && fmpq_cmp_ui(r, 1) >= 0) {
        fmpq_mat_t xt;
        fmpq_mat_init(xt, 1, N);
        fmpq_mat_transpose(xt, x);
        fmpq_mat_mul(Px, P, x);
        fmpq_mat_mul(xPx, xt, Px);
        fmpq_mat_clear(xt);
        _ssmh_stein_residual(S, m->A, P, r);
        if (fmpq_sgn(fmpq_mat_entry(xPx, 0, 0)) < 0 && _ssmh_is_psd(S, 1)) {
            o = json_object();
            json_object_set_new(o, "type", json_string("stein"));
            json_object_set_new(o, "r", q(r));
            json_object_set_new(o, "P", ssmh_json_matrix(P));
            json_object_set_new(o, "x", vec_json(x));
        }
    }
    fmpq_mat_clear(P);
    fmpq_mat_clear(S);
    fmpq_mat_clear(x);
    fmpq_mat_clear(Px);
    fmpq_mat_clear(xPx);
    fmpq_clear(r);
    return o;
}

static json_t *dense_evidence(const ssmh_model_t m_in, ssmh_stability_t verdict)
{
    ssmh_model_t m;
    fmpq_poly_t chi;
    fmpz_poly_t z;
    fmpz_poly_factor_t fac;
    json_t *o;
    ssmh_model_init(m);
    ssmh_model_realify(m, m_in);
    fmpq_poly_init(chi);
    fmpz_poly_init(z);
    fmpz_poly_factor_init(fac);
    fmpq_mat_charpoly(chi, m->A);
    fmpq_poly_get_numerator(z, chi);
    fmpz_poly_factor(fac, z);
    o = kernel_evidence(m, fac, verdict);
    if (o == NULL)
        o = cyclic_evidence(m, fac, verdict);
    if (o == NULL && verdict == SSMH_UNSTABLE)
        o = stein_evidence(m);
    fmpz_poly_factor_clear(fac);
    fmpz_poly_clear(z);
    fmpq_poly_clear(chi);
    ssmh_model_clear(m);
    return o;
}

json_t *_ssmh_verdict_evidence(const ssmh_model_t m, ssmh_stability_t verdict)
{
    if (verdict != SSMH_MARGINAL && verdict != SSMH_UNSTABLE)
        return NULL;
    if (m->structure == SSMH_STRUCTURE_DIAG || m->structure == SSMH_STRUCTURE_COMPLEX_DIAG)
        return block_evidence(m, verdict == SSMH_UNSTABLE ? 1 : 0);
    return dense_evidence(m, verdict);
}
