"""handbp.losses: the MSE of part 6 and the accuracy of part 14."""

import numpy as np
import pytest
from hypothesis import given

from handbp.losses import accuracy, mse
from tests.handbp import reference
from tests.handbp.strategies import nets


def test_mse_by_hand():
    O_out = np.array([[0.5, 0.5], [1.0, 0.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    # squared errors 0.25 + 0.25 + 1 + 1 = 2.5; N = 4; MSE = 2.5 / 8
    np.testing.assert_allclose(mse(O_out, Y), 0.3125)


@given(nets())
def test_mse_matches_plain_python(net):
    O_out = net.X[:, :1] * np.ones_like(net.Y)  # any matrix of Y's shape and dtype
    got = mse(O_out, net.Y)
    assert got.dtype == net.Y.dtype
    expected = reference.mse(reference.to_lists(O_out), reference.to_lists(net.Y))
    rtol = 1e-12 if net.Y.dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-30)


def test_accuracy_by_hand():
    Y = np.eye(3)[[0, 1, 2, 2]]
    O_out = np.array([[0.9, 0.1, 0.0], [0.8, 0.1, 0.1], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
    assert accuracy(O_out, Y) == pytest.approx(0.75)


def test_losses_refuse_bad_input():
    Y = np.eye(3)
    with pytest.raises(ValueError, match="shapes do not fit"):
        mse(np.ones((3, 2)), Y)
    with pytest.raises(TypeError, match="dtype"):
        mse(np.ones((3, 3), dtype=np.float32), Y)
    with pytest.raises(ValueError, match="one-hot"):
        accuracy(np.ones((3, 3)), np.array([[1.0, 1.0, 0.0], [0, 1, 0], [0, 0, 1]]))
    with pytest.raises(ValueError, match="matrix"):
        mse(np.ones(3), np.ones(3))
