"""Hypothesis strategies for the core tests: nets of random shapes, values and dtypes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

DTYPES = st.sampled_from([np.float64, np.float32])


@dataclass(frozen=True)
class Net:
    X: np.ndarray
    Y: np.ndarray
    W1: np.ndarray
    W2: np.ndarray


def floats(dtype, magnitude: float) -> st.SearchStrategy[float]:
    return st.floats(-magnitude, magnitude, width=np.dtype(dtype).itemsize * 8)


@st.composite
def nets(draw, max_examples: int = 8, max_width: int = 6, dtype=None, magnitude: float = 3.0):
    """X (examples x inputs), one-hot Y, W1, W2 of one dtype, moderate values."""
    dtype = draw(DTYPES) if dtype is None else dtype
    e = draw(st.integers(1, max_examples))
    i, j, k = (draw(st.integers(1, max_width)) for _ in range(3))
    X = draw(arrays(dtype, (e, i), elements=floats(dtype, magnitude)))
    W1 = draw(arrays(dtype, (i, j), elements=floats(dtype, magnitude)))
    W2 = draw(arrays(dtype, (j, k), elements=floats(dtype, magnitude)))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=e, max_size=e))
    Y = np.eye(k, dtype=dtype)[labels]
    return Net(X, Y, W1, W2)
