/*
 * approx.c -- the least head count within eps, with exact witnesses.
 *
 * Guarantee (see ssmheads/approx.h): H is returned only after its two
 * witnesses were checked over Q here: the basis's exact residual is
 * <= tau (so E(H)^2 <= tau) and the lower witness proves E(H-1)^2 > tau by
 * Ky Fan's inequality sum_{q<=m} lambda_q(G) <= m t + tr Z for any t and
 * Z >= 0 with Z >= G - t I, both matrix inequalities proven by exact LDL^T.
 * Arb (root isolation, QR eigenvectors) only guides the choice of witness.
 */
#include "approx-impl.h"
#include <stdio.h>
#include <ssmheads/heads.h>
#ifdef SSMH_FLINT3
#include <flint/acb_mat.h>
#else
#include <acb_mat.h>
#endif

#define APPROX_MAX_PREC 4096

/* The problem in coordinates.  Every vector of G's range is L x: in lag
   coordinates (n < dim) L = F = [vec K_0 ... vec K_{n-1}] and x has n
   entries; otherwise L = I on the support.  With P = L^T L, Q = L^T G L and
   S = W P (lag) or G, the nonzero spectra of S and G agree (S x = lambda x
   gives G L x = lambda L x), and for V = L X:
   V^T V = X^T P X, V^T G V = X^T Q X.  No dim x dim matrix is formed in lag
   coordinates. */
typedef struct {
    int lagmode;
    slong s;                   /* coordinates: n (lag) or dim */
    fmpq_mat_t F;              /* dim x n */
    fmpq_mat_t P, Q, S;        /* s x s (P unused, = I, when !lagmode) */
} work_t;

/* out = X^T A X (A = NULL: the identity). */
static void quad(fmpq_mat_t out, const fmpq_mat_struct *A, const fmpq_mat_t X)
{
    slong s = fmpq_mat_nrows(X), h = fmpq_mat_ncols(X);
    fmpq_mat_t Xt, AX;
    fmpq_mat_clear(out);
    fmpq_mat_init(out, h, h);
    if (h == 0 || s == 0)
        return;
    fmpq_mat_init(Xt, h, s);
    fmpq_mat_init(AX, s, h);
    fmpq_mat_transpose(Xt, X);
    if (A != NULL)
        fmpq_mat_mul(AX, A, X);
    else
        fmpq_mat_set(AX, X);
    fmpq_mat_mul(out, Xt, AX);
    fmpq_mat_clear(Xt);
    fmpq_mat_clear(AX);
}

static const fmpq_mat_struct *Pm(const work_t *w)
{
    return w->lagmode ? w->P : NULL;
}

/* V = L X */
static void lift(fmpq_mat_t V, const work_t *w, const fmpq_mat_t X)
{
    fmpq_mat_t T;
    fmpq_mat_init(T, fmpq_mat_nrows(w->F), fmpq_mat_ncols(X));
    if (!w->lagmode)
        fmpq_mat_set(T, X);
    else if (fmpq_mat_ncols(X) > 0)
        fmpq_mat_mul(T, w->F, X);
    fmpq_mat_swap(V, T);    /* V may alias X */
    fmpq_mat_clear(T);
}

/* tr((V^T V)^{-1} V^T G V) for V = L X: the part of tr G that span V
   captures.  Returns 0 when V^T V is singular. */
static int captured_trace(fmpq_t tr, const work_t *w, const fmpq_mat_t X)
{
    slong h = fmpq_mat_ncols(X), i;
    fmpq_mat_t A, B, Y;
    int ok;
    fmpq_zero(tr);
    if (h == 0)
        return 1;
    fmpq_mat_init(A, 0, 0);
    fmpq_mat_init(B, 0, 0);
    fmpq_mat_init(Y, h, h);
    quad(A, Pm(w), X);
    quad(B, w->Q, X);
    ok = fmpq_mat_solve(Y, A, B);
    if (ok)
        for (i = 0; i < h; i++)
            fmpq_add(tr, tr, fmpq_mat_entry(Y, i, i));
    fmpq_mat_clear(A);
    fmpq_mat_clear(B);
    fmpq_mat_clear(Y);
    return ok;
}

void ssmh_approx_init(ssmh_approx_t a)
{
    memset(a, 0, sizeof(*a));
    fmpq_init(a->eps);
    fmpq_init(a->tau);
    fmpq_init(a->total);
    fmpq_init(a->error2_upper);
    fmpq_init(a->error2_lower_prev);
    fmpq_init(a->t);
    fmpq_mat_init(a->basis, 0, 0);
    fmpq_mat_init(a->W, 0, 0);
    fmpq_mat_init(a->Y, 0, 0);
    ssmh_envelope_init(a->env);
    fmpq_init(a->e);
    fmpq_init(a->u);
    fmpq_init(a->v);
    fmpq_init(a->rho);
    fmpq_init(a->total_hi);
    fmpq_init(a->tau_hi);
    fmpq_mat_init(a->L, 0, 0);
    fmpq_mat_init(a->Dl, 0, 0);
    fmpq_init(a->eta);
    fmpq_init(a->c2);
}

void ssmh_approx_clear(ssmh_approx_t a)
{
    fmpq_clear(a->eps);
    fmpq_clear(a->tau);
    fmpq_clear(a->total);
    fmpq_clear(a->error2_upper);
    fmpq_clear(a->error2_lower_prev);
    fmpq_clear(a->t);
    fmpq_mat_clear(a->basis);
    fmpq_mat_clear(a->W);
    fmpq_mat_clear(a->Y);
    ssmh_envelope_clear(a->env);
    fmpq_clear(a->e);
    fmpq_clear(a->u);
    fmpq_clear(a->v);
    fmpq_clear(a->rho);
    fmpq_clear(a->total_hi);
    fmpq_clear(a->tau_hi);
    fmpq_mat_clear(a->L);
    fmpq_mat_clear(a->Dl);
    fmpq_clear(a->eta);
    fmpq_clear(a->c2);
    if (a->curve_lo != NULL) {
        _fmpq_vec_clear(a->curve_lo, a->k + 1);
        _fmpq_vec_clear(a->curve_hi, a->k + 1);
    }
    flint_free(a->support);
    memset(a, 0, sizeof(*a));
}

/* tr((V^T V)^{-1} V^T M V): the trace of M compressed to span V (V full
   column rank).  Returns 0 when V^T V is singular. */

static void append_kernel(fmpq_mat_t V, slong *col, const fmpq_mat_t G,
                          const fmpz_poly_t f, slong want)
{
    slong dim = fmpq_mat_nrows(G), i, j, d = fmpz_poly_degree(f), nul;
    fmpq_mat_t P, T;
    fmpz_mat_t Z, N;
    fmpz_t den;
    fmpq_mat_init(P, dim, dim);
    fmpq_mat_init(T, dim, dim);
    /* Horner: P = f(G) */
    for (j = d; j >= 0; j--) {
        fmpq_mat_mul(T, P, G);
        fmpq_mat_swap(P, T);
        for (i = 0; i < dim; i++)
            fmpq_add_fmpz(fmpq_mat_entry(P, i, i), fmpq_mat_entry(P, i, i), f->coeffs + j);
    }
    fmpz_mat_init(Z, dim, dim);
    fmpz_mat_init(N, dim, dim);
    fmpz_init(den);
    fmpq_mat_get_fmpz_mat_matwise(Z, den, P);   /* same kernel as P */
    nul = fmpz_mat_nullspace(N, Z);
    for (j = 0; j < nul && j < want; j++, (*col)++)
        for (i = 0; i < dim; i++)
            fmpq_set_fmpz(fmpq_mat_entry(V, i, *col), fmpz_mat_entry(N, i, j));
    fmpz_clear(den);
    fmpz_mat_clear(Z);
    fmpz_mat_clear(N);
    fmpq_mat_clear(P);
    fmpq_mat_clear(T);
}

/* k lags whose vecs are independent (col F has dimension k = rank G): the
   pivot columns of F modulo a prime dividing no denominator.  Independent
   mod p implies independent over Q; k of them span col F. */

static void pivot_lags(slong *piv, const fmpq_mat_t F, slong k)
{
    slong rows = fmpq_mat_nrows(F), cols = fmpq_mat_ncols(F), i, j, r = 0;
    fmpz_mat_t Z;
    fmpz_t den;
    mp_limb_t p = UWORD(1) << 62;
    fmpz_mat_init(Z, rows, cols);
    fmpz_init(den);
    fmpq_mat_get_fmpz_mat_matwise(Z, den, F);   /* same column dependencies */
    while (r != k) {
        nmod_mat_t M;
        p = n_nextprime(p, 1);
        nmod_mat_init(M, rows, cols, p);
        fmpz_mat_get_nmod_mat(M, Z);
        r = nmod_mat_rref(M);
        if (r == k)
            for (i = 0, j = 0; i < r; i++) {
                while (nmod_mat_entry(M, i, j) == 0)
                    j++;
                piv[i] = j;
            }
        nmod_mat_clear(M);
    }
    fmpz_mat_clear(Z);
    fmpz_clear(den);
}

/* Exact basis of G's top-h invariant subspace when the cut splits no
   irreducible factor of degree > 1: kernels of f(S), lifted; for h = k,
   simply k independent lags. */

static int numeric_top_coords(fmpq_mat_t V, const fmpq_mat_t G, slong h, slong prec, slong bits)
{
    slong dim = fmpq_mat_nrows(G), i, j, q;
    acb_mat_t A, R;
    acb_ptr E;
    slong *ord;
    fmpz_t z;
    arf_t x;
    int ok;
    acb_mat_init(A, dim, dim);
    acb_mat_init(R, dim, dim);
    E = _acb_vec_init(dim);
    ord = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(dim, 1));
    fmpz_init(z);
    arf_init(x);
    for (i = 0; i < dim; i++)
        for (j = 0; j < dim; j++)
            acb_set_fmpq(acb_mat_entry(A, i, j), fmpq_mat_entry(G, i, j), prec);
    ok = acb_mat_approx_eig_qr(E, NULL, R, A, NULL, 0, prec);
    for (i = 0; i < dim; i++)
        ord[i] = i;
    for (i = 1; i < dim; i++)   /* insertion sort, decreasing real part */
        for (j = i; j > 0 && arf_cmp(arb_midref(acb_realref(E + ord[j])),
                                     arb_midref(acb_realref(E + ord[j - 1]))) > 0; j--) {
            slong s = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = s;
        }
    fmpq_mat_clear(V);
    fmpq_mat_init(V, dim, h);
    for (q = 0; q < h && q < dim; q++) {
        slong c = ord[q], e = WORD_MIN;
        for (i = 0; i < dim; i++) {
            const arf_struct *v = arb_midref(acb_realref(acb_mat_entry(R, i, c)));
            if (!arf_is_zero(v) && arf_is_finite(v))
                e = FLINT_MAX(e, arf_abs_bound_lt_2exp_si(v));
        }
        if (e <= -(WORD(1) << 40) || e >= (WORD(1) << 40))
            e = WORD_MIN;
        if (e == WORD_MIN)
            ok = 0;
        for (i = 0; i < dim && ok; i++) {
            arf_mul_2exp_si(x, arb_midref(acb_realref(acb_mat_entry(R, i, c))), bits - e);
            if (!arf_is_finite(x))
                ok = 0;
            else
                arf_get_fmpz(z, x, ARF_RND_NEAR);
            fmpq_set_fmpz(fmpq_mat_entry(V, i, q), z);
        }
    }
    fmpz_clear(z);
    arf_clear(x);
    flint_free(ord);
    _acb_vec_clear(E, dim);
    acb_mat_clear(A);
    acb_mat_clear(R);
    return ok;
}


static void arb_lower_fmpq(fmpq_t out, const arb_t x, slong prec)
{
    arf_t b;
    arf_init(b);
    arb_get_lbound_arf(b, x, prec);
    arf_get_fmpq(out, b);
    arf_clear(b);
}

static void arb_upper_fmpq(fmpq_t out, const arb_t x, slong prec)
{
    arf_t b;
    arf_init(b);
    arb_get_ubound_arf(b, x, prec);
    arf_get_fmpq(out, b);
    arf_clear(b);
}

/* Y = (W^T W)^{-1} W^T (G - t I) W (W^T W)^{-1}: the exact compression of
   G - t I to span W, so that W Y W^T = P (G - t I) P. */

/* Coordinates of an exact basis of G's top-h invariant subspace when the cut
   splits no irreducible factor of degree > 1: kernels of f(S) for the
   factors above the cut; for h = k simply k independent lags. */
static void exact_top_coords(fmpq_mat_t X, const work_t *w, const ssmh_eigs_t *e, slong h)
{
    slong i, j, col = 0, nf = e->fac->num;
    slong *top;
    fmpq_mat_clear(X);
    fmpq_mat_init(X, w->s, h);
    if (h == e->k) {
        slong *piv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(h, 1));
        pivot_lags(piv, w->F, h);
        for (j = 0; j < h; j++) {
            if (w->lagmode)
                fmpq_one(fmpq_mat_entry(X, piv[j], j));
            else
                for (i = 0; i < w->s; i++)
                    fmpq_set(fmpq_mat_entry(X, i, j), fmpq_mat_entry(w->F, i, piv[j]));
        }
        flint_free(piv);
        return;
    }
    top = flint_calloc((size_t)FLINT_MAX(nf, 1), sizeof(slong));
    for (i = 0; i < h; i++)
        top[e->fi[i]]++;
    for (i = 0; i < nf; i++)
        if (top[i] > 0)
            append_kernel(X, &col, w->S, e->fac->p + i, top[i]);
    flint_free(top);
}

/* Ky Fan's lower witness for E(m)^2 in coordinates (W = L X): checks
   t >= 0, Y >= 0 and Z - G + t I >= 0 for Z = W Y W^T exactly and sets
   L = tr G - m t - tr Z.  Off span L, Z - G + t I = t I; on it the form is
   R = P X Y X^T P - Q + t P (or X Y X^T - G + t I).  Returns 1 when all
   hold. */
static int lower_check(fmpq_t L, const work_t *w, const fmpq_t total, slong m,
                       const fmpq_t t, const fmpq_mat_t X, const fmpq_mat_t Y)
{
    slong s = w->s, r = fmpq_mat_ncols(X), i;
    fmpq_mat_t PX, PXY, PXt, R, XtPX;
    fmpq_t tmp;
    int ok;
    if (fmpq_sgn(t) < 0 || !_ssmh_is_psd(Y, 0))
        return 0;
    fmpq_mat_init(PX, s, r);
    fmpq_mat_init(PXY, s, r);
    fmpq_mat_init(PXt, r, s);
    fmpq_mat_init(R, s, s);
    fmpq_mat_init(XtPX, 0, 0);
    fmpq_init(tmp);
    if (w->lagmode)
        fmpq_mat_mul(PX, w->P, X);
    else
        fmpq_mat_set(PX, X);
    fmpq_mat_mul(PXY, PX, Y);
    fmpq_mat_transpose(PXt, PX);
    if (r > 0)
        fmpq_mat_mul(R, PXY, PXt);
    fmpq_mat_sub(R, R, w->Q);
    if (w->lagmode) {
        fmpq_mat_t tP;
        fmpq_mat_init(tP, s, s);
        fmpq_mat_scalar_mul_fmpq(tP, w->P, t);
        fmpq_mat_add(R, R, tP);
        fmpq_mat_clear(tP);
    } else {
        for (i = 0; i < s; i++)
            fmpq_add(fmpq_mat_entry(R, i, i), fmpq_mat_entry(R, i, i), t);
    }
    ok = _ssmh_is_psd(R, 0);
    /* L = tr G - m t - tr(Y X^T P X) */
    quad(XtPX, Pm(w), X);
    fmpq_set(L, total);
    fmpq_mul_si(tmp, t, m);
    fmpq_sub(L, L, tmp);
    fmpq_mat_mul(XtPX, Y, XtPX);
    for (i = 0; i < r; i++)
        fmpq_sub(L, L, fmpq_mat_entry(XtPX, i, i));
    fmpq_mat_clear(PX);
    fmpq_mat_clear(PXY);
    fmpq_mat_clear(PXt);
    fmpq_mat_clear(R);
    fmpq_mat_clear(XtPX);
    fmpq_clear(tmp);
    return ok;
}

/* Y = (X^T P X)^{-1} (X^T Q X - t X^T P X) (X^T P X)^{-1}: the exact
   compression of G - t I to span W, so that W Y W^T = Pi (G - t I) Pi for
   the orthogonal projector Pi onto span W. */
static void compress_shifted(fmpq_mat_t Y, const work_t *w, const fmpq_t t, const fmpq_mat_t X)
{
    slong r = fmpq_mat_ncols(X);
    fmpq_mat_t A, M, T, U;
    fmpq_mat_init(A, 0, 0);
    fmpq_mat_init(M, 0, 0);
    fmpq_mat_init(T, r, r);
    fmpq_mat_init(U, r, r);
    quad(A, Pm(w), X);
    quad(M, w->Q, X);
    fmpq_mat_scalar_mul_fmpq(T, A, t);
    fmpq_mat_sub(M, M, T);
    fmpq_mat_solve(T, A, M);          /* A^{-1} M */
    fmpq_mat_transpose(U, T);         /* M A^{-1} */
    fmpq_mat_solve(T, A, U);          /* A^{-1} M A^{-1} */
    fmpq_mat_clear(Y);
    fmpq_mat_init(Y, r, r);
    fmpq_mat_set(Y, T);
    fmpq_mat_clear(A);
    fmpq_mat_clear(M);
    fmpq_mat_clear(T);
    fmpq_mat_clear(U);
}

/* x rounded toward zero to `prec` significant bits: a short dyadic, so that
   the witness's matrices share small power-of-two denominators. */
static void round_dyadic(fmpq_t x, slong prec)
{
    arf_t a;
    arf_init(a);
    arf_set_fmpq(a, x, prec, ARF_RND_DOWN);
    arf_get_fmpq(x, a);
    arf_clear(a);
}

/* Find and prove the lower witness for E(m)^2 > tau (m >= 1); a->W gets
   its coordinates (lifted by the caller). */
static int lower_witness(ssmh_approx_t a, const work_t *w, ssmh_eigs_t *e, slong m)
{
    slong r = m, prec, i;
    fmpq_t L, gap, margin, theta, eta, s;
    fmpq_mat_t XtPX;
    int done = 0;
    while (r < e->k && _ssmh_eigs_same(e, r - 1, r))
        r++;
    fmpq_init(L);
    fmpq_init(gap);
    fmpq_init(margin);
    fmpq_init(theta);
    fmpq_init(eta);
    fmpq_init(s);
    fmpq_mat_init(XtPX, 0, 0);
    for (prec = 128; prec <= APPROX_MAX_PREC && !done; prec *= 2) {
        if (!_ssmh_eigs_enclose(e, prec))
            continue;
        /* t: at most lambda_r, at least lambda_{r+1} (0 past the rank) */
        if (_ssmh_eigs_cut_rational(e, r)) {
            exact_top_coords(a->W, w, e, r);
            if (fmpz_poly_degree(e->fac->p + e->fi[r - 1]) == 1)
                fmpq_set(a->t, e->rootsum + e->fi[r - 1]);
            else
                arb_lower_fmpq(a->t, e->lam + r - 1, prec);
            compress_shifted(a->Y, w, a->t, a->W);
        } else {
            /* t = lambda_r - theta, Z = sum (lambda_q - t + eta) w w^T / |w|^2 */
            arb_lower_fmpq(gap, e->lam + r - 1, prec);
            if (r < e->k) {
                arb_upper_fmpq(s, e->lam + r, prec);
                fmpq_sub(gap, gap, s);
            }
            fmpq_sub(margin, a->curve_lo + m, a->tau);
            fmpq_div_2exp(theta, gap, 1);
            fmpq_set_si(s, 1, 4 * (r - m + 1));
            fmpq_mul(s, s, margin);
            if (fmpq_cmp(s, theta) < 0)
                fmpq_set(theta, s);
            fmpq_set_si(eta, 1, 4 * r);
            fmpq_mul(eta, eta, margin);
            round_dyadic(theta, prec);
            round_dyadic(eta, prec);
            arb_lower_fmpq(a->t, e->lam + r - 1, prec);
            fmpq_sub(a->t, a->t, theta);
            if (!numeric_top_coords(a->W, w->S, r, prec, prec - 16))
                continue;
            quad(XtPX, Pm(w), a->W);
            fmpq_mat_clear(a->Y);
            fmpq_mat_init(a->Y, r, r);
            for (i = 0; i < r; i++) {
                arb_upper_fmpq(s, e->lam + i, prec);
                fmpq_sub(s, s, a->t);
                fmpq_add(s, s, eta);
                if (!fmpq_is_zero(fmpq_mat_entry(XtPX, i, i))) {
                    fmpq_div(fmpq_mat_entry(a->Y, i, i), s, fmpq_mat_entry(XtPX, i, i));
                    round_dyadic(fmpq_mat_entry(a->Y, i, i), prec);
                }
            }
        }
        if (lower_check(L, w, a->total, m, a->t, a->W, a->Y) && fmpq_cmp(L, a->tau) > 0) {
            fmpq_set(a->error2_lower_prev, L);
            done = 1;
        }
    }
    fmpq_clear(L);
    fmpq_clear(gap);
    fmpq_clear(margin);
    fmpq_clear(theta);
    fmpq_clear(eta);
    fmpq_clear(s);
    fmpq_mat_clear(XtPX);
    return done;
}

/* Find the basis for E(H)^2 <= tau and its exact residual; a->basis gets
   its coordinates (lifted by the caller). */
static int upper_witness(ssmh_approx_t a, const work_t *w, ssmh_eigs_t *e)
{
    slong prec;
    fmpq_t tr;
    int done = 0;
    fmpq_init(tr);
    a->exact_upper = _ssmh_eigs_cut_rational(e, a->H);
    for (prec = 128; prec <= APPROX_MAX_PREC && !done; prec *= 2) {
        if (a->exact_upper)
            exact_top_coords(a->basis, w, e, a->H);
        else if (!numeric_top_coords(a->basis, w->S, a->H, prec, prec - 16))
            continue;
        if (captured_trace(tr, w, a->basis)) {
            fmpq_sub(a->error2_upper, a->total, tr);
            done = fmpq_cmp(a->error2_upper, a->tau) <= 0;
        }
        if (a->exact_upper)
            break;
    }
    fmpq_clear(tr);
    return done;
}

/* The exact method: G, its characteristic polynomial and exact witnesses
   (a's n, p, d, eps and relative are set). */
static int approx_exact(ssmh_approx_t a, const ssmh_model_t m, const ssmh_limits_t *lim,
                        ssmh_error_t *err)
{
    work_t w;
    ssmh_eigs_t e;
    slong prec, h, i, n = a->n;
    int rc = SSMH_OK, decided = 0, relative = a->relative;

    a->method = SSMH_APPROX_EXACT;
    fmpq_mat_init(w.F, 0, 0);
    fmpq_mat_init(w.P, 0, 0);
    fmpq_mat_init(w.Q, 0, 0);
    fmpq_mat_init(w.S, 0, 0);
    _ssmh_eigs_init(&e);
    ssmh_progress_step(lim, "approx: exact lags and their Gram matrix", 0, 3);
    rc = _ssmh_gram_compute(w.F, &a->support, &a->dim, m, n, lim, err);
    if (rc != SSMH_OK)
        goto done;
    w.lagmode = n < a->dim;
    w.s = w.lagmode ? n : a->dim;
    fmpq_mat_clear(w.Q);
    fmpq_mat_init(w.Q, w.s, w.s);
    fmpq_mat_clear(w.S);
    fmpq_mat_init(w.S, w.s, w.s);
    {
        /* lag: P = F^T F, S = W P, Q = P W P; else Q = S = G = F W F^T */
        fmpq_mat_t Ft, FW;
        fmpq_mat_init(Ft, n, a->dim);
        fmpq_mat_init(FW, a->dim, n);
        fmpq_mat_transpose(Ft, w.F);
        for (i = 0; i < a->dim; i++)
            for (h = 0; h < n; h++)
                fmpq_mul_si(fmpq_mat_entry(FW, i, h), fmpq_mat_entry(w.F, i, h), n - h);
        if (w.lagmode) {
            fmpq_mat_clear(w.P);
            fmpq_mat_init(w.P, n, n);
            fmpq_mat_mul(w.P, Ft, w.F);
            fmpq_mat_mul(w.Q, Ft, FW);       /* P W, the transpose of S = W P */
            fmpq_mat_transpose(w.S, w.Q);
            fmpq_mat_mul(w.Q, w.P, w.S);     /* Q = P W P */
        } else if (a->dim > 0) {
            fmpq_mat_mul(w.Q, FW, Ft);
            fmpq_mat_set(w.S, w.Q);
        }
        fmpq_mat_clear(Ft);
        fmpq_mat_clear(FW);
    }
    /* tr G = sum_l (n - l) ||K_l||_F^2 */
    for (i = 0; i < a->dim; i++)
        for (h = 0; h < n; h++) {
            fmpq_t x;
            fmpq_init(x);
            fmpq_mul(x, fmpq_mat_entry(w.F, i, h), fmpq_mat_entry(w.F, i, h));
            fmpq_mul_si(x, x, n - h);
            fmpq_add(a->total, a->total, x);
            fmpq_clear(x);
        }
    fmpq_set(a->tau, a->eps);
    fmpq_mul(a->tau, a->tau, a->tau);
    if (relative)
        fmpq_mul(a->tau, a->tau, a->total);
    ssmh_progress_step(lim, "approx: exact characteristic polynomial of the Gram matrix", 1, 3);
    _ssmh_eigs_factor(&e, w.S);
    a->k = e.k;
    a->curve_lo = _fmpq_vec_init(a->k + 1);
    a->curve_hi = _fmpq_vec_init(a->k + 1);
    for (prec = 64; prec <= APPROX_MAX_PREC && !decided; prec *= 2) {
        int ambiguous = 0;
        ssmh_progress_step(lim, "approx: certified eigenvalue enclosures", 2, 3);
        if (!_ssmh_eigs_enclose(&e, prec))
            continue;
        for (h = 0; h <= a->k; h++)
            _ssmh_eigs_tail(a->curve_lo + h, a->curve_hi + h, &e, a->total, h, prec);
        a->H = -1;
        for (h = 0; h <= a->k && a->H < 0 && !ambiguous; h++) {
            if (fmpq_cmp(a->curve_hi + h, a->tau) <= 0)
                a->H = h;
            else if (fmpq_cmp(a->curve_lo + h, a->tau) <= 0)
                ambiguous = 1;
        }
        decided = a->H >= 0;
    }
    if (!decided) {
        rc = ssmh_error_set(err, SSMH_E_UNDECIDED, NULL, NULL,
                            "eps^2 is within 2^-%d of a boundary E(H)^2: cannot separate them",
                            APPROX_MAX_PREC);
        goto done;
    }
    if (!upper_witness(a, &w, &e)) {
        rc = ssmh_error_set(err, SSMH_E_UNDECIDED, NULL, NULL,
                            "no rational basis of %ld value maps with residual <= eps^2 was found "
                            "(eps^2 is too close to E(%ld)^2)", (long)a->H, (long)a->H);
        goto done;
    }
    lift(a->basis, &w, a->basis);
    if (a->H == 1) {
        fmpq_set(a->error2_lower_prev, a->total);
    } else if (a->H >= 2) {
        if (!lower_witness(a, &w, &e, a->H - 1)) {
            rc = ssmh_error_set(err, SSMH_E_UNDECIDED, NULL, NULL,
                                "E(%ld)^2 > eps^2 could not be proven within the precision limit",
                                (long)(a->H - 1));
            goto done;
        }
        lift(a->W, &w, a->W);
    }
done:
    _ssmh_eigs_clear(&e);
    fmpq_mat_clear(w.F);
    fmpq_mat_clear(w.P);
    fmpq_mat_clear(w.Q);
    fmpq_mat_clear(w.S);
    return rc;
}

/* AUTO: the enclosure when n times A's largest bit size exceeds this (the
   exact lags would be long); when it cannot decide, the exact method only
   up to the second bound (float32 dense layers: n of about 75). */
#define AUTO_ENCLOSURE_COST 1024
#define AUTO_FALLBACK_COST 4096

/* Bit size of the largest entry of A (numerator plus denominator). */
static slong model_bits(const ssmh_model_t m)
{
    const fmpq_mat_struct *M[2] = {m->A, m->lambda_re};
    slong b = 0, i, j, k;
    for (k = 0; k < 2; k++)
        for (i = 0; i < fmpq_mat_nrows(M[k]); i++)
            for (j = 0; j < fmpq_mat_ncols(M[k]); j++) {
                const fmpq *x = fmpq_mat_entry(M[k], i, j);
                b = FLINT_MAX(b, (slong)(fmpz_bits(fmpq_numref(x)) + fmpz_bits(fmpq_denref(x))));
            }
    for (i = 0; i < fmpq_mat_nrows(m->lambda_im); i++) {
        const fmpq *x = fmpq_mat_entry(m->lambda_im, i, 0);
        b = FLINT_MAX(b, (slong)(fmpz_bits(fmpq_numref(x)) + fmpz_bits(fmpq_denref(x))));
    }
    return b;
}

static void approx_reset(ssmh_approx_t a, slong n, const ssmh_model_t m, const fmpq_t eps,
                         int relative)
{
    ssmh_approx_clear(a);
    ssmh_approx_init(a);
    a->n = n;
    a->p = m->p;
    a->d = m->d;
    a->relative = relative;
    fmpq_set(a->eps, eps);
}

/* The mode method certifies H, not the curve E(h)^2. */
static int modes_no_curve(ssmh_error_t *err)
{
    return ssmh_error_set(err, SSMH_E_UNDECIDED, NULL, NULL,
                          "approx: this layer needs the mode method (doc/approx.md), which "
                          "certifies H but not the curve: run without --curve and --plot "
                          "(undecided)");
}

int ssmh_approx_compute_method(ssmh_approx_t a, const ssmh_model_t m, slong n, const fmpq_t eps,
                               int relative, ssmh_approx_method_t method, int curve,
                               const ssmh_limits_t *lim, ssmh_error_t *err)
{
    int rc, fallback = method == SSMH_APPROX_AUTO;
    slong cost;
    approx_reset(a, n, m, eps, relative);
    if (n < 1 || fmpq_sgn(eps) <= 0)
        return ssmh_error_set(err, SSMH_E_USAGE, NULL, NULL, "approx needs n >= 1 and eps > 0");
    cost = n * model_bits(m);
    if (method == SSMH_APPROX_AUTO)
        method = cost > AUTO_ENCLOSURE_COST ? SSMH_APPROX_ENCLOSURE : SSMH_APPROX_EXACT;
    if (method == SSMH_APPROX_ENCLOSURE || method == SSMH_APPROX_MODES) {
        ssmh_heads_t hd;
        slong k;
        ssmh_heads_init(hd);   /* k = k(n), exactly: it bounds H */
        rc = ssmh_heads_compute(hd, m, n, lim, err);
        k = a->k = hd->k;
        ssmh_heads_clear(hd);
        if (rc != SSMH_OK)
            return rc;
        if (method == SSMH_APPROX_MODES)
            return curve ? modes_no_curve(err) : _ssmh_approx_modes(a, m, lim, err);
        rc = _ssmh_approx_enclosure(a, m, curve, lim, err);
        if (rc == SSMH_E_UNDECIDED && fallback && a->too_wide
            && m->structure != SSMH_STRUCTURE_DENSE) {
            /* too wide for the enclosure: its mode-space form */
            approx_reset(a, n, m, eps, relative);
            a->k = k;
            ssmh_error_clear(err);
            return curve ? modes_no_curve(err) : _ssmh_approx_modes(a, m, lim, err);
        }
        if (rc != SSMH_E_UNDECIDED || !fallback)
            return rc;
        if (cost > AUTO_FALLBACK_COST) {
            char why[sizeof(err->message)];
            snprintf(why, sizeof(why), "%s", err != NULL ? err->message : "enclosure undecided");
            return ssmh_error_set(err, SSMH_E_UNDECIDED, NULL, NULL,
                                  "%s; the exact method (--method exact) would need lags of "
                                  "about %ld bits", why, (long)cost);
        }
        approx_reset(a, n, m, eps, relative);
        ssmh_error_clear(err);
    }
    return approx_exact(a, m, lim, err);
}

int ssmh_approx_compute(ssmh_approx_t a, const ssmh_model_t m, slong n, const fmpq_t eps,
                        int relative, const ssmh_limits_t *lim, ssmh_error_t *err)
{
    return ssmh_approx_compute_method(a, m, n, eps, relative, SSMH_APPROX_AUTO, 1, lim, err);
}

static json_t *value_map(const ssmh_approx_t a, const fmpq_mat_t V, slong col)
{
    fmpq_mat_t M;
    slong s;
    json_t *o;
    fmpq_mat_init(M, a->p, a->d);
    for (s = 0; s < a->dim; s++)
        fmpq_set(fmpq_mat_entry(M, a->support[s] / a->d, a->support[s] % a->d),
                 fmpq_mat_entry(V, s, col));
    o = ssmh_json_matrix(M);
    fmpq_mat_clear(M);
    return o;
}

json_t *ssmh_approx_to_json(const ssmh_approx_t a, int curve)
{
    json_t *o = json_object();
    slong h;
    json_object_set_new(o, "H", json_integer(a->H));
    json_object_set_new(o, "n", json_integer(a->n));
    json_object_set_new(o, "eps", ssmh_json_rational(a->eps));
    json_object_set_new(o, "relative", json_boolean(a->relative));
    json_object_set_new(o, "method", json_string(a->method == SSMH_APPROX_ENCLOSURE ? "enclosure"
                                                 : a->method == SSMH_APPROX_MODES ? "modes"
                                                                                  : "exact"));
    json_object_set_new(o, "threshold", ssmh_json_rational(a->tau));
    if (a->method == SSMH_APPROX_ENCLOSURE || a->method == SSMH_APPROX_MODES) {
        /* ||T||_F^2 (and, when relative, tau) are enclosed, not exact */
        json_object_set_new(o, "total_lo", ssmh_json_rational(a->total));
        json_object_set_new(o, "total_hi", ssmh_json_rational(a->total_hi));
        if (a->relative)
            json_object_set_new(o, "threshold_hi", ssmh_json_rational(a->tau_hi));
        json_object_set_new(o, "s", json_integer(a->s));
    } else {
        json_object_set_new(o, "total", ssmh_json_rational(a->total));
    }
    json_object_set_new(o, "error2_upper", ssmh_json_rational(a->error2_upper));
    if (a->H >= 1)
        json_object_set_new(o, "error2_lower_prev", ssmh_json_rational(a->error2_lower_prev));
    json_object_set_new(o, "k", json_integer(a->k));
    if (curve && a->curve_lo != NULL) {
        json_t *c = json_array();
        for (h = 0; h <= a->k; h++) {
            json_t *e = json_object();
            json_object_set_new(e, "H", json_integer(h));
            json_object_set_new(e, "lo", ssmh_json_rational(a->curve_lo + h));
            json_object_set_new(e, "hi", ssmh_json_rational(a->curve_hi + h));
            json_array_append_new(c, e);
        }
        json_object_set_new(o, "curve", c);
    }
    return o;
}

/* The enclosure witness (doc/approx.md) into wit, beside its basis. */
static void enclosure_witness(json_t *wit, const ssmh_approx_t a)
{
    json_t *env = json_object();
    slong i, j;
    json_object_set_new(wit, "method", json_string("enclosure"));
    json_object_set_new(wit, "s", json_integer(a->s));
    json_object_set_new(env, "gamma", ssmh_json_rational(a->env->gamma));
    json_object_set_new(env, "P", a->env->identity_P ? json_string("identity")
                                                       : ssmh_json_matrix(a->env->P));
    json_object_set_new(env, "beta_C", ssmh_json_rational(a->env->beta_C));
    json_object_set_new(wit, "envelope", env);
    json_object_set_new(wit, "e", ssmh_json_rational(a->e));
    json_object_set_new(wit, "u", ssmh_json_rational(a->u));
    json_object_set_new(wit, "v", ssmh_json_rational(a->v));
    if (a->H >= 2) {
        json_t *low = json_object(), *sup = json_array(), *vec = json_array();
        json_t *y = json_array(), *L = json_array(), *D = json_array();
        for (i = 0; i < a->dim; i++)
            json_array_append_new(sup, json_integer(a->support[i]));
        for (j = 0; j < fmpq_mat_ncols(a->W); j++) {
            json_array_append_new(vec, value_map(a, a->W, j));
            json_array_append_new(y, ssmh_json_rational(fmpq_mat_entry(a->Y, j, j)));
        }
        for (i = 0; i < a->dim; i++) {
            json_t *row = json_array();
            for (j = 0; j < i; j++)
                json_array_append_new(row, ssmh_json_rational(fmpq_mat_entry(a->L, i, j)));
            json_array_append_new(L, row);
            json_array_append_new(D, ssmh_json_rational(fmpq_mat_entry(a->Dl, i, 0)));
        }
        json_object_set_new(low, "support", sup);
        json_object_set_new(low, "t", ssmh_json_rational(a->t));
        json_object_set_new(low, "rho", ssmh_json_rational(a->rho));
        json_object_set_new(low, "vectors", vec);
        json_object_set_new(low, "y", y);
        json_object_set_new(low, "L", L);
        json_object_set_new(low, "D", D);
        json_object_set_new(wit, "lower", low);
    }
}

/* Column j of X (m x k) as a JSON array of m numbers. */
static json_t *mode_vector(const fmpq_mat_t X, slong j)
{
    json_t *v = json_array();
    slong i;
    for (i = 0; i < fmpq_mat_nrows(X); i++)
        json_array_append_new(v, ssmh_json_rational(fmpq_mat_entry(X, i, j)));
    return v;
}

/* The mode witness (doc/approx.md, "Mode certificates") into wit. */
static void modes_witness(json_t *wit, const ssmh_approx_t a)
{
    json_t *b = json_array();
    slong i, j;
    json_object_set_new(wit, "method", json_string("modes"));
    json_object_set_new(wit, "s", json_integer(a->s));
    json_object_set_new(wit, "e", ssmh_json_rational(a->e));
    json_object_set_new(wit, "u", ssmh_json_rational(a->u));
    for (j = 0; j < a->H; j++)
        json_array_append_new(b, mode_vector(a->basis, j));
    json_object_set_new(wit, "basis", b);
    json_object_set_new(wit, "eta", ssmh_json_rational(a->eta));
    if (a->H >= 2) {
        json_t *low = json_object(), *vec = json_array(), *L = json_array();
        for (j = 0; j < fmpq_mat_ncols(a->W); j++)
            json_array_append_new(vec, mode_vector(a->W, j));
        for (i = 0; i < fmpq_mat_nrows(a->L); i++) {
            json_t *row = json_array();
            for (j = 0; j <= i; j++)
                json_array_append_new(row, ssmh_json_rational(fmpq_mat_entry(a->L, i, j)));
            json_array_append_new(L, row);
        }
        json_object_set_new(low, "t", ssmh_json_rational(a->t));
        json_object_set_new(low, "vectors", vec);
        json_object_set_new(low, "L", L);
        json_object_set_new(low, "c2", ssmh_json_rational(a->c2));
        json_object_set_new(low, "q", json_integer(a->q));
        json_object_set_new(wit, "lower", low);
    }
}

json_t *ssmh_approx_certificate(const ssmh_approx_t a, const ssmh_model_t m)
{
    json_t *o = json_object(), *claim = json_object(), *wit = json_object(), *b = json_array();
    slong h;
    json_object_set_new(o, "format", json_string("ssmheads-cert/1"));
    json_object_set_new(o, "model", ssmh_model_to_json(m));
    json_object_set_new(claim, "kind", json_string("approx"));
    json_object_set_new(claim, "n", json_integer(a->n));
    json_object_set_new(claim, "H", json_integer(a->H));
    json_object_set_new(claim, "eps", ssmh_json_rational(a->eps));
    json_object_set_new(claim, "relative", json_boolean(a->relative));
    json_object_set_new(claim, "error2_upper", ssmh_json_rational(a->error2_upper));
    if (a->H >= 1)
        json_object_set_new(claim, "error2_lower_prev", ssmh_json_rational(a->error2_lower_prev));
    if (a->method == SSMH_APPROX_MODES) {
        json_decref(b);
        modes_witness(wit, a);
        json_object_set_new(o, "claim", claim);
        json_object_set_new(o, "witness", wit);
        return o;
    }
    for (h = 0; h < a->H; h++)
        json_array_append_new(b, value_map(a, a->basis, h));
    if (a->method == SSMH_APPROX_ENCLOSURE) {
        json_object_set_new(wit, "basis", b);
        enclosure_witness(wit, a);
        json_object_set_new(o, "claim", claim);
        json_object_set_new(o, "witness", wit);
        return o;
    }
    json_object_set_new(wit, "basis", b);
    if (a->H >= 2) {
        json_t *low = json_object(), *v = json_array();
        for (h = 0; h < fmpq_mat_ncols(a->W); h++)
            json_array_append_new(v, value_map(a, a->W, h));
        json_object_set_new(low, "t", ssmh_json_rational(a->t));
        json_object_set_new(low, "vectors", v);
        json_object_set_new(low, "Y", ssmh_json_matrix(a->Y));
        json_object_set_new(wit, "lower", low);
    }
    json_object_set_new(o, "claim", claim);
    json_object_set_new(o, "witness", wit);
    return o;
}
