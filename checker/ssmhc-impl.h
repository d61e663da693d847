/* ssmhc-impl.h -- private helpers of the checker (modular arithmetic). */
#ifndef SSMHC_IMPL_H
#define SSMHC_IMPL_H

#include "ssmhc.h"

typedef unsigned long long u64;

u64 ssmhc_mulmod(u64 a, u64 b, u64 P);
/* x mod P; -1 when P divides the denominator. */
int ssmhc_reduce(u64 *out, const mpq_t x, u64 P);
int ssmhc_reduce_mat(u64 *out, const ssmhc_qmat *m, u64 P);
/* out[i * r + j] = K_{lags[i]}[erow[j]][ecol[j]] mod P (lags increasing).
   Returns -1 when P divides a denominator of the realified model. */
int ssmhc_lag_entries_mod(u64 *out, const ssmhc_model *m, const long *lags, long r,
                          const long *erow, const long *ecol, u64 P);
/* Structural support size: positions that can be nonzero in some K_l. */
long ssmhc_support(const ssmhc_model *m);

#endif
