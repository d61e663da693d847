"""Progress on stderr: the bar of ``ssmheads.scan`` (layers done, and what
the library is doing for the current one) and the one-line reports of a
single call given ``progress=True``.

The library reports its long loops through its progress hook
(ssmh_call_json_progress, ssmheads/core.h): what it is doing ("gradient:
envelope candidates") and how far (done of total), at most a few times a
second.  Those reports feed these displays; they cannot stop a call.

``progress`` everywhere: None (the default) shows progress only when stderr
is a terminal, True always, False never, and a function receives the reports
instead: ``progress(what, done, total)`` for one call, ``progress(done,
total, what)`` for a scan (done and total counting layers).  tqdm draws the
scan's bar when it is installed (tqdm.auto: a widget in a notebook).
"""
import shutil
import sys
import threading
import time

__all__ = ['reporter', 'Bar']


def _wanted(progress):
    if progress is None:
        try:
            return sys.stderr is not None and sys.stderr.isatty()
        except (AttributeError, ValueError):
            return False
    return bool(progress)


def _fit(text):
    width = shutil.get_terminal_size((100, 20)).columns - 1
    return text if len(text) <= width else text[:max(0, width - 3)] + '...'


def _amount(done, total):
    if total:
        return ' (%d/%d)' % (done, total) if total > 1 else ''
    return ''


DELAY = 2.0   # as the CLI: a call's line appears once it has run this long


def reporter(progress):
    """The library hook's function for one call: None (nothing to show), the
    caller's function, or a line on stderr -- drawn once the call has run
    for DELAY seconds, as the CLI draws its own, and erased when it ends."""
    if callable(progress):
        return progress
    if not _wanted(progress):
        return None
    t0 = time.monotonic()
    drawn = []

    def report(what, done, total):
        el = time.monotonic() - t0
        if el >= DELAY:
            sys.stderr.write('\r\x1b[K' + _fit('ssmheads: %s%s, %.0fs' % (
                what, _amount(done, total), el)))
            sys.stderr.flush()
            drawn[:] = [True]

    def clear():
        if drawn:
            sys.stderr.write('\r\x1b[K')
            sys.stderr.flush()
    report.clear = clear
    return report


class Bar:
    """The bar of a scan over `total` layers (thread-safe)."""

    def __init__(self, total, progress, title='ssmheads scan'):
        self.total, self.done, self.title = total, 0, title
        self.text = ''
        self.lock = threading.Lock()
        self.user = progress if callable(progress) else None
        self.tqdm = None
        self.on = self.user is None and _wanted(progress)
        self.last = 0.0
        if self.on:
            try:
                from tqdm.auto import tqdm
                self.tqdm = tqdm(total=total, desc=title, unit='layer', leave=True)
            except ImportError:
                pass
        self._draw(force=True)

    def stage(self, text):
        """What is being done now (a layer's prefix and the library's stage)."""
        with self.lock:
            self.text = text
            self._draw()

    def hook(self, prefix):
        """The library hook's function for the calls of one layer."""
        def report(what, done, total):
            self.stage('%s: %s%s' % (prefix, what, _amount(done, total)))
        return report

    def advance(self, text=''):
        with self.lock:
            self.done += 1
            self.text = text
            if self.tqdm is not None:
                self.tqdm.update(1)
            self._draw(force=True)

    def close(self):
        with self.lock:
            if self.tqdm is not None:
                self.tqdm.close()
            elif self.on:
                sys.stderr.write('\r\x1b[K' + self._line() + '\n')
                sys.stderr.flush()
            self.on = False

    def _line(self):
        width = 24
        fill = width * self.done // self.total if self.total else width
        return _fit('%s [%s%s] %d/%d %s' % (self.title, '#' * fill, '.' * (width - fill),
                                            self.done, self.total, self.text))

    def _draw(self, force=False):
        if self.user is not None:
            self.user(self.done, self.total, self.text)
            return
        if not self.on:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        if self.tqdm is not None:
            self.tqdm.set_postfix_str(self.text[-60:], refresh=True)
            return
        sys.stderr.write('\r\x1b[K' + self._line())
        sys.stderr.flush()
