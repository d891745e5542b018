"""bench.general: the general net's contenders compute what handbp computes.

PyTorch is not a test dependency; the benchmark run checks its step against handbp's and
stops if they differ (bench.run.run_net_step).
"""

import numpy as np
import pytest

from bench import general, series
from handbp import netchecks, nn
from tests.handbp import reference


@pytest.fixture(scope="module")
def small():
    return general.step_problem(5, widths=(4, 6, 3), seed=1)


def test_net_gradients_equal_plain_python():
    run = series.series_run(epochs=1)
    gradients = general.net_gradients(run.X, run.Y, run.W1, run.W2)
    dW1, dW2 = reference.gradients(*(reference.to_lists(a) for a in (run.X, run.Y, run.W1, run.W2)))
    np.testing.assert_allclose(gradients.W1, dW1, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(gradients.W2, dW2, rtol=1e-10, atol=1e-15)


def test_step_problem_has_one_hot_labels_and_nonzero_biases(small):
    assert small.X.shape == (5, 4) and small.Y.shape == (5, 3)
    np.testing.assert_array_equal(small.Y.sum(axis=1), np.ones(5))
    np.testing.assert_array_equal(small.labels, small.Y.argmax(axis=1))
    assert small.net.activations == ("relu", "softmax") and small.net.loss == "cross_entropy"
    assert all(np.all(b != 0) for b in small.params.biases)


def _loss(p, params):
    return float(p.net.loss_value(p.Y, p.net.forward(p.X, params)))


def test_handbp_step_moves_each_parameter_against_its_finite_difference_slope(small):
    """W - eta dC/dW, with dC/dW from central differences of the loss, entry by entry."""
    stepped = general.handbp_step(small)
    arrays = (*small.params.weights, *small.params.biases)
    after = (*stepped.weights, *stepped.biases)
    for position, (array, new) in enumerate(zip(arrays, after, strict=True)):
        for index in np.ndindex(array.shape):
            changed = [a.copy() for a in arrays]
            slopes = []
            for sign in (1, -1):
                changed[position][index] = array[index] + sign * 1e-6
                weights, biases = tuple(changed[:2]), tuple(changed[2:])
                slopes.append(_loss(small, nn.Params(weights, biases)))
            slope = (slopes[0] - slopes[1]) / 2e-6
            np.testing.assert_allclose(new[index], array[index] - small.eta * slope, atol=1e-8)


def test_tuned_step_equals_handbps_and_keeps_stepping_its_own_copy(small):
    step = general.tuned_step(small)
    first = general.handbp_step(small)
    general.assert_same_params(first, step(), "tuned")
    second = general.handbp_step(general.StepProblem(small.net, small.X, small.Y, first, 0.1))
    general.assert_same_params(second, step(), "tuned, second step")
    assert small.params.weights[0] is not step().weights[0]  # p's own parameters untouched
    np.testing.assert_array_equal(
        small.params.weights[0], general.step_problem(5, (4, 6, 3), 1).params.weights[0]
    )


def test_the_unchecked_step_is_the_checked_one_and_runs_without_checks(small, monkeypatch):
    got, expected = general.handbp_unchecked_step(small), general.handbp_step(small)
    for a, b in zip(
        (*got.weights, *got.biases), (*expected.weights, *expected.biases), strict=True
    ):
        assert np.array_equal(a, b)
    monkeypatch.setattr(netchecks, "check", lambda *args: pytest.fail("checked"))
    general.handbp_unchecked_step(small)


def test_tuned_step_is_written_for_one_hidden_layer():
    with pytest.raises(ValueError, match="one hidden layer"):
        general.tuned_step(general.step_problem(2, widths=(3, 4, 4, 2)))


def test_assert_same_params_catches_a_difference(small):
    step = general.handbp_step(small)
    wrong = nn.Params(step.weights, (step.biases[0], step.biases[1] + 1e-6))
    with pytest.raises(AssertionError, match=r"parameter 3 \(b\)"):
        general.assert_same_params(step, wrong, "x")
