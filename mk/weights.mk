# Weight import, layouts, discretization, the recognizer (issues 5, 16).
ssmheads_SOURCES += cli/cmd_import.c cli/cmd_inspect.c
libssmheads_core_la_SOURCES += lib/weights/weights-impl.h lib/weights/decode.c \
	lib/weights/read.c lib/weights/lookup.c lib/weights/options.c lib/weights/import.c \
	lib/weights/recognize.c lib/weights/layout.c lib/weights/discretize.c \
	lib/weights/s4d.c lib/weights/lru.c lib/weights/s5.c lib/weights/mamba2.c
TESTS += tests/weights_import.test
EXTRA_DIST += tests/weights_import.py tests/weights_import.test
TESTS += tests/weights_reference.test
EXTRA_DIST += tests/weights_reference.py tests/weights_reference.test tests/weights_reference_make.py
check_PROGRAMS += tests/check_weights
tests_check_weights_SOURCES = tests/check_weights.c tests/check_util.h
tests_check_weights_CFLAGS = $(TEST_CFLAGS)
tests_check_weights_LDADD = $(TEST_LIBS)
TESTS += tests/check_weights
