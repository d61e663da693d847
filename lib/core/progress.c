/*
 * Progress reports of long loops (ssmheads/core.h).  Guarantee: the
 * library only calls the caller's function, never prints; the call is
 * rate-limited (a new stage, a new `what` pointer, always passes) so that
 * loops may report every iteration.
 */
#include "ssmheads-impl.h"
#include <time.h>

void ssmh_progress_step(const ssmh_limits_t *lim, const char *what, double done, double total)
{
    ssmh_progress_t *p;
    struct timespec ts;
    double now;
    if (lim == NULL || (p = lim->progress) == NULL || p->fn == NULL)
        return;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    if (p->last > 0 && what == p->last_what && now - p->last < (p->interval > 0 ? p->interval : 0.25))
        return;
    p->last = now;
    p->last_what = what;
    p->fn(p->arg, what, done, total);
}
