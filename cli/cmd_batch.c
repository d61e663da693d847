/*
 * ssmheads batch -- run a task (heads, gradient or minimal) on every model
 * of a manifest, in parallel threads, appending one JSON line per model.
 *
 * Guarantees: each result line (and each certificate, written before the
 * line that names it) is written whole under one lock with one append, so a
 * line is either complete or absent; SIGINT, SIGTERM, SIGHUP, SIGQUIT and
 * the CPU limit, whichever thread receives them, are passed to one signal
 * thread that waits for that lock before the process exits, so an
 * interruption never cuts a line or leaves a temporary file.  --resume reads back the complete lines, cuts off an unterminated
 * last line and runs only the entries without a result: nothing is lost
 * and nothing is duplicated.  The mathematics is the library's
 * (ssmh_batch_run); this file only schedules, writes and reports.
 */
#include "cli.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "Usage: ssmheads batch MANIFEST [--jobs J] [--shard I/N] [--out RESULTS.jsonl]\n"
    "                      [--resume] [--task heads|gradient|minimal] [-n N]\n"
    "                      [--eps E] [--lags L] [--cert-dir DIR] [--no-progress]\n"
    "Run the task on every entry of MANIFEST (one per line: a model file, or a\n"
    "weight file with --layout and its options, or a JSON line; doc/batch.md)\n"
    "and append one JSON line per entry to RESULTS (stdout without --out).\n"
    "  --jobs J        models run in parallel threads (default: the cores)\n"
    "  --shard I/N     run only entries with index mod N = I (0 <= I < N), so\n"
    "                  N machines share a manifest with no coordinator\n"
    "  --out FILE      results file; refused if it exists, unless --resume\n"
    "  --resume        keep FILE's complete lines and run only the entries\n"
    "                  that have none\n"
    "  --task T        heads (default), gradient or minimal\n"
    "  -n N            sequence length (heads; default: each model's length)\n"
    "  --eps E         gradient: the horizon's epsilon\n"
    "  --lags L        gradient: exact norms for lags 0..L (default 16)\n"
    "  --cert-dir DIR  write each claim's certificate into DIR (heads, gradient)\n"
    "Exit status: the largest exit status of the entries run (0: all succeeded),\n"
    "3 usage, 4 invalid manifest, 5 results I/O; 128+signal when interrupted\n"
    "(the results so far are complete: rerun with --resume).\n" CLI_LIMIT_HELP;

typedef struct {
    ssmh_manifest_t mf;
    slong *todo, ntodo;        /* entry indices to run, in order */
    slong next;                /* next position in todo (under lock) */
    ssmh_task_t task;
    ssmh_limits_t lim;
    const char *out, *cert_dir;
    int fd;                    /* results: the file (O_APPEND) or stdout */
    int progress;
    slong done, failed;
    int worst;                 /* largest exit status so far */
    int io_error;
    struct timespec t0;
    pthread_mutex_t lock;      /* guards every write and the counters */
} batch_t;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static void draw_progress(batch_t *b, int final)
{
    char bar[41];
    slong i, fill = b->ntodo ? 40 * b->done / b->ntodo : 40;
    for (i = 0; i < 40; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\r[%s] %ld/%ld  failed %ld  %.0fs%s", bar, (long)b->done, (long)b->ntodo,
            (long)b->failed, since(&b->t0), final ? "\n" : "");
    fflush(stderr);
}

/* The certificate's file: DIR/<source basename>-<hash of the id>.cert.json */
static void cert_path(char *out, size_t size, const batch_t *b, const ssmh_batch_entry_t *e)
{
    const char *src = e->model ? e->model : e->weights, *base = strrchr(src, '/');
    uint64_t h = ssmh_hash_bytes(UINT64_C(1469598103934665603), e->id, strlen(e->id));
    base = base ? base + 1 : src;
    snprintf(out, size, "%s/%.100s-%016llx.cert.json", b->cert_dir, base, (unsigned long long)h);
}

/* Record one finished job: certificate first, then its line, under the lock. */
static void record(batch_t *b, const ssmh_batch_entry_t *e, json_t *res, json_t *cert, int rc,
                   double secs)   /* secs: the job's wall time, recorded as "ms" */
{
    int code = cli_exit_code(rc);
    char path[1024];
    char *line;
    ssmh_error_t err;
    pthread_mutex_lock(&b->lock);
    if (cert != NULL) {
        char *s = ssmh_json_dumps(cert);
        cert_path(path, sizeof(path), b, e);
        ssmh_error_clear(&err);
        if (s == NULL || ssmh_file_write_atomic(path, s, strlen(s), &err) != SSMH_OK) {
            json_object_set_new(res, "cert_error", json_string(err.message));
            code = code > CLI_EXIT_IO ? code : CLI_EXIT_IO;
        } else {
            json_object_set_new(res, "cert", json_string(path));
        }
        free(s);
    }
    json_object_set_new(res, "exit", json_integer(code));
    json_object_set_new(res, "ms", json_integer((json_int_t)(secs * 1000 + 0.5)));
    line = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (line == NULL || write_all(b->fd, line, strlen(line)) != 0 || write_all(b->fd, "\n", 1) != 0)
        b->io_error = 1;
    free(line);
    b->done++;
    if (code != CLI_EXIT_OK)
        b->failed++;
    if (code > b->worst)
        b->worst = code;
    if (b->progress)
        draw_progress(b, 0);
    pthread_mutex_unlock(&b->lock);
}

static void *worker(void *arg)
{
    batch_t *b = arg;
    for (;;) {
        slong k;
        json_t *res, *cert;
        struct timespec t0;
        int rc;
        pthread_mutex_lock(&b->lock);
        k = b->io_error ? b->ntodo : b->next++;
        pthread_mutex_unlock(&b->lock);
        if (k >= b->ntodo)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = ssmh_batch_run(&res, &cert, b->mf->e + b->todo[k], b->task, &b->lim);
        record(b, b->mf->e + b->todo[k], res, cert, rc, since(&t0));
        json_decref(res);
        json_decref(cert);
    }
    flint_cleanup();
    return NULL;
}

/* The signal thread: the process-wide handlers (cli_signals_install) write
   each signal's number into the pipe this thread reads; a 0 byte from the
   main thread means the run is over.  A signal ends the process once no
   line or certificate is half written (the lock). */
typedef struct {
    batch_t *b;
    int fd;   /* read end of the pipe */
} sigthread_t;

static void *signal_thread(void *arg)
{
    sigthread_t *st = arg;
    batch_t *b = st->b;
    unsigned char c = 0;
    ssize_t n;
    do
        n = read(st->fd, &c, 1);
    while (n < 0 && errno == EINTR);
    if (n <= 0 || c == 0)
        return NULL;
    pthread_mutex_lock(&b->lock);       /* no line or certificate half written */
    if (b->fd != STDOUT_FILENO)
        fsync(b->fd);
    if (b->progress)
        fputc('\n', stderr);
    fprintf(stderr, "%s: batch: %s after %ld of %ld entries; the results are complete, "
            "rerun with --resume to finish\n", cli_progname,
            c == SIGXCPU ? "CPU time limit (--timeout) hit" : "interrupted", (long)b->done,
            (long)b->ntodo);
    _exit(c == SIGXCPU ? CLI_EXIT_LIMIT : 128 + c);
    return NULL;
}

static int parse_shard(long *i, long *n, const char *arg)
{
    char *end;
    errno = 0;
    *i = strtol(arg, &end, 10);
    if (errno || end == arg || *end != '/')
        return -1;
    arg = end + 1;
    *n = strtol(arg, &end, 10);
    if (errno || end == arg || *end != '\0' || *n < 1 || *i < 0 || *i >= *n)
        return -1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Open the results: refuse to overwrite, or resume (cut off an unterminated
   last line).  Marks the done entries in `skip`. */
static int open_results(batch_t *b, int resume, char *skip)
{
    char **ids = NULL;
    slong nid = 0, i, j;
    size_t good = 0;
    ssmh_error_t err;
    struct stat st;
    if (b->out == NULL) {
        b->fd = STDOUT_FILENO;
        return CLI_EXIT_OK;
    }
    if (!resume && stat(b->out, &st) == 0)
        return cli_usage_error("batch", "%s exists: use --resume to continue that run, or remove it",
                               b->out);
    ssmh_error_clear(&err);
    if (resume && ssmh_results_scan(&ids, &nid, &good, b->out, &err) != SSMH_OK)
        return cli_report(&err);
    /* done ids, sorted once: each entry is looked up in O(log n), not
       compared with every result line */
    if (nid > 0) {
        qsort(ids, (size_t)nid, sizeof(char *), cmp_str);
        for (j = 0; j < b->mf->n; j++) {
            const char *key = b->mf->e[j].id;
            if (bsearch(&key, ids, (size_t)nid, sizeof(char *), cmp_str) != NULL)
                skip[j] = 1;
        }
    }
    for (i = 0; i < nid; i++)
        free(ids[i]);
    free(ids);
    b->fd = open(b->out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (b->fd < 0 || (resume && ftruncate(b->fd, (off_t)good) != 0)) {
        fprintf(stderr, "%s: %s: cannot open for appending: %s\n", cli_progname, b->out, strerror(errno));
        if (b->fd >= 0)
            close(b->fd);
        b->fd = -1;
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}

int cli_cmd_batch(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"jobs", required_argument, NULL, 'j'},
        {"shard", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"resume", no_argument, NULL, 'r'},
        {"task", required_argument, NULL, 't'},
        {"eps", required_argument, NULL, 'e'},
        {"lags", required_argument, NULL, 'L'},
        {"cert-dir", required_argument, NULL, 'c'},
        CLI_LIMIT_LONGOPTS,
        {NULL, 0, NULL, 0}};
    batch_t b;
    ssmh_error_t err;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN), shard = 0, nshards = 1, v;
    int opt, rc, resume = 0;
    slong i, j, in_shard = 0;
    char *skip;
    pthread_t *th, sth;
    sigthread_t sarg;
    int pfd[2];
    const char *env = getenv("SSMHEADS_THREADS");

    memset(&b, 0, sizeof(b));
    if (env != NULL && atol(env) > 0)
        jobs = atol(env);
    ssmh_limits_default(&b.lim);
    ssmh_task_init(b.task);
    ssmh_manifest_init(b.mf);
    optind = 1;
    rc = CLI_EXIT_OK;
    while (rc == CLI_EXIT_OK && (opt = getopt_long(argc, argv, "n:o:j:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': rc = -1; break;
        case 'j': rc = cli_parse_long(&jobs, "batch", "--jobs", optarg, 1, 1024); break;
        case 's':
            if (parse_shard(&shard, &nshards, optarg) != 0)
                rc = cli_usage_error("batch", "--shard expects I/N with 0 <= I < N, got '%s'", optarg);
            break;
        case 'o': b.out = optarg; break;
        case 'r': resume = 1; break;
        case 't':
            if (strcmp(optarg, "heads") == 0)
                b.task->kind = SSMH_TASK_HEADS;
            else if (strcmp(optarg, "gradient") == 0)
                b.task->kind = SSMH_TASK_GRADIENT;
            else if (strcmp(optarg, "minimal") == 0)
                b.task->kind = SSMH_TASK_MINIMAL;
            else
                rc = cli_usage_error("batch", "--task must be heads, gradient or minimal");
            break;
        case 'n':
            if ((rc = cli_parse_long(&v, "batch", "-n", optarg, 1, b.lim.max_length)) == 0)
                b.task->n = v;
            break;
        case 'e':
            if ((rc = cli_parse_rational(b.task->eps, "batch", "--eps", optarg)) == 0
                && fmpq_sgn(b.task->eps) <= 0)
                rc = cli_usage_error("batch", "--eps must be positive");
            break;
        case 'L':
            if ((rc = cli_parse_long(&v, "batch", "--lags", optarg, 0, 1L << 20)) == 0)
                b.task->lags = v;
            break;
        case 'c': b.cert_dir = optarg; break;
        default: rc = cli_other_option(&b.lim, opt, optarg, "batch"); break;
        }
    }
    if (rc == -1 || rc != CLI_EXIT_OK) {
        ssmh_task_clear(b.task);
        return rc == -1 ? cli_help(usage) : rc;
    }
    if (optind + 1 != argc)
        rc = cli_usage_error("batch", "expected exactly one MANIFEST");
    else if (resume && b.out == NULL)
        rc = cli_usage_error("batch", "--resume needs --out (the results file to continue)");
    else if (b.cert_dir && b.task->kind == SSMH_TASK_MINIMAL)
        rc = cli_usage_error("batch", "--cert-dir: the minimal task has no certificate");
    if (rc != CLI_EXIT_OK) {
        ssmh_task_clear(b.task);
        return rc;
    }
    b.task->certify = b.cert_dir != NULL;
    ssmh_error_clear(&err);
    if (ssmh_manifest_read(b.mf, argv[optind], &b.lim, &err) != SSMH_OK) {
        ssmh_task_clear(b.task);
        return cli_report(&err);
    }
    if (b.cert_dir != NULL && mkdir(b.cert_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s: cannot create the certificate directory: %s\n", cli_progname,
                b.cert_dir, strerror(errno));
        ssmh_manifest_clear(b.mf);
        ssmh_task_clear(b.task);
        return CLI_EXIT_IO;
    }
    skip = calloc((size_t)b.mf->n, 1);
    b.todo = malloc(sizeof(slong) * (size_t)b.mf->n);
    if (skip == NULL || b.todo == NULL)
        abort();
    rc = open_results(&b, resume, skip);
    if (rc == CLI_EXIT_OK) {
        for (i = 0; i < b.mf->n; i++)
            if (ssmh_manifest_in_shard(i, shard, nshards)) {
                in_shard++;
                if (!skip[i])
                    b.todo[b.ntodo++] = i;
            }
        if (jobs > b.ntodo)
            jobs = b.ntodo > 0 ? b.ntodo : 1;
        if (jobs > 1)
            flint_set_num_threads(1);   /* parallel models, one FLINT thread each */
        b.progress = cli_progress_wanted();   /* --no-progress, a terminal */
        cli_progress_disable();   /* batch draws its own bar, not the models' */
        pthread_mutex_init(&b.lock, NULL);
        clock_gettime(CLOCK_MONOTONIC, &b.t0);
        /* every handled signal goes to the signal thread, through a pipe */
        cli_limits_apply(&b.lim);   /* limits and the process-wide handlers */
        if (pipe(pfd) != 0) {
            fprintf(stderr, "%s: batch: cannot create a pipe: %s\n", cli_progname, strerror(errno));
            abort();
        }
        sarg.b = &b;
        sarg.fd = pfd[0];
        cli_signals_forward(pfd[1]);
        pthread_create(&sth, NULL, signal_thread, &sarg);
        th = malloc(sizeof(pthread_t) * (size_t)jobs);
        if (th == NULL)
            abort();
        for (j = 0; j < jobs; j++)
            pthread_create(th + j, NULL, worker, &b);
        for (j = 0; j < jobs; j++)
            pthread_join(th[j], NULL);
        free(th);
        {
            unsigned char zero = 0;   /* the run is over: stop the signal thread */
            while (write(pfd[1], &zero, 1) < 0 && errno == EINTR)
                ;
        }
        pthread_join(sth, NULL);
        cli_signals_forward(-1);
        close(pfd[0]);
        close(pfd[1]);
        pthread_mutex_destroy(&b.lock);
        if (b.progress)
            draw_progress(&b, 1);
        if (b.fd != STDOUT_FILENO && (fsync(b.fd) != 0 || close(b.fd) != 0))
            b.io_error = 1;
        if (b.io_error) {
            fprintf(stderr, "%s: %s: cannot write the results: %s\n", cli_progname,
                    b.out ? b.out : "stdout", strerror(errno));
            rc = CLI_EXIT_IO;
        } else {
            rc = b.worst;
        }
        if (b.progress)
            fprintf(stderr, "%s: batch: %ld entries run, %ld failed, %ld already done, %ld in other shards\n",
                    cli_progname, (long)b.ntodo, (long)b.failed, (long)(in_shard - b.ntodo),
                    (long)(b.mf->n - in_shard));
    }
    free(skip);
    free(b.todo);
    ssmh_manifest_clear(b.mf);
    ssmh_task_clear(b.task);
    return rc;
}
