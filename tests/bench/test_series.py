"""bench.series: every NumPy and JAX implementation of the series' run computes the same thing.

PyTorch is not a test dependency; the benchmark run itself checks its weights and stops if
they differ (bench.run.run_training).
"""

import dataclasses

import numpy as np
import pytest

from bench import jax_series, series
from handbp import losses, network
from tests.handbp import reference

TRAINERS = {
    "notebook": series.notebook_train,
    "tuned NumPy": series.tuned_numpy_train,
    "handbp.training": series.handbp_train,
    "handbp functions": series.handbp_functions_train,
    "handbp functions, unchecked": series.handbp_functions_unchecked_train,
    "JAX step": jax_series.jax_step_train,
    "JAX scan": jax_series.jax_scan_train,
}

GRADIENTS = {
    "notebook": series.notebook_gradients,
    "handbp": series.handbp_gradients,
    "handbp unchecked": series.handbp_unchecked_gradients,
    "JAX": jax_series.jax_gradients,
}


@pytest.fixture(scope="module")
def run():
    return series.series_run(epochs=40)


@pytest.fixture(scope="module")
def trained(run):
    return {name: train(run) for name, train in TRAINERS.items()}


def test_series_run_is_part_14s_first_run(run):
    """130 training flowers of 4 features, one-hot labels of 3 species, 4-2-3 weights, eta 0.1."""
    assert run.X.shape == (130, 4) and run.Y.shape == (130, 3)
    np.testing.assert_array_equal(run.Y.sum(axis=1), np.ones(130))
    assert run.W1.shape == (4, 2) and run.W2.shape == (2, 3)
    assert run.eta == 0.1 and series.EPOCHS == 15000


@pytest.mark.parametrize("name", TRAINERS)
def test_each_trainer_takes_handbps_part_13_step_first(run, name):
    """One epoch of any implementation = handbp's gradient_descent_iteration (part 13)."""
    one_epoch = TRAINERS[name](dataclasses.replace(run, epochs=1))
    step = network.gradient_descent_iteration(run.X, run.Y, run.W1, run.W2, run.eta)
    np.testing.assert_allclose(one_epoch.W1, step.after.W1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(one_epoch.W2, step.after.W2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(one_epoch.mse, [step.mse_before], rtol=1e-12)


@pytest.mark.parametrize("name", TRAINERS)
def test_each_trainer_ends_on_the_notebooks_weights_and_curves(trained, name):
    series.assert_same_training(trained["notebook"], trained[name], name)
    assert trained[name].mse.shape == trained[name].accuracy.shape == (40,)


def test_curves_are_recorded_before_each_update(run, trained):
    """Epoch e's MSE and accuracy come from the weights after e updates."""
    after_three = series.notebook_train(dataclasses.replace(run, epochs=3))
    O_out = reference.forward(
        *(reference.to_lists(a) for a in (run.X, after_three.W1, after_three.W2))
    )["O_out"]
    for name, result in trained.items():
        np.testing.assert_allclose(
            result.mse[3], reference.mse(O_out, reference.to_lists(run.Y)), rtol=1e-12, err_msg=name
        )
        np.testing.assert_allclose(
            result.accuracy[3], losses.accuracy(np.array(O_out), run.Y), err_msg=name
        )


def test_training_lowers_the_mse(trained):
    curve = trained["notebook"].mse
    assert np.all(np.diff(curve) < 0)


def test_trainers_leave_the_initial_weights_alone(run):
    W1, W2 = run.W1.copy(), run.W2.copy()
    for train in TRAINERS.values():
        train(dataclasses.replace(run, epochs=2))
    np.testing.assert_array_equal(run.W1, W1)
    np.testing.assert_array_equal(run.W2, W2)


@pytest.mark.parametrize("field", ["W1", "W2", "mse", "accuracy"])
def test_assert_same_training_catches_a_difference(trained, field):
    notebook = trained["notebook"]
    changed = getattr(notebook, field).copy()
    changed.flat[-1] += 1e-6 if field != "accuracy" else 1 / 130
    with pytest.raises(AssertionError, match=field if field != "accuracy" else "accuracy"):
        series.assert_same_training(
            notebook, dataclasses.replace(notebook, **{field: changed}), "x"
        )


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_equal_plain_pythons(run, name):
    """One backward pass of each implementation = dMSE/dW worked out one weight at a time."""
    gradients = GRADIENTS[name](run.X, run.Y, run.W1, run.W2)
    dW1, dW2 = reference.gradients(*(reference.to_lists(a) for a in (run.X, run.Y, run.W1, run.W2)))
    np.testing.assert_allclose(gradients.W1, dW1, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(gradients.W2, dW2, rtol=1e-10, atol=1e-15)


def test_assert_same_gradients_catches_a_difference(run):
    gradients = series.notebook_gradients(run.X, run.Y, run.W1, run.W2)
    wrong = series.Gradients(gradients.W1, 2 * gradients.W2)
    with pytest.raises(AssertionError, match="W2"):
        series.assert_same_gradients(gradients, wrong, "x")


@pytest.mark.parametrize("chunk", [1, 7, 8, 40, 41])
def test_tuned_numpy_monitors_every_epoch_whatever_the_chunk(run, trained, chunk):
    """Curves computed in chunks of epochs (full chunks, a remainder, or one partial chunk)."""
    result = series.tuned_numpy_train(run, chunk=chunk)
    series.assert_same_training(trained["notebook"], result, f"chunk {chunk}")
