"""ssmheads: exact answers to "how many attention heads make this
state-space model?", from inside Python -- numpy arrays, torch tensors and
plain lists in; exact Fractions, counts and certificates out.

    import ssmheads
    m = ssmheads.Model(A, B, C)                 # or Model.diag, Model.complex_diag,
                                                #    Model.load, import_weights
    m = ssmheads.from_module(s4d_layer)         # a PyTorch S4D / S5 / LRU / Mamba-2 module
    r = m.heads(n=64, certificate=True)
    r.k, r.k_inf, r.n_star, r.profile           # ints
    ssmheads.verify(r)                          # the independent checker: a Verdict
    m.gradient(eps="1/1000"); m.minimal(); m.approx(n=64, eps="1/100", relative=True)
    ssmheads.Attention(values=[V1, V2]).represent(m, n=64)
    ssmheads.scan(net, n=64, eps="1/1000")      # every SSM layer of a model: a table

Every answer comes from libssmheads (its JSON entry point, ssmheads/api.h):
the same numbers, JSON objects (``r.as_dict()``), certificates and plots as
the ``ssmheads`` program.  Floats are read as the exact binary values they
are (ssmheads.exact).  Errors are exceptions carrying the CLI's exit-code
meaning (ssmheads.errors).  Limits are keyword arguments of every call:
max_bits, max_dim, max_digits, max_length, timeout (CPU seconds) and
max_memory (bytes, or "512M"); timeout, max_memory or isolate=True run the
call in a process of its own (``ssmheads call``).  numpy and torch are
optional.  doc/python.md has the whole story.
"""
from . import exact
from ._native import library_path, program_path
from .attention import Attention
from .batch import batch
from .certificates import Verdict, verify
from .errors import (Error, FileError, InternalError, InvalidInput, LimitExceeded,
                     NotImplementedYet, Undecided, UsageError)
from .model import Model
from .weights import (ImportNote, Inspection, from_module, import_tensors, import_weights,
                      inspect)
from .scan import ScanResult, scan
from .results import (ApproxResult, Construction, GradientResult, HeadsResult, MinimalResult,
                      RepresentResult, Result, SpanResult)

try:
    from ._config import VERSION as __version__
except ImportError:
    __version__ = '0.1.0'

__all__ = ['Model', 'Attention', 'import_weights', 'import_tensors', 'from_module', 'inspect',
           'scan', 'ScanResult', 'Inspection', 'ImportNote', 'verify', 'Verdict',
           'batch', 'library_version', 'library_path', 'program_path', 'exact',
           'Error', 'Undecided', 'UsageError', 'InvalidInput', 'FileError', 'LimitExceeded',
           'InternalError', 'NotImplementedYet', 'Result', 'HeadsResult', 'Construction',
           'GradientResult', 'MinimalResult', 'ApproxResult', 'SpanResult', 'RepresentResult']


def library_version():
    """The version of the libssmheads in use, and of its FLINT."""
    from . import _native as n
    r = n.call({'command': 'version'})['result']
    return r['version'], r['flint']
