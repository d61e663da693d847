/*
 * Annihilating polynomials: q(A) B = 0 or C q(A) = 0, by Horner's rule on
 * the exact realified model.  Shared by the heads and represent checkers
 * (a recurrence that carries lag identities to every later lag).  A
 * block-diagonal A is checked vector by vector on the blocks each column of
 * B (row of C) meets, never on a dense N x d (p x N) array.
 */
#include "ssmhc.h"
#include <stdlib.h>
#include <string.h>

/* Block-diagonal A: q(A) B = 0 column by column of B (side B: the rows of
   B^T), C q(A) = 0 row by row of C (side C), each on the blocks its
   nonzeros meet -- A keeps every other state at zero, so nothing of size
   N x d or p x N is formed.  Horner on the active states: y <- A y + q_i w
   (y <- y A + q_i w for side C).  1 when every vector vanishes, 0 when one
   does not, -1 when a power outgrows --max-bits (the limit noted). */
static int annihilates_blocks(const mpq_t *q, long deg, const ssmhc_smat *W, int right,
                              const ssmhc_model *m)
{
    long n = m->N, v, k, i, na;
    long *act = ssmhc_malloc(sizeof(long) * (size_t)(n > 0 ? n : 1));
    mpq_t *w = ssmhc_qvec_init(n), *y = ssmhc_qvec_init(n), *z = ssmhc_qvec_init(n);
    mpq_t t;
    int ok = 1;
    mpq_init(t);
    for (v = 0; v < W->rows && ok == 1; v++) {
        long j;
        if (W->rowptr[v] == W->rowptr[v + 1])
            continue;
        /* the active states: whole blocks meeting the vector's nonzeros */
        na = ssmhc_model_block_support(act, NULL, m, W, v);
        for (i = 0, k = W->rowptr[v]; i < na; i++) {
            mpq_set_ui(w[i], 0, 1);
            if (k < W->rowptr[v + 1] && W->col[k] == act[i])
                mpq_set(w[i], W->val[k++]);
            mpq_mul(y[i], q[deg], w[i]);
        }
        for (j = deg - 1; j >= 0 && ok == 1; j--) {
            for (i = 0; i < na; i++) {   /* z = A y (or y A) on the blocks */
                long s = act[i], u0 = m->blk[s] == 2 ? i - 1 : i;
                long bs = m->blk[act[u0]] == 1 ? 2 : 1, u;
                mpq_set_ui(z[i], 0, 1);
                for (u = u0; u < u0 + bs; u++) {
                    mpq_mul(t, right ? ssmhc_model_A_entry(m, act[u], s) : ssmhc_model_A_entry(m, s, act[u]),
                            y[u]);
                    mpq_add(z[i], z[i], t);
                }
            }
            for (i = 0; i < na && ok == 1; i++) {
                mpq_mul(t, q[j], w[i]);
                mpq_add(y[i], z[i], t);
                if (ssmhc_bits_check(y[i], "annihilator") != 0)
                    ok = -1;
            }
        }
        for (i = 0; i < na && ok == 1; i++)
            if (mpq_sgn(y[i]) != 0)
                ok = 0;
    }
    mpq_clear(t);
    free(act);
    ssmhc_qvec_clear(w, n);
    ssmhc_qvec_clear(y, n);
    ssmhc_qvec_clear(z, n);
    return ok;
}

long ssmhc_check_annihilator(const json_t *ann, const ssmhc_model *m, ssmhc_report_t *r)
{
    const json_t *side, *co;
    ssmhc_qmat Y, T;
    mpq_t *q, t;
    long i, deg, rows, cols;
    int is_b, ok, grown;
    size_t e;

    if (!json_is_object(ann) || json_object_size(ann) != 2)
        return ssmhc_fail(r, "annihilator: expected side and coeffs"), -1;
    side = json_object_get(ann, "side");
    if (!json_is_string(side) || (strcmp(json_string_value(side), "B") != 0
                                  && strcmp(json_string_value(side), "C") != 0))
        return ssmhc_fail(r, "annihilator: side must be B or C"), -1;
    is_b = strcmp(json_string_value(side), "B") == 0;
    co = json_object_get(ann, "coeffs");
    if (!json_is_array(co) || json_array_size(co) < 1 || json_array_size(co) > (size_t)m->N + 1)
        return ssmhc_fail(r, "annihilator: coefficients malformed"), -1;
    deg = (long)json_array_size(co) - 1;
    q = malloc(sizeof(mpq_t) * (size_t)(deg + 1));
    if (q == NULL)
        ssmhc_out_of_memory(NULL);
    for (i = 0; i <= deg; i++)
        mpq_init(q[i]);
    ok = 1;
    for (i = 0; i <= deg; i++)
        ok &= ssmhc_json_rational(q[i], json_array_get(co, (size_t)i)) == 0;
    if (ok && mpq_cmp_ui(q[deg], 1, 1) != 0)
        ok = 0;
    if (!ok) {
        for (i = 0; i <= deg; i++)
            mpq_clear(q[i]);
        free(q);
        return ssmhc_fail(r, "annihilator: coefficients are not exact or not monic"), -1;
    }
    if (m->block_diag) {
        ssmhc_smat Bt;
        if (is_b)
            ssmhc_smat_transpose(&Bt, &m->B);   /* row c: column c of B */
        ok = annihilates_blocks((const mpq_t *)q, deg, is_b ? &Bt : &m->C, !is_b, m);
        if (is_b)
            ssmhc_smat_clear(&Bt);
        for (i = 0; i <= deg; i++)
            mpq_clear(q[i]);
        free(q);
        if (ok < 0)
            return ssmhc_limit(r, "%s", ssmhc_limit_note()), -1;
        if (!ok)
            return ssmhc_fail(r, "annihilator: q(A)%s is not zero", is_b ? "B" : "C"), -1;
        return deg;
    }
    /* Horner: Y = sum_i q_i A^i B  (or C A^i), densely (a dense A: N x N
       already, and B, C within the same bounds) */
    rows = is_b ? m->N : m->p;
    cols = is_b ? m->d : m->N;
    ssmhc_qmat_init(&Y, rows, cols);
    ssmhc_qmat_init(&T, rows, cols);
    mpq_init(t);
    for (i = deg, ok = 1; i >= 0 && ok; i--) {
        const ssmhc_smat *W = is_b ? &m->B : &m->C;
        long a, k;
        if (i < deg) {
            if (is_b)
                ssmhc_model_apply_A(&T, m, &Y);
            else
                ssmhc_model_apply_A_right(&T, m, &Y);
            ssmhc_qmat_copy(&Y, &T);
            for (e = 0; e < (size_t)rows * (size_t)cols && ok; e++)   /* Horner's powers */
                ok = ssmhc_bits_check(Y.e[e], "annihilator") == 0;
        }
        if (mpq_sgn(q[i]) == 0)
            continue;
        for (a = 0; a < W->rows; a++)   /* + q_i W, on W's nonzeros */
            for (k = W->rowptr[a]; k < W->rowptr[a + 1]; k++) {
                mpq_mul(t, q[i], W->val[k]);
                mpq_add(SSMHC_Q(&Y, a, W->col[k]), SSMHC_Q(&Y, a, W->col[k]), t);
            }
    }
    grown = !ok;   /* a power outgrew --max-bits */
    ok = ok && ssmhc_qmat_is_zero(&Y);
    mpq_clear(t);
    ssmhc_qmat_clear(&Y);
    ssmhc_qmat_clear(&T);
    for (i = 0; i <= deg; i++)
        mpq_clear(q[i]);
    free(q);
    if (grown)
        return ssmhc_limit(r, "%s", ssmhc_limit_note()), -1;
    if (!ok)
        return ssmhc_fail(r, "annihilator: q(A)%s is not zero", is_b ? "B" : "C"), -1;
    return deg;
}
