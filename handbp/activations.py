"""Activation functions of the series: the step function (part 2) and the sigmoid (part 8).

Every function keeps its input's float dtype: float32 in, float32 out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from handbp.checks import Array, Number, checked

STEP_THRESHOLD = 2.0
"""The threshold of the series' step-function example (part 2)."""


def step_function(z: ArrayLike, threshold: float = STEP_THRESHOLD) -> np.ndarray:
    r"""Part 2, ``step_function``: :math:`f(z) = 1 \text{ if } z \ge 2 \text{ else } 0`.

    ``threshold`` replaces the series' 2. Its derivative is 0 wherever it exists
    (part 8), which is why the series moves on to the sigmoid.
    """
    return (z >= threshold).astype(z.dtype)


step_function = checked(step_function, z=Array(), threshold=Number())


def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""Part 8, ``sigmoid``: :math:`\sigma(x) = \frac{1}{1 + e^{-x}}`.

    The textbook form is accurate wherever :math:`e^{-x}` is finite. Where it overflows
    (:math:`x < -709` in float64, :math:`x < -88` in float32) :math:`1/(1 + \infty) = 0`,
    which is the true value rounded to the nearest normal float, so that overflow is
    expected and silenced rather than reported: the result is finite for every finite x.
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


sigmoid = checked(sigmoid, x=Array())


def sigmoid_derivative(s: ArrayLike) -> np.ndarray:
    r"""Part 8, ``sigmoid_derivative``: :math:`\sigma'(x) = \sigma(x)\,\big(1 - \sigma(x)\big)`.

    Takes the sigmoid's *output* ``s`` = :math:`\sigma(x)`, which the feedforward pass
    already has (the layer output), not the layer input ``x``. Near saturation
    (``s`` close to 1) ``1 - s`` keeps only the absolute precision of ``s``: the result
    is accurate to about one machine epsilon, absolutely, not relatively.
    """
    return s * (1 - s)


sigmoid_derivative = checked(sigmoid_derivative, s=Array())
