"""Part 14 exercise: the update step that training repeats every epoch.

Check it:  handbp check tutorials/exercises/part14_weights_update.py:weights_update
"""

import numpy as np


def weights_update(
    W1: np.ndarray, W2: np.ndarray, W1_update: np.ndarray, W2_update: np.ndarray, eta: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of gradient descent on both weight matrices; returns the new ``(W1, W2)``.

    ``W1_update`` and ``W2_update`` are :math:`\partial\mathrm{MSE}/\partial W_1` and
    :math:`\partial\mathrm{MSE}/\partial W_2` from backpropagation; ``eta`` is the
    learning rate.
    """
    # Start: each matrix moves against its gradient, by the whole gradient.
    # Complete it: the learning rate eta sets how far each step goes (part 7).
    return W1 - W1_update, W2 - W2_update
