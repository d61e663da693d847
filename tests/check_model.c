/* Check suite for the foundation: exact numbers, model files, atomic I/O. */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <flint/ulong_extras.h>   /* n_randlimb: in FLINT 3 no longer reached through fmpq.h */
#include <ssmheads.h>
#include "check_util.h"

static int parse_eq(const char *s, const char *expect)
{
    fmpq_t x, y;
    int ok;
    fmpq_init(x);
    fmpq_init(y);
    ok = ssmh_rational_parse(x, s, 1000, NULL) == SSMH_OK
         && fmpq_set_str(y, expect, 10) == 0 && fmpq_equal(x, y);
    fmpq_clear(x);
    fmpq_clear(y);
    return ok;
}

static int parse_rc(const char *s)
{
    fmpq_t x;
    int rc;
    fmpq_init(x);
    rc = ssmh_rational_parse(x, s, 50, NULL);
    fmpq_clear(x);
    return rc;
}

START_TEST(test_rational_parse)
{
    ck_assert(parse_eq("-3/4", "-3/4"));
    ck_assert(parse_eq("6/8", "3/4"));
    ck_assert(parse_eq("7", "7"));
    ck_assert(parse_eq("+7", "7"));
    ck_assert(parse_eq("0.125", "1/8"));
    ck_assert(parse_eq("1e-3", "1/1000"));
    ck_assert(parse_eq("-2.5E+10", "-25000000000"));
    ck_assert(parse_eq(".5", "1/2"));
    ck_assert(parse_eq("5.", "5"));
    ck_assert(parse_eq("0x1.8p-3", "3/16"));
    ck_assert(parse_eq("-0x10", "-16"));
    ck_assert(parse_eq("00012", "12"));
    /* the Fortran exponent D (SLICOT data files): a power of ten like E */
    ck_assert(parse_eq("0.1D+05", "10000"));
    ck_assert(parse_eq("1.5d-3", "3/2000"));
    ck_assert(parse_eq("-2D0", "-2"));
    ck_assert(parse_eq("0x1d", "29"));          /* in hex, d is a digit */
    ck_assert_int_eq(parse_rc("1d"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1D+"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1.5Q3"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1d51"), SSMH_E_LIMIT);
    ck_assert_int_eq(parse_rc("1/0"), SSMH_E_VALUE);
    ck_assert_int_eq(parse_rc(""), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("-"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("abc"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1/-2"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1.5/2"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc(" 1"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1 "), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1e"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("nan"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("inf"), SSMH_E_PARSE);
    ck_assert_int_eq(parse_rc("1e999999999999999999999"), SSMH_E_LIMIT);
    ck_assert_int_eq(parse_rc("1e51"), SSMH_E_LIMIT);
    ck_assert_int_eq(parse_rc("123456789012345678901234567890123456789012345678901"), SSMH_E_LIMIT);
    /* the limit (50 here) is on the canonical p/q, not the spelling */
    ck_assert_int_eq(parse_rc("1e-49"), SSMH_OK);      /* 1/10^49: 50 digits */
    ck_assert_int_eq(parse_rc("1e-50"), SSMH_E_LIMIT); /* 51 digits */
    ck_assert_int_eq(parse_rc("0x1p-150"), SSMH_OK);   /* 2^150: 46 digits */
    ck_assert_int_eq(parse_rc("0x1p-170"), SSMH_E_LIMIT); /* 2^170: 52 digits */
    ck_assert_int_eq(parse_rc("0x1p+170"), SSMH_E_LIMIT);
}
END_TEST

START_TEST(test_rational_random_roundtrip)
{
    flint_rand_t st;
    fmpq_t x, y;
    long i, n = 500 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 7);
    fmpq_init(x);
    fmpq_init(y);
    for (i = 0; i < n; i++) {
        char *s;
        fmpq_randtest(x, st, 200);
        s = ssmh_rational_get_str(x);
        ck_assert_int_eq(ssmh_rational_parse(y, s, 1000, NULL), SSMH_OK);
        ck_assert_msg(fmpq_equal(x, y), "seed %lu iter %ld: %s", ssmh_test_seed(), i, s);
        flint_free(s);
    }
    fmpq_clear(x);
    fmpq_clear(y);
    flint_randclear(st);
}
END_TEST

static int read_str(ssmh_model_t m, const char *js, ssmh_error_t *err)
{
    ssmh_error_clear(err);
    return ssmh_model_read_string(m, js, strlen(js), "t.json", NULL, err);
}

START_TEST(test_model_read_dense)
{
    ssmh_model_t m;
    ssmh_error_t err;
    fmpq_t x;
    ssmh_model_init(m);
    fmpq_init(x);
    ck_assert_int_eq(read_str(m,
        "{\"format\":\"ssmheads-model/1\",\"convention\":\"delayed\","
        "\"A\":[[\"1/2\",\"0\"],[\"0\",\"-1/3\"]],\"B\":[[\"1\"],[1]],"
        "\"C\":[[\"1\",\"2\"]],\"D\":[[\"0.5\"]],\"length\":64,\"name\":\"x\"}", &err), SSMH_OK);
    ck_assert_int_eq(m->N, 2);
    ck_assert_int_eq(m->d, 1);
    ck_assert_int_eq(m->p, 1);
    ck_assert_int_eq(m->convention, SSMH_CONVENTION_DELAYED);
    ck_assert_int_eq(m->structure, SSMH_STRUCTURE_DENSE);
    ck_assert_int_eq(m->length, 64);
    ck_assert(m->has_D);
    fmpq_set_si(x, -1, 3);
    ck_assert(fmpq_equal(fmpq_mat_entry(m->A, 1, 1), x));
    fmpq_set_si(x, 1, 2);
    ck_assert(fmpq_equal(fmpq_mat_entry(m->D, 0, 0), x));
    ck_assert_str_eq(m->name, "x");
    fmpq_clear(x);
    ssmh_model_clear(m);
}
END_TEST

/* Each invalid input must fail with the given code and JSON path. */
static const struct {
    const char *json, *path;
    int code;
} bad[] = {
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[0.5]],\"B\":[[1]],\"C\":[[1]]}", "$.A[0][0]", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[\"1/0\"]],\"B\":[[1]],\"C\":[[1]]}", "$.A[0][0]", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[\"x\"]],\"B\":[[1]],\"C\":[[1]]}", "$.A[0][0]", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[true]],\"B\":[[1]],\"C\":[[1]]}", "$.A[0][0]", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[null]],\"B\":[[1]],\"C\":[[1]]}", "$.A[0][0]", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0]],\"B\":[[1],[1]],\"C\":[[1,1]]}", "$.A[1]", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0]],\"B\":[[1]],\"C\":[[1]]}", "$.A", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1],[1]],\"C\":[[1]]}", "$.B", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1,2]]}", "$.C", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]],\"D\":[[1,2]]}", "$.D", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[],\"B\":[],\"C\":[]}", "$.A", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[]],\"C\":[[1]]}", "$.B", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/2\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]]}", "$.format", SSMH_E_VALUE},
    {"{\"A\":[[1]],\"B\":[[1]],\"C\":[[1]]}", "$", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"convention\":\"forward\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]]}", "$.convention", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"A\":[[1]],\"B\":[[1]],\"C\":[[1]]}", "$", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]]} x", "$", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]]", "$", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]],\"Q\":1}", "$.Q", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]],\"length\":0}", "$.length", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]],\"length\":\"3\"}", "$.length", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":{\"diag\":[1,2]},\"B\":[[1]],\"C\":[[1,1]]}", "$.B", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":{\"diag\":[1],\"complex_diag\":{}},\"B\":[[1]],\"C\":[[1]]}", "$.A", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":{\"complex_diag\":{\"re\":[1],\"im\":[1,2]}},\"B\":[[1]],\"C\":[[1]]}", "$.A.complex_diag.im", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":{\"complex_diag\":{\"re\":[1],\"im\":[1]}},\"B\":{\"re\":[[1]]},\"C\":[[1]]}", "$.B", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":{\"complex_diag\":{\"re\":[1],\"im\":[1]}},\"B\":[[1]],\"C\":[[1]],\"output\":\"3re\"}", "$.output", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1]],\"B\":[[1]],\"C\":[[1]],\"output\":\"2re\"}", "$.output", SSMH_E_VALUE},
    {"[1,2]", "$", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[\"1e99999999\"]],\"B\":[[1]],\"C\":[[1]]}", "$.A[0][0]", SSMH_E_LIMIT},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[99999999999999999999999]],\"B\":[[1]],\"C\":[[1]]}", "$", SSMH_E_PARSE},
    /* the sparse matrix form */
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[1,0,1],[0,0,1]]}}", "$.B.entries[1]", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[0,0,1],[0,0,1]]}}", "$.B.entries[1]", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[2,0,1]]}}", "$.B.entries[0]", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[0,-1,1]]}}", "$.B.entries[0]", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[0,0]]}}", "$.B.entries[0]", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[0,0,0.5]]}}", "$.B.entries[0][2]", SSMH_E_PARSE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[0,0,\"1/0\"]]}}", "$.B.entries[0][2]", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":3,\"cols\":1,\"entries\":[]}}", "$.B", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":1,\"entries\":[],\"nnz\":0}}", "$.B.nnz", SSMH_E_VALUE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"entries\":[]}}", "$.B", SSMH_E_SHAPE},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":2,\"cols\":65537,\"entries\":[]}}", "$.B", SSMH_E_LIMIT},
    {"{\"format\":\"ssmheads-model/1\",\"A\":[[1,0],[0,1]],\"C\":[[1,1]],\"B\":{\"rows\":65536,\"cols\":65536,\"entries\":[]}}", "$.B", SSMH_E_LIMIT},
};

START_TEST(test_model_read_invalid)
{
    ssmh_model_t m;
    ssmh_error_t err;
    int rc;
    ssmh_model_init(m);
    rc = read_str(m, bad[_i].json, &err);
    ck_assert_msg(rc == bad[_i].code, "case %d %s: rc %d, expected %d (%s)", _i, bad[_i].json, rc,
                  bad[_i].code, err.message);
    ck_assert_str_eq(err.path, bad[_i].path);
    ck_assert_str_eq(err.file, "t.json");
    ck_assert(err.message[0] != '\0');
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_model_limits)
{
    ssmh_model_t m;
    ssmh_error_t err;
    ssmh_limits_t lim;
    const char *js = "{\"format\":\"ssmheads-model/1\",\"A\":[[1,0,0],[0,1,0],[0,0,1]],"
                     "\"B\":[[1],[1],[1]],\"C\":[[1,1,1]]}";
    ssmh_limits_default(&lim);
    lim.max_dim = 2;
    ssmh_model_init(m);
    ck_assert_int_eq(ssmh_model_read_string(m, js, strlen(js), "t.json", &lim, &err), SSMH_E_LIMIT);
    ck_assert_str_eq(err.path, "$.A");
    lim.max_dim = 3;
    ck_assert_int_eq(ssmh_model_read_string(m, js, strlen(js), "t.json", &lim, &err), SSMH_OK);
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_model_roundtrip)
{
    static const char *cases[] = {
        "{\"format\":\"ssmheads-model/1\",\"A\":[[\"1/2\",\"3\"],[\"0\",\"-1/3\"]],\"B\":[[\"1\",2],[1,\"1e-9\"]],\"C\":[[\"1\",\"2\"]],\"length\":5}",
        "{\"format\":\"ssmheads-model/1\",\"convention\":\"delayed\",\"A\":{\"diag\":[\"1/2\",\"1/2\",0]},\"B\":[[1],[2],[3]],\"C\":[[1,0,1],[0,1,1]],\"D\":[[1],[2]]}",
        "{\"format\":\"ssmheads-model/1\",\"A\":{\"complex_diag\":{\"re\":[\"3/5\"],\"im\":[\"4/5\"]}},\"B\":{\"re\":[[1,0]],\"im\":[[0,1]]},\"C\":{\"re\":[[1]],\"im\":[[\"-1/2\"]]},\"output\":\"re\"}",
        "{\"format\":\"ssmheads-model/1\",\"A\":{\"rows\":2,\"cols\":2,\"entries\":[[0,1,\"1/2\"]]},\"B\":{\"rows\":2,\"cols\":1,\"entries\":[[1,0,3]]},\"C\":[[1,1]]}",
    };
    int i;
    for (i = 0; i < 4; i++) {
        ssmh_model_t a, b;
        ssmh_error_t err;
        json_t *j;
        char *s;
        ssmh_model_init(a);
        ssmh_model_init(b);
        ck_assert_int_eq(read_str(a, cases[i], &err), SSMH_OK);
        j = ssmh_model_to_json(a);
        s = ssmh_json_dumps(j);
        json_decref(j);
        ck_assert_int_eq(read_str(b, s, &err), SSMH_OK);
        ck_assert(ssmh_model_hash(a) == ssmh_model_hash(b));
        ck_assert_int_eq(a->has_D, b->has_D);
        ck_assert_int_eq(a->length, b->length);
        free(s);
        ssmh_model_clear(a);
        ssmh_model_clear(b);
    }
}
END_TEST

/* Empty dimensions (the B and C of a McMillan degree 0 realization) read
   with their shape from the sparse form; [] has no columns. */
START_TEST(test_matrix_empty_dims)
{
    static const struct { const char *js; slong rows, cols, r, c; int code; } t[] = {
        {"{\"rows\":0,\"cols\":3,\"entries\":[]}", -1, -1, 0, 3, SSMH_OK},
        {"{\"rows\":2,\"cols\":0,\"entries\":[]}", 2, -1, 2, 0, SSMH_OK},
        {"{\"rows\":0,\"cols\":0,\"entries\":[]}", 0, 0, 0, 0, SSMH_OK},
        {"[[], []]", 2, 0, 2, 0, SSMH_OK},
        {"[]", 0, -1, 0, 0, SSMH_OK},
        {"{\"rows\":0,\"cols\":3,\"entries\":[]}", -1, 2, 0, 0, SSMH_E_SHAPE},
        {"{\"rows\":0,\"cols\":3,\"entries\":[[0,0,\"1\"]]}", -1, -1, 0, 0, SSMH_E_SHAPE},
    };
    size_t k;
    for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        fmpq_mat_t M;
        ssmh_error_t err;
        json_t *v = json_loads(t[k].js, 0, NULL);
        int rc;
        fmpq_mat_init(M, 1, 1);
        ck_assert_ptr_nonnull(v);
        rc = ssmh_json_get_matrix(M, v, t[k].rows, t[k].cols, "t.json", "$.B", NULL, &err);
        ck_assert_msg(rc == t[k].code, "case %zu: rc %d", k, rc);
        if (rc == SSMH_OK) {
            ck_assert_int_eq(fmpq_mat_nrows(M), t[k].r);
            ck_assert_int_eq(fmpq_mat_ncols(M), t[k].c);
        }
        json_decref(v);
        fmpq_mat_clear(M);
    }
}
END_TEST

/* A large, mostly zero B is written in the sparse form and reads back equal;
   the same matrices written densely read to the same model. */
START_TEST(test_model_sparse_write)
{
    ssmh_model_t a, b;
    ssmh_error_t err;
    fmpq_mat_t A, B, C;
    json_t *j;
    char *s;
    slong i;
    fmpq_mat_init(A, 64, 64);
    fmpq_mat_init(B, 64, 32);
    fmpq_mat_init(C, 32, 64);
    for (i = 0; i < 64; i++) {
        fmpq_set_si(fmpq_mat_entry(A, i, i), 1, (ulong)(i + 2));
        fmpq_set_si(fmpq_mat_entry(B, i, i % 32), (slong)i - 7, 3);
        fmpq_set_si(fmpq_mat_entry(C, (i * 5) % 32, i), 1, 1);
    }
    ssmh_model_init(a);
    ssmh_model_init(b);
    ssmh_model_set_dense(a, SSMH_CONVENTION_DIRECT, A, B, C, NULL);
    j = ssmh_model_to_json(a);
    ck_assert(json_is_object(json_object_get(j, "B")));
    ck_assert_int_eq((int)json_array_size(json_object_get(json_object_get(j, "B"), "entries")), 64 - 1);
    ck_assert(json_is_object(json_object_get(j, "A")));
    s = ssmh_json_dumps(j);
    json_decref(j);
    ck_assert_int_eq(read_str(b, s, &err), SSMH_OK);
    {
        fmpq_mat_t Bb, Cb;
        fmpq_mat_init(Bb, b->B->r, b->B->c);
        fmpq_mat_init(Cb, b->C->r, b->C->c);
        ssmh_spmat_get_fmpq_mat(Bb, b->B);
        ssmh_spmat_get_fmpq_mat(Cb, b->C);
        ck_assert(fmpq_mat_equal(b->A, A) && fmpq_mat_equal(Bb, B) && fmpq_mat_equal(Cb, C));
        ck_assert(ssmh_spmat_equal(a->B, b->B) && ssmh_spmat_equal(a->C, b->C));
        fmpq_mat_clear(Bb);
        fmpq_mat_clear(Cb);
    }
    ck_assert(ssmh_model_hash(a) == ssmh_model_hash(b));
    free(s);
    ssmh_model_clear(a);
    ssmh_model_clear(b);
    fmpq_mat_clear(A);
    fmpq_mat_clear(B);
    fmpq_mat_clear(C);
}
END_TEST

/* K_l of a real dense model by matrix powers (direct convention, l >= 1). */
static void dense_lag(fmpq_mat_t K, const ssmh_model_t m, slong l)
{
    fmpq_mat_t P, T;
    slong i;
    fmpq_mat_init(P, m->N, m->d);
    fmpq_mat_init(T, m->N, m->d);
    ssmh_spmat_get_fmpq_mat(P, m->B);
    for (i = 0; i < l; i++) {
        fmpq_mat_mul(T, m->A, P);
        fmpq_mat_swap(T, P);
    }
    {
        fmpq_mat_t C;
        fmpq_mat_init(C, m->p, m->N);
        ssmh_spmat_get_fmpq_mat(C, m->C);
        fmpq_mat_mul(K, C, P);
        fmpq_mat_clear(C);
    }
    fmpq_mat_clear(P);
    fmpq_mat_clear(T);
}

START_TEST(test_model_realify)
{
    /* One complex mode lambda = 3/5 + 4/5 i, b = 1 + 2i, c = 1/2 - i.
       2 Re(c lambda^l b) computed by hand with Gaussian rationals. */
    const char *js = "{\"format\":\"ssmheads-model/1\",\"A\":{\"complex_diag\":{\"re\":[\"3/5\"],\"im\":[\"4/5\"]}},"
                     "\"B\":{\"re\":[[1]],\"im\":[[2]]},\"C\":{\"re\":[[\"1/2\"]],\"im\":[[-1]]}}";
    ssmh_model_t m, r;
    ssmh_error_t err;
    fmpq_mat_t K;
    fmpq_t zr, zi, t, u, expect;
    slong l;
    ssmh_model_init(m);
    ssmh_model_init(r);
    ck_assert_int_eq(read_str(m, js, &err), SSMH_OK);
    ssmh_model_realify(r, m);
    ck_assert_int_eq(r->N, 2);
    ck_assert_int_eq(r->structure, SSMH_STRUCTURE_DENSE);
    fmpq_mat_init(K, 1, 1);
    fmpq_init(zr); fmpq_init(zi); fmpq_init(t); fmpq_init(u); fmpq_init(expect);
    /* z = c * b = (1/2 - i)(1 + 2i) = 1/2 + i - i + 2 = 5/2 + 0i */
    fmpq_set_si(zr, 5, 2);
    fmpq_zero(zi);
    for (l = 0; l < 8; l++) {
        dense_lag(K, r, l);
        fmpq_mul_si(expect, zr, 2);
        ck_assert_msg(fmpq_equal(fmpq_mat_entry(K, 0, 0), expect), "lag %ld", (long)l);
        /* z *= lambda */
        fmpq_set_si(t, 3, 5); fmpq_mul(t, t, zr);
        fmpq_set_si(u, 4, 5); fmpq_mul(u, u, zi);
        fmpq_sub(t, t, u);
        fmpq_set_si(u, 4, 5); fmpq_mul(u, u, zr);
        fmpq_set_si(zr, 3, 5); fmpq_mul(zi, zi, zr);
        fmpq_add(zi, zi, u);
        fmpq_set(zr, t);
    }
    fmpq_clear(zr); fmpq_clear(zi); fmpq_clear(t); fmpq_clear(u); fmpq_clear(expect);
    fmpq_mat_clear(K);
    ssmh_model_clear(m);
    ssmh_model_clear(r);
}
END_TEST

START_TEST(test_file_atomic)
{
    char dir[] = "/tmp/ssmh_test_XXXXXX";
    char path[256], bad[256];
    ssmh_error_t err;
    char *buf;
    size_t len;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/out.json", dir);
    ck_assert_int_eq(ssmh_file_write_atomic(path, "hello\n", 6, &err), SSMH_OK);
    ck_assert_int_eq(ssmh_file_read(&buf, &len, path, 0, &err), SSMH_OK);
    ck_assert_int_eq(len, 6);
    ck_assert_str_eq(buf, "hello\n");
    free(buf);
    ck_assert_int_eq(ssmh_file_read(&buf, &len, path, 3, &err), SSMH_E_LIMIT);
    snprintf(bad, sizeof(bad), "%s/missing/out.json", dir);
    ck_assert_int_eq(ssmh_file_write_atomic(bad, "x", 1, &err), SSMH_E_IO);
    ck_assert_str_eq(err.file, bad);
    ck_assert_int_eq(ssmh_file_read(&buf, &len, bad, 0, &err), SSMH_E_IO);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* A random r x c matrix, each entry nonzero with probability pct/100. */
static void rand_sparse(fmpq_mat_t X, flint_rand_t st, int pct)
{
    slong i, j;
    fmpq_mat_zero(X);
    for (i = 0; i < fmpq_mat_nrows(X); i++)
        for (j = 0; j < fmpq_mat_ncols(X); j++)
            if ((int)n_randint(st, 100) < pct)
                fmpq_set_si(fmpq_mat_entry(X, i, j), (slong)n_randint(st, 2001) - 1000,
                            1 + n_randint(st, 64));
}

/* Every function of ssmheads/spmat.h against the dense matrix. */
START_TEST(test_spmat_dense)
{
    flint_rand_t st;
    long it, n = 200 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 11);
    for (it = 0; it < n; it++) {
        slong r = (slong)n_randint(st, 9), c = (slong)n_randint(st, 9), i, j, nz = 0;
        fmpq_mat_t X, Y, Xt, Yt;
        fmpz_mat_t Z1, Z2;
        fmpz_t d1, d2;
        ssmh_spmat_t S, T, U;
        fmpq_mat_init(X, r, c);
        fmpq_mat_init(Y, r, c);
        fmpq_mat_init(Xt, c, r);
        fmpq_mat_init(Yt, c, r);
        fmpz_mat_init(Z1, r, c);
        fmpz_mat_init(Z2, r, c);
        fmpz_init(d1);
        fmpz_init(d2);
        rand_sparse(X, st, (int)n_randint(st, 101));
        ssmh_spmat_init(S, 3, 5);   /* any shape: set_fmpq_mat resizes */
        ssmh_spmat_init(T, 0, 0);
        ssmh_spmat_init(U, 1, 1);
        ssmh_spmat_set_fmpq_mat(S, X);
        ck_assert(S->r == r && S->c == c);
        ssmh_spmat_get_fmpq_mat(Y, S);
        ck_assert_msg(fmpq_mat_equal(X, Y), "seed %lu iter %ld", ssmh_test_seed(), it);
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++) {
                nz += !fmpq_is_zero(fmpq_mat_entry(X, i, j));
                ck_assert(fmpq_equal(ssmh_spmat_entry(S, i, j), fmpq_mat_entry(X, i, j)));
            }
        ck_assert_int_eq(ssmh_spmat_nnz(S), nz);
        ck_assert_int_eq(ssmh_spmat_is_zero(S), nz == 0);
        ssmh_spmat_set(T, S);
        ck_assert(ssmh_spmat_equal(S, T) && ssmh_spmat_equal(T, S));
        ssmh_spmat_transpose(U, S);
        fmpq_mat_transpose(Xt, X);
        ssmh_spmat_get_fmpq_mat(Yt, U);
        ck_assert(fmpq_mat_equal(Xt, Yt));
        ck_assert(U->r == c && U->c == r);
        if (r != c)   /* another shape */
            ck_assert(!ssmh_spmat_equal(S, U));
        ssmh_spmat_swap(T, U);   /* T = X^T, U = X */
        ck_assert(ssmh_spmat_equal(U, S));
        if (nz > 0) {   /* one entry changed: no longer equal */
            ssmh_spmat_t V;
            fmpq_mat_t W;
            fmpq_mat_init(W, r, c);
            fmpq_mat_set(W, X);
            fmpq_add_si(fmpq_mat_entry(W, 0, 0), fmpq_mat_entry(W, 0, 0), 1);
            ssmh_spmat_init(V, 0, 0);
            ssmh_spmat_set_fmpq_mat(V, W);
            ck_assert(!ssmh_spmat_equal(S, V));
            ssmh_spmat_clear(V);
            fmpq_mat_clear(W);
        }
        fmpq_mat_get_fmpz_mat_matwise(Z1, d1, X);
        ssmh_spmat_get_fmpz_mat_matwise(Z2, d2, S);
        ck_assert(fmpz_mat_equal(Z1, Z2) && fmpz_equal(d1, d2));
        ck_assert(ssmh_hash_spmat(5, S) == ssmh_hash_fmpq_mat(5, X));
        ssmh_spmat_set(S, S);   /* aliasing */
        ck_assert(ssmh_spmat_equal(S, U));
        ssmh_spmat_clear(S);
        ssmh_spmat_clear(T);
        ssmh_spmat_clear(U);
        fmpq_mat_clear(X);
        fmpq_mat_clear(Y);
        fmpq_mat_clear(Xt);
        fmpq_mat_clear(Yt);
        fmpz_mat_clear(Z1);
        fmpz_mat_clear(Z2);
        fmpz_clear(d1);
        fmpz_clear(d2);
    }
    flint_randclear(st);
}
END_TEST

/* ssmh_hash_spmat jumps over runs of zeros: the same hash as the dense
   matrix for runs of every length around the jump's period and past it,
   and for large sparse matrices (long runs across rows). */
START_TEST(test_spmat_hash)
{
    flint_rand_t st;
    slong k, it;
    static const slong lens[] = {63, 64, 65, 127, 128, 129, 1000, 4099, 65536};
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 13);
    for (k = 0; k < 140 + (slong)(sizeof(lens) / sizeof(lens[0])); k++) {
        slong c = k < 140 ? k : lens[k - 140];
        fmpq_mat_t X;
        ssmh_spmat_t S;
        uint64_t h0 = k % 7 == 0 ? 0 : n_randlimb(st);   /* 0: the offset basis */
        fmpq_mat_init(X, 1, c);
        if (c > 3 && k % 2)
            fmpq_set_si(fmpq_mat_entry(X, 0, c / 3), 7, 3);
        ssmh_spmat_init(S, 0, 0);
        ssmh_spmat_set_fmpq_mat(S, X);
        ck_assert_msg(ssmh_hash_spmat(h0, S) == ssmh_hash_fmpq_mat(h0, X), "1 x %ld", (long)c);
        ssmh_spmat_clear(S);
        fmpq_mat_clear(X);
    }
    for (it = 0; it < 4 * ssmh_test_mult(); it++) {
        slong r = 1 + (slong)n_randint(st, 300), c = 1 + (slong)n_randint(st, 300);
        fmpq_mat_t X;
        ssmh_spmat_t S;
        fmpq_mat_init(X, r, c);
        rand_sparse(X, st, (int)n_randint(st, 3));
        ssmh_spmat_init(S, 0, 0);
        ssmh_spmat_set_fmpq_mat(S, X);
        ck_assert_msg(ssmh_hash_spmat(1, S) == ssmh_hash_fmpq_mat(1, X), "seed %lu iter %ld",
                      ssmh_test_seed(), (long)it);
        ssmh_spmat_clear(S);
        fmpq_mat_clear(X);
    }
    flint_randclear(st);
}
END_TEST

static Suite *suite_model(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rational_parse);
    tcase_add_test(tc, test_matrix_empty_dims);
    tcase_add_test(tc, test_rational_random_roundtrip);
    tcase_add_test(tc, test_model_read_dense);
    tcase_add_loop_test(tc, test_model_read_invalid, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, test_model_limits);
    tcase_add_test(tc, test_model_roundtrip);
    tcase_add_test(tc, test_model_sparse_write);
    tcase_add_test(tc, test_model_realify);
    tcase_add_test(tc, test_spmat_dense);
    tcase_add_test(tc, test_spmat_hash);
    tcase_add_test(tc, test_file_atomic);
    suite_add_tcase(s, tc);
    return s;
}

SSMH_CHECK_MAIN(suite_model)
