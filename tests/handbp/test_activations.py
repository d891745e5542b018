"""handbp.activations: step function (part 2), sigmoid and its derivative (part 8)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from handbp.activations import sigmoid, sigmoid_derivative, step_function
from tests.handbp import reference


def test_step_function_threshold_two_by_hand():
    z = np.array([-1.0, 1.99, 2.0, 2.01, 7.0])
    np.testing.assert_array_equal(step_function(z), [0.0, 0.0, 1.0, 1.0, 1.0])


def test_step_function_configurable_threshold_and_dtype():
    z = np.array([[0.0, 0.5], [-0.1, 1.0]], dtype=np.float32)
    out = step_function(z, threshold=0.5)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0.0, 1.0], [0.0, 1.0]])


@pytest.mark.parametrize("x, expected", [(0.0, 0.5), (math.log(3.0), 0.75), (-math.log(3.0), 0.25)])
def test_sigmoid_known_values(x, expected):
    np.testing.assert_allclose(sigmoid(x), expected, rtol=1e-15)


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-700, 700)))
def test_sigmoid_matches_plain_python_float64(x):
    expected = [reference.sigmoid(v) for v in x]
    np.testing.assert_allclose(sigmoid(x), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_extremes_are_finite_accurate_and_warning_free(dtype):
    # warnings are errors in this suite, so an overflow in exp would fail here
    x = np.array([-1e3, -500.0, -80.0, -20.0, 0.0, 20.0, 80.0, 500.0, 1e3], dtype=dtype)
    s = sigmoid(x)
    assert s.dtype == dtype
    assert np.all(np.isfinite(s))
    assert np.all((s >= 0) & (s <= 1))
    expected = np.array([reference.sigmoid(float(v)) for v in x])
    tiny = np.finfo(dtype).smallest_normal
    np.testing.assert_allclose(s, expected.astype(dtype), rtol=4 * np.finfo(dtype).eps, atol=tiny)
    assert s[0] == 0 and s[-1] == 1  # e^-1000 is below the smallest subnormal in both dtypes


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_symmetry(dtype):
    x = np.linspace(-30, 30, 61, dtype=dtype)
    np.testing.assert_allclose(sigmoid(x) + sigmoid(-x), 1.0, rtol=2 * np.finfo(dtype).eps)


def test_sigmoid_derivative_takes_the_output():
    s = np.array([0.5, 0.25, 0.9])
    np.testing.assert_allclose(sigmoid_derivative(s), [0.25, 0.1875, 0.09])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_derivative_takes_every_output_the_sigmoid_gives_its_ends_included(dtype):
    """Saturated outputs round to exactly 0 and 1: in range, with derivative 0."""
    s = sigmoid(np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 1e4], dtype=dtype))
    assert s.min() == 0 and s.max() == 1
    derivative = sigmoid_derivative(s)
    assert derivative.dtype == dtype and derivative[0] == derivative[-1] == 0


@given(st.floats(-30, 30))
def test_sigmoid_derivative_equals_the_closed_form(x):
    """d/dx 1/(1 + e^-x) = e^-x / (1 + e^-x)^2, written with |x| (the function is even).

    From the output, 1 - s loses relative digits when s is near 1; the absolute error
    stays at the level of the float64 epsilon.
    """
    e = math.exp(-abs(x))
    expected = e / (1 + e) ** 2
    np.testing.assert_allclose(sigmoid_derivative(sigmoid(x)), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("function", [sigmoid, sigmoid_derivative, step_function])
def test_bad_inputs_raise(function):
    with pytest.raises(TypeError, match="float32 or float64"):
        function(np.array([1, 2]))
    with pytest.raises(ValueError, match="finite"):
        function(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="empty"):
        function(np.array([]))
    with pytest.raises(TypeError, match="number"):
        function("0.5")
