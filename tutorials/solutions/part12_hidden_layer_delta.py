"""Part 12 solution: the error times the sigmoid's derivative, taken from the output."""

import numpy as np


def hidden_layer_delta(H_error: np.ndarray, H_out: np.ndarray) -> np.ndarray:
    r""":math:`H_{delta} = H_{error} \odot H_{out} \odot (1 - H_{out})`."""
    return H_error * H_out * (1 - H_out)
