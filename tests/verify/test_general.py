"""verify.general: every chapter 2 id agrees with JAX three ways, on drawn nets, both dtypes.

JAX compiles the references once per net shape (a few seconds on a busy 2-core machine),
so the default run draws few nets; ``-m slow`` draws many.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from handbp import activations, layers
from handbp.equations import BEYOND
from handbp.nn import Net, Params
from tests.handbp.beyond_strategies import cases
from verify.general import (
    KINK_MARGIN,
    NOT_DIFFERENTIABLE,
    check_all,
    check_case,
    kink_distance,
    random_case,
)

METHODS = {"reverse", "forward", "finite_differences"}
DERIVATIVES = {
    "layer_l_error",
    "layer_l_delta",
    "weights_l_update",
    "bias_l_update",
    "backpropagation_net",
    "parameters_update",
    "tanh_derivative",
    "relu_derivative",
    "leaky_relu_derivative",
    "softmax_jvp",
    "mse_error",
    "binary_cross_entropy_error",
    "cross_entropy_error",
    "sigmoid_binary_cross_entropy_delta",
    "softmax_cross_entropy_delta",
}
"""The chapter 2 ids that are derivatives: each needs all three methods."""

FEW = settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_check_all_passes_every_id_in_both_dtypes(dtype):
    """The general net's rows of `handbp verify --chapter all`: every id of chapter 2 but
    the optimizers' (verify.optimizers checks those against optax), in catalogue order."""
    rows = check_all(dtype, seed=0)
    assert [row[0] for row in rows] == [
        eq_id for eq_id, entry in BEYOND.items() if entry.section != "optimizers"
    ]
    failed = [(eq_id, errors) for eq_id, errors, passed in rows if not passed]
    assert failed == []
    for eq_id, errors, _ in rows:
        if eq_id in DERIVATIVES:
            assert set(errors) == METHODS, eq_id
        elif eq_id not in NOT_DIFFERENTIABLE:
            assert set(errors) == {"value"}, eq_id


def _check_drawn(case) -> None:
    assume(kink_distance(case.net, case.X, case.params) >= KINK_MARGIN)  # never the kink
    results = check_case(case.net, case.X, case.Y, case.params, seed=1)
    failed = {eq_id: r.errors for eq_id, r in results.items() if not r.passed}
    assert failed == {}, (case.net, case.X.shape, case.X.dtype)
    for eq_id in DERIVATIVES:
        if results[eq_id].errors:  # layer_l_delta has none for a lone softmax layer
            assert set(results[eq_id].errors) == METHODS


@FEW
@given(cases(dtype=np.float64))
def test_drawn_nets_agree_with_jax_float64(case):
    """Depth 1-5, widths 1-64, batches 1-64, every activation/loss pair, biases or not."""
    _check_drawn(case)


@FEW
@given(cases(dtype=np.float32))
def test_drawn_nets_agree_with_jax_float32(case):
    _check_drawn(case)


@pytest.mark.slow
@MANY
@given(cases())
def test_many_drawn_nets_agree_with_jax(case):
    _check_drawn(case)


def _one_net():
    net = pytest.importorskip("handbp.nn").Net((3, 5, 4), ("tanh", "softmax"), "cross_entropy")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(6, 3))
    Y = np.eye(4)[rng.integers(0, 4, 6)]
    params = net.init(2)
    params = type(params)(
        params.weights, tuple(0.1 * rng.normal(size=b.shape) for b in params.biases)
    )
    return net, X, Y, params


def test_mistakes_are_caught_and_named_by_their_id(monkeypatch):
    """Three wrong equations at once; each fails its own id and no other.

    db as the mean over examples instead of the sum / N (right only when N counts the
    examples, not for the MSE's N = Y.size); the softmax's JVP with only the diagonal of
    its Jacobian, p (1 - p) v; a delta without the activation's derivative.
    """
    monkeypatch.setattr(layers, "bias_l_update", lambda D, N: np.mean(D, axis=0))
    monkeypatch.setattr(activations, "softmax_jvp", lambda P, V: P * (1 - P) * V)
    monkeypatch.setattr(layers, "layer_l_delta", lambda E, A, derivative: E)
    net = Net((3, 5, 4), ("tanh", "softmax"), "mse")
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 4))
    params = Params(net.init(2).weights, tuple(0.1 * rng.normal(size=n) for n in (5, 4)))
    results = check_case(net, X, Y, params, seed=0)
    wrong = {"bias_l_update", "softmax_jvp", "layer_l_delta"}
    assert {eq_id for eq_id, r in results.items() if not r.passed} == wrong


def test_a_zero_held_by_a_dead_relu_below_is_no_kink_but_one_from_the_data_is():
    """No bias: a row whose every input is a ReLU output held at 0 has z exactly 0 on every
    draw, and no difference step moves it; a zero row of X moves with X."""
    net = Net((1, 1, 1, 5), ("relu", "relu", "sigmoid"), loss="binary_cross_entropy", biases=False)
    params = Params((np.array([[0.5]]), np.array([[0.7]]), np.ones((1, 5))), None)
    X = np.array([[1.0], [-1.0], [2.0]])  # the second example's first ReLU dies
    assert kink_distance(net, X, params) == pytest.approx(0.35)
    assert kink_distance(net, np.array([[1.0], [0.0]]), params) == 0  # X's zero row moves
    barely = np.array([[1.0], [-1e-6]])  # dead, but within the margin of its kink
    assert kink_distance(net, barely, params) < KINK_MARGIN
    biased = Net(net.widths, net.activations, loss=net.loss, biases=True)
    zero_biases = Params(params.weights, (np.zeros(1), np.zeros(1), np.zeros(5)))
    assert kink_distance(biased, X, zero_biases) == 0  # a bias moves with its own step


def test_random_cases_of_a_net_whose_relus_die_are_found_with_every_gradient_nonzero():
    for dtype in ("float64", "float32"):
        net, X, Y, params = random_case(
            (1, 1, 1, 5), ("relu", "relu", "sigmoid"), "binary_cross_entropy", False, 8, dtype, 0
        )
        assert kink_distance(net, X, params) >= KINK_MARGIN
        gradients = net.gradients(X, Y, params).gradients
        assert all(np.any(dW != 0) for dW in gradients.weights)
