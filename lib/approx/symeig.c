/*
 * symeig.c -- eigenvalues and eigenvectors of a real symmetric matrix in
 * doubles (Householder tridiagonalisation and implicit QL, after JAMA and
 * EISPACK), for guidance only.
 *
 * Guarantee: none beyond floating point.  The results only propose
 * witnesses (value maps, the Ky Fan shift, the LDL^T factors), each of
 * which is then checked in exact arithmetic (enclosure.c); a poor
 * proposal can make a check fail, never make a wrong claim pass.
 */
#include "approx-impl.h"
#include <math.h>

#define QL_MAX_ITER 60

/* Householder reduction of V (n x n symmetric, row-major) to tridiagonal
   form: diagonal d, subdiagonal e[1 .. n-1]; V becomes the orthogonal
   transformation (JAMA's tred2, after EISPACK). */
static void tred2(double *V, double *d, double *e, slong n)
{
    slong i, j, k;
#define v(r, c) V[(r) * n + (c)]
    for (j = 0; j < n; j++)
        d[j] = v(n - 1, j);
    for (i = n - 1; i > 0; i--) {
        double scale = 0.0, h = 0.0;
        for (k = 0; k < i; k++)
            scale += fabs(d[k]);
        if (scale == 0.0) {
            e[i] = d[i - 1];
            for (j = 0; j < i; j++) {
                d[j] = v(i - 1, j);
                v(i, j) = 0.0;
                v(j, i) = 0.0;
            }
        } else {
            double f, g, hh;
            for (k = 0; k < i; k++) {
                d[k] /= scale;
                h += d[k] * d[k];
            }
            f = d[i - 1];
            g = sqrt(h);
            if (f > 0)
                g = -g;
            e[i] = scale * g;
            h = h - f * g;
            d[i - 1] = f - g;
            for (j = 0; j < i; j++)
                e[j] = 0.0;
            for (j = 0; j < i; j++) {
                f = d[j];
                v(j, i) = f;
                g = e[j] + v(j, j) * f;
                for (k = j + 1; k <= i - 1; k++) {
                    g += v(k, j) * d[k];
                    e[k] += v(k, j) * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for (j = 0; j < i; j++) {
                e[j] /= h;
                f += e[j] * d[j];
            }
            hh = f / (h + h);
            for (j = 0; j < i; j++)
                e[j] -= hh * d[j];
            for (j = 0; j < i; j++) {
                f = d[j];
                g = e[j];
                for (k = j; k <= i - 1; k++)
                    v(k, j) -= (f * e[k] + g * d[k]);
                d[j] = v(i - 1, j);
                v(i, j) = 0.0;
            }
        }
        d[i] = h;
    }
    for (i = 0; i < n - 1; i++) {   /* accumulate the transformations */
        double h = d[i + 1];
        v(n - 1, i) = v(i, i);
        v(i, i) = 1.0;
        if (h != 0.0) {
            for (k = 0; k <= i; k++)
                d[k] = v(k, i + 1) / h;
            for (j = 0; j <= i; j++) {
                double g = 0.0;
                for (k = 0; k <= i; k++)
                    g += v(k, i + 1) * v(k, j);
                for (k = 0; k <= i; k++)
                    v(k, j) -= g * d[k];
            }
        }
        for (k = 0; k <= i; k++)
            v(k, i + 1) = 0.0;
    }
    for (j = 0; j < n; j++) {
        d[j] = v(n - 1, j);
        v(n - 1, j) = 0.0;
    }
    v(n - 1, n - 1) = 1.0;
    e[0] = 0.0;
}

/* Implicit QL on the tridiagonal (d, e), accumulating into V (JAMA's
   tql2).  Returns 0 when an eigenvalue did not converge. */
static int tql2(double *V, double *d, double *e, slong n)
{
    slong i, k, l, m, iter;
    double f = 0.0, tst1 = 0.0, eps = ldexp(1.0, -52);
    for (i = 1; i < n; i++)
        e[i - 1] = e[i];
    e[n - 1] = 0.0;
    for (l = 0; l < n; l++) {
        tst1 = FLINT_MAX(tst1, fabs(d[l]) + fabs(e[l]));
        m = l;
        while (m < n - 1 && fabs(e[m]) > eps * tst1)
            m++;
        if (m > l) {
            iter = 0;
            do {
                double g = d[l], p = (d[l + 1] - g) / (2.0 * e[l]), r = hypot(p, 1.0);
                double dl1, h, c, c2, c3, el1, s, s2;
                if (++iter > QL_MAX_ITER || !isfinite(p))
                    return 0;
                if (p < 0)
                    r = -r;
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                dl1 = d[l + 1];
                h = g - d[l];
                for (i = l + 2; i < n; i++)
                    d[i] -= h;
                f += h;
                p = d[m];
                c = c2 = c3 = 1.0;
                el1 = e[l + 1];
                s = s2 = 0.0;
                for (i = m - 1; i >= l; i--) {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = hypot(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    for (k = 0; k < n; k++) {
                        h = v(k, i + 1);
                        v(k, i + 1) = s * v(k, i) + c * h;
                        v(k, i) = c * v(k, i) - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
            } while (fabs(e[l]) > eps * tst1);
        }
        d[l] = d[l] + f;
        e[l] = 0.0;
    }
#undef v
    return 1;
}

/* a (n x n, symmetric, destroyed) = V diag(w) V^T with w decreasing and
   V's columns orthonormal (row-major V[i * n + j]: entry i of vector j).
   Returns 0 when the QL iteration failed (then w, V are meaningless). */
int _ssmh_symeig(double *w, double *V, double *a, slong n)
{
    slong i, j;
    slong *ord;
    double *e, *d;
    int ok;
    if (n == 0)
        return 1;
    ord = flint_malloc(sizeof(slong) * (size_t)n);
    e = flint_malloc(sizeof(double) * (size_t)n);
    d = flint_malloc(sizeof(double) * (size_t)n);
    tred2(a, d, e, n);
    ok = tql2(a, d, e, n);
    for (i = 0; i < n; i++)
        ord[i] = i;
    for (i = 1; i < n; i++)   /* insertion sort, decreasing eigenvalue */
        for (j = i; j > 0 && d[ord[j]] > d[ord[j - 1]]; j--) {
            slong s = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = s;
        }
    for (j = 0; j < n; j++) {
        w[j] = d[ord[j]];
        for (i = 0; i < n; i++)
            V[i * n + j] = a[i * n + ord[j]];
    }
    flint_free(ord);
    flint_free(e);
    flint_free(d);
    return ok;
}

/* a (n x n, symmetric) = L diag(D) L^T, L unit lower triangular (row-major,
   strictly lower part filled), without pivoting.  Returns 1 when every
   pivot is > 0. */
int _ssmh_ldlt_d(double *L, double *D, const double *a, slong n)
{
    slong i, j, k;
    for (i = 0; i < n * n; i++)
        L[i] = 0.0;
    for (j = 0; j < n; j++) {
        double dj = a[j * n + j];
        for (k = 0; k < j; k++)
            dj -= L[j * n + k] * L[j * n + k] * D[k];
        if (!(dj > 0.0))
            return 0;
        D[j] = dj;
        L[j * n + j] = 1.0;
        for (i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (k = 0; k < j; k++)
                s -= L[i * n + k] * L[j * n + k] * D[k];
            L[i * n + j] = s / dj;
        }
    }
    return 1;
}
