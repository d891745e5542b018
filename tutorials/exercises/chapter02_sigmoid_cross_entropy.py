"""Chapter 2 exercise: the gradient of the binary cross-entropy with respect to the logits.

Check it: run the exercise cell at the end of chapter02_activations_and_losses.md, which
calls ``verify.check_layer(sigmoid_bce_forward, sigmoid_bce_backward, SHAPES, constants=CONSTANTS)``.
"""

import numpy as np

SHAPES = {"Z": ("N", "K")}
"""The logits' shape, by named axes: N examples, K outputs (each a yes/no label)."""

CONSTANTS = {"Y": lambda rng, dims: rng.integers(0, 2, size=(dims["N"], dims["K"])).astype(float)}
"""The labels, 0 or 1, drawn for each trial (not differentiated)."""


def sigmoid_bce_forward(Z, Y, xp=np):
    r"""Given (do not change it): :math:`\mathrm{BCE}(\sigma(Z), Y)`, the mean over all entries.

    From the logits, stable at any size: :math:`-y \log \sigma(z) - (1 - y) \log(1 - \sigma(z))
    = \log(1 + e^z) - y z`. ``xp`` is NumPy or ``jax.numpy`` (the checker passes it).
    """
    return xp.mean(xp.logaddexp(0.0, Z) - Y * Z)


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """Given: the logistic function, elementwise."""
    return 1 / (1 + np.exp(-Z))


def sigmoid_bce_backward(dout: np.ndarray, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r""":math:`\partial C/\partial Z`, given ``dout`` = :math:`\partial C/\partial \mathrm{BCE}` (a scalar).

    ``Z`` and ``Y`` have one row per example; the loss is the mean over their ``Z.size``
    entries.
    """
    A = sigmoid(Z)
    N = Z.size
    # Start: the staged chain, written as the error A - Y times the sigmoid's derivative.
    # Complete it: A - Y is the MSE's error, not the binary cross-entropy's (chapter 2,
    # "Binary cross-entropy" and "The fused deltas").
    return dout * (A - Y) * A * (1 - A) / N
