/*
 * The mode form of the heads lower witness (doc/cert-heads.md): k_inf of a
 * block-diagonal model from a nonzero minor of its mode rows.
 *
 * Guarantee: when _ssmh_heads_modes returns 1, the r mode rows and r entry
 * positions it stores in h have every leading principal minor nonzero
 * modulo h->prime, a prime dividing no denominator of the model; the rows
 * are those of doc/cert-heads.md (the X and Y of each group of equal
 * eigenvalues), which lie in the span of the lags, so k_inf >= r.  Nothing
 * here decides an upper bound: the caller asks for r = min(Z, F), the
 * trivial bound.  The work is one LU of an (r + margin) x r matrix --
 * never the product of r lags by M states by r positions of the lag form.
 */
#include "heads-impl.h"
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MODE_MARGIN 16         /* candidates beyond the rank sought */
#define MODE_PRIME_BITS 28     /* the checker eliminates with 64-bit sums */
#define MODE_MAX_DENSE (WORD(1) << 25)   /* realified M (p + d) residues */
#define MODE_TRIES 2

/* The mode rows: row i is part `part[i]` (0: X, 1: Y) of the group whose
   blocks are gblk[gstart[g[i]] .. gstart[g[i] + 1]). */
typedef struct {
    slong nrows, ngroups;
    slong *gstart, *gblk;   /* blocks of each group, sorted */
    slong *g, *part;        /* per row */
} mode_rows_t;

static void mode_rows_clear(mode_rows_t *mr)
{
    flint_free(mr->gstart);
    flint_free(mr->gblk);
    flint_free(mr->g);
    flint_free(mr->part);
}

static int is_pair(const _ssmh_real_t *r, slong b)
{
    return r->blk[b + 1] - r->blk[b] == 2;
}

/* Groups of equal eigenvalues, and their rows (eigenvalue 0 has none). */
static void mode_rows_init(mode_rows_t *mr, const _ssmh_real_t *r)
{
    slong nb = r->nblk, b, i;
    ssmh_mode_key_t *keys = flint_malloc(sizeof(ssmh_mode_key_t) * (size_t)FLINT_MAX(1, nb));
    fmpq_t zero;
    fmpq_init(zero);
    for (b = 0; b < nb; b++) {   /* (a, |beta|): a 2 x 2 block with its conjugate */
        keys[b].re = r->a + 4 * b;
        keys[b].im = is_pair(r, b) ? r->a + 4 * b + 2 : zero;
        keys[b].i = b;
    }
    _ssmh_mode_sort(keys, nb, 1);
    mr->gstart = flint_malloc(sizeof(slong) * (size_t)(nb + 1));
    mr->gblk = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, nb));
    mr->g = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, 2 * nb));
    mr->part = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, 2 * nb));
    mr->ngroups = mr->nrows = 0;
    for (i = 0; i < nb; i++) {
        if (i == 0 || _ssmh_mode_cmp(keys + i, keys + i - 1, 1) != 0) {
            slong g = mr->ngroups++;
            mr->gstart[g] = i;
            if (!fmpq_is_zero(keys[i].re) || !fmpq_is_zero(keys[i].im)) {
                mr->g[mr->nrows] = g;
                mr->part[mr->nrows++] = 0;
                if (!fmpq_is_zero(keys[i].im)) {
                    mr->g[mr->nrows] = g;
                    mr->part[mr->nrows++] = 1;
                }
            }
        }
        mr->gblk[i] = keys[i].i;
    }
    mr->gstart[mr->ngroups] = nb;
    fmpq_clear(zero);
    flint_free(keys);
}

slong _ssmh_mode_row_count(const _ssmh_real_t *r)
{
    mode_rows_t mr;
    slong n;
    mode_rows_init(&mr, r);
    n = mr.nrows;
    mode_rows_clear(&mr);
    return n;
}

/* Rows of a sparse matrix densely mod P (M x cols): 0, or -1 when P
   divides a denominator.  Denominators of float data repeat (powers of
   two): their inverses are cached. */
static int reduce_rows(mp_limb_t *out, const ssmh_spmat_struct *S, nmod_t mod)
{
    slong i, k, cols = S->c;
    fmpz_t last;
    mp_limb_t last_inv = 1;
    int rc = 0;
    fmpz_init_set_ui(last, 1);
    memset(out, 0, sizeof(mp_limb_t) * (size_t)(S->r * cols));
    for (i = 0; i < S->r && rc == 0; i++)
        for (k = S->rowptr[i]; k < S->rowptr[i + 1]; k++) {
            const fmpq *x = S->val + k;
            mp_limb_t num = fmpz_fdiv_ui(fmpq_numref(x), mod.n);
            if (!fmpz_equal(fmpq_denref(x), last)) {
                mp_limb_t den = fmpz_fdiv_ui(fmpq_denref(x), mod.n);
                if (den == 0) {
                    rc = -1;
                    break;
                }
                fmpz_set(last, fmpq_denref(x));
                last_inv = n_invmod(den, mod.n);
            }
            out[i * cols + S->col[k]] = nmod_mul(num, last_inv, mod);
        }
    fmpz_clear(last);
    return rc;
}

/* sgn(beta) of block b as +-1 mod P. */
static mp_limb_t beta_sign(const _ssmh_real_t *r, slong b, nmod_t mod)
{
    return fmpq_sgn(r->a + 4 * b + 2) > 0 ? 1 : mod.n - 1;
}

/* Entry (row i, col j) of the mode row `row` at position z = i d + j. */
static mp_limb_t mode_entry(const mode_rows_t *mr, slong row, slong z, const _ssmh_real_t *r,
                            const mp_limb_t *Bp, const mp_limb_t *Cp, nmod_t mod)
{
    slong d = r->d, p = r->p, i = z / d, j = z % d, g = mr->g[row], q;
    mp_limb_t v = 0;
    for (q = mr->gstart[g]; q < mr->gstart[g + 1]; q++) {
        slong b = mr->gblk[q], t = r->blk[b];
        if (mr->part[row] == 0) {
            for (; t < r->blk[b + 1]; t++)
                v = nmod_add(v, nmod_mul(Cp[t * p + i], Bp[t * d + j], mod), mod);
        } else {   /* sgn(beta) (c_{t+1} b_t^T - c_t b_{t+1}^T) */
            mp_limb_t y = nmod_sub(nmod_mul(Cp[(t + 1) * p + i], Bp[t * d + j], mod),
                                   nmod_mul(Cp[t * p + i], Bp[(t + 1) * d + j], mod), mod);
            v = nmod_add(v, nmod_mul(beta_sign(r, b, mod), y, mod), mod);
        }
    }
    return v;
}

/* The model's mode index of block b: its diag entry, or its complex mode. */
static slong mode_index(const _ssmh_real_t *r, slong b)
{
    return r->src->structure == SSMH_STRUCTURE_COMPLEX_DIAG ? r->blk[b] / 2 : r->blk[b];
}

int _ssmh_heads_modes(ssmh_heads_t h, const _ssmh_real_t *r, const slong *pos, slong npos,
                      slong target, flint_rand_t st, const ssmh_limits_t *lim)
{
    mode_rows_t mr;
    slong M = r->M, d = r->d, p = r->p, i, j, *perm = NULL, *rows = NULL, nr, nc;
    mp_limb_t *Bp = NULL, *Cp = NULL;
    uint32_t *T;
    nmod_t mod;
    ulong P = 0;
    int found = 0, by_modes, tries;

    if (!r->blockdiag || r->has_BC || target <= 0 || npos < target
        || M * (p + d) > MODE_MAX_DENSE)
        return 0;
    mode_rows_init(&mr, r);
    if (mr.nrows < target) {
        mode_rows_clear(&mr);
        return 0;
    }
    /* candidate rows (the longer side) against exactly `target` columns:
       candidate modes by all positions, or candidate positions by all
       modes */
    by_modes = npos == target;
    if (!by_modes && mr.nrows != target) {
        mode_rows_clear(&mr);
        return 0;
    }
    nr = by_modes ? FLINT_MIN(mr.nrows, target + MODE_MARGIN) : npos;
    nc = target;
    rows = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, mr.nrows));
    for (i = 0; i < mr.nrows; i++)
        rows[i] = i;
    if (by_modes)   /* a random subset of the mode rows, in random order */
        for (i = 0; i < nr; i++) {
            slong k = i + (slong)n_randint(st, (ulong)(mr.nrows - i)), t = rows[i];
            rows[i] = rows[k];
            rows[k] = t;
        }
    Bp = flint_malloc(sizeof(mp_limb_t) * (size_t)FLINT_MAX(1, M * d));
    Cp = flint_malloc(sizeof(mp_limb_t) * (size_t)FLINT_MAX(1, M * p));
    perm = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, nr));
    T = flint_malloc(sizeof(uint32_t) * (size_t)FLINT_MAX(1, nr * nc));
    for (tries = 0; tries < MODE_TRIES && !found; tries++) {
        P = n_randprime(st, MODE_PRIME_BITS, 1);
        nmod_init(&mod, P);
        if (reduce_rows(Bp, r->Bs, mod) != 0 || reduce_rows(Cp, r->Cts, mod) != 0)
            continue;   /* P divides a denominator */
        ssmh_progress_step(lim, "heads: mode ranks mod p", (double)tries, (double)MODE_TRIES);
        for (i = 0; i < nr; i++)
            for (j = 0; j < nc; j++)
                T[i * nc + j] = (uint32_t)(by_modes
                    ? mode_entry(&mr, rows[i], pos[j], r, Bp, Cp, mod)
                    : mode_entry(&mr, rows[j], pos[i], r, Bp, Cp, mod));
        /* short of the bound mod P: an unlucky prime, or a rank really
           below it (then the lag form decides) */
        found = _ssmh_lu_small(perm, T, nr, nc, P);
    }
    if (found) {
        /* PT = LU: the rows perm[0 .. nc-1] with the columns in order have
           nonzero leading minors */
        h->lower_modes = 1;
        h->r = target;
        h->prime = P;
        h->mode_index = flint_realloc(h->mode_index, sizeof(slong) * (size_t)target);
        h->mode_part = flint_realloc(h->mode_part, sizeof(slong) * (size_t)target);
        h->entry_row = flint_realloc(h->entry_row, sizeof(slong) * (size_t)target);
        h->entry_col = flint_realloc(h->entry_col, sizeof(slong) * (size_t)target);
        for (i = 0; i < target; i++) {
            slong row = by_modes ? rows[perm[i]] : rows[i];
            slong z = by_modes ? pos[i] : pos[perm[i]];
            h->mode_index[i] = mode_index(r, mr.gblk[mr.gstart[mr.g[row]]]);
            h->mode_part[i] = mr.part[row];
            h->entry_row[i] = z / d;
            h->entry_col[i] = z % d;
        }
    }
    flint_free(T);
    flint_free(perm);
    flint_free(rows);
    flint_free(Bp);
    flint_free(Cp);
    mode_rows_clear(&mr);
    return found;
}
