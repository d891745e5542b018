"""Feedforward in pure Python (parts 2-4): lists and loops, no NumPy.

Weights are stored as the series' pure-Python notebooks store them: one row per node,
holding that node's weights for every input (the transpose of the NumPy ``W``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real

from handbp._validate import checks_enabled, unchecked


def _numbers(values: Sequence[float], name: str) -> list[float]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of numbers, got {type(values).__name__}")
    if len(values) == 0:
        raise ValueError(f"{name} must not be empty")
    for position, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(
                f"{name}[{position}] must be a number, got {type(value).__name__} {value!r}"
            )
        if not math.isfinite(value):
            raise ValueError(f"{name}[{position}] must be finite, got {value!r}")
    return [float(value) for value in values]


def weighted_sum(inputs: Sequence[float], weights: Sequence[float]) -> float:
    r"""Part 2, ``weighted_sum``: a node's input :math:`\sum_i x_i\, w_i`, as a loop."""
    if checks_enabled():
        inputs = _numbers(inputs, "inputs")
        weights = _numbers(weights, "weights")
    if len(inputs) != len(weights):
        raise ValueError(
            f"inputs and weights must have one entry per input, "
            f"got {len(inputs)} inputs and {len(weights)} weights"
        )
    total = 0.0
    for x, w in zip(inputs, weights, strict=True):
        total += x * w
    return total


def layer_outputs(
    rows: Sequence[Sequence[float]],
    node_weights: Sequence[Sequence[float]],
    activation: Callable[[float], float] | None = None,
) -> list[list[float]]:
    r"""Parts 3-4, ``layer_outputs``: for each input row and each node, :math:`f(\sum_i x_i\, w_i)`.

    ``rows`` holds one list of inputs per example, ``node_weights`` one list of weights
    per node of the layer. Without ``activation`` the layer's inputs (the weighted sums)
    are returned; with it (e.g. :func:`handbp.activations.step_function`), the layer's
    outputs.
    """
    if len(rows) == 0:
        raise ValueError("rows must hold at least one example")
    if len(node_weights) == 0:
        raise ValueError("node_weights must hold at least one node")
    rows = [_numbers(row, f"rows[{e}]") for e, row in enumerate(rows)]
    node_weights = [_numbers(w, f"node_weights[{n}]") for n, w in enumerate(node_weights)]
    outputs = []
    with unchecked():  # every number is checked above, not again for each weighted sum
        for row in rows:
            row_outputs = []
            for weights in node_weights:
                node_input = weighted_sum(row, weights)
                row_outputs.append(
                    node_input if activation is None else float(activation(node_input))
                )
            outputs.append(row_outputs)
    return outputs
