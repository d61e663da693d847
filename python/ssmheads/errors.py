"""The exceptions of ssmheads: one per exit code of the ``ssmheads`` program
(SPEC 4), each carrying the library's message and, for bad input, the file
and the JSON path of the offending value.

    Error                  every failure the library reports
    ├── Undecided          exit 2: cannot decide within the limits
    ├── UsageError         exit 3: an argument out of range (also a ValueError)
    ├── InvalidInput       exit 4: a bad model, layer, weight file or number
    │                      (also a ValueError); .path is the JSON path
    ├── FileError          exit 5: a file cannot be read or written (an OSError)
    ├── LimitExceeded      exit 6: max_bits, max_dim, max_digits, timeout,
    │   └── InternalError          max_memory, ... was hit; InternalError: a
    │                              self-check of the library failed (a bug)
    └── NotImplementedYet  exit 7
"""

__all__ = ['Error', 'Undecided', 'UsageError', 'InvalidInput', 'FileError',
           'LimitExceeded', 'InternalError', 'NotImplementedYet', 'from_response']


class Error(Exception):
    """A failure reported by the library (or the program), as the CLI
    reports it: ``str(e)`` is the CLI's message without the leading
    ``ssmheads: ``.

    Attributes: ``exit_code`` (the CLI's exit code), ``status`` (the
    library's status name, e.g. "parse error"), ``code`` (its ssmh_status_t),
    ``file``, ``path`` (a JSON path such as ``$.A[1][0]``, or ""), ``line``,
    ``column`` and ``message``.
    """
    exit_code = 6

    def __init__(self, message, file='', path='', line=0, column=0, status='', code=0,
                 exit_code=None):
        self.message = message
        self.file = file or ''
        self.path = path or ''
        self.line = line or 0
        self.column = column or 0
        self.status = status or ''
        self.code = code or 0
        if exit_code is not None:
            self.exit_code = exit_code
        Exception.__init__(self, self._text())

    def _text(self):
        return ''.join(p + ': ' for p in (self.file, self.path) if p) + self.message

    def __str__(self):
        return self._text()

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self.file, self.path, self.line,
                           self.column, self.status, self.code, self.exit_code))


def _rebuild(cls, *args):
    return cls(*args)


class Undecided(Error):
    """Exit 2: the question cannot be decided within the limits (e.g. eps sits
    on a boundary E(H)^2, or no envelope could be proven for a certificate)."""
    exit_code = 2


class UsageError(Error, ValueError):
    """Exit 3: an argument is out of range or of the wrong kind."""
    exit_code = 3


class InvalidInput(Error, ValueError):
    """Exit 4: a model, layer, weight file or number that cannot be read
    exactly; ``path`` names the JSON path (``$.A[1][0]``)."""
    exit_code = 4


class FileError(Error, OSError):
    """Exit 5: a file cannot be read or written."""
    exit_code = 5

    def __init__(self, message, *args, **kwargs):
        Error.__init__(self, message, *args, **kwargs)

    def __str__(self):
        return self._text()


class LimitExceeded(Error):
    """Exit 6: a resource limit (max_bits, max_dim, max_digits, max_length,
    timeout, max_memory) was hit, or memory ran out."""
    exit_code = 6


class InternalError(LimitExceeded):
    """A self-check of the library failed: a bug, please report it.  (The CLI
    exits 6 on it, hence the base class.)"""


class NotImplementedYet(Error, NotImplementedError):
    """Exit 7: the feature is not implemented yet."""
    exit_code = 7


_BY_EXIT = {2: Undecided, 3: UsageError, 4: InvalidInput, 5: FileError, 6: LimitExceeded,
            7: NotImplementedYet}
_SSMH_E_INTERNAL = -10


def from_response(resp, rename=None):
    """The exception of an error response of the entry point (api.h).
    rename maps file names (a temporary file) to what the user gave."""
    e = resp.get('error') or {}
    code = e.get('code', 0)
    cls = InternalError if code == _SSMH_E_INTERNAL else _BY_EXIT.get(resp.get('exit'), Error)
    file, message = e.get('file', ''), e.get('message', '')
    for old, new in (rename or {}).items():
        if file == old:
            file = new
        message = message.replace(old, new)
    return cls(message, file, e.get('path', ''), e.get('line', 0), e.get('column', 0),
               e.get('status', ''), code, resp.get('exit'))
