/*
 * The order of a structured model's modes by eigenvalue, shared by the
 * modules that group equal eigenvalues (the gradient's contributing modes
 * and spectrum, the heads mode witness).
 *
 * Guarantee: after _ssmh_mode_sort, keys are ordered by (re, im) -- or
 * (re, |im|) -- exactly, ties by index, so modes with equal eigenvalues
 * (equal in the compared parts) are adjacent and the order is the same
 * on every machine; _ssmh_mode_cmp is 0 exactly for equal eigenvalues.
 */
#include "ssmheads-impl.h"
#include <stdlib.h>

static int cmp_abs(const fmpq *x, const fmpq *y)
{
    /* |x| vs |y| = |num x| den y vs |num y| den x, without copies when the
       signs agree */
    fmpq_t u, v;
    int c;
    if (fmpq_sgn(x) >= 0 && fmpq_sgn(y) >= 0)
        return fmpq_cmp(x, y);
    fmpq_init(u);
    fmpq_init(v);
    fmpq_abs(u, x);
    fmpq_abs(v, y);
    c = fmpq_cmp(u, v);
    fmpq_clear(u);
    fmpq_clear(v);
    return c;
}

int _ssmh_mode_cmp(const ssmh_mode_key_t *a, const ssmh_mode_key_t *b, int abs_im)
{
    int c = fmpq_cmp(a->re, b->re);
    if (c != 0 || a->im == NULL || b->im == NULL)
        return c;
    return abs_im ? cmp_abs(a->im, b->im) : fmpq_cmp(a->im, b->im);
}

static int by_index(const ssmh_mode_key_t *a, const ssmh_mode_key_t *b)
{
    return a->i < b->i ? -1 : a->i > b->i;
}

/* qsort's comparators (no shared state: thread-safe) */
static int cmp_signed(const void *x, const void *y)
{
    int c = _ssmh_mode_cmp(x, y, 0);
    return c != 0 ? c : by_index(x, y);
}

static int cmp_unsigned(const void *x, const void *y)
{
    int c = _ssmh_mode_cmp(x, y, 1);
    return c != 0 ? c : by_index(x, y);
}

void _ssmh_mode_sort(ssmh_mode_key_t *keys, slong n, int abs_im)
{
    qsort(keys, (size_t)n, sizeof(ssmh_mode_key_t), abs_im ? cmp_unsigned : cmp_signed);
}
