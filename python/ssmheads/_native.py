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

LIMIT_KEYS = ('max_dim', 'max_state', 'max_digits', 'max_bits', 'max_length',
              'max_file_bytes', 'timeout', 'max_memory', 'isolate')
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


def _in_process(text):
    lib = _load()
    out = ctypes.c_void_p()
    lib.ssmh_call_json(text, ctypes.byref(out))   # ctypes releases the GIL meanwhile
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


def call(request, limits=None, rename=None):
    """Send one request (a dict, or a JSON text whose model is already
    spliced in) and return the response dict when its exit code is 0 or 1
    (1: the claim is false, with a result); raise the matching exception
    otherwise.  limits: the keyword arguments of LIMIT_KEYS."""
    limits = {k: v for k, v in (limits or {}).items() if v is not None}
    unknown = set(limits) - set(LIMIT_KEYS)
    if unknown:
        raise TypeError('unknown keyword argument(s): %s' % ', '.join(sorted(unknown)))
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
        resp = _in_process(data)
    if resp.get('exit') in (0, 1):
        return resp
    raise errors.from_response(resp, rename)
