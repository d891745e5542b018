"""Part 10 solution: the three factors multiplied for every flower, then summed."""

import numpy as np


def dmse_dw2_scalar(H_out: np.ndarray, O_out: np.ndarray, Y: np.ndarray, j: int, k: int) -> float:
    r""":math:`\frac{1}{N}\sum_e (o^{(e)}_{out,k} - y^{(e)}_k)\, o^{(e)}_{out,k}(1 - o^{(e)}_{out,k})\, h^{(e)}_{out,j}`."""
    N = Y.size
    return sum(
        (O_out[e, k] - Y[e, k]) / N * O_out[e, k] * (1 - O_out[e, k]) * H_out[e, j]
        for e in range(Y.shape[0])
    )
