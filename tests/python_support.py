"""Shared plumbing of the Python package's tests (tests/python_*.py): the
package from the source tree bound to the library and programs of the build
tree, a tally that also counts skipped checks ("N passed, N failed, N
skipped"), and the decisions about where these tests run.

- Interpreter: the one configure chose for the package (SSMH_PYTHON, named
  in the log with its numpy and torch).
- `make check-valgrind`: these tests are skipped (exit 77).  CPython under
  valgrind would take hours; the native side they exercise -- the entry
  point -- runs under valgrind in tests/check_api (doc/python.md).
- AddressSanitizer builds: the instrumented library can only be loaded by
  a process whose first library is libasan, so the test re-executes itself
  with LD_PRELOAD set to the compiler's libasan (leak detection off: it
  would report the interpreter's own allocations).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get('top_srcdir', os.path.join(HERE, '..'))
BUILD = os.environ.get('top_builddir', os.path.join(HERE, '..'))
PROG = os.environ.get('SSMHEADS', os.path.join(BUILD, 'ssmheads'))
VERIFY = os.environ.get('SSMHEADS_VERIFY', os.path.join(BUILD, 'ssmheads-verify'))
LIB = os.path.join(BUILD, '.libs', 'libssmheads.so.0')
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))
MULT = max(0.01, float(os.environ.get('SSMH_TEST_MULT', '1')))
SKIP = 77

sys.path.insert(0, HERE)
from tally import Tally as _Tally  # noqa: E402


def _asan_library():
    try:
        with open(LIB, 'rb') as f:
            return b'__asan_init' in f.read()
    except OSError:
        return False


def setup():
    """Bind the source-tree package to the build tree; skip or re-execute as
    described above.  Returns the ssmheads module."""
    if os.path.basename(PROG).startswith('vg-'):
        print('make check-valgrind: the Python tests are skipped here (CPython under valgrind is '
              'too slow); tests/check_api runs the entry point under valgrind')
        sys.exit(SKIP)
    if not os.path.exists(LIB):
        print('no shared library %s: skipping' % LIB)
        sys.exit(SKIP)
    if _asan_library() and 'libasan' not in os.environ.get('LD_PRELOAD', ''):
        cc = os.environ.get('CC', 'cc')
        asan = subprocess.run([cc, '-print-file-name=libasan.so'], capture_output=True,
                              text=True).stdout.strip()
        if not os.path.isabs(asan):
            print('an AddressSanitizer library but no libasan to preload: skipping')
            sys.exit(SKIP)
        env = dict(os.environ, LD_PRELOAD=asan,
                   ASAN_OPTIONS='detect_leaks=0:' + os.environ.get('ASAN_OPTIONS', ''))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    os.environ['SSMHEADS_LIBRARY'] = LIB
    os.environ['SSMHEADS_PROGRAM'] = PROG
    os.environ['SSMHEADS_VERIFY_PROGRAM'] = VERIFY
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(TOP, 'python'))
    import ssmheads
    print('python: %s %s; numpy: %s; torch: %s; library: %s' % (
        sys.executable, sys.version.split()[0], _version('numpy'), _version('torch'),
        ssmheads.library_path()))
    return ssmheads


def _version(name):
    try:
        mod = __import__(name)
        return getattr(mod, '__version__', 'yes')
    except ImportError:
        return 'not installed (its checks are skipped)'


def asan():
    return 'libasan' in os.environ.get('LD_PRELOAD', '')


def have(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


class Tally(_Tally):
    """Tally with skipped checks: finish() prints "N passed, N failed, N skipped"."""

    def __init__(self):
        _Tally.__init__(self)
        self.skipped = 0

    def skip(self, n, why):
        self.skipped += n
        print('SKIP %d: %s' % (n, why))

    def raises(self, cls, fn, what, check=None):
        """fn() must raise cls (and satisfy check(e) when given)."""
        try:
            fn()
        except cls as e:
            if check is not None and not check(e):
                return self.check(False, '%s: %s %r' % (what, type(e).__name__, str(e)))
            return self.check(True, what)
        except Exception as e:  # noqa: BLE001 -- any other exception is the failure
            return self.check(False, '%s: raised %s: %s' % (what, type(e).__name__, e))
        return self.check(False, '%s: nothing raised' % what)

    def finish(self):
        print('%d passed, %d failed, %d skipped' % (self.passed, self.failed, self.skipped))
        return 0 if self.failed == 0 else 1
