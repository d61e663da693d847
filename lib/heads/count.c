/*
 * The interaction rank k(n), k_inf and n* (SPEC 1.2, 2).
 *
 * Guarantee: the pivot lags and entry positions found modulo a prime P give
 * a lower bound (each leading minor is nonzero mod P, P dividing no
 * denominator, hence nonzero over Q); every non-pivot lag that the trivial
 * bound (the structural support) does not cover gets exact dependency
 * coefficients checked over Q, and lags past the annihilator's degree m are
 * covered by the recurrence.  An unlucky prime is detected by a failing
 * exact check and replaced.
 */
#include "heads-impl.h"
#include <stdlib.h>
#include <string.h>

#define MAX_TRIES 6
#define MINPOLY_MAX_DIM 400
#define RESTRICT_MARGIN 16   /* positions beyond the most lags that can count */

void ssmh_heads_init(ssmh_heads_t h)
{
    memset(h, 0, sizeof(*h));
}

static void free_deps(ssmh_heads_t h)
{
    slong i;
    for (i = 0; i < h->ndeps; i++)
        _fmpq_vec_clear(h->deps[i].coeffs, h->deps[i].npiv);
    flint_free(h->deps);
    h->deps = NULL;
    h->ndeps = 0;
}

void ssmh_heads_clear(ssmh_heads_t h)
{
    flint_free(h->pivot_lags);
    flint_free(h->mode_index);
    flint_free(h->mode_part);
    flint_free(h->entry_row);
    flint_free(h->entry_col);
    if (h->ann_coeffs)
        _fmpq_vec_clear(h->ann_coeffs, h->m + 1);
    free_deps(h);
    memset(h, 0, sizeof(*h));
}

slong ssmh_heads_k_at(const ssmh_heads_t h, slong j)
{
    slong i, c = 0;
    if (h->lower_modes)   /* k(j) = k_inf from F on; unknown below */
        return j >= h->first_covered ? h->k_inf : -1;
    for (i = 0; i < h->r; i++)
        if (h->pivot_lags[i] < j)
            c++;
    return c;
}

/* Number of distinct diagonal blocks (their minimal polynomials) and, when
   q is not NULL, the product of the distinct ones. */
static int cmp_pair(const void *a, const void *b)
{
    const fmpq *x = *(const fmpq *const *)a, *y = *(const fmpq *const *)b;
    int c = fmpq_cmp(x, y);
    return c ? c : fmpq_cmp(x + 1, y + 1);
}

/* Blocks of A as (a, |b|) pairs: 1x1 blocks (a, 0); 2x2 blocks
   [[a, -b], [b, a]] (b != 0) have minimal polynomial x^2 - 2a x + a^2 + b^2.
   Returns the degree of the product of the distinct block polynomials, an
   annihilator of A; sets q to it when q is not NULL. */
static slong diag_annihilator(fmpq_poly_t q, const _ssmh_real_t *r)
{
    slong nb = r->nblk, j, deg = 0;
    fmpq *pairs = _fmpq_vec_init(2 * nb);
    fmpq **ptr = flint_malloc(sizeof(fmpq *) * (size_t)FLINT_MAX(1, nb));
    for (j = 0; j < nb; j++) {
        fmpq_set(pairs + 2 * j, r->a + 4 * j);
        if (r->blk[j + 1] - r->blk[j] == 2)
            fmpq_abs(pairs + 2 * j + 1, r->a + 4 * j + 2);
        ptr[j] = pairs + 2 * j;
    }
    qsort(ptr, (size_t)nb, sizeof(fmpq *), cmp_pair);
    if (q != NULL)
        fmpq_poly_one(q);
    for (j = 0; j < nb; j++) {
        if (j > 0 && cmp_pair(&ptr[j], &ptr[j - 1]) == 0)
            continue;
        deg += fmpq_is_zero(ptr[j] + 1) ? 1 : 2;
        if (q != NULL) {
            fmpq_poly_t f;
            fmpq_t t;
            fmpq_poly_init(f);
            fmpq_init(t);
            if (fmpq_is_zero(ptr[j] + 1)) {
                fmpq_poly_set_coeff_si(f, 1, 1);
                fmpq_neg(t, ptr[j]);
                fmpq_poly_set_coeff_fmpq(f, 0, t);
            } else {
                fmpq_poly_set_coeff_si(f, 2, 1);
                fmpq_mul_si(t, ptr[j], -2);
                fmpq_poly_set_coeff_fmpq(f, 1, t);
                fmpq_mul(t, ptr[j], ptr[j]);
                fmpq_addmul(t, ptr[j] + 1, ptr[j] + 1);
                fmpq_poly_set_coeff_fmpq(f, 0, t);
            }
            fmpq_poly_mul(q, q, f);
            fmpq_poly_clear(f);
            fmpq_clear(t);
        }
    }
    _fmpq_vec_clear(pairs, 2 * nb);
    flint_free(ptr);
    return deg;
}

/* Incremental echelon form modulo P over the support coordinates. */
typedef struct {
    slong Z, r;
    mp_limb_t **rows;  /* normalised: rows[i][piv[i]] = 1, zero at earlier pivots */
    slong *piv;
} echelon_t;

/* Reduce v; if independent, add it and return its pivot column, else -1. */
static slong echelon_add(echelon_t *e, mp_limb_t *v, nmod_t mod)
{
    slong i, c;
    for (i = 0; i < e->r; i++) {
        mp_limb_t a = v[e->piv[i]];
        if (a != 0)
            _nmod_vec_scalar_addmul_nmod(v, e->rows[i], e->Z, nmod_neg(a, mod), mod);
    }
    for (c = 0; c < e->Z; c++)
        if (v[c] != 0)
            break;
    if (c == e->Z)
        return -1;
    _nmod_vec_scalar_mul_nmod(v, v, e->Z, n_invmod(v[c], mod.n), mod);
    e->rows[e->r] = v;
    e->piv[e->r] = c;
    e->r++;
    return c;
}

/* Exact dependency of K_lag on the first S pivots; returns 1 if it holds. */
static int exact_dependency(ssmh_dependency_t *dep, const fmpq_mat_struct *K,
                            const ssmh_heads_t h, slong lag, slong S)
{
    fmpq_mat_t X, y, c, T;
    slong i, j;
    int ok;
    fmpq_mat_init(X, S, S);
    fmpq_mat_init(y, S, 1);
    fmpq_mat_init(c, S, 1);
    for (i = 0; i < S; i++)
        for (j = 0; j < S; j++)  /* X^T c = y: row j is entry j */
            fmpq_set(fmpq_mat_entry(X, j, i),
                     fmpq_mat_entry(K + h->pivot_lags[i], h->entry_row[j], h->entry_col[j]));
    for (j = 0; j < S; j++)
        fmpq_set(fmpq_mat_entry(y, j, 0), fmpq_mat_entry(K + lag, h->entry_row[j], h->entry_col[j]));
    ok = S == 0 || fmpq_mat_solve_multi_mod(c, X, y);
    fmpq_mat_init(T, h->p, h->d);
    if (ok) {
        fmpq_mat_t U;
        fmpq_mat_init(U, h->p, h->d);
        for (i = 0; i < S; i++) {
            fmpq_mat_scalar_mul_fmpq(U, K + h->pivot_lags[i], fmpq_mat_entry(c, i, 0));
            fmpq_mat_add(T, T, U);
        }
        fmpq_mat_clear(U);
        ok = fmpq_mat_equal(T, K + lag);
    }
    if (ok) {
        dep->lag = lag;
        dep->npiv = S;
        dep->coeffs = _fmpq_vec_init(FLINT_MAX(S, 1));
        for (i = 0; i < S; i++)
            fmpq_set(dep->coeffs + i, fmpq_mat_entry(c, i, 0));
    }
    fmpq_mat_clear(T);
    fmpq_mat_clear(X);
    fmpq_mat_clear(y);
    fmpq_mat_clear(c);
    return ok;
}

/* Is q(A) B = 0 exactly (Horner on the columns of B)? */
static int annihilates(const fmpq_poly_t q, const _ssmh_real_t *r)
{
    fmpq_mat_t Y, T;
    fmpq_t c;
    slong i, deg = fmpq_poly_degree(q);
    int ok;
    fmpq_mat_init(Y, r->M, r->d);
    fmpq_mat_init(T, r->M, r->d);
    fmpq_init(c);
    for (i = deg; i >= 0; i--) {
        if (i < deg) {
            _ssmh_real_apply(T, r, Y);
            fmpq_mat_swap(Y, T);
        }
        fmpq_poly_get_coeff_fmpq(c, q, i);
        fmpq_mat_scalar_mul_fmpq(T, r->B, c);
        fmpq_mat_add(Y, Y, T);
    }
    ok = fmpq_mat_is_zero(Y);
    fmpq_clear(c);
    fmpq_mat_clear(Y);
    fmpq_mat_clear(T);
    return ok;
}

/* Batched pivot search for block-diagonal models: the first L lag rows in
   one product (_ssmh_modp_batch; a sparse bank's one lag at a time, each
   costing its nonzero pairs), then one LU decomposition of their
   transpose (support x lags).  Its echelon form gives the greedy pivot lags
   (the column rank profile: the first lags independent of the earlier ones),
   and its row permutation gives entry positions whose leading minors with
   those lags are nonzero (PA = LU with L unit triangular and U echelon).
   Returns 1 when that settles the whole pass (full support rank, or every
   lag <= m_pass seen); 0 to fall back to the lag-by-lag pass. */
#define BATCH_MIN_SUPPORT 32
#define BATCH_EXTRA_LAGS 16
static int batch_pivots(ssmh_heads_t h, _ssmh_modp_t *s, const _ssmh_real_t *r,
                        slong L, slong m_pass, slong *stall, slong *nstall)
{
    slong Z = s->nsupp, rank, i, l, c, *P;
    nmod_mat_t rows, T;
    int done;

    nmod_mat_init(T, Z, L, s->mod.n);
    if (s->sparse) {   /* a bank: each lag costs its nonzero pairs, the rows are generated */
        mp_limb_t *row = flint_malloc(sizeof(mp_limb_t) * (size_t)FLINT_MAX(1, Z));
        slong z;
        for (l = 0; l < L; l++) {   /* straight into the transpose's columns */
            _ssmh_modp_next(s, row);
            for (z = 0; z < Z; z++)
                nmod_mat_entry(T, z, l) = row[z];
        }
        flint_free(row);
    } else {
        nmod_mat_init(rows, L, Z, s->mod.n);
        _ssmh_modp_batch(rows, s, L);
        nmod_mat_transpose(T, rows);
        nmod_mat_clear(rows);
    }
    P = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, Z));
    rank = nmod_mat_lu(P, T, 0);
    done = rank == Z || L == m_pass + 1;
    if (done) {
        *nstall = 0;
        c = -1;
        for (i = 0; i < rank; i++) {
            /* U's row i is zero left of its pivot, past the earlier pivots
               (where L's multipliers are stored) */
            for (l = c + 1; l < L && nmod_mat_entry(T, i, l) == 0; l++)
                stall[(*nstall)++] = l;
            if (l == L) { /* cannot happen for an echelon form */
                done = 0;
                break;
            }
            c = l;
            h->pivot_lags[i] = l;
            h->entry_row[i] = s->supp[P[i]] / r->d;
            h->entry_col[i] = s->supp[P[i]] % r->d;
        }
        /* past the last pivot: covered trivially when the rank is the
           support size, else every lag up to m_pass was seen */
        for (l = c + 1; l < L && done && rank < Z; l++)
            stall[(*nstall)++] = l;
        h->r = rank;
    }
    flint_free(P);
    nmod_mat_clear(T);
    return done;
}

/* Positions for a restricted pass: at least `want` positions of the
   support supp (Z of them), drawn at random from st.  A dense model takes
   every row of a few random columns of B (the Krylov sequence then runs on
   those columns only); a block-diagonal one a random subset of the
   support.  Returns their number (sel receives them, increasing), or 0 when
   they would be the whole support. */
static slong restricted_positions(slong **sel, const _ssmh_real_t *r, const slong *supp, slong Z,
                                  slong want, flint_rand_t st)
{
    slong i, j, n = 0, p = r->p, d = r->d;
    *sel = NULL;
    if (want >= Z)
        return 0;
    if (!r->blockdiag) {
        slong nc = (want + p - 1) / p;
        char *use;
        slong *perm;
        if (nc >= d)
            return 0;
        use = flint_calloc((size_t)d, 1);
        perm = flint_malloc(sizeof(slong) * (size_t)d);
        for (j = 0; j < d; j++)
            perm[j] = j;
        for (j = 0; j < nc; j++) {   /* partial Fisher-Yates */
            slong k = j + (slong)n_randint(st, (ulong)(d - j)), t = perm[j];
            perm[j] = perm[k];
            perm[k] = t;
            use[perm[j]] = 1;
        }
        *sel = flint_malloc(sizeof(slong) * (size_t)(p * nc));
        for (i = 0; i < p; i++)
            for (j = 0; j < d; j++)
                if (use[j])
                    (*sel)[n++] = i * d + j;
        flint_free(use);
        flint_free(perm);
        return n;
    } else {
        slong *perm = flint_malloc(sizeof(slong) * (size_t)Z);
        char *use = flint_calloc((size_t)Z, 1);
        for (i = 0; i < Z; i++)
            perm[i] = i;
        for (i = 0; i < want; i++) {
            slong k = i + (slong)n_randint(st, (ulong)(Z - i)), t = perm[i];
            perm[i] = perm[k];
            perm[k] = t;
            use[perm[i]] = 1;
        }
        *sel = flint_malloc(sizeof(slong) * (size_t)want);
        for (i = 0; i < Z; i++)
            if (use[i])
                (*sel)[n++] = supp[i];
        flint_free(use);
        flint_free(perm);
        return n;
    }
}

/* One attempt with the prime P on the positions sel (nsel of them: the
   whole support, or a subset for a restricted pass).  Returns SSMH_OK,
   1 (unlucky prime: retry), 2 (restricted pass only: the lags below
   first_covered are not all independent on sel; redo on the whole
   support), or a negative error. */
static int attempt(ssmh_heads_t h, const ssmh_model_t orig, const _ssmh_real_t *r, ulong P,
                   const slong *sel, slong nsel, int restricted,
                   const ssmh_limits_t *lim, ssmh_error_t *err)
{
    int blockdiag = r->blockdiag;
    int dzero = !r->delayed && fmpq_mat_is_zero(r->D);
    slong m_pass = h->m - dzero; /* lags past first_covered - 1 need no work */
    _ssmh_modp_t s;
    echelon_t e;
    slong l, i, nstall = 0, *stall, Z, maxlag = 0;
    mp_limb_t *buf;
    int rc, batched = 0;

    h->first_covered = h->m + 1 - dzero;
    rc = _ssmh_modp_init(&s, r, P, sel, nsel);
    if (rc != 0) {
        _ssmh_modp_clear(&s);
        if (rc == SSMH_E_LIMIT)
            return ssmh_error_set(err, SSMH_E_LIMIT, "", "", "p*d = %ld is too large",
                                  (long)(r->p * r->d));
        return 1; /* P divides a denominator */
    }
    Z = s.nsupp;
    e.Z = Z;
    e.r = 0;
    e.rows = flint_malloc(sizeof(mp_limb_t *) * (size_t)FLINT_MAX(1, FLINT_MIN(Z, m_pass + 1)));
    e.piv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, FLINT_MIN(Z, m_pass + 1)));
    stall = flint_malloc(sizeof(slong) * (size_t)(m_pass + 1));
    h->pivot_lags = flint_realloc(h->pivot_lags, sizeof(slong) * (size_t)FLINT_MAX(1, FLINT_MIN(Z, m_pass + 1)));
    h->entry_row = flint_realloc(h->entry_row, sizeof(slong) * (size_t)FLINT_MAX(1, FLINT_MIN(Z, m_pass + 1)));
    h->entry_col = flint_realloc(h->entry_col, sizeof(slong) * (size_t)FLINT_MAX(1, FLINT_MIN(Z, m_pass + 1)));
    buf = NULL;
    if (blockdiag && Z >= BATCH_MIN_SUPPORT
        && batch_pivots(h, &s, r, FLINT_MIN(m_pass + 1, Z + BATCH_EXTRA_LAGS), m_pass,
                        stall, &nstall)) {
        e.r = h->r; /* the batch found every pivot: skip the lag-by-lag pass */
        batched = 1;
        if (restricted && nstall > 0)
            rc = 2;
    } else {
        nstall = 0;
        if (s.lag > 0)   /* the batch advanced the sparse recursion */
            _ssmh_modp_rewind(&s);
    }
    for (l = batched ? m_pass + 1 : 0; l <= m_pass && e.r < Z && rc == 0; l++) {
        slong c;
        ssmh_progress_step(lim, "heads: lag ranks mod p", (double)l, (double)(m_pass + 1));
        if (buf == NULL)
            buf = flint_malloc(sizeof(mp_limb_t) * (size_t)FLINT_MAX(1, Z));
        _ssmh_modp_next(&s, buf);
        c = echelon_add(&e, buf, s.mod);
        if (c >= 0) {
            h->pivot_lags[e.r - 1] = l;
            h->entry_row[e.r - 1] = s.supp[c] / r->d;
            h->entry_col[e.r - 1] = s.supp[c] % r->d;
            buf = NULL;
        } else if (restricted) {
            rc = 2;   /* a lag dependent on the chosen positions */
        } else {
            stall[nstall++] = l;
        }
    }
    if (restricted && rc == 0 && e.r < m_pass + 1)
        rc = 2;
    flint_free(buf);
    for (i = 0; i < e.r && e.rows != NULL && !batched; i++)
        flint_free(e.rows[i]);
    flint_free(e.rows);
    flint_free(e.piv);
    h->r = e.r;
    h->prime = P;
    _ssmh_modp_clear(&s);
    if (rc == 2) {
        flint_free(stall);
        return rc;
    }

    /* A tighter annihilator for a dense model whose rank stalls. */
    if (nstall > 0 && !blockdiag && h->ann == SSMH_ANNIHILATOR_CAYLEY_HAMILTON
        && r->M <= MINPOLY_MAX_DIM) {
        fmpq_poly_t q;
        fmpq_poly_init(q);
        fmpq_mat_minpoly(q, r->A);
        if (!fmpq_poly_is_zero(q))
            fmpq_poly_make_monic(q, q);
        /* Trust no library result unchecked: q must annihilate B exactly. */
        if (fmpq_poly_degree(q) >= 1 && fmpq_poly_degree(q) < h->m
            && annihilates(q, r)) {
            h->ann = SSMH_ANNIHILATOR_B;
            h->m = fmpq_poly_degree(q);
            h->first_covered = h->m + 1 - dzero;
            h->ann_coeffs = _fmpq_vec_init(h->m + 1);
            for (i = 0; i <= h->m; i++)
                fmpq_poly_get_coeff_fmpq(h->ann_coeffs + i, q, i);
        }
        fmpq_poly_clear(q);
    }

    /* Exact dependencies for the stalled lags <= m. */
    for (i = 0; i < nstall; i++)
        if (stall[i] < h->first_covered)
            maxlag = FLINT_MAX(maxlag, stall[i]);
    free_deps(h);
    if (nstall > 0) {
        fmpq_mat_struct *K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)(maxlag + 1));
        for (l = 0; l <= maxlag; l++)
            fmpq_mat_init(K + l, 0, 0);
        rc = ssmh_lags_limited(K, orig, maxlag + 1, lim, err);
        h->deps = flint_malloc(sizeof(ssmh_dependency_t) * (size_t)nstall);
        for (i = 0; i < nstall && rc == 0; i++) {
            slong lag = stall[i], S = 0;
            if (lag >= h->first_covered)
                continue;
            for (l = 0; l < h->r && h->pivot_lags[l] < lag; l++)
                S++;
            if (!exact_dependency(h->deps + h->ndeps, K, h, lag, S))
                rc = 1; /* independent over Q: P was unlucky */
            else
                h->ndeps++;
        }
        for (l = 0; l <= maxlag; l++)
            fmpq_mat_clear(K + l);
        flint_free(K);
    }
    flint_free(stall);
    return rc;
}

/* The lag form's first product costs about this many multiply-adds past
   which `heads` (SSMH_HEADS_AUTO) tries the mode form first: 2^33, a few
   seconds on one core. */
#define LAG_FORM_MAX_WORK 8589934592.0

/* The mode form of the lower witness (doc/cert-heads.md) for k_inf = the
   trivial bound min(Z, F), with the annihilator that gives F: the
   characteristic polynomial, or the product of the distinct block
   polynomials (degree m_diag).  Returns 1 when it settled the count (h
   then holds the witness, its annihilator and F), else 0. */
static int try_modes(ssmh_heads_t h, const _ssmh_real_t *r, slong n, int how, const slong *supp,
                     slong Z, slong m_diag, flint_rand_t st, const ssmh_limits_t *lim)
{
    int dzero = !r->delayed && fmpq_mat_is_zero(r->D), c;
    slong M = r->M, rows = -1;
    if (how == SSMH_HEADS_AUTO) {
        slong F = FLINT_MIN(m_diag, M) + 1 - dzero;
        double work = (double)FLINT_MIN(F, Z + BATCH_EXTRA_LAGS) * (double)M
                      * (double)FLINT_MIN(Z, F + RESTRICT_MARGIN);
        if (work <= LAG_FORM_MAX_WORK)
            return 0;
    }
    for (c = 0; c < 2; c++) {
        slong m = c == 0 ? M : m_diag, F = m + 1 - dzero, target = FLINT_MIN(Z, F);
        slong *sel = NULL, nsel = 0;
        int found;
        if ((c == 1 && m_diag >= M) || (n > 0 && n < F) || target <= 0)
            continue;
        if (rows < 0)
            rows = _ssmh_mode_row_count(r);
        if (target > rows || (target < Z && target != rows))
            continue;
        if (target < Z)   /* every mode row, at F + margin random positions */
            nsel = restricted_positions(&sel, r, supp, Z, F + RESTRICT_MARGIN, st);
        found = _ssmh_heads_modes(h, r, nsel > 0 ? sel : supp, nsel > 0 ? nsel : Z, target,
                                  st, lim);
        flint_free(sel);
        if (found) {
            h->ann = c == 0 ? SSMH_ANNIHILATOR_CAYLEY_HAMILTON : SSMH_ANNIHILATOR_B;
            h->m = m;
            h->first_covered = F;
            return 1;
        }
    }
    return 0;
}

int ssmh_heads_compute(ssmh_heads_t h, const ssmh_model_t m, slong n,
                       const ssmh_limits_t *lim, ssmh_error_t *err)
{
    return ssmh_heads_compute_opts(h, m, n, SSMH_HEADS_PROFILE, lim, err);
}

int ssmh_heads_compute_opts(ssmh_heads_t h, const ssmh_model_t m, slong n, int how,
                            const ssmh_limits_t *lim, ssmh_error_t *err)
{
    _ssmh_real_t r;
    flint_rand_t st, pick;
    int blockdiag = m->structure != SSMH_STRUCTURE_DENSE, rc = 1, tries, dzero;
    uint64_t seed = ssmh_model_hash(m);
    slong m_diag = 0, Z, *supp = NULL;

    ssmh_heads_clear(h);
    h->convention = m->convention;
    h->N = m->N;
    h->d = m->d;
    h->p = m->p;
    h->n = n;
    _ssmh_real_init(&r, m, 0);
    h->M = r.M;
    flint_randinit(st);
    flint_randseed(st, (ulong)seed, (ulong)(seed >> 32) ^ UWORD(0x5deece66d));
    /* positions drawn from their own stream: the primes stay those of st */
    flint_randinit(pick);
    flint_randseed(pick, (ulong)(seed >> 32), (ulong)seed ^ UWORD(0x2545f4914f6cdd1d));
    dzero = !r.delayed && fmpq_mat_is_zero(r.D);
    Z = _ssmh_support(&supp, &r);
    h->support = Z;

    if (blockdiag)
        m_diag = diag_annihilator(NULL, &r);
    if (blockdiag && how != SSMH_HEADS_PROFILE) {
        /* its own random stream: the lag form's primes and positions stay
           those of a run without it */
        flint_rand_t mst;
        flint_randinit(mst);
        flint_randseed(mst, (ulong)seed ^ UWORD(0x9e3779b97f4a7c15), (ulong)(seed >> 29));
        if (try_modes(h, &r, n, how, supp, Z, m_diag, mst, lim))
            rc = SSMH_OK;
        flint_randclear(mst);
    }
    for (tries = 0; tries < MAX_TRIES && rc == 1; tries++) {
        ulong P = n_randprime(st, 62, 1);
        if (h->ann_coeffs)
            _fmpq_vec_clear(h->ann_coeffs, h->m + 1);
        h->ann_coeffs = NULL;
        h->ann = SSMH_ANNIHILATOR_CAYLEY_HAMILTON;
        h->m = h->M;
        if (blockdiag && m_diag < h->M) {
            /* q = product of the distinct block polynomials; its
               coefficients are computed below only if the certificate
               needs them */
            h->ann = SSMH_ANNIHILATOR_B;
            h->m = m_diag;
        }
        {
            /* The lags below F = m + 1 - dzero span at most F dimensions:
               when F is well below the support size, look for F independent
               lags on F + margin positions first (the full p x d lags of a
               large layer are never formed); fall back to the whole support
               when they are not all independent there. */
            slong *sel = NULL, F = h->m + 1 - dzero;
            slong nsel = restricted_positions(&sel, &r, supp, Z, F + RESTRICT_MARGIN, pick);
            rc = 2;
            if (nsel > 0)
                rc = attempt(h, m, &r, P, sel, nsel, 1, lim, err);
            if (rc == 2)
                rc = attempt(h, m, &r, P, supp, Z, 0, lim, err);
            flint_free(sel);
        }
    }
    flint_free(supp);
    flint_randclear(st);
    flint_randclear(pick);
    if (rc != SSMH_OK)
        _ssmh_real_clear(&r);
    if (rc == 1)
        return ssmh_error_set(err, SSMH_E_INTERNAL, "", "",
                              "no lucky prime in %d tries (please report)", MAX_TRIES);
    if (rc != SSMH_OK)
        return rc;
    if (h->ann == SSMH_ANNIHILATOR_B && h->ann_coeffs == NULL) {
        if (h->r == h->support) {
            /* Full rank on the support: every later lag is covered
               trivially, so Cayley-Hamilton suffices and q is not needed. */
            int dzero = !r.delayed && fmpq_mat_is_zero(r.D);
            h->ann = SSMH_ANNIHILATOR_CAYLEY_HAMILTON;
            h->m = h->M;
            h->first_covered = h->m + 1 - dzero;
        } else {
            fmpq_poly_t q;
            slong i;
            fmpq_poly_init(q);
            diag_annihilator(q, &r);
            h->ann_coeffs = _fmpq_vec_init(h->m + 1);
            for (i = 0; i <= h->m; i++)
                fmpq_poly_get_coeff_fmpq(h->ann_coeffs + i, q, i);
            fmpq_poly_clear(q);
        }
    }
    _ssmh_real_clear(&r);
    h->k_inf = h->r;
    h->n_star = h->lower_modes ? 0 : h->r > 0 ? h->pivot_lags[h->r - 1] + 1 : 1;
    h->k = n > 0 ? ssmh_heads_k_at(h, n) : h->k_inf;
    return SSMH_OK;
}
