/*
 * Exact lag operators K_l (SPEC 1.2).  Guarantee: ssmh_lags returns exactly
 * K_0 .. K_{count-1} of the model under its convention, D included; for
 * structured models A is applied block by block (1x1 or 2x2 blocks), never
 * as a dense matrix power; a real diagonal A works in integers (lags_diag);
 * when C and A^l B are sparse (a channel bank), C A^l B is summed over the
 * nonzero pairs of each state instead of a dense product.
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

/* --max-bits hit at lag l: K_l .. K_{count-1} are left 0 x 0. */
static int size_limit(fmpq_mat_struct *K, slong l, slong count, slong cap, ssmh_error_t *err)
{
    slong i;
    for (i = l; i < count; i++) {
        fmpq_mat_clear(K + i);
        fmpq_mat_init(K + i, 0, 0);
    }
    return ssmh_error_set(err, SSMH_E_LIMIT, "", "",
                          "exact lag %ld needs rationals of more than %ld bits (--max-bits); "
                          "ask for fewer lags", (long)l, (long)cap);
}

int ssmh_lags(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
              ssmh_error_t *err)
{
    return ssmh_lags_limited(K, m, count, NULL, err);
}

/* A real diagonal model in integers: with L = lcm of the eigenvalues'
   denominators, w_s = lambda_s L (integers), B = Bn / beta and C = Cn / gamma
   (common denominators), the power A^j B = diag(w^j) Bn / (beta L^j), so
   C A^j B = Cn (diag(w^j) Bn) / (gamma beta L^j): one integer product per
   lag (FLINT's multimodular fmpz_mat_mul) and no rational arithmetic on the
   growing powers. */
static int lags_diag(fmpq_mat_struct *K, const ssmh_model_t m, slong count, slong cap,
                     ssmh_error_t *err)
{
    slong N = m->N, d = m->d, p = m->p, l, s, j;
    fmpz_mat_t Bn, Cn, P;
    fmpz *w;
    fmpz_t L, beta, gamma, den, t;
    int rc = SSMH_OK, delayed = m->convention == SSMH_CONVENTION_DELAYED;

    fmpz_init(L);
    fmpz_init(beta);
    fmpz_init(gamma);
    fmpz_init(den);
    fmpz_init(t);
    fmpz_one(L);
    for (s = 0; s < N; s++)
        fmpz_lcm(L, L, fmpq_denref(fmpq_mat_entry(m->lambda_re, s, 0)));
    w = _fmpz_vec_init(N);
    for (s = 0; s < N; s++) {   /* w_s = num_s (L / den_s) */
        const fmpq *x = fmpq_mat_entry(m->lambda_re, s, 0);
        fmpz_divexact(t, L, fmpq_denref(x));
        fmpz_mul(w + s, fmpq_numref(x), t);
    }
    fmpz_mat_init(Bn, N, d);
    fmpz_mat_init(Cn, p, N);
    fmpz_mat_init(P, p, d);
    ssmh_spmat_get_fmpz_mat_matwise(Bn, beta, m->B);
    ssmh_spmat_get_fmpz_mat_matwise(Cn, gamma, m->C);
    fmpz_mul(den, gamma, beta);                /* gamma beta L^j, j = current power */
    for (l = 0; l < count; l++) {
        fmpq_mat_clear(K + l);
        fmpq_mat_init(K + l, p, d);
        if (delayed && l == 0) {
            fmpq_mat_set(K + l, m->D);
            continue;
        }
        fmpz_mat_mul(P, Cn, Bn);
        fmpq_mat_set_fmpz_mat_div_fmpz(K + l, P, den);
        if (l == 0)
            fmpq_mat_add(K + l, K + l, m->D);
        if (l + 1 < count) {                   /* Bn <- diag(w) Bn, den <- den L */
            slong bits = 0;
            for (s = 0; s < N; s++)
                for (j = 0; j < d; j++) {
                    fmpz_mul(fmpz_mat_entry(Bn, s, j), fmpz_mat_entry(Bn, s, j), w + s);
                    bits = FLINT_MAX(bits, (slong)fmpz_bits(fmpz_mat_entry(Bn, s, j)));
                }
            fmpz_mul(den, den, L);
            if (cap && bits + (slong)fmpz_bits(den) > cap) {
                rc = size_limit(K, l + 1, count, cap, err);
                break;
            }
        }
    }
    fmpz_mat_clear(Bn);
    fmpz_mat_clear(Cn);
    fmpz_mat_clear(P);
    _fmpz_vec_clear(w, N);
    fmpz_clear(L);
    fmpz_clear(beta);
    fmpz_clear(gamma);
    fmpz_clear(den);
    fmpz_clear(t);
    return rc;
}

/* The nonzero rows of each column of C: rows[start[s] .. start[s + 1]). */
typedef struct {
    slong *start, *rows;
} column_pattern_t;

static void column_pattern_init(column_pattern_t *cp, const fmpq_mat_t C)
{
    slong p = fmpq_mat_nrows(C), M = fmpq_mat_ncols(C), i, s, n = 0;
    cp->start = flint_malloc(sizeof(slong) * (size_t)(M + 1));
    for (s = 0; s < M; s++)
        for (i = 0; i < p; i++)
            n += !fmpq_is_zero(fmpq_mat_entry(C, i, s));
    cp->rows = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(n, 1));
    for (s = 0, n = 0; s < M; s++) {
        cp->start[s] = n;
        for (i = 0; i < p; i++)
            if (!fmpq_is_zero(fmpq_mat_entry(C, i, s)))
                cp->rows[n++] = i;
    }
    cp->start[M] = n;
}

static void column_pattern_clear(column_pattern_t *cp)
{
    flint_free(cp->start);
    flint_free(cp->rows);
}

/* K = C X summed over the nonzero pairs C[i][s] X[s][j], when that is less
   than 1/64 of the dense product's work (FLINT's multimodular product is
   much faster per term); returns 0, K untouched, otherwise. */
static int sparse_product(fmpq_mat_t K, const fmpq_mat_t C, const column_pattern_t *cp,
                          const fmpq_mat_t X)
{
    slong p = fmpq_mat_nrows(C), M = fmpq_mat_ncols(C), d = fmpq_mat_ncols(X), s, a, j;
    slong *cols = flint_malloc(sizeof(slong) * (size_t)FLINT_MAX(d, 1)), nc;
    double work = 0;
    for (s = 0; s < M; s++) {
        for (j = 0, nc = 0; j < d; j++)
            nc += !fmpq_is_zero(fmpq_mat_entry(X, s, j));
        work += (double)nc * (double)(cp->start[s + 1] - cp->start[s]);
    }
    if (work * 64.0 > (double)p * (double)d * (double)M) {
        flint_free(cols);
        return 0;
    }
    fmpq_mat_zero(K);
    for (s = 0; s < M; s++) {
        if (cp->start[s + 1] == cp->start[s])
            continue;
        for (j = 0, nc = 0; j < d; j++)
            if (!fmpq_is_zero(fmpq_mat_entry(X, s, j)))
                cols[nc++] = j;
        for (a = cp->start[s]; a < cp->start[s + 1]; a++)
            for (j = 0; j < nc; j++)
                fmpq_addmul(fmpq_mat_entry(K, cp->rows[a], cols[j]),
                            fmpq_mat_entry(C, cp->rows[a], s), fmpq_mat_entry(X, s, cols[j]));
    }
    flint_free(cols);
    return 1;
}

int ssmh_lags_limited(fmpq_mat_struct *K, const ssmh_model_t m, slong count,
                      const ssmh_limits_t *lim, ssmh_error_t *err)
{
    column_pattern_t cp;
    _ssmh_real_t r;
    fmpq_mat_t X, Y;
    slong l, cap = lim && lim->max_bits > 0 ? lim->max_bits : 0;
    int rc = SSMH_OK;

    if (count <= 0)
        return SSMH_OK;
    if (m->structure == SSMH_STRUCTURE_DIAG)
        return lags_diag(K, m, count, cap, err);
    _ssmh_real_init(&r, m, 1);
    column_pattern_init(&cp, r.C);
    fmpq_mat_init(X, r.M, r.d);
    fmpq_mat_init(Y, r.M, r.d);
    fmpq_mat_set(X, r.B);
    for (l = 0; l < count; l++) {
        ssmh_progress_step(lim, "exact lag operators K_l", (double)l, (double)count);
        fmpq_mat_clear(K + l);
        fmpq_mat_init(K + l, r.p, r.d);
        if (r.delayed && l == 0) {
            fmpq_mat_set(K + l, r.D);
            continue;
        }
        if (!sparse_product(K + l, r.C, &cp, X))
            fmpq_mat_mul(K + l, r.C, X);
        if (l == 0)
            fmpq_mat_add(K + l, K + l, r.D);
        if (l + 1 < count) {
            _ssmh_real_apply(Y, &r, X);
            fmpq_mat_swap(X, Y);
            if (cap && max_bits(X) > cap) {   /* the exact powers grow with the lag */
                rc = size_limit(K, l + 1, count, cap, err);
                break;
            }
        }
    }
    fmpq_mat_clear(X);
    fmpq_mat_clear(Y);
    column_pattern_clear(&cp);
    _ssmh_real_clear(&r);
    return rc;
}
