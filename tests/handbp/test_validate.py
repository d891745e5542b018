"""handbp._validate: the shared input checks and the switch that turns them off."""

import numpy as np
import pytest

from handbp import network
from handbp._validate import as_float_array, checks_enabled, unchecked


def test_python_numbers_and_lists_become_float64():
    assert as_float_array(3, "x").dtype == np.float64
    assert as_float_array([[1, 2], [3, 4]], "x").dtype == np.float64


@pytest.mark.parametrize(
    "value, kind",
    [
        (np.array([1, 2]), TypeError),
        (np.array([True]), TypeError),
        (True, TypeError),
        ("1.0", TypeError),
        (["1.0"], TypeError),
        ([[1.0], [2.0, 3.0]], TypeError),
        (np.array([1 + 2j]), TypeError),
        (np.array([1.0], dtype=np.float16), TypeError),
        ([], ValueError),
        ([float("inf")], ValueError),
    ],
)
def test_refused_values_name_the_argument(value, kind):
    with pytest.raises(kind, match="my_arg"):
        as_float_array(value, "my_arg")


def test_unchecked_switches_checks_off_and_back_on():
    X = np.ones((2, 3))
    with unchecked():
        assert not checks_enabled()
        # a mismatched product now fails in NumPy itself, not in handbp's check
        with pytest.raises(ValueError, match="matmul"):
            network.hidden_layer_inputs(X, np.ones((2, 2)))
    assert checks_enabled()
    with pytest.raises(ValueError, match="X @ W1 needs"):
        network.hidden_layer_inputs(X, np.ones((2, 2)))
