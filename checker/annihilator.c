/*
 * Annihilating polynomials: q(A) B = 0 or C q(A) = 0, by Horner's rule on
 * the exact realified model.  Shared by the heads and represent checkers
 * (a recurrence that carries lag identities to every later lag).
 */
#include "ssmhc.h"
#include <stdlib.h>
#include <string.h>

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
    /* Horner: Y = sum_i q_i A^i B  (or C A^i) */
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
