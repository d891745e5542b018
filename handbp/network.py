"""Feedforward (parts 2 and 5) and backpropagation in matrix form (parts 11-13).

One function per slide equation, named by the equation's id in SERIES.md. The results
of a whole pass come back as dataclasses whose field names are those same ids, so
``getattr(forward, "hidden_layer_outputs")`` finds the quantity of that equation.

Backpropagation here assumes the series' network: sigmoid in both layers and the MSE
of part 6, with ``N = Y.size``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from handbp._validate import (
    as_float_array,
    checks_enabled,
    float_dtype,
    matmul_shapes,
    one_hot,
    positive_int,
    same_dtype,
    same_shape,
    unchecked,
)
from handbp.activations import sigmoid, sigmoid_derivative
from handbp.descent import gradient_descent_step
from handbp.losses import mse

Activation = Callable[[np.ndarray], np.ndarray]

SERIES_SEED = 10
"""Seed of the series' initial weights in part 13 (``np.random.seed(10)``)."""

SERIES_ETA = 0.1
"""The series' learning rate."""

# A note on the matrix products below. OpenBLAS's float32 kernels now and then leave the
# floating-point "invalid" flag set on finite inputs, and NumPy then warns "invalid value
# encountered in matmul" about a result without a single NaN (numpy/numpy#24067). The
# inputs here are checked finite, so each product silences only that flag.


class Weights(NamedTuple):
    """The two weight matrices of the series' net (no biases)."""

    W1: np.ndarray
    W2: np.ndarray


@dataclass(frozen=True)
class Forward:
    """All quantities of one feedforward pass, by equation id (part 2)."""

    hidden_layer_inputs: np.ndarray
    hidden_layer_outputs: np.ndarray
    output_layer_inputs: np.ndarray
    output_layer_outputs: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """The quantities as ``{equation id: array}``, in the order they are computed."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class Backward:
    """All quantities of one backpropagation pass, by equation id (parts 11-12)."""

    output_layer_error: np.ndarray
    output_layer_delta: np.ndarray
    weights_2_update: np.ndarray
    hidden_layer_error: np.ndarray
    hidden_layer_delta: np.ndarray
    weights_1_update: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """The quantities as ``{equation id: array}``, in the order they are computed."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


# --- Feedforward (part 2; NumPy form of part 5) -------------------------------------------


def hidden_layer_inputs(X: ArrayLike, W1: ArrayLike) -> np.ndarray:
    r"""Part 2, ``hidden_layer_inputs``: :math:`H_{in} = X W_1`.

    Order matters (part 5): ``X @ W1``, one row per example; equivalently
    :math:`(W_1^T X^T)^T`.
    """
    X = as_float_array(X, "X", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    same_dtype(X=X, W1=W1)
    matmul_shapes(X, "X", W1, "W1")
    with np.errstate(invalid="ignore"):  # see the note on matrix products above
        return X @ W1


def hidden_layer_outputs(H_in: ArrayLike, activation: Activation = sigmoid) -> np.ndarray:
    r"""Part 2, ``hidden_layer_outputs``: :math:`H_{out} = f(H_{in})`.

    ``activation`` is :math:`f`: the sigmoid (part 8 on) or ``step_function`` (parts 2-5).
    """
    return activation(as_float_array(H_in, "H_in", ndim=2))


def output_layer_inputs(H_out: ArrayLike, W2: ArrayLike) -> np.ndarray:
    r"""Part 2, ``output_layer_inputs``: :math:`O_{in} = H_{out} W_2`."""
    H_out = as_float_array(H_out, "H_out", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    same_dtype(H_out=H_out, W2=W2)
    matmul_shapes(H_out, "H_out", W2, "W2")
    with np.errstate(invalid="ignore"):  # see the note on matrix products above
        return H_out @ W2


def output_layer_outputs(O_in: ArrayLike, activation: Activation = sigmoid) -> np.ndarray:
    r"""Part 2, ``output_layer_outputs``: :math:`O_{out} = f(O_{in})`."""
    return activation(as_float_array(O_in, "O_in", ndim=2))


def feedforward(
    X: ArrayLike, W1: ArrayLike, W2: ArrayLike, activation: Activation = sigmoid
) -> Forward:
    r"""Parts 2 and 5: :math:`H_{in} = X W_1,\ H_{out} = f(H_{in}),\ O_{in} = H_{out} W_2,\ O_{out} = f(O_{in})`."""
    X = as_float_array(X, "X", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    same_dtype(X=X, W1=W1, W2=W2)
    matmul_shapes(X, "X", W1, "W1")
    _check_hidden_nodes(W1, W2)
    with unchecked():  # checked once above; the steps need not check again
        H_in = hidden_layer_inputs(X, W1)
        H_out = hidden_layer_outputs(H_in, activation)
        O_in = output_layer_inputs(H_out, W2)
        O_out = output_layer_outputs(O_in, activation)
    return Forward(H_in, H_out, O_in, O_out)


# --- Backpropagation for W2 (part 11) ------------------------------------------------------


def output_layer_error(O_out: ArrayLike, Y: ArrayLike) -> np.ndarray:
    r"""Part 11, ``output_layer_error``: :math:`O_{error} = O_{out} - Y` (:math:`= N\,\partial\mathrm{MSE}/\partial O_{out}`)."""
    O_out = as_float_array(O_out, "O_out", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    same_dtype(O_out=O_out, Y=Y)
    same_shape(O_out=O_out, Y=Y)
    one_hot(Y)
    return O_out - Y


def output_layer_delta(O_error: ArrayLike, O_out: ArrayLike) -> np.ndarray:
    r"""Part 11, ``output_layer_delta``: :math:`O_{delta} = O_{error} \odot O_{out} \odot (1 - O_{out})`.

    :math:`O_{out} \odot (1 - O_{out})` is the sigmoid's derivative taken from the layer
    output (part 8); :math:`O_{delta} = N\,\partial\mathrm{MSE}/\partial O_{in}`.
    """
    O_error = as_float_array(O_error, "O_error", ndim=2)
    O_out = as_float_array(O_out, "O_out", ndim=2)
    same_dtype(O_error=O_error, O_out=O_out)
    same_shape(O_error=O_error, O_out=O_out)
    return O_error * sigmoid_derivative(O_out)


def weights_2_update(H_out: ArrayLike, O_delta: ArrayLike, N: int) -> np.ndarray:
    r"""Part 11, ``weights_2_update``: :math:`W_{2,update} = \frac{\partial\mathrm{MSE}}{\partial W_2} = \frac{1}{N} H_{out}^T O_{delta}`.

    ``N`` is the number of entries of ``Y`` (examples x output nodes).
    """
    H_out = as_float_array(H_out, "H_out", ndim=2)
    O_delta = as_float_array(O_delta, "O_delta", ndim=2)
    N = positive_int(N, "N")
    same_dtype(H_out=H_out, O_delta=O_delta)
    matmul_shapes(H_out.T, "H_out.T", O_delta, "O_delta")
    with np.errstate(invalid="ignore"):  # see the note on matrix products above
        return H_out.T @ O_delta / N


# --- Backpropagation for W1 (part 12) ------------------------------------------------------


def hidden_layer_error(O_delta: ArrayLike, W2: ArrayLike) -> np.ndarray:
    r"""Part 12, ``hidden_layer_error``: :math:`H_{error} = O_{delta} W_2^T` (:math:`= N\,\partial\mathrm{MSE}/\partial H_{out}`)."""
    O_delta = as_float_array(O_delta, "O_delta", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    same_dtype(O_delta=O_delta, W2=W2)
    matmul_shapes(O_delta, "O_delta", W2.T, "W2.T")
    with np.errstate(invalid="ignore"):  # see the note on matrix products above
        return O_delta @ W2.T


def hidden_layer_delta(H_error: ArrayLike, H_out: ArrayLike) -> np.ndarray:
    r"""Part 12, ``hidden_layer_delta``: :math:`H_{delta} = H_{error} \odot H_{out} \odot (1 - H_{out})` (:math:`= N\,\partial\mathrm{MSE}/\partial H_{in}`)."""
    H_error = as_float_array(H_error, "H_error", ndim=2)
    H_out = as_float_array(H_out, "H_out", ndim=2)
    same_dtype(H_error=H_error, H_out=H_out)
    same_shape(H_error=H_error, H_out=H_out)
    return H_error * sigmoid_derivative(H_out)


def weights_1_update(X: ArrayLike, H_delta: ArrayLike, N: int) -> np.ndarray:
    r"""Part 12, ``weights_1_update``: :math:`W_{1,update} = \frac{\partial\mathrm{MSE}}{\partial W_1} = \frac{1}{N} X^T H_{delta}`.

    ``N`` is the number of entries of ``Y`` (examples x output nodes), not the number of
    examples.
    """
    X = as_float_array(X, "X", ndim=2)
    H_delta = as_float_array(H_delta, "H_delta", ndim=2)
    N = positive_int(N, "N")
    same_dtype(X=X, H_delta=H_delta)
    matmul_shapes(X.T, "X.T", H_delta, "H_delta")
    with np.errstate(invalid="ignore"):  # see the note on matrix products above
        return X.T @ H_delta / N


def backpropagation(X: ArrayLike, Y: ArrayLike, W2: ArrayLike, forward: Forward) -> Backward:
    r"""Parts 11-13: every quantity of the backward pass, from the feedforward's outputs.

    :math:`O_{error} = O_{out} - Y,\ O_{delta} = O_{error} \odot O_{out} \odot (1 - O_{out}),\
    W_{2,update} = \frac{1}{N} H_{out}^T O_{delta},\ H_{error} = O_{delta} W_2^T,\
    H_{delta} = H_{error} \odot H_{out} \odot (1 - H_{out}),\ W_{1,update} = \frac{1}{N} X^T H_{delta}`
    """
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    H_out = as_float_array(forward.hidden_layer_outputs, "H_out", ndim=2)
    O_out = as_float_array(forward.output_layer_outputs, "O_out", ndim=2)
    same_dtype(X=X, Y=Y, W2=W2, H_out=H_out, O_out=O_out)
    same_shape(O_out=O_out, Y=Y)
    one_hot(Y)
    if checks_enabled() and H_out.shape != (X.shape[0], W2.shape[0]):
        raise ValueError(
            f"H_out must have shape (examples, hidden nodes) = ({X.shape[0]}, {W2.shape[0]}) "
            f"for X of shape {X.shape} and W2 of shape {W2.shape}, got {H_out.shape}"
        )
    if checks_enabled() and W2.shape[1] != Y.shape[1]:
        raise ValueError(
            f"W2 must have one column per output node of Y ({Y.shape[1]}), got {W2.shape}"
        )
    with unchecked():  # checked once above; the steps need not check again
        O_error = output_layer_error(O_out, Y)
        O_delta = output_layer_delta(O_error, O_out)
        W2_update = weights_2_update(H_out, O_delta, Y.size)
        H_error = hidden_layer_error(O_delta, W2)
        H_delta = hidden_layer_delta(H_error, H_out)
        W1_update = weights_1_update(X, H_delta, Y.size)
    return Backward(O_error, O_delta, W2_update, H_error, H_delta, W1_update)


# --- The update step (part 13) --------------------------------------------------------------


def weights_update(
    W1: ArrayLike, W2: ArrayLike, W1_update: ArrayLike, W2_update: ArrayLike, eta: float
) -> Weights:
    r"""Part 13, ``weights_update``: :math:`W_1 \leftarrow W_1 - \eta\,W_{1,update},\ W_2 \leftarrow W_2 - \eta\,W_{2,update}`."""
    return Weights(
        gradient_descent_step(W1, W1_update, eta, name="W1"),
        gradient_descent_step(W2, W2_update, eta, name="W2"),
    )


@dataclass(frozen=True)
class Step:
    """Part 13: one feedforward, one backpropagation and one gradient-descent step."""

    before: Weights
    forward: Forward
    backward: Backward
    after: Weights
    mse_before: np.floating
    mse_after: np.floating


def gradient_descent_iteration(
    X: ArrayLike, Y: ArrayLike, W1: ArrayLike, W2: ArrayLike, eta: float
) -> Step:
    """Part 13: feedforward, backpropagation, update, and the MSE before and after the step."""
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    check_network(X, Y, W1, W2)
    with unchecked():  # checked once above; eta is still checked by the update
        forward = feedforward(X, W1, W2)
        backward = backpropagation(X, Y, W2, forward)
        after = weights_update(W1, W2, backward.weights_1_update, backward.weights_2_update, eta)
        mse_before = mse(forward.output_layer_outputs, Y)
        mse_after = mse(feedforward(X, *after).output_layer_outputs, Y)
    return Step(Weights(W1, W2), forward, backward, after, mse_before, mse_after)


def check_network(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> None:
    """Check that X, Y, W1 and W2 fit one net: shapes chain, one dtype, one-hot Y."""
    same_dtype(X=X, Y=Y, W1=W1, W2=W2)
    matmul_shapes(X, "X", W1, "W1")
    _check_hidden_nodes(W1, W2)
    if Y.shape != (X.shape[0], W2.shape[1]):
        raise ValueError(
            f"Y must have shape (examples, output nodes) = ({X.shape[0]}, {W2.shape[1]}) "
            f"for X of shape {X.shape} and W2 of shape {W2.shape}, got {Y.shape}"
        )
    one_hot(Y)


def _check_hidden_nodes(W1: np.ndarray, W2: np.ndarray) -> None:
    if checks_enabled() and W1.shape[1] != W2.shape[0]:
        raise ValueError(
            f"W1's columns (hidden nodes) must match W2's rows, "
            f"got W1 of shape {W1.shape} and W2 of shape {W2.shape}"
        )


def initial_weights(
    seed: int,
    n_input: int = 4,
    n_hidden: int = 2,
    n_output: int = 3,
    scale: float = 0.5,
    dtype: DTypeLike = np.float64,
) -> Weights:
    """The series' initial weights (parts 13-14).

    Equal to ``np.random.seed(seed)`` followed by ``np.random.normal(scale=0.5,
    size=(4, 2))`` and ``np.random.normal(scale=0.5, size=(2, 3))``, drawn in that order,
    but without touching NumPy's global generator. float32 weights are the float64
    draws rounded once, explicitly.
    """
    dtype = float_dtype(dtype)
    shape_1 = (positive_int(n_input, "n_input"), positive_int(n_hidden, "n_hidden"))
    shape_2 = (n_hidden, positive_int(n_output, "n_output"))
    rng = np.random.RandomState(seed)
    W1 = rng.normal(scale=scale, size=shape_1)
    W2 = rng.normal(scale=scale, size=shape_2)
    return Weights(W1.astype(dtype), W2.astype(dtype))


def hand_picked_weights(dtype: DTypeLike = np.float64) -> Weights:
    """The hand-picked weights of parts 2-5 (step function with threshold 2).

    For the pure-Python parts, which store one row per node, use ``W.T.tolist()``.
    """
    dtype = float_dtype(dtype)
    W1 = np.array([[0.9, -0.5], [0.8, -0.5], [-1.0, 1.5], [-1.0, 1.0]], dtype=dtype)
    W2 = np.array([[2.0, 1.0, -1.0], [-1.0, 1.0, 2.0]], dtype=dtype)
    return Weights(W1, W2)
