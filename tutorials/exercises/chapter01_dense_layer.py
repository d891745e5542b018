"""Chapter 1 exercise: the backward pass of a dense layer with a bias.

Check it: run the exercise cell at the end of chapter01_biases_and_depth.md, which calls
``verify.check_layer(dense_forward, dense_backward, SHAPES)``.
"""

import numpy as np

SHAPES = {"A_prev": ("N", "D"), "W": ("D", "M"), "b": ("M",)}
"""Each argument's shape, by named axes: N examples, D inputs, M nodes."""


def dense_forward(A_prev, W, b):
    r"""Given (do not change it): :math:`Z = A_{l-1} W + b`, the bias broadcast over the rows.

    Written once for NumPy and for JAX arrays (``@`` and ``+`` are the array API's), so
    that the checker can differentiate it with JAX.
    """
    return A_prev @ W + b


def dense_backward(
    dout: np.ndarray, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The gradients ``(dA_prev, dW, db)`` of the loss, given ``dout`` = :math:`\partial C/\partial Z`.

    ``dout`` has one row per example and one column per node, like :math:`Z`; each
    gradient must have the shape of its argument.
    """
    dA_prev = dout @ W.T
    dW = A_prev.T @ dout
    # Start: dz/db = 1 for every entry of Z, so the gradient of b is dout itself.
    # Complete it: b has one entry per node, but reaches the loss through every example
    # (chapter 1, "The bias gradient is a sum over examples").
    db = dout
    return dA_prev, dW, db
