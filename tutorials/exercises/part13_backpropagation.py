"""Part 13 exercise: the whole backward pass.

Check it:  handbp check tutorials/exercises/part13_backpropagation.py:backpropagation
"""

import numpy as np

from handbp.network import Forward


def backpropagation(X: np.ndarray, Y: np.ndarray, W2: np.ndarray, forward: Forward) -> dict:
    """The six quantities of parts 11 and 12, by equation id, from one feedforward pass.

    ``forward.hidden_layer_outputs`` and ``forward.output_layer_outputs`` are ``H_out`` and
    ``O_out``; ``N = Y.size``.
    """
    H_out, O_out = forward.hidden_layer_outputs, forward.output_layer_outputs
    N = Y.size
    O_error = O_out - Y
    O_delta = O_error * O_out * (1 - O_out)
    W2_update = H_out.T @ O_delta / N
    # Start: the output layer above is right; the hidden layer below is not, yet.
    # Complete it: which quantity of the output layer travels back through W2 (part 12)?
    H_error = O_error @ W2.T
    H_delta = H_error * H_out * (1 - H_out)
    W1_update = X.T @ H_delta / N
    return {
        "output_layer_error": O_error,
        "output_layer_delta": O_delta,
        "weights_2_update": W2_update,
        "hidden_layer_error": H_error,
        "hidden_layer_delta": H_delta,
        "weights_1_update": W1_update,
    }
