"""Part 13 solution: the output layer's delta, not its error, travels back through W2."""

import numpy as np

from handbp.network import Forward


def backpropagation(X: np.ndarray, Y: np.ndarray, W2: np.ndarray, forward: Forward) -> dict:
    """Parts 11 and 12, in the order of computation."""
    H_out, O_out = forward.hidden_layer_outputs, forward.output_layer_outputs
    O_delta = (O_out - Y) * O_out * (1 - O_out)
    H_delta = O_delta @ W2.T * H_out * (1 - H_out)
    return {
        "output_layer_error": O_out - Y,
        "output_layer_delta": O_delta,
        "weights_2_update": H_out.T @ O_delta / Y.size,
        "hidden_layer_error": O_delta @ W2.T,
        "hidden_layer_delta": H_delta,
        "weights_1_update": X.T @ H_delta / Y.size,
    }
