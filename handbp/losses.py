"""The cost function (part 6) and the accuracy that part 14 monitors."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from handbp.checks import OneHot, checked


def mse(O_out: ArrayLike, Y: ArrayLike) -> np.floating:
    r"""Part 6, ``mse``: :math:`\mathrm{MSE} = \frac{1}{2N} \sum_e \sum_k \big(o^{(e)}_{out,k} - y^{(e)}_k\big)^2`.

    :math:`N` is the number of entries of ``Y`` (examples x output nodes, the series'
    ``y.size``); the 1/2 cancels the 2 of the derivative (part 10). Returns a NumPy
    scalar of the inputs' dtype.
    """
    return np.sum((O_out - Y) ** 2) / (2 * Y.size)


mse = checked(mse, O_out="e k", Y="e k")


def accuracy(O_out: ArrayLike, Y: ArrayLike) -> float:
    r"""Part 14, ``accuracy``: :math:`\mathrm{accuracy} = \frac{1}{n} \sum_e \big[\arg\max_k O^{(e)}_{out,k} = \arg\max_k Y^{(e)}_k\big]`.

    The share of rows (examples) whose largest output is the labelled class.
    """
    return float((O_out.argmax(axis=1) == Y.argmax(axis=1)).mean())


accuracy = checked(accuracy, O_out="e k", Y=OneHot("e k"))
