# Hardening: fuzzing, sanitizers, valgrind, mutation campaign (issue 7).
TESTS += tests/fuzz_smoke.test
EXTRA_DIST += tests/fuzz_smoke.py tests/fuzz_smoke.test

# libFuzzer harnesses (clang; doc/fuzzing.md): make fuzz [FUZZ_SECONDS=600]
FUZZ_SECONDS = 600
EXTRA_DIST += tools/fuzz.sh fuzz/fuzz_model.c fuzz/fuzz_cert.c fuzz/fuzz_weights.c doc/fuzzing.md
fuzz: all
	SSMHEADS='$(abs_top_builddir)/ssmheads' $(SHELL) $(top_srcdir)/tools/fuzz.sh $(FUZZ_SECONDS)
.PHONY: fuzz
