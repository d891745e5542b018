"""handbp.optimizers: each update worked by hand, their properties, mini-batches, bad input."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from handbp import optimizers as o
from handbp.optimizers import AdamState, MomentumState, Optimizer
from tests.handbp.strategies import DTYPES

# --- Two steps by hand, on one weight W = 1 with gradients 0.5 then -1 --------------------

W0 = np.array([1.0])
G1, G2 = np.array([0.5]), np.array([-1.0])


def two_steps(optimizer):
    W, state = W0, optimizer.init(W0)
    W1, state = optimizer.update(W, G1, state)
    W2, state = optimizer.update(W1, G2, state)
    return W1, W2, state


def test_sgd_by_hand():
    # W1 = 1 - 0.1 * 0.5 = 0.95; W2 = 0.95 - 0.1 * (-1) = 1.05
    W1, W2, state = two_steps(Optimizer("sgd", 0.1))
    np.testing.assert_allclose(W1, [0.95], rtol=1e-15)
    np.testing.assert_allclose(W2, [1.05], rtol=1e-15)
    assert state is None
    np.testing.assert_allclose(o.sgd_step([1.0, 2.0], [0.5, -1.0], 0.1), [0.95, 2.1], rtol=1e-15)


def test_momentum_by_hand():
    # v1 = 0.9 * 0 + 0.5 = 0.5, W1 = 1 - 0.1 * 0.5 = 0.95
    # v2 = 0.9 * 0.5 + (-1) = -0.55, W2 = 0.95 - 0.1 * (-0.55) = 1.005
    W1, W2, state = two_steps(Optimizer("momentum", 0.1, mu=0.9))
    np.testing.assert_allclose(W1, [0.95], rtol=1e-15)
    np.testing.assert_allclose(W2, [1.005], rtol=1e-15)
    np.testing.assert_allclose(state.velocity, [-0.55], rtol=1e-15)
    np.testing.assert_allclose(o.momentum_velocity([0.5], [-1.0], 0.9), [-0.55], rtol=1e-15)


def test_adam_by_hand():
    # step 1: m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 0.00025
    #   m_hat = 0.05 / (1 - 0.9) = 0.5, v_hat = 0.00025 / (1 - 0.999) = 0.25
    #   W1 = 1 - 0.1 * 0.5 / (sqrt(0.25) + 1e-8) = 1 - 0.05 / 0.50000001 = 0.900000002
    # step 2: m = 0.9 * 0.05 + 0.1 * (-1) = -0.055, v = 0.999 * 0.00025 + 0.001 * 1 = 0.00124975
    #   1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999
    #   W2 = W1 - 0.1 * (-0.055 / 0.19) / (sqrt(0.00124975 / 0.001999) + 1e-8) = 0.93661035424...
    W1, W2, state = two_steps(Optimizer("adam", 0.1))
    np.testing.assert_allclose(W1, [0.900000002], rtol=1e-15)
    np.testing.assert_allclose(W2, [0.9366103542405656], rtol=1e-14)
    assert state.t == 2
    np.testing.assert_allclose(state.m, [-0.055], rtol=1e-15)
    np.testing.assert_allclose(state.v, [0.00124975], rtol=1e-15)
    np.testing.assert_allclose(o.adam_first_moment([0.05], [-1.0], 0.9), [-0.055], rtol=1e-15)
    np.testing.assert_allclose(o.adam_second_moment([0.00025], [-1.0], 0.999), [0.00124975])
    np.testing.assert_allclose(o.adam_bias_correction([-0.055], 0.9, 2), [-0.055 / 0.19])
    np.testing.assert_allclose(o.adam_step([1.0], [0.5], [0.25], 0.1), [0.900000002], rtol=1e-15)


def test_weight_decay_by_hand():
    # the gradient gains 0.1 * W: step 1: 0.5 + 0.1 * 1 = 0.6, W1 = 1 - 0.1 * 0.6 = 0.94
    # step 2: -1 + 0.1 * 0.94 = -0.906, W2 = 0.94 - 0.1 * (-0.906) = 1.0306
    W1, W2, _ = two_steps(Optimizer("sgd", 0.1, decay=0.1))
    np.testing.assert_allclose(W1, [0.94], rtol=1e-15)
    np.testing.assert_allclose(W2, [1.0306], rtol=1e-15)
    np.testing.assert_allclose(o.weight_decay([0.5], [1.0], 0.1), [0.6], rtol=1e-15)
    # with momentum: v1 = 0.6, W1 = 0.94; v2 = 0.9 * 0.6 - 0.906 = -0.366, W2 = 0.9766
    W1, W2, state = two_steps(Optimizer("momentum", 0.1, mu=0.9, decay=0.1))
    np.testing.assert_allclose([W1[0], W2[0], state.velocity[0]], [0.94, 0.9766, -0.366])
    # with Adam: step 1 sees g = 0.6, so m_hat = 0.6, v_hat = 0.36: W1 = 1 - 0.1 * 0.6 / 0.60000001
    W1, _, _ = two_steps(Optimizer("adam", 0.1, decay=0.1))
    np.testing.assert_allclose(W1, [1 - 0.06 / 0.60000001], rtol=1e-15)


# --- Properties -----------------------------------------------------------------------------


@st.composite
def weights_and_gradient(draw, low=2.0**-10):
    """W and a gradient of one shape and dtype; every gradient entry at least ``low`` in size."""
    dtype = draw(DTYPES)
    shape = draw(array_shapes(max_dims=2, max_side=5))
    W = draw(arrays(dtype, shape, elements=st.floats(-3, 3, width=np.dtype(dtype).itemsize * 8)))
    size = arrays(dtype, shape, elements=st.floats(low, 100, width=np.dtype(dtype).itemsize * 8))
    sign = draw(arrays(dtype, shape, elements=st.sampled_from([-1.0, 1.0])))
    return W, draw(size) * sign


@settings(max_examples=60, deadline=None)
@given(
    pair=weights_and_gradient(),
    eta=st.floats(1e-4, 1.0),
    beta1=st.floats(0, 0.999),
    beta2=st.floats(0, 0.9999),
)
def test_adams_first_step_moves_each_weight_by_eta_against_its_gradient(pair, eta, beta1, beta2):
    """At t = 1 the bias corrections give m_hat = g and v_hat = g^2: the step is
    eta g / (|g| + eps), eta sign(g) up to eps / |g| - whatever the betas."""
    W, gradient = pair
    new, state = o.adam_update(W, gradient, o.adam_init(W), eta, beta1, beta2)
    assert state.t == 1 and new.dtype == W.dtype
    moved = W.astype(np.float64) - new.astype(np.float64)
    eps = np.finfo(W.dtype).eps
    # rounding: of the step (a few eps) and of W - step (eps |W| / eta relative to the step)
    allowed = eta * (1e-8 / 2.0**-10 + 8 * eps) + 2 * eps * np.maximum(np.abs(W), eta)
    np.testing.assert_array_less(np.abs(moved - eta * np.sign(gradient)), allowed)


@settings(max_examples=60, deadline=None)
@given(pair=weights_and_gradient(low=0.0), eta=st.floats(1e-4, 10.0), steps=st.integers(1, 4))
def test_momentum_with_mu_0_is_sgd(pair, eta, steps):
    W, gradient = pair
    hand, state, sgd = W, o.momentum_init(W), W
    for _ in range(steps):
        hand, state = o.momentum_update(hand, gradient, state, eta, 0.0)
        sgd = o.sgd_step(sgd, gradient, eta)
    assert np.array_equal(hand, sgd)  # v = g + 0 v is g exactly: bit for bit the same steps
    assert np.array_equal(state.velocity, gradient)


@settings(max_examples=60, deadline=None)
@given(pair=weights_and_gradient(low=0.0))
def test_decay_0_changes_nothing(pair):
    W, gradient = pair
    assert np.array_equal(o.weight_decay(gradient, W, 0.0), gradient)
    for name in o.OPTIMIZERS:
        plain, decayed = Optimizer(name, 0.01), Optimizer(name, 0.01, decay=0.0)
        assert np.array_equal(
            plain.update(W, gradient, plain.init(W))[0],
            decayed.update(W, gradient, decayed.init(W))[0],
        )


@settings(max_examples=40, deadline=None)
@given(mu=st.floats(0, 0.99), steps=st.integers(1, 30), g=st.floats(-5, 5))
def test_momentum_under_a_constant_gradient_sums_a_geometric_series(mu, steps, g):
    """v_n = g (1 + mu + ... + mu^(n-1)) = g (1 - mu^n) / (1 - mu)."""
    W, state = np.array([0.0]), o.momentum_init(np.array([0.0]))
    for _ in range(steps):
        W, state = o.momentum_update(W, np.array([g]), state, 0.1, mu)
    expected = g * sum(mu**k for k in range(steps))
    np.testing.assert_allclose(state.velocity, [expected], rtol=1e-12, atol=1e-300)


@settings(max_examples=40, deadline=None)
@given(pair=weights_and_gradient(low=0.0), name=st.sampled_from(o.OPTIMIZERS))
def test_updates_are_pure_and_keep_the_dtype(pair, name):
    W, gradient = pair
    optimizer = Optimizer(name, 0.05, decay=0.01)
    state = optimizer.init(W)
    saved = (W.copy(), gradient.copy(), None if state is None else state.__dict__.copy())
    new, new_state = optimizer.update(W, gradient, state)
    new, new_state = optimizer.update(new, gradient, new_state)
    assert np.array_equal(W, saved[0]) and np.array_equal(gradient, saved[1])
    if state is not None:
        for key, value in saved[2].items():
            assert np.array_equal(getattr(state, key), value)  # the old state is untouched
        for value in new_state.__dict__.values():
            assert not isinstance(value, np.ndarray) or value.dtype == W.dtype
    assert new.dtype == W.dtype and new.shape == W.shape


# --- Mini-batches ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_minibatches_use_every_example_once_per_epoch(n, data, seed):
    batch_size = data.draw(st.integers(1, n))
    epoch = data.draw(st.integers(0, 100))
    batches = o.minibatches(n, batch_size, seed, epoch)
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))
    assert len(batches) == math.ceil(n / batch_size)
    assert all(len(batch) == batch_size for batch in batches[:-1])
    assert len(batches[-1]) == (n % batch_size or batch_size)  # the remainder, kept
    again = o.minibatches(n, batch_size, seed, epoch)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))


def test_minibatches_are_seeded_per_epoch():
    first = np.concatenate(o.minibatches(100, 32, seed=7, epoch=0))
    assert [len(batch) for batch in o.minibatches(100, 32, 7)] == [32, 32, 32, 4]
    np.testing.assert_array_equal(first, np.random.default_rng([7, 0]).permutation(100))
    assert not np.array_equal(first, np.concatenate(o.minibatches(100, 32, seed=7, epoch=1)))
    assert not np.array_equal(first, np.concatenate(o.minibatches(100, 32, seed=8, epoch=0)))
    assert not np.array_equal(first, np.arange(100))  # shuffled, also for one full batch
    assert len(o.minibatches(100, 100, seed=7)) == 1


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((10, 0, 1), ValueError, "batch_size must be at least 1"),
        ((10, 11, 1), ValueError, r"batch_size must be at most the number of examples n = 10"),
        ((10, 2.0, 1), TypeError, "batch_size must be an integer"),
        ((0, 1, 1), ValueError, "n must be at least 1"),
        ((10, 2, -1), ValueError, "seed must be in"),
        ((10, 2, 1, -1), ValueError, "epoch must be in"),
    ],
)
def test_bad_minibatch_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        o.minibatches(*arguments)


# --- Bad input ------------------------------------------------------------------------------

W = np.ones((2, 3))
G = np.full((2, 3), 0.5)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: o.sgd_step(W, G, 0.0), ValueError, r"eta \(learning rate\) must be positive"),
        (lambda: o.sgd_step(W, G, -0.1), ValueError, "eta .* must be positive"),
        (lambda: o.sgd_step(W, G[:1], 0.1), ValueError, "shapes must match"),
        (lambda: o.sgd_step(W, G.astype(np.float32), 0.1), TypeError, "one float dtype"),
        (lambda: o.sgd_step(W, G * np.nan, 0.1), ValueError, "gradient must be finite"),
        (lambda: o.sgd_step(W, G.astype(int), 0.1), TypeError, "gradient must be a float32"),
        (
            lambda: o.momentum_velocity(G, G, 1.0),
            ValueError,
            r"mu \(momentum\) must be in \[0, 1\)",
        ),
        (lambda: o.momentum_velocity(G, G, -0.1), ValueError, r"must be in \[0, 1\), got -0.1"),
        (lambda: o.momentum_velocity(G, G, math.nan), ValueError, "mu .* must be finite"),
        (lambda: o.adam_first_moment(G, G, 1.0), ValueError, r"beta1 .* must be in \[0, 1\)"),
        (lambda: o.adam_second_moment(G, G, 1.5), ValueError, r"beta2 .* must be in \[0, 1\)"),
        (lambda: o.adam_bias_correction(G, 0.9, 0), ValueError, "t must be at least 1"),
        (lambda: o.adam_bias_correction(G, 0.9, 1.0), TypeError, "t must be an integer"),
        (lambda: o.adam_step(W, G, G, 0.1, 0.0), ValueError, r"eps \(epsilon\) must be positive"),
        (lambda: o.weight_decay(G, W, -0.01), ValueError, r"weight decay\) must be at least 0"),
        (lambda: o.weight_decay(G, W, True), TypeError, "decay .* must be a real number"),
        (
            lambda: o.adam_update(W, G, o.momentum_init(W)),
            TypeError,
            r"state must be an AdamState \(from adam_init\)",
        ),
        (
            lambda: o.momentum_update(W, G, o.momentum_init(W[:1]), 0.1),
            ValueError,
            r"shapes must match .* W of shape \(2, 3\) and v of shape \(1, 3\)",
        ),
        (
            lambda: o.adam_update(W, G, o.adam_init(W.astype(np.float32))),
            TypeError,
            "m is float32",
        ),
        (
            lambda: o.adam_update(W, G, AdamState(0, W * np.inf, W)),
            ValueError,
            r"state.m \(m\) must be finite",
        ),
        (lambda: AdamState(-1, W, W), ValueError, "AdamState.t counts the steps taken"),
        (lambda: AdamState(1.0, W, W), ValueError, "an int >= 0"),
        (lambda: Optimizer("rmsprop", 0.1), ValueError, "unknown optimizer 'rmsprop'"),
        (lambda: Optimizer("adam", 0.0), ValueError, "eta .* must be positive"),
        (lambda: Optimizer("adam", 0.1, beta2=1.0), ValueError, r"beta2 .* must be in \[0, 1\)"),
        (lambda: Optimizer("momentum", 0.1, mu=-0.5), ValueError, r"mu .* must be in \[0, 1\)"),
        (lambda: Optimizer("sgd", 0.1, decay=-1.0), ValueError, "decay .* must be at least 0"),
        (lambda: Optimizer("adam", 0.1, eps=-1e-8), ValueError, "eps .* must be positive"),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_states_start_at_zero_with_the_weights_shape_and_dtype():
    W32 = np.ones((3, 2), dtype=np.float32)
    state = o.adam_init(W32)
    assert state.t == 0 and state.m.dtype == np.float32 and state.v.shape == (3, 2)
    assert not state.m.any() and not state.v.any()
    velocity = o.momentum_init(W32).velocity
    assert velocity.dtype == np.float32 and not velocity.any()
    assert Optimizer("sgd", 0.1).init(W32) is None
    assert isinstance(Optimizer("momentum", 0.1).init(W32), MomentumState)
    adam = Optimizer("adam", 1, beta1=0, decay=0)  # ints become floats: float32 stays float32
    assert all(type(value) is float for value in (adam.eta, adam.beta1, adam.decay))
    assert (adam.eta, adam.beta1, adam.decay) == (1.0, 0.0, 0.0)


EQUATIONS = (
    o.sgd_step,
    o.weight_decay,
    o.momentum_velocity,
    o.momentum_update,
    o.adam_first_moment,
    o.adam_second_moment,
    o.adam_bias_correction,
    o.adam_step,
    o.adam_update,
)


@pytest.mark.parametrize("function", EQUATIONS, ids=lambda function: function.__name__)
def test_each_equation_has_its_chapter_2_headline_and_declared_checks(function):
    """``Chapter 2 (optimizers), ``id``: :math:`LaTeX``` for the catalogue, and checks."""
    headline = function.__doc__.strip().splitlines()[0]
    found = re.match(r"^Chapter 2 \(optimizers\), ``(\w+)``: :math:`([^`]+)`\.?$", headline)
    assert found is not None and found[1] == function.__name__, headline
    assert function.checks and function.__wrapped__.__name__ == function.__name__


def test_the_docs_example_trains_the_digits_to_the_accuracy_it_states(capsys):
    """docs/optimizers.md's example runs as printed and prints the accuracy its comment gives."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "optimizers.md"
    block = re.search(r"```python\n(.*?)```", docs.read_text(), flags=re.S)[1]
    stated = re.search(r"print\(.*\)  # (\d\.\d+)\n", block)[1]
    exec(compile(block, str(docs), "exec"), {})
    assert capsys.readouterr().out.strip() == stated
    assert float(stated) > 0.95
