r"""Chapter 2: initial weights whose scale keeps signals alive through many layers.

The variance argument (docs/beyond.md). For one node of layer :math:`l`,
:math:`z = \sum_{i=1}^{m} a_i w_i` with :math:`m` = fan-in; with independent,
zero-mean weights of variance :math:`\mathrm{Var}(w)`, independent of the inputs,
:math:`\mathrm{Var}(z) = m\,\mathrm{Var}(w)\,\mathrm{E}[a^2]`. To keep the forward signal's
size from layer to layer, :math:`\mathrm{Var}(w) = 1/m`; the backward pass multiplies by
:math:`W^T`, which asks for :math:`1/n` (fan-out). Glorot and Bengio (2010) take the
compromise :math:`2/(m + n)` for tanh/sigmoid-like layers, near linear at 0; He et al.
(2015) note that ReLU zeroes half of a symmetric input, halving :math:`\mathrm{E}[a^2]`,
and take :math:`2/m`. The series' :math:`N(0, 0.5^2)` ignores the width: fine for 4-2-3,
vanishing or exploding signals for 784-512-512-10.

Every function takes a seed (or a ``np.random.Generator``) and a dtype; float32 weights
are the float64 draws rounded once.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import DTypeLike

from handbp.checks import Count, DType, check_seed, checked

Seed = int | np.random.Generator


def _generator(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed))


def glorot_uniform(
    fan_in: int, fan_out: int, seed: Seed = 0, dtype: DTypeLike = np.float64
) -> np.ndarray:
    r"""Chapter 2 (initialisation), ``glorot_uniform``: :math:`W_l \sim U\big(-r, r\big),\ r = \sqrt{6/(m + n)}`.

    Xavier/Glorot: :math:`\mathrm{Var}(w) = 2/(m + n)`, the mean of the forward (:math:`1/m`)
    and backward (:math:`1/n`) conditions; :math:`U(-r, r)` has variance :math:`r^2/3`,
    hence :math:`r = \sqrt{6/(m + n)}`. For sigmoid, tanh and softmax layers.
    """
    limit = math.sqrt(6 / (fan_in + fan_out))
    return _generator(seed).uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


glorot_uniform = checked(glorot_uniform, fan_in=Count(), fan_out=Count(), dtype=DType())


def he_normal(
    fan_in: int, fan_out: int, seed: Seed = 0, dtype: DTypeLike = np.float64
) -> np.ndarray:
    r"""Chapter 2 (initialisation), ``he_normal``: :math:`W_l \sim N\big(0, 2/m\big)`.

    He/Kaiming: a ReLU passes half of a symmetric input, so :math:`\mathrm{E}[a^2] =
    \mathrm{Var}(z)/2`, and :math:`m\,\mathrm{Var}(w)/2 = 1` keeps the variance of
    :math:`z` from layer to layer. For ReLU and leaky ReLU layers.
    """
    return _generator(seed).normal(0.0, math.sqrt(2 / fan_in), size=(fan_in, fan_out)).astype(dtype)


he_normal = checked(he_normal, fan_in=Count(), fan_out=Count(), dtype=DType())
