#!/usr/bin/python3
"""Write the reference-implementation fixtures of witnesses/weights/reference/.

Each fixture is a small module of a reference implementation, trained a few
steps (or perturbed from its own initialisation), whose state_dict is
written exactly as state_dict() gives it -- as NAME.npz (numpy.savez) and
NAME.safetensors (written here: 8-byte header length, JSON header, raw
little-endian bytes, no safetensors package needed) -- beside NAME.json:
the `ssmheads import` arguments and the lag operators K_0 .. K_{L-1} that the
reference forward pass computes, in float64 (each number as float.hex, so a
plain-Python test reads them exactly).  tests/weights_reference.py imports
every fixture unchanged and compares.

Needs PyTorch and NumPy (/usr/bin/python3 on Debian: python3-torch,
python3-numpy).  The reference code is not committed: give the checkouts (a
work tree or a bare git directory) in the environment,

    SSMH_REF_S4=.../state-spaces/s4 SSMH_REF_MAMBA=.../state-spaces/mamba \\
    SSMH_REF_LRU_PYTORCH=.../Gothos/LRU-pytorch \\
        /usr/bin/python3 tests/weights_reference_make.py witnesses/weights/reference

Used from the checkouts, unchanged: models/s4/s4d.py (S4D), models/s4/s4.py
(FFTConv, S4Block, SSMKernelDiag), mamba_ssm/modules/mamba2.py (Mamba2),
mamba_ssm/ops/triton/layernorm_gated.py (its RMSNorm),
mamba_ssm/ops/triton/selective_state_update.py (selective_state_update_ref,
the pure-PyTorch reference of Mamba-2's recurrence), LRU_pytorch/LRU.py.
Packages they import that this machine lacks (einops, triton, scipy,
pytorch_lightning, huggingface_hub, causal_conv1d) are replaced by the
minimal stand-ins below: einops by a small transcription of rearrange and
repeat; the others by stubs that only let the modules import (their kernels
are never called).

S5 (lindermanlab/S5 s5/ssm.py) and minimal-LRU (NicolasZucchet/minimal-LRU
lru/model.py) are JAX/Flax code: for them this script holds NUMPY
TRANSCRIPTIONS of S5SSM (setup + __call__: discretize_zoh/bilinear,
apply_ssm, conj_sym, clip_eigs, step_rescale, D) and of LRU.__call__, named
s5_transcription and lru_transcription, with the parameter names and shapes
of the Flax modules and their flattened paths ("encoder.layers_0.seq.").
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import types
import importlib.util

import numpy as np
import torch

L_LAGS = 8

# ---- einops: rearrange / repeat for the patterns the reference code uses ----


def _groups(side):
    toks = side.replace('(', ' ( ').replace(')', ' ) ').split()
    out, cur = [], None
    for t in toks:
        if t == '(':
            cur = []
        elif t == ')':
            out.append(cur)
            cur = None
        elif cur is not None:
            if t != '1':
                cur.append(t)
        else:
            out.append([] if t == '1' else [t])
    return out


def _einops(x, pattern, sizes, new_ok):
    left, right = [s.strip() for s in pattern.split('->')]
    Lg, Rg = _groups(left), _groups(right)
    shape = list(x.shape)
    known = dict(sizes)
    ell = []
    if ['...'] in Lg:
        k = Lg.index(['...'])
        ell = shape[k:k + len(shape) - (len(Lg) - 1)]
    elem, pos = [], 0
    for g in Lg:
        if g == ['...']:
            elem.append(('...', ell))
            pos += len(ell)
            continue
        d = shape[pos]
        pos += 1
        unknown = [a for a in g if a not in known]
        prod = 1
        for a in g:
            if a in known:
                prod *= known[a]
        if len(unknown) == 1:
            known[unknown[0]] = d // prod
        elif unknown:
            raise ValueError('einops shim: cannot infer %r' % unknown)
        for a in g:
            elem.append((a, [known[a]]))
    x = x.reshape([s for _, ss in elem for s in ss])
    idx, p = {}, 0
    for a, ss in elem:
        idx[a] = list(range(p, p + len(ss)))
        p += len(ss)
    relem = [a for g in Rg for a in g]
    perm = [i for a in relem if a in idx for i in idx[a]]
    x = x.permute(perm)
    cur, it, vshape, eshape = list(x.shape), 0, [], []
    for a in relem:
        if a in idx:
            n = len(idx[a])
            vshape += cur[it:it + n]
            eshape += cur[it:it + n]
            it += n
        else:
            if not new_ok:
                raise ValueError('einops shim: new axis %s in rearrange' % a)
            vshape.append(1)
            eshape.append(known[a])
    x = x.reshape(vshape).expand(eshape)
    final = []
    for g in Rg:
        if g == ['...']:
            final += ell
        else:
            n = 1
            for a in g:
                n *= known[a] if a in known else dict(elem)[a][0]
            final.append(n)
    return x.reshape(final)


def rearrange(x, pattern, **sizes):
    return _einops(x, pattern, sizes, False)


def repeat(x, pattern, **sizes):
    return _einops(x, pattern, sizes, True)


class _Any:
    """A stand-in that can be called, decorated with, indexed and annotated."""

    def __call__(self, *a, **k):
        if len(a) == 1 and callable(a[0]) and not k:
            return a[0]
        return _Any()

    def __getattr__(self, name):
        return _Any()

    def __getitem__(self, k):
        return _Any()


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Any()


def stub(name, **attrs):
    m = _StubModule(name)
    m.__path__ = []
    for k, v in attrs.items():
        setattr(m, k, v)
    sys.modules[name] = m
    return m


def stubs():
    stub('einops', rearrange=rearrange, repeat=repeat)
    stub('triton')
    stub('triton.language')
    stub('scipy')
    stub('scipy.special')
    stub('pytorch_lightning')
    stub('pytorch_lightning.utilities', rank_zero_only=lambda f: f)
    stub('opt_einsum', contract=torch.einsum)

    class DropoutNd(torch.nn.Module):
        def __init__(self, p=0.5, tie=True, transposed=True):
            super().__init__()

        def forward(self, x):
            return x
    stub('src')
    stub('src.models')
    stub('src.models.nn', DropoutNd=DropoutNd)

    class PyTorchModelHubMixin:
        pass
    stub('huggingface_hub', PyTorchModelHubMixin=PyTorchModelHubMixin)


# ---- the reference code, read from a checkout or a bare git directory ------


def source(env, path):
    root = os.environ.get(env)
    if not root:
        sys.exit('set %s to a checkout of the reference repository' % env)
    if os.path.exists(os.path.join(root, path)):
        return open(os.path.join(root, path)).read(), 'work tree'
    head = subprocess.run(['git', '--git-dir', root, 'rev-parse', 'HEAD'], capture_output=True, text=True,
                          check=True).stdout.strip()
    text = subprocess.run(['git', '--git-dir', root, 'show', 'HEAD:' + path], capture_output=True, text=True,
                          check=True).stdout
    return text, head


def load(modname, env, path, tmp):
    text, rev = source(env, path)
    f = os.path.join(tmp, modname.replace('.', '_') + '.py')
    open(f, 'w').write(text)
    spec = importlib.util.spec_from_file_location(modname, f)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod, rev


# ---- writing ---------------------------------------------------------------

ST = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64', np.dtype('complex64'): 'C64',
      np.dtype('bool'): 'BOOL', np.dtype('int64'): 'I64', np.dtype('float16'): 'F16'}


def to_numpy(v):
    if isinstance(v, torch.Tensor):
        return v.detach().cpu().numpy()
    return np.asarray(v)


def write_checkpoint(out, name, tensors, extra_st=None):
    """tensors: ordered name -> numpy array, written as .npz and .safetensors;
    extra_st: more safetensors entries (name -> (dtype, shape, raw bytes))."""
    np.savez(os.path.join(out, name + '.npz'), **tensors)
    header, data = {}, b''
    for k, a in tensors.items():
        if a.dtype not in ST:
            continue
        raw = np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes()
        header[k] = {'dtype': ST[a.dtype], 'shape': list(a.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    for k, (dt, shape, raw) in (extra_st or {}).items():
        header[k] = {'dtype': dt, 'shape': list(shape), 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)          # the safetensors writer pads to 8 bytes
    open(os.path.join(out, name + '.safetensors'), 'wb').write(struct.pack('<Q', len(h)) + h + data)


def write_fixture(out, name, args, K, reference, checkpoint=None):
    """K: array (L, p, d) of float64 lag operators."""
    K = np.asarray(K, dtype=np.float64)
    meta = {'reference': reference, 'checkpoint': checkpoint or name, 'import': args, 'lags': K.shape[0],
            'shape': list(K.shape[1:]),
            'kernel': [[[float(x).hex() if x else '0' for x in row] for row in Kl] for Kl in K]}
    json.dump(meta, open(os.path.join(out, name + '.json'), 'w'), indent=1)
    open(os.path.join(out, name + '.json'), 'a').write('\n')


def state_dict_numpy(module, prefix=''):
    return {prefix + k: to_numpy(v) for k, v in module.state_dict().items()}


def train(module, forward, steps=4, lr=1e-2, seed=0):
    """A few Adam steps on a random regression target (so every parameter moves)."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam([p for p in module.parameters()], lr=lr)
    for _ in range(steps):
        loss = forward(g)
        opt.zero_grad()
        loss.backward()
        opt.step()


# ---- s4d.py S4D ---------------------------------------------------------------


def make_s4d(out, tmp):
    s4d, rev = load('s4d_ref', 'SSMH_REF_S4', 'models/s4/s4d.py', tmp)
    torch.manual_seed(1)
    H, N, L = 3, 8, 16

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Linear(2, H)
            self.layers = torch.nn.ModuleList([s4d.S4D(H, d_state=N) for _ in range(2)])

    m = Model()

    def fwd(g):
        u = torch.randn(2, H, L, generator=g)
        y = u
        for layer in m.layers:
            y, _ = layer(y)
        return ((y - 0.1) ** 2).mean()
    train(m, fwd)
    sd = state_dict_numpy(m)
    write_checkpoint(out, 's4d_s4d', sd)
    # the reference forward's linear part: y = conv(u, k) + u D  (before GELU / output_linear)
    for i in range(2):
        layer = m.layers[i].double()
        with torch.no_grad():
            k = layer.kernel(L=L_LAGS)                      # (H, L)
            D = layer.D.detach()
        K = np.zeros((L_LAGS, H, H))
        for l in range(L_LAGS):
            K[l] = np.diag(k[:, l].numpy()) + (np.diag(D.numpy()) if l == 0 else 0)
        write_fixture(out, 's4d_s4d_layer%d' % i, ['--layout', 's4d', '--prefix', 'layers.%d' % i], K,
                      'state-spaces/s4 %s models/s4/s4d.py S4D (d_model %d, d_state %d), 4 Adam steps; '
                      'a 2-layer model, prefix layers.%d (given without its dot)' % (rev, H, N, i),
                      's4d_s4d')
    return sd


# ---- s4.py FFTConv / S4Block, mode diag ------------------------------------


def fftconv_kernel(conv, L):
    """Impulse responses of FFTConv's linear part (activation None), float64."""
    conv = conv.double()
    H = conv.d_model
    x = torch.zeros(H, H, L, dtype=torch.float64)
    for j in range(H):
        x[j, j, 0] = 1.0
    if not conv.transposed:                  # (B, L, H) in and out
        x = x.transpose(1, 2)
    with torch.no_grad():
        y, _ = conv(x)
    if not conv.transposed:
        y = y.transpose(1, 2)                # (B, C H, L)
    return np.stack([y[:, :, l].numpy().T for l in range(L)])


def make_s4(out, tmp):
    s4, rev = load('s4_ref', 'SSMH_REF_S4', 'models/s4/s4.py', tmp)
    res = {}
    # (a) FFTConv, mode diag, n_ssm 2 of H 4, 2 channels, learned B, dt_transform softplus
    torch.manual_seed(2)
    H, N, L = 4, 8, 16
    conv = s4.FFTConv(H, mode='diag', d_state=N, n_ssm=2, channels=2, activation=None,
                      init='diag-lin', B_init='random', dt_transform='softplus', disc='zoh')

    def fwd(g):
        y, _ = conv(torch.randn(2, H, L, generator=g))
        return ((y - 0.2) ** 2).mean()
    train(conv, fwd)
    sd = state_dict_numpy(conv, 'blocks.1.conv.')
    write_checkpoint(out, 's4_fftconv', sd)
    write_fixture(out, 's4_fftconv', ['--layout', 's4d', '--prefix', 'blocks.1.conv.', '--dt-transform', 'softplus'],
                  fftconv_kernel(conv, L_LAGS),
                  'state-spaces/s4 %s models/s4/s4.py FFTConv(d_model 4, mode diag, d_state 8, n_ssm 2, '
                  'channels 2, init diag-lin, B_init random, dt_transform softplus), 4 Adam steps' % rev)
    res['fftconv'] = sd
    # (b) S4Block with the defaults (FFTConv inside as `layer`), mode diag, bilinear
    torch.manual_seed(3)
    blk = s4.S4Block(3, mode='diag', d_state=8, init='diag-inv', disc='bilinear', transposed=True)

    def fwd2(g):
        y, _ = blk(torch.randn(2, 3, L, generator=g))
        return ((y - 0.2) ** 2).mean()
    train(blk, fwd2)
    sd2 = state_dict_numpy(blk, '')
    write_checkpoint(out, 's4_block', sd2)
    conv2 = blk.layer
    conv2.activation = torch.nn.Identity()            # the SSM part of the forward: before the activation
    write_fixture(out, 's4_block', ['--layout', 's4d', '--prefix', 'layer.', '--discretization', 'bilinear'],
                  fftconv_kernel(conv2, L_LAGS),
                  'state-spaces/s4 %s models/s4/s4.py S4Block(d_model 3, mode diag, d_state 8, init diag-inv, '
                  'disc bilinear): its FFTConv `layer` (kernel.inv_dt (H, 1), B and C as view_as_real, '
                  'D (1, H)), 4 Adam steps' % rev)
    return res


# ---- Mamba2 --------------------------------------------------------------------


def make_mamba(out, tmp):
    stub('causal_conv1d')
    stub('causal_conv1d.causal_conv1d_varlen')
    stub('mamba_ssm')
    stub('mamba_ssm.ops')
    stub('mamba_ssm.ops.triton')
    stub('mamba_ssm.ops.triton.softplus')
    stub('mamba_ssm.ops.triton.ssd_combined')
    stub('mamba_ssm.distributed')
    stub('mamba_ssm.distributed.tensor_parallel')
    stub('mamba_ssm.distributed.distributed_utils')
    load('mamba_ssm.ops.triton.layernorm_gated', 'SSMH_REF_MAMBA', 'mamba_ssm/ops/triton/layernorm_gated.py', tmp)
    ssu, _ = load('mamba_ssm.ops.triton.selective_state_update', 'SSMH_REF_MAMBA',
                  'mamba_ssm/ops/triton/selective_state_update.py', tmp)
    m2, rev = load('mamba2_ref', 'SSMH_REF_MAMBA', 'mamba_ssm/modules/mamba2.py', tmp)
    F = torch.nn.functional
    res = {}
    for name, kw, seed in (('mamba2_g2', dict(d_model=4, d_state=4, headdim=2, ngroups=2, D_has_hdim=True), 4),
                           ('mamba2_g1', dict(d_model=3, d_state=4, headdim=2, ngroups=1), 5)):
        torch.manual_seed(seed)
        mod = m2.Mamba2(**kw)
        with torch.no_grad():                      # perturbed from its initialisation
            for p_ in mod.parameters():
                p_.add_(0.05 * torch.randn_like(p_))
        # one token's slice: in_proj, the last tap of the causal conv, SiLU, the xBC split
        u = torch.randn(1, kw['d_model'])
        with torch.no_grad():
            zxbcdt = mod.in_proj(u)
            d_ssm, G, Nst, nh = mod.d_ssm, mod.ngroups, mod.d_state, mod.nheads
            z, xBC, dt = torch.split(zxbcdt, [mod.d_inner, d_ssm + 2 * G * Nst, nh], dim=-1)
            xBC = F.silu(xBC * mod.conv1d.weight[:, 0, -1] + mod.conv1d.bias)
            x, B, C = torch.split(xBC, [d_ssm, G * Nst, G * Nst], dim=-1)
        prefix = 'backbone.layers.0.mixer.'
        sd = state_dict_numpy(mod, prefix)
        sd[prefix + 'B'] = to_numpy(B[0])              # flat, before the (g n) split
        sd[prefix + 'C'] = to_numpy(C[0])
        sd[prefix + 'dt'] = to_numpy(dt[0])
        write_checkpoint(out, name, sd)
        # the reference recurrence with this slice frozen: impulses through
        # selective_state_update_ref, float64
        P = mod.headdim
        A = -torch.exp(mod.A_log.double())
        A = A[:, None, None].expand(nh, P, Nst)
        dt_b = dt.double()[0][:, None].expand(nh, P)[None].expand(d_ssm, nh, P)
        dtb = mod.dt_bias.double()[:, None].expand(nh, P)
        Dm = mod.D.double().reshape(nh, P) if kw.get('D_has_hdim') else mod.D.double()[:, None].expand(nh, P)
        Bg = B.double().reshape(1, G, Nst).expand(d_ssm, G, Nst)
        Cg = C.double().reshape(1, G, Nst).expand(d_ssm, G, Nst)
        state = torch.zeros(d_ssm, nh, P, Nst, dtype=torch.float64)
        K = np.zeros((L_LAGS, d_ssm, d_ssm))
        for l in range(L_LAGS):
            xin = torch.zeros(d_ssm, nh, P, dtype=torch.float64)
            if l == 0:
                xin = torch.eye(d_ssm, dtype=torch.float64).reshape(d_ssm, nh, P)
            with torch.no_grad():
                y = ssu.selective_state_update_ref(state, xin, dt_b, A, Bg, Cg, D=Dm, dt_bias=dtb,
                                                   dt_softplus=True)
            K[l] = y.reshape(d_ssm, d_ssm).numpy().T
        args = ['--layout', 'mamba2', '--prefix', prefix]
        if G > 1:
            args += ['--ngroups', str(G)]
        write_fixture(out, name, args, K,
                      'state-spaces/mamba %s mamba_ssm/modules/mamba2.py Mamba2(%s), perturbed from its init; '
                      'a frozen slice (one token: in_proj, the last conv tap, SiLU, the xBC split; B and C flat '
                      'as the split gives them, dt raw) added under the prefix; kernel by '
                      'selective_state_update_ref' % (rev, ', '.join('%s=%s' % kv for kv in kw.items())))
        res[name] = sd
    return res


# ---- LRU-pytorch -------------------------------------------------------------


def make_lru_pytorch(out, tmp):
    lru, rev = load('lru_pytorch_ref', 'SSMH_REF_LRU_PYTORCH', 'LRU_pytorch/LRU.py', tmp)
    torch.manual_seed(6)
    din, dout, N, L = 3, 2, 4, 8
    mod = lru.LRU(din, dout, N)

    def fwd(g):
        y = mod(torch.randn(L, din, generator=g))
        return ((y - 0.3) ** 2).mean()
    train(mod, fwd)
    sd = state_dict_numpy(mod, 'rnn.')
    write_checkpoint(out, 'lru_pytorch', sd)
    # the reference forward in float64 (complex128 parameters, float64 outputs)
    torch.set_default_dtype(torch.float64)
    try:
        with torch.no_grad():
            for p_ in mod.parameters():
                p_.data = p_.data.to(torch.complex128 if p_.is_complex() else torch.float64)
            mod.state = mod.state.to(torch.complex128)
            K = np.zeros((L_LAGS, dout, din))
            for j in range(din):
                x = torch.zeros(L_LAGS, din)
                x[0, j] = 1.0
                y = mod(x)
                K[:, :, j] = y.numpy()
    finally:
        torch.set_default_dtype(torch.float32)
    write_fixture(out, 'lru_pytorch', ['--layout', 'lru', '--prefix', 'rnn.'], K,
                  'Gothos/LRU-pytorch %s LRU_pytorch/LRU.py LRU(in 3, out 2, state 4): complex64 B and C, '
                  'full D, 4 Adam steps' % rev)
    return sd


# ---- JAX code: NumPy transcriptions ------------------------------------------


def s5_transcription(prm, L, conj_sym=True, clip_eigs=False, step_rescale=1.0, discretization='zoh'):
    """NUMPY TRANSCRIPTION of lindermanlab/S5 s5/ssm.py S5SSM.setup and
    __call__ (float64): the lag operators of y = apply_ssm(...) + D * u."""
    Lre = np.clip(prm['Lambda_re'], None, -1e-4) if clip_eigs else prm['Lambda_re']
    Lam = Lre + 1j * prm['Lambda_im']
    B_tilde = prm['B'][..., 0] + 1j * prm['B'][..., 1]
    C_tilde = prm['C'][..., 0] + 1j * prm['C'][..., 1]
    step = step_rescale * np.exp(prm['log_step'][:, 0])
    Id = np.ones(Lam.shape[0])
    if discretization == 'zoh':
        Lbar = np.exp(Lam * step)
        Bbar = (1 / Lam * (Lbar - Id))[..., None] * B_tilde
    else:
        BL = 1 / (Id - (step / 2.0) * Lam)
        Lbar = BL * (Id + (step / 2.0) * Lam)
        Bbar = (BL * step)[..., None] * B_tilde
    H = B_tilde.shape[1]
    K = np.zeros((L, H, H))
    for j in range(H):
        u = np.zeros((L, H))
        u[0, j] = 1.0
        x = np.zeros(Lam.shape[0], dtype=complex)
        for k in range(L):                         # the associative scan, sequentially
            x = Lbar * x + Bbar @ u[k]
            y = 2 * (C_tilde @ x).real if conj_sym else (C_tilde @ x).real
            K[k, :, j] = y + prm['D'] * u[k]
    return K


def make_s5(out):
    rng = np.random.default_rng(7)
    H, P = 3, 4
    res = {}
    for name, kw in (('s5_zoh', {}),
                     ('s5_bilinear', dict(conj_sym=False, clip_eigs=True, step_rescale=0.5,
                                          discretization='bilinear'))):
        # the S5 initialisation (HiPPO-like eigenvalues, lecun-normal B and C,
        # log steps in [log 0.001, log 0.1]) perturbed by a few percent
        prm = {'Lambda_re': (-0.5 + 0.05 * rng.standard_normal(P)).astype(np.float32),
               'Lambda_im': (np.pi * np.arange(P) + 0.1 * rng.standard_normal(P)).astype(np.float32),
               'B': (rng.standard_normal((P, H, 2)) / np.sqrt(H)).astype(np.float32),
               'C': (rng.standard_normal((H, P, 2)) / np.sqrt(P)).astype(np.float32),
               'D': rng.standard_normal(H).astype(np.float32),
               'log_step': rng.uniform(np.log(1e-3), np.log(1e-1), (P, 1)).astype(np.float32)}
        if kw.get('clip_eigs'):
            prm['Lambda_re'][1] = 0.25                  # clipped to -1e-4 when run
        sd = {'encoder.layers_0.seq.' + k: v for k, v in prm.items()}
        sd['encoder.layers_0.norm.scale'] = np.ones(H, np.float32)
        sd['encoder.layers_0.norm.bias'] = np.zeros(H, np.float32)
        write_checkpoint(out, name, sd)
        K = s5_transcription({k: v.astype(np.float64) for k, v in prm.items()}, L_LAGS, **kw)
        args = ['--layout', 's5', '--prefix', 'encoder.layers_0.seq.']
        if kw:
            args += ['--discretization', 'bilinear', '--conj-sym=false', '--clip-eigs', '--step-rescale', '1/2']
        write_fixture(out, name, args, K,
                      'lindermanlab/S5 s5/ssm.py S5SSM (H 3, P 4%s), parameters perturbed from an S5-style '
                      'init, flattened Flax names; kernel by s5_transcription (NumPy) in '
                      'tests/weights_reference_make.py' % (', ' + ', '.join('%s=%s' % kv for kv in kw.items())
                                                           if kw else ', zoh, conj_sym'))
        res[name] = sd
    return res


def lru_transcription(prm, L):
    """NUMPY TRANSCRIPTION of NicolasZucchet/minimal-LRU lru/model.py
    LRU.__call__ (float64)."""
    lam = np.exp(-np.exp(prm['nu_log']) + 1j * np.exp(prm['theta_log']))
    B_norm = (prm['B_re'] + 1j * prm['B_im']) * np.expand_dims(np.exp(prm['gamma_log']), axis=-1)
    C = prm['C_re'] + 1j * prm['C_im']
    H = B_norm.shape[1]
    K = np.zeros((L, H, H))
    for j in range(H):
        u = np.zeros((L, H))
        u[0, j] = 1.0
        h = np.zeros(lam.shape[0], dtype=complex)
        for k in range(L):
            h = lam * h + B_norm @ u[k]
            K[k, :, j] = (C @ h).real + prm['D'] * u[k]
    return K


def make_minimal_lru(out):
    rng = np.random.default_rng(8)
    N, H = 4, 3
    u1, u2 = rng.uniform(size=N), rng.uniform(size=N)
    r_min, r_max, max_phase = 0.4, 0.9, 6.28
    nu = np.log(-0.5 * np.log(u1 * (r_max ** 2 - r_min ** 2) + r_min ** 2))
    theta = np.log(max_phase * u2)
    gamma = np.log(np.sqrt(1 - np.abs(np.exp(-np.exp(nu) + 1j * np.exp(theta))) ** 2))
    prm = {'nu_log': nu, 'theta_log': theta, 'gamma_log': gamma,
           'B_re': rng.standard_normal((N, H)) / np.sqrt(2 * H), 'B_im': rng.standard_normal((N, H)) / np.sqrt(2 * H),
           'C_re': rng.standard_normal((H, N)) / np.sqrt(N), 'C_im': rng.standard_normal((H, N)) / np.sqrt(N),
           'D': rng.standard_normal(H)}
    prm = {k: (v + 0.01 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in prm.items()}
    sd = {'encoder.layers_1.seq.' + k: v for k, v in prm.items()}
    sd['encoder.layers_1.out1.kernel'] = rng.standard_normal((H, H)).astype(np.float32)
    write_checkpoint(out, 'lru_minimal', sd)
    write_fixture(out, 'lru_minimal', ['--layout', 'lru', '--prefix', 'encoder.layers_1.seq.'],
                  lru_transcription({k: v.astype(np.float64) for k, v in prm.items()}, L_LAGS),
                  'NicolasZucchet/minimal-LRU lru/model.py LRU (d_hidden 4, d_model 3, r_min 0.4, r_max 0.9), '
                  'its initialisation perturbed, flattened Flax names; kernel by lru_transcription (NumPy) in '
                  'tests/weights_reference_make.py')


def make_mixed(out, s4d_sd):
    """The s4d.py checkpoint plus tensors no SSM layout reads: bool, complex,
    strings, an object array, float8 (safetensors).  Importing a layer must
    not decode them."""
    sd = dict(s4d_sd)
    sd['mask'] = np.array([True, False, True])
    sd['encoder.rotary'] = np.array([1 + 2j, 3 - 1j], dtype=np.complex64)
    sd['vocab'] = np.array(['ab', 'cde'])
    sd['meta'] = np.array([{'a': 1}, None], dtype=object)
    np.savez(os.path.join(out, 's4d_mixed.npz'), **sd)
    st = {k: v for k, v in sd.items() if v.dtype in ST}
    write_checkpoint(out, 's4d_mixed', st, {'quant.scale': ('F8_E4M3', (2,), b'\x38\x40')})
    np.savez(os.path.join(out, 's4d_mixed.npz'), **sd)   # (write_checkpoint's npz lacks the object array)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             '..', 'witnesses', 'weights', 'reference')
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='ssmh_ref_')
    stubs()
    torch.set_num_threads(1)
    sd = make_s4d(out, tmp)
    make_s4(out, tmp)
    make_mamba(out, tmp)
    make_lru_pytorch(out, tmp)
    make_s5(out)
    make_minimal_lru(out)
    make_mixed(out, sd)


if __name__ == '__main__':
    main()
