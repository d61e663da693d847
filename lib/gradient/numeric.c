/*
 * Floating-point proposals for the gradient proofs: a Stein solution by
 * doubling, eigenvector forms P = Re(W^H D W) (W = V^-1 from numerical
 * eigenvectors), and the instability form of a matrix with an eigenvalue
 * outside the unit circle.  Guarantee: none -- everything returned here is
 * a candidate, rounded to short dyadic rationals, that the caller proves or
 * discards by exact arithmetic -- except that no NaN or infinity is ever
 * rounded: a proposal whose doubles overflowed is reported as none (0).
 */
#include "ssmheads-impl.h"
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int round_sym(fmpq_mat_t P, const double *p, slong N);

/* out = X Y, or X^T Y when trans; N x N row-major doubles (out distinct). */
static void dmul(double *out, const double *x, int trans, const double *y, slong N)
{
    slong i, j, k;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            double s = 0;
            for (k = 0; k < N; k++)
                s += (trans ? x[k * N + i] : x[i * N + k]) * y[k * N + j];
            out[i * N + j] = s;
        }
}

/* P ~ sum_k (A^T/gamma)^k (A/gamma)^k by doubling, in doubles, rounded to
   dyadics with about 40 significant bits relative to the largest entry.
   0 when the doubles overflow (A/gamma not stable to working precision:
   near-Jordan or strongly non-normal A) -- the loop stops before a NaN or
   infinity could reach P. */
int _ssmh_stein_numeric(fmpq_mat_t P, const fmpq_mat_t A, double gamma)
{
    slong N = fmpq_mat_nrows(A), i, it;
    double *a = malloc(sizeof(double) * (size_t)(N * N)), *p = malloc(sizeof(double) * (size_t)(N * N));
    double *t = malloc(sizeof(double) * (size_t)(N * N)), *u = malloc(sizeof(double) * (size_t)(N * N));
    int ok = isfinite(gamma) && gamma > 0;
    for (i = 0; i < N * N && ok; i++) {
        a[i] = fmpq_get_d(A->rows[i / N] + i % N) / gamma;
        p[i] = (i / N == i % N) ? 1.0 : 0.0;
        ok = isfinite(a[i]);
    }
    for (it = 0; it < 64 && ok; it++) {
        double an = 0;
        /* p += a^T p a */
        dmul(t, p, 0, a, N);
        dmul(u, a, 1, t, N);
        for (i = 0; i < N * N && ok; i++) {
            p[i] += u[i];
            ok = fabs(p[i]) < 1e300;   /* false for NaN too: no proposal */
        }
        /* a = a^2 */
        dmul(t, a, 0, a, N);
        memcpy(a, t, sizeof(double) * (size_t)(N * N));
        for (i = 0; i < N * N && ok; i++) {
            ok = fabs(a[i]) < 1e150;   /* else a^T p a would overflow next */
            an = fmax(an, fabs(a[i]));
        }
        if (ok && an < 1e-30)
            break;
    }
    ok = ok && round_sym(P, p, N);
    free(a);
    free(p);
    free(t);
    free(u);
    return ok;
}

/* Round a double symmetric matrix to dyadics with about 40 significant
   bits per entry; 0 when an entry is not finite. */
static int round_sym(fmpq_mat_t P, const double *p, slong N)
{
    slong i, j;
    for (i = 0; i < N; i++)
        for (j = 0; j <= i; j++) {
            double v = 0.5 * (p[i * N + j] + p[j * N + i]);
            int e = 0;
            fmpq *q = fmpq_mat_entry(P, i, j);
            if (!isfinite(v))
                return 0;
            frexp(v != 0 ? v : 1.0, &e);   /* each entry to 40 significant bits */
            if (!_ssmh_set_dyadic(q, v, 40 - e))
                return 0;
            fmpq_set(fmpq_mat_entry(P, j, i), q);
        }
    return 1;
}

/* Complex LU with partial pivoting, in place (n x n, row-major); returns 0
   when singular to working precision. */
static int clu(double complex *a, slong *piv, slong n)
{
    slong i, j, k;
    for (k = 0; k < n; k++) {
        slong best = k;
        for (i = k + 1; i < n; i++)
            if (cabs(a[i * n + k]) > cabs(a[best * n + k]))
                best = i;
        if (cabs(a[best * n + k]) == 0)
            return 0;
        piv[k] = best;
        if (best != k)
            for (j = 0; j < n; j++) {
                double complex t = a[k * n + j];
                a[k * n + j] = a[best * n + j];
                a[best * n + j] = t;
            }
        for (i = k + 1; i < n; i++) {
            double complex f = a[i * n + k] / a[k * n + k];
            a[i * n + k] = f;
            for (j = k + 1; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
        }
    }
    return 1;
}

static void csolve(const double complex *lu, const slong *piv, double complex *b, slong n)
{
    slong i, j;
    for (i = 0; i < n; i++) {
        double complex t = b[i];
        b[i] = b[piv[i]];
        b[piv[i]] = t;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            b[i] -= lu[i * n + j] * b[j];
    for (i = n - 1; i >= 0; i--) {
        for (j = i + 1; j < n; j++)
            b[i] -= lu[i * n + j] * b[j];
        b[i] /= lu[i * n + i];
    }
}

/* P = Re(W^H W) with W = V^-1, V the (numerical) eigenvectors of A: then
   ||A x||_P <= rho ||x||_P up to rounding.  Eigenvalues from Arb roots of the
   squarefree characteristic polynomial; eigenvectors by inverse iteration.
   Returns 0 (no candidate) when an eigenvalue repeats or V is singular. */

/* The distinct eigenvalues of A (roots of the squarefree part of its
   characteristic polynomial, by Arb), in lam; returns their number, and
   sets *squarefree when every eigenvalue is simple. */
static slong eigenvalues(double complex *lam, int *squarefree, const fmpq_mat_t A)
{
    slong k, n;
    fmpq_poly_t chi;
    fmpz_poly_t z, g;
    acb_ptr roots;
    fmpq_poly_init(chi);
    fmpz_poly_init(z);
    fmpz_poly_init(g);
    fmpq_mat_charpoly(chi, A);
    fmpq_poly_get_numerator(z, chi);
    fmpz_poly_derivative(g, z);
    fmpz_poly_gcd(g, g, z);
    *squarefree = fmpz_poly_degree(g) <= 0;
    if (!*squarefree)
        fmpz_poly_div(z, z, g);
    n = fmpz_poly_degree(z);
    roots = _acb_vec_init(n);
    arb_fmpz_poly_complex_roots(roots, z, 0, 53);
    for (k = 0; k < n; k++)
        lam[k] = arf_get_d(arb_midref(acb_realref(roots + k)), ARF_RND_NEAR)
                 + I * arf_get_d(arb_midref(acb_imagref(roots + k)), ARF_RND_NEAR);
    _acb_vec_clear(roots, n);
    fmpq_poly_clear(chi);
    fmpz_poly_clear(z);
    fmpz_poly_clear(g);
    return n;
}

/* Numerical eigenvectors V (column k, row-major N x N) of A for its N
   distinct eigenvalues lam[k], by inverse iteration.  Returns 0 when an
   iteration breaks down. */
static int eigenvectors(double complex *V, const double complex *lam, const fmpq_mat_t A)
{
    slong N = fmpq_mat_nrows(A), i, j, k, it, *piv = flint_malloc(sizeof(slong) * (size_t)N);
    double complex *M = flint_malloc(sizeof(double complex) * (size_t)(N * N));
    double complex *x = flint_malloc(sizeof(double complex) * (size_t)N);
    int ok = 1;
    for (k = 0; k < N && ok; k++) {
        double nrm;
        for (i = 0; i < N; i++)
            for (j = 0; j < N; j++)
                M[i * N + j] = fmpq_get_d(fmpq_mat_entry(A, i, j)) - (i == j ? lam[k] * (1.0 + 1e-13) : 0);
        if (!clu(M, piv, N)) {
            ok = 0;
            break;
        }
        for (i = 0; i < N; i++)
            x[i] = 1.0 + 0.1 * (double)i;
        for (it = 0; it < 3; it++) {
            csolve(M, piv, x, N);
            nrm = 0;
            for (i = 0; i < N; i++)
                nrm += creal(x[i] * conj(x[i]));
            nrm = sqrt(nrm);
            if (!(nrm > 0) || !isfinite(nrm)) {
                ok = 0;
                break;
            }
            for (i = 0; i < N; i++)
                x[i] /= nrm;
        }
        for (i = 0; i < N; i++)
            V[i * N + k] = x[i];
    }
    flint_free(piv);
    flint_free(M);
    flint_free(x);
    return ok;
}

/* P = Re(W^H diag(d) W), rounded, with W = V^-1; 0 if V is singular. */
static int weighted_form(fmpq_mat_t P, const double complex *V_in, const double *d, slong N)
{
    slong i, j, k, *piv = flint_malloc(sizeof(slong) * (size_t)N);
    double complex *V = flint_malloc(sizeof(double complex) * (size_t)(N * N));
    double complex *W = flint_malloc(sizeof(double complex) * (size_t)(N * N));
    double complex *x = flint_malloc(sizeof(double complex) * (size_t)N);
    double *p = flint_malloc(sizeof(double) * (size_t)(N * N));
    int ok;
    memcpy(V, V_in, sizeof(double complex) * (size_t)(N * N));
    ok = clu(V, piv, N);
    for (j = 0; j < N && ok; j++) {
        for (i = 0; i < N; i++)
            x[i] = i == j ? 1 : 0;
        csolve(V, piv, x, N);
        for (i = 0; i < N; i++)
            W[i * N + j] = x[i];
    }
    for (i = 0; i < N && ok; i++)
        for (j = 0; j < N; j++) {
            double complex s = 0;
            for (k = 0; k < N; k++)
                s += d[k] * conj(W[k * N + i]) * W[k * N + j];
            p[i * N + j] = creal(s);
            ok &= isfinite(p[i * N + j]);
        }
    ok = ok && round_sym(P, p, N);
    flint_free(piv);
    flint_free(V);
    flint_free(W);
    flint_free(x);
    flint_free(p);
    return ok;
}

int _ssmh_eigen_form(fmpq_mat_t P, const fmpq_mat_t A)
{
    slong N = fmpq_mat_nrows(A), k;
    double complex *lam = flint_malloc(sizeof(double complex) * (size_t)N);
    double complex *V = flint_malloc(sizeof(double complex) * (size_t)(N * N));
    double *d = flint_malloc(sizeof(double) * (size_t)N);
    int ok;
    eigenvalues(lam, &ok, A);
    ok = ok && eigenvectors(V, lam, A);
    for (k = 0; k < N; k++)
        d[k] = 1.0;
    ok = ok && weighted_form(P, V, d, N);
    flint_free(lam);
    flint_free(V);
    flint_free(d);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define KRONECKER_MAX_N 40

/* P solving r^2 P - A^T P A = I, in doubles, over the N (N + 1) / 2 entries
   of a symmetric P (the LU above, on a real system). */
static int stein_kronecker(double *p, const fmpq_mat_t A, double r)
{
    slong N = fmpq_mat_nrows(A), q = N * (N + 1) / 2, i, j, a, b, row;
    slong *idx = flint_malloc(sizeof(slong) * (size_t)(N * N)), *piv = flint_malloc(sizeof(slong) * (size_t)q);
    double *a_ = flint_malloc(sizeof(double) * (size_t)(N * N));
    double complex *L = flint_calloc((size_t)(q * q), sizeof(double complex));
    double complex *y = flint_calloc((size_t)q, sizeof(double complex));
    int ok;
    for (i = 0, row = 0; i < N; i++)
        for (j = i; j < N; j++, row++)
            idx[i * N + j] = idx[j * N + i] = row;
    for (i = 0; i < N * N; i++)
        a_[i] = fmpq_get_d(fmpq_mat_entry(A, i / N, i % N));
    for (i = 0; i < N; i++)
        for (j = i; j < N; j++) {
            row = idx[i * N + j];
            L[row * q + row] += r * r;
            y[row] = i == j;
            for (a = 0; a < N; a++)
                for (b = 0; b < N; b++)
                    L[row * q + idx[a * N + b]] -= a_[a * N + i] * a_[b * N + j];
        }
    ok = clu(L, piv, q);
    if (ok)
        csolve(L, piv, y, q);
    for (i = 0; i < N * N && ok; i++) {
        p[i] = creal(y[idx[i]]);
        ok = isfinite(p[i]);
    }
    flint_free(idx);
    flint_free(piv);
    flint_free(a_);
    flint_free(L);
    flint_free(y);
    return ok;
}

/* x with x^T P x < 0 for an indefinite P: the LDL^T (doubles, no pivoting)
   pivot d_k most negative, x = L^-T e_k, so x^T P x = d_k. */
static int negative_direction(fmpq_mat_t x, const fmpq_mat_t P)
{
    slong N = fmpq_mat_nrows(P), i, j, k, worst = -1;
    double *L = flint_calloc((size_t)(N * N), sizeof(double)), *d = flint_malloc(sizeof(double) * (size_t)N);
    double *v = flint_malloc(sizeof(double) * (size_t)N), big = 0;
    int ok = 1;
    for (j = 0; j < N && ok; j++) {
        d[j] = fmpq_get_d(fmpq_mat_entry(P, j, j));
        for (k = 0; k < j; k++)
            d[j] -= L[j * N + k] * L[j * N + k] * d[k];
        ok = d[j] != 0 && isfinite(d[j]);
        L[j * N + j] = 1;
        for (i = j + 1; i < N && ok; i++) {
            double t = fmpq_get_d(fmpq_mat_entry(P, i, j));
            for (k = 0; k < j; k++)
                t -= L[i * N + k] * L[j * N + k] * d[k];
            L[i * N + j] = t / d[j];
        }
        if (ok && d[j] < 0 && (worst < 0 || d[j] < d[worst]))
            worst = j;
    }
    ok = ok && worst >= 0;
    if (ok) {   /* L^T v = e_worst */
        for (i = N - 1; i >= 0; i--) {
            v[i] = i == worst ? 1.0 : 0.0;
            for (k = i + 1; k < N; k++)
                v[i] -= L[k * N + i] * v[k];
            big = fmax(big, fabs(v[i]));
        }
        int e = 0;
        ok = isfinite(big) && big > 0;
        if (ok)
            frexp(big, &e);
        for (i = 0; i < N && ok; i++)
            ok = _ssmh_set_dyadic(fmpq_mat_entry(x, i, 0), v[i], 40 - e);
    }
    flint_free(L);
    flint_free(d);
    flint_free(v);
    return ok;
}

int _ssmh_instability_form(fmpq_mat_t P, fmpq_mat_t x, fmpq_t r, const fmpq_mat_t A)
{
    slong N = fmpq_mat_nrows(A), k, i, n = 0, ne;
    double complex *lam = flint_malloc(sizeof(double complex) * (size_t)N);
    double complex *V = flint_malloc(sizeof(double complex) * (size_t)(N * N));
    double *d = flint_malloc(sizeof(double) * (size_t)N);
    double *mods = flint_malloc(sizeof(double) * (size_t)(N + 1));
    double *p = NULL;
    double rd = 0, best = 0;
    int squarefree, ok;
    /* r between 1 and the largest |lambda|, in the widest gap of the moduli
       above the circle (moduli within 1e-9 of 1 count as on it) */
    ne = eigenvalues(lam, &squarefree, A);
    mods[n++] = 1.0;
    for (k = 0; k < ne; k++)
        if (cabs(lam[k]) > 1.0 + 1e-9)
            mods[n++] = cabs(lam[k]);
    ok = n > 1;
    if (ok) {
        qsort(mods, (size_t)n, sizeof(double), cmp_double);
        for (i = 0; i + 1 < n; i++)
            if (mods[i + 1] / mods[i] > best) {
                best = mods[i + 1] / mods[i];
                rd = sqrt(mods[i] * mods[i + 1]);
            }
        if (!_ssmh_set_dyadic(r, rd, 30) || fmpq_cmp_ui(r, 1) < 0)
            fmpq_one(r);
        rd = fmpq_get_d(r);
    }
    /* P with r^2 P - A^T P A = I: from eigenvectors when every eigenvalue is
       simple (P = Re W^H diag(1 / (r^2 - |lambda|^2)) W), else directly */
    if (ok && squarefree && eigenvectors(V, lam, A)) {
        for (k = 0; k < N; k++)
            d[k] = 1.0 / (rd * rd - creal(lam[k] * conj(lam[k])));
        ok = weighted_form(P, V, d, N);
    } else if (ok && N <= KRONECKER_MAX_N) {
        p = flint_malloc(sizeof(double) * (size_t)(N * N));
        ok = stein_kronecker(p, A, rd) && round_sym(P, p, N);
    } else {
        ok = 0;
    }
    ok = ok && negative_direction(x, P);
    flint_free(lam);
    flint_free(V);
    flint_free(d);
    flint_free(mods);
    flint_free(p);
    return ok;
}
