"""Chapter 3 solution: each moment divided by 1 - beta^t before the step, t counted from 1."""

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
    r""":math:`W \leftarrow W - \eta\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}`."""
    t = state.t + 1
    m = beta1 * state.m + (1 - beta1) * gradient
    v = beta2 * state.v + (1 - beta2) * gradient**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return W - eta * m_hat / (np.sqrt(v_hat) + eps), AdamState(t, m, v)
