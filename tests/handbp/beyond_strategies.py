"""Hypothesis strategies for chapter 2: nets of any depth, their data and parameters."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from handbp.nn import LOSSES, Net, Params

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu")

OUTPUTS: dict[str, tuple[str, ...]] = {
    "mse": (*ELEMENTWISE, "softmax"),
    "binary_cross_entropy": ("sigmoid",),
    "cross_entropy": ("softmax",),
}
"""Every output activation each loss accepts (handbp.nn's rules)."""


@dataclass(frozen=True)
class Case:
    """A net, a batch ``X, Y`` that fits it, and parameters."""

    net: Net
    X: np.ndarray
    Y: np.ndarray
    params: Params


def labels(rng: np.random.Generator, loss: str, examples: int, k: int, dtype) -> np.ndarray:
    """Labels that fit ``loss``: one-hot rows, 0/1 entries, or any targets in (0, 1)."""
    kind = LOSSES[loss].labels
    if kind == "one-hot":
        return np.eye(k, dtype=dtype)[rng.integers(0, k, examples)]
    if kind == "binary":
        return rng.integers(0, 2, (examples, k)).astype(dtype)
    return rng.uniform(0, 1, (examples, k)).astype(dtype)


@st.composite
def cases(
    draw,
    max_depth: int = 5,
    max_width: int = 64,
    max_examples: int = 64,
    dtype=None,
    losses: tuple[str, ...] = tuple(LOSSES),
    biases: bool | None = None,
    scale: float = 1.0,
) -> Case:
    """A random net (depth 1..max_depth, widths 1..max_width), batch and parameters.

    Parameters are drawn at ``scale`` times the Glorot scale, with nonzero biases, so that
    no quantity is degenerate (all zeros or all ones).
    """
    dtype = draw(st.sampled_from([np.float64, np.float32])) if dtype is None else dtype
    loss = draw(st.sampled_from(losses))
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth + 1)]
    output = draw(st.sampled_from(OUTPUTS[loss]))
    if output == "softmax":
        widths[-1] = max(widths[-1], 2)
    hidden = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(depth - 1)]
    with_biases = draw(st.booleans()) if biases is None else biases
    net = Net(tuple(widths), (*hidden, output), loss=loss, biases=with_biases)
    examples = draw(st.integers(1, max_examples))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.normal(size=(examples, widths[0])).astype(dtype)
    weights = tuple(
        (scale * rng.normal(size=(m, n)) * np.sqrt(2 / (m + n))).astype(dtype)
        for m, n in itertools.pairwise(widths)
    )
    bs = tuple((0.1 * rng.normal(size=n)).astype(dtype) for n in widths[1:])
    params = Params(weights, bs if with_biases else None)
    return Case(net, X, labels(rng, loss, examples, widths[-1], dtype), params)
