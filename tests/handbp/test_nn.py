"""handbp.nn: any dense net; the series' net is its special case, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbp import data, losses, network
from handbp.nn import Net, Params, parameters_update
from tests.handbp import strategies as series_strategies
from tests.handbp.beyond_strategies import cases

FEW = settings(max_examples=15, deadline=None)
MANY = settings(max_examples=300, deadline=None)

SERIES_NET = Net((4, 2, 3), "sigmoid", loss="mse", biases=False)


# --- The series' net is the special case ------------------------------------------------------


def test_part_13_figures_come_out_of_the_general_net():
    """`handbp step`: MSE 0.13831126800831411 -> 0.1379749216970851, from the general code."""
    flowers = data.three_flowers("uci")
    params = SERIES_NET.init(10, scheme="series")
    W1, W2 = network.initial_weights(10)
    assert np.array_equal(params.weights[0], W1) and np.array_equal(params.weights[1], W2)
    step = network.gradient_descent_iteration(flowers.X, flowers.Y, W1, W2, 0.1)
    before = SERIES_NET.loss_value(flowers.Y, SERIES_NET.forward(flowers.X, params))
    after_params = SERIES_NET.step(flowers.X, flowers.Y, params, 0.1)
    after = SERIES_NET.loss_value(flowers.Y, SERIES_NET.forward(flowers.X, after_params))
    assert float(before) == float(step.mse_before)  # bit for bit is the claim
    assert float(after) == float(step.mse_after)
    assert repr(float(before)) == "0.13831126800831411"  # the figures `handbp step` prints
    assert repr(float(after)) == "0.1379749216970851"
    assert np.array_equal(after_params.weights[0], step.after.W1)
    assert np.array_equal(after_params.weights[1], step.after.W2)


def test_every_quantity_of_a_series_pass_is_bit_for_bit_the_series():
    flowers = data.three_flowers("uci")
    W1, W2 = network.initial_weights(10)
    forward = SERIES_NET.forward(flowers.X, Params((W1, W2)))
    backward = SERIES_NET.backward(flowers.X, flowers.Y, Params((W1, W2)), forward)
    series_forward = network.feedforward(flowers.X, W1, W2)
    series_backward = network.backpropagation(flowers.X, flowers.Y, W2, series_forward)
    pairs = {
        "hidden_layer_inputs": forward.layer_l_inputs[0],
        "hidden_layer_outputs": forward.layer_l_outputs[0],
        "output_layer_inputs": forward.layer_l_inputs[1],
        "output_layer_outputs": forward.layer_l_outputs[1],
    }
    for eq_id, value in pairs.items():
        assert np.array_equal(value, getattr(series_forward, eq_id)), eq_id
    pairs = {
        "output_layer_error": backward.layer_l_error[1],
        "output_layer_delta": backward.layer_l_delta[1],
        "weights_2_update": backward.weights_l_update[1],
        "hidden_layer_error": backward.layer_l_error[0],
        "hidden_layer_delta": backward.layer_l_delta[0],
        "weights_1_update": backward.weights_l_update[0],
    }
    for eq_id, value in pairs.items():
        assert np.array_equal(value, getattr(series_backward, eq_id)), eq_id


@pytest.mark.parametrize("split_seed, weight_seed, hidden", [(4, 10, 2), (7, 3, 2), (7, 3, 6)])
def test_part_14_runs_are_bit_for_bit_the_series(split_seed, weight_seed, hidden):
    """The series' training loop (part 14) and the general net's, 300 epochs each."""
    split = data.train_test_split(data.load_iris("uci"), test_size=20, seed=split_seed)
    X, Y = split.train.X, split.train.Y
    W1, W2 = network.initial_weights(weight_seed, n_hidden=hidden)
    net = Net((4, hidden, 3), "sigmoid", loss="mse", biases=False)
    params = net.init(weight_seed, scheme="series")
    for _ in range(300):
        forward = network.feedforward(X, W1, W2)
        mse = losses.mse(forward.output_layer_outputs, Y)
        backward = network.backpropagation(X, Y, W2, forward)
        W1, W2 = network.weights_update(
            W1, W2, backward.weights_1_update, backward.weights_2_update, 0.1
        )
        general = net.forward(X, params)
        assert float(net.loss_value(Y, general)) == float(mse)
        params = parameters_update(net, params, net.backward(X, Y, params, general).gradients, 0.1)
    assert np.array_equal(params.weights[0], W1) and np.array_equal(params.weights[1], W2)


@FEW
@given(series_strategies.nets())
def test_any_series_shaped_net_is_bit_for_bit_the_series(case):
    net = Net((case.X.shape[1], case.W1.shape[1], case.Y.shape[1]), "sigmoid", "mse", False)
    params = Params((case.W1, case.W2))
    backward = net.gradients(case.X, case.Y, params)
    forward = network.feedforward(case.X, case.W1, case.W2)
    series = network.backpropagation(case.X, case.Y, case.W2, forward)
    assert np.array_equal(backward.weights_l_update[0], series.weights_1_update)
    assert np.array_equal(backward.weights_l_update[1], series.weights_2_update)


# --- Hand-worked cases ------------------------------------------------------------------------


def test_one_sigmoid_node_with_a_bias_by_hand():
    """x = 1, w = 0, b = 0, y = 1: a = 1/2, E = -1/2, D = -1/2 * 1/4, N = 1."""
    net = Net((1, 1), "sigmoid", loss="mse")
    params = Params((np.array([[0.0]]),), (np.array([0.0]),))
    backward = net.gradients(np.array([[1.0]]), np.array([[1.0]]), params, input_error=True)
    np.testing.assert_allclose(backward.layer_l_error[0], [[-0.5]])
    np.testing.assert_allclose(backward.layer_l_delta[0], [[-0.125]])
    np.testing.assert_allclose(backward.weights_l_update[0], [[-0.125]])
    np.testing.assert_allclose(backward.bias_l_update[0], [-0.125])
    np.testing.assert_allclose(backward.input_error, [[0.0]])  # times w = 0


def test_two_examples_softmax_cross_entropy_by_hand():
    """Z = [[0, ln 3], [0, 0]] (W = I, no bias): P = [[1/4, 3/4], [1/2, 1/2]], D = P - Y."""
    net = Net((2, 2), "softmax", loss="cross_entropy", biases=True)
    X = np.array([[0.0, np.log(3)], [0.0, 0.0]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    params = Params((np.eye(2),), (np.zeros(2),))
    forward = net.forward(X, params)
    np.testing.assert_allclose(forward.layer_l_outputs[0], [[0.25, 0.75], [0.5, 0.5]])
    assert net.loss_value(Y, forward) == pytest.approx((-np.log(0.75) - np.log(0.5)) / 2)
    backward = net.backward(X, Y, params, forward)
    np.testing.assert_allclose(backward.layer_l_delta[0], [[0.25, -0.25], [-0.5, 0.5]])
    np.testing.assert_allclose(backward.bias_l_update[0], [-0.125, 0.125])  # sum / 2 examples
    np.testing.assert_allclose(backward.weights_l_update[0], X.T @ [[0.25, -0.25], [-0.5, 0.5]] / 2)


# --- Properties --------------------------------------------------------------------------------


@FEW
@given(cases(losses=("binary_cross_entropy", "cross_entropy"), dtype=np.float64))
def test_fused_output_delta_equals_the_staged_chain(case):
    """softmax + CE gives P - Y and sigmoid + BCE gives A - Y: the staged chain through the
    loss's error and the activation's derivative (or JVP) agrees to rounding, in every layer."""
    fused = case.net.gradients(case.X, case.Y, case.params)
    staged = case.net.gradients(case.X, case.Y, case.params, staged=True)
    assert fused.layer_l_error[-1] is None and staged.layer_l_error[-1] is not None
    for a, b in zip(fused.weights_l_update, staged.weights_l_update, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fused.layer_l_delta[-1], staged.layer_l_delta[-1], atol=1e-12)


def _per_example_mean(net: Net, X, Y, params: Params) -> Params:
    grads = [net.gradients(X[e : e + 1], Y[e : e + 1], params).gradients for e in range(len(X))]
    weights = tuple(np.mean([g.weights[i] for g in grads], axis=0) for i in range(net.depth))
    if params.biases is None:
        return Params(weights)
    return Params(
        weights, tuple(np.mean([g.biases[i] for g in grads], axis=0) for i in range(net.depth))
    )


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy", "cross_entropy"])
@FEW
@given(data=st.data())
def test_a_batch_gradient_is_the_mean_of_its_examples_gradients(loss, data):
    case = data.draw(
        cases(max_depth=3, max_width=8, max_examples=16, dtype=np.float64, losses=(loss,))
    )
    batch = case.net.gradients(case.X, case.Y, case.params).gradients
    mean = _per_example_mean(case.net, case.X, case.Y, case.params)
    for a, b in zip(batch.weights, mean.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    for a, b in zip(batch.biases or (), mean.biases or (), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


@FEW
@given(cases(biases=True, dtype=np.float64))
def test_a_bias_is_a_weight_on_a_constant_input_of_one(case):
    """Layer 1's bias gradient is the weight gradient of an input column of ones."""
    net = case.net
    W1, b1 = case.params.weights[0], case.params.biases[0]
    augmented = Net((net.widths[0] + 1, *net.widths[1:]), net.activations, net.loss, True)
    params = Params(
        (np.vstack([W1, b1]), *case.params.weights[1:]),
        (np.zeros_like(b1), *case.params.biases[1:]),
    )
    X1 = np.hstack([case.X, np.ones((len(case.X), 1))])
    plain = net.gradients(case.X, case.Y, case.params)
    ones = augmented.gradients(X1, case.Y, params)
    np.testing.assert_allclose(
        ones.weights_l_update[0][-1], plain.bias_l_update[0], rtol=1e-10, atol=1e-13
    )
    np.testing.assert_allclose(
        ones.weights_l_update[0][:-1], plain.weights_l_update[0], rtol=1e-10, atol=1e-13
    )


def shapes_and_dtypes(case) -> None:
    net, X = case.net, case.X
    backward = net.gradients(X, case.Y, case.params, input_error=True)
    for layer in range(1, net.depth + 1):
        shape = (len(X), net.widths[layer])
        assert backward.layer_l_delta[layer - 1].shape == shape
        assert backward.weights_l_update[layer - 1].shape == (
            net.widths[layer - 1],
            net.widths[layer],
        )
        assert backward.weights_l_update[layer - 1].dtype == X.dtype
        if net.biases:
            assert backward.bias_l_update[layer - 1].shape == (net.widths[layer],)
    assert backward.input_error.shape == X.shape
    assert all(np.isfinite(w).all() for w in backward.weights_l_update)


@FEW
@given(cases())
def test_every_quantity_has_its_layers_shape_and_dtype(case):
    shapes_and_dtypes(case)


@pytest.mark.slow
@MANY
@given(cases())
def test_every_quantity_has_its_layers_shape_and_dtype_many(case):
    shapes_and_dtypes(case)


def test_step_moves_every_parameter_against_its_gradient():
    net = Net((3, 5, 2), ("tanh", "sigmoid"), loss="binary_cross_entropy")
    params = net.init(1)
    X = np.random.default_rng(0).normal(size=(4, 3))
    Y = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
    grads = net.gradients(X, Y, params).gradients
    after = net.step(X, Y, params, 0.5)
    for p, g, a in zip(
        params.weights + params.biases,
        grads.weights + grads.biases,
        after.weights + after.biases,
        strict=True,
    ):
        np.testing.assert_allclose(a, p - 0.5 * g, rtol=1e-15)
    before = net.loss_value(Y, net.forward(X, params))
    assert net.loss_value(Y, net.forward(X, net.step(X, Y, params, 0.01))) < before


def test_init_schemes():
    net = Net((64, 256, 10), ("relu", "softmax"), loss="cross_entropy")
    params = net.init(3)
    assert np.std(params.weights[0]) == pytest.approx(np.sqrt(2 / 64), rel=0.05)  # He
    assert np.std(params.weights[1]) == pytest.approx(np.sqrt(2 / 266), rel=0.1)  # Glorot
    assert all(not b.any() for b in params.biases)
    assert np.array_equal(net.init(3).weights[0], params.weights[0])  # seeded
    assert net.init(3, dtype=np.float32).weights[1].dtype == np.float32
    assert net.init(3, scheme="glorot").weights[0].std() == pytest.approx(
        np.sqrt(2 / 320), rel=0.05
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "loss, output", [("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid")]
)
def test_a_net_with_logits_of_1e4_is_finite_and_warning_free(dtype, loss, output):
    """Logits of +-1e4: the loss from the logits and the fused delta stay finite (pytest
    turns every floating-point warning into an error)."""
    net = Net((2, 3), output, loss=loss)
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=dtype)
    params = Params(
        (np.array([[1e4, -1e4, 0], [-1e4, 0, 1e4]], dtype=dtype),), (np.zeros(3, dtype),)
    )
    Y = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=dtype)
    forward = net.forward(X, params)
    assert np.abs(forward.layer_l_inputs[0]).max() == 1e4
    value = net.loss_value(Y, forward)
    backward = net.backward(X, Y, params, forward, input_error=True)
    assert np.isfinite(value) and value.dtype == dtype
    for array in (*backward.weights_l_update, *backward.bias_l_update, backward.input_error):
        assert array.dtype == dtype and np.isfinite(array).all()
