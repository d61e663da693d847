# Exact head count, construction, heads certificates (issue 3).
ssmheads_SOURCES += cli/cmd_heads.c cli/cmd_construct.c
libssmheads_core_la_SOURCES += lib/heads/heads-impl.h lib/heads/lags.c \
	lib/heads/modp.c lib/heads/count.c lib/heads/report.c
TESTS += tests/heads_random.test
EXTRA_DIST += tests/oracle.py tests/heads_random.py tests/heads_random.test
