"""Part 11 exercise: the gradient of the MSE for W2, in matrix form.

Check it:  handbp check tutorials/exercises/part11_weights_2_update.py:weights_2_update
"""

import numpy as np


def weights_2_update(H_out: np.ndarray, O_delta: np.ndarray, N: int) -> np.ndarray:
    r""":math:`W_{2,update} = \partial\mathrm{MSE}/\partial W_2`, one entry per weight of ``W2``.

    ``H_out`` has one row per flower and one column per hidden node, ``O_delta`` one row
    per flower and one column per output node; ``N`` is the number of entries of ``Y``.
    """
    # Start: entry (j, k) is the sum over the flowers e of H_out[e, j] * O_delta[e, k].
    # Complete it: make it the gradient of the MSE. Part 10's scalar formula has one more
    # factor than this sum.
    return H_out.T @ O_delta
