"""verify.precision: a value right only to float32 rounding is told from a real mistake."""

import numpy as np

from verify.diagnose import worst_elements_message
from verify.precision import float32_account
from verify.structure import named_constant


def _values(shape=(5, 4), seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def test_a_float32_result_is_said_as_such():
    right = _values()
    words = float32_account(right.astype(np.float32).astype(np.float64), right)
    assert words is not None
    assert "float32 precision" in words and "every entry of your result is a float32" in words


def test_float32_rounding_inside_a_float64_result_is_said():
    right = _values()
    rounded = right * (1 + 1e-7 * _values(seed=1))  # a float32 factor's rounding
    words = float32_account(rounded, right)
    assert words is not None and "float32 rounding inside" in words


def test_a_real_mistake_an_exact_value_another_shape_or_nan_are_not_precision():
    right = _values()
    assert float32_account(right * (1 + 1e-3), right) is None  # a small, real mistake
    assert float32_account(right.copy(), right) is None
    assert float32_account(right.T, right) is None
    bad = right.copy()
    bad[0, 0] = np.nan
    assert float32_account(bad, right) is None


def test_ratio_one_is_not_called_a_wrong_constant():
    right = _values()
    message = worst_elements_message(right * (1 + 1e-12), right)
    assert "constant factor" not in message


def test_a_constant_that_is_two_names_says_both():
    mistake, words = named_constant(
        2.0, [(1.0, "", ""), (2.0, "factor_2", "twice"), (2.0, "examples_instead_of_N", "by e")]
    )
    assert mistake == "factor_2" and words == "twice; or by e"
