/*
 * heads-impl.h -- private interface of the heads module: modular lag rows,
 * exact block-diagonal products.
 */
#ifndef SSMH_HEADS_IMPL_H
#define SSMH_HEADS_IMPL_H

#include "ssmheads-impl.h"
#include <stdint.h>

/* The exact real form of a model: dense A, or a list of 1x1 / 2x2
   diagonal blocks (structured models; A is then never stored densely). */
typedef struct {
    int delayed, blockdiag;
    slong M, d, p;
    fmpq_mat_t A;        /* dense models: M x M; else 0 x 0 */
    slong nblk, *blk;    /* block starts, blk[nblk] = M */
    fmpq *a;             /* 4 entries per block: [[a0, a1], [a2, a3]] */
    slong a_alloc;
    int has_BC;          /* B and C below are built densely (dense models,
                            and when asked for); else 0 x 0 */
    fmpq_mat_t B, C;     /* M x d, p x M */
    const fmpq_mat_struct *D;   /* p x d: the model's (not owned) */
    const ssmh_model_struct *src;   /* the model (not owned) */
    /* block-diagonal models without B and C built: the realified B (M x d)
       and the transpose of the realified C (M x p), sparse -- state t's
       nonzero columns of B and rows of C; else 0 x 0 */
    ssmh_spmat_t Bs, Cts;
} _ssmh_real_t;

/* with_BC = 0 leaves a structured model's realified B and C unbuilt (a
   channel bank's are large and mostly zero): Bs and Cts hold them
   sparsely.  Dense models always have them built. */
void _ssmh_real_init(_ssmh_real_t *r, const ssmh_model_t m, int with_BC);
void _ssmh_real_clear(_ssmh_real_t *r);
/* out = A X */
void _ssmh_real_apply(fmpq_mat_t out, const _ssmh_real_t *r, const fmpq_mat_t X);
/* The characteristic polynomial of A (degree M). */
void _ssmh_real_charpoly(fmpq_poly_t q, const _ssmh_real_t *r);

/* The lag rows of a realified model modulo a prime, restricted to a set
   of positions: the structural support (positions (i, j) where some K_l can
   be nonzero), or a subset of it chosen by the caller. */
typedef struct {
    nmod_t mod;
    slong M, d, p;
    int blockdiag, delayed, sparse;
    nmod_mat_t A, B, C, X, Y, K;
    slong nsupp;        /* number of positions */
    slong *supp;        /* row-major positions i * d + j, increasing */
    mp_limb_t *dsupp;   /* D at the positions */
    slong ncols;        /* dense models: the columns of B the positions use; */
    slong *cols;        /* X = A^l B[:, cols] is M x ncols */
    slong *colmap;      /* d -> index in cols or -1 */
    slong nblk;
    slong *blk;         /* first state of each block; blk[nblk] = M */
    slong *cr_start, *cr; /* nonzero C rows per block (CSR) */
    slong *bc_start, *bc; /* nonzero B columns per block (CSR) */
    /* the sparse path (a bank) keeps no M x d or p x M array: per block b,
       C on its rows x states (row-major from coff[b]) and the state
       X = A^l B on its states x columns (from xoff[b]; X0 = B there);
       B, C, X above are then 0 x 0 */
    slong *coff, *xoff;
    mp_limb_t *Cb, *Xb, *X0;
    mp_limb_t *Cbp, *Ap;  /* Shoup companions of Cb and of A's block entries */
    slong *poff, *zp;     /* per block: the support index of each (column,
                             row) pair, row fastest, or -1 (from poff[b]) */
    slong lag;          /* the lag the next call produces */
} _ssmh_modp_t;

/* sel: nsel increasing positions of the structural support, or NULL for
   the whole support.  Returns 0, or -1 when P divides a denominator (pick
   another prime), or SSMH_E_LIMIT when p*d is too large. */
int _ssmh_modp_init(_ssmh_modp_t *s, const _ssmh_real_t *r, ulong P, const slong *sel,
                    slong nsel);
void _ssmh_modp_clear(_ssmh_modp_t *s);
/* Write K_lag restricted to the support into row (length nsupp); lag++. */
void _ssmh_modp_next(_ssmh_modp_t *s, mp_limb_t *row);
/* Back to lag 0. */
void _ssmh_modp_rewind(_ssmh_modp_t *s);

/* Block-diagonal models only: rows (L x nsupp, initialised) receives the
   lags 0 .. L-1 at once, independent of the state of s. */
void _ssmh_modp_batch(nmod_mat_t rows, const _ssmh_modp_t *s, slong L);

/* Structural support of the lags of a realified model (positions i*d+j in
   increasing order); returns its size. */
slong _ssmh_support(slong **supp, const _ssmh_real_t *r);

/* The mode form of the lower witness (modes.c): the number of mode rows
   (groups of equal nonzero eigenvalues, two rows for a complex pair), and
   the search for `target` of them with nonzero leading minors at the
   positions pos (npos of them: exactly target, all of the support; or
   more, when the mode rows number exactly target).  Returns 1 with h's
   lower witness filled (lower_modes, r, prime, mode_index, mode_part,
   entry_row, entry_col), or 0 when not found (nothing changed but the
   arrays' sizes). */
slong _ssmh_mode_row_count(const _ssmh_real_t *r);
/* LU with row pivoting of the m x n residues A (m >= n, row-major, in
   place) modulo a prime P < 2^28 (lu_small.c): 1 when every column gets a
   nonzero pivot (then rows perm[0 .. n-1], columns in order, have nonzero
   leading minors mod P), else 0. */
int _ssmh_lu_small(slong *perm, uint32_t *A, slong m, slong n, ulong P);
int _ssmh_heads_modes(ssmh_heads_t h, const _ssmh_real_t *r, const slong *pos, slong npos,
                      slong target, flint_rand_t st, const ssmh_limits_t *lim);

#endif
