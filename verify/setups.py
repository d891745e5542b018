"""The nets that verify checks the catalogue on: the series' own, and random ones.

NumPy only (no JAX), so that :mod:`verify.strategies` can build setups without
importing JAX.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from handbp import data, network
from handbp.checks import float_dtype, positive_int

SERIES_SIZES = (4, 2, 3)

DEFAULT_SIZES: tuple[tuple[int, int, int], ...] = ((5, 4, 6),)
"""The random nets checked besides the series' one unless told: every width differs from
the series' 4-2-3 and from the 7 examples, and no two are equal, so that a transposed or
mixed-up axis changes a shape."""

RANDOM_EXAMPLES = 7
"""Examples in a random setup unless told: 7 is none of the series' sizes, so that an
axis mix-up (examples for nodes) changes a shape instead of going unnoticed."""


@dataclass(frozen=True)
class Setup:
    """One net to check on: inputs ``X``, one-hot labels ``Y``, weights and learning rate.

    ``name`` says where it comes from (``"series"`` or ``"random 5-4-3, 7 examples,
    seed 0"``).
    """

    name: str
    X: np.ndarray
    Y: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    eta: float = network.SERIES_ETA

    def __post_init__(self) -> None:
        for field in ("X", "Y", "W1", "W2"):
            value = getattr(self, field)
            if not isinstance(value, np.ndarray):
                raise TypeError(f"Setup.{field} must be a NumPy array, got {type(value).__name__}")
        network.check_network(self.X, self.Y, self.W1, self.W2)

    @property
    def dtype(self) -> np.dtype:
        """The float dtype of every array of the setup."""
        return self.X.dtype

    @property
    def N(self) -> int:
        """The series' ``N``: the number of entries of ``Y`` (examples x output nodes)."""
        return int(self.Y.size)

    @property
    def examples(self) -> int:
        """The number of examples (rows of ``X``)."""
        return int(self.X.shape[0])

    @property
    def sizes(self) -> tuple[int, int, int]:
        """Layer widths (inputs, hidden nodes, output nodes)."""
        return (self.W1.shape[0], self.W1.shape[1], self.W2.shape[1])

    @property
    def shape_key(self) -> tuple[int, int, int, int]:
        """(examples, inputs, hidden, outputs): JAX compiles once per distinct key and dtype."""
        return (self.examples, *self.sizes)


def series_setup(dtype: DTypeLike = np.float64) -> Setup:
    """Part 13's net: the three flowers (of the series' data variant), seed-10 weights, eta = 0.1."""
    flowers = data.three_flowers(data.SERIES_VARIANT, dtype=dtype)
    W1, W2 = network.initial_weights(network.SERIES_SEED, dtype=dtype)
    return Setup("series", flowers.X, flowers.Y, W1, W2, network.SERIES_ETA)


def random_setup(
    sizes: tuple[int, int, int] = SERIES_SIZES,
    examples: int = RANDOM_EXAMPLES,
    seed: int = 0,
    dtype: DTypeLike = np.float64,
    weight_scale: float = 0.5,
    input_scale: float = 2.0,
    eta: float = network.SERIES_ETA,
) -> Setup:
    """A random net of layer widths ``sizes`` = (inputs, hidden, outputs).

    ``X`` is normal with standard deviation ``input_scale``, the weights normal with
    standard deviation ``weight_scale`` (the series' 0.5 by default), ``Y`` one-hot with
    uniformly drawn classes; all drawn in float64 from ``seed`` and rounded once to
    ``dtype``.
    """
    dtype = float_dtype(dtype)
    if len(sizes) != 3:
        raise ValueError(
            f"sizes must be three layer widths (inputs, hidden, outputs), got {sizes!r}"
        )
    n_input, n_hidden, n_output = (
        positive_int(n, name) for n, name in zip(sizes, _SIZE_NAMES, strict=True)
    )
    examples = positive_int(examples, "examples")
    for value, name in ((weight_scale, "weight_scale"), (input_scale, "input_scale")):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=input_scale, size=(examples, n_input))
    W1 = rng.normal(scale=weight_scale, size=(n_input, n_hidden))
    W2 = rng.normal(scale=weight_scale, size=(n_hidden, n_output))
    Y = np.eye(n_output)[rng.integers(0, n_output, size=examples)]
    name = f"random {format_sizes((n_input, n_hidden, n_output))}, {examples} examples, seed {seed}"
    return Setup(
        name, X.astype(dtype), Y.astype(dtype), W1.astype(dtype), W2.astype(dtype), eta=eta
    )


_SIZE_NAMES = ("inputs", "hidden nodes", "output nodes")


def format_sizes(sizes: tuple[int, int, int]) -> str:
    """``(4, 2, 3)`` -> ``"4-2-3"``."""
    return "-".join(str(n) for n in sizes)


def parse_sizes(text: str) -> list[tuple[int, int, int]]:
    """``"4-2-3,8-16-5"`` -> ``[(4, 2, 3), (8, 16, 5)]``; a ``ValueError`` naming a bad item."""
    sizes = []
    for item in text.split(","):
        parts = item.strip().split("-")
        if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise ValueError(
                f"sizes must be comma-separated layer widths like 4-2-3 "
                f"(inputs-hidden-outputs, each at least 1), got {item.strip()!r} in {text!r}"
            )
        sizes.append((int(parts[0]), int(parts[1]), int(parts[2])))
    return sizes
