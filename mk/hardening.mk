# Hardening: fuzzing, sanitizers, valgrind, mutation campaign (issue 7).
TESTS += tests/fuzz_smoke.test
EXTRA_DIST += tests/fuzz_smoke.py tests/fuzz_smoke.test
