/*
 * Exact lag operators K_l (SPEC 1.2).  Guarantee: ssmh_lags returns exactly
 * K_0 .. K_{count-1} of the model under its convention, D included; for
 * structured models A is applied block by block (1x1 or 2x2 blocks), never
 * as a dense matrix power.
 */
#include "heads-impl.h"

/* The largest size, in bits (numerator plus denominator), of an entry. */
static slong max_bits(const fmpq_mat_t X)
{
    slong i, j, b = 0;
    for (i = 0; i < fmpq_mat_nrows(X); i++)
        for (j = 0; j < fmpq_mat_ncols(X); j++) {
            const fmpq *x = fmpq_mat_entry(X, i, j);
            b = FLINT_MAX(b, (slong)(fmpz_bits(fmpq_numref(x)) + fmpz_bits(fmpq_denref(x))));
        }
    return b;
}

int ssmh_lags(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
              ssmh_error_t *err)
{
    return ssmh_lags_limited(K, m, count, NULL, err);
}

int ssmh_lags_limited(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
                      const ssmh_limits_t *lim, ssmh_error_t *err)
{
    _ssmh_real_t r;
    fmpq_mat_t X, Y;
    slong l, cap = lim && lim->max_bits > 0 ? lim->max_bits : 0;
    int rc = SSMH_OK;

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
            if (cap && max_bits(X) > cap) {   /* the exact powers grow with the lag */
                rc = ssmh_error_set(err, SSMH_E_LIMIT, "", "",
                                    "exact lag %ld needs rationals of more than %ld bits "
                                    "(--max-bits); ask for fewer lags", (long)(l + 1), (long)cap);
                for (l = l + 1; l < count; l++) {
                    fmpq_mat_clear(K + l);
                    fmpq_mat_init(K + l, 0, 0);
                }
                break;
            }
        }
    }
    fmpq_mat_clear(X);
    fmpq_mat_clear(Y);
    _ssmh_real_clear(&r);
    return rc;
}
