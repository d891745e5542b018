r"""Chapter 2: one dense layer of any net, its forward and backward side by side.

The series' two layers, written once for layer :math:`l` of :math:`L` (docs/beyond.md).
:math:`A_0 = X`; layer :math:`l` has :math:`m` inputs (the nodes of layer :math:`l - 1`)
and :math:`n` nodes::

    forward                                   backward
    Z_l = A_{l-1} W_l + b_l   layer_l_inputs    E_l = D_{l+1} W_{l+1}^T   layer_l_error
    A_l = f_l(Z_l)            layer_l_outputs   D_l = E_l * f_l'(A_l)     layer_l_delta
                                                dW_l = A_{l-1}^T D_l / N  weights_l_update
                                                db_l = 1^T D_l / N        bias_l_update

:math:`E_l = N\,\partial C/\partial A_l` and :math:`D_l = N\,\partial C/\partial Z_l`, as
the series' ``H_error`` and ``H_delta``; :math:`N` is the loss's count
(:mod:`handbp.losses`). The pairs :func:`dense_forward`/:func:`dense_backward` and
:func:`activation_forward`/:func:`activation_backward` are CS231n's
``forward(x, params) -> (out, cache)`` and ``backward(dout, cache) -> grads``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from handbp import activations as f
from handbp.checks import Count, Function, Matrix, checked, describe

Elementwise = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Activation:
    """An activation by name: the function, and its derivative from the output.

    ``derivative`` is None for the softmax, whose Jacobian is not diagonal: its delta is
    :func:`handbp.activations.softmax_jvp` instead of a product with a derivative.
    """

    name: str
    function: Elementwise
    derivative: Elementwise | None


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", f.sigmoid, f.sigmoid_derivative),
        Activation("tanh", f.tanh, f.tanh_derivative),
        Activation("relu", f.relu, f.relu_derivative),
        Activation("leaky_relu", f.leaky_relu, f.leaky_relu_derivative),
        Activation("softmax", f.softmax, None),
    )
}
"""The activations a layer can have, by name."""


def activation(name: str) -> Activation:
    """The activation called ``name``, or a ``ValueError`` listing the known ones."""
    found = ACTIVATIONS.get(name) if isinstance(name, str) else None
    if found is None:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {name!r}")
    return found


# --- The equations of layer l ---------------------------------------------------------------


def layer_l_inputs(A_prev: ArrayLike, W: ArrayLike, b: ArrayLike | None = None) -> np.ndarray:
    r"""Chapter 2 (layers), ``layer_l_inputs``: :math:`Z_l = A_{l-1} W_l + \mathbf{1} b_l`.

    The series' :math:`H_{in} = X W_1` with a bias: the row vector :math:`b_l` (one entry
    per node, shape ``(n,)``) is added to every example's row. ``b=None`` is a layer
    without a bias (the series'). A bias of another shape is an error, not a broadcast.
    """
    return A_prev @ W if b is None else A_prev @ W + b


layer_l_inputs = checked(
    layer_l_inputs, A_prev="e m", W="m n", b=Matrix("n", optional=True), blas=True
)


def layer_l_outputs(Z: ArrayLike, function: Elementwise = f.sigmoid) -> np.ndarray:
    r"""Chapter 2 (layers), ``layer_l_outputs``: :math:`A_l = f_l(Z_l)`.

    ``function`` is the layer's activation :math:`f_l` (:data:`ACTIVATIONS`).
    """
    return function(Z)


layer_l_outputs = checked(layer_l_outputs, Z="e n", function=Function())


def layer_l_error(D: ArrayLike, W: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (layers), ``layer_l_error``: :math:`E_{l-1} = D_l W_l^T = N\,\partial C/\partial A_{l-1}`.

    The series' :math:`H_{error} = O_{delta} W_2^T` for any layer: :math:`Z_l = A_{l-1} W_l
    + b_l` sends :math:`\partial C/\partial Z_l` back through :math:`W_l^T`; the bias adds
    nothing (it does not depend on :math:`A_{l-1}`). For :math:`l = 1` it is the gradient
    with respect to the input :math:`X` (times :math:`N`).
    """
    return D @ W.T


layer_l_error = checked(layer_l_error, D="e n", W="m n", blas=True)


def layer_l_delta(
    E: ArrayLike, A: ArrayLike, derivative: Elementwise = f.sigmoid_derivative
) -> np.ndarray:
    r"""Chapter 2 (layers), ``layer_l_delta``: :math:`D_l = E_l \odot f_l'(A_l) = N\,\partial C/\partial Z_l`.

    The series' :math:`H_{delta} = H_{error} \odot H_{out} \odot (1 - H_{out})` with the
    layer's own derivative, taken from its output. An elementwise activation has a
    diagonal Jacobian, so the chain rule is a product entry by entry; the softmax's is not
    (its delta is :func:`handbp.activations.softmax_jvp`).
    """
    return E * derivative(A)


layer_l_delta = checked(layer_l_delta, E="e n", A="e n", derivative=Function())


def weights_l_update(A_prev: ArrayLike, D: ArrayLike, N: int) -> np.ndarray:
    r"""Chapter 2 (layers), ``weights_l_update``: :math:`\frac{\partial C}{\partial W_l} = \frac{1}{N} A_{l-1}^T D_l`.

    The series' :math:`W_{1,update} = \frac{1}{N} X^T H_{delta}` for any layer: the sum
    over examples is the matrix product, :math:`N` the loss's count.
    """
    return A_prev.T @ D / N


weights_l_update = checked(weights_l_update, A_prev="e m", D="e n", N=Count(), blas=True)


def bias_l_update(D: ArrayLike, N: int) -> np.ndarray:
    r"""Chapter 2 (layers), ``bias_l_update``: :math:`\frac{\partial C}{\partial b_l} = \frac{1}{N} \sum_e D_l^{(e)}`.

    Every example's row of :math:`Z_l` gets the same :math:`b_l`, so
    :math:`\partial z^{(e)}_n/\partial b_n = 1` for every example :math:`e`, and the
    multivariable chain rule (part 9) sums over the examples: a sum, not a mean. The
    :math:`1/N` is the loss's average, the same that divides the weight gradient (it is
    not "the mean over examples" unless :math:`N` counts examples, as for the
    cross-entropy; for the MSE, :math:`N` = ``Y.size``).
    """
    return D.sum(axis=0) / N


bias_l_update = checked(bias_l_update, D="e n", N=Count())


# --- Forward and backward pairs (CS231n's layers.py) ----------------------------------------


class DenseCache(NamedTuple):
    """What :func:`dense_backward` needs from :func:`dense_forward`."""

    A_prev: np.ndarray
    W: np.ndarray
    has_bias: bool


class DenseGradients(NamedTuple):
    """The gradients of a dense layer: :math:`E_{l-1}` (None if not asked), dW, db."""

    error_before: np.ndarray | None
    weights_update: np.ndarray
    bias_update: np.ndarray | None


def dense_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray | None
) -> tuple[np.ndarray, DenseCache]:
    """:math:`Z_l = A_{l-1} W_l + b_l` and the cache for the backward pass."""
    return layer_l_inputs(A_prev, W, b), DenseCache(A_prev, W, b is not None)


def dense_backward(
    D: np.ndarray, cache: DenseCache, N: int, error_before: bool = True
) -> DenseGradients:
    """dW, db and (if ``error_before``) :math:`E_{l-1} = D_l W_l^T`, from :math:`D_l`."""
    if not isinstance(cache, DenseCache):
        raise TypeError(f"cache must be the DenseCache of dense_forward, got {describe(cache)}")
    A_prev, W, has_bias = cache
    return DenseGradients(
        layer_l_error(D, W) if error_before else None,
        weights_l_update(A_prev, D, N),
        bias_l_update(D, N) if has_bias else None,
    )


def activation_forward(Z: np.ndarray, name: str) -> tuple[np.ndarray, tuple[np.ndarray, str]]:
    """:math:`A_l = f_l(Z_l)` and the cache (the output and the activation's name)."""
    A = layer_l_outputs(Z, activation(name).function)
    return A, (A, name)


def activation_backward(E: np.ndarray, cache: tuple[np.ndarray, str]) -> np.ndarray:
    """:math:`D_l` from :math:`E_l`: the derivative's product, or the softmax's JVP."""
    if not (isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[1], str)):
        raise TypeError(
            f"cache must be the (A, name) pair of activation_forward, got {describe(cache)}"
        )
    A, name = cache
    derivative = activation(name).derivative
    return f.softmax_jvp(A, E) if derivative is None else layer_l_delta(E, A, derivative)
