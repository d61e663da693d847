/*
 * Sparse exact rational matrices in compressed rows (ssmheads/spmat.h).
 * Guarantee: every function keeps the invariants of the type -- rowptr
 * nondecreasing with rowptr[r] = nnz, the columns of a row strictly
 * increasing, no stored zero -- and never allocates in proportion to
 * rows * cols (only to rows and to the nonzeros); only
 * ssmh_spmat_get_fmpq_mat, whose output the caller sized, is dense.
 */
#include "ssmheads-impl.h"
#include <stdlib.h>
#include <string.h>

void ssmh_spmat_init(ssmh_spmat_t M, slong r, slong c)
{
    M->r = r;
    M->c = c;
    M->nnz = 0;
    M->alloc = 0;
    /* none without rows: an empty matrix owns nothing (clear-then-init
       objects such as a cleared minimal realization leak nothing) */
    M->rowptr = r > 0 ? flint_calloc((size_t)r + 1, sizeof(slong)) : NULL;
    M->col = NULL;
    M->val = NULL;
    M->last = -1;
}

void ssmh_spmat_clear(ssmh_spmat_t M)
{
    if (M->val != NULL)
        _fmpq_vec_clear(M->val, M->alloc);
    flint_free(M->col);
    flint_free(M->rowptr);
    memset(M, 0, sizeof(*M));
}

/* Room for n nonzeros in all. */
void _ssmh_spmat_fit(ssmh_spmat_t M, slong n)
{
    slong i;
    if (n <= M->alloc)
        return;
    M->col = flint_realloc(M->col, sizeof(slong) * (size_t)n);
    /* an fmpq is two words (small values inline, large ones a pointer into
       GMP's pool): moving it with realloc keeps it valid */
    M->val = flint_realloc(M->val, sizeof(fmpq) * (size_t)n);
    for (i = M->alloc; i < n; i++)
        fmpq_init(M->val + i);
    M->alloc = n;
}

/* Append entry (i, j) after every stored position (row-major order), by
   swapping x in (x is left with the old 0); a zero x is not stored. */
void _ssmh_spmat_append_swap(ssmh_spmat_t M, slong i, slong j, fmpq_t x)
{
    slong t;
    if (fmpq_is_zero(x))
        return;
    if (M->nnz == M->alloc)
        _ssmh_spmat_fit(M, FLINT_MAX(16, 2 * M->alloc));
    if (M->last < 0)
        M->last = 0;
    for (t = M->last + 1; t <= i; t++)   /* rows last+1 .. i begin here */
        M->rowptr[t] = M->nnz;
    M->last = i;
    M->col[M->nnz] = j;
    fmpq_swap(M->val + M->nnz, x);
    M->nnz++;
    M->rowptr[i + 1] = M->nnz;
}

void _ssmh_spmat_append(ssmh_spmat_t M, slong i, slong j, const fmpq_t x)
{
    fmpq_t t;
    if (fmpq_is_zero(x))
        return;
    fmpq_init(t);
    fmpq_set(t, x);
    _ssmh_spmat_append_swap(M, i, j, t);
    fmpq_clear(t);
}

/* After the last append: the rows past the last one are empty. */
void _ssmh_spmat_finish(ssmh_spmat_t M)
{
    slong t;
    for (t = (M->last < 0 ? 0 : M->last + 1); t <= M->r && M->rowptr != NULL; t++)
        M->rowptr[t] = M->nnz;
    M->last = -1;
}

void ssmh_spmat_set(ssmh_spmat_t out, const ssmh_spmat_t in)
{
    slong k;
    if (out == in)
        return;
    ssmh_spmat_clear(out);
    ssmh_spmat_init(out, in->r, in->c);
    _ssmh_spmat_fit(out, in->nnz);
    if (in->r > 0)
        memcpy(out->rowptr, in->rowptr, sizeof(slong) * (size_t)(in->r + 1));
    if (in->nnz > 0)
        memcpy(out->col, in->col, sizeof(slong) * (size_t)in->nnz);
    for (k = 0; k < in->nnz; k++)
        fmpq_set(out->val + k, in->val + k);
    out->nnz = in->nnz;
}

void ssmh_spmat_swap(ssmh_spmat_t a, ssmh_spmat_t b)
{
    ssmh_spmat_struct t = *a;
    *a = *b;
    *b = t;
}

void ssmh_spmat_set_fmpq_mat(ssmh_spmat_t out, const fmpq_mat_t in)
{
    slong i, j, r = fmpq_mat_nrows(in), c = fmpq_mat_ncols(in), n = 0;
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            n += !fmpq_is_zero(fmpq_mat_entry(in, i, j));
    ssmh_spmat_clear(out);
    ssmh_spmat_init(out, r, c);
    _ssmh_spmat_fit(out, n);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            _ssmh_spmat_append(out, i, j, fmpq_mat_entry(in, i, j));
    _ssmh_spmat_finish(out);
}

void ssmh_spmat_get_fmpq_mat(fmpq_mat_t out, const ssmh_spmat_t in)
{
    slong i, k;
    fmpq_mat_zero(out);
    for (i = 0; i < in->r; i++)
        for (k = in->rowptr[i]; k < in->rowptr[i + 1]; k++)
            fmpq_set(fmpq_mat_entry(out, i, in->col[k]), in->val + k);
}

void ssmh_spmat_get_fmpz_mat_matwise(fmpz_mat_t out, fmpz_t den, const ssmh_spmat_t in)
{
    slong i, k;
    fmpz_t t;
    fmpz_init(t);
    fmpz_one(den);
    for (k = 0; k < in->nnz; k++)
        fmpz_lcm(den, den, fmpq_denref(in->val + k));
    fmpz_mat_zero(out);
    for (i = 0; i < in->r; i++)
        for (k = in->rowptr[i]; k < in->rowptr[i + 1]; k++) {
            fmpz_divexact(t, den, fmpq_denref(in->val + k));
            fmpz_mul(fmpz_mat_entry(out, i, in->col[k]), t, fmpq_numref(in->val + k));
        }
    fmpz_clear(t);
}

static const fmpq spmat_zero = {WORD(0), WORD(1)};

const fmpq *ssmh_spmat_entry(const ssmh_spmat_t M, slong i, slong j)
{
    slong lo = M->rowptr[i], hi = M->rowptr[i + 1];
    while (lo < hi) {
        slong mid = lo + (hi - lo) / 2;
        if (M->col[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < M->rowptr[i + 1] && M->col[lo] == j ? M->val + lo : &spmat_zero;
}

int ssmh_spmat_is_zero(const ssmh_spmat_t M)
{
    return M->nnz == 0;
}

int ssmh_spmat_equal(const ssmh_spmat_t a, const ssmh_spmat_t b)
{
    slong k;
    if (a->r != b->r || a->c != b->c || a->nnz != b->nnz
        || (a->r > 0 && memcmp(a->rowptr, b->rowptr, sizeof(slong) * (size_t)(a->r + 1)) != 0))
        return 0;
    for (k = 0; k < a->nnz; k++)
        if (a->col[k] != b->col[k] || !fmpq_equal(a->val + k, b->val + k))
            return 0;
    return 1;
}

void ssmh_spmat_transpose(ssmh_spmat_t out, const ssmh_spmat_t in)
{
    slong i, k, *fill;
    ssmh_spmat_clear(out);
    ssmh_spmat_init(out, in->c, in->r);
    _ssmh_spmat_fit(out, in->nnz);
    for (k = 0; k < in->nnz; k++)   /* counts per column, then offsets */
        out->rowptr[in->col[k] + 1]++;
    for (i = 0; i < in->c; i++)
        out->rowptr[i + 1] += out->rowptr[i];
    fill = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(in->c, 1));
    if (in->c > 0)
        memcpy(fill, out->rowptr, sizeof(slong) * (size_t)in->c);
    for (i = 0; i < in->r; i++)   /* rows in order: each column's rows increase */
        for (k = in->rowptr[i]; k < in->rowptr[i + 1]; k++) {
            slong t = fill[in->col[k]]++;
            out->col[t] = i;
            fmpq_set(out->val + t, in->val + k);
        }
    out->nnz = in->nnz;
    flint_free(fill);
}

uint64_t ssmh_hash_spmat(uint64_t h, const ssmh_spmat_t M)
{
    slong i, k, dims[2];
    ulong zeros = 0;   /* zeros passed since the last hashed entry */
    dims[0] = M->r;
    dims[1] = M->c;
    h = ssmh_hash_bytes(h, dims, sizeof(dims));
    for (i = 0; i < M->r; i++) {
        slong j = 0;
        for (k = M->rowptr[i]; k < M->rowptr[i + 1]; k++) {
            char *s;
            zeros += (ulong)(M->col[k] - j);
            h = _ssmh_hash_zeros(h, zeros);
            zeros = 0;
            s = ssmh_rational_get_str(M->val + k);
            h = ssmh_hash_bytes(h, s, strlen(s) + 1);
            flint_free(s);
            j = M->col[k] + 1;
        }
        zeros += (ulong)(M->c - j);
    }
    return _ssmh_hash_zeros(h, zeros);
}
