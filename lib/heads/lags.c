/*
 * Exact lag operators K_l (SPEC 1.2).  Guarantee: ssmh_lags returns exactly
 * K_0 .. K_{count-1} of the model under its convention, D included; for
 * structured models A is applied block by block (1x1 or 2x2 blocks), never
 * as a dense matrix power.
 */
#include "heads-impl.h"

int ssmh_lags(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
              ssmh_error_t *err)
{
    _ssmh_real_t r;
    fmpq_mat_t X, Y;
    slong l;

    (void)err;
    if (count <= 0)
        return SSMH_OK;
    _ssmh_real_init(&r, m, 1);
    fmpq_mat_init(X, r.M, r.d);
    fmpq_mat_init(Y, r.M, r.d);
    fmpq_mat_set(X, r.B);
    for (l = 0; l < count; l++) {
        fmpq_mat_clear(K + l);
        fmpq_mat_init(K + l, r.p, r.d);
        if (r.delayed && l == 0) {
            fmpq_mat_set(K + l, r.D);
            continue;
        }
        fmpq_mat_mul(K + l, r.C, X);
        if (l == 0)
            fmpq_mat_add(K + l, K + l, r.D);
        if (l + 1 < count) {
            _ssmh_real_apply(Y, &r, X);
            fmpq_mat_swap(X, Y);
        }
    }
    fmpq_mat_clear(X);
    fmpq_mat_clear(Y);
    _ssmh_real_clear(&r);
    return SSMH_OK;
}
