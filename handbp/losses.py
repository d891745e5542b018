"""The cost function (part 6), the accuracy that part 14 monitors, and chapter 2's losses:
binary and categorical cross-entropy, their stable forms from the logits, the output
layer's error of each loss and the fused deltas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from handbp.checks import Binary, OneHot, Probabilities, checked


def mse(O_out: ArrayLike, Y: ArrayLike) -> np.floating:
    r"""Part 6, ``mse``: :math:`\mathrm{MSE} = \frac{1}{2N} \sum_e \sum_k \big(o^{(e)}_{out,k} - y^{(e)}_k\big)^2`.

    :math:`N` is the number of entries of ``Y`` (examples x output nodes, the series'
    ``y.size``); the 1/2 cancels the 2 of the derivative (part 10). Returns a NumPy
    scalar of the inputs' dtype.
    """
    return ((O_out - Y) ** 2).sum() / (2 * Y.size)


mse = checked(mse, O_out="e k", Y="e k")


def accuracy(O_out: ArrayLike, Y: ArrayLike) -> float:
    r"""Part 14, ``accuracy``: :math:`\mathrm{accuracy} = \frac{1}{n} \sum_e \big[\arg\max_k O^{(e)}_{out,k} = \arg\max_k Y^{(e)}_k\big]`.

    The share of rows (examples) whose largest output is the labelled class.
    """
    return float((O_out.argmax(axis=1) == Y.argmax(axis=1)).mean())


accuracy = checked(accuracy, O_out="e k", Y=OneHot("e k"))


# --- Chapter 2: beyond the series ------------------------------------------------------------
# Every loss is an average, C = (1/N) sum of per-entry or per-example terms; N is the
# loss's own count (MSE and binary cross-entropy: Y.size, as the series' MSE; categorical
# cross-entropy: the number of examples, one term per example). The output layer's error
# is N dC/dA_L and its delta N dC/dZ_L, as in the series: the 1/N is applied once, in the
# weight and bias gradients (handbp.layers). An average of per-example terms is what makes
# a mini-batch's gradient the mean of its examples' gradients.


def mse_error(A: ArrayLike, Y: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (losses), ``mse_error``: :math:`E_L = A_L - Y = N\,\partial\mathrm{MSE}/\partial A_L`.

    The series' ``output_layer_error`` for any targets ``Y`` (not only one-hot: MSE is
    also a regression loss); the 1/2 of the MSE cancels the 2 of the square.
    """
    return A - Y


mse_error = checked(mse_error, A="e k", Y="e k")


def binary_cross_entropy(A: ArrayLike, Y: ArrayLike) -> np.floating:
    r"""Chapter 2 (losses), ``binary_cross_entropy``: :math:`\mathrm{BCE} = -\frac{1}{N} \sum_e \sum_k \big(y \log a + (1 - y) \log(1 - a)\big)`.

    ``A`` are the sigmoid outputs (probabilities of label 1), ``Y`` the binary labels,
    :math:`N` = ``Y.size``. From probabilities, :math:`\log a` is :math:`-\infty` once
    the sigmoid rounds to 0 or 1; :func:`sigmoid_binary_cross_entropy` is the same loss
    from the logits, finite for any logit.
    """
    return -(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum() / Y.size


binary_cross_entropy = checked(binary_cross_entropy, A=Probabilities("e k"), Y=Binary("e k"))


def binary_cross_entropy_error(A: ArrayLike, Y: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (losses), ``binary_cross_entropy_error``: :math:`E_L = \frac{A_L - Y}{A_L \odot (1 - A_L)} = N\,\partial\mathrm{BCE}/\partial A_L`.

    :math:`\partial/\partial a\,[-y \log a - (1 - y)\log(1 - a)] = -y/a + (1 - y)/(1 - a)
    = (a - y)/(a(1 - a))`. The staged chain multiplies it by the sigmoid's derivative
    :math:`a(1 - a)`, which cancels the denominator: :func:`sigmoid_binary_cross_entropy_delta`.
    """
    return (A - Y) / (A * (1 - A))


binary_cross_entropy_error = checked(
    binary_cross_entropy_error, A=Probabilities("e k"), Y=Binary("e k")
)


def sigmoid_binary_cross_entropy(Z: ArrayLike, Y: ArrayLike) -> np.floating:
    r"""Chapter 2 (losses), ``sigmoid_binary_cross_entropy``: :math:`\mathrm{BCE} = \frac{1}{N} \sum_e \sum_k \big(\max(z, 0) - z y + \log(1 + e^{-|z|})\big)`.

    The binary cross-entropy of :math:`a = \sigma(z)`, from the logits ``Z``:
    :math:`-\log\sigma(z) = \log(1 + e^{-z})` and :math:`-\log(1 - \sigma(z)) = z + \log(1
    + e^{-z})`, so each term is :math:`z - zy + \log(1 + e^{-z})`; writing
    :math:`\log(1 + e^{-z}) = \max(-z, 0) + \log(1 + e^{-|z|})` keeps every exponent at
    most 0. Finite and warning-free for logits of any size (``log1p`` keeps the digits of
    a tiny :math:`e^{-|z|}`).
    """
    return (np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))).sum() / Y.size


sigmoid_binary_cross_entropy = checked(sigmoid_binary_cross_entropy, Z="e k", Y=Binary("e k"))


def sigmoid_binary_cross_entropy_delta(A: ArrayLike, Y: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (losses), ``sigmoid_binary_cross_entropy_delta``: :math:`D_L = A_L - Y = N\,\partial\mathrm{BCE}/\partial Z_L`.

    The fused delta of a sigmoid output layer with the binary cross-entropy: the staged
    chain :math:`\frac{a - y}{a(1 - a)} \odot a(1 - a)` cancels the sigmoid's derivative.
    Finite wherever ``A`` is, even where the staged error divides by 0.
    """
    return A - Y


sigmoid_binary_cross_entropy_delta = checked(
    sigmoid_binary_cross_entropy_delta, A="e k", Y=Binary("e k")
)


def cross_entropy(P: ArrayLike, Y: ArrayLike) -> np.floating:
    r"""Chapter 2 (losses), ``cross_entropy``: :math:`\mathrm{CE} = -\frac{1}{N} \sum_e \sum_k y^{(e)}_k \log p^{(e)}_k`.

    ``P`` are the softmax outputs, ``Y`` one-hot labels, :math:`N` the number of examples
    (one term per example: :math:`-\log` of the probability of its label). From
    probabilities it fails once a probability rounds to 0;
    :func:`softmax_cross_entropy` is the same loss from the logits.
    """
    return -(Y * np.log(P)).sum() / Y.shape[0]


cross_entropy = checked(cross_entropy, P=Probabilities("e k"), Y=OneHot("e k"))


def cross_entropy_error(P: ArrayLike, Y: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (losses), ``cross_entropy_error``: :math:`E_L = -Y \oslash P = N\,\partial\mathrm{CE}/\partial P`.

    :math:`\partial(-y \log p)/\partial p = -y/p`: nonzero only at each example's label.
    The staged chain passes it through :func:`handbp.activations.softmax_jvp`.
    """
    return -Y / P


cross_entropy_error = checked(cross_entropy_error, P=Probabilities("e k"), Y=OneHot("e k"))


def log_sum_exp(Z: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (losses), ``log_sum_exp``: :math:`\log \sum_k e^{z_k} = m + \log \sum_k e^{z_k - m},\ m = \max_k z_k`, each row.

    Both sides are equal (:math:`e^{z_k} = e^m e^{z_k - m}`); the right one never
    overflows (every exponent is at most 0) and never takes the log of 0 (the term of
    the largest logit is 1). Returns one value per row (example).
    """
    m = Z.max(axis=1)
    with np.errstate(over="ignore"):  # z - m of logits 1e308 apart is -inf: exp gives its 0
        terms = np.exp(Z - m[:, None])
    return m + np.log(terms.sum(axis=1))


log_sum_exp = checked(log_sum_exp, Z="e k")


def softmax_cross_entropy(Z: ArrayLike, Y: ArrayLike) -> np.floating:
    r"""Chapter 2 (losses), ``softmax_cross_entropy``: :math:`\mathrm{CE} = \frac{1}{N} \sum_e \Big(\log \sum_k e^{z^{(e)}_k} - \sum_k y^{(e)}_k z^{(e)}_k\Big)`.

    The cross-entropy of :math:`p = \mathrm{softmax}(z)`, from the logits ``Z``:
    :math:`-\log p_k = -z_k + \log\sum_{k'} e^{z_{k'}}`, and :math:`\sum_k y_k = 1`. With
    :func:`log_sum_exp`, finite and warning-free for logits of any size.
    """
    return (log_sum_exp(Z) - (Y * Z).sum(axis=1)).sum() / Y.shape[0]


softmax_cross_entropy = checked(softmax_cross_entropy, Z="e k", Y=OneHot("e k"))


def softmax_cross_entropy_delta(P: ArrayLike, Y: ArrayLike) -> np.ndarray:
    r"""Chapter 2 (losses), ``softmax_cross_entropy_delta``: :math:`D_L = P - Y = N\,\partial\mathrm{CE}/\partial Z_L`.

    The fused delta of a softmax output layer with the cross-entropy: the staged chain
    :math:`J^T(-y \oslash p) = p \odot (-y \oslash p + \sum_k y_k) = p - y`, as
    :math:`\sum_k y_k = 1` (one-hot). Finite wherever ``P`` is.
    """
    return P - Y


softmax_cross_entropy_delta = checked(softmax_cross_entropy_delta, P="e k", Y=OneHot("e k"))


# --- The losses of handbp.nn, by name ---------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """A loss by name: its value, output error, count N, labels, and fused forms.

    ``count`` is what N counts (``"entries"``: ``Y.size``; ``"examples"``: rows);
    ``output`` the activation the output layer must have (None: any); ``from_logits``
    and ``fused_delta`` the stable loss from :math:`Z_L` and :math:`D_L` in one step.
    """

    name: str
    value: Callable[..., Any]
    error: Callable[..., np.ndarray]
    count: str
    labels: str
    output: str | None = None
    from_logits: Callable[..., Any] | None = None
    fused_delta: Callable[..., np.ndarray] | None = None


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", mse, mse_error, "entries", "targets"),
        Loss(
            "binary_cross_entropy",
            binary_cross_entropy,
            binary_cross_entropy_error,
            "entries",
            "binary",
            "sigmoid",
            sigmoid_binary_cross_entropy,
            sigmoid_binary_cross_entropy_delta,
        ),
        Loss(
            "cross_entropy",
            cross_entropy,
            cross_entropy_error,
            "examples",
            "one-hot",
            "softmax",
            softmax_cross_entropy,
            softmax_cross_entropy_delta,
        ),
    )
}
"""The losses a net can have, by name."""
