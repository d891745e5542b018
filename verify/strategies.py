"""Hypothesis strategies for the series' nets: sizes, data, weights and whole setups.

For anyone's tests (handbp's, the tutorials', a learner's). NumPy and hypothesis only:
importing this module does not import JAX. Arrays are drawn with NumPy from a seed that
hypothesis chooses, so large nets cost no more to draw than small ones.

JAX compiles once per shape, so a test that runs JAX on every example should draw its
shapes from a short list (:data:`CI_SHAPES`, the default of :func:`networks`) in the
default run, and from the whole range in a slow run::

    from hypothesis import given
    from verify import strategies

    @strategies.CI
    @given(strategies.networks())
    def test_mine(setup): ...

    @pytest.mark.slow
    @strategies.SLOW
    @given(strategies.networks(shapes=strategies.shapes()))
    def test_mine_everywhere(setup): ...
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from verify.setups import Setup

MAX_EXAMPLES = 64
MAX_WIDTH = 16

DTYPES: st.SearchStrategy[str] = st.sampled_from(["float64", "float32"])
"""Both float dtypes handbp computes in."""

CI_SHAPES: tuple[tuple[int, int, int, int], ...] = (
    (3, 4, 2, 3),  # the series: three flowers, 4-2-3
    (1, 1, 1, 1),  # the smallest net
    (64, 16, 16, 16),  # the largest
    (7, 5, 4, 6),  # verify's default random net
    (2, 3, 1, 5),  # one hidden node
    (33, 2, 9, 1),  # one output node, many examples
)
"""(examples, inputs, hidden, outputs) drawn by default: the extremes of the range and a
few in between, few enough that JAX compiles each once in a test session."""

CI = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Settings for the default (CI) run: a few examples per test."""

SLOW = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Settings for runs marked ``@pytest.mark.slow``: many examples, any shape."""

settings.register_profile("verify-ci", CI)
settings.register_profile("verify-slow", SLOW)


_EXAMPLES = st.integers(1, MAX_EXAMPLES)
_WIDTHS = st.integers(1, MAX_WIDTH)


def shapes(
    max_examples: int = MAX_EXAMPLES, max_width: int = MAX_WIDTH
) -> st.SearchStrategy[tuple[int, int, int, int]]:
    """Any (examples, inputs, hidden, outputs): examples 1..64, each layer width 1..16."""
    return st.tuples(
        st.integers(1, max_examples),
        st.integers(1, max_width),
        st.integers(1, max_width),
        st.integers(1, max_width),
    )


def axis_sizes(*axes: str, low: int = 1, high: int = 8) -> st.SearchStrategy[dict[str, int]]:
    """A size for each named axis of a layer's shapes, for :func:`verify.check_layer`'s ``dims``.

    ``@given(strategies.axis_sizes("N", "D", "M"))`` draws ``{"N": 3, "D": 1, "M": 7}``;
    with ``trials=1`` each hypothesis example checks one drawn shape (and shrinks it).
    """
    if not axes:
        raise ValueError("axis_sizes needs at least one axis name, got none")
    if not 1 <= low <= high:
        raise ValueError(f"axis_sizes needs 1 <= low <= high, got low={low}, high={high}")
    return st.fixed_dictionaries({axis: st.integers(low, high) for axis in axes})


def scales(low: float = 1e-3, high: float = 30.0) -> st.SearchStrategy[float]:
    """Log-uniform scales from ``low`` to ``high``.

    For weights the default runs from tiny (``1e-3``: every sigmoid near 1/2, gradients
    of order 1e-3 and smaller) to saturating (``30``: most sigmoids round to 0 or 1,
    gradients far below rounding).
    """
    return st.floats(np.log10(low), np.log10(high)).map(lambda power: float(10.0**power))


def _seeds() -> st.SearchStrategy[int]:
    return st.integers(0, 2**32 - 1)


WEIGHT_SCALES: st.SearchStrategy[float] = scales()
"""Weight scales from tiny (1e-3) to saturating (30)."""

INPUT_SCALES: st.SearchStrategy[float] = scales(0.1, 10.0)
"""Input scales from 0.1 to 10 (the Iris features lie between 0.1 and 7.9)."""

LEARNING_RATES: st.SearchStrategy[float] = st.sampled_from([0.1, 0.5, 2.0])

_CI_SHAPES = st.sampled_from(CI_SHAPES)


@st.composite
def data(
    draw: Any,
    examples: int | st.SearchStrategy[int] = _EXAMPLES,
    n_input: int | st.SearchStrategy[int] = _WIDTHS,
    n_output: int | st.SearchStrategy[int] = _WIDTHS,
    dtype: str | st.SearchStrategy[str] = DTYPES,
    scale: float | st.SearchStrategy[float] = INPUT_SCALES,
) -> tuple[np.ndarray, np.ndarray]:
    """``(X, Y)``: normal inputs of standard deviation ``scale``, one-hot labels."""
    e, i, k, name, s = (_value(draw, v) for v in (examples, n_input, n_output, dtype, scale))
    rng = np.random.default_rng(draw(_seeds()))
    X = rng.normal(scale=s, size=(e, i))
    Y = np.eye(k)[rng.integers(0, k, size=e)]
    return X.astype(name), Y.astype(name)


@st.composite
def weights(
    draw: Any,
    n_input: int | st.SearchStrategy[int] = _WIDTHS,
    n_hidden: int | st.SearchStrategy[int] = _WIDTHS,
    n_output: int | st.SearchStrategy[int] = _WIDTHS,
    dtype: str | st.SearchStrategy[str] = DTYPES,
    scale: float | st.SearchStrategy[float] = WEIGHT_SCALES,
) -> tuple[np.ndarray, np.ndarray]:
    """``(W1, W2)``: normal weights of standard deviation ``scale`` (tiny to saturating)."""
    i, j, k, name, s = (_value(draw, v) for v in (n_input, n_hidden, n_output, dtype, scale))
    rng = np.random.default_rng(draw(_seeds()))
    W1 = rng.normal(scale=s, size=(i, j))
    W2 = rng.normal(scale=s, size=(j, k))
    return W1.astype(name), W2.astype(name)


@st.composite
def networks(
    draw: Any,
    shapes: st.SearchStrategy[tuple[int, int, int, int]] = _CI_SHAPES,
    dtype: str | st.SearchStrategy[str] = DTYPES,
    weight_scale: float | st.SearchStrategy[float] = WEIGHT_SCALES,
    input_scale: float | st.SearchStrategy[float] = INPUT_SCALES,
    eta: float | st.SearchStrategy[float] = LEARNING_RATES,
) -> Setup:
    """A whole net as a :class:`verify.setups.Setup`: X, one-hot Y, W1, W2 and eta.

    ``shapes`` defaults to :data:`CI_SHAPES`; pass :func:`shapes` for the whole range.
    """
    e, i, j, k = draw(shapes)
    name = _value(draw, dtype)
    X, Y = draw(data(e, i, k, name, input_scale))
    W1, W2 = draw(weights(i, j, k, name, weight_scale))
    rate = _value(draw, eta)
    return Setup(f"hypothesis {i}-{j}-{k}, {e} examples, {name}", X, Y, W1, W2, rate)


def _value(draw: Any, value: Any) -> Any:
    return draw(value) if isinstance(value, st.SearchStrategy) else value
