/* Check suite for the attention module: span and represent. */
#include <string.h>
#include <ssmheads.h>
#include "check_util.h"
#include "../checker/ssmhc.h"

static void rand_mat(fmpq_mat_t m, flint_rand_t st)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(m); i++)
        for (j = 0; j < fmpq_mat_ncols(m); j++)
            if (n_randint(st, 3))
                fmpq_set_si(fmpq_mat_entry(m, i, j), (slong)n_randint(st, 9) - 4,
                            1 + n_randint(st, 3));
            else
                fmpq_zero(fmpq_mat_entry(m, i, j));
}

static void rand_model(ssmh_model_t m, flint_rand_t st)
{
    slong N = 1 + n_randint(st, 4), p = 1 + n_randint(st, 3), d = 1 + n_randint(st, 3);
    fmpq_mat_t A, B, C;
    fmpq_mat_init(A, N, N);
    fmpq_mat_init(B, N, d);
    fmpq_mat_init(C, p, N);
    rand_mat(A, st);
    rand_mat(B, st);
    rand_mat(C, st);
    ssmh_model_set_dense(m, SSMH_CONVENTION_DIRECT, A, B, C, NULL);
    fmpq_mat_clear(A);
    fmpq_mat_clear(B);
    fmpq_mat_clear(C);
}

/* A layer of H value maps copied from mats (count H). */
static void layer_from(ssmh_attention_t a, const fmpq_mat_struct *mats, slong H)
{
    slong h;
    ssmh_attention_clear(a);
    a->H = H;
    a->p = fmpq_mat_nrows(mats);
    a->d = fmpq_mat_ncols(mats);
    a->V = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)H);
    a->W_V = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)H);
    a->W_O = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)H);
    for (h = 0; h < H; h++) {
        fmpq_mat_init(a->V + h, a->p, a->d);
        fmpq_mat_set(a->V + h, mats + h);
        fmpq_mat_init(a->W_V + h, 0, 0);
        fmpq_mat_init(a->W_O + h, 0, 0);
    }
}

static void verify_cert(const ssmh_represent_t r, const ssmh_attention_t a, const ssmh_model_t m)
{
    json_t *cert = ssmh_represent_certificate(r, a, m);
    ssmhc_report_t rep;
    memset(&rep, 0, sizeof(rep));
    ck_assert_msg(ssmhc_verify_json(cert, NULL, &rep) == SSMHC_VERIFIED, "%s", rep.step);
    json_decref(cert);
}

/* The construction's own value maps represent the SSM; dropping the last
   one does not (the witness is the dropped pivot lag); a layer of the
   values plus a repeated head has a redundant head with coefficient 1. */
START_TEST(test_represent_construction)
{
    flint_rand_t st;
    long it, n = 100 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 21);
    for (it = 0; it < n; it++) {
        ssmh_model_t m;
        ssmh_construction_t c;
        ssmh_attention_t a;
        ssmh_represent_t r;
        ssmh_span_t s;
        slong len = 1 + n_randint(st, 6);
        ssmh_model_init(m);
        rand_model(m, st);
        ssmh_construction_init(c);
        ck_assert_int_eq(ssmh_construct(c, m, len, NULL, NULL), SSMH_OK);
        if (c->k == 0) {
            ssmh_construction_clear(c);
            ssmh_model_clear(m);
            continue;
        }
        ssmh_attention_init(a);
        ssmh_represent_init(r);
        layer_from(a, c->values, c->k);
        ck_assert_int_eq(ssmh_represent_compute(r, a, m, len, NULL, NULL), SSMH_OK);
        ck_assert_int_eq(r->verdict, SSMH_REPRESENT_YES);
        ck_assert_int_eq(r->dim, c->k);
        ck_assert_int_eq(r->extra_heads, 0);
        verify_cert(r, a, m);
        /* drop the last pivot head */
        layer_from(a, c->values, c->k - 1 > 0 ? c->k - 1 : 1);
        if (c->k > 1) {
            ck_assert_int_eq(ssmh_represent_compute(r, a, m, len, NULL, NULL), SSMH_OK);
            ck_assert_int_eq(r->verdict, SSMH_REPRESENT_NO);
            ck_assert_int_eq(r->witness_lag, c->pivot_lags[c->k - 1]);
            ck_assert_int_eq(r->extra_heads, 1);
            verify_cert(r, a, m);
        }
        /* a repeated head is redundant with coefficient 1 */
        {
            fmpq_mat_struct *mats = flint_malloc(sizeof(fmpq_mat_struct) * (size_t)(c->k + 1));
            slong h;
            for (h = 0; h < c->k; h++)
                mats[h] = c->values[h];
            mats[c->k] = c->values[0];
            layer_from(a, mats, c->k + 1);
            flint_free(mats);
        }
        ssmh_span_init(s);
        ck_assert_int_eq(ssmh_span_compute(s, a, NULL), SSMH_OK);
        ck_assert_int_eq(s->dim, c->k);
        ck_assert_int_eq(s->nred, 1);
        ck_assert_int_eq(s->redundant[0], c->k);
        ck_assert(fmpq_is_one(s->combo + 0));
        ssmh_span_clear(s);
        ssmh_represent_clear(r);
        ssmh_attention_clear(a);
        ssmh_construction_clear(c);
        ssmh_model_clear(m);
    }
    flint_randclear(st);
}
END_TEST

START_TEST(test_represent_shape_mismatch)
{
    ssmh_model_t m;
    ssmh_attention_t a;
    ssmh_represent_t r;
    ssmh_error_t err;
    fmpq_mat_t V;
    flint_rand_t st;
    flint_randinit(st);
    ssmh_model_init(m);
    rand_model(m, st);
    fmpq_mat_init(V, m->p + 1, m->d);
    ssmh_attention_init(a);
    layer_from(a, V, 1);
    ssmh_represent_init(r);
    ssmh_error_clear(&err);
    ck_assert_int_eq(ssmh_represent_compute(r, a, m, 3, NULL, &err), SSMH_E_SHAPE);
    ck_assert_int_eq(r->verdict, SSMH_REPRESENT_UNKNOWN);
    ssmh_represent_clear(r);
    ssmh_attention_clear(a);
    fmpq_mat_clear(V);
    ssmh_model_clear(m);
    flint_randclear(st);
}
END_TEST

static Suite *suite_attention(void)
{
    Suite *s = suite_create("attention");
    TCase *tc = tcase_create("attention");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_represent_construction);
    tcase_add_test(tc, test_represent_shape_mismatch);
    suite_add_tcase(s, tc);
    return s;
}

SSMH_CHECK_MAIN(suite_attention)
