r"""The forward and backward pass of any :class:`~handbp.nn.Net`, in place.

The catalogue's functions (:mod:`handbp.layers`, :mod:`handbp.nn`) return a new array
for every equation: that is what lets a learner look at each quantity. A training loop
has no use for the old ones, and on small batches their allocations and Python calls
cost more than the arithmetic. :class:`InPlacePass` computes the same equations with the
same floating-point operations in the same order (one exception, exact: a division by
a power of two is a product with its reciprocal), into buffers allocated once per batch
size: :meth:`Net.step <handbp.nn.Net.step>` (through :func:`step`) and the fast training
epoch (:class:`handbp.training.minibatch.FastEpoch`) run it, and the tests hold both bit
for bit equal to the catalogue's functions. Each line names the equation it computes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from handbp.activations import LEAKY_SLOPE

IN_PLACE: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")
"""The activations :class:`InPlacePass` writes out in place: every one of
:data:`handbp.layers.ACTIVATIONS` (a test holds the two lists equal)."""


class _Layer:
    """One layer's buffers for one batch size."""

    def __init__(self, n: int, width: int, dtype: np.dtype, backward: bool) -> None:
        self.Z = np.empty((n, width), dtype)  # layer_l_inputs
        self.A = np.empty((n, width), dtype)  # layer_l_outputs
        self.mask = np.empty((n, width), bool)
        self.column = np.empty((n, 1), dtype)
        if backward:
            self.E = np.empty((n, width), dtype)  # layer_l_error
            self.D = self.E  # layer_l_delta, written over the error (no longer needed)
            self.work = np.empty((n, width), dtype)


def _quiet_product(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        np.matmul(a, b, out=out)


class InPlacePass:
    """Buffers for ``net``'s passes over batches of ``size`` examples in ``dtype``, and the
    equations that fill them.

    After :meth:`forward`, ``layers[l].Z`` and ``layers[l].A`` hold layer l+1's inputs and
    outputs; :meth:`backward` writes the weight and bias gradients into arrays the caller
    gives. The buffers are overwritten by the next call: copy what must outlive it.
    """

    def __init__(self, net: Any, size: int, dtype: np.dtype, backward: bool) -> None:
        unknown = [name for name in net.activations if name not in IN_PLACE]
        if unknown:
            raise ValueError(
                f"the in-place pass computes the activations {', '.join(IN_PLACE)}, "
                f"not {unknown[0]!r}"
            )
        self.names: tuple[str, ...] = tuple(net.activations)
        self.biased: bool = net.biases
        self.fused: bool = net.fused
        self.layers = [_Layer(size, width, dtype, backward) for width in net.widths[1:]]
        # OpenBLAS's float32 kernels can leave the "invalid" flag set on finite inputs
        # (numpy/numpy#24067): as the catalogue's checked products, silence only that.
        self._product = _quiet_product if np.dtype(dtype) == np.float32 else np.matmul

    def forward(
        self, X: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray] | None
    ) -> None:
        """feedforward_net: every layer's Z and A for the batch ``X``."""
        A = X
        for k, (W, name, layer) in enumerate(zip(weights, self.names, self.layers, strict=True)):
            self._product(A, W, layer.Z)  # layer_l_inputs: A_{l-1} W_l (+ b_l)
            if self.biased:
                np.add(layer.Z, biases[k], out=layer.Z)  # type: ignore[index]
            Z, A = layer.Z, layer.A
            if name == "sigmoid":  # sigmoid: 1 / (1 + exp(-z))
                np.negative(Z, out=A)
                with np.errstate(over="ignore"):
                    np.exp(A, out=A)
                np.add(1, A, out=A)
                np.divide(1, A, out=A)
            elif name == "tanh":
                np.tanh(Z, out=A)
            elif name == "relu":
                np.maximum(Z, 0, out=A)
            elif name == "leaky_relu":  # leaky_relu: z if z > 0 else slope z
                np.greater(Z, 0, out=layer.mask)
                np.multiply(LEAKY_SLOPE, Z, out=A)
                np.copyto(A, Z, where=layer.mask)
            else:  # softmax: exp(z - max z) / sum exp(z - max z), each row
                np.maximum.reduce(Z, axis=1, keepdims=True, out=layer.column)
                np.subtract(Z, layer.column, out=A)
                np.exp(A, out=A)
                np.add.reduce(A, axis=1, keepdims=True, out=layer.column)
                np.divide(A, layer.column, out=A)

    @staticmethod
    def _delta(layer: _Layer, name: str) -> None:
        """layer_l_delta: D = E * f'(A), f' read from the layer's output A."""
        A, E, D, work = layer.A, layer.E, layer.D, layer.work
        if name == "sigmoid":  # sigmoid_derivative: a (1 - a)
            np.subtract(1, A, out=work)
            np.multiply(A, work, out=work)
            np.multiply(E, work, out=D)
        elif name == "tanh":  # tanh_derivative: 1 - a a
            np.multiply(A, A, out=work)
            np.subtract(1, work, out=work)
            np.multiply(E, work, out=D)
        elif name == "relu":  # relu_derivative: 1 if a > 0 else 0
            np.greater(A, 0, out=layer.mask)
            np.multiply(E, layer.mask, out=D)
        elif name == "leaky_relu":  # leaky_relu_derivative: 1 if a > 0 else slope
            np.greater(A, 0, out=layer.mask)
            work.fill(LEAKY_SLOPE)
            np.copyto(work, 1, where=layer.mask)
            np.multiply(E, work, out=D)
        else:  # softmax_jvp: p (v - sum(v p))
            np.multiply(E, A, out=work)
            np.add.reduce(work, axis=1, keepdims=True, out=layer.column)
            np.subtract(E, layer.column, out=work)
            np.multiply(A, work, out=D)

    def backward(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        N: int,
        transposed: Sequence[np.ndarray],
        dW: Sequence[np.ndarray],
        db: Sequence[np.ndarray],
    ) -> None:
        """backpropagation_net after :meth:`forward` on ``X``: the gradients into ``dW``
        and ``db`` (``transposed``: each W_l.T; ``N``: the loss's count for ``Y``)."""
        layers, names = self.layers, self.names
        # x / N: for N a power of two, x * (1 / N) is the same number (both round the one
        # real x 2^-k; 1 / N is exact) and a product costs a fraction of a division.
        scale, by = (np.multiply, 1.0 / N) if N & (N - 1) == 0 else (np.divide, N)
        top = layers[-1]
        np.subtract(top.A, Y, out=top.D if self.fused else top.E)  # fused delta / mse_error
        if not self.fused:
            self._delta(top, names[-1])
        for k in range(len(layers) - 1, -1, -1):
            D = layers[k].D
            A_prev = X if k == 0 else layers[k - 1].A
            self._product(A_prev.T, D, dW[k])  # weights_l_update: A_{k-1}^T D_l / N
            scale(dW[k], by, out=dW[k])
            if self.biased:  # bias_l_update: sum_e D_l / N
                np.add.reduce(D, axis=0, out=db[k])
                scale(db[k], by, out=db[k])
            if k > 0:
                self._product(D, transposed[k], layers[k - 1].E)  # layer_l_error
                self._delta(layers[k - 1], names[k - 1])


class StepBuffers:
    """An :class:`InPlacePass` with gradient buffers, for :func:`step`."""

    def __init__(self, net: Any, size: int, dtype: np.dtype) -> None:
        self.passes = InPlacePass(net, size, dtype, backward=True)
        pairs = list(zip(net.widths[:-1], net.widths[1:], strict=True))
        self.dW = [np.empty((m, n), dtype) for m, n in pairs]
        self.db = [np.empty(n, dtype) for _, n in pairs] if net.biases else []


_local = threading.local()  # each thread its own buffers: two steps never share them
KEPT = 8
"""How many (net, batch size, dtype) buffer sets :func:`step` keeps per thread (a net's
buffers hold about six batch x width arrays; the oldest set goes first)."""


def step_buffers(net: Any, size: int, dtype: np.dtype) -> StepBuffers:
    """The buffers :func:`step` uses for ``net`` on ``size`` examples in ``dtype``: made on
    the first call, the same object on the next ones (in one thread)."""
    kept: dict[tuple[Any, int, np.dtype], StepBuffers] = _local.__dict__.setdefault("kept", {})
    key = (net, size, dtype)
    buffers = kept.get(key)
    if buffers is None:
        while kept and len(kept) >= KEPT:
            del kept[next(iter(kept))]  # the oldest
        buffers = kept[key] = StepBuffers(net, size, dtype)
    return buffers


def step(
    net: Any,
    X: np.ndarray,
    Y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None,
    eta: float,
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...] | None]:
    """One gradient-descent step of ``net`` on checked arrays:
    forward and backward in place, then parameters_update's ``W - eta dW`` per array, as
    new arrays. Bit for bit the catalogue's ``parameters_update(gradients_of_net(...))``."""
    buffers = step_buffers(net, X.shape[0], X.dtype)
    passes = buffers.passes
    passes.forward(X, weights, biases)
    passes.backward(X, Y, net.count(Y), [W.T for W in weights], buffers.dW, buffers.db)
    new_weights = tuple(  # gradient_descent_step: W - eta dW
        W - eta * dW for W, dW in zip(weights, buffers.dW, strict=True)
    )
    if biases is None:
        return new_weights, None
    return new_weights, tuple(b - eta * db for b, db in zip(biases, buffers.db, strict=True))
