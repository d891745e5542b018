"""Chapter 3 exercise: one step of Adam, with its bias correction.

Check it: run the exercise cell at the end of chapter03_minibatches_and_optimizers.md,
which takes twelve steps with it and with optax's Adam and compares them after every step
(``verify.optimizers.check_case``).
"""

import numpy as np

from handbp.optimizers import AdamState


def adam_update(
    W: np.ndarray,
    gradient: np.ndarray,
    state: AdamState,
    eta: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, AdamState]:
    """Step ``state.t + 1`` of Adam: the new weights and the new state ``AdamState(t, m, v)``.

    ``state`` holds the steps taken so far ``t`` (0 before the first) and the two moving
    averages ``m`` and ``v`` of the gradient and of its square.
    """
    t = state.t + 1
    m = beta1 * state.m + (1 - beta1) * gradient
    v = beta2 * state.v + (1 - beta2) * gradient**2
    # Start: the step from the moments as they are.
    # Complete it: both moments start at 0, so in the first steps they are too small, by
    # a factor that depends on t (chapter 3, "Adam").
    return W - eta * m / (np.sqrt(v) + eps), AdamState(t, m, v)
