"""Chapter 5's layers, as a course like CS231n has learners write them: a forward and a backward.

Each forward is written once with the array API (``xp = x.__array_namespace__()`` is
NumPy for NumPy arrays and ``jax.numpy`` for JAX arrays), so that ``verify.check_layer``
can differentiate it with JAX; each backward is NumPy and gets the upstream gradient
``dout`` first, then the forward's arguments, and returns one gradient per argument.
The two ``wrong_`` backwards are the mistakes the chapter shows the checker finding.
"""

import numpy as np

AFFINE = {"x": ("N", "D"), "w": ("D", "M"), "b": ("M",)}
RELU = {"x": ("N", "D")}
SOFTMAX = {"scores": ("N", "C")}
TWO_LAYER = {"x": ("N", "D"), "w1": ("D", "H"), "b1": ("H",), "w2": ("H", "C"), "b2": ("C",)}
"""Each layer's differentiated arguments, by named axes (each check draws their sizes)."""


def labels(rng: np.random.Generator, dims: dict[str, int]) -> np.ndarray:
    """One class label in ``0 .. C-1`` per example: the softmax loss's ``y``, not differentiated."""
    return rng.integers(0, dims["C"], size=dims["N"])


CONSTANTS = {"y": labels}


def affine_forward(x, w, b):
    """Scores of a fully connected layer: ``x @ w + b``, the bias broadcast over the rows."""
    return x @ w + b


def affine_backward(
    dout: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dx, dw, db)``; one bias reaches the loss through every example, so ``db`` sums them."""
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def wrong_affine_backward(
    dout: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bias gradient averaged over the batch instead of summed."""
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)


def relu_forward(x):
    """``max(0, x)``, elementwise."""
    xp = x.__array_namespace__()
    return xp.maximum(x, 0.0)


def relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``dout`` where ``x > 0``, else 0: the local derivative is the indicator of ``x > 0``."""
    return dout * (x > 0)


def wrong_relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The ReLU's output used as its derivative."""
    return dout * np.maximum(x, 0.0)


def softmax_loss_forward(scores, y):
    """The mean cross-entropy of the softmax of ``scores`` (N, C) for integer labels ``y`` (N,)."""
    xp = scores.__array_namespace__()
    shifted = scores - xp.max(scores, axis=1, keepdims=True)
    log_probs = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
    return -xp.mean(xp.take_along_axis(log_probs, y[:, None], axis=1))


def softmax_loss_backward(dout: np.ndarray, scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``dout (P - Y) / N``: the softmax's probabilities minus the one-hot labels, over N."""
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(len(y)), y] -= 1
    return dout * probs / len(y)


def two_layer_forward(x, w1, b1, w2, b2, y):
    """The loss of a two-layer net: affine, ReLU, affine, softmax with cross-entropy."""
    hidden = relu_forward(affine_forward(x, w1, b1))
    return softmax_loss_forward(affine_forward(hidden, w2, b2), y)


def two_layer_backward(
    dout: np.ndarray,
    x: np.ndarray,
    w1: np.ndarray,
    b1: np.ndarray,
    w2: np.ndarray,
    b2: np.ndarray,
    y: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """``(dx, dw1, db1, dw2, db2)``: the layers' backwards chained, from the loss down."""
    z1 = affine_forward(x, w1, b1)
    hidden = relu_forward(z1)
    dscores = softmax_loss_backward(dout, affine_forward(hidden, w2, b2), y)
    dhidden, dw2, db2 = affine_backward(dscores, hidden, w2, b2)
    dx, dw1, db1 = affine_backward(relu_backward(dhidden, z1), x, w1, b1)
    return dx, dw1, db1, dw2, db2
