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

from handbp.activations import sigmoid, sigmoid_derivative
from handbp.checks import (
    Count,
    Fields,
    Function,
    OneHot,
    Rate,
    check_seed,
    checked,
    finite_real,
    float_dtype,
    positive_int,
)
from handbp.descent import gradient_descent_step
from handbp.losses import mse

Activation = Callable[[np.ndarray], np.ndarray]

SERIES_SEED = 10
"""Seed of the series' initial weights in part 13 (``np.random.seed(10)``)."""

SERIES_ETA = 0.1
"""The series' learning rate."""


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


FORWARD_IDS: tuple[str, ...] = tuple(field.name for field in fields(Forward))
"""The equation ids of a feedforward pass, in the order they are computed."""

BACKWARD_IDS: tuple[str, ...] = tuple(field.name for field in fields(Backward))
"""The equation ids of a backpropagation pass, in the order they are computed."""

# What the arguments of the functions below must be: shapes name the series' indices
# (e examples, i inputs, j hidden nodes, k output nodes; see handbp.checks).
FORWARD_PASS = Fields(
    "a Forward (the result of feedforward)",
    hidden_layer_outputs=("H_out", "e j"),
    output_layer_outputs=("O_out", "e k"),
)


# --- Feedforward (part 2; NumPy form of part 5) -------------------------------------------


def hidden_layer_inputs(X: ArrayLike, W1: ArrayLike) -> np.ndarray:
    r"""Part 2, ``hidden_layer_inputs``: :math:`H_{in} = X W_1`.

    Order matters (part 5): ``X @ W1``, one row per example; equivalently
    :math:`(W_1^T X^T)^T`.
    """
    return X @ W1


hidden_layer_inputs = checked(hidden_layer_inputs, X="e i", W1="i j", blas=True)


def hidden_layer_outputs(H_in: ArrayLike, activation: Activation = sigmoid) -> np.ndarray:
    r"""Part 2, ``hidden_layer_outputs``: :math:`H_{out} = f(H_{in})`.

    ``activation`` is :math:`f`: the sigmoid (part 8 on) or ``step_function`` (parts 2-5).
    """
    return activation(H_in)


hidden_layer_outputs = checked(hidden_layer_outputs, H_in="e j", activation=Function())


def output_layer_inputs(H_out: ArrayLike, W2: ArrayLike) -> np.ndarray:
    r"""Part 2, ``output_layer_inputs``: :math:`O_{in} = H_{out} W_2`."""
    return H_out @ W2


output_layer_inputs = checked(output_layer_inputs, H_out="e j", W2="j k", blas=True)


def output_layer_outputs(O_in: ArrayLike, activation: Activation = sigmoid) -> np.ndarray:
    r"""Part 2, ``output_layer_outputs``: :math:`O_{out} = f(O_{in})`."""
    return activation(O_in)


output_layer_outputs = checked(output_layer_outputs, O_in="e k", activation=Function())


def feedforward(
    X: ArrayLike, W1: ArrayLike, W2: ArrayLike, activation: Activation = sigmoid
) -> Forward:
    r"""Part 5, ``feedforward``: :math:`O_{out} = f\big(f(X W_1)\, W_2\big)`, every layer's quantities.

    The four equations of part 2 in a row: :math:`H_{in} = X W_1`, :math:`H_{out} =
    f(H_{in})`, :math:`O_{in} = H_{out} W_2`, :math:`O_{out} = f(O_{in})`.
    """
    H_in = hidden_layer_inputs(X, W1)
    H_out = hidden_layer_outputs(H_in, activation)
    O_in = output_layer_inputs(H_out, W2)
    O_out = output_layer_outputs(O_in, activation)
    return Forward(H_in, H_out, O_in, O_out)


feedforward = checked(feedforward, X="e i", W1="i j", W2="j k", activation=Function(), blas=True)


# --- Backpropagation for W2 (part 11) ------------------------------------------------------


def output_layer_error(O_out: ArrayLike, Y: ArrayLike) -> np.ndarray:
    r"""Part 11, ``output_layer_error``: :math:`O_{error} = O_{out} - Y`.

    :math:`O_{error} = N\,\partial\mathrm{MSE}/\partial O_{out}`.
    """
    return O_out - Y


output_layer_error = checked(output_layer_error, O_out="e k", Y=OneHot("e k"))


def output_layer_delta(O_error: ArrayLike, O_out: ArrayLike) -> np.ndarray:
    r"""Part 11, ``output_layer_delta``: :math:`O_{delta} = O_{error} \odot O_{out} \odot (1 - O_{out})`.

    :math:`O_{out} \odot (1 - O_{out})` is the sigmoid's derivative taken from the layer
    output (part 8); :math:`O_{delta} = N\,\partial\mathrm{MSE}/\partial O_{in}`.
    """
    return O_error * sigmoid_derivative(O_out)


output_layer_delta = checked(output_layer_delta, O_error="e k", O_out="e k")


def weights_2_update(H_out: ArrayLike, O_delta: ArrayLike, N: int) -> np.ndarray:
    r"""Part 11, ``weights_2_update``: :math:`W_{2,update} = \frac{\partial \mathrm{MSE}}{\partial W_2} = \frac{1}{N} H_{out}^T O_{delta}`.

    ``N`` is the number of entries of ``Y`` (examples x output nodes).
    """
    return H_out.T @ O_delta / N


weights_2_update = checked(weights_2_update, H_out="e j", O_delta="e k", N=Count(), blas=True)


# --- Backpropagation for W1 (part 12) ------------------------------------------------------


def hidden_layer_error(O_delta: ArrayLike, W2: ArrayLike) -> np.ndarray:
    r"""Part 12, ``hidden_layer_error``: :math:`H_{error} = O_{delta} W_2^T`.

    :math:`H_{error} = N\,\partial\mathrm{MSE}/\partial H_{out}`.
    """
    return O_delta @ W2.T


hidden_layer_error = checked(hidden_layer_error, O_delta="e k", W2="j k", blas=True)


def hidden_layer_delta(H_error: ArrayLike, H_out: ArrayLike) -> np.ndarray:
    r"""Part 12, ``hidden_layer_delta``: :math:`H_{delta} = H_{error} \odot H_{out} \odot (1 - H_{out})`.

    :math:`H_{delta} = N\,\partial\mathrm{MSE}/\partial H_{in}`.
    """
    return H_error * sigmoid_derivative(H_out)


hidden_layer_delta = checked(hidden_layer_delta, H_error="e j", H_out="e j")


def weights_1_update(X: ArrayLike, H_delta: ArrayLike, N: int) -> np.ndarray:
    r"""Part 12, ``weights_1_update``: :math:`W_{1,update} = \frac{\partial \mathrm{MSE}}{\partial W_1} = \frac{1}{N} X^T H_{delta}`.

    ``N`` is the number of entries of ``Y`` (examples x output nodes), not the number of
    examples.
    """
    return X.T @ H_delta / N


weights_1_update = checked(weights_1_update, X="e i", H_delta="e j", N=Count(), blas=True)


def backpropagation(X: ArrayLike, Y: ArrayLike, W2: ArrayLike, forward: Forward) -> Backward:
    r"""Part 13, ``backpropagation``: :math:`O_{delta} = (O_{out} - Y) \odot O_{out} \odot (1 - O_{out}),\ H_{delta} = O_{delta} W_2^T \odot H_{out} \odot (1 - H_{out})`.

    Every quantity of parts 11-12, from the feedforward's outputs (``forward``).
    """
    H_out, O_out = forward.hidden_layer_outputs, forward.output_layer_outputs
    O_error = output_layer_error(O_out, Y)
    O_delta = output_layer_delta(O_error, O_out)
    W2_update = weights_2_update(H_out, O_delta, Y.size)
    H_error = hidden_layer_error(O_delta, W2)
    H_delta = hidden_layer_delta(H_error, H_out)
    W1_update = weights_1_update(X, H_delta, Y.size)
    return Backward(O_error, O_delta, W2_update, H_error, H_delta, W1_update)


backpropagation = checked(
    backpropagation, X="e i", Y=OneHot("e k"), W2="j k", forward=FORWARD_PASS, blas=True
)


# --- The update step (part 13) --------------------------------------------------------------


def weights_update(
    W1: ArrayLike, W2: ArrayLike, W1_update: ArrayLike, W2_update: ArrayLike, eta: float
) -> Weights:
    r"""Part 13, ``weights_update``: :math:`W_1 \leftarrow W_1 - \eta\, W_{1,update},\quad W_2 \leftarrow W_2 - \eta\, W_{2,update}`."""
    return Weights(
        gradient_descent_step(W1, W1_update, eta), gradient_descent_step(W2, W2_update, eta)
    )


weights_update = checked(
    weights_update, W1="i j", W2="j k", W1_update="i j", W2_update="j k", eta=Rate("learning rate")
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
    forward = feedforward(X, W1, W2)
    backward = backpropagation(X, Y, W2, forward)
    after = weights_update(W1, W2, backward.weights_1_update, backward.weights_2_update, eta)
    mse_before = mse(forward.output_layer_outputs, Y)
    mse_after = mse(feedforward(X, *after).output_layer_outputs, Y)
    return Step(Weights(W1, W2), forward, backward, after, mse_before, mse_after)


gradient_descent_iteration = checked(
    gradient_descent_iteration,
    X="e i",
    Y=OneHot("e k"),
    W1="i j",
    W2="j k",
    eta=Rate("learning rate"),
    blas=True,
)


def check_network(X: ArrayLike, Y: ArrayLike, W1: ArrayLike, W2: ArrayLike) -> None:
    """Check that X, Y, W1 and W2 fit one net: finite float matrices of one dtype whose
    shapes chain, and one-hot Y. The checks are the declaration above; there is nothing
    to compute."""


check_network = checked(check_network, X="e i", Y=OneHot("e k"), W1="i j", W2="j k")


def check_weights(W1: ArrayLike, W2: ArrayLike) -> None:
    """Check that W1 and W2 are one net's weights: finite float matrices of one dtype,
    W1's columns matching W2's rows (hidden nodes). The checks are the declaration above;
    there is nothing to compute."""


check_weights = checked(check_weights, W1="i j", W2="j k")


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
    seed = check_seed(seed)
    scale = finite_real(scale, "scale", positive=True)
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
