# Foundation: numbers, files, JSON, model files, the CLI frame.
libssmheads_core_la_SOURCES += \
	lib/core/status.c lib/core/rational.c lib/core/file.c lib/core/dyadic.c \
	lib/core/progress.c \
	lib/model/json.c lib/model/read.c lib/model/write.c lib/model/model.c lib/model/spmat.c \
	lib/model/checkable.c lib/model/mode_order.c

check_PROGRAMS += tests/check_model
tests_check_model_SOURCES = tests/check_model.c tests/check_util.h
tests_check_model_CFLAGS = $(TEST_CFLAGS)
tests_check_model_LDADD = $(TEST_LIBS)
TESTS += tests/check_model tests/replay.test tests/exports.test tests/progress.test
EXTRA_DIST += tests/replay.test tests/exports.test tests/progress.py tests/progress.test

# `make installcheck` (run by distcheck): a user program built only from the
# installed header and ssmheads.pc.
EXTRA_DIST += tests/install_prog.c
installcheck-local:
	PKG_CONFIG_PATH="$(DESTDIR)$(libdir)/pkgconfig$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH}"; \
	export PKG_CONFIG_PATH; \
	$(CC) -o install_prog$(EXEEXT) $(srcdir)/tests/install_prog.c \
	  `$(PKG_CONFIG) --define-variable=prefix=$(DESTDIR)$(prefix) --cflags --libs ssmheads` && \
	LD_LIBRARY_PATH="$(DESTDIR)$(libdir)" ./install_prog$(EXEEXT); \
	rc=$$?; rm -f install_prog$(EXEEXT); exit $$rc
