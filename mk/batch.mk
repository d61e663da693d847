# Batch runs: manifest, jobs, resumable JSON-lines results (issue 5).
ssmheads_SOURCES += cli/cmd_batch.c
libssmheads_core_la_SOURCES += lib/batch/manifest.c lib/batch/job.c lib/batch/results.c
TESTS += tests/batch_run.test
EXTRA_DIST += tests/batch_run.py tests/batch_run.test doc/batch.md tools/batch-slurm.sh \
	tools/batch-parallel.sh
check_PROGRAMS += tests/check_batch
tests_check_batch_SOURCES = tests/check_batch.c tests/check_util.h
tests_check_batch_CFLAGS = $(TEST_CFLAGS)
tests_check_batch_LDADD = $(TEST_LIBS)
TESTS += tests/check_batch
