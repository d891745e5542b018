"""handbp.training.presets: the series' runs, their setup, and running one."""

import re
from pathlib import Path

import numpy as np
import pytest

from handbp import training
from tests.handbp import series
from tests.handbp.series import Printed, assert_printed, assert_read


@pytest.fixture(scope="module")
def series_runs():
    """Every preset of part 14 trained once (about 56 000 epochs in all, under a second)."""
    return {name: training.run_setup(preset.setup) for name, preset in training.PRESETS.items()}


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


def test_part_14s_test_accuracies_are_the_series(series_runs):
    """Part 14, the series' training notebook: "Accuracy: 0.95" on the 20 test flowers
    after run 1's 15000 epochs, "Accuracy: 0.9" after run 2's with 6 hidden nodes."""
    for name, printed in series.TEST_ACCURACY.items():
        run = series_runs[name]
        assert run.final["test"].examples == 20
        assert_printed(run.final["test"].accuracy, printed)


def _first(where: np.ndarray) -> int:
    return int(np.flatnonzero(where)[0])


# Each feature of a training curve the series' plots show, from the recorded MSE and
# accuracy of every epoch (each epoch's feedforward, before its update, as the series).
CURVE_FEATURES = {
    "mse at the start": lambda mse, acc: mse[0],
    "mse at the end": lambda mse, acc: mse[-1],
    **{f"mse at epoch {n}": lambda mse, acc, n=n: mse[n] for n in (200, 400, 600, 800)},
    "accuracy at the start": lambda mse, acc: acc[0],
    "accuracy at the end": lambda mse, acc: acc[-1],
    "epoch the accuracy first moves": lambda mse, acc: _first(~np.isclose(acc, acc[0])),
    "highest accuracy": lambda mse, acc: acc.max(),
    "epoch of the highest accuracy": lambda mse, acc: int(acc.argmax()),
    "lowest accuracy after it": lambda mse, acc: acc[acc.argmax() :].min(),
    "epoch of that lowest accuracy": lambda mse, acc: int(
        acc.argmax() + acc[acc.argmax() :].argmin()
    ),
    "lowest accuracy": lambda mse, acc: acc.min(),
    "epoch the accuracy reaches 0.97": lambda mse, acc: _first(acc >= 0.97),
    "epoch of its last rise": lambda mse, acc: int(np.flatnonzero(np.diff(acc) > 0)[-1] + 1),
}


def test_part_14s_curves_have_the_shapes_the_series_plotted(series_runs):
    """Part 14's plots, read off: run 1's MSE falls from 0.139 almost in a straight line
    after epoch 200 (0.117, 0.110, 0.105, 0.099 every 200 epochs); its accuracy sits at 43/130 for about 380 epochs,
    climbs to 0.63 near epoch 530, falls back to 0.32 near 690, spikes to 0.99 near 2850
    and ends at 0.97 (10000 epochs) and 0.985 (15000); run 2's 4-2-3 net dips to 0.06 and
    stays at 0.35 with its MSE stuck near 0.111, the 4-6-3 net reaches 0.97 near epoch
    3000 and 0.985 near 8800, its MSE falling to 0.012."""
    assert set(series.CURVES) == set(series_runs)
    for name, readings in series.CURVES.items():
        curves = series_runs[name].training.history.train
        mse, accuracy = np.asarray(curves.mse), np.asarray(curves.accuracy)
        assert mse.shape == accuracy.shape == (training.PRESETS[name].setup.epochs,)
        for feature, reading in readings.items():
            assert_read(CURVE_FEATURES[feature](mse, accuracy), reading)


def test_the_readmes_table_of_the_series_runs_is_what_the_presets_compute(series_runs):
    """README.md's table under `handbp train`: each preset's settings, and its final MSE
    and accuracy (correct of all flowers) on the training and the test set."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    row = re.compile(
        r"^\| `(run[\w-]+)` \| (\d+), (\d+), 4-(\d)-3, (\d+) "
        r"\| ([\d.]+), (\d+)/(\d+) \| ([\d.]+), (\d+)/(\d+) \|$",
        flags=re.M,
    )
    rows = {match[0]: match[1:] for match in row.findall(readme)}
    assert set(rows) == set(training.PRESETS)
    for name, (split_seed, seed, hidden, epochs, *final) in rows.items():
        setup = series_runs[name].setup
        assert (setup.split_seed, setup.weight_seed, setup.n_hidden, setup.epochs) == (
            int(split_seed),
            int(seed),
            int(hidden),
            int(epochs),
        )
        for data_set, (mse, correct, examples) in zip(
            ("train", "test"), (final[:3], final[3:]), strict=True
        ):
            figures = series_runs[name].final[data_set]
            assert_printed(figures.mse, Printed("README.md", f"{name}, {data_set} MSE", mse))
            assert figures.examples == int(examples)
            assert round(figures.accuracy * figures.examples) == int(correct), (name, data_set)
