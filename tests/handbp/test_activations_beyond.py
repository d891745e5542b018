"""handbp.activations, chapter 2: tanh, ReLU, leaky ReLU, softmax and their derivatives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from handbp import activations as f

FEW = settings(max_examples=25, deadline=None)
DTYPES = [np.float64, np.float32]


def test_hand_worked_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(f.relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(f.relu_derivative(f.relu(z)), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(f.leaky_relu(z), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(f.leaky_relu_derivative(f.leaky_relu(z)), [0.01, 0.01, 1.0])
    np.testing.assert_allclose(f.tanh_derivative(f.tanh(np.array(0.5))), 1 / np.cosh(0.5) ** 2)
    np.testing.assert_allclose(f.softmax(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]])


def test_the_kink_derivative_is_documented_and_returned():
    """At x = 0 ReLU has no derivative; handbp returns 0 (leaky: the slope)."""
    assert f.relu_derivative(f.relu(np.array([0.0]))).tolist() == [0.0]
    assert f.leaky_relu_derivative(f.leaky_relu(np.array([0.0])), 0.2).tolist() == [0.2]
    assert "kink" in f.relu_derivative.__doc__


def test_softmax_jvp_by_hand_and_against_the_full_jacobian():
    """p = (1/4, 3/4), v = (1, 0): v.p = 1/4, J^T v = p (v - 1/4) = (3/16, -3/16)."""
    P, V = np.array([[0.25, 0.75]]), np.array([[1.0, 0.0]])
    np.testing.assert_allclose(f.softmax_jvp(P, V), [[0.1875, -0.1875]])
    rng = np.random.default_rng(0)
    P = f.softmax(rng.normal(size=(3, 5)))
    V = rng.normal(size=(3, 5))
    for e in range(3):
        jacobian = np.diag(P[e]) - np.outer(P[e], P[e])  # J_kk' = p_k (delta_kk' - p_k')
        np.testing.assert_allclose(f.softmax_jvp(P, V)[e], jacobian.T @ V[e], rtol=1e-12)


@FEW
@given(
    st.sampled_from(DTYPES).flatmap(
        lambda d: arrays(d, (4, 6), elements=st.floats(-30, 30, width=np.dtype(d).itemsize * 8))
    )
)
def test_elementwise_derivatives_match_central_differences(z):
    """Each derivative, from the output, against (f(z + h) - f(z - h)) / 2h away from the kink."""
    z = z.astype(np.float64)
    z = np.where(np.abs(z) < 1e-3, 0.5, z)  # never the kink
    h = 1e-6
    for function, derivative in [
        (f.tanh, f.tanh_derivative),
        (f.relu, f.relu_derivative),
        (f.leaky_relu, f.leaky_relu_derivative),
    ]:
        numeric = (function(z + h) - function(z - h)) / (2 * h)
        np.testing.assert_allclose(derivative(function(z)), numeric, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_finite_and_warning_free_at_logits_of_1e4(dtype):
    """pytest runs with warnings as errors: no overflow, no invalid, no divide."""
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    for result in (
        f.softmax(Z),
        f.sigmoid(Z),
        f.tanh(Z),
        f.relu(Z),
        f.leaky_relu(Z),
        f.softmax_jvp(f.softmax(Z), Z),
    ):
        assert result.dtype == dtype and np.isfinite(result).all()
    np.testing.assert_allclose(f.softmax(Z), [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtype_is_kept(dtype):
    z = np.array([[-1.0, 2.0]], dtype=dtype)
    for function in (f.tanh, f.relu, f.leaky_relu, f.softmax):
        assert function(z).dtype == dtype
    for function, derivative in (
        (f.tanh, f.tanh_derivative),
        (f.relu, f.relu_derivative),
        (f.leaky_relu, f.leaky_relu_derivative),
    ):
        assert derivative(function(z)).dtype == dtype  # from the output, as the net has it


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"slope \(leaky slope\) must be positive"):
        f.leaky_relu(np.ones(2), slope=-0.1)
    with pytest.raises(ValueError, match="Z must be a matrix"):
        f.softmax(np.ones(3))
    with pytest.raises(ValueError, match="shapes do not fit"):
        f.softmax_jvp(np.ones((2, 3)) / 3, np.ones((2, 4)))
    with pytest.raises(ValueError, match="x must be finite"):
        f.relu(np.array([np.nan]))
