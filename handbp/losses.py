"""The cost function (part 6) and the accuracy that part 14 monitors."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from handbp._validate import as_float_array, one_hot, same_dtype, same_shape


def mse(O_out: ArrayLike, Y: ArrayLike) -> np.floating:
    r"""Part 6, ``mse``: :math:`\mathrm{MSE} = \frac{1}{2N}\sum_e \sum_k (o^{(e)}_{out,k} - y^{(e)}_k)^2`.

    :math:`N` is the number of entries of ``Y`` (examples x output nodes, the series'
    ``y.size``); the 1/2 cancels the 2 of the derivative (part 10). Returns a NumPy
    scalar of the inputs' dtype.
    """
    O_out = as_float_array(O_out, "O_out", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    same_dtype(O_out=O_out, Y=Y)
    same_shape(O_out=O_out, Y=Y)
    return np.sum((O_out - Y) ** 2) / (2 * Y.size)


def accuracy(O_out: ArrayLike, Y: ArrayLike) -> float:
    r"""Part 14, ``accuracy``: share of rows where :math:`\arg\max_k O_{out}` equals :math:`\arg\max_k Y`."""
    O_out = as_float_array(O_out, "O_out", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    same_shape(O_out=O_out, Y=Y)
    one_hot(Y)
    return float(np.mean(np.argmax(O_out, axis=1) == np.argmax(Y, axis=1)))
