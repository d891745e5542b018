"""handbp.initialisation: Glorot and He draws have their variance, are seeded, keep dtype."""

from __future__ import annotations

import numpy as np
import pytest

from handbp.initialisation import glorot_uniform, he_normal


@pytest.mark.parametrize("fan_in, fan_out", [(64, 256), (300, 100)])
def test_the_variance_of_each_scheme(fan_in, fan_out):
    """Sample variances within 5 standard errors of 2/(m + n) (Glorot) and 2/m (He)."""
    glorot, he = glorot_uniform(fan_in, fan_out, 1), he_normal(fan_in, fan_out, 1)
    size = fan_in * fan_out
    for draw, variance, kurtosis in [(glorot, 2 / (fan_in + fan_out), 1.8), (he, 2 / fan_in, 3.0)]:
        standard_error = variance * np.sqrt((kurtosis - 1) / size)
        assert abs(draw.var() - variance) < 5 * standard_error
    assert np.abs(glorot).max() <= np.sqrt(6 / (fan_in + fan_out))


def test_seeded_and_typed():
    assert np.array_equal(he_normal(3, 4, 7), he_normal(3, 4, 7))
    assert not np.array_equal(he_normal(3, 4, 7), he_normal(3, 4, 8))
    assert glorot_uniform(3, 4, 0, np.float32).dtype == np.float32
    rng = np.random.default_rng(0)
    assert he_normal(2, 2, rng).shape == (2, 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="fan_in must be at least 1"):
        glorot_uniform(0, 3)
    with pytest.raises(TypeError, match="fan_out must be an integer"):
        he_normal(3, 2.0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        he_normal(3, 2, "x")
