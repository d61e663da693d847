# The independent certificate checker (GMP + jansson only, no FLINT).
noinst_LTLIBRARIES += checker/libssmhcheck.la
checker_libssmhcheck_la_SOURCES = checker/ssmhc.h checker/ssmhc-impl.h \
	checker/qmat.c checker/json.c checker/model.c checker/modp.c checker/modes.c checker/elim.c \
	checker/verify.c checker/cli.c checker/kind_heads.c \
	checker/kind_represent.c checker/kind_gradient.c checker/kind_approx.c \
	checker/annihilator.c checker/envelope.c checker/approx_enclosure.c checker/approx_modes.c \
	checker/limits.c checker/dyadic.c checker/horizon.c checker/identify.c \
	checker/psd_factor.c checker/dot_exact.c checker/lag_norms.c checker/smat.c
checker_libssmhcheck_la_CPPFLAGS = -I$(top_srcdir)/checker
checker_libssmhcheck_la_CFLAGS = $(WARN_CFLAGS) $(JANSSON_CFLAGS)
checker_libssmhcheck_la_LIBADD = $(JANSSON_LIBS) $(GMP_LIBS) $(LIBM)

bin_PROGRAMS += ssmheads-verify
ssmheads_verify_SOURCES = checker/main.c
ssmheads_verify_CPPFLAGS = -I$(top_srcdir)/checker
ssmheads_verify_CFLAGS = $(WARN_CFLAGS) $(JANSSON_CFLAGS)
ssmheads_verify_LDADD = checker/libssmhcheck.la $(JANSSON_LIBS) $(GMP_LIBS)

ssmheads_SOURCES += cli/cmd_verify.c
ssmheads_LDADD += checker/libssmhcheck.la

TESTS += tests/checker_noflint.test
EXTRA_DIST += tests/checker_noflint.test
