"""handbp.network: feedforward (parts 2, 5) and backpropagation in matrix form (parts 11-13)."""

import numpy as np
import pytest
from hypothesis import given

from handbp import data, network
from handbp.activations import step_function
from handbp.losses import mse
from tests.handbp import reference, series
from tests.handbp.series import OVERVIEW, OVERVIEW_DECIMALS, assert_printed
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


def test_part_5_prints_the_series_figures():
    """Part 5, the series' NumPy notebook: np.dot of one flower and one node's weights
    (5.210000000000001, one ulp above the loops' 5.21), then every layer of the
    hand-picked net as NumPy printed it, and H_in again as (W1^T X^T)^T."""
    flowers = data.three_flowers("uci")
    W1, W2 = network.hand_picked_weights()
    one_node = network.hidden_layer_inputs(flowers.X[:1], W1[:, :1])
    assert_printed(one_node, series.NUMPY_NODE_INPUT)
    forward = network.feedforward(flowers.X, W1, W2, activation=step_function)
    assert_printed(forward.hidden_layer_inputs, series.NUMPY_HIDDEN_INPUTS)
    assert_printed(forward.hidden_layer_outputs, series.NUMPY_HIDDEN_OUTPUTS)
    assert_printed(forward.output_layer_inputs, series.NUMPY_OUTPUT_INPUTS)
    assert_printed(forward.output_layer_outputs, series.NUMPY_OUTPUT_OUTPUTS)
    assert_printed(forward.hidden_layer_inputs, series.NUMPY_TRANSPOSED_ORDER)
    with pytest.raises(ValueError, match=r"W1.shape\[0\] is 3 but X.shape\[1\] is 2"):
        network.hidden_layer_inputs(W1, flowers.X)  # W1 X: the order the series warns of


def test_the_notation_tables_shapes_for_the_three_flowers():
    """SERIES.md's notation table: X 3 x 4, Y 3 x 3, W1 4 x 2, W2 2 x 3, H_in and H_out
    3 x 2, O_in and O_out 3 x 3, N = 9; and each error and delta has its layer's shape."""
    flowers = data.three_flowers("uci")
    W1, W2 = network.initial_weights(10)
    forward = network.feedforward(flowers.X, W1, W2)
    backward = network.backpropagation(flowers.X, flowers.Y, W2, forward)
    shapes = {name: value.shape for name, value in forward.as_dict().items()}
    shapes.update({name: value.shape for name, value in backward.as_dict().items()})
    assert (flowers.X.shape, flowers.Y.shape, W1.shape, W2.shape) == (
        (3, 4),
        (3, 3),
        (4, 2),
        (2, 3),
    )
    assert shapes == {
        "hidden_layer_inputs": (3, 2),
        "hidden_layer_outputs": (3, 2),
        "output_layer_inputs": (3, 3),
        "output_layer_outputs": (3, 3),
        "output_layer_error": (3, 3),
        "output_layer_delta": (3, 3),
        "weights_2_update": (2, 3),
        "hidden_layer_error": (3, 2),
        "hidden_layer_delta": (3, 2),
        "weights_1_update": (4, 2),
    }
    assert flowers.Y.size == 9  # N


def test_part_13_prints_the_series_mse_before_and_after_the_step():
    """Part 13, the series' backpropagation notebook: seed-10 weights, eta 0.1, N = 9; the
    MSE 0.13831126800831411 before the step and 0.1379749216970851 after, every digit."""
    flowers = data.three_flowers("uci")
    step = network.gradient_descent_iteration(
        flowers.X, flowers.Y, *network.initial_weights(10), 0.1
    )
    assert_printed(step.mse_before, series.MSE_BEFORE)
    assert_printed(step.mse_after, series.MSE_AFTER)


def test_part_13s_overview_graphic_with_the_series_rounding():
    """Part 13's overview graphic (the slides' picture of one step): the seed-10 weights
    rounded to 1 decimal, and each quantity rounded as the series rounded it (2 decimals,
    3 from the hidden error on) before the next equation takes it. handbp's equations,
    fed the same rounded values, give every printed matrix and the MSE 0.13844444444444445."""
    flowers = data.three_flowers("uci")
    X, Y, N = flowers.X, flowers.Y, flowers.Y.size

    def rounded(name: str, value: np.ndarray) -> np.ndarray:
        return np.round(value, OVERVIEW_DECIMALS[name])

    W1, W2 = (rounded("weights", W) for W in network.initial_weights(10))
    H_in = rounded("hidden_layer_inputs", network.hidden_layer_inputs(X, W1))
    H_out = rounded("hidden_layer_outputs", network.hidden_layer_outputs(H_in))
    O_in = rounded("output_layer_inputs", network.output_layer_inputs(H_out, W2))
    O_out = rounded("output_layer_outputs", network.output_layer_outputs(O_in))
    O_error = rounded("output_layer_error", network.output_layer_error(O_out, Y))
    O_delta = rounded("output_layer_delta", network.output_layer_delta(O_error, O_out))
    H_error = rounded("hidden_layer_error", network.hidden_layer_error(O_delta, W2))
    H_delta = rounded("hidden_layer_delta", network.hidden_layer_delta(H_error, H_out))
    computed = {
        "W1": W1,
        "W2": W2,
        "hidden_layer_inputs": H_in,
        "hidden_layer_outputs": H_out,
        "output_layer_inputs": O_in,
        "output_layer_outputs": O_out,
        "output_layer_error": O_error,
        "output_layer_delta": O_delta,
        "hidden_layer_error": H_error,
        "hidden_layer_delta": H_delta,
        "weights_2_update": rounded(
            "weights_2_update", network.weights_2_update(H_out, O_delta, N)
        ),
        "weights_1_update": rounded("weights_1_update", network.weights_1_update(X, H_delta, N)),
        "mse": mse(O_out, Y),
    }
    assert set(computed) == set(OVERVIEW)
    for name, value in computed.items():
        assert_printed(value, OVERVIEW[name])


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
