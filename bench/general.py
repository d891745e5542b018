"""Chapter 2's general net (``handbp.nn.Net``) against the series' functions and NumPy.

Two comparisons of issue 9:

- One forward and backward pass of ``Net((4, 2, 3), "sigmoid", loss="mse",
  biases=False)`` on the series' 130 flowers, against the series' own
  ``network.feedforward`` + ``network.backpropagation`` (:func:`net_gradients`; the
  contenders are in :mod:`bench.run`'s gradients section).
- One gradient-descent step of a 64-128-10 ReLU/softmax/cross-entropy net with biases, at
  batch 32 and 256: handbp's ``Net.step`` (the public API a user calls) against a
  hand-tuned NumPy step (:func:`tuned_step`) and PyTorch eager with autograd
  (:mod:`bench.torch_net`, not a test dependency).

Every contender steps from the same parameters and must end on the same ones
(:func:`assert_same_params`) before anything is timed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bench.series import WEIGHTS_ATOL, WEIGHTS_RTOL, Gradients
from handbp import nn, unchecked

STEP_WIDTHS = (64, 128, 10)
STEP_BATCHES = (32, 256)
STEP_ETA = 0.1

SERIES_NET = nn.Net((4, 2, 3), "sigmoid", loss="mse", biases=False)
"""The series' net in chapter 2's API: 4-2-3, sigmoid layers, MSE, no biases."""


def net_gradients(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> Gradients:
    """``Net.gradients`` on the series' net: one forward and one backward pass."""
    backward = SERIES_NET.gradients(X, Y, nn.Params((W1, W2)))
    dW1, dW2 = backward.weights_l_update
    return Gradients(dW1, dW2)


@dataclass(frozen=True)
class StepProblem:
    """Synthetic data and He-initialised parameters for one step of the 64-128-10 net."""

    net: nn.Net
    X: np.ndarray
    Y: np.ndarray
    params: nn.Params
    eta: float

    @property
    def labels(self) -> np.ndarray:
        """The class index of each example (what PyTorch's cross_entropy takes)."""
        return self.Y.argmax(axis=1)


def step_problem(batch: int, widths: tuple[int, ...] = STEP_WIDTHS, seed: int = 0) -> StepProblem:
    """Standard-normal inputs, random one-hot labels, ``net.init(seed)`` with small random
    biases (not zeros, so that a bias mistake shows), float64."""
    net = nn.Net(widths, ("relu",) * (len(widths) - 2) + ("softmax",), loss="cross_entropy")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, widths[0]))
    Y = np.eye(widths[-1])[rng.integers(0, widths[-1], size=batch)]
    weights = net.init(seed).weights
    biases = tuple(0.1 * rng.standard_normal(n) for n in widths[1:])
    return StepProblem(net, X, Y, nn.Params(weights, biases), STEP_ETA)


def handbp_step(p: StepProblem) -> nn.Params:
    """handbp's step as a user calls it: ``net.step(X, Y, params, eta)``."""
    return p.net.step(p.X, p.Y, p.params, p.eta)


def handbp_unchecked_step(p: StepProblem) -> nn.Params:
    """The same step inside ``handbp.unchecked()``: what the input checks cost, by difference."""
    with unchecked():
        return p.net.step(p.X, p.Y, p.params, p.eta)


def tuned_step(p: StepProblem) -> Callable[[], nn.Params]:
    """The step as a skilled NumPy programmer writes it for one hidden ReLU layer.

    Every array is allocated once and every operation writes in place (``out=``);
    ``np.dot``, which costs less per call than ``@`` on small matrices; the softmax and
    cross-entropy fused into one delta, ``P - Y``, scaled once by ``eta / N`` so that the
    products give the parameter steps directly; the ReLU's derivative a mask from the
    pre-activation. The returned function steps its own copy of the parameters, starting
    from ``p``'s, and returns them.
    """
    if len(p.net.widths) != 3:
        raise ValueError(f"tuned_step is written for one hidden layer, got widths {p.net.widths}")
    X, Y = p.X, p.Y
    XT = X.T
    (W1, W2), (b1, b2) = (W.copy() for W in p.params.weights), (b.copy() for b in p.params.biases)
    batch, hidden, outputs = X.shape[0], W1.shape[1], W2.shape[1]
    Z1, A1, E1 = np.empty((batch, hidden)), np.empty((batch, hidden)), np.empty((batch, hidden))
    mask = np.empty((batch, hidden), dtype=bool)
    P, D2 = np.empty((batch, outputs)), np.empty((batch, outputs))
    row = np.empty(batch)
    row_column = row[:, None]
    W1_step, W2_step = np.empty_like(W1), np.empty_like(W2)
    b1_step, b2_step = np.empty_like(b1), np.empty_like(b2)
    scale = np.array(p.eta / batch)  # eta / N, N = examples for the cross-entropy
    zero = np.array(0.0)
    dot, add, subtract, multiply, divide = np.dot, np.add, np.subtract, np.multiply, np.divide
    maximum, greater, exp = np.maximum, np.greater, np.exp
    add_reduce, max_reduce = np.add.reduce, np.maximum.reduce

    def step() -> nn.Params:
        dot(X, W1, out=Z1)  # Z1 = X W1 + b1, A1 = relu(Z1)
        add(Z1, b1, out=Z1)
        maximum(Z1, zero, out=A1)
        dot(A1, W2, out=P)  # P = softmax(A1 W2 + b2), shifted by each row's max
        add(P, b2, out=P)
        max_reduce(P, axis=1, out=row)
        subtract(P, row_column, out=P)
        exp(P, out=P)
        add_reduce(P, axis=1, out=row)
        divide(P, row_column, out=P)
        subtract(P, Y, out=D2)  # D2 = (P - Y) eta / N: softmax + cross-entropy, fused
        multiply(D2, scale, out=D2)
        dot(D2, W2.T, out=E1)  # E1 = D2 W2^T, before W2 changes
        dot(A1.T, D2, out=W2_step)
        subtract(W2, W2_step, out=W2)
        add_reduce(D2, axis=0, out=b2_step)
        subtract(b2, b2_step, out=b2)
        greater(Z1, zero, out=mask)  # D1 = E1 * relu'(Z1)
        multiply(E1, mask, out=E1)
        dot(XT, E1, out=W1_step)
        subtract(W1, W1_step, out=W1)
        add_reduce(E1, axis=0, out=b1_step)
        subtract(b1, b1_step, out=b1)
        return nn.Params((W1, W2), (b1, b2))

    return step


def assert_same_params(reference: nn.Params, other: nn.Params, name: str) -> None:
    """Raise AssertionError unless ``other`` equals ``reference`` to float64 rounding."""
    pairs = [
        *(("W", r, o) for r, o in zip(reference.weights, other.weights, strict=True)),
        *(("b", r, o) for r, o in zip(reference.biases or (), other.biases or (), strict=True)),
    ]
    for layer, (kind, expected, got) in enumerate(pairs):
        np.testing.assert_allclose(
            got,
            expected,
            rtol=WEIGHTS_RTOL,
            atol=WEIGHTS_ATOL,
            err_msg=f"{name}: parameter {layer} ({kind}) differs from handbp's step",
        )
