"""Verifying certificates with the independent checker.

``verify`` runs the ``ssmheads-verify`` program: the checker of checker/
(GMP rationals and jansson, no FLINT, no code shared with the producer), in
a process of its own -- never the library that produced the certificate.
"""
import json
import os
import subprocess
import tempfile

from . import _native
from .errors import FileError, UsageError

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


def verify(cert, model=None, *, timeout=600):
    """Check a certificate with the independent checker (``ssmheads-verify``).

    cert: a result computed with certificate=True, the certificate as a dict
    or JSON text, or the path of a certificate file.  model (a Model or a
    path): also require the embedded model to be exactly this one.  Returns
    a Verdict, truthy only when every step checked exactly."""
    data, path = _cert_bytes(cert)
    prog = _native.program_path('ssmheads-verify')
    with tempfile.TemporaryDirectory(prefix='ssmheads-verify-') as tmp:
        if data is not None:
            path = os.path.join(tmp, 'cert.json')
            with open(path, 'wb') as f:
                f.write(data)
        args = [prog, path]
        if model is not None:
            if hasattr(model, 'to_json'):
                mpath = os.path.join(tmp, 'model.json')
                with open(mpath, 'w') as f:
                    f.write(model.to_json())
            else:
                mpath = os.fspath(model)
            args += ['--model', mpath]
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    lines = p.stdout.splitlines()
    comment = next((ln[2:] for ln in lines if ln.startswith('c ')), '')
    if p.returncode in (0, 1):
        accepted = p.returncode == 0 and 's VERIFIED' in lines
        return Verdict(accepted, comment or p.stderr.strip(), p.returncode, p.stdout)
    if p.returncode == 5:
        raise FileError(p.stderr.strip().replace('ssmheads: ', '', 1), exit_code=5)
    raise UsageError('ssmheads-verify: exit %d: %s' % (p.returncode, p.stderr.strip()),
                     exit_code=p.returncode)
