"""Verifying certificates with the independent checker.

``verify`` runs the ``ssmheads-verify`` program: the checker of checker/
(GMP rationals and jansson, no FLINT, no code shared with the producer), in
a process of its own -- never the library that produced the certificate.
"""
import json
import math
import os
import subprocess
import tempfile

from . import _native
from .errors import FileError, InvalidInput, LimitExceeded, UsageError

__all__ = ['verify', 'Verdict']


class Verdict:
    """The checker's verdict: truthy only when the certificate was accepted.
    ``message`` is the checker's comment line (a summary when verified, the
    failing step otherwise); ``exit_code`` its exit code (0 accepted,
    1 rejected)."""

    __slots__ = ('accepted', 'message', 'exit_code', 'output')

    def __init__(self, accepted, message, exit_code, output):
        self.accepted, self.message, self.exit_code, self.output = (
            accepted, message, exit_code, output)

    def __bool__(self):
        return self.accepted

    def __repr__(self):
        return 'Verdict(accepted=%r, message=%r)' % (self.accepted, self.message)

    def _repr_html_(self):
        import html
        return '<div><b>%s</b> &mdash; %s</div>' % (
            'VERIFIED' if self.accepted else 'NOT VERIFIED', html.escape(self.message))


def _cert_bytes(cert):
    if hasattr(cert, 'certificate') and not isinstance(cert, (dict, str, bytes)):
        if cert.certificate is None:
            raise UsageError('this result has no certificate: ask for one with certificate=True')
        cert = cert.certificate
    if isinstance(cert, dict):
        return json.dumps(cert).encode('utf-8'), None
    if isinstance(cert, bytes):
        return cert, None
    if isinstance(cert, str) and cert.lstrip().startswith('{'):
        return cert.encode('utf-8'), None
    if isinstance(cert, (str, os.PathLike)):
        return None, os.fspath(cert)
    raise UsageError('verify takes a certificate: a dict, its JSON text, a file path, or a '
                     'result computed with certificate=True')


_VERIFY_LIMITS = {'max_dim': '--max-dim', 'max_state': '--max-dim', 'max_digits': '--max-digits',
                  'max_bits': '--max-bits', 'timeout': '--timeout', 'max_memory': '--max-memory'}


def _limit_args(limits):
    """The checker's limit options (as the CLI's: 0 means none for max_bits,
    timeout and max_memory)."""
    args = []
    for k, v in limits.items():
        if k not in _VERIFY_LIMITS:
            raise UsageError('verify takes the limits %s, not %r' % (', '.join(sorted(_VERIFY_LIMITS)), k))
        if v is None:
            continue
        if k == 'max_memory':
            v = _native._memory_option(v)
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            raise UsageError('%s expects a number, got %r' % (k, v))
        else:
            v = str(int(math.ceil(v)))
        args += [_VERIFY_LIMITS[k], v]
    return args


def verify(cert, model=None, *, wall_timeout=600, **limits):
    """Check a certificate with the independent checker (``ssmheads-verify``).

    cert: a result computed with certificate=True, the certificate as a dict
    or JSON text, or the path of a certificate file.  model (a Model or a
    path): also require the embedded model to be exactly this one.  limits:
    the checker's resource limits, as the program's (max_bits, max_digits,
    max_dim, timeout in CPU seconds, max_memory); wall_timeout: seconds of
    wall-clock time for the checker process.  Returns a Verdict, truthy only
    when every step checked exactly; raises InvalidInput when the file is
    not a certificate (a model, an attention layer, ...) and LimitExceeded
    when a limit stopped the check."""
    data, path = _cert_bytes(cert)
    prog = _native.program_path('ssmheads-verify')
    with tempfile.TemporaryDirectory(prefix='ssmheads-verify-') as tmp:
        if data is not None:
            path = os.path.join(tmp, 'cert.json')
            with open(path, 'wb') as f:
                f.write(data)
        args = [prog, path] + _limit_args(limits)
        if model is not None:
            if hasattr(model, 'to_json'):
                mpath = os.path.join(tmp, 'model.json')
                with open(mpath, 'w') as f:
                    f.write(model.to_json())
            else:
                mpath = os.fspath(model)
            args += ['--model', mpath]
        p = subprocess.run(args, capture_output=True, text=True, timeout=wall_timeout)
    lines = p.stdout.splitlines()
    comment = next((ln[2:] for ln in lines if ln.startswith('c ')), '')
    if p.returncode in (0, 1):
        accepted = p.returncode == 0 and 's VERIFIED' in lines
        return Verdict(accepted, comment or p.stderr.strip(), p.returncode, p.stdout)
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ''
    if last.startswith('ssmheads: '):
        last = last[len('ssmheads: '):]
    if p.returncode == 5:
        raise FileError(p.stderr.strip().replace('ssmheads: ', '', 1), exit_code=5)
    if p.returncode == 4:   # not a certificate: the checker says what it is
        raise InvalidInput(last, exit_code=4)
    if p.returncode == 6:   # a resource limit, named
        raise LimitExceeded(last, exit_code=6)
    raise UsageError('ssmheads-verify: exit %d: %s' % (p.returncode, p.stderr.strip()),
                     exit_code=p.returncode)
