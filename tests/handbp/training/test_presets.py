"""handbp.training.presets: the series' runs, their setup, and running one."""

import numpy as np
import pytest

from handbp import training


def test_a_preset_run_twice_gives_identical_arrays():
    first = training.run_setup(training.PRESETS["run1-1000"].setup)
    second = training.run_setup(training.PRESETS["run1-1000"].setup)
    for name, curves in first.training.history.curves().items():
        other = second.training.history.curves()[name]
        np.testing.assert_array_equal(curves.mse, other.mse)
        np.testing.assert_array_equal(curves.accuracy, other.accuracy)
    np.testing.assert_array_equal(first.training.weights.W1, second.training.weights.W1)
    np.testing.assert_array_equal(first.training.weights.W2, second.training.weights.W2)


def test_run_1s_shorter_presets_are_prefixes_of_the_longer_ones():
    """Gradient descent is deterministic: 1000 epochs are the start of 10000."""
    short = training.run_setup(training.PRESETS["run1-1000"].setup).training.history
    long = training.run_setup(training.PRESETS["run1-10000"].setup).training.history
    np.testing.assert_array_equal(short.train.mse, long.train.mse[:1000])
    np.testing.assert_array_equal(short.test.accuracy, long.test.accuracy[:1000])


def test_presets_are_the_series_runs():
    """SERIES.md part 14: run 1 S = 4, seed 10, 4-2-3, 1000/10000/15000 epochs; run 2
    S = 7, seed 3, 15000 epochs, 4-2-3 then 4-6-3; eta 0.1; 20 test flowers; UCI data."""
    expected = {
        "run1-1000": (4, 10, 2, 1000),
        "run1-10000": (4, 10, 2, 10000),
        "run1-15000": (4, 10, 2, 15000),
        "run2-4-2-3": (7, 3, 2, 15000),
        "run2-4-6-3": (7, 3, 6, 15000),
    }
    assert set(training.PRESETS) == set(expected)
    for name, (split_seed, weight_seed, hidden, epochs) in expected.items():
        setup = training.preset(name).setup
        assert (setup.split_seed, setup.weight_seed, setup.n_hidden, setup.epochs) == (
            split_seed,
            weight_seed,
            hidden,
            epochs,
        )
        assert (setup.eta, setup.test_size, setup.variant) == (0.1, 20, "uci")
    with pytest.raises(ValueError, match=r"unknown preset 'run3'.*run1-1000"):
        training.preset("run3")


def test_run_setup_uses_the_series_split_and_weights():
    run = training.run_setup(training.RunSetup(split_seed=7, weight_seed=3, epochs=5))
    permutation = np.random.RandomState(7).permutation(150)
    np.testing.assert_array_equal(run.split.test_rows, permutation[:20])
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(run.initial.W1, rng.normal(scale=0.5, size=(4, 2)))
    np.testing.assert_array_equal(run.initial.W2, rng.normal(scale=0.5, size=(2, 3)))
    assert set(run.final) == {"train", "test"}
    assert run.final["train"].examples == 130


def test_a_validation_split_comes_out_of_the_training_set():
    run = training.run_setup(training.RunSetup(epochs=5, validation_size=30))
    assert run.validation is not None and len(run.validation) == 30
    assert len(run.train_data) == 100 and run.final["validation"].examples == 30
    assert run.training.history.validation is not None

    def rows(*arrays):  # the rows as a sorted multiset (Iris has duplicate flowers)
        return sorted(map(tuple, np.concatenate(arrays).tolist()))

    assert rows(run.train_data.X, run.validation.X) == rows(run.split.train.X)
    assert run.final["train"].examples == 100


def test_run_setup_passes_its_stopping_rules_on():
    def at_epoch_3(record):
        return "enough" if record.epoch == 3 else None

    run = training.run_setup(training.RunSetup(epochs=50), stopping=[at_epoch_3])
    assert (run.training.history.stop.rule, run.training.history.epochs) == ("check", 4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_hidden": 0}, "n_hidden .hidden nodes. must be at least 1"),
        ({"epochs": 0}, "epochs must be at least 1"),
        ({"eta": 0.0}, "must be positive"),
        ({"test_size": 150}, "must leave training flowers"),
        ({"test_size": 130, "validation_size": 20}, "must leave training flowers"),
        ({"variant": "kaggle"}, "unknown data variant"),
        ({"dtype": "int64"}, "float32 or float64"),
        ({"split_seed": -1}, r"split_seed must be in 0\.\.2\*\*32 - 1"),
    ],
)
def test_setup_refuses_bad_settings(change, message):
    with pytest.raises((ValueError, TypeError), match=message):
        training.RunSetup(**change)
