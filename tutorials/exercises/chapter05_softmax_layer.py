"""Chapter 5 exercise: the backward pass of a softmax layer on its own.

Check it: run the exercise cell at the end of chapter05_checking_your_own_layer.md, which
calls ``verify.check_layer(softmax_forward, softmax_backward, SHAPES)`` - or from pytest,
``handbp_check.layer(softmax_forward, softmax_backward, SHAPES)``.
"""

import numpy as np

SHAPES = {"x": ("N", "C")}
"""The one differentiated argument: N examples, C classes."""


def softmax_forward(x):
    r"""Given (do not change it): :math:`s_{ec} = e^{x_{ec}} / \sum_{c'} e^{x_{ec'}}`, row by row.

    Written once for NumPy and for JAX arrays (the array API), shifted by each row's
    largest score so that the exponentials stay finite.
    """
    xp = x.__array_namespace__()
    e = xp.exp(x - xp.max(x, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def softmax_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""The gradient ``dx`` of the loss, given ``dout`` = :math:`\partial C/\partial s`.

    ``dout`` has the shape of the scores; ``dx`` must have it too.
    """
    s = softmax_forward(x)
    # Start: like a sigmoid, each output's slope is s (1 - s).
    # Complete it: but s_c depends on every score of its row, not only x_c
    # (chapter 2, "softmax and its Jacobian-vector product").
    return dout * s * (1 - s)
