"""Many models at once: one library call per model, in threads (the native
call releases the GIL, so they run in parallel)."""
import concurrent.futures
import os
import sys

from .errors import Error

__all__ = ['batch']


def batch(models, method='heads', *, jobs=None, errors='raise', progress=False, **kwargs):
    """``[m.<method>(**kwargs) for m in models]``, jobs at a time.

    method: "heads", "construct", "gradient", "minimal", "approx" or "lags";
    jobs: threads (default: the CPU count); errors="raise" stops at the first
    failure (in input order), errors="return" puts the exception in the
    failed model's place; progress: True for a line on stderr, or a function
    called as progress(done, total)."""
    if method not in ('heads', 'construct', 'gradient', 'minimal', 'approx', 'lags'):
        raise ValueError('unknown method %r' % (method,))
    if errors not in ('raise', 'return'):
        raise ValueError('errors must be "raise" or "return"')
    models = list(models)
    total = len(models)
    report = progress if callable(progress) else None
    if progress is True:
        def report(done, total):
            sys.stderr.write('\rssmheads: %d/%d models' % (done, total))
            if done == total:
                sys.stderr.write('\n')
            sys.stderr.flush()
    out = [None] * total
    jobs = max(1, min(jobs or os.cpu_count() or 1, total or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(getattr(m, method), **kwargs): i for i, m in enumerate(models)}
        done = 0
        for f in concurrent.futures.as_completed(futs):
            i = futs[f]
            try:
                out[i] = f.result()
            except Error as e:
                out[i] = e
            done += 1
            if report:
                report(done, total)
    if errors == 'raise':
        for r in out:
            if isinstance(r, Error):
                raise r
    return out
