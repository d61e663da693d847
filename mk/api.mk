# The JSON entry point (ssmheads/api.h) that bindings and `ssmheads call`
# use, and the reports it shares with the program (ssmheads/report.h:
# attention highways, SVG plots) -- issue 18.
ssmheadsinclude_HEADERS += lib/ssmheads/api.h lib/ssmheads/report.h
libssmheads_core_la_SOURCES += lib/api/api-impl.h lib/api/call.c lib/api/request.c \
	lib/api/models.c lib/api/tensors.c lib/api/base64.c lib/api/heads.c lib/api/gradient.c \
	lib/api/approx.c lib/api/attention.c \
	lib/report/svg-impl.h lib/report/svg.c lib/report/highways.c lib/report/gradient_svg.c \
	lib/report/approx_svg.c
ssmheads_SOURCES += cli/cmd_call.c

# The entry point's Check suite: every command, every error path, under
# valgrind in `make check-valgrind` (the Python tests are not: doc/python.md).
check_PROGRAMS += tests/check_api
tests_check_api_SOURCES = tests/check_api.c tests/check_util.h
tests_check_api_CFLAGS = $(TEST_CFLAGS)
tests_check_api_LDADD = $(TEST_LIBS) checker/libssmhcheck.la
TESTS += tests/check_api
