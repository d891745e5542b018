"""Part 10 exercise: the gradient of the MSE for one weight of W2, from the three factors.

Check it:  handbp check tutorials/exercises/part10_dmse_dw2_scalar.py:dmse_dw2_scalar
"""

import numpy as np


def dmse_dw2_scalar(H_out: np.ndarray, O_out: np.ndarray, Y: np.ndarray, j: int, k: int) -> float:
    r""":math:`\partial\mathrm{MSE}/\partial w_{2,jk}`: for every flower, the product of part 10's three factors, summed.

    ``H_out`` and ``O_out`` come from the feedforward pass (one row per flower), ``Y`` holds
    the one-hot labels, ``N = Y.size``.
    """
    N = Y.size
    total = 0.0
    for e in range(Y.shape[0]):
        dmse_do_out = (O_out[e, k] - Y[e, k]) / N  # factor 1
        do_in_dw2 = H_out[e, j]  # factor 3
        # Start: factors 1 and 3.
        # Complete it: multiply in factor 2, do_out/do_in, which links the output of node
        # k to its input.
        total += dmse_do_out * do_in_dw2
    return total
