# Gradient attenuation, stability, minimal realization (issue 4).
ssmheads_SOURCES += cli/cmd_gradient.c cli/cmd_minimal.c
libssmheads_core_la_SOURCES += lib/minimal/minimal.c lib/gradient/psd.c \
	lib/gradient/psd_factor.c lib/gradient/lag_norms.c lib/gradient/gram.c \
	lib/gradient/spectrum.c lib/gradient/envelope.c lib/gradient/horizon.c lib/gradient/report.c \
	lib/gradient/evidence.c lib/gradient/numeric.c \
	lib/gradient/marginal.c lib/gradient/stein.c
TESTS += tests/minimal_random.test
EXTRA_DIST += tests/minimal_random.py tests/minimal_random.test
TESTS += tests/gradient_random.test
EXTRA_DIST += tests/gradient_random.py tests/gradient_random.test
TESTS += tests/horizon_random.test
EXTRA_DIST += tests/horizon_random.py tests/horizon_random.test
TESTS += tests/gradient_hard.test
EXTRA_DIST += tests/gradient_hard.py tests/gradient_hard.test tests/exact_spectrum.py
check_PROGRAMS += tests/check_gradient
tests_check_gradient_SOURCES = tests/check_gradient.c tests/check_util.h
tests_check_gradient_CFLAGS = $(TEST_CFLAGS)
tests_check_gradient_LDADD = $(TEST_LIBS) checker/libssmhcheck.la
TESTS += tests/check_gradient
