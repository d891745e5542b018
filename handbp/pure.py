"""Feedforward in pure Python (parts 2-4): lists and loops (NumPy only for the checks).

Weights are stored as the series' pure-Python notebooks store them: one row per node,
holding that node's weights for every input (the transpose of the NumPy ``W``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from handbp.checks import Function, NumberRows, Numbers, checked


def weighted_sum(inputs: Sequence[float], weights: Sequence[float]) -> float:
    r"""Part 2, ``weighted_sum``: :math:`\sum_i x_i\, w_i`, a node's input, as a loop."""
    total = 0.0
    for x, w in zip(inputs, weights, strict=True):
        total += x * w
    return total


weighted_sum = checked(weighted_sum, inputs=Numbers("i"), weights=Numbers("i"))


def layer_outputs(
    rows: Sequence[Sequence[float]],
    node_weights: Sequence[Sequence[float]],
    activation: Callable[[float], float] | None = None,
) -> list[list[float]]:
    r"""Part 3, ``layer_outputs``: :math:`o^{(e)}_n = f\Big(\sum_i x^{(e)}_i\, w_{n,i}\Big)`, for each input row and each node.

    Parts 3-4. ``rows`` holds one list of inputs per example, ``node_weights`` one list
    of weights per node of the layer. Without ``activation`` the layer's inputs (the
    weighted sums) are returned; with it (e.g. :func:`handbp.activations.step_function`),
    the layer's outputs.
    """
    outputs = []
    for row in rows:
        row_outputs = []
        for weights in node_weights:
            node_input = weighted_sum(row, weights)
            if activation is not None:  # on a NumPy number, as handbp's activations take
                node_input = float(activation(np.float64(node_input)))
            row_outputs.append(node_input)
        outputs.append(row_outputs)
    return outputs


layer_outputs = checked(
    layer_outputs,
    rows=NumberRows("e i"),
    node_weights=NumberRows("n i"),
    activation=Function(optional=True),
)
