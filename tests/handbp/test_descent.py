"""handbp.descent: the derivative example (part 6), gradient descent (part 7), chain rule (part 8)."""

import math

import numpy as np
import pytest

from handbp import descent
from tests.handbp import series
from tests.handbp.series import assert_printed, assert_read


def test_square_and_its_derivative():
    np.testing.assert_allclose(descent.square(np.array([-3.0, 0.5])), [9.0, 0.25])
    np.testing.assert_allclose(descent.square_derivative(5.0), 10.0)


def test_descent_path_by_hand():
    """eta = 0.2 on x^2: x <- x - 0.2 * 2x = 0.6 x, so x_n = 5 * 0.6^n."""
    path = descent.descent_path(5.0, 0.2, 10)
    assert path.shape == (11,)
    np.testing.assert_allclose(path, [5.0 * 0.6**n for n in range(11)], rtol=1e-14)


@pytest.mark.parametrize(
    "eta, steps, factor",
    [(0.002, 1000, 0.996), (0.9, 10, -0.8), (1.1, 3, -1.2)],
)
def test_learning_rate_experiments_follow_the_factor(eta, steps, factor):
    """Each step multiplies x by (1 - 2 eta): shrinks slowly, oscillates, or diverges."""
    path = descent.descent_path(5.0, eta, steps)
    np.testing.assert_allclose(path, [5.0 * factor**n for n in range(steps + 1)], rtol=1e-9)


def test_series_experiments_are_the_four_learning_rates():
    runs = descent.learning_rate_experiments()
    assert sorted({run.eta for run in runs}) == [0.002, 0.2, 0.9, 1.1]
    assert [(run.eta, run.steps) for run in runs if run.eta == 0.002] == [
        (0.002, 10),
        (0.002, 100),
        (0.002, 1000),
    ]
    last = {(run.eta, run.steps): abs(run.path[-1]) for run in runs}
    # after 10 steps: too small barely moved, overshooting got there more slowly than ideal
    assert 5.0 > last[0.002, 10] > last[0.9, 10] > last[0.2, 10]
    assert last[1.1, 3] > 5.0  # diverges


def test_part_7_pictures_end_where_the_series_annotated_them():
    """Part 7, the series' learning-rate pictures: "Value of x at the last step" from
    x = 5 is 0.03 (eta 0.2, 10 steps), 4.8, 3.35 and 0.09 (eta 0.002, 10, 100 and 1000
    steps), 0.54 (eta 0.9, 10 steps) and -8.64 (eta 1.1, 3 steps), to 2 decimals; and
    x after the first steps and f(x) at the last as the plots show them."""
    runs = {(run.eta, run.steps): run for run in descent.learning_rate_experiments()}
    assert set(runs) == set(series.LAST_X) == set(series.LAST_F)
    for key, printed in series.LAST_X.items():
        np.testing.assert_allclose(runs[key].path[0], 5.0, rtol=0)
        assert_printed(runs[key].path[-1], printed)
        assert_read(descent.square(runs[key].path[-1]), series.LAST_F[key])
    for key, readings in series.X_PATH.items():
        for x, reading in zip(runs[key].path[1:], readings, strict=False):
            assert_read(x, reading)
    # too small a rate: f falls slowly and almost in a straight line (within 2 % of its
    # drop of the straight line from its first to its last value)
    f = descent.square(runs[0.002, 10].path)
    line = np.linspace(f[0], f[-1], f.size)
    assert np.max(np.abs(f - line)) < 0.02 * (f[0] - f[-1])


def test_chain_rule_multiplies_the_links():
    """z = sin(y), y = x^2: dz/dx = cos(x^2) * 2x."""
    x = 0.7
    got = descent.chain_rule(math.cos(x**2), descent.square_derivative(x))
    np.testing.assert_allclose(got, math.cos(x**2) * 2 * x)
    np.testing.assert_allclose(descent.chain_rule(2.0, 3.0, 4.0), 24.0)


def test_bad_input():
    with pytest.raises(ValueError, match=r"eta .* must be positive"):
        descent.gradient_descent_step(1.0, 2.0, 0.0)
    with pytest.raises(ValueError, match=r"eta .* must be finite"):
        descent.gradient_descent_step(1.0, 2.0, float("inf"))
    with pytest.raises(ValueError, match="shapes must match"):
        descent.gradient_descent_step(np.ones(2), np.ones(3), 0.1)
    with pytest.raises(ValueError, match="steps must be at least 1"):
        descent.descent_path(5.0, 0.1, 0)
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'first'"):
        descent.chain_rule()
    with pytest.raises(ValueError, match=r"got first of shape \(2,\) and rest\[1\] of shape"):
        descent.chain_rule(np.ones(2), np.ones(2), np.ones(3))


def test_descent_path_defaults_are_part_7s_ideal_case():
    """x0 = 5, eta = 0.2, 10 steps: x <- x - 0.2 * 2x = 0.6 x, so x_n = 5 * 0.6^n."""
    path = descent.descent_path()
    assert path.shape == (11,)
    np.testing.assert_allclose(path, 5.0 * 0.6 ** np.arange(11), rtol=1e-15)


def _first_overflow(x0: float, eta: float, steps: int) -> int:
    """The step at which x <- x - eta * 2x first leaves the float range, in plain Python."""
    x = x0
    for step in range(1, steps + 1):
        x = x - eta * (2 * x)
        if x in (float("inf"), float("-inf")) or x != x:
            return step
    raise AssertionError("no overflow")


@pytest.mark.parametrize("x0", [1e307, [1.0, 1e307]])
def test_a_path_that_overflows_says_at_which_step(x0):
    """Diverging at eta = 1.1 (|x| grows 1.2 times a step) from near the largest float:
    the error names the step where any entry first overflows."""
    expected = _first_overflow(1e307, 1.1, 20)
    with pytest.raises(ValueError, match=rf"overflows float64 at step {expected} of 20:"):
        descent.descent_path(x0, 1.1, 20)
