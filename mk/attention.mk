# Attention layers: spans and representability (issue 8).
ssmheads_SOURCES += cli/cmd_span.c cli/cmd_represent.c
libssmheads_core_la_SOURCES += lib/attention/read.c lib/attention/span.c \
	lib/attention/represent.c
TESTS += tests/represent_random.test
EXTRA_DIST += tests/represent_random.py tests/represent_random.test
check_PROGRAMS += tests/check_attention
tests_check_attention_SOURCES = tests/check_attention.c tests/check_util.h
tests_check_attention_CFLAGS = $(TEST_CFLAGS)
tests_check_attention_LDADD = $(TEST_LIBS) checker/libssmhcheck.la
TESTS += tests/check_attention
