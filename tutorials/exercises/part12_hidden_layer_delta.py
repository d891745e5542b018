"""Part 12 exercise: the hidden layer's delta.

Check it:  handbp check tutorials/exercises/part12_hidden_layer_delta.py:hidden_layer_delta
"""

import numpy as np


def hidden_layer_delta(H_error: np.ndarray, H_out: np.ndarray) -> np.ndarray:
    r""":math:`H_{delta}`: the hidden layer's error carried back through its activation function.

    ``H_error = O_delta W2^T`` and ``H_out`` (the hidden layer's sigmoid outputs) both have
    one row per flower and one column per hidden node.
    """
    # Start: the error as it arrives at the hidden layer's outputs.
    # Complete it: carry it back through the sigmoid to the hidden layer's inputs
    # (part 8 says how, from H_out alone).
    return H_error
