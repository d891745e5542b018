"""Activation functions: the series' step function (part 2) and sigmoid (part 8); chapter 2's
tanh, ReLU, leaky ReLU and softmax, each with its derivative.

Every function keeps its input's float dtype: float32 in, float32 out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from handbp.checks import Array, Number, Rate, checked

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


sigmoid_derivative = checked(
    sigmoid_derivative, s=Array(within=(0.0, 1.0), meaning="the sigmoid's output s = sigmoid(x)")
)


# --- Chapter 2: beyond the series ------------------------------------------------------------
# Each derivative takes the layer's *output* a = f(z), as the series' sigmoid_derivative
# does: the forward pass has it, and for every activation below it determines f'(z).

LEAKY_SLOPE = 0.01
"""The slope of the leaky ReLU for negative inputs (the common default)."""


def tanh(x: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (activations), ``tanh``: :math:`\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1`.

    NumPy's ``np.tanh`` is finite and warning-free for every finite x.
    """
    return np.tanh(x)


tanh = checked(tanh, x=Array())


def tanh_derivative(a: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (activations), ``tanh_derivative``: :math:`\tanh'(x) = 1 - \tanh^2(x)`.

    From the output ``a`` = :math:`\tanh(x)`: the quotient rule on :math:`\sinh/\cosh`
    gives :math:`(\cosh^2 - \sinh^2)/\cosh^2 = 1 - \tanh^2`.
    """
    return 1 - a * a


tanh_derivative = checked(
    tanh_derivative, a=Array(within=(-1.0, 1.0), meaning="tanh's output a = tanh(x)")
)


def relu(x: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (activations), ``relu``: :math:`\mathrm{ReLU}(x) = \max(0, x)`."""
    return np.maximum(x, 0)


relu = checked(relu, x=Array())


def relu_derivative(a: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (activations), ``relu_derivative``: :math:`\mathrm{ReLU}'(x) = 1 \text{ if } x > 0 \text{ else } 0`.

    From the output ``a`` = :math:`\max(0, x)`: :math:`a > 0` exactly when :math:`x > 0`.
    At the kink :math:`x = 0` the derivative does not exist (the slope is 0 on the left,
    1 on the right); this function returns 0 there, a subgradient, as PyTorch and JAX do.
    A gradient check must not sample the kink: finite differences across it measure 1/2.
    """
    return (a > 0).astype(a.dtype)


relu_derivative = checked(relu_derivative, a=Array())


def leaky_relu(x: ArrayLike, slope: float = LEAKY_SLOPE) -> np.ndarray:
    r"""Chapter 2 (activations), ``leaky_relu``: :math:`f(x) = x \text{ if } x > 0 \text{ else } \alpha x` (:math:`\alpha = 0.01`).

    ``slope`` is :math:`\alpha`, which must be positive for the derivative to be read
    from the output.
    """
    return np.where(x > 0, x, slope * x)


leaky_relu = checked(leaky_relu, x=Array(), slope=Rate("leaky slope"))


def leaky_relu_derivative(a: ArrayLike, slope: float = LEAKY_SLOPE) -> np.ndarray:
    r"""Chapter 2 (activations), ``leaky_relu_derivative``: :math:`f'(x) = 1 \text{ if } x > 0 \text{ else } \alpha`.

    From the output: with :math:`\alpha > 0`, :math:`f(x) > 0` exactly when :math:`x > 0`.
    At the kink :math:`x = 0` it returns :math:`\alpha` (as for ReLU, a subgradient).
    """
    return np.where(a > 0, 1, slope).astype(a.dtype)


leaky_relu_derivative = checked(leaky_relu_derivative, a=Array(), slope=Rate("leaky slope"))


def softmax(Z: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (activations), ``softmax``: :math:`p_k = \frac{e^{z_k}}{\sum_{k'} e^{z_{k'}}}` for each row (example).

    Computed as :math:`e^{z_k - m} / \sum_{k'} e^{z_{k'} - m}` with :math:`m = \max_k z_k`:
    the same value (the factor :math:`e^{-m}` cancels), but no exponent exceeds 0, so
    nothing overflows; the largest term is 1, so the sum is at least 1. Finite and
    warning-free for logits of any size.
    """
    with np.errstate(over="ignore"):  # z - m of logits 1e308 apart is -inf: exp gives its 0
        shifted = np.exp(Z - Z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


softmax = checked(softmax, Z="e k")


def softmax_jvp(P: ArrayLike, V: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (activations), ``softmax_jvp``: :math:`J^T v = p \odot \big(v - (v \cdot p)\,\mathbf{1}\big)`, each row.

    The softmax's Jacobian for one example is :math:`J_{kk'} = \partial p_k/\partial z_{k'}
    = p_k(\delta_{kk'} - p_{k'})`, not diagonal: every output depends on every input.
    It is symmetric, so the Jacobian-vector product and the vector-Jacobian product
    agree: :math:`(J^T v)_{k'} = \sum_k v_k p_k (\delta_{kk'} - p_{k'}) = p_{k'} (v_{k'} -
    \sum_k v_k p_k)`. ``P`` is the softmax's output, ``V`` the upstream gradient with
    respect to it (one row per example); the result is the gradient with respect to
    the softmax's input, :math:`O(k)` per row instead of the :math:`O(k^2)` of forming
    :math:`J`.
    """
    return P * (V - (V * P).sum(axis=1, keepdims=True))


softmax_jvp = checked(softmax_jvp, P="e k", V="e k")
