/*
 * check_batch -- the batch library: manifest parsing (both line forms, ids,
 * errors with the line), shards as a partition, one job's result object, and
 * the results scan that --resume relies on (complete lines only).
 */
#include "check_util.h"
#include <ssmheads.h>
#include <string.h>
#include <unistd.h>

static char *write_tmp(const char *text)
{
    static char path[64];
    int fd;
    strcpy(path, "/tmp/ssmh_check_batch_XXXXXX");
    fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

START_TEST(test_manifest_forms)
{
    ssmh_manifest_t mf;
    ssmh_error_t err;
    char *p = write_tmp("# comment\n\n  m1.json  \n"
                        "w.npz --layout s4d --prefix l.0. --discretization bilinear -n 64\n"
                        "{\"weights\": \"my w.npz\", \"layout\": \"s5\", \"output\": \"re\", \"precision\": 24}\n"
                        "{\"model\": \"m2.json\", \"id\": \"second\", \"n\": 8}\n");
    ssmh_manifest_init(mf);
    ck_assert_int_eq(ssmh_manifest_read(mf, p, NULL, &err), SSMH_OK);
    ck_assert_int_eq(mf->n, 4);
    ck_assert_str_eq(mf->e[0].model, "m1.json");
    ck_assert_str_eq(mf->e[0].id, "m1.json");
    ck_assert_int_eq(mf->e[0].line, 3);
    ck_assert_str_eq(mf->e[1].weights, "w.npz");
    ck_assert_str_eq(mf->e[1].import.layout, "s4d");
    ck_assert_str_eq(mf->e[1].import.prefix, "l.0.");
    ck_assert_int_eq(mf->e[1].import.bilinear, 1);
    ck_assert_int_eq(mf->e[1].n, 64);
    ck_assert_str_eq(mf->e[2].weights, "my w.npz");
    ck_assert_int_eq(mf->e[2].import.output_re, 1);
    ck_assert_int_eq(mf->e[2].import.bits, 24);
    ck_assert(strstr(mf->e[2].id, "\"layout\":\"s5\"") != NULL);
    ck_assert_str_eq(mf->e[3].id, "second");
    ck_assert_int_eq(mf->e[3].n, 8);
    ssmh_manifest_clear(mf);
    unlink(p);
}
END_TEST

static const struct { const char *text, *where; } bad[] = {
    {"a.json\nb.json --layout nope\n", "line 2"},
    {"a.json\n#\na.json\n", "line 3"},
    {"{\"model\": \"a\", \"weights\": \"b\", \"layout\": \"dense\"}\n", "line 1"},
    {"{\"model\": [1]}\n", "line 1: $.model"},
    {"[1, 2]\n", "line 1"},
    {"a.json -n 3 extra\n", "line 1"},
    {"a.json --precision 1\n", "line 1"},
    {"\n# only comments\n", ""},
};

START_TEST(test_manifest_errors)
{
    ssmh_manifest_t mf;
    ssmh_error_t err;
    char *p = write_tmp(bad[_i].text);
    ssmh_manifest_init(mf);
    ssmh_error_clear(&err);
    ck_assert_int_ne(ssmh_manifest_read(mf, p, NULL, &err), SSMH_OK);
    ck_assert(err.code == SSMH_E_VALUE || err.code == SSMH_E_PARSE);
    ck_assert_str_eq(err.file, p);
    ck_assert_msg(strcmp(err.path, bad[_i].where) == 0, "case %d: path '%s', expected '%s'", _i,
                  err.path, bad[_i].where);
    ck_assert_int_eq(mf->n, 0);
    ssmh_manifest_clear(mf);
    unlink(p);
}
END_TEST

START_TEST(test_shards_partition)
{
    slong n, i, s, N;
    for (N = 1; N <= 7; N++)
        for (n = 0; n < 30; n++)
            for (i = 0; i < n; i++) {
                slong owners = 0;
                for (s = 0; s < N; s++)
                    owners += ssmh_manifest_in_shard(i, s, N);
                ck_assert_int_eq(owners, 1);
            }
}
END_TEST

START_TEST(test_job_and_scan)
{
    ssmh_batch_entry_t e;
    ssmh_task_t task;
    json_t *res, *cert;
    char **ids;
    slong n;
    size_t good;
    ssmh_error_t err;
    char *mp = strdup(write_tmp("{\"format\":\"ssmheads-model/1\",\"A\":[[\"1/2\",0],[0,\"1/3\"]],"
                                "\"B\":[[1,0],[0,1]],\"C\":[[1,0],[0,1]]}"));
    char *rp;
    memset(&e, 0, sizeof(e));
    ssmh_import_opts_default(&e.import);
    e.id = "x";
    e.line = 7;
    e.model = mp;
    ssmh_task_init(task);
    task->certify = 1;
    ck_assert_int_eq(ssmh_batch_run(&res, &cert, &e, task, NULL), SSMH_OK);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "heads"), "k")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(res, "status")), "ok");
    ck_assert(cert != NULL && json_object_get(cert, "witness") != NULL);
    json_decref(res);
    json_decref(cert);
    e.model = "/nonexistent/m.json";
    ck_assert_int_eq(ssmh_batch_run(&res, &cert, &e, task, NULL), SSMH_E_IO);
    ck_assert(cert == NULL && json_object_get(res, "error") != NULL);
    json_decref(res);
    ssmh_task_clear(task);
    unlink(mp);
    free(mp);

    rp = write_tmp("{\"id\":\"a\"}\n{\"id\":\"b\",\"k\":1}\n{\"id\":\"c\"");
    ck_assert_int_eq(ssmh_results_scan(&ids, &n, &good, rp, &err), SSMH_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(ids[0], "a");
    ck_assert_str_eq(ids[1], "b");
    ck_assert_int_eq((long)good, (long)strlen("{\"id\":\"a\"}\n{\"id\":\"b\",\"k\":1}\n"));
    free(ids[0]);
    free(ids[1]);
    free(ids);
    unlink(rp);
    rp = write_tmp("{\"id\":\"a\"}\n{\"nope\":1}\n");
    ck_assert_int_eq(ssmh_results_scan(&ids, &n, &good, rp, &err), SSMH_E_PARSE);
    ck_assert_str_eq(err.path, "line 2");
    unlink(rp);
    ck_assert_int_eq(ssmh_results_scan(&ids, &n, &good, "/tmp/ssmh_no_such_results", &err), SSMH_OK);
    ck_assert_int_eq(n, 0);
}
END_TEST

static Suite *batch_suite(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_manifest_forms);
    tcase_add_loop_test(tc, test_manifest_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, test_shards_partition);
    tcase_add_test(tc, test_job_and_scan);
    suite_add_tcase(s, tc);
    return s;
}

SSMH_CHECK_MAIN(batch_suite)
