"""Judging a set of weights on a data set: MSE, accuracy and confusion matrix (part 14)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from handbp import losses, network
from handbp.checks import as_float_array, one_hot


def confusion_matrix(O_out: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """Counts of (true class, predicted class): row = argmax of ``Y``, column = argmax of ``O_out``.

    The diagonal holds the correct predictions; its sum over the total is ``accuracy``.
    """
    O_out = as_float_array(O_out, "O_out", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    if O_out.shape != Y.shape:
        raise ValueError(
            f"O_out and Y must have one shape, got O_out {O_out.shape} and Y {Y.shape}"
        )
    one_hot(Y)
    n_classes = Y.shape[1]
    pairs = np.argmax(Y, axis=1) * n_classes + np.argmax(O_out, axis=1)
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


@dataclass(frozen=True)
class Evaluation:
    """MSE, accuracy and confusion matrix of one set of weights on one data set."""

    mse: float
    accuracy: float
    confusion: np.ndarray
    examples: int


def evaluate(X: ArrayLike, Y: ArrayLike, W1: ArrayLike, W2: ArrayLike) -> Evaluation:
    """One feedforward pass (part 5) and its ``mse``, ``accuracy`` and confusion matrix."""
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    network.check_network(X, Y, W1, W2)
    O_out = network.feedforward(X, W1, W2).output_layer_outputs
    return Evaluation(
        float(losses.mse(O_out, Y)),
        losses.accuracy(O_out, Y),
        confusion_matrix(O_out, Y),
        int(X.shape[0]),
    )
