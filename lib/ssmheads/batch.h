/*
 * ssmheads/batch.h -- many models in one run: the manifest, one job per
 * entry, and the JSON-lines results that make a run resumable.
 *
 * Guarantee: a manifest that reads has every entry checked (paths present,
 * options known, ids unique) before anything runs; a job never prints or
 * exits and always yields one result object, success or error; the
 * results scan accepts only complete lines and reports the byte length of
 * the complete prefix, so an interrupted append can be cut off exactly.
 * Threads, signals, progress and file appends are the caller's (the CLI).
 */
#ifndef SSMHEADS_BATCH_H
#define SSMHEADS_BATCH_H

#include <ssmheads/weights.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One manifest entry: a model file, or a weight file with a layout. */
typedef struct {
    char *id;         /* the entry's "id", or its line text (unique) */
    slong line;       /* 1-based line in the manifest */
    char *model;      /* model file path, or NULL */
    char *weights;    /* weight file or directory, or NULL */
    ssmh_import_opts_t import;  /* layout options when weights != NULL */
    slong n;          /* sequence length for this entry, 0 = the run's */
} ssmh_batch_entry_t;

typedef struct {
    slong n;
    ssmh_batch_entry_t *e;
} ssmh_manifest_struct;
typedef ssmh_manifest_struct ssmh_manifest_t[1];

void ssmh_manifest_init(ssmh_manifest_t mf);
void ssmh_manifest_clear(ssmh_manifest_t mf);
/* Read a manifest ("-" = stdin).  Each line is blank, a comment (#), a
   JSON object {"model": P} or {"weights": P, "layout": L, ...} (doc/batch.md),
   or "PATH [--layout L] [--prefix P] [--discretization D] [--output O]
   [--precision B] [-n N]".  Errors name the file and "line N". */
int ssmh_manifest_read(ssmh_manifest_t mf, const char *path, const ssmh_limits_t *lim,
                       ssmh_error_t *err);
/* Does entry i (0-based, in manifest order) belong to shard `shard` of
   `nshards` (0 <= shard < nshards)?  Round robin: i mod nshards. */
int ssmh_manifest_in_shard(slong i, slong shard, slong nshards);

/* What each job computes. */
typedef enum { SSMH_TASK_HEADS = 1, SSMH_TASK_GRADIENT, SSMH_TASK_MINIMAL } ssmh_task_kind_t;
typedef struct {
    ssmh_task_kind_t kind;
    slong n;          /* heads/gradient: sequence length (0 = the model's or every n) */
    slong lags;       /* gradient: --lags */
    fmpq_t eps;       /* gradient: --eps, 0 = none */
    int certify;      /* build the certificate too (heads, gradient) */
} ssmh_task_struct;
typedef ssmh_task_struct ssmh_task_t[1];
void ssmh_task_init(ssmh_task_t t);
void ssmh_task_clear(ssmh_task_t t);
const char *ssmh_task_name(ssmh_task_kind_t k);

/* Run one entry.  *result receives a new object {"id", "line", "source",
   "status", TASK: {...}} on success or {"id", "line", "source", "status",
   "error": {"file", "path", "message"}} on failure; *cert a certificate or
   NULL.  Returns the job's status (SSMH_OK or the error's code). */
int ssmh_batch_run(json_t **result, json_t **cert, const ssmh_batch_entry_t *e,
                   const ssmh_task_t task, const ssmh_limits_t *lim);

/* Scan an existing results file: the ids of its complete lines (malloc'd
   strings in *ids, count *n), and *good = the byte length of the prefix made
   of complete lines.  A last line without its newline is not counted (an
   interrupted append); any other line that is not a result object is an
   error naming the file and line.  A missing file gives n = good = 0. */
int ssmh_results_scan(char ***ids, slong *n, size_t *good, const char *path,
                      ssmh_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
