"""verify.strategies: hypothesis strategies for nets; importable without JAX."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.no_jax import assert_runs_without_jax
from verify import strategies


@strategies.CI
@given(strategies.networks(shapes=strategies.shapes()))
def test_networks_are_valid_setups_within_the_bounds(setup):
    """Every drawn net has shapes within 1..64 examples and 1..16 widths, one dtype, one-hot Y."""
    e, (i, j, k) = setup.examples, setup.sizes
    assert e in range(1, 65) and all(n in range(1, 17) for n in (i, j, k))
    assert len({a.dtype for a in (setup.X, setup.Y, setup.W1, setup.W2)}) == 1
    np.testing.assert_array_equal(setup.Y.sum(axis=1), 1)
    assert np.all(np.isfinite(setup.W1)) and setup.eta > 0


@strategies.CI
@given(strategies.networks())
def test_default_networks_draw_their_shapes_from_the_ci_list(setup):
    assert setup.shape_key in strategies.CI_SHAPES


@strategies.CI
@given(strategies.data(examples=5, n_input=3, n_output=4, dtype="float32", scale=2.0))
def test_data_gives_inputs_and_one_hot_labels(xy):
    X, Y = xy
    assert X.shape == (5, 3) and Y.shape == (5, 4)
    assert X.dtype == Y.dtype == np.float32
    np.testing.assert_array_equal(Y.sum(axis=1), 1)


@strategies.CI
@given(strategies.weights(n_input=2, n_hidden=3, n_output=1, dtype="float64", scale=1e-3))
def test_weights_have_the_asked_shapes_and_scale(w):
    W1, W2 = w
    assert W1.shape == (2, 3) and W2.shape == (3, 1)
    assert np.max(np.abs(np.concatenate([W1.ravel(), W2.ravel()]))) < 1e-3 * 10


@strategies.CI
@given(st.data())
def test_scales_stay_in_their_range(data):
    value = data.draw(strategies.scales(1e-3, 30.0))
    assert 1e-3 * (1 - 1e-12) <= value <= 30.0 * (1 + 1e-12)


def test_importing_the_strategies_loads_no_jax():
    assert_runs_without_jax("import verify.strategies, verify\nverify.strategies.networks()\n")
