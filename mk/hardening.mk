# Hardening: fuzzing, sanitizers, valgrind, mutation campaign (issue 7).
TESTS += tests/fuzz_smoke.test tests/second_checker.test tests/mutation_campaign.test \
	tests/limits.test
EXTRA_DIST += tests/fuzz_smoke.py tests/fuzz_smoke.test tests/verify_heads.py \
	tests/second_checker.py tests/second_checker.test tests/mutation_campaign.py \
	tests/mutation_campaign.test tools/valgrind-run.sh doc/trust.md doc/mutation.md \
	tests/limits.py tests/limits.test tests/verify_gradient.py tests/verify_represent.py

# The whole mutation campaign (every enumerated mutant; doc/mutation.md).
mutation-campaign: all
	SSMHEADS='$(abs_top_builddir)/ssmheads' SSMHEADS_VERIFY='$(abs_top_builddir)/ssmheads-verify' \
	  top_srcdir='$(abs_top_srcdir)' $(PYTHON3) $(top_srcdir)/tests/mutation_campaign.py
.PHONY: mutation-campaign

# libFuzzer harnesses (clang; doc/fuzzing.md): make fuzz [FUZZ_SECONDS=600]
FUZZ_SECONDS = 600
EXTRA_DIST += tools/fuzz.sh fuzz/fuzz_model.c fuzz/fuzz_cert.c fuzz/fuzz_weights.c doc/fuzzing.md
fuzz: all
	SSMHEADS='$(abs_top_builddir)/ssmheads' $(SHELL) $(top_srcdir)/tools/fuzz.sh $(FUZZ_SECONDS)
.PHONY: fuzz

# The whole suite under valgrind memcheck: Check programs through
# tools/valgrind-run.sh, script tests with the program wrapped the same way.
# Any memory error or leak turns into exit 99, which every test treats as a
# failure.  The random script tests run a quarter of their seeded cases
# (SSMH_TEST_MULT=0.25; set it to 1 for all of them).
check-valgrind: all $(check_PROGRAMS)
	printf '#!/bin/sh\nexec "%s/tools/valgrind-run.sh" "%s/ssmheads" "$$@"\n' \
	  '$(abs_top_srcdir)' '$(abs_top_builddir)' > vg-ssmheads
	printf '#!/bin/sh\nexec "%s/tools/valgrind-run.sh" "%s/ssmheads-verify" "$$@"\n' \
	  '$(abs_top_srcdir)' '$(abs_top_builddir)' > vg-ssmheads-verify
	chmod +x vg-ssmheads vg-ssmheads-verify
	SSMH_TEST_MULT=$${SSMH_TEST_MULT:-0.25} $(MAKE) $(AM_MAKEFLAGS) check \
	  LOG_COMPILER='$(abs_top_srcdir)/tools/valgrind-run.sh' \
	  SSMHEADS_PROGRAM='$(abs_top_builddir)/vg-ssmheads' \
	  SSMHEADS_VERIFY_PROGRAM='$(abs_top_builddir)/vg-ssmheads-verify' \
	  TEST_SUITE_LOG=test-suite-valgrind.log
.PHONY: check-valgrind
CLEANFILES += vg-ssmheads vg-ssmheads-verify
