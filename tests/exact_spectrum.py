"""Exact spectra for the gradient tests (Python fractions only, no code
shared with ssmheads): characteristic polynomials by Faddeev-LeVerrier,
polynomial products, and matrix inverses.  Used by tests/gradient_hard.py
and witnesses/hard/make_hard.py beside tests/oracle.py's matmul and rank."""
from fractions import Fraction

from oracle import matmul


def charpoly(A):
    """det(zI - A) as coefficients c_0 .. c_n (c_n = 1)."""
    n = len(A)
    c = [Fraction(0)] * (n + 1)
    c[n] = Fraction(1)
    M = [[Fraction(0)] * n for _ in range(n)]
    for k in range(1, n + 1):
        AM = matmul(A, M)
        M = [[AM[i][j] + (c[n - k + 1] if i == j else 0) for j in range(n)] for i in range(n)]
        AM = matmul(A, M)
        c[n - k] = -sum(AM[i][i] for i in range(n)) / k
    return c


def pmul(p, q):
    """The product of two polynomials (coefficients lowest first)."""
    r = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            r[i + j] += a * b
    return r


def poly_from_roots(roots):
    """prod (z - r) over the roots, with multiplicity."""
    p = [Fraction(1)]
    for r in roots:
        p = pmul(p, [-Fraction(r), Fraction(1)])
    return p


def inv(M):
    """M^-1 by Gauss-Jordan (M invertible)."""
    n = len(M)
    A = [list(r) + [Fraction(int(i == j)) for j in range(n)] for i, r in enumerate(M)]
    for c in range(n):
        p = next(i for i in range(c, n) if A[i][c] != 0)
        A[c], A[p] = A[p], A[c]
        A[c] = [x / A[c][c] for x in A[c]]
        for i in range(n):
            if i != c and A[i][c]:
                f = A[i][c]
                A[i] = [a - f * b for a, b in zip(A[i], A[c])]
    return [r[n:] for r in A]
