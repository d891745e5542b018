"""handbp.training: the loop against the catalogue and the series' notebook, stopping
rules (on constructed histories and on real runs), divergence, presets, saving weights.

Where a test compares with ``assert_array_equal``, it compares two computations that must
perform the same floating-point operations (the same code run twice, or the in-place loop
against the catalogue's functions it claims to reproduce operation for operation):
bit-identity is then the property under test. Everything else uses tolerances.
"""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbp import data, losses, network, training, unchecked
from handbp.training import (
    Curves,
    Divergence,
    EarlyStopping,
    Plateau,
    TargetAccuracy,
    TargetMSE,
    TrainingDiverged,
)
from tests.handbp import reference
from tests.handbp.strategies import nets

# --- Two independent loops to compare with ---------------------------------------------------


def notebook_loop(X, Y, W1, W2, eta, epochs):
    """The series' part-14 notebook: np.dot, 1/(1+exp(-x)), monitoring lists, no handbp."""
    weights_1, weights_2, N = W1, W2, Y.size
    mses, accuracies = [], []
    for _ in range(epochs):
        hidden_layer_outputs = 1 / (1 + np.exp(-np.dot(X, weights_1)))
        output_layer_outputs = 1 / (1 + np.exp(-np.dot(hidden_layer_outputs, weights_2)))
        mses.append(((output_layer_outputs - Y) ** 2).sum() / (2 * N))
        accuracies.append((output_layer_outputs.argmax(axis=1) == Y.argmax(axis=1)).mean())
        output_layer_error = output_layer_outputs - Y
        output_layer_delta = output_layer_error * output_layer_outputs * (1 - output_layer_outputs)
        hidden_layer_error = np.dot(output_layer_delta, weights_2.T)
        hidden_layer_delta = hidden_layer_error * hidden_layer_outputs * (1 - hidden_layer_outputs)
        weights_2 = weights_2 - eta * np.dot(hidden_layer_outputs.T, output_layer_delta) / N
        weights_1 = weights_1 - eta * np.dot(X.T, hidden_layer_delta) / N
    return weights_1, weights_2, np.array(mses), np.array(accuracies)


def catalogue_loop(X, Y, W1, W2, eta, epochs):
    """The loop written with the catalogue's functions, keeping every epoch's weights."""
    weights, mses, accuracies = [network.Weights(W1, W2)], [], []
    with unchecked():
        for _ in range(epochs):
            W1, W2 = weights[-1]
            forward = network.feedforward(X, W1, W2)
            mses.append(losses.mse(forward.output_layer_outputs, Y))
            accuracies.append(losses.accuracy(forward.output_layer_outputs, Y))
            backward = network.backpropagation(X, Y, W2, forward)
            weights.append(
                network.weights_update(
                    W1, W2, backward.weights_1_update, backward.weights_2_update, eta
                )
            )
    return weights, np.array(mses, dtype=np.float64), np.array(accuracies)


def series_split(seed=4):
    return data.train_test_split(data.load_iris("uci"), 20, seed=seed)


# --- The loop computes the catalogue's equations ------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    net=nets(max_examples=7, max_width=5),
    eta=st.sampled_from([0.01, 0.1, 1.0, 5.0]),
    epochs=st.integers(1, 30),
    block=st.integers(1, 8),
)
def test_each_epoch_is_the_catalogues_bit_for_bit(net, eta, epochs, block):
    """Any net, dtype, learning rate and block length: every recorded MSE and accuracy and
    the final weights are exactly those of network.feedforward, losses.mse/accuracy,
    network.backpropagation and network.weights_update (the in-place loop performs the
    same floating-point operations in the same order)."""
    weights, mses, accuracies = catalogue_loop(net.X, net.Y, net.W1, net.W2, eta, epochs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "BLOCK_EPOCHS", block)
        result = training.train(net.X, net.Y, net.W1, net.W2, eta, epochs)
    history = result.history
    if history.stop.rule == "fixed_point":  # saturated: the rest would repeat this epoch
        epochs = history.epochs
        np.testing.assert_array_equal(weights[epochs][0], weights[epochs - 1][0])
    np.testing.assert_array_equal(history.train.mse, mses[:epochs])
    np.testing.assert_array_equal(history.train.accuracy, accuracies[:epochs])
    np.testing.assert_array_equal(result.weights.W1, weights[history.stop.weights_epoch].W1)
    np.testing.assert_array_equal(result.weights.W2, weights[history.stop.weights_epoch].W2)
    assert result.weights.W1.dtype == net.X.dtype


def test_held_out_curves_are_the_feedforward_of_every_epochs_weights(monkeypatch):
    monkeypatch.setattr(training, "BLOCK_EPOCHS", 16)  # several blocks
    split = series_split()
    W1, W2 = network.initial_weights(10)
    weights, _, _ = catalogue_loop(split.train.X, split.train.Y, W1, W2, 0.1, 50)
    history = training.train(split.train.X, split.train.Y, W1, W2, 0.1, 50, test=split.test)
    expected = [network.feedforward(split.test.X, *w).output_layer_outputs for w in weights[:50]]
    np.testing.assert_allclose(
        history.history.test.mse,
        [losses.mse(o, split.test.Y) for o in expected],
        rtol=1e-13,
    )
    np.testing.assert_array_equal(
        history.history.test.accuracy, [losses.accuracy(o, split.test.Y) for o in expected]
    )


def test_first_epoch_mse_is_the_plain_python_reference():
    split = series_split()
    W1, W2 = network.initial_weights(10)
    history = training.train(split.train.X, split.train.Y, W1, W2, 0.1, 1).history
    O_out = reference.forward(
        reference.to_lists(split.train.X), reference.to_lists(W1), reference.to_lists(W2)
    )["O_out"]
    assert history.train.mse[0] == pytest.approx(
        reference.mse(O_out, reference.to_lists(split.train.Y)), rel=1e-12
    )


def test_agrees_with_the_series_notebook_loop():
    split = series_split()
    W1, W2 = network.initial_weights(10)
    nb_W1, nb_W2, nb_mse, nb_accuracy = notebook_loop(
        split.train.X, split.train.Y, W1, W2, 0.1, 2000
    )
    result = training.train(split.train.X, split.train.Y, W1, W2, 0.1, 2000)
    np.testing.assert_allclose(result.history.train.mse, nb_mse, rtol=1e-11)
    np.testing.assert_array_equal(result.history.train.accuracy, nb_accuracy)
    np.testing.assert_allclose(result.weights.W1, nb_W1, rtol=1e-10)
    np.testing.assert_allclose(result.weights.W2, nb_W2, rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(training.PRESETS))
def test_every_preset_agrees_with_the_notebook_loop(name):
    setup = training.PRESETS[name].setup
    run = training.run_setup(setup)
    X, Y = run.split.train.X, run.split.train.Y
    nb_W1, nb_W2, nb_mse, _ = notebook_loop(X, Y, *run.initial, setup.eta, setup.epochs)
    np.testing.assert_allclose(run.training.history.train.mse, nb_mse, rtol=1e-9)
    np.testing.assert_allclose(run.training.weights.W1, nb_W1, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(run.training.weights.W2, nb_W2, rtol=1e-8, atol=1e-12)
    # the final figures: the notebook's feedforward of the test flowers
    O_out = 1 / (1 + np.exp(-np.dot(1 / (1 + np.exp(-np.dot(run.split.test.X, nb_W1))), nb_W2)))
    predicted = O_out.argmax(axis=1) == run.split.test.Y.argmax(axis=1)
    assert run.final["test"].accuracy == pytest.approx(predicted.mean())


# --- Reproducibility and the presets ---------------------------------------------------------


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
    run = training.run_setup(training.Setup(split_seed=7, weight_seed=3, epochs=5))
    permutation = np.random.RandomState(7).permutation(150)
    np.testing.assert_array_equal(run.split.test_rows, permutation[:20])
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(run.initial.W1, rng.normal(scale=0.5, size=(4, 2)))
    np.testing.assert_array_equal(run.initial.W2, rng.normal(scale=0.5, size=(2, 3)))
    assert set(run.final) == {"train", "test"}
    assert run.final["train"].examples == 130


def test_a_validation_split_comes_out_of_the_training_set():
    run = training.run_setup(training.Setup(epochs=5, validation_size=30))
    assert run.validation is not None and len(run.validation) == 30
    assert len(run.train_data) == 100 and run.final["validation"].examples == 30
    assert run.training.history.validation is not None

    def rows(*arrays):  # the rows as a sorted multiset (Iris has duplicate flowers)
        return sorted(map(tuple, np.concatenate(arrays).tolist()))

    assert rows(run.train_data.X, run.validation.X) == rows(run.split.train.X)
    assert run.final["train"].examples == 100


# --- Stopping rules on constructed histories ------------------------------------------------


def curves(mse, accuracy=None):
    mse = np.array(mse, dtype=np.float64)
    accuracy = np.zeros_like(mse) if accuracy is None else np.array(accuracy, dtype=np.float64)
    return Curves(mse, accuracy)


def test_target_mse_fires_at_the_first_epoch_at_or_below_it():
    history = curves([0.5, 0.3, 0.2, 0.1, 0.05, 0.2])
    assert TargetMSE(0.1).first_stop(history) == 3  # equal counts
    assert TargetMSE(0.25).first_stop(history) == 2
    assert TargetMSE(0.1).first_stop(history, start=4) == 4
    assert TargetMSE(0.04).first_stop(history) is None
    assert "0.1" in TargetMSE(0.1).message(history, 3)


def test_target_accuracy_fires_at_the_first_epoch_at_or_above_it():
    history = curves([0.1] * 5, [0.3, 0.6, 0.9, 0.8, 1.0])
    assert TargetAccuracy(0.9).first_stop(history) == 2
    assert TargetAccuracy(0.95).first_stop(history) == 4
    assert TargetAccuracy(0.9).first_stop(history, start=3) == 4
    assert TargetAccuracy(1.0).first_stop(curves([0.1] * 3, [0.3, 0.6, 0.99])) is None


def test_plateau_fires_when_the_relative_improvement_over_the_window_is_small():
    # relative improvements over one epoch: 0.5, 0.5, 0.2, 0.005, 0.0005...
    history = curves([1.0, 0.5, 0.25, 0.2, 0.199, 0.1989])
    assert Plateau(window=1, tolerance=0.01).first_stop(history) == 4
    assert Plateau(window=1, tolerance=0.3).first_stop(history) == 3
    assert Plateau(window=1, tolerance=0.0001).first_stop(history) is None
    # over two epochs: (0.25-0.199)/0.25 = 0.204 at epoch 4, (0.2-0.1989)/0.2 = 0.0055 at 5
    assert Plateau(window=2, tolerance=0.1).first_stop(history) == 5
    assert Plateau(window=2, tolerance=0.1).first_stop(history, start=5) == 5
    assert Plateau(window=6, tolerance=0.1).first_stop(history) is None  # too short yet


def test_plateau_counts_a_rising_mse_as_no_improvement():
    assert Plateau(window=1, tolerance=1e-6).first_stop(curves([0.3, 0.2, 0.25])) == 2


def test_early_stopping_fires_patience_epochs_after_the_best():
    validation = curves([5, 4, 3, 3.5, 3.2, 3.1, 2.9, 3.0, 3.3, 3.4])
    rule = EarlyStopping(patience=3)
    assert rule.first_stop(validation) == 5  # best at 2, no new low at 3, 4, 5
    assert rule.weights_epoch(validation, 5) == 2
    assert "epoch 2" in rule.message(validation, 5)
    assert EarlyStopping(patience=4).first_stop(validation) is None  # new low at 6
    assert EarlyStopping(patience=3).first_stop(validation, start=6) == 9
    assert EarlyStopping(patience=3).weights_epoch(validation, 9) == 6


def test_early_stopping_does_not_count_a_tie_as_improvement():
    flat = curves([3.0, 2.0, 2.0, 2.0])
    assert EarlyStopping(patience=2).first_stop(flat) == 3
    assert EarlyStopping(patience=2).weights_epoch(flat, 3) == 1


def plain_best_so_far(values):
    best, out = 0, []
    for epoch, value in enumerate(values):
        if value < values[best]:
            best = epoch
        out.append(best)
    return out


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.4]), min_size=1, max_size=30),
    data_=st.data(),
)
def test_early_stopping_tracks_the_best_epoch_like_a_plain_loop(values, data_):
    """From any block start on (ties included, values drawn from four levels)."""
    start = data_.draw(st.integers(0, len(values) - 1))
    expected = plain_best_so_far(values)
    best = EarlyStopping.best_so_far(np.array(values), start)
    assert best.tolist() == expected[start:]
    patience = data_.draw(st.integers(1, 5))
    fires = next((e for e in range(start, len(values)) if e - expected[e] >= patience), None)
    assert EarlyStopping(patience).first_stop(curves(values), start) == fires


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(1e-3, 1.0), min_size=1, max_size=30),
    data_=st.data(),
)
def test_divergence_runaway_is_what_a_plain_loop_finds(values, data_):
    start = data_.draw(st.integers(0, len(values) - 1))
    factor = data_.draw(st.sampled_from([1.5, 2.0, 20.0]))
    fires = next(
        (e for e in range(max(start, 1), len(values)) if values[e] > factor * min(values[:e])),
        None,
    )
    found = Divergence(factor).first(np.array(values), np.ones(len(values), bool), start)
    assert found == (None if fires is None else (fires, "runaway"))


def test_divergence_finds_nan_inf_non_finite_weights_and_runaway():
    guard = Divergence(runaway=20)
    finite = np.ones(5, dtype=bool)
    assert guard.first(np.array([0.2, 0.1, 0.05, 0.9, 0.5]), finite) is None  # 18x: a spike
    assert guard.first(np.array([0.2, 0.1, 0.05, 1.2, 0.5]), finite) == (3, "runaway")
    assert guard.first(np.array([0.2, 0.1, np.nan, 1.2, 0.5]), finite) == (2, "non-finite")
    assert guard.first(np.array([0.2, np.inf, 0.1, 0.1, 0.1]), finite) == (1, "non-finite")
    weights_broke = np.array([True, False, True, True, True])
    assert guard.first(np.full(5, 0.1), weights_broke) == (1, "non-finite")
    assert guard.first(np.array([0.2, 0.1, 0.05, 1.2, 0.5]), finite, start=4) is None
    message = guard.message(np.array([0.2, 0.1, 0.05, 1.2]), 3, "runaway", 2.0)
    assert "epoch 3" in message and "smaller" in message and "eta = 0.2" in message


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: TargetMSE(0), "TargetMSE.mse must be positive"),
        (lambda: TargetMSE(float("nan")), "TargetMSE.mse must be finite"),
        (lambda: TargetAccuracy(1.5), "share between 0 and 1"),
        (lambda: TargetAccuracy(0), "must be positive"),
        (lambda: Plateau(window=0), "Plateau.window must be at least 1"),
        (lambda: Plateau(tolerance=-1e-3), "Plateau.tolerance must be >= 0"),
        (lambda: EarlyStopping(patience=0), "EarlyStopping.patience must be at least 1"),
        (lambda: TargetMSE(0.1, watch="test"), "watch must be one of train, validation"),
        (lambda: Divergence(runaway=1.0), "greater than 1"),
    ],
)
def test_rules_refuse_bad_settings(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


# --- Stopping rules on real runs ---------------------------------------------------------------


@pytest.fixture(scope="module")
def free_run():
    """Run 1's setting for 3000 epochs with no rule: the curves the rules are judged on."""
    split = series_split()
    W1, W2 = network.initial_weights(10)
    return split, training.train(split.train.X, split.train.Y, W1, W2, 0.1, 3000)


def assert_stopped_run_is_the_free_runs_prefix(stopped, free, epoch, weights_epoch):
    history = stopped.history
    assert history.stop.epoch == epoch and history.epochs == epoch + 1
    assert history.stop.weights_epoch == weights_epoch
    np.testing.assert_array_equal(history.train.mse, free.history.train.mse[: epoch + 1])


@pytest.mark.parametrize("block", [training.BLOCK_EPOCHS, 7])
def test_target_mse_stops_a_real_run_at_the_first_epoch_it_is_reached(free_run, block, monkeypatch):
    monkeypatch.setattr(training, "BLOCK_EPOCHS", block)
    split, free = free_run
    target = 0.1
    expected = next(e for e, m in enumerate(free.history.train.mse.tolist()) if m <= target)
    W1, W2 = network.initial_weights(10)
    stopped = training.train(
        split.train.X, split.train.Y, W1, W2, 0.1, 3000, stopping=[TargetMSE(target)]
    )
    assert stopped.history.stop.rule == "target_mse"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free, expected, expected)
    # the weights returned are those of that epoch: the ones whose MSE met the target
    shorter = training.train(split.train.X, split.train.Y, W1, W2, 0.1, expected)
    np.testing.assert_array_equal(stopped.weights.W1, shorter.weights.W1)
    assert training.evaluate(split.train.X, split.train.Y, *stopped.weights).mse <= target


def test_target_accuracy_stops_a_real_run_when_reached_and_only_then(free_run):
    split, free = free_run
    accuracy = free.history.train.accuracy.tolist()
    expected = next(e for e, a in enumerate(accuracy) if a >= 0.9)
    W1, W2 = network.initial_weights(10)
    stopped = training.train(
        split.train.X, split.train.Y, W1, W2, 0.1, 3000, stopping=[TargetAccuracy(0.9)]
    )
    assert stopped.history.stop.rule == "target_accuracy"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free, expected, expected)
    unreachable = training.train(
        split.train.X, split.train.Y, W1, W2, 0.1, 3000, stopping=[TargetAccuracy(1.0)]
    )
    assert max(accuracy) < 1.0 and unreachable.history.stop.rule == "epochs"
    assert unreachable.history.epochs == 3000


def test_plateau_stops_a_real_run_where_plain_python_finds_the_plateau(free_run):
    split, free = free_run
    mse = free.history.train.mse.tolist()
    window, tolerance = 100, 0.01
    expected = next(
        e
        for e in range(window, len(mse))
        if (mse[e - window] - mse[e]) / mse[e - window] < tolerance
    )
    W1, W2 = network.initial_weights(10)
    stopped = training.train(
        split.train.X, split.train.Y, W1, W2, 0.1, 3000, stopping=[Plateau(window, tolerance)]
    )
    assert stopped.history.stop.rule == "plateau"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free, expected, expected)


def test_early_stopping_restores_the_best_weights_of_a_real_run():
    """eta = 5 on 110 flowers overshoots: the validation MSE reaches its low and rises."""
    split = series_split()
    held = data.train_test_split(split.train, 20, seed=4)
    W1, W2 = network.initial_weights(10)
    args = (held.train.X, held.train.Y, W1, W2, 5.0, 3000)
    free = training.train(*args, validation=held.test)
    validation = free.history.validation.mse.tolist()
    patience, best, expected = 200, 0, None
    for epoch in range(1, len(validation)):
        if validation[epoch] < validation[best]:
            best = epoch
        elif epoch - best >= patience:
            expected = epoch
            break
    assert expected is not None
    stopped = training.train(*args, validation=held.test, stopping=[EarlyStopping(patience)])
    assert stopped.history.stop.rule == "early_stopping"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free, expected, best)
    at_best = training.train(*args[:5], best)
    np.testing.assert_array_equal(stopped.weights.W1, at_best.weights.W1)
    np.testing.assert_array_equal(stopped.weights.W2, at_best.weights.W2)
    assert free.history.validation.mse[expected] > free.history.validation.mse[best]


def test_rules_combine_and_the_earliest_wins(free_run):
    split, free = free_run
    W1, W2 = network.initial_weights(10)
    mse = free.history.train.mse.tolist()
    first_below = {t: next(e for e, m in enumerate(mse) if m <= t) for t in (0.12, 0.1)}
    rules = [TargetMSE(0.1), TargetMSE(0.12)]
    stopped = training.train(split.train.X, split.train.Y, W1, W2, 0.1, 3000, stopping=rules)
    assert stopped.history.stop.epoch == first_below[0.12] < first_below[0.1]
    assert "0.12" in stopped.history.stop.message


def test_a_fixed_point_stops_training_and_is_one():
    """eta = 1e5 saturates every sigmoid in one step; the gradient is then exactly 0."""
    split = series_split()
    W1, W2 = network.initial_weights(10)
    result = training.train(split.train.X, split.train.Y, W1, W2, 1e5, 500)
    stop = result.history.stop
    assert stop.rule == "fixed_point" and stop.epoch < 10
    assert "too large" in stop.message
    step = network.gradient_descent_iteration(split.train.X, split.train.Y, *result.weights, 1e5)
    np.testing.assert_array_equal(step.after.W1, result.weights.W1)
    np.testing.assert_array_equal(step.after.W2, result.weights.W2)


def test_the_epochs_asked_for_all_run_when_no_rule_fires(free_run):
    _, free = free_run
    assert free.history.stop.rule == "epochs"
    assert (free.history.epochs, free.history.stop.weights_epoch) == (3000, 3000)


# --- Divergence on real runs ---------------------------------------------------------------------


def test_a_runaway_mse_raises_naming_the_epoch():
    """The three flowers fit by a 4-6-3 net (MSE ~1e-4), then a learning rate of 1e4."""
    flowers = data.three_flowers("uci")
    fitted = training.train(
        flowers.X, flowers.Y, *network.initial_weights(10, n_hidden=6), 10.0, 3000
    )
    low = fitted.history.train.mse[-1]
    assert low < 1e-3
    with pytest.raises(
        TrainingDiverged, match=r"diverged at epoch \d+.*ran away.*smaller"
    ) as caught:
        training.train(flowers.X, flowers.Y, *fitted.weights, 1e4, 200)
    error = caught.value
    mse = error.history.train.mse
    assert error.kind == "runaway" and error.history.epochs == error.epoch + 1
    assert mse[error.epoch] > 20 * mse[: error.epoch].min()
    assert all(mse[e] <= 20 * mse[:e].min() for e in range(1, error.epoch))


def test_weights_that_overflow_raise_at_once():
    """W2 at the float64 limit: the first update overflows it to infinity."""
    split = series_split()
    limit = np.finfo(np.float64).max
    W1 = np.zeros((4, 2))
    W2 = np.array([[limit] * 3, [-limit] * 3])
    with pytest.raises(TrainingDiverged, match=r"diverged at epoch 0.*NaN or infinite") as caught:
        training.train(split.train.X, split.train.Y, W1, W2, 1e300, 100)
    assert caught.value.kind == "non-finite" and caught.value.epoch == 0


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"eta": 0.0}, ValueError, "eta .learning rate. must be positive"),
        ({"eta": -0.1}, ValueError, "must be positive"),
        ({"eta": float("nan")}, ValueError, "must be finite"),
        ({"eta": float("inf")}, ValueError, "must be finite"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"epochs": 2.5}, TypeError, "epochs must be an integer"),
        ({"W2": np.zeros((3, 3))}, ValueError, r"W2.shape\[0\] is 3 but W1.shape\[1\] is 2"),
        ({"W1": np.zeros((4, 2), dtype=np.float32)}, TypeError, "one float dtype"),
        ({"stopping": ["plateau"]}, TypeError, "stopping.0. must be a StoppingRule"),
        ({"stopping": [EarlyStopping()]}, ValueError, "no validation data"),
        ({"test": (np.zeros((3, 5)), np.eye(3))}, ValueError, "test data must have 4 features"),
        ({"test": (np.zeros((3, 4)), np.ones((3, 3)))}, ValueError, "one-hot"),
        ({"test": (np.zeros((3, 4), np.float32), np.eye(3, dtype=np.float32))}, TypeError, "dtype"),
        ({"validation": np.zeros((3, 4))}, TypeError, "Dataset or a pair"),
    ],
)
def test_train_refuses_bad_input(change, error, message):
    split = series_split()
    W1, W2 = network.initial_weights(10)
    arguments = {
        "X": split.train.X,
        "Y": split.train.Y,
        "W1": W1,
        "W2": W2,
        "eta": 0.1,
        "epochs": 5,
    }
    arguments.update(change)
    with pytest.raises(error, match=message):
        training.train(**arguments)


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
        ({"split_seed": -1}, "split_seed must be an integer >= 0"),
    ],
)
def test_setup_refuses_bad_settings(change, message):
    with pytest.raises((ValueError, TypeError), match=message):
        training.Setup(**change)


def test_history_arrays_grow_past_their_first_size(monkeypatch):
    """Long runs start with short history arrays and double them: same curves."""
    split = series_split()
    args = (split.train.X, split.train.Y, *network.initial_weights(10), 0.1, 300)
    whole = training.train(*args, test=split.test).history
    monkeypatch.setattr(training, "_INITIAL_EPOCHS", 10)
    monkeypatch.setattr(training, "BLOCK_EPOCHS", 7)
    grown = training.train(*args, test=split.test).history
    np.testing.assert_array_equal(grown.train.mse, whole.train.mse)
    np.testing.assert_array_equal(grown.test.accuracy, whole.test.accuracy)


# --- Progress reports -------------------------------------------------------------------------------


def test_progress_is_reported_after_every_block_with_the_recorded_figures(monkeypatch):
    monkeypatch.setattr(training, "BLOCK_EPOCHS", 40)
    split = series_split()
    reports = []
    result = training.train(
        split.train.X,
        split.train.Y,
        *network.initial_weights(10),
        0.1,
        100,
        progress=reports.append,
    )
    assert [r.epoch for r in reports] == [40, 80, 100]
    assert all(r.epochs == 100 for r in reports)
    history = result.history
    assert [r.mse for r in reports] == [history.train.mse[e - 1] for e in (40, 80, 100)]
    assert reports[-1].accuracy == history.train.accuracy[-1]


# --- Judging weights ----------------------------------------------------------------------------------


def test_confusion_matrix_counts_true_against_predicted_species():
    Y = np.eye(3)[[0, 0, 1, 1, 2, 2, 2]]
    O_out = np.eye(3)[[0, 1, 1, 1, 2, 0, 2]] * 0.8 + 0.1
    expected = [[0] * 3 for _ in range(3)]
    for true, predicted in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 2), (2, 0), (2, 2)]:
        expected[true][predicted] += 1
    np.testing.assert_array_equal(training.confusion_matrix(O_out, Y), expected)
    with pytest.raises(ValueError, match="one shape"):
        training.confusion_matrix(O_out[:, :2], Y)


def test_evaluate_reports_the_plain_python_mse_and_the_accuracy():
    split = series_split()
    W1, W2 = network.initial_weights(10)
    figures = training.evaluate(split.test.X, split.test.Y, W1, W2)
    lists = reference.forward(
        reference.to_lists(split.test.X), reference.to_lists(W1), reference.to_lists(W2)
    )
    assert figures.mse == pytest.approx(
        reference.mse(lists["O_out"], reference.to_lists(split.test.Y)), rel=1e-12
    )
    predicted = [max(range(3), key=row.__getitem__) for row in lists["O_out"]]
    truth = split.test.Y.argmax(axis=1).tolist()
    assert figures.accuracy == pytest.approx(
        sum(p == t for p, t in zip(predicted, truth, strict=True)) / 20
    )
    assert figures.confusion.sum() == figures.examples == 20


# --- Saving and loading weights -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_saved_weights_load_back_exactly(tmp_path, dtype):
    weights = network.initial_weights(3, n_hidden=6, dtype=dtype)
    path = tmp_path / "weights.npz"
    training.save_weights(path, weights, {"split_seed": 7, "eta": 0.1, "variant": "uci"})
    loaded = training.load_weights(path)
    np.testing.assert_array_equal(loaded.weights.W1, weights.W1)
    np.testing.assert_array_equal(loaded.weights.W2, weights.W2)
    assert loaded.weights.W1.dtype == dtype
    assert loaded.metadata == {"split_seed": 7, "eta": 0.1, "variant": "uci"}


def write_npz(path, **arrays):
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return path


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"W1": np.zeros((4, 2))}, "lacks W2"),
        ({"W1": np.zeros(4), "W2": np.zeros((2, 3))}, "W1 in weights file .* must be a matrix"),
        (
            {"W1": np.zeros((4, 2)), "W2": np.zeros((3, 3))},
            "W1's columns .hidden nodes. must match",
        ),
        ({"W1": np.full((4, 2), np.nan), "W2": np.zeros((2, 3))}, "must be finite"),
        ({"W1": np.zeros((4, 2), int), "W2": np.zeros((2, 3), int)}, "float32 or float64"),
        ({"W1": np.zeros((4, 2), np.float32), "W2": np.zeros((2, 3))}, "one dtype"),
        ({"W1": np.zeros((4, 2)), "W2": np.zeros((2, 3)), "note": np.zeros(3)}, "must be a scalar"),
    ],
)
def test_bad_weight_files_are_refused_clearly(tmp_path, arrays, message):
    path = write_npz(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=message):
        training.load_weights(path)


def test_weight_files_needing_pickle_or_not_npz_are_refused(tmp_path):
    pickled = tmp_path / "pickled.npz"
    with open(pickled, "wb") as file:
        np.savez(file, W1=np.array([{"a": 1}], dtype=object), W2=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="only pickle can read"):
        training.load_weights(pickled)
    text = tmp_path / "weights.npz"
    text.write_text("not an archive")
    with pytest.raises(ValueError, match="cannot read weights file"):
        training.load_weights(text)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"single \.npy array"):
        training.load_weights(single)
    with pytest.raises(ValueError, match="cannot read"):
        training.load_weights(tmp_path / "missing.npz")


# --- The output directory -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_run():
    return training.run_setup(
        training.Setup(epochs=300, validation_size=20), stopping=[EarlyStopping(50)]
    )


def test_write_run_writes_every_file_and_they_read_back(tmp_path, short_run):
    paths = training.write_run(tmp_path / "out", short_run, "short")
    assert [p.name for p in paths] == list(training.OUTPUT_FILES)
    history = short_run.training.history
    rows = (tmp_path / "out" / "history.csv").read_text().splitlines()
    assert (
        rows[0]
        == "epoch,train_mse,train_accuracy,validation_mse,validation_accuracy,test_mse,test_accuracy"
    )
    assert len(rows) == history.epochs + 1
    table = np.loadtxt(tmp_path / "out" / "history.csv", delimiter=",", skiprows=1, ndmin=2)
    np.testing.assert_array_equal(table[:, 1], history.train.mse)  # shortest round-trip digits
    np.testing.assert_array_equal(table[:, 6], history.test.accuracy)
    loaded = training.load_weights(tmp_path / "out" / "weights.npz")
    np.testing.assert_array_equal(loaded.weights.W1, short_run.training.weights.W1)
    assert loaded.metadata["validation_size"] == 20 and loaded.metadata["name"] == "short"
    for image in ("mse.png", "accuracy.png"):
        assert (tmp_path / "out" / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging directory left


def test_write_run_leaves_nothing_half_written(tmp_path, short_run, monkeypatch):
    from handbp import plots

    def broken(figure, path):
        raise OSError("disk full")

    monkeypatch.setattr(plots, "save_figure", broken)
    with pytest.raises(OSError, match="disk full"):
        training.write_run(tmp_path / "out", short_run, "short")
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "kept"
    existing.mkdir()
    (existing / "history.csv").write_text("old")
    with pytest.raises(OSError, match="disk full"):
        training.write_run(existing, short_run, "short")
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]
    assert (existing / "history.csv").read_text() == "old"


def test_write_run_replaces_its_files_in_an_existing_directory(tmp_path, short_run):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "history.csv").write_text("old")
    training.write_run(tmp_path, short_run, "short")
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "history.csv").read_text().startswith("epoch,")
    file = tmp_path / "a-file"
    file.write_text("")
    with pytest.raises(ValueError, match="is not a directory"):
        training.write_run(file, short_run, "short")


def test_importing_training_does_not_import_matplotlib():
    code = "import sys, handbp.training; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
