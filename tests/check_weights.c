/*
 * check_weights -- the weights library seen from a binding: tensors added
 * from memory (real, complex, bool), decoded exactly; options set by name;
 * the recognizer's modules; an import with its notes; refusals.
 */
#include "check_util.h"
#include <ssmheads.h>
#include <string.h>

static void add_f32(ssmh_weights_t w, const char *name, int ndim, const slong *shape, const float *v,
                    size_t n)
{
    ssmh_error_t err;
    ck_assert_int_eq(ssmh_weights_add(w, name, "F32", ndim, shape, v, n * sizeof(float), &err), SSMH_OK);
}

/* An LRU-pytorch module (N = 2, d_in = 1, d_out = 1) under "rnn.", plus an
   unrelated bool tensor. */
static void lru_module(ssmh_weights_t w)
{
    static const float nu[2] = {-1.0f, -2.0f}, th[2] = {0.5f, 1.0f}, ga[2] = {0.0f, 0.0f};
    static const float Bc[4] = {1.0f, 0.5f, -0.25f, 0.0f};   /* complex (2, 1) */
    static const float Cc[4] = {0.5f, 0.0f, 1.0f, -1.0f};    /* complex (1, 2) */
    static const float D[1] = {0.75f};
    static const unsigned char mask[3] = {1, 0, 1};
    slong s2[1] = {2}, sb[2] = {2, 1}, sc[2] = {1, 2}, sd[2] = {1, 1}, sm[1] = {3};
    ssmh_error_t err;
    add_f32(w, "rnn.nu_log", 1, s2, nu, 2);
    add_f32(w, "rnn.theta_log", 1, s2, th, 2);
    add_f32(w, "rnn.gamma_log", 1, s2, ga, 2);
    ck_assert_int_eq(ssmh_weights_add(w, "rnn.B", "C64", 2, sb, Bc, sizeof(Bc), &err), SSMH_OK);
    ck_assert_int_eq(ssmh_weights_add(w, "rnn.C", "<c8", 2, sc, Cc, sizeof(Cc), &err), SSMH_OK);
    add_f32(w, "rnn.D", 2, sd, D, 1);
    ck_assert_int_eq(ssmh_weights_add(w, "mask", "BOOL", 1, sm, mask, 3, &err), SSMH_OK);
}

START_TEST(test_add_decode)
{
    ssmh_weights_t w;
    ssmh_error_t err;
    ssmh_tensor_struct *t;
    fmpq_t q;
    slong s[1] = {2};
    ssmh_weights_init(w);
    lru_module(w);
    t = ssmh_weights_get(w, "rnn.", "B");
    ck_assert(t != NULL && t->is_complex && t->data == NULL && t->len == 2);
    ck_assert_int_eq(ssmh_weights_decode(w, t, "mem", &err), SSMH_OK);
    fmpq_init(q);
    fmpq_set_si(q, -1, 4);
    ck_assert(fmpq_equal(t->data + 2, q));               /* B[1] = -1/4 + 0 i */
    t = ssmh_weights_get(w, NULL, "mask");
    ck_assert_int_eq(ssmh_weights_decode(w, t, "mem", &err), SSMH_OK);
    ck_assert(fmpq_is_one(t->data + 0) && fmpq_is_zero(t->data + 1));
    fmpq_clear(q);
    /* wrong byte count, unknown dtype, duplicate name */
    ck_assert_int_eq(ssmh_weights_add(w, "x", "F64", 1, s, "12345678", 8, &err), SSMH_E_PARSE);
    ck_assert_int_eq(ssmh_weights_add(w, "x", "<U5", 1, s, "1234567890", 10, &err), SSMH_E_USAGE);
    ck_assert_int_eq(ssmh_weights_add(w, "mask", "U8", 1, s, "12", 2, &err), SSMH_E_VALUE);
    ssmh_weights_clear(w);
}
END_TEST

START_TEST(test_recognize_import)
{
    ssmh_weights_t w;
    ssmh_error_t err;
    ssmh_import_opts_t o;
    ssmh_model_t m;
    json_t *mods, *mo, *notes = NULL;
    ssmh_weights_init(w);
    lru_module(w);
    mods = ssmh_weights_recognize(w);
    ck_assert_int_eq((long)json_array_size(mods), 1);
    mo = json_array_get(mods, 0);
    ck_assert_str_eq(json_string_value(json_object_get(mo, "layout")), "lru");
    ck_assert_str_eq(json_string_value(json_object_get(mo, "form")), "LRU-pytorch LRU");
    ck_assert_str_eq(json_string_value(json_object_get(mo, "prefix")), "rnn.");
    ck_assert(json_is_true(json_object_get(mo, "importable")));
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(mo, "sizes"), "N")), 2);
    ck_assert(ssmh_weights_get(w, "rnn.", "B")->data == NULL);   /* nothing decoded */
    json_decref(mods);

    ssmh_import_opts_default(&o);
    o.layout = "lru";
    o.prefix = "rnn";                                            /* the dot is added */
    ssmh_model_init(m);
    ck_assert_int_eq(ssmh_import_weights(m, &notes, w, &o, "mem", NULL, &err), SSMH_OK);
    ck_assert_int_eq(m->N, 2);
    ck_assert_int_eq(m->p, 1);
    ck_assert_int_eq((long)json_array_size(notes), 0);           /* everything under rnn. used */
    json_decref(notes);
    ck_assert(ssmh_weights_get(w, NULL, "mask")->data == NULL);  /* unrelated: never decoded */
    /* options by name; one that does not apply is refused */
    ck_assert_int_eq(ssmh_import_opts_set(&o, "clip-eigs", "true", &err), SSMH_OK);
    ck_assert_int_eq(ssmh_import_weights(m, &notes, w, &o, "mem", NULL, &err), SSMH_E_USAGE);
    ck_assert(strstr(err.message, "--clip-eigs") != NULL);
    ck_assert_int_eq(ssmh_import_opts_set(&o, "dt-transform", "cube", &err), SSMH_E_USAGE);
    ck_assert_int_eq(ssmh_import_opts_set(&o, "frobnicate", "1", &err), SSMH_E_USAGE);
    /* no module at the wrong prefix: the message names the right one */
    ssmh_import_opts_default(&o);
    o.layout = "lru";
    ck_assert_int_eq(ssmh_import_weights(m, &notes, w, &o, "mem", NULL, &err), SSMH_E_VALUE);
    ck_assert(strstr(err.message, "use --prefix 'rnn.'") != NULL);
    ssmh_model_clear(m);
    ssmh_weights_clear(w);
}
END_TEST

static Suite *weights_suite(void)
{
    Suite *s = suite_create("weights");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_add_decode);
    tcase_add_test(tc, test_recognize_import);
    suite_add_tcase(s, tc);
    return s;
}

SSMH_CHECK_MAIN(weights_suite)
