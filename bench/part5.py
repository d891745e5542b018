"""Part 5's own comparison: a layer in pure Python against ``np.dot``, square matrices.

The series timed its pure-Python layer function (parts 3-4) against NumPy's ``np.dot``
for square matrices of size 10, 20, ..., 400. Here the contenders are handbp's
:func:`handbp.pure.layer_outputs` (which checks its inputs), the bare triple loop as the
series' notebook wrote it, and ``np.dot``, on the same random matrices.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from handbp import pure

SIZES: tuple[int, ...] = (10, 20, 50, 100, 200, 400)
QUICK_SIZES: tuple[int, ...] = (10, 20, 50)


def notebook_layer_outputs(
    rows: list[list[float]], node_weights: list[list[float]]
) -> list[list[float]]:
    """The series' pure-Python layer: a weighted sum per node and per example, no checks."""
    outputs = []
    for row in rows:
        row_outputs = []
        for weights in node_weights:
            node_input = 0.0
            for x, w in zip(row, weights, strict=True):
                node_input += x * w
            row_outputs.append(node_input)
        outputs.append(row_outputs)
    return outputs


def contenders(size: int, seed: int = 0) -> dict[str, Callable[[], object]]:
    """The three ways to compute one layer's inputs ``X W`` for ``size`` x ``size`` matrices."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((size, size))
    W = rng.standard_normal((size, size))
    rows, node_weights = X.tolist(), W.T.tolist()
    return {
        "handbp.pure.layer_outputs": lambda: pure.layer_outputs(rows, node_weights),
        "plain Python loop (notebook)": lambda: notebook_layer_outputs(rows, node_weights),
        "np.dot": lambda: np.dot(X, W),
    }
