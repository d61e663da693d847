# Attention layers: spans and representability (issue 8).
ssmheads_SOURCES += cli/cmd_span.c cli/cmd_represent.c
libssmheads_core_la_SOURCES += lib/attention/read.c lib/attention/span.c \
	lib/attention/represent.c
TESTS += tests/represent_random.test
EXTRA_DIST += tests/represent_random.py tests/represent_random.test
