# Foundation: numbers, files, JSON, model files, the CLI frame.
libssmheads_core_la_SOURCES += \
	lib/core/status.c lib/core/rational.c lib/core/file.c \
	lib/model/json.c lib/model/read.c lib/model/write.c lib/model/model.c

check_PROGRAMS += tests/check_model
tests_check_model_SOURCES = tests/check_model.c tests/check_util.h
tests_check_model_CFLAGS = $(TEST_CFLAGS)
tests_check_model_LDADD = $(TEST_LIBS)
TESTS += tests/check_model tests/replay.test
EXTRA_DIST += tests/replay.test
