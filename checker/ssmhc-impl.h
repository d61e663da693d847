/* ssmhc-impl.h -- private helpers of the checker (modular arithmetic). */
#ifndef SSMHC_IMPL_H
#define SSMHC_IMPL_H

#include "ssmhc.h"
#include <stdint.h>

typedef unsigned long long u64;

u64 ssmhc_mulmod(u64 a, u64 b, u64 P);
u64 ssmhc_powmod(u64 a, u64 e, u64 P);   /* a^e mod P */
/* Shoup's multiplication by a fixed f < P < 2^63: with fp = ssmhc_shoup_pre(f, P),
   ssmhc_shoup_mul(f, fp, x, P) = f x mod P for every x < P, without division. */
u64 ssmhc_shoup_pre(u64 f, u64 P);
static inline u64 ssmhc_shoup_mul(u64 f, u64 fp, u64 x, u64 P)
{
    u64 q = (u64)(((unsigned __int128)fp * x) >> 64);
    u64 r = f * x - q * P;
    return r - (P & (0 - (u64)(r >= P)));
}
/* x mod P; -1 when P divides the denominator. */
int ssmhc_reduce(u64 *out, const mpq_t x, u64 P);
int ssmhc_reduce_mat(u64 *out, const ssmhc_qmat *m, u64 P);
/* The same for a sparse matrix into a dense rows x cols array (its zeros
   written too). */
int ssmhc_reduce_smat(u64 *out, const ssmhc_smat *m, u64 P);
/* out[i * r + j] = K_{lags[i]}[erow[j]][ecol[j]] mod P (lags increasing).
   Returns -1 when P divides a denominator of the realified model. */
int ssmhc_lag_entries_mod(u64 *out, const ssmhc_model *m, const long *lags, long r,
                          const long *erow, const long *ecol, u64 P);
/* Structural support size: positions that can be nonzero in some K_l. */
long ssmhc_support(const ssmhc_model *m);
/* The stored values of m, val[k] reduced mod P into out[k]: 0, or -1 when
   P divides a denominator. */
int ssmhc_reduce_smat_values(u64 *out, const ssmhc_smat *m, u64 P);
/* The mode form of the heads lower witness (modes.c): the r x r entries
   out[i r + j] (or out32[i r + j] when out is NULL, P < 2^32) of the row
   [mode[i], part[i]] at position (erow[j], ecol[j]) mod P, for a block-diagonal model (mode < number of modes, part 0 or 1,
   checked by the caller).  0; -1 when P divides a denominator; -2 with rep
   set when a pair is not allowed (eigenvalue 0, part 1 of a real mode, a
   group and part named twice). */
int ssmhc_mode_entries_mod(u64 *out, uint32_t *out32, const ssmhc_model *m, const long *mode,
                           const long *part, long r, const long *erow, const long *ecol, u64 P,
                           ssmhc_report_t *rep);
/* Elimination mod P without pivoting (elim.c): 0 when every leading
   principal minor of the r x r matrix X (destroyed) is a unit mod P, else
   k >= 1 when the k-th is zero, -k when its pivot has no inverse (P is not
   prime). */
long ssmhc_leading_minors_mod(u64 *X, long r, u64 P);
/* The same for residues already in 32 bits, P < 2^28 (A destroyed). */
long ssmhc_leading_minors_mod32(uint32_t *A, long r, u64 P);

/* Exact sum_k a[k sa] b[k sb] of signed 64-bit integers (dot_exact.c);
   out initialised. */
void ssmhc_dot_i64(mpz_t out, const long long *a, long sa, const long long *b, long sb, long n);
/* 1 and *out = x when |x| < 2^62, else 0. */
int ssmhc_fits_i64(long long *out, const mpz_t x);
void ssmhc_mpz_set_i128(mpz_t out, __int128 v);
/* den M as integers (a new row-major array of initialised mpz_t, to be
   cleared and freed by the caller), den = the lcm of M's denominators;
   NULL when den passes --max-bits or the work budget (the limit noted). */
mpz_t *ssmhc_qmat_integers(mpz_t den, const ssmhc_qmat *M);

/* Semidefiniteness of a symmetric S by a rounded floating-point factor
   checked exactly (psd_factor.c): 1 PSD (PD when strict), 0 not, -1 cannot
   tell. */
int ssmhc_psd_factor(const ssmhc_qmat *S, int strict);

/* out[l] = ||K_l||_F^2 exactly for l < count (lag_norms.c); out[l]
   initialised.  0, or -1 when a limit (--max-bits, the work budget) is hit:
   the limit note says which. */
int ssmhc_lag_norms_f2(mpq_t *out, const ssmhc_model *m, long count);
/* The same with the method forced (tests): 0 as above, 1 sparse, 2 Gram,
   3 dense lags (structured models only for 1 and 2). */
int ssmhc_lag_norms_f2_by(mpq_t *out, const ssmhc_model *m, long count, int method);

#endif
