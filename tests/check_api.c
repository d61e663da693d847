/*
 * Check suite for the JSON entry point (ssmheads/api.h): every command
 * against the library calls it stands for (the same report objects,
 * certificates the checker accepts, the same plots), every error path with
 * its exit code and JSON path, concurrent calls from several threads, and
 * a seeded loop of damaged requests that must each get a well-formed
 * response.  This is the suite `make check-valgrind` runs for the Python
 * package's native side (doc/python.md).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ssmheads.h>
#include "../checker/ssmhc.h"
#include "check_util.h"

#define ROT "{\"format\":\"ssmheads-model/1\",\"A\":[[\"0\",\"-1\"],[\"1\",\"0\"]]," \
            "\"B\":[[1,0],[0,1]],\"C\":[[1,0],[0,1]]}"
#define DECAY "{\"format\":\"ssmheads-model/1\",\"A\":{\"diag\":[\"1/2\",\"-1/3\",\"1/5\"]}," \
              "\"B\":[[1],[1],[1]],\"C\":[[1,2,\"0x1.8p-3\"]],\"length\":6}"
#define LAYER "{\"format\":\"ssmheads-attention/1\",\"heads\":[{\"value\":[[1,0],[0,1]]}," \
              "{\"value\":[[0,-1],[1,0]]},{\"value\":[[2,-3],[3,2]]}]}"

static const char *srcdir(void)
{
    const char *s = getenv("top_srcdir");
    return s ? s : ".";
}

/* Call, check the response is one JSON object whose "exit" is the return
   value, and return it parsed. */
static json_t *call(const char *req, int want_exit)
{
    char *resp = NULL;
    json_error_t je;
    json_t *o;
    int rc = ssmh_call_json(req, &resp);
    ck_assert_ptr_nonnull(resp);
    o = json_loads(resp, 0, &je);
    ck_assert_msg(o != NULL, "response is not JSON: %s", resp);
    ck_assert(json_is_object(o));
    ck_assert_int_eq(json_integer_value(json_object_get(o, "exit")), rc);
    ck_assert_msg(rc == want_exit, "exit %d, expected %d: %s", rc, want_exit, resp);
    ck_assert_int_eq(json_object_get(o, "error") != NULL, rc >= 2);
    ssmh_call_free(resp);
    return o;
}

/* An error response's JSON path and message fragment. */
static void expect_error(const char *req, int want_exit, const char *file, const char *path,
                         const char *words)
{
    json_t *o = call(req, want_exit), *e = json_object_get(o, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (file)
        ck_assert_str_eq(json_string_value(json_object_get(e, "file")), file);
    if (path)
        ck_assert_str_eq(json_string_value(json_object_get(e, "path")), path);
    ck_assert_msg(msg && strstr(msg, words), "message '%s' lacks '%s'", msg, words);
    ck_assert(json_object_get(o, "result") == NULL);
    json_decref(o);
}

static void read_model(ssmh_model_t m, const char *js)
{
    ssmh_error_t err;
    ck_assert_int_eq(ssmh_model_read_string(m, js, strlen(js), "model", NULL, &err), SSMH_OK);
}

static void checker_accepts(const json_t *cert)
{
    ssmhc_report_t r;
    ck_assert_ptr_nonnull(cert);
    ck_assert_msg(ssmhc_verify_json(cert, NULL, &r) == SSMHC_VERIFIED, "rejected: %s", r.step);
}

START_TEST(test_version)
{
    json_t *o = call("{\"command\":\"version\"}", 0);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "result"), "version")),
                     ssmh_version());
    json_decref(o);
}
END_TEST

START_TEST(test_model)
{
    json_t *o = call("{\"command\":\"model\",\"model\":" DECAY "}", 0), *r, *mj;
    ssmh_model_t m;
    ssmh_model_init(m);
    read_model(m, DECAY);
    r = json_object_get(o, "result");
    ck_assert_int_eq(json_integer_value(json_object_get(r, "N")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "length")), 6);
    ck_assert_str_eq(json_string_value(json_object_get(r, "structure")), "diag");
    mj = ssmh_model_to_json(m);
    ck_assert(json_equal(mj, json_object_get(o, "model")));   /* canonical: 0x1.8p-3 -> 3/16 */
    json_decref(mj);
    json_decref(o);
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_write_model)
{
    char req[1024], path[256];
    json_t *o;
    ssmh_model_t m, back;
    ssmh_error_t err;
    snprintf(path, sizeof(path), "check_api_model.%ld.json", (long)getpid());
    snprintf(req, sizeof(req), "{\"command\":\"write_model\",\"model\":%s,\"path\":\"%s\"}", DECAY,
             path);
    o = call(req, 0);
    json_decref(o);
    ssmh_model_init(m);
    ssmh_model_init(back);
    read_model(m, DECAY);
    ck_assert_int_eq(ssmh_model_read_file(back, path, NULL, &err), SSMH_OK);
    ck_assert(fmpq_mat_equal(m->lambda_re, back->lambda_re) && ssmh_spmat_equal(m->C, back->C));
    unlink(path);
    ssmh_model_clear(m);
    ssmh_model_clear(back);
    expect_error("{\"command\":\"write_model\",\"model\":" DECAY ",\"path\":\"-\"}", 3,
                 "request", "$.path", "path");
}
END_TEST

START_TEST(test_heads)
{
    json_t *o = call("{\"command\":\"heads\",\"model\":" ROT ",\"n\":8,\"certificate\":true}", 0);
    json_t *want, *cert;
    ssmh_model_t m;
    ssmh_heads_t h;
    ssmh_error_t err;
    ssmh_model_init(m);
    ssmh_heads_init(h);
    read_model(m, ROT);
    ck_assert_int_eq(ssmh_heads_compute(h, m, 8, NULL, &err), SSMH_OK);
    want = ssmh_heads_to_json(h, -1);
    ck_assert(json_equal(want, json_object_get(o, "result")));
    json_decref(want);
    cert = ssmh_heads_certificate(h, m);
    ck_assert(json_equal(cert, json_object_get(o, "certificate")));
    checker_accepts(json_object_get(o, "certificate"));
    json_decref(cert);
    json_decref(o);
    /* a budget the model does not meet: exit 1 with the result, as the CLI */
    o = call("{\"command\":\"heads\",\"model\":" ROT ",\"n\":8,\"budget\":1}", 1);
    ck_assert(json_is_false(json_object_get(json_object_get(o, "result"), "representable")));
    json_decref(o);
    /* n defaults to the model's length */
    o = call("{\"command\":\"heads\",\"model\":" DECAY "}", 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "result"), "n")), 6);
    json_decref(o);
    ssmh_heads_clear(h);
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_construct_lags)
{
    json_t *o = call("{\"command\":\"construct\",\"model\":" ROT ",\"n\":5}", 0), *want, *ks;
    ssmh_model_t m;
    ssmh_construction_t c;
    ssmh_error_t err;
    fmpq_mat_struct K[3];
    slong l;
    ssmh_model_init(m);
    ssmh_construction_init(c);
    read_model(m, ROT);
    ck_assert_int_eq(ssmh_construct(c, m, 5, NULL, &err), SSMH_OK);
    want = ssmh_construction_to_json(c);
    ck_assert(json_equal(want, json_object_get(o, "result")));
    json_decref(want);
    json_decref(o);
    expect_error("{\"command\":\"construct\",\"model\":" ROT "}", 3, "request", "$.n",
                 "required");
    o = call("{\"command\":\"lags\",\"model\":" ROT ",\"count\":3}", 0);
    ks = json_object_get(json_object_get(o, "result"), "lags");
    for (l = 0; l < 3; l++)
        fmpq_mat_init(K + l, 0, 0);
    ssmh_lags(K, m, 3, &err);
    ck_assert_int_eq(json_array_size(ks), 3);
    for (l = 0; l < 3; l++) {
        json_t *k = ssmh_json_matrix(K + l);
        ck_assert(json_equal(k, json_array_get(ks, l)));
        json_decref(k);
        fmpq_mat_clear(K + l);
    }
    json_decref(o);
    expect_error("{\"command\":\"lags\",\"model\":" ROT "}", 3, "request", "$.count", "required");
    ssmh_construction_clear(c);
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_gradient)
{
    json_t *o = call("{\"command\":\"gradient\",\"model\":" DECAY ",\"eps\":\"1/100\","
                     "\"certificate\":true,\"plot\":true,\"attention\":" LAYER "}",
                     4);   /* the layer is 2 x 2, the model 1 x 1 */
    json_t *want, *layer = json_loads(LAYER, 0, NULL);
    ssmh_model_t m;
    ssmh_attention_t a;
    ssmh_gradient_t g;
    ssmh_highways_t hw;
    ssmh_error_t err;
    fmpq_t eps;
    char *svg;
    json_decref(o);
    o = call("{\"command\":\"gradient\",\"model\":" ROT ",\"eps\":\"1/100\",\"certificate\":true,"
             "\"plot\":true,\"attention\":" LAYER "}",
             0);
    ssmh_model_init(m);
    ssmh_attention_init(a);
    ssmh_gradient_init(g);
    ssmh_highways_init(hw);
    fmpq_init(eps);
    fmpq_set_si(eps, 1, 100);
    read_model(m, ROT);
    ck_assert_int_eq(ssmh_attention_from_json(a, layer, "x", "$", NULL, &err), SSMH_OK);
    json_decref(layer);
    ck_assert_int_eq(ssmh_gradient_compute(g, m, 16, eps, NULL, &err), SSMH_OK);
    ssmh_highways_compute(hw, g, a);
    want = ssmh_gradient_to_json(g);
    json_object_set_new(want, "highways", ssmh_highways_to_json(hw, g, m, eps));
    ck_assert(json_equal(want, json_object_get(o, "result")));
    svg = ssmh_gradient_svg(g, hw);
    ck_assert_str_eq(svg, json_string_value(json_object_get(o, "svg")));
    checker_accepts(json_object_get(o, "certificate"));
    free(svg);
    json_decref(want);
    json_decref(o);
    fmpq_clear(eps);
    ssmh_highways_clear(hw);
    ssmh_gradient_clear(g);
    ssmh_attention_clear(a);
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_minimal)
{
    json_t *o = call("{\"command\":\"minimal\",\"model\":" DECAY "}", 0), *want;
    ssmh_model_t m;
    ssmh_minimal_t r;
    ssmh_error_t err;
    ssmh_model_init(m);
    ssmh_minimal_init(r);
    read_model(m, DECAY);
    ck_assert_int_eq(ssmh_minimal_compute(r, m, NULL, &err), SSMH_OK);
    want = ssmh_minimal_to_json(r);
    ck_assert(json_equal(want, json_object_get(o, "result")));
    json_decref(want);
    want = ssmh_model_to_json(r->minimal);
    ck_assert(json_equal(want, json_object_get(o, "model")));
    json_decref(want);
    json_decref(o);
    ssmh_minimal_clear(r);
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_approx)
{
    json_t *o = call("{\"command\":\"approx\",\"model\":" ROT ",\"n\":4,\"eps\":\"1/2\","
                     "\"curve\":true,\"plot\":true,\"certificate\":true}",
                     0);
    json_t *want;
    ssmh_model_t m;
    ssmh_approx_t a;
    ssmh_error_t err;
    fmpq_t eps;
    char *svg;
    ssmh_model_init(m);
    ssmh_approx_init(a);
    fmpq_init(eps);
    fmpq_set_si(eps, 1, 2);
    read_model(m, ROT);
    ck_assert_int_eq(ssmh_approx_compute_method(a, m, 4, eps, 0, SSMH_APPROX_AUTO, 1, NULL, &err),
                     SSMH_OK);
    want = ssmh_approx_to_json(a, 1);
    ck_assert(json_equal(want, json_object_get(o, "result")));
    svg = ssmh_approx_svg(a);
    ck_assert_str_eq(svg, json_string_value(json_object_get(o, "svg")));
    checker_accepts(json_object_get(o, "certificate"));
    free(svg);
    json_decref(want);
    json_decref(o);
    expect_error("{\"command\":\"approx\",\"model\":" ROT ",\"n\":4}", 3, "request", "$.eps",
                 "required");
    expect_error("{\"command\":\"approx\",\"model\":" ROT ",\"n\":4,\"eps\":\"1\","
                 "\"method\":\"fast\"}",
                 3, "request", "$.method", "auto, exact, enclosure or modes");
    fmpq_clear(eps);
    ssmh_approx_clear(a);
    ssmh_model_clear(m);
}
END_TEST

START_TEST(test_attention)
{
    json_t *o = call("{\"command\":\"span\",\"attention\":" LAYER "}", 0), *r;
    r = json_object_get(o, "result");
    ck_assert_int_eq(json_integer_value(json_object_get(r, "dim")), 2);   /* V_2 = 2 V_0 + 3 V_1 */
    json_decref(o);
    o = call("{\"command\":\"attention\",\"attention\":" LAYER "}", 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "result"), "H")), 3);
    json_decref(o);
    /* the rotation's lags I, A, -I, ... lie in span{I, A} */
    o = call("{\"command\":\"represent\",\"attention\":" LAYER ",\"model\":" ROT
             ",\"n\":6,\"certificate\":true}",
             0);
    ck_assert(json_is_true(json_object_get(json_object_get(o, "result"), "representable")));
    checker_accepts(json_object_get(o, "certificate"));
    json_decref(o);
    /* one head cannot: exit 1 with the witness, as the CLI */
    o = call("{\"command\":\"represent\",\"attention\":{\"format\":\"ssmheads-attention/1\","
             "\"heads\":[{\"value\":[[1,0],[0,1]]}]},\"model\":" ROT ",\"n\":6,"
             "\"certificate\":true}",
             1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "result"),
                                                        "witness_lag")),
                     1);
    checker_accepts(json_object_get(o, "certificate"));
    json_decref(o);
    expect_error("{\"command\":\"represent\",\"attention\":" LAYER ",\"attention_file\":\"L\","
                 "\"model\":" DECAY "}",
                 4, "L", NULL, "");
}
END_TEST

START_TEST(test_import)
{
    char req[2048];
    json_t *o;
    snprintf(req, sizeof(req),
             "{\"command\":\"import\",\"weights\":\"%s/witnesses/weights/s4d.safetensors\","
             "\"layout\":\"s4d\"}",
             srcdir());
    o = call(req, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "result"), "p")), 2);
    ck_assert(json_is_object(json_object_get(o, "model")));
    json_decref(o);
    snprintf(req, sizeof(req),
             "{\"command\":\"import\",\"weights\":\"%s/witnesses/weights/layer.safetensors\","
             "\"layout\":\"attention\",\"prefix\":\"attn.\"}",
             srcdir());
    o = call(req, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "result"), "H")), 3);
    json_decref(o);
    snprintf(req, sizeof(req),
             "{\"command\":\"import\",\"weights\":\"%s/witnesses/weights/ssm.npz\","
             "\"layout\":\"s5\"}",
             srcdir());
    expect_error(req, 4, NULL, NULL, "no tensor 'Lambda_re'");
    expect_error("{\"command\":\"import\",\"weights\":\"w.npz\",\"layout\":\"mamba\"}", 3,
                 "request", "$.layout", "unknown layout");
    expect_error("{\"command\":\"import\",\"weights\":\"/nonexistent/w.npz\",\"layout\":"
                 "\"dense\"}",
                 5, "/nonexistent/w.npz", NULL, "");
    expect_error("{\"command\":\"import\",\"weights\":\"w.npz\",\"layout\":\"s4d\","
                 "\"discretization\":\"euler\"}",
                 3, "request", "$.discretization", "zoh or bilinear");
}
END_TEST

START_TEST(test_request_errors)
{
    char *resp = (char *)1;
    ck_assert_int_eq(ssmh_call_json(NULL, &resp), 3);
    ck_assert_ptr_nonnull(resp);
    ssmh_call_free(resp);
    ssmh_call_free(NULL);
    expect_error("", 3, "request", NULL, "");
    expect_error("{\"command\":\"heads\"", 3, "request", NULL, "");
    expect_error("{\"command\":\"heads\"} x", 3, "request", NULL, "");
    expect_error("{\"command\":\"heads\",\"command\":\"span\"}", 3, "request", NULL, "duplicate");
    expect_error("[1, 2]", 3, "request", "$", "object");
    expect_error("{}", 3, "request", "$.command", "missing");
    expect_error("{\"command\":7}", 3, "request", "$.command", "missing");
    expect_error("{\"command\":\"rm\"}", 3, "request", "$.command", "unknown command");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"nn\":3}", 3, "request", "$.nn",
                 "unknown key");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"n\":\"3\"}", 3, "request", "$.n",
                 "integer");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"n\":0}", 3, "request", "$.n",
                 "integer");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"certificate\":1}", 3, "request",
                 "$.certificate", "true or false");
    expect_error("{\"command\":\"heads\"}", 3, "request", "$.model", "ssmheads-model/1");
    expect_error("{\"command\":\"heads\",\"model\":\"-\"}", 3, "request", "$.model",
                 "standard input");
    expect_error("{\"command\":\"gradient\",\"model\":" ROT ",\"eps\":0.01}", 3, "request",
                 "$.eps", "quote it");
    expect_error("{\"command\":\"gradient\",\"model\":" ROT ",\"eps\":\"-1\"}", 3, "request",
                 "$.eps", "positive");
    expect_error("{\"command\":\"gradient\",\"model\":" ROT ",\"eps\":\"1/0\"}", 3, "request",
                 "$.eps", "zero denominator");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"limits\":{\"timeout\":5}}", 3,
                 "request", "$.limits.timeout", "ssmheads call");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"limits\":{\"max_memory\":5}}", 3,
                 "request", "$.limits.max_memory", "process");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"limits\":{\"max_fun\":5}}", 3,
                 "request", "$.limits.max_fun", "unknown limit");
    expect_error("{\"command\":\"heads\",\"model\":" ROT ",\"limits\":[]}", 3, "request",
                 "$.limits", "object");
}
END_TEST

START_TEST(test_model_errors)
{
    char req[2048];
    /* inline models: the reader's error, at the JSON path, under the given name */
    expect_error("{\"command\":\"heads\",\"model\":{\"format\":\"ssmheads-model/1\","
                 "\"A\":[[\"1\",\"x\"]],\"B\":[[1]],\"C\":[[1]]}}",
                 4, "model", "$.A[0][1]", "not a number");
    expect_error("{\"command\":\"heads\",\"model_file\":\"layer3\",\"model\":{\"format\":"
                 "\"ssmheads-model/1\",\"A\":[[0.5]],\"B\":[[1]],\"C\":[[1]]}}",
                 4, "layer3", "$.A[0][0]", "quote");
    expect_error("{\"command\":\"heads\",\"model\":{\"format\":\"ssmheads-model/1\","
                 "\"A\":[[1,2],[3]],\"B\":[[1],[1]],\"C\":[[1,1]]}}",
                 4, "model", NULL, "");
    snprintf(req, sizeof(req), "{\"command\":\"heads\",\"model\":\"%s/witnesses/invalid/zero_den.json\"}",
             srcdir());
    expect_error(req, 4, NULL, NULL, "zero denominator");
    expect_error("{\"command\":\"heads\",\"model\":\"/nonexistent/m.json\"}", 5,
                 "/nonexistent/m.json", NULL, "");
    /* limits: a 4-digit cap on numbers, a 16-bit cap on rationals */
    expect_error("{\"command\":\"heads\",\"model\":{\"format\":\"ssmheads-model/1\","
                 "\"A\":[[\"123456/7\"]],\"B\":[[1]],\"C\":[[1]]},\"limits\":{\"max_digits\":4}}",
                 6, "model", "$.A[0][0]", "digits");
    expect_error("{\"command\":\"heads\",\"model\":{\"format\":\"ssmheads-model/1\","
                 "\"A\":[[1,1],[1,1]],\"B\":[[1],[1]],\"C\":[[1,1]]},\"limits\":{\"max_dim\":1}}",
                 6, "model", NULL, "");
    expect_error("{\"command\":\"lags\",\"model\":{\"format\":\"ssmheads-model/1\","
                 "\"A\":[[\"3/7\",\"1/11\"],[\"2/13\",\"5/17\"]],\"B\":[[1,0],[0,1]],\"C\":[[1,0],[0,1]]},"
                 "\"count\":400,\"limits\":{\"max_bits\":64}}",
                 6, "model", NULL, "");
}
END_TEST

/* Concurrent calls give each the answer a lone call gives. */
typedef struct {
    const char *req;
    const char *want;
    int same;
} job_t;

/* A state_dict in memory: layer.A (F64), layer.B (BF16), layer.C (F32),
   layer.extra (I64, not part of a dense model) */
#define T_A "\"layer.A\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data\":" \
            "\"AAAAAAAA4D8AAAAAAAAAAAAAAAAAAAAAAAAAAAAA0D8=\"}"
#define T_B "\"layer.B\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data\":\"gD8Avw==\"}"
#define T_C "\"layer.C\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data\":\"AACAPwAAAEA=\"}"
#define T_X "\"layer.extra\":{\"dtype\":\"<i8\",\"shape\":[1],\"data\":\"BwAAAAAAAAA=\"}"
#define TENSORS "{" T_A "," T_B "," T_C "," T_X "}"

/* the same tensors through ssmh_weights_add, as a binding would add them */
static void add_tensors(ssmh_weights_t w)
{
    static const double A[4] = {0.5, 0, 0, 0.25};
    static const unsigned char B[4] = {0x80, 0x3f, 0x00, 0xbf};   /* 1, -1/2 */
    static const float C[2] = {1, 2};
    static const unsigned char X[8] = {7, 0, 0, 0, 0, 0, 0, 0};
    const slong s22[2] = {2, 2}, s21[2] = {2, 1}, s12[2] = {1, 2}, s1[1] = {1};
    ssmh_error_t err;
    ck_assert_int_eq(ssmh_weights_add(w, "layer.A", "F64", 2, s22, A, sizeof(A), &err), SSMH_OK);
    ck_assert_int_eq(ssmh_weights_add(w, "layer.B", "BF16", 2, s21, B, sizeof(B), &err), SSMH_OK);
    ck_assert_int_eq(ssmh_weights_add(w, "layer.C", "F32", 2, s12, C, sizeof(C), &err), SSMH_OK);
    ck_assert_int_eq(ssmh_weights_add(w, "layer.extra", "<i8", 1, s1, X, sizeof(X), &err),
                     SSMH_OK);
}

START_TEST(test_tensors)
{
    json_t *o, *want, *mods;
    ssmh_weights_t w;
    ssmh_model_t m;
    ssmh_import_opts_t opt;
    ssmh_limits_t lim;
    ssmh_error_t err;
    json_t *notes = NULL;
    ssmh_limits_default(&lim);
    /* import: the model ssmh_import_weights makes of the same tensors */
    o = call("{\"command\":\"import\",\"layout\":\"dense\",\"prefix\":\"layer.\",\"tensors\":"
             TENSORS "}", 0);
    ssmh_weights_init(w);
    add_tensors(w);
    ssmh_import_opts_default(&opt);
    opt.layout = "dense";
    opt.prefix = "layer.";
    ssmh_model_init(m);
    ck_assert_int_eq(ssmh_import_weights(m, &notes, w, &opt, "<tensors>", &lim, &err), SSMH_OK);
    want = ssmh_model_to_json(m);
    ck_assert(json_equal(json_object_get(o, "model"), want));
    ck_assert(json_equal(json_object_get(o, "notes"), notes));
    ck_assert_int_eq(json_array_size(notes), 1);
    ck_assert(strstr(json_string_value(json_array_get(notes, 0)), "extra") != NULL);
    ck_assert(strstr(json_string_value(json_object_get(want, "source")), "<tensors>") != NULL);
    json_decref(want);
    json_decref(notes);
    ssmh_model_clear(m);
    json_decref(o);
    /* inspect: the recognizer's modules, under the name given */
    o = call("{\"command\":\"inspect\",\"tensors_file\":\"<module Net>\",\"tensors\":" TENSORS
             "}", 0);
    mods = ssmh_weights_recognize(w);
    ck_assert(json_equal(json_object_get(json_object_get(o, "result"), "modules"), mods));
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "result"), "file")),
                     "<module Net>");
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(o, "result"), "tensors")), 4);
    json_decref(mods);
    json_decref(o);
    ssmh_weights_clear(w);
    /* dtype and shape only: recognized (a huge tensor and an unknown dtype
       too), refused by a layout that needs the numbers */
    o = call("{\"command\":\"inspect\",\"tensors\":{\"l.A\":{\"dtype\":\"F32\",\"shape\":[2,2]},"
             "\"l.B\":{\"dtype\":\"F32\",\"shape\":[2,1]},\"l.C\":{\"dtype\":\"F32\",\"shape\":"
             "[1,2]},\"emb\":{\"dtype\":\"BF16\",\"shape\":[1048576,1048576]},\"q\":{\"dtype\":"
             "\"torch.float8_e4m3fn\",\"shape\":[3]}}}", 0);
    mods = json_object_get(json_object_get(o, "result"), "modules");
    ck_assert_int_eq(json_array_size(mods), 1);
    ck_assert(json_is_true(json_object_get(json_array_get(mods, 0), "importable")));
    json_decref(o);
    expect_error("{\"command\":\"import\",\"layout\":\"dense\",\"prefix\":\"l.\",\"tensors\":{"
                 "\"l.A\":{\"dtype\":\"F32\",\"shape\":[1,1]},\"l.B\":{\"dtype\":\"F32\","
                 "\"shape\":[1,1],\"data\":\"AACAPw==\"},\"l.C\":{\"dtype\":\"F32\",\"shape\":"
                 "[1,1],\"data\":\"AACAPw==\"}}}",
                 4, "<tensors>", "l.A", "without its data");
    /* damage: each refused naming the tensor or the member */
    expect_error("{\"command\":\"inspect\",\"tensors\":{\"x\":{\"dtype\":\"U8\",\"shape\":[1],"
                 "\"data\":\"AB==\"}}}", 4, "<tensors>", "x", "not canonical base64");
    expect_error("{\"command\":\"inspect\",\"tensors\":{\"x\":{\"dtype\":\"U8\",\"shape\":[1],"
                 "\"data\":\"A*==\"}}}", 4, "<tensors>", "x", "at character 1");
    expect_error("{\"command\":\"inspect\",\"tensors\":{\"x\":{\"dtype\":\"U8\",\"shape\":[1],"
                 "\"data\":\"AA=\"}}}", 4, "<tensors>", "x", "not canonical base64");
    expect_error("{\"command\":\"inspect\",\"tensors\":{\"x\":{\"dtype\":\"U8\",\"shape\":[2],"
                 "\"data\":\"AA==\"}}}", 4, "<tensors>", "x", "the shape needs 2");
    expect_error("{\"command\":\"inspect\",\"tensors\":{\"x\":{\"dtype\":\"F12\",\"shape\":[1],"
                 "\"data\":\"AA==\"}}}", 3, "request", "$.tensors.x.dtype", "cannot be read");
    expect_error("{\"command\":\"inspect\",\"tensors\":{\"x\":{\"dtype\":\"U8\",\"shape\":[-1]}}}",
                 3, "request", "$.tensors.x.shape", ">= 0");
    expect_error("{\"command\":\"inspect\",\"tensors\":{\"x\":{\"dtype\":\"U8\",\"shape\":[1],"
                 "\"bytes\":\"AA==\"}}}", 3, "request", "$.tensors.x.bytes", "unknown key");
    expect_error("{\"command\":\"inspect\",\"tensors\":[]}", 3, "request", "$.tensors", "object");
    expect_error("{\"command\":\"inspect\",\"weights\":\"w.npz\",\"tensors\":{}}", 3, "request",
                 "$", "not both");
    expect_error("{\"command\":\"import\",\"layout\":\"dense\"}", 3, "request", "$",
                 "\"weights\"");
    expect_error("{\"command\":\"inspect\",\"weights\":\"w.npz\",\"tensors_file\":\"t\"}", 3,
                 "request", "$.tensors_file", "inline");
    expect_error("{\"command\":\"import\",\"layout\":\"dense\",\"limits\":{\"max_file_bytes\":4},"
                 "\"tensors\":" TENSORS "}", 6, "<tensors>", "layer.A", "file limit");
}
END_TEST

START_TEST(test_inspect_file)
{
    char req[1024], path[900];
    json_t *o, *want = NULL;
    ssmh_error_t err;
    snprintf(path, sizeof(path), "%s/witnesses/weights/reference/mamba2_g2.safetensors",
             srcdir());
    snprintf(req, sizeof(req), "{\"command\":\"inspect\",\"weights\":\"%s\"}", path);
    o = call(req, 0);
    ck_assert_int_eq(ssmh_weights_inspect(&want, path, NULL, &err), SSMH_OK);
    ck_assert(json_equal(json_object_get(o, "result"), want));
    json_decref(want);
    json_decref(o);
    expect_error("{\"command\":\"inspect\",\"weights\":\"/nonexistent/w.npz\"}", 5,
                 "/nonexistent/w.npz", NULL, "");
}
END_TEST

struct reports {
    int calls;
    int named;
};

static void count_report(void *arg, const char *what, double done, double total)
{
    struct reports *r = arg;
    (void)done;
    (void)total;
    r->calls++;
    r->named += what != NULL && strchr(what, ':') != NULL;
}

START_TEST(test_progress)
{
    static const char req[] = "{\"command\":\"gradient\",\"model\":" DECAY ",\"eps\":\"1/100\"}";
    struct reports r = {0, 0};
    ssmh_progress_t p;
    char *a = NULL, *b = NULL;
    memset(&p, 0, sizeof(p));
    p.fn = count_report;
    p.arg = &r;
    ck_assert_int_eq(ssmh_call_json_progress(req, &a, &p), 0);
    ck_assert_int_eq(ssmh_call_json(req, &b), 0);
    ck_assert_str_eq(a, b);   /* the reports change nothing */
    ck_assert(r.calls > 0 && r.named == r.calls);
    ssmh_call_free(a);
    ssmh_call_free(b);
    ck_assert_int_eq(ssmh_call_json_progress(req, &a, NULL), 0);
    ssmh_call_free(a);
}
END_TEST

static void *run_job(void *arg)
{
    job_t *j = arg;
    int i;
    j->same = 1;
    for (i = 0; i < 3; i++) {
        char *r = NULL;
        ssmh_call_json(j->req, &r);
        j->same = j->same && r != NULL && strcmp(r, j->want) == 0;
        ssmh_call_free(r);
    }
    flint_cleanup();
    return NULL;
}

START_TEST(test_threads)
{
    static const char *const reqs[] = {
        "{\"command\":\"heads\",\"model\":" ROT ",\"n\":8,\"certificate\":true}",
        "{\"command\":\"gradient\",\"model\":" DECAY ",\"eps\":\"1/1000\",\"plot\":true}",
        "{\"command\":\"approx\",\"model\":" ROT ",\"n\":4,\"eps\":\"1/2\",\"curve\":true}",
        "{\"command\":\"minimal\",\"model\":" DECAY "}"};
    job_t jobs[8];
    pthread_t th[8];
    int i;
    for (i = 0; i < 8; i++) {
        char *r = NULL;
        jobs[i].req = reqs[i % 4];
        ssmh_call_json(jobs[i].req, &r);
        jobs[i].want = r;
    }
    for (i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(th + i, NULL, run_job, jobs + i), 0);
    for (i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ck_assert_msg(jobs[i].same, "thread %d got another answer", i);
        ssmh_call_free((char *)jobs[i].want);
    }
}
END_TEST

/* Damaged requests (bytes changed, cut or repeated): each gets exactly one
   well-formed response, whatever it says. */
START_TEST(test_damaged_requests)
{
    static const char *const base[] = {
        "{\"command\":\"heads\",\"model\":" DECAY ",\"n\":5,\"budget\":2,\"certificate\":true}",
        "{\"command\":\"gradient\",\"model\":" ROT ",\"eps\":\"1/10\",\"lags\":4,\"plot\":true}",
        "{\"command\":\"represent\",\"attention\":" LAYER ",\"model\":" ROT ",\"n\":3}",
        "{\"command\":\"import\",\"layout\":\"dense\",\"prefix\":\"layer.\",\"tensors\":" TENSORS "}"};
    static const char junk[] = "{}[]\",:0123456789-/.eExp\\ az\x01\xff";
    flint_rand_t st;
    long i, iters = 60 * ssmh_test_mult();
    flint_randinit(st);
    flint_randseed(st, ssmh_test_seed(), 1);
    for (i = 0; i < iters; i++) {
        const char *b = base[n_randint(st, 4)];
        size_t len = strlen(b), k, nch = 1 + n_randint(st, 4);
        char *s = malloc(2 * len + 2);
        json_t *o;
        strcpy(s, b);
        for (k = 0; k < nch && len > 0; k++) {
            size_t at = n_randint(st, len);
            switch (n_randint(st, 3)) {
            case 0: s[at] = junk[n_randint(st, sizeof(junk) - 1)]; break;   /* change */
            case 1: len = at; s[len] = '\0'; break;                           /* cut */
            default: memmove(s + at + 1, s + at, len - at + 1); len++; break; /* repeat */
            }
        }
        {
            char *resp = NULL;
            int rc = ssmh_call_json(s, &resp);
            ck_assert_ptr_nonnull(resp);
            ck_assert(rc >= 0 && rc <= 7);
            o = json_loads(resp, 0, NULL);
            ck_assert_msg(o != NULL, "request %s: response not JSON", s);
            ck_assert_int_eq(json_integer_value(json_object_get(o, "exit")), rc);
            json_decref(o);
            ssmh_call_free(resp);
        }
        free(s);
    }
    flint_randclear(st);
}
END_TEST

static Suite *suite_api(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("call");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_model);
    tcase_add_test(tc, test_write_model);
    tcase_add_test(tc, test_heads);
    tcase_add_test(tc, test_construct_lags);
    tcase_add_test(tc, test_gradient);
    tcase_add_test(tc, test_minimal);
    tcase_add_test(tc, test_approx);
    tcase_add_test(tc, test_attention);
    tcase_add_test(tc, test_import);
    tcase_add_test(tc, test_tensors);
    tcase_add_test(tc, test_inspect_file);
    tcase_add_test(tc, test_progress);
    tcase_add_test(tc, test_request_errors);
    tcase_add_test(tc, test_model_errors);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_damaged_requests);
    suite_add_tcase(s, tc);
    return s;
}

SSMH_CHECK_MAIN(suite_api)
