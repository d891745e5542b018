"""handbp.scalar: parts 9-12 one weight at a time agree with the matrix form."""

import numpy as np
import pytest
from hypothesis import given, settings

from handbp import network, scalar
from tests.handbp.strategies import nets


def tolerance(dtype) -> dict:
    return {"rtol": 1e-10, "atol": 1e-13} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-6}


@settings(max_examples=40)
@given(nets(max_examples=6, max_width=4))
def test_scalar_forms_equal_matrix_forms(net):
    """Every entry of O_in, W2_update and W1_update from the explicit sums equals the matrix form."""
    forward = network.feedforward(net.X, net.W1, net.W2)
    backward = network.backpropagation(net.X, net.Y, net.W2, forward)
    H_out, O_out = forward.hidden_layer_outputs, forward.output_layer_outputs
    tol = tolerance(net.X.dtype)
    E, J, K, n_in = net.X.shape[0], net.W2.shape[0], net.W2.shape[1], net.X.shape[1]
    for e in range(E):
        for k in range(K):
            np.testing.assert_allclose(
                scalar.output_node_input(H_out, net.W2, e, k),
                forward.output_layer_inputs[e, k],
                **tol,
            )
            np.testing.assert_allclose(
                scalar.dmse_do_out(O_out, net.Y, e, k) * net.Y.size,
                backward.output_layer_error[e, k],
                **tol,
            )
    for j in range(J):
        for k in range(K):
            value = scalar.dmse_dw2_scalar(H_out, O_out, net.Y, j, k)
            assert value.dtype == net.X.dtype
            np.testing.assert_allclose(value, backward.weights_2_update[j, k], **tol)
    for i in range(n_in):
        for j in range(J):
            value = scalar.dmse_dw1_scalar(net.X, H_out, O_out, net.Y, net.W2, i, j)
            np.testing.assert_allclose(value, backward.weights_1_update[i, j], **tol)


def test_three_factors_by_hand():
    """Part 10's factors for one example and weight, worked out by hand."""
    H_out = np.array([[0.2, 0.6]])
    O_out = np.array([[0.75, 0.5]])
    Y = np.array([[1.0, 0.0]])
    assert scalar.dmse_do_out(O_out, Y, 0, 0) == pytest.approx(-0.25 / 2)  # N = 2
    assert scalar.do_out_do_in(O_out, 0, 0) == pytest.approx(0.1875)
    assert scalar.do_in_dw2(H_out, 0, 1) == pytest.approx(0.6)
    # dMSE/dw2[1,0] = -0.125 * 0.1875 * 0.6
    assert scalar.dmse_dw2_scalar(H_out, O_out, Y, 1, 0) == pytest.approx(-0.0140625)
    W2 = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert scalar.output_node_input(H_out, W2, 0, 1) == pytest.approx(0.2 * 2 + 0.6 * 4)


def test_scalar_forms_refuse_bad_indices_and_shapes():
    H_out = np.full((2, 3), 0.5)
    O_out = np.full((2, 2), 0.5)
    Y = np.eye(2)
    with pytest.raises(ValueError, match=r"k must be in 0..1 \(output nodes\), got 2"):
        scalar.dmse_do_out(O_out, Y, 0, 2)
    with pytest.raises(TypeError, match="j must be an integer index"):
        scalar.dmse_dw2_scalar(H_out, O_out, Y, 0.5, 0)
    with pytest.raises(
        ValueError, match=r"O_out.shape\[0\] is 2 but H_out.shape\[0\] is 1.*examples"
    ):
        scalar.dmse_dw2_scalar(H_out[:1], O_out, Y, 0, 0)
    with pytest.raises(
        ValueError,
        match=r"W2.shape\[1\] is 2 but O_out.shape\[1\] is 2|W2.shape\[0\] is 2 but H_out.shape\[1\] is 3",
    ):
        scalar.dmse_dw1_scalar(np.ones((2, 4)), H_out, O_out, Y, np.ones((2, 2)), 0, 0)
    with pytest.raises(
        ValueError, match=r"W2.shape\[0\] is 2 but H_out.shape\[1\] is 3.*hidden nodes"
    ):
        scalar.output_node_input(H_out, np.ones((2, 2)), 0, 0)
