"""``mg.linalg``: norms, inverse, solve, determinants and decompositions, as ``torch.linalg``.

Each function acts on the last two axes (batches broadcast over the rest) and is
differentiable where PyTorch's is; inputs must be floating point.

>>> import minigrad as mg
>>> a = mg.tensor([[2.0, 0.0], [0.0, 4.0]])
>>> mg.linalg.inv(a).tolist(), mg.linalg.det(a).item()
([[0.5, 0.0], [0.0, 0.25]], 8.0)
"""

import math

from ._coerce import _dim
from .functions import matmul  # noqa: F401 - torch.linalg has it too
from .ops.decompositions import Cholesky, Det, Eigh, Inv, LinAlgError, Qr, Slogdet, Solve, Svd
from .ops.linalg import linalg_cross as cross  # noqa: F401
from .ops.linalg import outer  # noqa: F401 - torch.linalg has it too

__all__ = ["LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq",
           "matmul", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "outer", "pinv", "qr",
           "slogdet", "solve", "solve_triangular", "svd", "svdvals", "vecdot", "vector_norm"]


def _floating(name, x):
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.{name}: expected a floating point tensor as input, got {x.dtype}")


def _square(name, a):
    _floating(name, a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, got shape {tuple(a.shape)}")


def inv(A):
    """A⁻¹ (raises ``LinAlgError`` for a singular matrix)."""
    _square("inv", A)
    return Inv.apply(A)


def solve(A, B, *, left=True):
    """X with AX = B (``left=False``: XA = B); B a matrix, a batch of them, or a vector."""
    _square("solve", A)
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {'x'.join(map(str, b.shape[-2:]))})")
    _same_dtype("solve", A, B)
    x = Solve.apply(A, b)
    return x.squeeze(-1) if vector else x


def det(A):
    """The determinant of each matrix."""
    _square("det", A)
    return Det.apply(A)


def slogdet(A):
    """``(sign, logabsdet)``: det A = sign · exp(logabsdet), without overflow."""
    _square("slogdet", A)
    sign, logabsdet = Slogdet.apply(A)
    return _SignLogAbsDet((sign, logabsdet))


def cholesky(A, *, upper=False):
    """L lower triangular with A = L Lᵀ for symmetric positive-definite A (``upper``: Lᵀ)."""
    _square("cholesky", A)
    lower = Cholesky.apply(A)
    return lower.mT if upper else lower


def qr(A, mode="reduced"):
    """``(Q, R)`` with A = QR, Q orthonormal columns, R upper triangular. ``mode``: ``"reduced"``
    (Q m x k, k = min(m, n)), ``"complete"`` (Q m x m) or ``"r"`` (R only; Q is an empty tensor,
    as PyTorch returns it, and the result is not differentiable)."""
    _floating("qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"linalg.qr: qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = Qr.apply(A, mode=mode)
    return _QR((q, r))


def eigh(A, UPLO="L"):
    """``(eigenvalues, eigenvectors)`` of symmetric A, values ascending (reads the ``UPLO`` triangle)."""
    _square("eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    w, v = Eigh.apply(A, uplo=UPLO)
    return _Eigh((w, v))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of symmetric A, ascending."""
    return eigh(A, UPLO)[0]


def svd(A, full_matrices=True):
    """``(U, S, Vh)`` with A = U diag(S) Vh, S descending."""
    _floating("svd", A)
    u, s, vh = Svd.apply(A, full_matrices=bool(full_matrices))
    return _SVD((u, s, vh))


def svdvals(A):
    """The singular values of A, descending."""
    return svd(A, full_matrices=False)[1]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(Σ |xᵢ|^ord)^(1/ord) over ``dim`` (all elements by default); ``ord`` may be ±inf or 0."""
    if not isinstance(ord, (int, float)):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r} (matrix norms such as "
                        "'fro' are linalg.matrix_norm's)")
    _floating("vector_norm", x if dtype is None else x.type(dtype))
    if dtype is not None:
        x = x.type(dtype)
    return x.norm(ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Frobenius (``"fro"``), nuclear (``"nuc"``), ±1 (max/min column sum), ±inf (max/min row
    sum) or ±2 (largest/smallest singular value) norm of the matrices over ``dim``."""
    _floating("matrix_norm", A)
    if dtype is not None:
        A = A.type(dtype)
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple, got {dim}")
    dims = tuple(_dim(d, A.ndim) for d in dim)  # in order, rows then columns: ord ±1, ±inf read it
    if dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different, got {dim}")
    if ord == "fro":
        return A.norm(2, dims, keepdim)
    moved = A.movedim(dims, (-2, -1))
    if ord in ("nuc", 2, -2):
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
    elif ord in (1, -1, math.inf, -math.inf):
        sums = moved.abs().sum(-2 if abs(ord) == 1 else -1)
        out = sums.amax(-1) if ord > 0 else sums.amin(-1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: order {ord} not supported")
    if keepdim:
        for d in sorted(dims):
            out = out.unsqueeze(d)
    return out


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (1-d input or an int ``dim``) or a matrix norm (2-d input or a 2-tuple
    ``dim``); with neither ``ord`` nor ``dim``, the 2-norm of all elements."""
    if dim is None and ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if isinstance(dim, int) or (dim is None and A.ndim == 1) or (dim is not None and len(dim) == 1):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and A.ndim != 2:
        raise RuntimeError(f"linalg.norm: with ord and no dim, A must be 1-d or 2-d, got {A.ndim}-d")
    return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim,
                       dtype=dtype)


def _same_dtype(name, a, b):
    if a.dtype is not b.dtype:
        raise RuntimeError(f"linalg.{name}: expected A and B to have the same dtype, got {a.dtype} and "
                           f"{b.dtype}")


class _SignLogAbsDet(tuple):
    sign = property(lambda self: self[0])
    logabsdet = property(lambda self: self[1])


class _QR(tuple):
    Q = property(lambda self: self[0])
    R = property(lambda self: self[1])


class _Eigh(tuple):
    eigenvalues = property(lambda self: self[0])
    eigenvectors = property(lambda self: self[1])


class _SVD(tuple):
    U = property(lambda self: self[0])
    S = property(lambda self: self[1])
    Vh = property(lambda self: self[2])


# --- products, powers and least squares built on the decompositions above ----------------------------
def matrix_power(A, n):
    """Aⁿ for an integer n (A⁻¹ raised to -n when n < 0; the identity for n = 0), by repeated squaring."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, got shape "
                           f"{tuple(A.shape)}")
    if n == 0:
        from .creation import eye
        return eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape) * 1
    base, k, out = (inv(A) if n < 0 else A), abs(int(n)), None
    while k:
        if k & 1:
            out = base if out is None else out @ base
        k >>= 1
        if k:
            base = base @ base
    return out


def vecdot(x, y, *, dim=-1):
    """Σ x·y along ``dim`` (broadcast together)."""
    return (x * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The ``offset``-th diagonal of the matrices over (``dim1``, ``dim2``)."""
    return A.diagonal(offset, dim1, dim2)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with AX = B (``left=False``: XA = B) for triangular A: only its ``upper`` or lower triangle
    is read (and not its diagonal, taken as ones, when ``unitriangular``), so only that triangle
    receives a gradient."""
    _square("solve_triangular", A)
    T = A.triu() if upper else A.tril()
    if unitriangular:
        from .creation import eye
        identity = eye(A.shape[-1], dtype=A.dtype, device=A.device)
        T = T * (1 - identity) + identity
    return solve(T, B, left=left)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse V diag(1/σ) Uᵀ, singular values at or below
    max(atol, rtol·σ_max) treated as 0 (rtol defaults to max(m, n)·eps when neither is given)."""
    from .dtypes import finfo
    _floating("pinv", A)
    u, s, vh = svd(A, full_matrices=False)
    if rtol is None:
        rtol = 0.0 if atol is not None else max(A.shape[-2:]) * finfo(A.dtype).eps
    cutoff = (s.amax(-1, keepdim=True) * rtol).clamp(min=atol or 0.0)
    kept = s > cutoff
    s_inv = (1 / s.where(kept, 1.0)).where(kept, 0.0)
    return (vh.mT * s_inv.unsqueeze(-2)) @ u.mT


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values above max(atol, rtol·σ_max) (rtol: max(m, n)·eps by default)."""
    from .dtypes import finfo
    s = svdvals(A.detach())
    if rtol is None:
        rtol = 0.0 if atol is not None else max(A.shape[-2:]) * finfo(A.dtype).eps
    return (s > (s.amax(-1, keepdim=True) * rtol).clamp(min=atol or 0.0)).sum(-1)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution X of AX ≈ B, as ``pinv(A) @ B``: ``(solution, residuals, rank,
    singular_values)``, the last three empty as with PyTorch's default CPU driver."""
    solution = pinv(A, rtol=rcond) @ B if B.ndim == A.ndim else pinv(A, rtol=rcond) @ B.unsqueeze(-1)
    empty = A.new_zeros((0,))
    return _Lstsq((solution if B.ndim == A.ndim else solution.squeeze(-1), empty, empty.long(), empty))


class _Lstsq(tuple):
    solution = property(lambda self: self[0])
    residuals = property(lambda self: self[1])
    rank = property(lambda self: self[2])
    singular_values = property(lambda self: self[3])


def multi_dot(tensors):
    """The product of a chain of matrices, left to right."""
    from .ops.linalg import multi_dot as chain
    return chain(tensors)
