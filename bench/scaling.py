"""Scaling: handbp's hand-derived step on bigger nets against its own five matrix products.

One step of the series' net at batch 256 is one feedforward (``X W1``, ``H_out W2``), one
backpropagation (``H_out^T O_delta``, ``O_delta W2^T``, ``X^T H_delta``) and one update:
five matrix products, whose floating-point operations are counted by :func:`step_flops`.
The same five products, timed alone on arrays of the same shapes in the same run, are the
practical floor of any NumPy implementation of the step: everything else (sigmoids,
elementwise products, checks, allocations) is what the step adds on top.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from bench.series import Gradients, assert_same_gradients, notebook_gradients
from bench.timing import calls_for, interleaved, page_faults_per_call
from handbp import network, unchecked

BATCH = 256
SIZES: tuple[tuple[int, int, int], ...] = ((64, 128, 10), (784, 256, 10), (784, 1024, 10))
"""(inputs, hidden nodes, outputs) of the nets timed."""


@dataclass(frozen=True)
class Problem:
    """Synthetic data and weights for one net size: X, one-hot Y, W1, W2, eta."""

    X: np.ndarray
    Y: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    eta: float

    @property
    def label(self) -> str:
        """The net as the series writes it, e.g. ``784-1024-10``."""
        return f"{self.W1.shape[0]}-{self.W1.shape[1]}-{self.W2.shape[1]}"


def problem(
    n_input: int, n_hidden: int, n_output: int, batch: int = BATCH, seed: int = 0
) -> Problem:
    """Standard-normal inputs, random one-hot labels, weights of scale 1/sqrt(fan-in)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, n_input))
    Y = np.eye(n_output)[rng.integers(0, n_output, size=batch)]
    W1, W2 = network.initial_weights(seed, n_input, n_hidden, n_output, scale=1 / np.sqrt(n_input))
    return Problem(X, Y, W1, W2, 0.1)


def step_flops(n_input: int, n_hidden: int, n_output: int, batch: int = BATCH) -> int:
    """Floating-point operations of the five products of one step (2 per multiply-add).

    ``X W1`` and ``X^T H_delta`` cost ``2 B I H`` each; ``H_out W2``, ``H_out^T O_delta``
    and ``O_delta W2^T`` cost ``2 B H O`` each.
    """
    return 2 * batch * (2 * n_input * n_hidden + 3 * n_hidden * n_output)


def hand_step(p: Problem) -> network.Weights:
    """handbp's step as a user calls it: feedforward, backpropagation, weights_update."""
    forward = network.feedforward(p.X, p.W1, p.W2)
    backward = network.backpropagation(p.X, p.Y, p.W2, forward)
    return network.weights_update(
        p.W1, p.W2, backward.weights_1_update, backward.weights_2_update, p.eta
    )


def hand_step_unchecked(p: Problem) -> network.Weights:
    """The same step inside ``unchecked()``: what the input checks cost."""
    with unchecked():
        return hand_step(p)


def tuned_step(p: Problem) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """The notebook step with no temporaries: buffers allocated once, ufuncs in place.

    The returned function steps its own copy of the weights, starting from ``p``'s, and
    returns them: NumPy's best case for this step, one pass per elementwise operation.
    """
    X, Y = p.X, p.Y
    W1, W2 = p.W1.copy(), p.W2.copy()
    H_out, H_delta = np.empty((X.shape[0], W1.shape[1])), np.empty((X.shape[0], W1.shape[1]))
    O_out, O_delta = np.empty(Y.shape), np.empty(Y.shape)
    W1_step, W2_step = np.empty_like(W1), np.empty_like(W2)
    one, step_size = np.array(1.0), np.array(p.eta / Y.size)

    def sigmoid_in_place(a: np.ndarray) -> None:
        np.negative(a, out=a)
        np.exp(a, out=a)
        np.add(a, one, out=a)
        np.divide(one, a, out=a)

    def step() -> tuple[np.ndarray, np.ndarray]:
        np.dot(X, W1, out=H_out)
        sigmoid_in_place(H_out)
        np.dot(H_out, W2, out=O_out)
        sigmoid_in_place(O_out)
        np.subtract(O_out, Y, out=O_delta)  # O_delta = (O_out - Y) O_out (1 - O_out)
        np.multiply(O_delta, O_out, out=O_delta)
        np.subtract(one, O_out, out=O_out)
        np.multiply(O_delta, O_out, out=O_delta)
        np.dot(H_out.T, O_delta, out=W2_step)
        np.dot(O_delta, W2.T, out=H_delta)  # H_delta = O_delta W2^T H_out (1 - H_out)
        np.multiply(H_delta, H_out, out=H_delta)
        np.subtract(one, H_out, out=H_out)
        np.multiply(H_delta, H_out, out=H_delta)
        np.dot(X.T, H_delta, out=W1_step)
        np.multiply(W1_step, step_size, out=W1_step)
        np.subtract(W1, W1_step, out=W1)
        np.multiply(W2_step, step_size, out=W2_step)
        np.subtract(W2, W2_step, out=W2)
        return W1, W2

    return step


def five_matmuls(p: Problem) -> Callable[[], None]:
    """The step's five matrix products alone, on fixed arrays of the step's shapes."""
    rng = np.random.default_rng(1)
    H_out = rng.random((p.X.shape[0], p.W1.shape[1]))
    H_delta = rng.standard_normal(H_out.shape)
    O_delta = rng.standard_normal(p.Y.shape)
    X, W1, W2 = p.X, p.W1, p.W2

    def products() -> None:
        X @ W1
        H_out @ W2
        H_out.T @ O_delta
        O_delta @ W2.T
        X.T @ H_delta

    return products


def notebook_step(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """The series' notebook step on the same problem (np.dot, textbook sigmoid)."""
    gradients = notebook_gradients(p.X, p.Y, p.W1, p.W2)
    return p.W1 - p.eta * gradients.W1, p.W2 - p.eta * gradients.W2


def measure(size: tuple[int, int, int], repeats: int, seconds_per_repeat: float) -> dict[str, Any]:
    """Time the handbp step (checked and not), the notebook and tuned steps, the five products.

    Checks first that the handbp and notebook steps give the same weights. Returns the
    median milliseconds, GFLOP/s and page faults per call of each, and the floor's share.
    """
    p = problem(*size)
    flops = step_flops(*size)
    tuned = tuned_step(p)
    notebook = Gradients(*notebook_step(p))
    assert_same_gradients(notebook, Gradients(*hand_step(p)), f"{p.label} handbp step")
    assert_same_gradients(notebook, Gradients(*(W.copy() for W in tuned())), f"{p.label} tuned")
    functions: dict[str, Callable[[], object]] = {
        "handbp step": partial(hand_step, p),
        "handbp step, unchecked": partial(hand_step_unchecked, p),
        "notebook step": partial(notebook_step, p),
        "tuned NumPy step": tuned,
        "five matmuls": five_matmuls(p),
    }
    calls = {name: calls_for(f, seconds_per_repeat) for name, f in functions.items()}
    timings = interleaved(functions, repeats, calls)
    row: dict[str, Any] = {"net": p.label, "batch": p.X.shape[0], "flops": flops}
    for name, timing in timings.items():
        row[f"{name} ms"] = timing.median * 1e3
        row[f"{name} GFLOP/s"] = flops / timing.median / 1e9
    row["floor share"] = timings["five matmuls"].median / timings["handbp step"].median
    for name, function in functions.items():
        row[f"{name} faults"] = page_faults_per_call(function, calls[name])
    return row


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.scaling I H O``: one net measured in this fresh process, as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=main.__doc__)
    parser.add_argument("sizes", type=int, nargs=3, metavar="N", help="inputs, hidden, outputs")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repetitions")
    parser.add_argument("--seconds", type=float, default=0.3, help="seconds per repetition")
    args = parser.parse_args(argv)
    print(json.dumps(measure(tuple(args.sizes), args.repeats, args.seconds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
