/* Check suite for the gradient helpers: exact semidefiniteness (the rounded
   factor and the fraction-free elimination behind it) and the structured
   lag norms (the producer's and the checker's), against independent exact
   computations. */
#include <string.h>
#include <ssmheads.h>
#include "../lib/ssmheads-impl.h"
#include "check_util.h"
#include "../checker/ssmhc-impl.h"

static void rand_small(fmpq_mat_t X, flint_rand_t st)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(X); i++)
        for (j = 0; j < fmpq_mat_ncols(X); j++)
            fmpq_set_si(fmpq_mat_entry(X, i, j), (slong)n_randint(st, 17) - 8, 1 + n_randint(st, 8));
}

/* X X^T */
static void gram(fmpq_mat_t S, const fmpq_mat_t X)
{
    fmpq_mat_t Xt;
    fmpq_mat_init(Xt, fmpq_mat_ncols(X), fmpq_mat_nrows(X));
    fmpq_mat_transpose(Xt, X);
    fmpq_mat_mul(S, X, Xt);
    fmpq_mat_clear(Xt);
}

/* PD by Sylvester: every leading principal minor > 0 (FLINT's exact det). */
static int pd_sylvester(const fmpq_mat_t S)
{
    slong n = fmpq_mat_nrows(S), k, i, j;
    int ok = 1;
    for (k = 1; k <= n && ok; k++) {
        fmpq_mat_t L;
        fmpq_t d;
        fmpq_mat_init(L, k, k);
        fmpq_init(d);
        for (i = 0; i < k; i++)
            for (j = 0; j < k; j++)
                fmpq_set(fmpq_mat_entry(L, i, j), fmpq_mat_entry(S, i, j));
        fmpq_mat_det(d, L);
        ok = fmpq_sgn(d) > 0;
        fmpq_clear(d);
        fmpq_mat_clear(L);
    }
    return ok;
}

/* S as the checker's matrix (initialised by the call). */
static void to_qmat(ssmhc_qmat *out, const fmpq_mat_t S)
{
    slong i, j;
    ssmhc_qmat_init(out, fmpq_mat_nrows(S), fmpq_mat_ncols(S));
    for (i = 0; i < fmpq_mat_nrows(S); i++)
        for (j = 0; j < fmpq_mat_ncols(S); j++)
            fmpq_get_mpq(SSMHC_Q(out, i, j), fmpq_mat_entry(S, i, j));
}

/* The checker's factor test on S: never contradicts `truth` (1 PSD/PD as
   asked, 0 not); returns its answer. */
static int checker_factor(const fmpq_mat_t S, int strict, int truth)
{
    ssmhc_qmat Q;
    int f;
    to_qmat(&Q, S);
    f = ssmhc_psd_factor(&Q, strict);
    ck_assert_msg(f < 0 || f == truth, "checker factor says %d, truth %d", f, truth);
    ck_assert_int_eq(ssmhc_qmat_psd(&Q, strict), truth);
    ssmhc_qmat_clear(&Q);
    return f;
}

/* Definite, indefinite and singular semidefinite matrices of sizes where
   the rounded factor is tried: its answer, when it gives one, is the exact
   one, and it settles most definite and indefinite cases. */
START_TEST(test_psd_factor)
{
    flint_rand_t st;
    long it, n_it = 12 * ssmh_test_mult(), settled_pd = 0, settled_ind = 0, settled_c = 0;
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 21);
    for (it = 0; it < n_it; it++) {
        slong n = 24 + n_randint(st, 12), i;
        fmpq_mat_t X, Y, S, v, T;
        fmpq_t c;
        int f;
        fmpq_mat_init(X, n, n);
        fmpq_mat_init(Y, n, n - 3);
        fmpq_mat_init(S, n, n);
        fmpq_mat_init(T, n, n);
        fmpq_mat_init(v, n, 1);
        fmpq_init(c);
        rand_small(X, st);
        rand_small(Y, st);
        rand_small(v, st);
        /* definite: X X^T + I/8 */
        gram(S, X);
        fmpq_set_si(c, 1, 8);
        for (i = 0; i < n; i++)
            fmpq_add(fmpq_mat_entry(S, i, i), fmpq_mat_entry(S, i, i), c);
        ck_assert(pd_sylvester(S));
        f = _ssmh_psd_by_factor(S, 1);
        ck_assert_msg(f != 0, "seed %lu it %ld: a definite matrix refuted", ssmh_test_seed(), it);
        settled_pd += f == 1;
        ck_assert(_ssmh_is_psd(S, 1) == 1);
        settled_c += checker_factor(S, 1, 1) == 1;
        /* indefinite: X X^T - c v v^T with c large */
        gram(T, v);
        fmpq_set_si(c, 1000, 1);
        fmpq_mat_scalar_mul_fmpq(T, T, c);
        fmpq_mat_sub(S, S, T);
        f = _ssmh_psd_by_factor(S, 0);
        ck_assert_msg(f != 1 || pd_sylvester(S), "seed %lu it %ld: an indefinite matrix accepted",
                      ssmh_test_seed(), it);
        if (!pd_sylvester(S)) {
            settled_ind += f == 0;
            /* semidefinite but not definite would need a zero minor: the
               exact elimination decides */
            ck_assert_int_eq(_ssmh_is_psd(S, 1), 0);
            ck_assert_int_eq(_ssmh_is_psd(S, 0), 0);   /* it has a negative direction */
            settled_c += checker_factor(S, 0, 0) == 0;
        }
        /* singular semidefinite: Y Y^T (rank n - 3) */
        fmpq_mat_clear(T);
        fmpq_mat_init(T, n, n);
        gram(T, Y);
        ck_assert_msg(_ssmh_psd_by_factor(T, 0) != 0, "seed %lu it %ld: a PSD matrix refuted",
                      ssmh_test_seed(), it);
        ck_assert_int_eq(_ssmh_is_psd(T, 0), 1);
        ck_assert_int_eq(_ssmh_is_psd(T, 1), 0);
        checker_factor(T, 0, 1);
        fmpq_mat_clear(X);
        fmpq_mat_clear(Y);
        fmpq_mat_clear(S);
        fmpq_mat_clear(T);
        fmpq_mat_clear(v);
        fmpq_clear(c);
    }
    /* the fast path must do its job, not only be sound */
    ck_assert_msg(2 * settled_pd >= n_it, "definite matrices settled by the factor: %ld of %ld",
                  settled_pd, n_it);
    ck_assert_msg(2 * settled_ind >= n_it, "indefinite matrices refuted by the factor: %ld of %ld",
                  settled_ind, n_it);
    ck_assert_msg(settled_c >= n_it, "the checker's factor settled %ld of %ld", settled_c, 2 * n_it);
    flint_randclear(st);
}
END_TEST

/* A random structured model: N modes (complex or real), p x d, zeros in B
   and C (so some lag blocks are lone entries), optional D, either
   convention, output 2re or re. */
static void rand_structured(ssmh_model_t m, flint_rand_t st)
{
    slong N = 1 + n_randint(st, 4), d = 1 + n_randint(st, 4), p = 1 + n_randint(st, 4), s, i;
    int cplx = n_randint(st, 2);
    ssmh_spmat_struct *mats[4];
    fmpq_mat_t X;
    ssmh_model_clear(m);
    ssmh_model_init(m);
    m->convention = n_randint(st, 2) ? SSMH_CONVENTION_DIRECT : SSMH_CONVENTION_DELAYED;
    m->structure = cplx ? SSMH_STRUCTURE_COMPLEX_DIAG : SSMH_STRUCTURE_DIAG;
    m->output = cplx ? (n_randint(st, 3) ? SSMH_OUTPUT_2RE : SSMH_OUTPUT_RE) : SSMH_OUTPUT_REAL;
    m->N = N;
    m->d = d;
    m->p = p;
    fmpq_mat_clear(m->lambda_re);
    fmpq_mat_init(m->lambda_re, N, 1);
    fmpq_mat_clear(m->lambda_im);
    fmpq_mat_init(m->lambda_im, cplx ? N : 0, cplx ? 1 : 0);
    for (s = 0; s < N; s++) {
        fmpq_set_si(fmpq_mat_entry(m->lambda_re, s, 0), (slong)n_randint(st, 7) - 3, 4);
        if (cplx)
            fmpq_set_si(fmpq_mat_entry(m->lambda_im, s, 0), (slong)n_randint(st, 5) - 2, 4);
    }
    mats[0] = m->B;
    mats[1] = m->B_im;
    mats[2] = m->C;
    mats[3] = m->C_im;
    for (i = 0; i < 4; i++) {
        slong r = i < 2 ? N : p, c = i < 2 ? d : N, a, b;
        ssmh_spmat_clear(mats[i]);
        if (!cplx && (i == 1 || i == 3)) {
            ssmh_spmat_init(mats[i], 0, 0);
            continue;
        }
        ssmh_spmat_init(mats[i], 0, 0);
        fmpq_mat_init(X, r, c);
        for (a = 0; a < r; a++)
            for (b = 0; b < c; b++)
                if (n_randint(st, 100) < 45)
                    fmpq_set_si(fmpq_mat_entry(X, a, b), (slong)n_randint(st, 9) - 4,
                                1 + n_randint(st, 3));
        ssmh_spmat_set_fmpq_mat(mats[i], X);
        fmpq_mat_clear(X);
    }
    fmpq_mat_clear(m->D);
    fmpq_mat_init(m->D, p, d);
    if (n_randint(st, 2)) {
        m->has_D = 1;
        for (i = 0; i < p && i < d; i++)
            fmpq_set_si(fmpq_mat_entry(m->D, i, i), (slong)n_randint(st, 5) - 2, 1);
    }
}

/* The structured lag norms (sparse and Gram methods, forced) against the
   dense exact lags: the same exact ||K_l||_F^2, and enclosures of ||K_l||_2
   that overlap the dense one's. */
START_TEST(test_lag_norms)
{
    flint_rand_t st;
    long it, n_it = 80 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 22);
    for (it = 0; it < n_it; it++) {
        ssmh_model_t m;
        slong L = 1 + n_randint(st, 7), l, i, j, method;
        fmpq_mat_struct *K = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)L);
        fmpq *f2 = _fmpq_vec_init(L), *lo = _fmpq_vec_init(L), *hi = _fmpq_vec_init(L);
        ssmh_spectrum_t sp;
        ssmh_envelope_t env;
        int have_env;
        ssmh_model_init(m);
        rand_structured(m, st);
        for (l = 0; l < L; l++)
            fmpq_mat_init(K + l, 0, 0);
        ck_assert_int_eq(ssmh_lags(K, m, L, NULL), SSMH_OK);
        ssmh_spectrum_init(sp);
        ssmh_envelope_init(env);
        ck_assert_int_eq(ssmh_spectrum_compute(sp, m, 30, NULL), SSMH_OK);
        have_env = ssmh_envelope_compute(env, m, sp, NULL) == SSMH_OK && env->identity_P;
        for (method = 1; method <= 2; method++) {
            fmpq *a = _fmpq_vec_init(L), *b = _fmpq_vec_init(L), *c = _fmpq_vec_init(L);
            ck_assert_int_eq(_ssmh_lag_norms_by(a, b, c, m, L - 1, have_env ? env->M2 : NULL,
                                                sp->rho_hi, NULL, NULL, (int)method), 1);
            for (l = 0; l < L; l++) {
                fmpq_t f, dlo, dhi;
                fmpq_init(f);
                fmpq_init(dlo);
                fmpq_init(dhi);
                for (i = 0; i < m->p; i++)
                    for (j = 0; j < m->d; j++)
                        fmpq_addmul(f, fmpq_mat_entry(K + l, i, j), fmpq_mat_entry(K + l, i, j));
                ck_assert_msg(fmpq_equal(f, a + l), "seed %lu it %ld method %ld lag %ld: ||K||_F^2",
                              ssmh_test_seed(), it, (long)method, (long)l);
                ssmh_norm2_enclose(dlo, dhi, K + l);
                ck_assert_msg(fmpq_cmp(b + l, c + l) <= 0 && fmpq_cmp(b + l, dhi) <= 0
                                  && fmpq_cmp(dlo, c + l) <= 0,
                              "seed %lu it %ld method %ld lag %ld: enclosures do not overlap",
                              ssmh_test_seed(), it, (long)method, (long)l);
                fmpq_clear(f);
                fmpq_clear(dlo);
                fmpq_clear(dhi);
            }
            _fmpq_vec_clear(a, L);
            _fmpq_vec_clear(b, L);
            _fmpq_vec_clear(c, L);
        }
        {   /* the checker's own norms, every method, on the embedded model */
            json_t *js = ssmh_model_to_json(m);
            ssmhc_model cm;
            ssmhc_report_t rep;
            mpq_t *f = malloc(sizeof(mpq_t) * (size_t)L);
            memset(&rep, 0, sizeof(rep));
            ck_assert_int_eq(ssmhc_model_read(&cm, js, &rep), 0);
            for (l = 0; l < L; l++)
                mpq_init(f[l]);
            for (method = 1; method <= 3; method++) {
                ssmhc_lag_norms_f2_by(f, &cm, L, (int)method);
                for (l = 0; l < L; l++) {
                    fmpq_t x, y;
                    fmpq_init(x);
                    fmpq_init(y);
                    fmpq_set_mpq(y, f[l]);
                    for (i = 0; i < m->p; i++)
                        for (j = 0; j < m->d; j++)
                            fmpq_addmul(x, fmpq_mat_entry(K + l, i, j), fmpq_mat_entry(K + l, i, j));
                    ck_assert_msg(fmpq_equal(x, y), "seed %lu it %ld: checker method %ld lag %ld",
                                  ssmh_test_seed(), it, (long)method, (long)l);
                    fmpq_clear(x);
                    fmpq_clear(y);
                }
            }
            for (l = 0; l < L; l++)
                mpq_clear(f[l]);
            free(f);
            ssmhc_model_clear(&cm);
            json_decref(js);
        }
        ssmh_spectrum_clear(sp);
        ssmh_envelope_clear(env);
        for (l = 0; l < L; l++)
            fmpq_mat_clear(K + l);
        flint_free(K);
        _fmpq_vec_clear(f2, L);
        _fmpq_vec_clear(lo, L);
        _fmpq_vec_clear(hi, L);
        ssmh_model_clear(m);
    }
    flint_randclear(st);
}
END_TEST

/* The checker's exact product against FLINT's, with numerators around the
   64-bit fast path's limit (2^62) and beyond it, dense and sparse rows. */
START_TEST(test_checker_mul)
{
    flint_rand_t st;
    long it, n_it = 30 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 23);
    for (it = 0; it < n_it; it++) {
        slong r = 1 + n_randint(st, 9), k = 1 + n_randint(st, 9), c = 1 + n_randint(st, 9), i, j;
        slong bits = 2 + n_randint(st, 70);
        fmpq_mat_t A, B, P;
        ssmhc_qmat qa, qb, qp;
        fmpq_mat_init(A, r, k);
        fmpq_mat_init(B, k, c);
        fmpq_mat_init(P, r, c);
        for (i = 0; i < r; i++)
            for (j = 0; j < k; j++)
                if (n_randint(st, 5)) {
                    fmpz_randtest(fmpq_numref(fmpq_mat_entry(A, i, j)), st, bits);
                    fmpz_set_ui(fmpq_denref(fmpq_mat_entry(A, i, j)), UWORD(1) << n_randint(st, 8));
                    fmpq_canonicalise(fmpq_mat_entry(A, i, j));
                }
        for (i = 0; i < k; i++)
            for (j = 0; j < c; j++)
                if (n_randint(st, 5)) {
                    fmpz_randtest(fmpq_numref(fmpq_mat_entry(B, i, j)), st, bits);
                    fmpz_set_ui(fmpq_denref(fmpq_mat_entry(B, i, j)), 1 + n_randint(st, 7));
                    fmpq_canonicalise(fmpq_mat_entry(B, i, j));
                }
        fmpq_mat_mul(P, A, B);
        to_qmat(&qa, A);
        to_qmat(&qb, B);
        ssmhc_qmat_init(&qp, r, c);
        ssmhc_qmat_mul(&qp, &qa, &qb);
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++) {
                fmpq_t x;
                fmpq_init(x);
                fmpq_set_mpq(x, SSMHC_Q(&qp, i, j));
                ck_assert_msg(fmpq_equal(x, fmpq_mat_entry(P, i, j)), "seed %lu it %ld (%ld bits)",
                              ssmh_test_seed(), it, (long)bits);
                fmpq_clear(x);
            }
        ssmhc_qmat_clear(&qa);
        ssmhc_qmat_clear(&qb);
        ssmhc_qmat_clear(&qp);
        fmpq_mat_clear(A);
        fmpq_mat_clear(B);
        fmpq_mat_clear(P);
    }
    flint_randclear(st);
}
END_TEST

static int qmat_is(const ssmhc_qmat *q, const fmpq_mat_t X)
{
    slong i, j;
    int ok = q->rows == fmpq_mat_nrows(X) && q->cols == fmpq_mat_ncols(X);
    fmpq_t x;
    fmpq_init(x);
    for (i = 0; i < fmpq_mat_nrows(X) && ok; i++)
        for (j = 0; j < fmpq_mat_ncols(X) && ok; j++) {
            fmpq_set_mpq(x, SSMHC_Q(q, i, j));
            ok = fmpq_equal(x, fmpq_mat_entry(X, i, j));
        }
    fmpq_clear(x);
    return ok;
}

/* The checker's sparse matrices (checker/smat.c) against FLINT: read from
   both matrix forms, entries, dense copy, transpose, equality and the two
   products, at densities on both sides of the dense product's switch. */
START_TEST(test_checker_smat)
{
    flint_rand_t st;
    long it, n_it = 40 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 29);
    for (it = 0; it < n_it; it++) {
        slong r = n_randint(st, 8), k = 1 + n_randint(st, 8), c = 1 + n_randint(st, 6), i, j;
        slong pct = n_randint(st, 101);
        fmpq_mat_t A, At, X, Y, P, Q;
        ssmhc_smat sa, sb, st_;
        ssmhc_qmat qx, qy, qp, qd;
        json_t *dense, *sparse, *ent;
        fmpq_mat_init(A, r, k);
        fmpq_mat_init(At, k, r);
        fmpq_mat_init(X, k, c);
        fmpq_mat_init(Y, c, r);
        fmpq_mat_init(P, r, c);
        fmpq_mat_init(Q, c, k);
        for (i = 0; i < r; i++)
            for (j = 0; j < k; j++)
                if ((slong)n_randint(st, 100) < pct)
                    fmpq_set_si(fmpq_mat_entry(A, i, j), (slong)n_randint(st, 41) - 20, 1 + n_randint(st, 9));
        for (i = 0; i < k * c; i++)
            fmpq_set_si(fmpq_mat_entry(X, i / c, i % c), (slong)n_randint(st, 21) - 10, 1 + n_randint(st, 5));
        for (i = 0; i < c * r; i++)
            fmpq_set_si(fmpq_mat_entry(Y, i / r, i % r), (slong)n_randint(st, 21) - 10, 1 + n_randint(st, 5));
        dense = ssmh_json_matrix(A);
        sparse = json_pack("{s:I,s:I}", "rows", (json_int_t)r, "cols", (json_int_t)k);
        ent = json_array();
        for (i = 0; i < r; i++)
            for (j = 0; j < k; j++)
                if (!fmpq_is_zero(fmpq_mat_entry(A, i, j)) || n_randint(st, 10) == 0)   /* explicit zeros too */
                    json_array_append_new(ent, json_pack("[I,I,o]", (json_int_t)i, (json_int_t)j,
                                                         ssmh_json_rational(fmpq_mat_entry(A, i, j))));
        json_object_set_new(sparse, "entries", ent);
        ck_assert_int_eq(ssmhc_json_smat(&sa, sparse, r, k), 0);
        ck_assert_int_eq(ssmhc_json_smat(&sb, r > 0 ? dense : sparse, -1, k), 0);
        ck_assert(ssmhc_smat_equal(&sa, &sb));
        ssmhc_smat_clear(&sb);
        ck_assert_int_eq(ssmhc_smat_is_zero(&sa), fmpq_mat_is_zero(A));
        ck_assert_int_ne(ssmhc_json_smat(&sb, sparse, r + 1, k), 0);   /* the shape is checked */
        for (i = 0; i < r; i++)
            for (j = 0; j < k; j++) {
                fmpq_t x;
                fmpq_init(x);
                fmpq_set_mpq(x, ssmhc_smat_entry(&sa, i, j));
                ck_assert(fmpq_equal(x, fmpq_mat_entry(A, i, j)));
                fmpq_clear(x);
            }
        ck_assert_int_eq(ssmhc_smat_dense(&qd, &sa, "test"), 0);
        ck_assert(qmat_is(&qd, A));
        ssmhc_smat_transpose(&st_, &sa);
        fmpq_mat_transpose(At, A);
        ssmhc_qmat_clear(&qd);
        ck_assert_int_eq(ssmhc_smat_dense(&qd, &st_, "test"), 0);
        ck_assert(qmat_is(&qd, At));
        fmpq_mat_mul(P, A, X);   /* A X and Y A */
        fmpq_mat_mul(Q, Y, A);
        to_qmat(&qx, X);
        to_qmat(&qy, Y);
        ssmhc_qmat_init(&qp, r, c);
        ssmhc_smat_mul_qmat(&qp, &sa, &qx);
        ck_assert_msg(qmat_is(&qp, P), "seed %lu it %ld", ssmh_test_seed(), it);
        ssmhc_qmat_clear(&qp);
        ssmhc_qmat_init(&qp, c, k);
        ssmhc_qmat_mul_smat(&qp, &qy, &sa);
        ck_assert_msg(qmat_is(&qp, Q), "seed %lu it %ld", ssmh_test_seed(), it);
        ssmhc_qmat_clear(&qp);
        ssmhc_qmat_clear(&qx);
        ssmhc_qmat_clear(&qy);
        ssmhc_qmat_clear(&qd);
        ssmhc_smat_clear(&sa);
        ssmhc_smat_clear(&st_);
        json_decref(dense);
        json_decref(sparse);
        fmpq_mat_clear(A);
        fmpq_mat_clear(At);
        fmpq_mat_clear(X);
        fmpq_mat_clear(Y);
        fmpq_mat_clear(P);
        fmpq_mat_clear(Q);
    }
    flint_randclear(st);
}
END_TEST

static Suite *suite_gradient(void)
{
    Suite *s = suite_create("gradient");
    TCase *tc = tcase_create("gradient");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_psd_factor);
    tcase_add_test(tc, test_lag_norms);
    tcase_add_test(tc, test_checker_mul);
    tcase_add_test(tc, test_checker_smat);
    suite_add_tcase(s, tc);
    return s;
}

SSMH_CHECK_MAIN(suite_gradient)
