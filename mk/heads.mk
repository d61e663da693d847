# Exact head count, construction, heads certificates (issue 3).
ssmheads_SOURCES += cli/cmd_heads.c cli/cmd_construct.c
libssmheads_core_la_SOURCES += lib/heads/heads-impl.h lib/heads/real.c lib/heads/lags.c \
	lib/heads/modp.c lib/heads/modes.c lib/heads/lu_small.c lib/heads/count.c lib/heads/report.c \
	lib/heads/construct.c lib/heads/simulate.c
TESTS += tests/heads_random.test
EXTRA_DIST += tests/oracle.py tests/heads_random.py tests/heads_random.test
check_PROGRAMS += tests/check_heads
tests_check_heads_SOURCES = tests/check_heads.c tests/check_util.h
tests_check_heads_CFLAGS = $(TEST_CFLAGS)
tests_check_heads_LDADD = $(TEST_LIBS) checker/libssmhcheck.la
TESTS += tests/check_heads
