"""handbp.pure: parts 2-4 in lists and loops agree with the NumPy form of part 5."""

import numpy as np
import pytest
from hypothesis import given

from handbp import data, network, pure
from handbp.activations import step_function
from tests.handbp import series
from tests.handbp.series import assert_printed
from tests.handbp.strategies import nets


def test_weighted_sum_by_hand():
    assert pure.weighted_sum([4.9, 3.0, 1.4, 0.2], [0.9, 0.8, -1.0, -1.0]) == pytest.approx(5.21)


@given(nets(dtype=np.float64))
def test_pure_python_layers_equal_numpy(net):
    """layer_outputs with one weight row per node equals X @ W (and f(X @ W))."""
    rows, node_weights = net.X.tolist(), net.W1.T.tolist()
    np.testing.assert_allclose(
        pure.layer_outputs(rows, node_weights),
        network.hidden_layer_inputs(net.X, net.W1),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        pure.layer_outputs(rows, node_weights, step_function),
        network.hidden_layer_outputs(network.hidden_layer_inputs(net.X, net.W1), step_function),
    )


def test_series_step_network_pure_equals_numpy():
    """Parts 3-5: the hand-picked weights on the three flowers, pure Python vs NumPy."""
    flowers = data.three_flowers("uci")
    W1, W2 = network.hand_picked_weights()
    hidden = pure.layer_outputs(flowers.X.tolist(), W1.T.tolist(), step_function)
    output = pure.layer_outputs(hidden, W2.T.tolist(), step_function)
    forward = network.feedforward(flowers.X, W1, W2, activation=step_function)
    np.testing.assert_array_equal(output, forward.output_layer_outputs)


def test_parts_2_to_4_print_the_series_figures():
    """Parts 2-4, the series' pure-Python notebooks: one node (5.21, which fires) and every
    layer of the hand-picked net on the three flowers, digit for digit as pprint showed them
    (the same loop in the same order, so the same floats: 2.3200000000000003 and all)."""
    flowers = data.three_flowers("uci")
    W1, W2 = network.hand_picked_weights()
    rows, hidden_weights, output_weights = flowers.X.tolist(), W1.T.tolist(), W2.T.tolist()
    node_input = pure.weighted_sum(rows[0], hidden_weights[0])
    assert_printed(node_input, series.NODE_INPUT)
    assert_printed(step_function(np.float64(node_input)), series.NODE_OUTPUT)
    assert_printed(pure.layer_outputs(rows, hidden_weights), series.PURE_HIDDEN_INPUTS)
    hidden = pure.layer_outputs(rows, hidden_weights, step_function)
    assert_printed(hidden, series.PURE_HIDDEN_OUTPUTS)
    assert_printed(pure.layer_outputs(hidden, output_weights), series.PURE_OUTPUT_INPUTS)
    outputs = pure.layer_outputs(hidden, output_weights, step_function)
    assert_printed(outputs, series.PURE_OUTPUT_OUTPUTS)


def test_bad_input():
    with pytest.raises(ValueError, match=r"weights.shape\[0\] is 3 but inputs.shape\[0\] is 2"):
        pure.weighted_sum([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a number, got str"):
        pure.weighted_sum([1.0, "2"], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"weights\[0\] must be finite"):
        pure.weighted_sum([1.0], [float("nan")])
    with pytest.raises(ValueError, match="inputs must not be empty"):
        pure.weighted_sum([], [])
    with pytest.raises(ValueError, match="at least one node"):
        pure.layer_outputs([[1.0]], [])


def test_layer_outputs_checks_every_number_once_and_every_length():
    with pytest.raises(TypeError, match=r"rows\[1\]\[0\] must be a number, got str"):
        pure.layer_outputs([[1.0, 2.0], ["3", 4.0]], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"node_weights\[0\]\[1\] must be finite"):
        pure.layer_outputs([[1.0, 2.0]], [[1.0, float("inf")]])
    with pytest.raises(ValueError, match=r"node_weights.shape\[1\] is 3 but rows.shape\[1\] is 2"):
        pure.layer_outputs([[1.0, 2.0]], [[1.0, 2.0, 3.0]])


def test_weighted_sum_never_truncates_even_unchecked():
    """Inside handbp.unchecked() the lengths are not checked first, and zip(strict=True)
    still refuses a weight list of another length instead of silently dropping inputs."""
    from handbp import unchecked

    with unchecked(), pytest.raises(ValueError, match="zip"):
        pure.weighted_sum([1.0, 2.0], [1.0])
