/*
 * Exact minimal realization by the Kalman decomposition.  Reachable part: a
 * basis R of the Krylov space K = span{B, AB, ...} with A_r, B_r from
 * R A_r = A R and R B_r = B.  Observable quotient: the same on the
 * transposes of (A_r, C_r): a basis T of the row space of [C_r; C_r A_r; ...],
 * A_m T = T A_r, C_m T = C_r, B_m = T B_r.  Every identity is checked
 * exactly.
 *
 * The basis is found modulo primes (krylov_rref_mod): the Krylov vectors
 * independent mod P give the lower bound dim K >= r, and the reduced echelon
 * form of their span, lifted to Q by rational reconstruction, is a basis R
 * (R^T in rref, usually with small entries: a coordinate subspace has 0/1
 * ones) for which the exact checks A R = R (A R)[pivots] and
 * B = R B[pivots] prove that span(R) is A-invariant and contains B, hence
 * dim K <= r.  No elimination over Q.  When the reconstruction does not
 * settle within MAX_PRIMES primes, the exact Krylov columns and exact solves
 * are used instead (krylov_basis, solve_checked).
 */
#include "ssmheads-impl.h"
#include <string.h>

void ssmh_minimal_init(ssmh_minimal_t r)
{
    memset(r, 0, sizeof(*r));
    ssmh_model_init(r->minimal);
}

void ssmh_minimal_clear(ssmh_minimal_t r)
{
    ssmh_model_clear(r->minimal);
    memset(r, 0, sizeof(*r));
    ssmh_model_init(r->minimal);
}

/* Greedy column basis of X: writes the pivot columns to piv, returns the rank. */
static slong column_profile(slong *piv, const fmpq_mat_t X)
{
    fmpz_mat_t Z, R;
    fmpz *scale;
    fmpz_t den;
    slong r, i, c;
    if (fmpq_mat_nrows(X) == 0 || fmpq_mat_ncols(X) == 0)
        return 0;
    fmpz_mat_init(Z, fmpq_mat_nrows(X), fmpq_mat_ncols(X));
    fmpz_mat_init(R, fmpq_mat_nrows(X), fmpq_mat_ncols(X));
    scale = _fmpz_vec_init(fmpq_mat_ncols(X));
    fmpz_init(den);
    fmpq_mat_get_fmpz_mat_colwise(Z, scale, X);
    r = fmpz_mat_rref(R, den, Z);
    for (i = 0, c = 0; i < r; i++) {
        while (fmpz_is_zero(fmpz_mat_entry(R, i, c)))
            c++;
        piv[i] = c;
    }
    fmpz_clear(den);
    _fmpz_vec_clear(scale, fmpq_mat_ncols(X));
    fmpz_mat_clear(Z);
    fmpz_mat_clear(R);
    return r;
}

/* A column basis R (N x r) of the Krylov space span{W, A W, A^2 W, ...},
   built block by block: stops at rank N or when a block adds nothing (then
   the span is A-invariant).  R consists of Krylov columns. */
static slong krylov_basis(fmpq_mat_t R, const fmpq_mat_t A, const fmpq_mat_t W)
{
    slong N = fmpq_mat_nrows(A), w = fmpq_mat_ncols(W), r = 0, prev = -1, i, j, c;
    slong *piv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N + w));
    fmpq_mat_t X, Y, K;
    fmpq_mat_init(X, N, w);
    fmpq_mat_init(Y, N, w);
    fmpq_mat_set(X, W);
    fmpq_mat_clear(R);
    fmpq_mat_init(R, N, 0);
    while (r < N && r > prev && w > 0) {
        prev = r;
        fmpq_mat_init(K, N, r + w);
        for (i = 0; i < N; i++) {
            for (j = 0; j < r; j++)
                fmpq_set(fmpq_mat_entry(K, i, j), fmpq_mat_entry(R, i, j));
            for (j = 0; j < w; j++)
                fmpq_set(fmpq_mat_entry(K, i, r + j), fmpq_mat_entry(X, i, j));
        }
        r = column_profile(piv, K);
        fmpq_mat_clear(R);
        fmpq_mat_init(R, N, r);
        for (c = 0; c < r; c++)
            for (i = 0; i < N; i++)
                fmpq_set(fmpq_mat_entry(R, i, c), fmpq_mat_entry(K, i, piv[c]));
        fmpq_mat_clear(K);
        fmpq_mat_mul(Y, A, X);
        fmpq_mat_swap(X, Y);
    }
    fmpq_mat_clear(X);
    fmpq_mat_clear(Y);
    flint_free(piv);
    return r;
}

/* Solve M X = Y exactly (M full column rank) and check it; 1 on success. */
static int solve_checked(fmpq_mat_t X, const fmpq_mat_t M, const fmpq_mat_t Y)
{
    fmpq_mat_t T;
    int ok;
    if (fmpq_mat_ncols(M) == 0) {
        ok = fmpq_mat_is_zero(Y);
        return ok;
    }
    ok = fmpq_mat_can_solve_multi_mod(X, M, Y);
    if (ok) {
        fmpq_mat_init(T, fmpq_mat_nrows(Y), fmpq_mat_ncols(Y));
        fmpq_mat_mul(T, M, X);
        ok = fmpq_mat_equal(T, Y);
        fmpq_mat_clear(T);
    }
    return ok;
}

#define MAX_PRIMES 256

/* x mod P into *out; -1 when P divides the denominator. */
static int reduce_q(mp_limb_t *out, const fmpq_t x, nmod_t mod)
{
    mp_limb_t den = fmpz_fdiv_ui(fmpq_denref(x), mod.n);
    if (den == 0)
        return -1;
    *out = nmod_div(fmpz_fdiv_ui(fmpq_numref(x), mod.n), den, mod);
    return 0;
}

static int reduce_mat_q(nmod_mat_t out, const fmpq_mat_t in, nmod_t mod)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(in); i++)
        for (j = 0; j < fmpq_mat_ncols(in); j++)
            if (reduce_q(nmod_mat_entry_ptr(out, i, j), fmpq_mat_entry(in, i, j), mod) != 0)
                return -1;
    return 0;
}

/* The Krylov space of (A, W) mod P: the vectors W, A W, A^2 W, ... that are
   independent mod P (block by block, until a block adds nothing or the rank
   is N), and the reduced row echelon form E (r x N, initialised N x N by the
   caller; rows r.. left zero) of their span, with its pivot columns.
   Returns r, or -1 when P divides a denominator. */
static slong krylov_rref_mod(nmod_mat_t E, slong *piv, const fmpq_mat_t A, const fmpq_mat_t W,
                             nmod_t mod)
{
    slong N = fmpq_mat_nrows(A), w = fmpq_mat_ncols(W), r = 0, prev = -1, i, j, k, c;
    nmod_mat_t Am, X, Y;
    slong *epiv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N));
    mp_limb_t *v = flint_malloc(sizeof(mp_limb_t) * (size_t)FLINT_MAX(1, N));
    nmod_mat_init(Am, N, N, mod.n);
    nmod_mat_init(X, N, w, mod.n);
    nmod_mat_init(Y, N, w, mod.n);
    if (reduce_mat_q(Am, A, mod) != 0 || reduce_mat_q(X, W, mod) != 0) {
        r = -1;
        goto done;
    }
    nmod_mat_zero(E);
    while (r < N && r > prev && w > 0) {
        prev = r;
        for (j = 0; j < w && r < N; j++) {
            /* reduce column j of X against the echelon rows E[0..r) */
            for (i = 0; i < N; i++)
                v[i] = nmod_mat_entry(X, i, j);
            for (k = 0; k < r; k++)
                if (v[epiv[k]] != 0)
                    _nmod_vec_scalar_addmul_nmod(v, nmod_mat_entry_ptr(E, k, 0), N, nmod_neg(v[epiv[k]], mod), mod);
            for (c = 0; c < N && v[c] == 0; c++)
                ;
            if (c == N)
                continue;
            _nmod_vec_scalar_mul_nmod(nmod_mat_entry_ptr(E, r, 0), v, N, n_invmod(v[c], mod.n), mod);
            epiv[r++] = c;
        }
        if (r > prev && r < N) {
            nmod_mat_mul(Y, Am, X);
            nmod_mat_swap(X, Y);
        }
    }
    /* the reduced form: rows r.. are zero, so the rank stays r */
    nmod_mat_rref(E);
    for (i = 0, c = 0; i < r; i++) {
        while (nmod_mat_entry(E, i, c) == 0)
            c++;
        piv[i] = c;
    }
done:
    nmod_mat_clear(Am);
    nmod_mat_clear(X);
    nmod_mat_clear(Y);
    flint_free(epiv);
    flint_free(v);
    return r;
}

/* Exact checks that R has rank r (its pivot rows piv form the identity)
   and that span(R) is A-invariant and contains W; on success
   Ar = (A R)[piv] and Wr = W[piv], so that A R = R Ar and W = R Wr.
   Returns 1 when all hold. */
static int check_invariant(fmpq_mat_t Ar, fmpq_mat_t Wr, const fmpq_mat_t R, const slong *piv,
                           const fmpq_mat_t A, const fmpq_mat_t W)
{
    slong N = fmpq_mat_nrows(A), r = fmpq_mat_ncols(R), w = fmpq_mat_ncols(W), i, j;
    fmpq_mat_t AR, T, U;
    int ok;
    fmpq_mat_init(AR, N, r);
    fmpq_mat_mul(AR, A, R);
    fmpq_mat_clear(Ar);
    fmpq_mat_init(Ar, r, r);
    fmpq_mat_clear(Wr);
    fmpq_mat_init(Wr, r, w);
    for (i = 0; i < r; i++) {
        for (j = 0; j < r; j++)
            fmpq_set(fmpq_mat_entry(Ar, i, j), fmpq_mat_entry(AR, piv[i], j));
        for (j = 0; j < w; j++)
            fmpq_set(fmpq_mat_entry(Wr, i, j), fmpq_mat_entry(W, piv[i], j));
    }
    fmpq_mat_init(T, N, r);
    fmpq_mat_init(U, N, w);
    if (r > 0) {
        fmpq_mat_mul(T, R, Ar);
        fmpq_mat_mul(U, R, Wr);
    }
    ok = fmpq_mat_equal(T, AR) && fmpq_mat_equal(U, W);
    for (i = 0; i < r && ok; i++)
        for (j = 0; j < r && ok; j++)
            ok = i == j ? fmpq_is_one(fmpq_mat_entry(R, piv[i], j))
                        : fmpq_is_zero(fmpq_mat_entry(R, piv[i], j));
    fmpq_mat_clear(AR);
    fmpq_mat_clear(T);
    fmpq_mat_clear(U);
    return ok;
}

/* R (N x r) from the rational reconstruction of E mod M (r x N rref with
   pivot columns piv); 0 when some entry does not reconstruct. */
static int reconstruct_basis(fmpq_mat_t R, const fmpz_mat_t Ez, const fmpz_t M, const slong *piv,
                             slong r)
{
    slong N = fmpz_mat_ncols(Ez), i, j;
    fmpq_mat_clear(R);
    fmpq_mat_init(R, N, r);
    for (i = 0; i < r; i++)
        for (j = 0; j < N; j++)
            if (!fmpq_reconstruct_fmpz(fmpq_mat_entry(R, j, i), fmpz_mat_entry(Ez, i, j), M))
                return 0;
    (void)piv;
    return 1;
}

/* Does R reduce to E mod P (the residues of a prime not used for R)? */
static int agrees_mod(const fmpq_mat_t R, const nmod_mat_t E, nmod_t mod)
{
    slong i, j, r = fmpq_mat_ncols(R);
    mp_limb_t x;
    for (i = 0; i < r; i++)
        for (j = 0; j < fmpq_mat_nrows(R); j++)
            if (reduce_q(&x, fmpq_mat_entry(R, j, i), mod) != 0 || x != nmod_mat_entry(E, i, j))
                return 0;
    return 1;
}

/* The modular method of the header comment: R, Ar, Wr with A R = R Ar and
   W = R Wr checked exactly, R^T in rref.  Returns r, or -1 when it did not
   settle within MAX_PRIMES primes. */
static slong restrict_modular(fmpq_mat_t R, fmpq_mat_t Ar, fmpq_mat_t Wr, const fmpq_mat_t A,
                              const fmpq_mat_t W, flint_rand_t st)
{
    slong N = fmpq_mat_nrows(A), r = -1, used = 0, next_try = 1, tries, i, j, rk;
    slong *piv = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N));
    slong *piv_k = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(1, N));
    fmpz_mat_t Ez;    /* CRT residues of the rref */
    fmpz_t M, t;
    nmod_mat_t E;
    slong result = -1;

    fmpz_mat_init(Ez, N, N);
    fmpz_init(M);
    fmpz_init(t);
    fmpz_one(M);
    for (tries = 0; tries < 2 * MAX_PRIMES && result < 0 && used < MAX_PRIMES; tries++) {
        nmod_t mod;
        ulong P = n_randprime(st, 62, 1);
        nmod_init(&mod, P);
        nmod_mat_init(E, N, N, P);
        rk = krylov_rref_mod(E, piv_k, A, W, mod);
        if (rk >= 0 && rk > r) {   /* a larger rank: earlier primes were unlucky */
            r = rk;
            used = 0;
            next_try = 1;
            fmpz_one(M);
            for (i = 0; i < r; i++)
                piv[i] = piv_k[i];
        }
        if (rk < 0 || rk < r || (r > 0 && memcmp(piv, piv_k, sizeof(slong) * (size_t)r) != 0)) {
            nmod_mat_clear(E);
            continue;   /* P divides a denominator, or an unlucky prime */
        }
        if (r == N || r == 0) {   /* the whole space, or nothing: R = I or empty */
            fmpq_mat_clear(R);
            fmpq_mat_init(R, N, r);
            for (i = 0; i < r; i++)
                fmpq_one(fmpq_mat_entry(R, i, i));
            if (check_invariant(Ar, Wr, R, piv, A, W))
                result = r;   /* else rank 0 mod P only: W's numerators are 0 mod P */
            nmod_mat_clear(E);
            continue;
        }
        /* a prime past the ones of the last reconstruction: test it there */
        if (used >= next_try && agrees_mod(R, E, mod) && check_invariant(Ar, Wr, R, piv, A, W)) {
            result = r;
            nmod_mat_clear(E);
            break;
        }
        for (i = 0; i < r; i++)   /* fold the residues in */
            for (j = 0; j < N; j++) {
                fmpz_set_ui(t, nmod_mat_entry(E, i, j));
                if (used == 0)
                    fmpz_set(fmpz_mat_entry(Ez, i, j), t);
                else
                    fmpz_CRT_ui(fmpz_mat_entry(Ez, i, j), fmpz_mat_entry(Ez, i, j), M,
                                nmod_mat_entry(E, i, j), P, 0);
            }
        fmpz_mul_ui(M, M, P);
        used++;
        nmod_mat_clear(E);
        if (used == next_try) {
            if (!reconstruct_basis(R, Ez, M, piv, r))
                next_try = 2 * used;   /* not enough primes yet */
            /* else: the next prime tests the reconstruction */
        }
        if (used > next_try)
            next_try = 2 * used;
    }
    fmpz_mat_clear(Ez);
    fmpz_clear(M);
    fmpz_clear(t);
    flint_free(piv);
    flint_free(piv_k);
    return result;
}

/* The restriction of (A, W) to its Krylov space: R (N x r), Ar, Wr with
   A R = R Ar and W = R Wr exactly (the modular method, or the exact Krylov
   columns).  Returns r, or -1 when an exact identity failed. */
static slong restrict_to_krylov(fmpq_mat_t R, fmpq_mat_t Ar, fmpq_mat_t Wr, const fmpq_mat_t A,
                                const fmpq_mat_t W, flint_rand_t st)
{
    slong N = fmpq_mat_nrows(A), r = restrict_modular(R, Ar, Wr, A, W, st);
    fmpq_mat_t AR;
    int ok;
    if (r >= 0)
        return r;
    r = krylov_basis(R, A, W);
    fmpq_mat_init(AR, N, r);
    fmpq_mat_mul(AR, A, R);
    fmpq_mat_clear(Ar);
    fmpq_mat_init(Ar, r, r);
    fmpq_mat_clear(Wr);
    fmpq_mat_init(Wr, r, fmpq_mat_ncols(W));
    ok = solve_checked(Ar, R, AR) && solve_checked(Wr, R, W);
    fmpq_mat_clear(AR);
    return ok ? r : -1;
}

int ssmh_minimal_compute(ssmh_minimal_t res, const ssmh_model_t m_in, const ssmh_limits_t *lim,
                         ssmh_error_t *err)
{
    ssmh_model_t m;
    fmpq_mat_t R, Ar, Br, Cr, At, Ct, S, Y, Z, Am, Cm, Bm, T, B, C;
    flint_rand_t st;
    uint64_t seed;
    slong N, r, n, o;
    int ok = 1;
    ssmh_progress_step(lim, "minimal: reachable and observable subspaces (exact)", 0, 0);

    ssmh_minimal_clear(res);
    ssmh_model_init(m);
    ssmh_model_realify(m, m_in);
    seed = ssmh_model_hash(m);
    flint_randinit(st);
    flint_randseed(st, (ulong)seed, (ulong)(seed >> 32) ^ UWORD(0x6d696e696d616c));
    N = m->N;
    res->N = N;
    fmpq_mat_init(B, N, m->d);   /* the realified B and C, densely */
    fmpq_mat_init(C, m->p, N);
    ssmh_spmat_get_fmpq_mat(B, m->B);
    ssmh_spmat_get_fmpq_mat(C, m->C);
    fmpq_mat_init(R, N, 0);
    fmpq_mat_init(Ar, 0, 0);
    fmpq_mat_init(Br, 0, 0);
    fmpq_mat_init(S, 0, 0);
    fmpq_mat_init(Y, 0, 0);
    fmpq_mat_init(Z, 0, 0);
    fmpq_mat_init(At, N, N);
    fmpq_mat_init(Ct, N, m->p);
    fmpq_mat_transpose(At, m->A);
    fmpq_mat_transpose(Ct, C);
    /* reachable subspace, and the observable rank (for the report) */
    r = restrict_to_krylov(R, Ar, Br, m->A, B, st);
    o = r >= 0 ? restrict_to_krylov(S, Y, Z, At, Ct, st) : -1;
    ok = r >= 0 && o >= 0;
    res->reachable_rank = r;
    res->observable_rank = o;
    fmpq_mat_clear(At);
    fmpq_mat_clear(Ct);
    if (ok && r == N && o == N) {   /* already minimal */
        res->mcmillan_degree = N;
        ssmh_model_set_dense(res->minimal, m->convention, m->A, B, C, m->D);
        res->minimal->has_D = m_in->has_D;
    } else if (ok) {
        /* observable quotient of (Ar, Br, Cr): S (r x n) spans the row space
           of [Cr; Cr Ar; ...] transposed, Ar^T S = S Y and Cr^T = S Z; with
           T = S^T: T Ar = Y^T T and Cr = Z^T T */
        fmpq_mat_init(Cr, m->p, r);
        fmpq_mat_mul(Cr, C, R);
        fmpq_mat_init(At, r, r);
        fmpq_mat_init(Ct, r, m->p);
        fmpq_mat_transpose(At, Ar);
        fmpq_mat_transpose(Ct, Cr);
        n = restrict_to_krylov(S, Y, Z, At, Ct, st);
        ok = n >= 0;
        if (ok) {
            fmpq_mat_init(T, n, r);
            fmpq_mat_init(Am, n, n);
            fmpq_mat_init(Cm, m->p, n);
            fmpq_mat_init(Bm, n, m->d);
            fmpq_mat_transpose(T, S);
            fmpq_mat_transpose(Am, Y);
            fmpq_mat_transpose(Cm, Z);
            fmpq_mat_mul(Bm, T, Br);
            res->mcmillan_degree = n;
            ssmh_model_set_dense(res->minimal, m->convention, Am, Bm, Cm, m->D);
            res->minimal->has_D = m_in->has_D;
            fmpq_mat_clear(T);
            fmpq_mat_clear(Am);
            fmpq_mat_clear(Cm);
            fmpq_mat_clear(Bm);
        }
        fmpq_mat_clear(Cr);
        fmpq_mat_clear(At);
        fmpq_mat_clear(Ct);
    }
    fmpq_mat_clear(R);
    fmpq_mat_clear(Ar);
    fmpq_mat_clear(Br);
    fmpq_mat_clear(S);
    fmpq_mat_clear(Y);
    fmpq_mat_clear(Z);
    fmpq_mat_clear(B);
    fmpq_mat_clear(C);
    flint_randclear(st);
    ssmh_model_clear(m);
    if (!ok) {
        ssmh_minimal_clear(res);
        return ssmh_error_set(err, SSMH_E_INTERNAL, "", "", "minimal: an exact identity of the Kalman decomposition failed");
    }
    return SSMH_OK;
}

/* A realization's matrix as an array of rows (the form of the minimal
   report), or the sparse form without rows or columns. */
static json_t *shaped(const ssmh_spmat_t M)
{
    fmpq_mat_t X;
    json_t *o;
    fmpq_mat_init(X, M->r, M->c);
    ssmh_spmat_get_fmpq_mat(X, M);
    o = _ssmh_json_matrix_shaped(X);
    fmpq_mat_clear(X);
    return o;
}

json_t *ssmh_minimal_to_json(const ssmh_minimal_t r)
{
    json_t *o = json_object();
    const ssmh_model_struct *m = r->minimal;
    json_object_set_new(o, "state_dim", json_integer(r->N));
    json_object_set_new(o, "reachable_rank", json_integer(r->reachable_rank));
    json_object_set_new(o, "observable_rank", json_integer(r->observable_rank));
    json_object_set_new(o, "mcmillan_degree", json_integer(r->mcmillan_degree));
    json_object_set_new(o, "convention", json_string(ssmh_convention_name(m->convention)));
    json_object_set_new(o, "A", _ssmh_json_matrix_shaped(m->A));
    json_object_set_new(o, "B", shaped(m->B));
    json_object_set_new(o, "C", shaped(m->C));
    json_object_set_new(o, "D", _ssmh_json_matrix_shaped(m->D));
    return o;
}
