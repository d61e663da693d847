/*
 * ssmheads/spmat.h -- sparse exact rational matrices (compressed rows).
 *
 * A model's B and C (and their imaginary parts) are kept in this form: a
 * channel bank's are millions of entries of which a few thousand are
 * nonzero.  Guarantee: an ssmh_spmat_t holds exactly the matrix it was
 * given, storing only its nonzero entries, so its memory is O(rows +
 * nonzeros) whatever its dimensions; row i's nonzeros are
 * col[rowptr[i] .. rowptr[i + 1]) (columns strictly increasing) with the
 * values val[...] (never 0).  Modules that need the dense matrix ask for a
 * copy (ssmh_spmat_get_fmpq_mat); dimensions are those of a matrix read
 * within the limits, so such a copy is bounded by the reader's caps.
 */
#ifndef SSMHEADS_SPMAT_H
#define SSMHEADS_SPMAT_H

#include <ssmheads/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    slong r, c;       /* dimensions */
    slong nnz;        /* stored (nonzero) entries */
    slong alloc;      /* capacity of col and val */
    slong *rowptr;    /* r + 1 offsets into col and val (NULL when r = 0) */
    slong *col;       /* the column of each nonzero */
    fmpq *val;        /* the nonzero values */
    slong last;       /* building (private): last row appended to, or -1 */
} ssmh_spmat_struct;
typedef ssmh_spmat_struct ssmh_spmat_t[1];

#define ssmh_spmat_nrows(M) ((M)->r)
#define ssmh_spmat_ncols(M) ((M)->c)
#define ssmh_spmat_nnz(M) ((M)->nnz)

/* The zero r x c matrix. */
void ssmh_spmat_init(ssmh_spmat_t M, slong r, slong c);
void ssmh_spmat_clear(ssmh_spmat_t M);
/* Deep copy (out initialised; any shape). */
void ssmh_spmat_set(ssmh_spmat_t out, const ssmh_spmat_t in);
void ssmh_spmat_swap(ssmh_spmat_t a, ssmh_spmat_t b);
/* From / to a dense matrix.  get: out is initialised by the caller with
   in's shape. */
void ssmh_spmat_set_fmpq_mat(ssmh_spmat_t out, const fmpq_mat_t in);
void ssmh_spmat_get_fmpq_mat(fmpq_mat_t out, const ssmh_spmat_t in);
/* out = den in with den the least common denominator of in's entries (1
   for the zero matrix), as fmpq_mat_get_fmpz_mat_matwise; out initialised
   by the caller with in's shape. */
void ssmh_spmat_get_fmpz_mat_matwise(fmpz_mat_t out, fmpz_t den, const ssmh_spmat_t in);
/* Entry (i, j), read-only: a stored value or a shared 0 (binary search in
   row i). */
const fmpq *ssmh_spmat_entry(const ssmh_spmat_t M, slong i, slong j);
int ssmh_spmat_is_zero(const ssmh_spmat_t M);
/* Same shape and entries. */
int ssmh_spmat_equal(const ssmh_spmat_t a, const ssmh_spmat_t b);
/* out = in^T (out initialised, not aliasing in). */
void ssmh_spmat_transpose(ssmh_spmat_t out, const ssmh_spmat_t in);
/* Equal to ssmh_hash_fmpq_mat of the dense matrix (zero runs are hashed
   in O(log run) steps). */
uint64_t ssmh_hash_spmat(uint64_t h, const ssmh_spmat_t M);

#ifdef __cplusplus
}
#endif
#endif
