"""Matrix functions and decompositions of ``mg.linalg``: inverse, solve, determinants,
Cholesky, QR, symmetric eigendecomposition and SVD, each with its gradient (as PyTorch's).

Forward passes call the array API's ``linalg`` extension (NumPy, CuPy and array-api-strict all
have it); backward passes are matrix products written with Tensor ops, so second derivatives
work too. Every op acts on the last two axes and broadcasts over the leading (batch) ones.
"""

import numpy as np

from ..autograd.function import Op
from .linalg import tril
from .movement import cat


class LinAlgError(RuntimeError):
    """A matrix the function cannot work with (singular, not positive-definite), as
    ``torch.linalg.LinAlgError``; a ``RuntimeError``, so code catching that still does."""


def _lapack(name, why, fn, *arrays):
    """``fn(*arrays)``, with the backend's LAPACK failure raised as ``LinAlgError`` naming the
    function. (CuPy does not check by default: a singular matrix gives inf or NaN there.)"""
    try:
        return fn(*arrays)
    except np.linalg.LinAlgError as err:
        raise LinAlgError(f"linalg.{name}: {why} ({err}; shape {tuple(arrays[0].shape)})") from None


def _t(x):
    return x.mT


def _diag_embed(v):
    """Batched diagonal matrices from the vectors in the last axis of ``v``."""
    n = v.shape[-1]
    return v.unsqueeze(-1) * _eye_like(v, n)


def _eye_like(like, n):
    from ..creation import eye
    return eye(n, dtype=like.dtype, device=like.device)


class Inv(Op):
    """Y = A⁻¹;  dA = -Yᵀ dY Yᵀ."""

    node_name = "LinalgInvExBackward0"  # PyTorch's inv runs linalg_inv_ex (which also checks for errors)

    @staticmethod
    def forward(ctx, a):
        y = _lapack("inv", "the input matrix is singular", ctx.xp.linalg.inv, a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -(_t(y) @ grad @ _t(y))


class Solve(Op):
    """X = A⁻¹B (B a batch of matrices);  dB = A⁻ᵀ dX, dA = -dB Xᵀ."""

    @staticmethod
    def forward(ctx, a, b):
        x = _lapack("solve", "the input matrix A is singular", ctx.xp.linalg.solve, a, b)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        db = Solve.apply(_t(a), grad)
        return (-(db @ _t(x)) if ctx.needs_input_grad[0] else None), db


class Det(Op):
    """d = det A;  dA = dd · d · A⁻ᵀ (A must be invertible for the gradient)."""

    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        d = ctx.xp.linalg.det(a)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, grad):
        a, d = ctx.saved_tensors
        return (grad * d).unsqueeze(-1).unsqueeze(-1) * _t(Inv.apply(a))


class Slogdet(Op):
    """(sign, log|det A|);  dA = d(log|det|) · A⁻ᵀ; the sign has no gradient."""

    @staticmethod
    def forward(ctx, a):
        sign, logabsdet = ctx.xp.linalg.slogdet(a)
        ctx.save_for_backward(a)
        ctx.mark_non_differentiable(0)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, _, grad):
        (a,) = ctx.saved_tensors
        return grad.unsqueeze(-1).unsqueeze(-1) * _t(Inv.apply(a))


class Cholesky(Op):
    """L lower triangular with A = L Lᵀ (A symmetric positive definite);
    dA = sym(L⁻ᵀ Φ(Lᵀ dL) L⁻¹), Φ the lower triangle with its diagonal halved (Murray, 2016)."""

    @staticmethod
    def forward(ctx, a):
        y = _lapack("cholesky", "the input is not positive-definite", ctx.xp.linalg.cholesky, a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        phi = tril(_t(y) @ tril(grad))
        phi = phi - 0.5 * _diag_embed(phi.diagonal(0, -2, -1))
        y_inv = Inv.apply(y)
        s = _t(y_inv) @ phi @ y_inv
        return 0.5 * (s + _t(s))


class Qr(Op):
    """A = QR with Q (m, k) orthonormal columns and R (k, n) upper triangular, k = min(m, n).

    For m ≥ n: M = R dRᵀ - dQᵀ Q, dA = (dQ + Q copyltu(M)) R⁻ᵀ, copyltu mirroring M's lower
    triangle onto its upper one (Walter and Lehmann, 2018). For m < n, A = [X | Y] and
    R = [U | V] with X = QU square: dY = Q dV and dX is the square case with dQ + Y dVᵀ in
    place of dQ (Liao et al., 2019). ``mode="complete"`` with m > n is not differentiable (as in
    PyTorch: Q's extra columns are not determined by A), nor is ``mode="r"`` (Q is returned empty).
    """

    @staticmethod
    def forward(ctx, a, mode="reduced"):
        q, r = ctx.xp.linalg.qr(a, mode="reduced" if mode == "r" else mode)
        ctx.save_for_backward(a, q, r)
        return (ctx.xp.reshape(q, (-1,))[:0] if mode == "r" else q), r

    @staticmethod
    def backward(ctx, dq, dr):
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.attrs["mode"] == "r":
            raise RuntimeError("linalg.qr: the derivative depends on Q, which is not computed when "
                               "mode='r'; use mode='reduced'")
        if ctx.attrs["mode"] == "complete" and m > n:
            raise NotImplementedError("linalg.qr: mode='complete' is not differentiable for inputs with more "
                                      "rows than columns (as in PyTorch); use mode='reduced'")
        if m >= n:
            return _qr_backward_tall(dq, dr, q, r)
        y, u, du, dv = a[..., m:], r[..., :m], dr[..., :m], dr[..., m:]
        dx = _qr_backward_tall(dq + y @ _t(dv), du, q, u)
        return cat([dx, q @ dv], -1)


def _qr_backward_tall(dq, dr, q, r):
    mm = r @ _t(dr) - _t(dq) @ q
    copyltu = tril(mm) + _t(tril(mm, -1))
    return _t(Solve.apply(r, _t(dq + q @ copyltu)))


class Eigh(Op):
    """A = V diag(w) Vᵀ for symmetric A, w ascending;
    dA = V (diag(dw) + F ∘ skew(Vᵀ dV)) Vᵀ with Fᵢⱼ = 1/(wⱼ - wᵢ) off the diagonal (distinct w)
    and skew(X) = (X - Xᵀ)/2: a symmetric gradient, as PyTorch's."""

    @staticmethod
    def forward(ctx, a, uplo="L"):
        xp = ctx.xp
        # LAPACK reads one triangle: mirror it so every backend sees the same symmetric matrix
        a = xp.tril(a) + xp.matrix_transpose(xp.tril(a, k=-1)) if uplo == "L" else \
            xp.triu(a) + xp.matrix_transpose(xp.triu(a, k=1))
        w, v = xp.linalg.eigh(a)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, dw, dv):
        w, v = ctx.saved_tensors
        gap = w.unsqueeze(-2) - w.unsqueeze(-1)  # [i, j] = wⱼ - wᵢ
        off = 1 - _eye_like(w, w.shape[-1])
        f = off / (gap + (1 - off))
        vdv = _t(v) @ dv
        inner = _diag_embed(dw) + f * (0.5 * (vdv - _t(vdv)))  # only the skew part moves V (PyTorch's)
        return v @ inner @ _t(v)


class Svd(Op):
    """A = U diag(S) Vᴴ (reduced: U (m, k), S (k,), Vᴴ (k, n)), S descending.

    With V = Vᴴᵀ and Fᵢⱼ = 1/(sⱼ² - sᵢ²) off the diagonal (Townsend, 2016):
    dA = U [(F ∘ (Uᵀ dU - dUᵀ U)) S + diag(dS) + S (F ∘ (Vᵀ dV - dVᵀ V))] Vᵀ
         + (I - U Uᵀ) dU S⁻¹ Vᵀ + U S⁻¹ dVᵀ (I - V Vᵀ).
    Needs distinct, non-zero singular values; ``full_matrices=True`` is not differentiable.
    """

    @staticmethod
    def forward(ctx, a, full_matrices=True):
        u, s, vh = ctx.xp.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        ctx.shape = a.shape
        return u, s, vh

    @staticmethod
    def backward(ctx, du, ds, dvh):
        u, s, vh = ctx.saved_tensors
        m, n = ctx.shape[-2:]
        if ctx.attrs["full_matrices"] and m != n:
            raise NotImplementedError("linalg.svd: the gradient needs full_matrices=False (as PyTorch)")
        v, dv = _t(vh), _t(dvh)
        k = s.shape[-1]
        s2 = s * s
        off = 1 - _eye_like(s, k)
        f = off / (s2.unsqueeze(-2) - s2.unsqueeze(-1) + (1 - off))
        smat = _diag_embed(s)
        u_part = (f * (_t(u) @ du - _t(du) @ u)) @ smat
        v_part = smat @ (f * (_t(v) @ dv - _t(dv) @ v))
        inner = u_part + _diag_embed(ds) + v_part
        da = u @ inner @ vh
        s_inv = _diag_embed(1 / s)
        if m > k:
            da = da + (du - u @ (_t(u) @ du)) @ s_inv @ vh
        if n > k:
            da = da + u @ s_inv @ (_t(dv) - (_t(dv) @ v) @ vh)
        return da
