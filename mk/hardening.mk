# Hardening: fuzzing, sanitizers, valgrind, mutation campaign (issue 7).
