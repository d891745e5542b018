"""Part 9 solution: a sum over the hidden nodes j."""

import numpy as np


def output_node_input(H_out: np.ndarray, W2: np.ndarray, e: int, k: int) -> float:
    r""":math:`o^{(e)}_{in,k} = \sum_j h^{(e)}_{out,j}\, w_{2,jk}`."""
    return sum(H_out[e, j] * W2[j, k] for j in range(W2.shape[0]))
