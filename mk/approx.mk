# Certified approximate head count (issue 6).
ssmheads_SOURCES += cli/cmd_approx.c
libssmheads_core_la_SOURCES += lib/approx/approx-impl.h lib/approx/gram.c lib/approx/approx.c \
	lib/approx/enclosure.c lib/approx/modes.c lib/approx/symeig.c
TESTS += tests/approx_random.test
EXTRA_DIST += tests/approx_random.py tests/approx_random.test tests/verify_approx.py \
	tests/approx_enclosure_gen.py
