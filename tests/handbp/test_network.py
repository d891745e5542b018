"""handbp.network: feedforward (parts 2, 5) and backpropagation in matrix form (parts 11-13)."""

import numpy as np
import pytest
from hypothesis import given

from handbp import data, network
from handbp.activations import step_function
from handbp.losses import mse
from tests.handbp import reference
from tests.handbp.strategies import nets


def tolerance(dtype) -> dict:
    return {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-4, "atol": 1e-5}


@given(nets())
def test_feedforward_matches_plain_python(net):
    """Every quantity of the forward pass equals the loops-and-math.exp reference."""
    forward = network.feedforward(net.X, net.W1, net.W2)
    expected = reference.forward(*(reference.to_lists(a) for a in (net.X, net.W1, net.W2)))
    names = {
        "hidden_layer_inputs": "H_in",
        "hidden_layer_outputs": "H_out",
        "output_layer_inputs": "O_in",
        "output_layer_outputs": "O_out",
    }
    for eq_id, value in forward.as_dict().items():
        assert value.dtype == net.X.dtype, eq_id
        np.testing.assert_allclose(value, expected[names[eq_id]], **tolerance(net.X.dtype))


@given(nets())
def test_backpropagation_gives_the_gradients_of_plain_python(net):
    """W1_update and W2_update equal dMSE/dW1 and dMSE/dW2 worked out one weight at a time."""
    forward = network.feedforward(net.X, net.W1, net.W2)
    backward = network.backpropagation(net.X, net.Y, net.W2, forward)
    dW1, dW2 = reference.gradients(*(reference.to_lists(a) for a in (net.X, net.Y, net.W1, net.W2)))
    np.testing.assert_allclose(backward.weights_1_update, dW1, **tolerance(net.X.dtype))
    np.testing.assert_allclose(backward.weights_2_update, dW2, **tolerance(net.X.dtype))
    shapes = {
        "output_layer_error": net.Y.shape,
        "output_layer_delta": net.Y.shape,
        "weights_2_update": net.W2.shape,
        "hidden_layer_error": forward.hidden_layer_outputs.shape,
        "hidden_layer_delta": forward.hidden_layer_outputs.shape,
        "weights_1_update": net.W1.shape,
    }
    for eq_id, value in backward.as_dict().items():
        assert value.shape == shapes[eq_id], eq_id
        assert value.dtype == net.X.dtype, eq_id


def test_backpropagation_steps_by_hand():
    """One example, one hidden node, one output: each equation worked out by hand."""
    X = np.array([[2.0]])
    Y = np.array([[1.0]])
    H_out = np.array([[0.5]])
    O_out = np.array([[0.75]])
    W2 = np.array([[3.0]])
    forward = network.Forward(np.array([[0.0]]), H_out, np.array([[np.log(3.0)]]), O_out)
    b = network.backpropagation(X, Y, W2, forward)
    np.testing.assert_allclose(b.output_layer_error, [[-0.25]])  # 0.75 - 1
    np.testing.assert_allclose(b.output_layer_delta, [[-0.046875]])  # -0.25 * 0.75 * 0.25
    np.testing.assert_allclose(b.weights_2_update, [[-0.0234375]])  # 0.5 * -0.046875 / 1
    np.testing.assert_allclose(b.hidden_layer_error, [[-0.140625]])  # -0.046875 * 3
    np.testing.assert_allclose(b.hidden_layer_delta, [[-0.03515625]])  # * 0.5 * 0.5
    np.testing.assert_allclose(b.weights_1_update, [[-0.0703125]])  # 2 * -0.03515625 / 1


def test_update_moves_against_the_gradient():
    W1, W2 = np.ones((2, 2)), np.ones((2, 1))
    after = network.weights_update(W1, W2, np.full((2, 2), 2.0), np.full((2, 1), -1.0), 0.1)
    np.testing.assert_allclose(after.W1, 0.8)
    np.testing.assert_allclose(after.W2, 1.1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_part_13_one_step_lowers_the_mse(dtype):
    """Part 13: the series' seed-10 weights on the three flowers, eta 0.1, N = 9."""
    flowers = data.three_flowers("uci", dtype)
    W1, W2 = network.initial_weights(10, dtype=dtype)
    step = network.gradient_descent_iteration(flowers.X, flowers.Y, W1, W2, 0.1)
    lists = [reference.to_lists(a) for a in (flowers.X, flowers.Y, W1, W2)]
    before = reference.mse(reference.forward(lists[0], lists[2], lists[3])["O_out"], lists[1])
    dW1, dW2 = reference.gradients(*lists)
    W1_after = [
        [w - 0.1 * g for w, g in zip(r, gr, strict=True)]
        for r, gr in zip(lists[2], dW1, strict=True)
    ]
    W2_after = [
        [w - 0.1 * g for w, g in zip(r, gr, strict=True)]
        for r, gr in zip(lists[3], dW2, strict=True)
    ]
    after = reference.mse(reference.forward(lists[0], W1_after, W2_after)["O_out"], lists[1])
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(step.mse_before, before, rtol=rtol)
    np.testing.assert_allclose(step.mse_after, after, rtol=rtol)
    np.testing.assert_allclose(step.after.W1, W1_after, rtol=rtol)
    assert step.mse_after < step.mse_before
    assert step.forward.output_layer_outputs.shape == (3, 3)
    assert step.mse_before.dtype == dtype and step.after.W1.dtype == dtype


def test_initial_weights_equal_the_series_global_seed():
    """np.random.seed(10); normal(scale=0.5, size=(4, 2)); normal(scale=0.5, size=(2, 3))."""
    # the series' legacy global generator is the point here, hence NPY002
    state = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(10)  # noqa: NPY002
        W1 = np.random.normal(scale=0.5, size=(4, 2))  # noqa: NPY002
        W2 = np.random.normal(scale=0.5, size=(2, 3))  # noqa: NPY002
    finally:
        np.random.set_state(state)  # noqa: NPY002
    weights = network.initial_weights(10)
    np.testing.assert_array_equal(weights.W1, W1)
    np.testing.assert_array_equal(weights.W2, W2)
    assert network.initial_weights(10, n_hidden=6).W1.shape == (4, 6)
    assert network.initial_weights(10, dtype=np.float32).W2.dtype == np.float32


def test_hand_picked_weights_and_step_network_by_hand():
    """Parts 2-5: the hand-picked weights, threshold 2, on the three flowers."""
    W1, W2 = network.hand_picked_weights()
    assert W1.T.tolist() == [[0.9, 0.8, -1.0, -1.0], [-0.5, -0.5, 1.5, 1.0]]
    assert W2.T.tolist() == [[2.0, -1.0], [1.0, 1.0], [-1.0, 2.0]]
    flowers = data.three_flowers("uci")
    forward = network.feedforward(flowers.X, W1, W2, activation=step_function)
    # setosa (4.9, 3.0, 1.4, 0.2): H_in = (4.9*.9 + 3*.8 - 1.4 - .2, -2.45 - 1.5 + 2.1 + .2)
    np.testing.assert_allclose(forward.hidden_layer_inputs[0], [5.21, -1.65])
    np.testing.assert_array_equal(forward.hidden_layer_outputs[0], [1.0, 0.0])
    np.testing.assert_array_equal(forward.output_layer_outputs[0], [1.0, 0.0, 0.0])


@pytest.fixture
def net():
    flowers = data.three_flowers()
    W1, W2 = network.initial_weights(10)
    return flowers.X, flowers.Y, W1, W2


def test_mismatched_shapes_raise(net):
    X, Y, W1, W2 = net
    with pytest.raises(ValueError, match=r"W1.shape\[0\] is 4 but X.shape\[1\] is 3.*inputs \(i\)"):
        network.feedforward(X[:, :3], W1, W2)
    with pytest.raises(ValueError, match=r"W2.shape\[0\] is 1 but W1.shape\[1\] is 2.*hidden"):
        network.feedforward(X, W1, W2[:1])
    with pytest.raises(ValueError, match=r"W2.shape\[0\] is 1 but H_out.shape\[1\] is 2"):
        network.output_layer_inputs(X @ W1, W2[:1])
    with pytest.raises(
        ValueError,
        match=r"shapes do not fit: W2.shape\[1\] is 3 but Y.shape\[1\] is 2.*output nodes",
    ):
        network.gradient_descent_iteration(X, Y[:, :2], W1, W2, 0.1)
    with pytest.raises(ValueError, match=r"W2.shape\[0\] is 1 but W1.shape\[1\] is 2"):
        network.check_network(X, Y, W1, W2[:1])
    forward = network.feedforward(X, W1, W2)
    with pytest.raises(ValueError, match=r"Y.shape\[0\] is 2 but X.shape\[0\] is 3.*examples"):
        network.backpropagation(X, Y[:2], W2, forward)
    with pytest.raises(ValueError, match=r"H_out.shape\[0\] is 3 but X.shape\[0\] is 2.*examples"):
        network.backpropagation(X[:2], Y[:2], W2, forward)
    two_outputs = network.Forward(
        *[q[:, :2] if q.shape[1] == 3 else q for q in forward.as_dict().values()]
    )
    with pytest.raises(ValueError, match=r"W2.shape\[1\] is 3 but Y.shape\[1\] is 2.*output nodes"):
        network.backpropagation(X, np.eye(2)[[0, 1, 1]], W2, two_outputs)


def test_non_finite_empty_and_wrong_types_raise(net):
    X, Y, W1, W2 = net
    bad = W1.copy()
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"W1 must be finite.*index \(2, 1\)"):
        network.feedforward(X, bad, W2)
    with pytest.raises(ValueError, match="X must not be empty"):
        network.feedforward(np.empty((0, 4)), W1, W2)
    with pytest.raises(TypeError, match=r"X must be a float32 or float64 array, got .*int64"):
        network.feedforward(X.astype(np.int64), W1, W2)
    with pytest.raises(TypeError, match="object"):
        network.feedforward(X.astype(object), W1, W2)
    with pytest.raises(TypeError, match="X is float32, W1 is float64"):
        network.feedforward(X.astype(np.float32), W1, W2)
    with pytest.raises(ValueError, match="one-hot"):
        network.gradient_descent_iteration(X, Y * 0.5, W1, W2, 0.1)
    with pytest.raises(ValueError, match="eta"):
        network.weights_update(W1, W2, W1, W2, -0.1)
    with pytest.raises(ValueError, match="N must be at least 1"):
        network.weights_1_update(X, X @ W1, 0)


def test_forward_and_backward_name_their_fields_by_equation_id(net):
    X, Y, W1, W2 = net
    forward = network.feedforward(X, W1, W2)
    backward = network.backpropagation(X, Y, W2, forward)
    assert list(forward.as_dict()) == [
        "hidden_layer_inputs",
        "hidden_layer_outputs",
        "output_layer_inputs",
        "output_layer_outputs",
    ]
    assert list(backward.as_dict()) == [
        "output_layer_error",
        "output_layer_delta",
        "weights_2_update",
        "hidden_layer_error",
        "hidden_layer_delta",
        "weights_1_update",
    ]
    np.testing.assert_allclose(
        mse(forward.output_layer_outputs, Y), 0.5 / Y.size * np.sum(backward.output_layer_error**2)
    )


def test_a_step_records_the_weights_it_started_from():
    """Step.before holds the weights the step was taken from, unchanged (part 13)."""
    flowers = data.three_flowers("uci")
    W1, W2 = network.initial_weights(seed=network.SERIES_SEED)
    step = network.gradient_descent_iteration(flowers.X, flowers.Y, W1, W2, network.SERIES_ETA)
    np.testing.assert_array_equal(step.before.W1, W1)
    np.testing.assert_array_equal(step.before.W2, W2)
    assert not np.array_equal(step.after.W1, W1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hand_picked_weights_have_the_dtype_asked_for(dtype):
    W1, W2 = network.hand_picked_weights(dtype)
    assert W1.dtype == dtype and W2.dtype == dtype
    np.testing.assert_array_equal(W2, np.array([[2, 1, -1], [-1, 1, 2]], dtype=dtype))


@pytest.mark.parametrize(
    "change, kind, message",
    [
        ({"scale": 0.0}, ValueError, r"^scale must be positive, got 0.0$"),
        ({"scale": -0.5}, ValueError, r"^scale must be positive, got -0.5$"),
        ({"n_input": 0}, ValueError, r"^n_input must be at least 1, got 0$"),
        ({"n_hidden": 0}, ValueError, r"^n_hidden must be at least 1, got 0$"),
        ({"n_output": 0}, ValueError, r"^n_output must be at least 1, got 0$"),
        ({"n_output": 2.0}, TypeError, r"^n_output must be an integer"),
    ],
)
def test_initial_weights_name_a_bad_argument(change, kind, message):
    with pytest.raises(kind, match=message):
        network.initial_weights(10, **change)
