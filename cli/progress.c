/* Progress of long work on stderr: what the library is doing and how far
   it is, drawn on one line (\r) when stderr is a terminal and the command
   has run for 2 seconds (SSMHEADS_PROGRESS_DELAY overrides, for tests),
   never with --no-progress.  The library reports through lim->progress
   (ssmheads/core.h); a small thread redraws the elapsed time while one
   step runs long without reporting.  cli_progress_clear() erases the line
   before the command prints anything. */
#include "cli.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int disabled;               /* --no-progress */
static int running;                /* the hook and the thread are installed */
static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static ssmh_progress_t hook;
static struct timespec t0;
static double delay = 2.0, last_draw;
static char what[160];
static double done, total;
static int have, stop, drawn;

void cli_progress_disable(void)
{
    disabled = 1;
}

int cli_progress_wanted(void)
{
    return !disabled && isatty(STDERR_FILENO);
}

static double elapsed(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - t0.tv_nsec);
}

/* Under mu. */
static void draw(void)
{
    double el = elapsed();
    if (!have || stop || el < delay)
        return;
    if (total > 0)
        fprintf(stderr, "\r%s: %s: %.0f of %.0f (%.0f%%), %.0fs\033[K", cli_progname, what, done, total,
                100.0 * done / total, el);
    else
        fprintf(stderr, "\r%s: %s, %.0fs\033[K", cli_progname, what, el);
    fflush(stderr);
    drawn = 1;
    last_draw = el;
}

static void report(void *arg, const char *w, double d, double t)
{
    int changed;
    (void)arg;
    pthread_mutex_lock(&mu);
    changed = strncmp(what, w, sizeof(what) - 1) != 0;
    snprintf(what, sizeof(what), "%s", w);
    done = d;
    total = t;
    have = 1;
    if (changed || elapsed() - last_draw >= 0.2)
        draw();
    pthread_mutex_unlock(&mu);
}

static void *redraw(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&cv, &mu, &until);
        draw();
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

void cli_progress_start(ssmh_limits_t *lim)
{
    const char *env = getenv("SSMHEADS_PROGRESS_DELAY");
    if (running || !cli_progress_wanted())
        return;
    if (env != NULL)
        delay = atof(env);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(&hook, 0, sizeof(hook));
    hook.fn = report;
    hook.interval = 0.1;
    lim->progress = &hook;
    stop = 0;
    if (pthread_create(&thread, NULL, redraw, NULL) == 0)
        running = 1;
    else
        lim->progress = NULL;
}

void cli_progress_clear(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&mu);
    stop = 1;
    if (drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        drawn = 0;
    }
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    running = 0;
}
