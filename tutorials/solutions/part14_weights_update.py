"""Part 14 solution: each matrix moves against its gradient, eta times as far."""

import numpy as np


def weights_update(
    W1: np.ndarray, W2: np.ndarray, W1_update: np.ndarray, W2_update: np.ndarray, eta: float
) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`W_1 \leftarrow W_1 - \eta\, W_{1,update},\ W_2 \leftarrow W_2 - \eta\, W_{2,update}`."""
    return W1 - eta * W1_update, W2 - eta * W2_update
