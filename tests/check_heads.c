/* Check suite for the heads module: lags, interaction rank, construction. */
#include <string.h>
#include <ssmheads.h>
#include "check_util.h"
#include "../checker/ssmhc-impl.h"
#include "../lib/heads/heads-impl.h"

static void rand_q(fmpq_t x, flint_rand_t st, int zero_pct)
{
    if ((slong)n_randint(st, 100) < zero_pct)
        fmpq_zero(x);
    else
        fmpq_set_si(x, (slong)n_randint(st, 9) - 4, 1 + n_randint(st, 4));
}

static void rand_mat(fmpq_mat_t m, flint_rand_t st, int zero_pct)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(m); i++)
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            rand_q(fmpq_mat_entry(m, i, j), st, zero_pct);
}

/* The same, into a sparse model matrix of r x c. */
static void rand_spmat(ssmh_spmat_t S, slong r, slong c, flint_rand_t st, int zero_pct)
{
    fmpq_mat_t X;
    fmpq_mat_init(X, r, c);
    rand_mat(X, st, zero_pct);
    ssmh_spmat_set_fmpq_mat(S, X);
    fmpq_mat_clear(X);
}

/* A random structured (diag or complex-diag) model with repeated modes,
   N < 1 + maxN, d and p in [lo, lo + span). */
static void rand_structured_sized(ssmh_model_t m, flint_rand_t st, slong maxN, slong lo, slong span)
{
    slong N = 1 + n_randint(st, maxN), d = lo + n_randint(st, span), p = lo + n_randint(st, span), s;
    int cplx = n_randint(st, 2);
    fmpq_t pool[4];
    ssmh_model_clear(m);
    ssmh_model_init(m);
    m->convention = n_randint(st, 2) ? SSMH_CONVENTION_DIRECT : SSMH_CONVENTION_DELAYED;
    m->structure = cplx ? SSMH_STRUCTURE_COMPLEX_DIAG : SSMH_STRUCTURE_DIAG;
    m->output = cplx ? SSMH_OUTPUT_2RE : SSMH_OUTPUT_REAL;
    m->N = N;
    m->d = d;
    m->p = p;
    for (s = 0; s < 4; s++) {
        fmpq_init(pool[s]);
        rand_q(pool[s], st, 20);
    }
    fmpq_mat_clear(m->lambda_re);
    fmpq_mat_init(m->lambda_re, N, 1);
    for (s = 0; s < N; s++)
        fmpq_set(fmpq_mat_entry(m->lambda_re, s, 0), pool[n_randint(st, 2)]);
    rand_spmat(m->B, N, d, st, 40);
    rand_spmat(m->C, p, N, st, 40);
    fmpq_mat_clear(m->D);
    fmpq_mat_init(m->D, p, d);
    if (n_randint(st, 2)) {
        rand_mat(m->D, st, 60);
        m->has_D = 1;
    }
    if (cplx) {
        fmpq_mat_clear(m->lambda_im);
        fmpq_mat_init(m->lambda_im, N, 1);
        for (s = 0; s < N; s++)
            fmpq_set(fmpq_mat_entry(m->lambda_im, s, 0), pool[2 + n_randint(st, 2)]);
        rand_spmat(m->B_im, N, d, st, 40);
        rand_spmat(m->C_im, p, N, st, 40);
    }
    for (s = 0; s < 4; s++)
        fmpq_clear(pool[s]);
}

static void rand_structured(ssmh_model_t m, flint_rand_t st)
{
    rand_structured_sized(m, st, 4, 1, 3);
}

/* A random dense model with N in [1, maxN] and p, d in [lo, lo + span). */
static void rand_dense_sized(ssmh_model_t m, flint_rand_t st, slong maxN, slong lo, slong span)
{
    slong N = 1 + n_randint(st, maxN), d = lo + n_randint(st, span), p = lo + n_randint(st, span);
    fmpq_mat_t A, B, C, D;
    fmpq_mat_init(A, N, N);
    fmpq_mat_init(B, N, d);
    fmpq_mat_init(C, p, N);
    fmpq_mat_init(D, p, d);
    rand_mat(A, st, 50);
    rand_mat(B, st, 40);
    rand_mat(C, st, 40);
    rand_mat(D, st, 70);
    ssmh_model_set_dense(m, n_randint(st, 2) ? SSMH_CONVENTION_DIRECT : SSMH_CONVENTION_DELAYED,
                         A, B, C, n_randint(st, 2) ? D : NULL);
    fmpq_mat_clear(A);
    fmpq_mat_clear(B);
    fmpq_mat_clear(C);
    fmpq_mat_clear(D);
}

static void rand_dense(ssmh_model_t m, flint_rand_t st)
{
    rand_dense_sized(m, st, 4, 1, 3);
}

/* h against exact ranks (fmpz_mat_rank of the first j exact lags, j up to
   M + 2 where M bounds the realified state dimension): the profile, k_inf
   and the pivot lags. */
static void check_exact_profile(const ssmh_heads_t h, const ssmh_model_t m, const char *what,
                                long it)
{
    slong M = m->structure == SSMH_STRUCTURE_COMPLEX_DIAG ? 2 * m->N : m->N, L = M + 2, j, l, e;
    slong pd = m->p * m->d, prev = 0, npiv = 0;
    fmpq_mat_struct *K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)L);
    for (l = 0; l < L; l++)
        fmpq_mat_init(K + l, 0, 0);
    ck_assert_int_eq(ssmh_lags(K, m, L, NULL), SSMH_OK);
    for (j = 1; j <= L; j++) {
        fmpq_mat_t R;
        slong rk;
        fmpq_mat_init(R, j, pd);
        for (l = 0; l < j; l++)
            for (e = 0; e < pd; e++)
                fmpq_set(fmpq_mat_entry(R, l, e), fmpq_mat_entry(K + l, e / m->d, e % m->d));
        {   /* rows scaled to integers: the same rank */
            fmpz_mat_t Ri;
            fmpz_mat_init(Ri, j, pd);
            fmpq_mat_get_fmpz_mat_rowwise(Ri, NULL, R);
            rk = fmpz_mat_rank(Ri);
            fmpz_mat_clear(Ri);
        }
        fmpq_mat_clear(R);
        ck_assert_msg(rk == ssmh_heads_k_at(h, j), "seed %lu %s it %ld: k(%ld) = %ld exactly, %ld computed",
                      ssmh_test_seed(), what, it, (long)j, (long)rk, (long)ssmh_heads_k_at(h, j));
        if (rk > prev) {
            ck_assert_int_lt(npiv, h->r);
            ck_assert_int_eq(h->pivot_lags[npiv], j - 1);
            npiv++;
        }
        prev = rk;
    }
    ck_assert_int_eq(npiv, h->r);
    ck_assert_int_eq(h->k_inf, prev);
    for (l = 0; l < L; l++)
        fmpq_mat_clear(K + l);
    flint_free(K);
}

/* Supports much larger than the number of lags that count (p d > N + 17):
   the pivot search runs first on a few random columns (dense) or positions
   (structured) and falls back to the whole support when the lags are not
   all independent there (frequent here: sparse random data).  Exact ranks
   decide, and every certificate passes the checker. */
START_TEST(test_heads_restricted)
{
    flint_rand_t st;
    long it, n = 60 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 16);
    for (it = 0; it < n; it++) {
        ssmh_model_t m;
        ssmh_heads_t h;
        json_t *cert;
        ssmhc_report_t rep;
        ssmh_model_init(m);
        if (n_randint(st, 2))
            rand_dense_sized(m, st, 6, 6, 5);
        else
            rand_structured_sized(m, st, 3, 6, 5);
        ssmh_heads_init(h);
        ck_assert_int_eq(ssmh_heads_compute(h, m, 0, NULL, NULL), SSMH_OK);
        check_exact_profile(h, m, "restricted", it);
        cert = ssmh_heads_certificate(h, m);
        memset(&rep, 0, sizeof(rep));
        ck_assert_msg(ssmhc_verify_json(cert, NULL, &rep) == SSMHC_VERIFIED,
                      "seed %lu it %ld: %s", ssmh_test_seed(), it, rep.step);
        json_decref(cert);
        ssmh_heads_clear(h);
        ssmh_model_clear(m);
    }
    flint_randclear(st);
}
END_TEST

START_TEST(test_lags_structured_vs_dense)
{
    flint_rand_t st;
    long it, n = 200 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 11);
    for (it = 0; it < n; it++) {
        ssmh_model_t m, r;
        fmpq_mat_struct K1[6], K2[6];
        slong l;
        ssmh_model_init(m);
        ssmh_model_init(r);
        rand_structured(m, st);
        ssmh_model_realify(r, m);
        r->convention = m->convention;
        for (l = 0; l < 6; l++) {
            fmpq_mat_init(K1 + l, 0, 0);
            fmpq_mat_init(K2 + l, 0, 0);
        }
        ck_assert_int_eq(ssmh_lags(K1, m, 6, NULL), SSMH_OK);
        ck_assert_int_eq(ssmh_lags(K2, r, 6, NULL), SSMH_OK);
        for (l = 0; l < 6; l++) {
            ck_assert_msg(fmpq_mat_equal(K1 + l, K2 + l), "seed %lu it %ld lag %ld",
                          ssmh_test_seed(), it, (long)l);
            fmpq_mat_clear(K1 + l);
            fmpq_mat_clear(K2 + l);
        }
        ssmh_model_clear(m);
        ssmh_model_clear(r);
    }
    flint_randclear(st);
}
END_TEST

/* `count` random structured models (N < 1 + maxN, p and d in [lo, lo + span))
   against their realified dense form: the same k, k_inf, n*, profile and
   pivot lags, and the structured path's certificate passes the checker. */
static void structured_vs_dense(ulong stream, long count, slong maxN, slong lo, slong span,
                                slong maxlen)
{
    flint_rand_t st;
    long it;
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), stream);
    for (it = 0; it < count; it++) {
        ssmh_model_t m, r;
        ssmh_heads_t h1, h2;
        slong len = 1 + n_randint(st, maxlen), j;
        json_t *cert;
        ssmhc_report_t rep;
        ssmh_model_init(m);
        ssmh_model_init(r);
        rand_structured_sized(m, st, maxN, lo, span);
        ssmh_model_realify(r, m);
        r->convention = m->convention;
        ssmh_heads_init(h1);
        ssmh_heads_init(h2);
        ck_assert_int_eq(ssmh_heads_compute(h1, m, len, NULL, NULL), SSMH_OK);
        ck_assert_int_eq(ssmh_heads_compute(h2, r, len, NULL, NULL), SSMH_OK);
        ck_assert_msg(h1->k == h2->k && h1->k_inf == h2->k_inf && h1->n_star == h2->n_star,
                      "seed %lu it %ld: structured k=%ld k_inf=%ld n*=%ld, dense k=%ld k_inf=%ld n*=%ld",
                      ssmh_test_seed(), it, (long)h1->k, (long)h1->k_inf, (long)h1->n_star,
                      (long)h2->k, (long)h2->k_inf, (long)h2->n_star);
        for (j = 1; j <= h1->n_star; j++)
            ck_assert_int_eq(ssmh_heads_k_at(h1, j), ssmh_heads_k_at(h2, j));
        for (j = 0; j < h1->r; j++)
            ck_assert_int_eq(h1->pivot_lags[j], h2->pivot_lags[j]);
        cert = ssmh_heads_certificate(h1, m);
        memset(&rep, 0, sizeof(rep));
        ck_assert_msg(ssmhc_verify_json(cert, NULL, &rep) == SSMHC_VERIFIED,
                      "seed %lu it %ld: %s", ssmh_test_seed(), it, rep.step);
        json_decref(cert);
        ssmh_heads_clear(h1);
        ssmh_heads_clear(h2);
        ssmh_model_clear(m);
        ssmh_model_clear(r);
    }
    flint_randclear(st);
}

/* Small models: the lag-by-lag structured path == the dense path. */
START_TEST(test_heads_paths_agree)
{
    structured_vs_dense(12, 150 * ssmh_test_mult(), 4, 1, 3, 9);
}
END_TEST

/* Large supports take the batched pivot search (one product and one LU). */
START_TEST(test_heads_batch_agrees)
{
    structured_vs_dense(15, 40 * ssmh_test_mult(), 14, 5, 4, 30);
}
END_TEST

START_TEST(test_heads_similarity)
{
    flint_rand_t st;
    long it, n = 100 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 13);
    for (it = 0; it < n; it++) {
        ssmh_model_t m, s;
        ssmh_heads_t h1, h2;
        fmpq_mat_t T, Ti, A, B, C, tmp;
        slong N;
        ssmh_model_init(m);
        ssmh_model_init(s);
        rand_dense(m, st);
        N = m->N;
        fmpq_mat_init(T, N, N);
        fmpq_mat_init(Ti, N, N);
        do
            rand_mat(T, st, 30);
        while (!fmpq_mat_inv(Ti, T));
        fmpq_mat_init(A, N, N);
        fmpq_mat_init(B, N, m->d);
        fmpq_mat_init(C, m->p, N);
        fmpq_mat_init(tmp, N, N);
        fmpq_mat_mul(tmp, T, m->A);
        fmpq_mat_mul(A, tmp, Ti);
        {
            fmpq_mat_t Bd, Cd;   /* the model's B and C, densely */
            fmpq_mat_init(Bd, N, m->d);
            fmpq_mat_init(Cd, m->p, N);
            ssmh_spmat_get_fmpq_mat(Bd, m->B);
            ssmh_spmat_get_fmpq_mat(Cd, m->C);
            fmpq_mat_mul(B, T, Bd);
            fmpq_mat_mul(C, Cd, Ti);
            fmpq_mat_clear(Bd);
            fmpq_mat_clear(Cd);
        }
        ssmh_model_set_dense(s, m->convention, A, B, C, m->D);
        ssmh_heads_init(h1);
        ssmh_heads_init(h2);
        ck_assert_int_eq(ssmh_heads_compute(h1, m, 6, NULL, NULL), SSMH_OK);
        ck_assert_int_eq(ssmh_heads_compute(h2, s, 6, NULL, NULL), SSMH_OK);
        ck_assert_msg(h1->k == h2->k && h1->k_inf == h2->k_inf && h1->n_star == h2->n_star,
                      "seed %lu it %ld", ssmh_test_seed(), it);
        ssmh_heads_clear(h1);
        ssmh_heads_clear(h2);
        fmpq_mat_clear(T);
        fmpq_mat_clear(Ti);
        fmpq_mat_clear(A);
        fmpq_mat_clear(B);
        fmpq_mat_clear(C);
        fmpq_mat_clear(tmp);
        ssmh_model_clear(m);
        ssmh_model_clear(s);
    }
    flint_randclear(st);
}
END_TEST

/* The constructed k heads reproduce the SSM token by token on random
   exact inputs, including lengths past the kernel table (recurrence). */
START_TEST(test_construct_simulate)
{
    flint_rand_t st;
    long it, n = 120 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 14);
    for (it = 0; it < n; it++) {
        ssmh_model_t m;
        ssmh_construction_t c;
        ssmh_heads_t h;
        fmpq_mat_t x, y1, y2;
        slong len = 1 + n_randint(st, 12);
        ssmh_model_init(m);
        if (n_randint(st, 2))
            rand_dense(m, st);
        else
            rand_structured(m, st);
        ssmh_construction_init(c);
        ck_assert_int_eq(ssmh_construct(c, m, len, NULL, NULL), SSMH_OK);
        ssmh_heads_init(h);
        ck_assert_int_eq(ssmh_heads_compute(h, m, len, NULL, NULL), SSMH_OK);
        ck_assert_int_eq(c->k, h->k);
        fmpq_mat_init(x, len, m->d);
        fmpq_mat_init(y1, len, m->p);
        fmpq_mat_init(y2, len, m->p);
        rand_mat(x, st, 10);
        ssmh_simulate_ssm(y1, m, x);
        ssmh_simulate_attention(y2, c, x);
        ck_assert_msg(fmpq_mat_equal(y1, y2), "seed %lu it %ld: attention != SSM (n=%ld, k=%ld, L=%ld)",
                      ssmh_test_seed(), it, (long)len, (long)c->k, (long)c->L);
        fmpq_mat_clear(x);
        fmpq_mat_clear(y1);
        fmpq_mat_clear(y2);
        ssmh_heads_clear(h);
        ssmh_construction_clear(c);
        ssmh_model_clear(m);
    }
    flint_randclear(st);
}
END_TEST

START_TEST(test_heads_known)
{
    /* nilpotent shift N = 4, B = e_1, C with zero middle columns:
       k(1..4) = 1 1 1 2 (the span stalls, then grows). */
    const char *js = "{\"format\":\"ssmheads-model/1\",\"A\":[[0,0,0,0],[1,0,0,0],[0,1,0,0],[0,0,1,0]],"
                     "\"B\":[[1],[0],[0],[0]],\"C\":[[1,0,0,0],[0,0,0,1]]}";
    ssmh_model_t m;
    ssmh_heads_t h;
    ssmh_construction_t c;
    ssmh_model_init(m);
    ck_assert_int_eq(ssmh_model_read_string(m, js, strlen(js), "t", NULL, NULL), SSMH_OK);
    ssmh_heads_init(h);
    ck_assert_int_eq(ssmh_heads_compute(h, m, 3, NULL, NULL), SSMH_OK);
    ck_assert_int_eq(h->k, 1);
    ck_assert_int_eq(h->k_inf, 2);
    ck_assert_int_eq(h->n_star, 4);
    ck_assert_int_eq(ssmh_heads_k_at(h, 2), 1);
    ck_assert_int_eq(ssmh_heads_k_at(h, 4), 2);
    ssmh_heads_clear(h);
    ssmh_construction_init(c);
    ck_assert_int_eq(ssmh_construct(c, m, 0, NULL, NULL), SSMH_E_USAGE);
    ssmh_construction_clear(c);
    ssmh_model_clear(m);
}
END_TEST

/* A naive elimination without pivoting mod P (a third implementation):
   the 1-based index of the first zero leading minor, or 0. */
static long naive_first_zero_minor(const ulong *X0, long r, ulong P)
{
    long i, j, k, res = 0;
    ulong *X = flint_malloc(sizeof(ulong) * (size_t)(r * r));
    nmod_t mod;
    nmod_init(&mod, P);
    memcpy(X, X0, sizeof(ulong) * (size_t)(r * r));
    for (k = 0; k < r && res == 0; k++) {
        ulong inv;
        if (X[k * r + k] == 0) {
            res = k + 1;
            break;
        }
        inv = n_invmod(X[k * r + k], P);
        for (i = k + 1; i < r; i++) {
            ulong f = nmod_mul(X[i * r + k], inv, mod);
            for (j = k; j < r; j++)
                X[i * r + j] = nmod_sub(X[i * r + j], nmod_mul(f, X[k * r + j], mod), mod);
        }
    }
    flint_free(X);
    return res;
}

/* Row k's leading k+1 entries a combination of the earlier rows': the
   (k+1)-th leading minor is zero. */
static void plant_zero_minor(ulong *X, long r, long k, ulong P, flint_rand_t st)
{
    long i, j;
    nmod_t mod;
    nmod_init(&mod, P);
    for (j = 0; j <= k; j++)
        X[k * r + j] = 0;
    for (i = 0; i < k; i++) {
        ulong c = n_randint(st, P);
        for (j = 0; j <= k; j++)
            X[k * r + j] = nmod_add(X[k * r + j], nmod_mul(c, X[i * r + j], mod), mod);
    }
}

/* The checker's elimination (checker/elim.c), both paths (P below 2^28 in
   32-bit residues with blocked 64-bit sums, and any P), against the naive
   one: random matrices over several panels of 256, with and without a
   planted zero leading minor. */
START_TEST(test_checker_leading_minors)
{
    static const long sizes[] = {1, 31, 32, 100, 256, 257, 530};
    flint_rand_t st;
    long si, rep;
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 17);
    for (si = 0; si < (long)(sizeof(sizes) / sizeof(sizes[0])); si++)
        for (rep = 0; rep < 4; rep++) {
            long r = sizes[si], i, want, got;
            ulong P = n_randprime(st, rep < 3 ? 28 : 62, 1);
            ulong *X = flint_malloc(sizeof(ulong) * (size_t)(r * r));
            u64 *Y = flint_malloc(sizeof(u64) * (size_t)(r * r));
            for (i = 0; i < r * r; i++)
                X[i] = n_randint(st, P);
            if (rep >= 1 && r > 1)
                plant_zero_minor(X, r, rep == 1 ? r - 1 : (long)n_randint(st, (ulong)r), P, st);
            want = naive_first_zero_minor(X, r, P);
            for (i = 0; i < r * r; i++)
                Y[i] = X[i];
            got = ssmhc_leading_minors_mod(Y, r, P);
            ck_assert_msg(got == want, "r = %ld, P = %lu: checker says %ld, naive %ld", r,
                          (unsigned long)P, got, want);
            if (P < (UWORD(1) << 28)) {   /* the 32-bit entry point, every size */
                uint32_t *A32 = flint_malloc(sizeof(uint32_t) * (size_t)FLINT_MAX(1, r * r));
                for (i = 0; i < r * r; i++)
                    A32[i] = (uint32_t)X[i];
                got = ssmhc_leading_minors_mod32(A32, r, P);
                ck_assert_msg(got == want, "r = %ld, P = %lu: 32-bit checker says %ld, naive %ld",
                              r, (unsigned long)P, got, want);
                flint_free(A32);
            }
            flint_free(X);
            flint_free(Y);
        }
    flint_randclear(st);
}
END_TEST

/* The producer's LU with row pivoting (lib/heads/lu_small.c) against
   FLINT's rank; when it succeeds, the rows it picks have nonzero leading
   minors by the checker's own elimination. */
START_TEST(test_lu_small)
{
    static const long sizes[] = {1, 7, 40, 256, 300, 520};
    flint_rand_t st;
    long si, rep;
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 29);
    for (si = 0; si < (long)(sizeof(sizes) / sizeof(sizes[0])); si++)
        for (rep = 0; rep < 4; rep++) {
            long n = sizes[si], m = n + (rep & 1) * 5, i, j, rank;
            ulong P = n_randprime(st, 28, 1);
            nmod_mat_t T;
            uint32_t *A = flint_malloc(sizeof(uint32_t) * (size_t)(m * n));
            slong *perm = flint_malloc(sizeof(slong) * (size_t)m);
            int found;
            nmod_mat_init(T, m, n, P);
            for (i = 0; i < m; i++)
                for (j = 0; j < n; j++)   /* rep 2: leading zeros force pivoting */
                    nmod_mat_entry(T, i, j) = rep == 2 && i < m / 2 && j < n / 3 ? 0 : n_randint(st, P);
            if (rep == 3 && n > 1)   /* column n-1 = column 0 + column 1: rank < n */
                for (i = 0; i < m; i++)
                    nmod_mat_entry(T, i, n - 1) = nmod_add(nmod_mat_entry(T, i, 0),
                                                           nmod_mat_entry(T, i, n > 2 ? 1 : 0), T->mod);
            for (i = 0; i < m; i++)
                for (j = 0; j < n; j++)
                    A[i * n + j] = (uint32_t)nmod_mat_entry(T, i, j);
            found = _ssmh_lu_small(perm, A, m, n, P);
            rank = nmod_mat_rank(T);
            ck_assert_msg(found == (rank == n), "m = %ld, n = %ld: found %d, rank %ld", m, n, found, rank);
            if (found) {
                u64 *Y = flint_malloc(sizeof(u64) * (size_t)(n * n));
                for (i = 0; i < n; i++)
                    for (j = 0; j < n; j++)
                        Y[i * n + j] = nmod_mat_entry(T, perm[i], j);
                ck_assert_int_eq(ssmhc_leading_minors_mod(Y, n, P), 0);
                flint_free(Y);
            }
            nmod_mat_clear(T);
            flint_free(A);
            flint_free(perm);
        }
    flint_randclear(st);
}
END_TEST

static Suite *suite_heads(void)
{
    Suite *s = suite_create("heads");
    TCase *tc = tcase_create("heads");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_heads_known);
    tcase_add_test(tc, test_lags_structured_vs_dense);
    tcase_add_test(tc, test_heads_paths_agree);
    tcase_add_test(tc, test_heads_batch_agrees);
    tcase_add_test(tc, test_heads_restricted);
    tcase_add_test(tc, test_heads_similarity);
    tcase_add_test(tc, test_construct_simulate);
    tcase_add_test(tc, test_checker_leading_minors);
    tcase_add_test(tc, test_lu_small);
    suite_add_tcase(s, tc);
    return s;
}

SSMH_CHECK_MAIN(suite_heads)
