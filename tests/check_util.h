/*
 * check_util.h -- shared test plumbing: a main() per suite, a reproducible
 * seed (SSMH_TEST_SEED) and a loop multiplier (SSMH_TEST_MULT).
 */
#ifndef SSMH_CHECK_UTIL_H
#define SSMH_CHECK_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <flint/flint.h>

static inline unsigned long ssmh_test_seed(void)
{
    const char *s = getenv("SSMH_TEST_SEED");
    return s ? strtoul(s, NULL, 10) : 20261124UL;
}

static inline long ssmh_test_mult(void)
{
    const char *s = getenv("SSMH_TEST_MULT");
    long m = s ? atol(s) : 1;
    return m > 0 ? m : 1;
}

/* Define main() running one suite with Check's summary line. */
#define SSMH_CHECK_MAIN(suite_fn)                                         \
    int main(void)                                                        \
    {                                                                     \
        int nf;                                                           \
        SRunner *sr = srunner_create(suite_fn());                         \
        printf("seed %lu (set SSMH_TEST_SEED to replay)\n", ssmh_test_seed()); \
        srunner_run_all(sr, CK_NORMAL);                                   \
        nf = srunner_ntests_failed(sr);                                   \
        srunner_free(sr);                                                 \
        flint_cleanup();                                                  \
        return nf == 0 ? 0 : 1;                                           \
    }

#endif
