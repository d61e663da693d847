/*
 * Exact simulation of the SSM recurrence and of a constructed attention
 * layer on a given input sequence, for tests and for users who want to see
 * the two agree token by token.
 */
#include "heads-impl.h"

int ssmh_simulate_ssm(fmpq_mat_t Y, const ssmh_model_t m, const fmpq_mat_t x)
{
    _ssmh_real_t rr, *r = &rr;
    fmpq_mat_t h, t, u, xt, yt;
    slong n = fmpq_mat_nrows(x), i, j;

    _ssmh_real_init(r, m, 1);
    fmpq_mat_init(h, r->M, 1);
    fmpq_mat_init(t, r->M, 1);
    fmpq_mat_init(u, r->M, 1);
    fmpq_mat_init(xt, r->d, 1);
    fmpq_mat_init(yt, r->p, 1);
    for (i = 0; i < n; i++) {
        for (j = 0; j < r->d; j++)
            fmpq_set(fmpq_mat_entry(xt, j, 0), fmpq_mat_entry(x, i, j));
        if (m->convention == SSMH_CONVENTION_DIRECT) {
            _ssmh_real_apply(t, r, h);
            fmpq_mat_mul(u, r->B, xt);
            fmpq_mat_add(h, t, u);
            fmpq_mat_mul(yt, r->C, h);
        } else {
            fmpq_mat_mul(yt, r->C, h);
        }
        {
            fmpq_mat_t dx;
            fmpq_mat_init(dx, r->p, 1);
            fmpq_mat_mul(dx, r->D, xt);
            fmpq_mat_add(yt, yt, dx);
            fmpq_mat_clear(dx);
        }
        if (m->convention == SSMH_CONVENTION_DELAYED) {
            _ssmh_real_apply(t, r, h);
            fmpq_mat_mul(u, r->B, xt);
            fmpq_mat_add(h, t, u);
        }
        for (j = 0; j < r->p; j++)
            fmpq_set(fmpq_mat_entry(Y, i, j), fmpq_mat_entry(yt, j, 0));
    }
    fmpq_mat_clear(h);
    fmpq_mat_clear(t);
    fmpq_mat_clear(u);
    fmpq_mat_clear(xt);
    fmpq_mat_clear(yt);
    _ssmh_real_clear(r);
    return 1;
}

int ssmh_simulate_attention(fmpq_mat_t Y, const ssmh_construction_t c, const fmpq_mat_t x)
{
    slong n = fmpq_mat_nrows(x), i, j, h, a, b;
    fmpq_t coef, t;
    fmpq_init(coef);
    fmpq_init(t);
    fmpq_mat_zero(Y);
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++)
            for (h = 0; h < c->k; h++) {
                ssmh_construction_kernel(coef, c, h, i - j);
                if (fmpq_is_zero(coef))
                    continue;
                /* y_i += alpha^h_ij V_h x_j */
                for (a = 0; a < c->p; a++)
                    for (b = 0; b < c->d; b++) {
                        fmpq_mul(t, fmpq_mat_entry(c->values + h, a, b), fmpq_mat_entry(x, j, b));
                        fmpq_addmul(fmpq_mat_entry(Y, i, a), coef, t);
                    }
            }
    fmpq_clear(coef);
    fmpq_clear(t);
    return 1;
}
