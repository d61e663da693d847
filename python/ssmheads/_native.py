"""The one door to libssmheads: its JSON entry point ``ssmh_call_json``
(ssmheads/api.h), called in this process through ctypes, or in a process of
its own through ``ssmheads call`` when a CPU-time or memory limit is asked
for (only a process can be given those) or ``isolate=True``.

Every answer comes from the library: this module sends a request and turns
the response into a dict or an exception; it computes nothing.

Where the library and the programs are found (first that exists):
  library:  $SSMHEADS_LIBRARY, the libdir the package was built with
            (_config.py, written by `make`), the loader's search path;
  programs: $SSMHEADS_PROGRAM / $SSMHEADS_VERIFY_PROGRAM, the bindir of
            _config.py, $PATH.
"""
import ctypes
import ctypes.util
import json
import math
import operator
import os
import shutil
import signal
import subprocess
import threading

from . import errors

try:
    from . import _config
except ImportError:  # a source tree that `make` has not configured
    _config = None

__all__ = ['call', 'library_path', 'program_path', 'LIMIT_KEYS']

# the keyword arguments every call takes: the limits, isolate, and progress
# (the library's reports of its long loops: ssmheads.progress)
LIMIT_KEYS = ('max_dim', 'max_state', 'max_digits', 'max_bits', 'max_length',
              'max_file_bytes', 'timeout', 'max_memory', 'isolate', 'progress')
_PROCESS_LIMITS = ('timeout', 'max_memory')

_lock = threading.Lock()
_lib = None
_lib_path = None


def _candidates():
    env = os.environ.get('SSMHEADS_LIBRARY')
    if env:
        yield env
        return
    names = ('libssmheads.so.0', 'libssmheads.so', 'libssmheads.0.dylib', 'libssmheads.dylib')
    libdir = getattr(_config, 'LIBDIR', None)
    if libdir:
        for n in names:
            yield os.path.join(libdir, n)
    found = ctypes.util.find_library('ssmheads')
    if found:
        yield found


def _load():
    global _lib, _lib_path
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        for path in _candidates():
            if os.path.sep in path and not os.path.exists(path):
                tried.append(path + ' (absent)')
                continue
            try:
                lib = ctypes.CDLL(path)
                fn = lib.ssmh_call_json
            except (OSError, AttributeError) as e:
                tried.append('%s (%s)' % (path, e))
                continue
            fn.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
            fn.restype = ctypes.c_int
            lib.ssmh_call_free.argtypes = [ctypes.c_void_p]
            lib.ssmh_call_free.restype = None
            hooked = getattr(lib, 'ssmh_call_json_progress', None)
            if hooked is not None:   # absent from a library older than the package
                hooked.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p),
                                   ctypes.POINTER(_Progress)]
                hooked.restype = ctypes.c_int
            _lib, _lib_path = lib, path
            return lib
        raise errors.FileError(
            'cannot load libssmheads with its JSON entry point (tried: %s); install ssmheads '
            '(make install) or set SSMHEADS_LIBRARY to the library file'
            % ('; '.join(tried) or 'nothing found'), exit_code=5)


def library_path():
    """The file of the libssmheads this package calls (loading it)."""
    _load()
    return _lib_path


def program_path(name='ssmheads'):
    """The path of the ssmheads (or ssmheads-verify) program."""
    env = os.environ.get('SSMHEADS_VERIFY_PROGRAM' if name == 'ssmheads-verify'
                         else 'SSMHEADS_PROGRAM')
    if env:
        return env
    bindir = getattr(_config, 'BINDIR', None)
    if bindir and os.access(os.path.join(bindir, name), os.X_OK):
        return os.path.join(bindir, name)
    found = shutil.which(name)
    if found:
        return found
    raise errors.FileError('cannot find the %s program (set %s, or put it on PATH)'
                           % (name, 'SSMHEADS_VERIFY_PROGRAM' if name == 'ssmheads-verify'
                              else 'SSMHEADS_PROGRAM'), exit_code=5)


# ssmh_progress_t (ssmheads/core.h): the library's reports of its long loops
_PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_double,
                                ctypes.c_double)


class _Progress(ctypes.Structure):
    _fields_ = [('fn', _PROGRESS_FN), ('arg', ctypes.c_void_p), ('interval', ctypes.c_double),
                ('last', ctypes.c_double), ('last_what', ctypes.c_void_p)]


def _hook(report):
    """A ssmh_progress_t calling report(what, done, total) (total None when
    unknown).  An exception in report -- above all the KeyboardInterrupt of a
    Ctrl-C, which Python delivers inside the callback -- cannot cross the C
    frames; it is kept and raised once the call returns (the library's loops
    cannot be stopped from the hook)."""
    pending = []

    def fn(arg, what, done, total):
        if pending:
            return
        try:
            report(what.decode('utf-8', 'replace') if what else '', done,
                   total if total > 0 else None)
        except BaseException as e:  # noqa: BLE001 -- re-raised after the call
            pending.append(e)
    st = _Progress(_PROGRESS_FN(fn), None, 0.2, 0.0, None)
    return st, pending


class _sigint_deferred:
    """While a hooked call runs on the main thread, Ctrl-C is recorded
    instead of raised: raised inside the callback, CPython could deliver the
    KeyboardInterrupt before the callback's own try (at the function's
    entry), where ctypes would print and drop it.  It is raised when the
    call returns."""

    def __init__(self, pending):
        self.pending, self.old = pending, None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self.old = signal.signal(signal.SIGINT, self._record)
        return self

    def _record(self, signum, frame):
        if not self.pending:
            self.pending.append(KeyboardInterrupt())

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)
        return False


def _in_process(text, progress=None):
    lib = _load()
    out = ctypes.c_void_p()
    pending = ()
    if progress is not None and getattr(lib, 'ssmh_call_json_progress', None) is not None:
        st, pending = _hook(progress)
        with _sigint_deferred(pending):
            lib.ssmh_call_json_progress(text, ctypes.byref(out), ctypes.byref(st))
    else:
        lib.ssmh_call_json(text, ctypes.byref(out))   # ctypes releases the GIL meanwhile
    if pending:
        if out.value:
            lib.ssmh_call_free(out.value)
        raise pending[0]
    if not out.value:
        raise errors.LimitExceeded('out of memory (the library could not build its response)')
    try:
        data = ctypes.string_at(out.value)
    finally:
        lib.ssmh_call_free(out.value)
    return json.loads(data.decode('utf-8'))


def _memory_option(v):
    """max_memory in bytes (an int) or as the CLI writes it ("512M", "2G", "4")."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise errors.UsageError('max_memory expects a number of bytes or a string such as '
                                '"512M" or "2G"', path='$.limits.max_memory')
    return '0' if v == 0 else '%dM' % max(1, -(-v // (1 << 20)))


def _timeout_option(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or math.isinf(v):
        raise errors.UsageError('timeout expects a positive number of CPU seconds',
                                path='$.limits.timeout')
    return str(int(math.ceil(v)))


def _isolated(text, timeout, max_memory):
    args = [program_path(), 'call']
    if timeout is not None:
        args += ['--timeout', _timeout_option(timeout)]
    if max_memory is not None:
        args += ['--max-memory', _memory_option(max_memory)]
    args.append('-')
    # a wall-clock guard far past the CPU limit, against a process that waits
    wall = None if timeout is None else 4 * math.ceil(timeout) + 60
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(text, timeout=wall)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise errors.LimitExceeded('no answer within %d s of wall-clock time (timeout %s s of '
                                   'CPU time)' % (wall, timeout)) from None
    except BaseException:   # KeyboardInterrupt above all: the computation ends with us
        p.kill()
        p.wait()
        raise
    err = err.decode('utf-8', 'replace').strip()
    if out.strip():
        try:
            return json.loads(out.decode('utf-8'))
        except ValueError:
            pass
    if p.returncode < 0:
        sig = -p.returncode
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            raise errors.LimitExceeded('the computation was stopped by signal %d (%s)' % (
                sig, 'the CPU-time limit' if sig == signal.SIGXCPU else 'killed'))
        raise errors.InternalError('ssmheads call died of signal %d: %s' % (sig, err))
    msg = err[len('ssmheads: '):] if err.startswith('ssmheads: ') else err
    cls = {3: errors.UsageError, 5: errors.FileError}.get(p.returncode, errors.LimitExceeded)
    raise cls(msg or 'ssmheads call ended with exit %d and no answer' % p.returncode,
              exit_code=p.returncode)


def call(request, limits=None, rename=None, progress=None):
    """Send one request (a dict, or a JSON text whose model is already
    spliced in) and return the response dict when its exit code is 0 or 1
    (1: the claim is false, with a result); raise the matching exception
    otherwise.  limits: the keyword arguments of LIMIT_KEYS.  progress: a
    function called as progress(what, done, total) with the library's
    reports of its long loops (in-process calls only)."""
    limits = {k: v for k, v in (limits or {}).items() if v is not None}
    unknown = set(limits) - set(LIMIT_KEYS)
    if unknown:
        raise TypeError('unknown keyword argument(s): %s' % ', '.join(sorted(unknown)))
    if progress is None:
        from .progress import reporter
        progress = reporter(limits.get('progress'))
    limits.pop('progress', None)
    isolate = bool(limits.pop('isolate', False))
    process = {k: limits.pop(k) for k in _PROCESS_LIMITS if k in limits}
    for k, v in limits.items():
        try:
            if isinstance(v, bool):
                raise TypeError
            limits[k] = operator.index(v)
        except TypeError:
            raise errors.UsageError('%s expects an integer' % k, path='$.limits.' + k) from None
    if isinstance(request, dict):
        if limits:
            request = dict(request, limits=limits)
        text = json.dumps(request, separators=(',', ':'))
    else:
        text = request
        if limits:
            text = text[:-1] + ',"limits":' + json.dumps(limits) + '}'
    data = text.encode('utf-8')
    if isolate or process:
        resp = _isolated(data, process.get('timeout'), process.get('max_memory'))
    else:
        try:
            resp = _in_process(data, progress)
        finally:
            if hasattr(progress, 'clear'):
                progress.clear()
    if resp.get('exit') in (0, 1):
        return resp
    raise errors.from_response(resp, rename)
