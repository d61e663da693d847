/* Exact rational matrices for the checker (GMP mpq_t only). */
#include "ssmhc-impl.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

ssmhc_verdict_t ssmhc_fail(ssmhc_report_t *r, const char *fmt, ...)
{
    va_list ap;
    r->verdict = SSMHC_REJECTED;
    va_start(ap, fmt);
    vsnprintf(r->step, sizeof(r->step), fmt, ap);
    va_end(ap);
    return SSMHC_REJECTED;
}

void ssmhc_qmat_init(ssmhc_qmat *m, long rows, long cols)
{
    size_t i, n = (size_t)rows * (size_t)cols, mem = ssmhc_limits_get()->max_memory;
    m->rows = rows;
    m->cols = cols;
    /* the dimensions are validated before (ssmhc_dense_check); this is the
       backstop that keeps an oversized product of them from an abort */
    if (rows < 0 || cols < 0 || (mem > 0 && n > mem / sizeof(mpq_t)))
        ssmhc_out_of_memory("an exact matrix larger than the memory limit");
    m->e = ssmhc_malloc(sizeof(mpq_t) * (n ? n : 1));
    for (i = 0; i < n; i++)
        mpq_init(m->e[i]);
}

void ssmhc_qmat_clear(ssmhc_qmat *m)
{
    size_t i, n = (size_t)m->rows * (size_t)m->cols;
    if (m->e != NULL)
        for (i = 0; i < n; i++)
            mpq_clear(m->e[i]);
    free(m->e);
    m->e = NULL;
    m->rows = m->cols = 0;
}

mpq_t *ssmhc_qvec_init(long n)
{
    mpq_t *v = ssmhc_malloc(sizeof(mpq_t) * (size_t)(n > 0 ? n : 1));
    long i;
    for (i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

void ssmhc_qvec_clear(mpq_t *v, long n)
{
    long i;
    for (i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

void ssmhc_qmat_copy(ssmhc_qmat *out, const ssmhc_qmat *in)
{
    size_t i, n = (size_t)in->rows * (size_t)in->cols;
    for (i = 0; i < n; i++)
        mpq_set(out->e[i], in->e[i]);
}

/* out = a b.  Each row of a and each column of b is brought to a common
   denominator first, so the inner products are integer (no gcd per term);
   one canonicalisation per output entry. */
void ssmhc_qmat_mul(ssmhc_qmat *out, const ssmhc_qmat *a, const ssmhc_qmat *b)
{
    long i, j, k, e, nz, n = a->cols;
    long long *a64, *b64;
    int afit, bfit;
    long *nzk = malloc(sizeof(long) * (size_t)(n > 0 ? n : 1));
    mpz_t *ra = malloc(sizeof(mpz_t) * (size_t)(n > 0 ? n : 1)), *cb, t;
    mpz_t *da = malloc(sizeof(mpz_t) * (size_t)(a->rows > 0 ? a->rows : 1));
    mpz_t *db = malloc(sizeof(mpz_t) * (size_t)(b->cols > 0 ? b->cols : 1));
    size_t nb = (size_t)n * (size_t)b->cols;
    cb = malloc(sizeof(mpz_t) * (nb ? nb : 1));
    if (!ra || !da || !db || !cb || !nzk)
        ssmhc_out_of_memory(NULL);
    mpz_init(t);
    /* columns of b: numerators over a common denominator db[j] (stored k-major) */
    for (j = 0; j < b->cols; j++) {
        mpz_init_set_ui(db[j], 1);
        for (k = 0; k < n; k++)
            if (mpz_cmp_ui(mpq_denref(SSMHC_Q(b, k, j)), 1) != 0)
                mpz_lcm(db[j], db[j], mpq_denref(SSMHC_Q(b, k, j)));
        for (k = 0; k < n; k++) {
            mpz_init(cb[(size_t)j * (size_t)n + (size_t)k]);
            if (mpq_sgn(SSMHC_Q(b, k, j)) == 0)
                continue;
            mpz_divexact(t, db[j], mpq_denref(SSMHC_Q(b, k, j)));
            mpz_mul(cb[(size_t)j * (size_t)n + (size_t)k], t, mpq_numref(SSMHC_Q(b, k, j)));
        }
    }
    for (k = 0; k < n; k++)
        mpz_init(ra[k]);
    /* 64-bit copies when every numerator fits: exact 192-bit sums (dot_exact.c) */
    b64 = malloc(sizeof(long long) * (nb ? nb : 1));
    a64 = malloc(sizeof(long long) * (size_t)(n > 0 ? n : 1));
    if (b64 == NULL || a64 == NULL)
        ssmhc_out_of_memory(NULL);
    for (e = 0, bfit = 1; e < (long)nb && bfit; e++)
        bfit = ssmhc_fits_i64(b64 + e, cb[e]);
    for (i = 0; i < a->rows; i++) {
        mpz_init_set_ui(da[i], 1);
        for (k = 0; k < n; k++)
            if (mpz_cmp_ui(mpq_denref(SSMHC_Q(a, i, k)), 1) != 0)
                mpz_lcm(da[i], da[i], mpq_denref(SSMHC_Q(a, i, k)));
        for (k = 0; k < n; k++) {
            if (mpq_sgn(SSMHC_Q(a, i, k)) == 0) {
                mpz_set_ui(ra[k], 0);
                continue;
            }
            mpz_divexact(t, da[i], mpq_denref(SSMHC_Q(a, i, k)));
            mpz_mul(ra[k], t, mpq_numref(SSMHC_Q(a, i, k)));
        }
        for (k = 0, nz = 0; k < n; k++)   /* the nonzero terms of row i (sparse models) */
            if (mpz_sgn(ra[k]) != 0)
                nzk[nz++] = k;
        for (k = 0, afit = bfit && 4 * nz > n; k < n && afit; k++)
            afit = ssmhc_fits_i64(a64 + k, ra[k]);
        for (j = 0; j < b->cols; j++) {
            const mpz_t *col = (const mpz_t *)(cb + (size_t)j * (size_t)n);
            mpz_set_ui(t, 0);
            if (afit)   /* dense row, small numerators */
                ssmhc_dot_i64(t, a64, 1, b64 + (size_t)j * (size_t)n, 1, n);
            else
                for (e = 0; e < nz; e++)
                    if (mpz_sgn(col[nzk[e]]) != 0)
                        mpz_addmul(t, ra[nzk[e]], col[nzk[e]]);
            mpq_set_num(SSMHC_Q(out, i, j), t);
            mpz_mul(t, da[i], db[j]);
            mpq_set_den(SSMHC_Q(out, i, j), t);
            mpq_canonicalize(SSMHC_Q(out, i, j));
        }
        mpz_clear(da[i]);
    }
    for (k = 0; k < n; k++)
        mpz_clear(ra[k]);
    for (j = 0; j < b->cols; j++) {
        for (k = 0; k < n; k++)
            mpz_clear(cb[(size_t)j * (size_t)n + (size_t)k]);
        mpz_clear(db[j]);
    }
    mpz_clear(t);
    free(ra);
    free(da);
    free(db);
    free(cb);
    free(nzk);
    free(a64);
    free(b64);
}

int ssmhc_qmat_equal(const ssmhc_qmat *a, const ssmhc_qmat *b)
{
    size_t i, n = (size_t)a->rows * (size_t)a->cols;
    if (a->rows != b->rows || a->cols != b->cols)
        return 0;
    for (i = 0; i < n; i++)
        if (!mpq_equal(a->e[i], b->e[i]))
            return 0;
    return 1;
}

int ssmhc_qmat_is_zero(const ssmhc_qmat *a)
{
    size_t i, n = (size_t)a->rows * (size_t)a->cols;
    for (i = 0; i < n; i++)
        if (mpq_sgn(a->e[i]) != 0)
            return 0;
    return 1;
}

long ssmhc_qmat_rank(const ssmhc_qmat *a)
{
    ssmhc_qmat w;
    long r = 0, c, i, j;
    mpq_t f, t;
    ssmhc_qmat_init(&w, a->rows, a->cols);
    ssmhc_qmat_copy(&w, a);
    mpq_init(f);
    mpq_init(t);
    for (c = 0; c < w.cols && r < w.rows; c++) {
        long piv = -1;
        for (i = r; i < w.rows; i++)
            if (mpq_sgn(SSMHC_Q(&w, i, c)) != 0) {
                piv = i;
                break;
            }
        if (piv < 0)
            continue;
        if (piv != r)
            for (j = 0; j < w.cols; j++)
                mpq_swap(SSMHC_Q(&w, piv, j), SSMHC_Q(&w, r, j));
        for (i = r + 1; i < w.rows; i++) {
            if (mpq_sgn(SSMHC_Q(&w, i, c)) == 0)
                continue;
            mpq_div(f, SSMHC_Q(&w, i, c), SSMHC_Q(&w, r, c));
            for (j = c; j < w.cols; j++) {
                mpq_mul(t, f, SSMHC_Q(&w, r, j));
                mpq_sub(SSMHC_Q(&w, i, j), SSMHC_Q(&w, i, j), t);
            }
        }
        r++;
    }
    mpq_clear(f);
    mpq_clear(t);
    ssmhc_qmat_clear(&w);
    return r;
}

/* Semidefiniteness by fraction-free (Bareiss) symmetric elimination of the
   integer matrix den * S, with no pivoting.  After the pivots taken so far,
   M[i][j] is a positive multiple (the last pivot taken, a positive principal
   minor) of the Schur complement entry, and its value depends only on the
   rows and columns of those pivots: so a pivot whose remaining column is
   zero (S = [[a, 0], [0, S']], PSD iff a >= 0 and S' is) can be skipped (its
   index deleted) and elimination goes on with the same divisor -- a
   diagonal or block-sparse matrix costs O(n^2), not O(n^3).  PSD iff every pivot is > 0 or is 0 with a zero column
   (LDL^T); PD iff every pivot is > 0 (Sylvester). */
int ssmhc_qmat_psd(ssmhc_qmat *S, int strict)
{
    long n = S->rows, i, j, k;
    size_t e, cnt = (size_t)n * (size_t)n;
    mpz_t den, prev, t, *M;
    int ok = 1;
    for (i = 0; i < n && ok; i++)
        for (j = 0; j < i && ok; j++)
            ok = mpq_equal(SSMHC_Q(S, i, j), SSMHC_Q(S, j, i)) != 0;
    if (!ok || S->rows != S->cols)
        return 0;
    if ((ok = ssmhc_psd_factor(S, strict)) >= 0)   /* a rounded factor (psd_factor.c) */
        return ok;
    ok = 1;
    M = ssmhc_malloc(sizeof(mpz_t) * (cnt ? cnt : 1));
    mpz_init_set_ui(den, 1);
    mpz_init(prev);
    mpz_init(t);
    for (e = 0; e < cnt; e++)
        mpz_lcm(den, den, mpq_denref(S->e[e]));
    for (e = 0; e < cnt; e++) {
        mpz_init(M[e]);
        mpz_divexact(t, den, mpq_denref(S->e[e]));
        mpz_mul(M[e], t, mpq_numref(S->e[e]));
    }
    mpz_set_ui(prev, 1);
    for (k = 0; k < n && ok; k++) {
        int sg = mpz_sgn(M[k * n + k]);
        if (sg < 0 || (sg == 0 && strict)) {
            ok = 0;
            break;
        }
        for (i = k + 1; i < n && mpz_sgn(M[i * n + k]) == 0; i++)
            ;
        if (i == n)
            continue;   /* a zero column: skip index k, prev unchanged */
        if (sg == 0) {
            ok = 0;
            break;
        }
        for (i = k + 1; i < n; i++)
            for (j = k + 1; j <= i; j++) {
                mpz_mul(t, M[k * n + k], M[i * n + j]);
                mpz_submul(t, M[i * n + k], M[k * n + j]);
                mpz_divexact(M[i * n + j], t, prev);
                mpz_set(M[j * n + i], M[i * n + j]);
            }
        mpz_set(prev, M[k * n + k]);
    }
    for (e = 0; e < cnt; e++)
        mpz_clear(M[e]);
    free(M);
    mpz_clear(den);
    mpz_clear(prev);
    mpz_clear(t);
    return ok;
}
