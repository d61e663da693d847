/*
 * Sparse exact rational matrices for the checker (GMP mpq_t only, its own
 * code).  Guarantee: a matrix read by ssmhc_json_smat is exactly the one in
 * the file, stored as its nonzero entries only; no function here allocates
 * in proportion to rows * cols except ssmhc_smat_dense, which first asks
 * ssmhc_entries_check; every allocation goes through ssmhc_malloc (exit 6,
 * never an abort, when memory runs out).
 */
#include "ssmhc.h"
#include <stdlib.h>
#include <string.h>

void ssmhc_smat_init(ssmhc_smat *m, long rows, long cols)
{
    m->rows = rows;
    m->cols = cols;
    m->nnz = 0;
    m->alloc = 0;
    m->rowptr = ssmhc_calloc((size_t)rows + 1, sizeof(long));
    m->col = NULL;
    m->val = NULL;
}

void ssmhc_smat_clear(ssmhc_smat *m)
{
    long k;
    for (k = 0; k < m->alloc; k++)
        mpq_clear(m->val[k]);
    free(m->val);
    free(m->col);
    free(m->rowptr);
    memset(m, 0, sizeof(*m));
}

/* Room for n nonzeros (an mpq_t may be moved: GMP keeps no pointer to it). */
static void fit(ssmhc_smat *m, long n)
{
    long k;
    long *col;
    mpq_t *val;
    if (n <= m->alloc)
        return;
    col = ssmhc_malloc(sizeof(long) * (size_t)n);
    val = ssmhc_malloc(sizeof(mpq_t) * (size_t)n);
    if (m->alloc > 0) {
        memcpy(col, m->col, sizeof(long) * (size_t)m->alloc);
        memcpy(val, m->val, sizeof(mpq_t) * (size_t)m->alloc);
    }
    for (k = m->alloc; k < n; k++)
        mpq_init(val[k]);
    free(m->col);
    free(m->val);
    m->col = col;
    m->val = val;
    m->alloc = n;
}

void ssmhc_smat_reserve(ssmhc_smat *m, long n)
{
    fit(m, n);
}

/* rowptr[i + 1] counts row i's entries while building (finish sums). */
void ssmhc_smat_push(ssmhc_smat *m, long i, long j, mpq_t x)
{
    if (mpq_sgn(x) == 0)
        return;
    if (m->nnz == m->alloc)
        fit(m, m->alloc < 16 ? 16 : 2 * m->alloc);
    m->col[m->nnz] = j;
    mpq_swap(m->val[m->nnz], x);
    m->nnz++;
    m->rowptr[i + 1]++;
}

void ssmhc_smat_finish(ssmhc_smat *m)
{
    long i;
    for (i = 0; i < m->rows; i++)
        m->rowptr[i + 1] += m->rowptr[i];
}

/* {"rows": R, "cols": C, "entries": [[i, j, v], ...]}, positions strictly
   increasing row-major, the rest zero; R x C within ssmhc_dense_check (the
   same bound as the dense form, so a dense copy stays possible). */
static int sparse_form(ssmhc_smat *out, const json_t *v, long rows, long cols)
{
    long r, c, n, t;
    const json_t *je;
    mpq_t x;
    int rc = 0;
    if (ssmhc_json_sparse_shape(&r, &c, &je, v, rows, cols) != 0)
        return -1;
    n = (long)json_array_size(je);
    ssmhc_smat_init(out, r, c);
    fit(out, n);
    mpq_init(x);
    for (t = 0; t < n && rc == 0; t++) {
        const json_t *e = json_array_get(je, (size_t)t);
        if (ssmhc_json_rational(x, json_array_get(e, 2)) != 0)
            rc = -1;
        else
            ssmhc_smat_push(out, (long)json_integer_value(json_array_get(e, 0)),
                            (long)json_integer_value(json_array_get(e, 1)), x);
    }
    mpq_clear(x);
    ssmhc_smat_finish(out);
    if (rc != 0)
        ssmhc_smat_clear(out);
    return rc;
}

int ssmhc_json_smat(ssmhc_smat *out, const json_t *v, long rows, long cols)
{
    long r, c, i, j;
    mpq_t x;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (json_is_object(v))
        return sparse_form(out, v, rows, cols);
    if (ssmhc_json_dense_shape(&r, &c, v, rows, cols) != 0)
        return -1;
    ssmhc_smat_init(out, r, c);
    mpq_init(x);
    for (i = 0; i < r && rc == 0; i++)
        for (j = 0; j < c && rc == 0; j++) {
            if (ssmhc_json_rational(x, json_array_get(json_array_get(v, (size_t)i), (size_t)j)) != 0)
                rc = -1;
            else
                ssmhc_smat_push(out, i, j, x);
        }
    mpq_clear(x);
    ssmhc_smat_finish(out);
    if (rc != 0)
        ssmhc_smat_clear(out);
    return rc;
}

/* 0/1 without an allocation (read-only: never passed as an output) */
static mp_limb_t zero_limbs[2] = {0, 1};
static const __mpq_struct zero_q = {{1, 0, zero_limbs}, {1, 1, zero_limbs + 1}};

const __mpq_struct *ssmhc_smat_entry(const ssmhc_smat *m, long i, long j)
{
    long lo = m->rowptr[i], hi = m->rowptr[i + 1];
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (m->col[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->rowptr[i + 1] && m->col[lo] == j ? m->val[lo] : &zero_q;
}

int ssmhc_smat_equal(const ssmhc_smat *a, const ssmhc_smat *b)
{
    long k;
    if (a->rows != b->rows || a->cols != b->cols || a->nnz != b->nnz
        || memcmp(a->rowptr, b->rowptr, sizeof(long) * (size_t)(a->rows + 1)) != 0)
        return 0;
    for (k = 0; k < a->nnz; k++)
        if (a->col[k] != b->col[k] || !mpq_equal(a->val[k], b->val[k]))
            return 0;
    return 1;
}

int ssmhc_smat_is_zero(const ssmhc_smat *m)
{
    return m->nnz == 0;
}

void ssmhc_smat_transpose(ssmhc_smat *out, const ssmhc_smat *in)
{
    long i, k, *fill;
    ssmhc_smat_init(out, in->cols, in->rows);
    fit(out, in->nnz);
    for (k = 0; k < in->nnz; k++)
        out->rowptr[in->col[k] + 1]++;
    for (i = 0; i < in->cols; i++)
        out->rowptr[i + 1] += out->rowptr[i];
    fill = ssmhc_malloc(sizeof(long) * (size_t)(in->cols > 0 ? in->cols : 1));
    if (in->cols > 0)
        memcpy(fill, out->rowptr, sizeof(long) * (size_t)in->cols);
    for (i = 0; i < in->rows; i++)   /* rows in order: each column's rows increase */
        for (k = in->rowptr[i]; k < in->rowptr[i + 1]; k++) {
            long t = fill[in->col[k]]++;
            out->col[t] = i;
            mpq_set(out->val[t], in->val[k]);
        }
    out->nnz = in->nnz;
    free(fill);
}

int ssmhc_smat_dense(ssmhc_qmat *out, const ssmhc_smat *m, const char *what)
{
    long i, k;
    out->rows = out->cols = 0;
    out->e = NULL;
    if (ssmhc_entries_check(m->rows, m->cols, what) != 0)
        return -1;
    ssmhc_qmat_init(out, m->rows, m->cols);
    for (i = 0; i < m->rows; i++)
        for (k = m->rowptr[i]; k < m->rowptr[i + 1]; k++)
            mpq_set(SSMHC_Q(out, i, m->col[k]), m->val[k]);
    return 0;
}

/* Mostly nonzero: the dense product (integer dot products over common
   denominators, ssmhc_qmat_mul) is faster than the sparse sums. */
static int dense_enough(const ssmhc_smat *a)
{
    return (double)a->nnz * 8 >= (double)a->rows * (double)a->cols && a->rows > 0 && a->cols > 0;
}

void ssmhc_smat_mul_qmat(ssmhc_qmat *out, const ssmhc_smat *a, const ssmhc_qmat *x)
{
    long i, j, k;
    mpq_t t;
    if (dense_enough(a)) {   /* a is then no larger than its sparse form, twice */
        ssmhc_qmat ad;
        if (ssmhc_smat_dense(&ad, a, "a product") != 0)
            ssmhc_out_of_memory(ssmhc_limit_note());
        ssmhc_qmat_mul(out, &ad, x);
        ssmhc_qmat_clear(&ad);
        return;
    }
    mpq_init(t);
    for (i = 0; i < a->rows; i++)
        for (j = 0; j < x->cols; j++) {
            mpq_set_ui(SSMHC_Q(out, i, j), 0, 1);
            for (k = a->rowptr[i]; k < a->rowptr[i + 1]; k++) {
                if (mpq_sgn(SSMHC_Q(x, a->col[k], j)) == 0)
                    continue;
                mpq_mul(t, a->val[k], SSMHC_Q(x, a->col[k], j));
                mpq_add(SSMHC_Q(out, i, j), SSMHC_Q(out, i, j), t);
            }
        }
    mpq_clear(t);
}

void ssmhc_qmat_mul_smat(ssmhc_qmat *out, const ssmhc_qmat *x, const ssmhc_smat *a)
{
    long i, r, k;
    mpq_t t;
    if (dense_enough(a)) {
        ssmhc_qmat ad;
        if (ssmhc_smat_dense(&ad, a, "a product") != 0)
            ssmhc_out_of_memory(ssmhc_limit_note());
        ssmhc_qmat_mul(out, x, &ad);
        ssmhc_qmat_clear(&ad);
        return;
    }
    mpq_init(t);
    for (i = 0; i < out->rows * out->cols; i++)
        mpq_set_ui(out->e[i], 0, 1);
    for (r = 0; r < a->rows; r++)   /* out[:, col] += x[:, r] a[r][col] */
        for (k = a->rowptr[r]; k < a->rowptr[r + 1]; k++)
            for (i = 0; i < x->rows; i++) {
                if (mpq_sgn(SSMHC_Q(x, i, r)) == 0)
                    continue;
                mpq_mul(t, SSMHC_Q(x, i, r), a->val[k]);
                mpq_add(SSMHC_Q(out, i, a->col[k]), SSMHC_Q(out, i, a->col[k]), t);
            }
    mpq_clear(t);
}
