"""handbp.training.loop: train's blocks, held-out curves, stopping on real runs, fixed
points, divergence, progress reports and bad input, on both engines where they matter."""

import numpy as np
import pytest

from handbp import data, losses, network, training
from handbp.training import (
    EarlyStopping,
    EveryEpoch,
    Plateau,
    SimpleEngine,
    TargetAccuracy,
    TargetMSE,
    TrainingDiverged,
)
from handbp.training import loop as training_loop


def test_held_out_curves_are_the_feedforward_of_every_epochs_weights(split, engine, block_epochs):
    block_epochs(16)  # several blocks
    W1, W2 = network.initial_weights(10)
    catalogue = SimpleEngine(split.train.X, split.train.Y, network.Weights(W1, W2), 0.1, 50)
    catalogue.run(50)
    result = training.train(
        split.train.X, split.train.Y, W1, W2, 0.1, 50, test=split.test, engine=engine
    )
    expected = [
        network.feedforward(split.test.X, W1, W2).output_layer_outputs
        for W1, W2 in zip(catalogue.W1[:50], catalogue.W2[:50], strict=True)
    ]
    np.testing.assert_allclose(
        result.history.test.mse, [losses.mse(o, split.test.Y) for o in expected], rtol=1e-13
    )
    np.testing.assert_array_equal(
        result.history.test.accuracy, [losses.accuracy(o, split.test.Y) for o in expected]
    )


def test_history_arrays_grow_past_their_first_size(split, engine, monkeypatch, block_epochs):
    """Long runs start with short history arrays and double them: same curves."""
    args = (split.train.X, split.train.Y, *network.initial_weights(10), 0.1, 300)
    whole = training.train(*args, test=split.test).history
    monkeypatch.setattr(training_loop, "_INITIAL_EPOCHS", 10)
    block_epochs(7)
    grown = training.train(*args, test=split.test, engine=engine).history
    np.testing.assert_array_equal(grown.train.mse, whole.train.mse)
    np.testing.assert_array_equal(grown.test.accuracy, whole.test.accuracy)


# --- Stopping rules on real runs ---------------------------------------------------------------


@pytest.fixture(scope="module")
def free_run(split):
    """Run 1's setting for 3000 epochs with no rule: the curves the rules are judged on."""
    W1, W2 = network.initial_weights(10)
    return training.train(split.train.X, split.train.Y, W1, W2, 0.1, 3000)


def stopped_run(split, engine, rules, epochs=3000):
    W1, W2 = network.initial_weights(10)
    return training.train(
        split.train.X, split.train.Y, W1, W2, 0.1, epochs, stopping=rules, engine=engine
    )


def assert_stopped_run_is_the_free_runs_prefix(stopped, free, epoch, weights_epoch):
    history = stopped.history
    assert history.stop.epoch == epoch and history.epochs == epoch + 1
    assert history.stop.weights_epoch == weights_epoch
    np.testing.assert_array_equal(history.train.mse, free.history.train.mse[: epoch + 1])


@pytest.mark.parametrize("block", [training.BLOCK_EPOCHS, 7])
def test_target_mse_stops_a_real_run_at_the_first_epoch_it_is_reached(
    split, free_run, engine, block, block_epochs
):
    block_epochs(block)
    target = 0.1
    expected = next(e for e, m in enumerate(free_run.history.train.mse.tolist()) if m <= target)
    stopped = stopped_run(split, engine, [TargetMSE(target)])
    assert stopped.history.stop.rule == "target_mse"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free_run, expected, expected)
    # the weights returned are those of that epoch: the ones whose MSE met the target
    shorter = stopped_run(split, engine, [], epochs=expected)
    np.testing.assert_array_equal(stopped.weights.W1, shorter.weights.W1)
    assert training.evaluate(split.train.X, split.train.Y, *stopped.weights).mse <= target


def test_target_accuracy_stops_a_real_run_when_reached_and_only_then(split, free_run):
    accuracy = free_run.history.train.accuracy.tolist()
    expected = next(e for e, a in enumerate(accuracy) if a >= 0.9)
    stopped = stopped_run(split, training.FastEngine, [TargetAccuracy(0.9)])
    assert stopped.history.stop.rule == "target_accuracy"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free_run, expected, expected)
    unreachable = stopped_run(split, training.FastEngine, [TargetAccuracy(1.0)])
    assert max(accuracy) < 1.0 and unreachable.history.stop.rule == "epochs"
    assert unreachable.history.epochs == 3000


def test_plateau_stops_a_real_run_where_plain_python_finds_the_plateau(split, free_run):
    mse = free_run.history.train.mse.tolist()
    window, tolerance = 100, 0.01
    expected = next(
        e
        for e in range(window, len(mse))
        if (mse[e - window] - mse[e]) / mse[e - window] < tolerance
    )
    stopped = stopped_run(split, training.FastEngine, [Plateau(window, tolerance)])
    assert stopped.history.stop.rule == "plateau"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free_run, expected, expected)


def test_early_stopping_restores_the_best_weights_of_a_real_run(split, engine):
    """eta = 5 on 110 flowers overshoots: the validation MSE reaches its low and rises."""
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
    stopped = training.train(
        *args, validation=held.test, stopping=[EarlyStopping(patience)], engine=engine
    )
    assert stopped.history.stop.rule == "early_stopping"
    assert_stopped_run_is_the_free_runs_prefix(stopped, free, expected, best)
    at_best = training.train(*args[:5], best)
    np.testing.assert_array_equal(stopped.weights.W1, at_best.weights.W1)
    np.testing.assert_array_equal(stopped.weights.W2, at_best.weights.W2)
    assert free.history.validation.mse[expected] > free.history.validation.mse[best]


def test_a_per_epoch_check_stops_a_real_run_where_a_plain_loop_finds_it(
    split, free_run, engine, block_epochs
):
    """A user's function: stop once the accuracy is 0.9 and the MSE fell 40% from epoch 0."""
    block_epochs(50)
    seen = []

    def good_enough(record):
        seen.append(record.epoch)
        if record.accuracy >= 0.9 and record.mse <= 0.6 * record.curves.mse[0]:
            return f"accuracy {record.accuracy:.3f}"
        return None

    mse, accuracy = free_run.history.train.mse, free_run.history.train.accuracy
    expected = next(e for e in range(3000) if accuracy[e] >= 0.9 and mse[e] <= 0.6 * mse[0])
    stopped = stopped_run(split, engine, [good_enough])
    assert stopped.history.stop.rule == "check"
    assert stopped.history.stop.message.startswith(
        f"the check good_enough stopped training at epoch {expected}: accuracy 0."
    )
    assert_stopped_run_is_the_free_runs_prefix(stopped, free_run, expected, expected)
    assert seen == list(range(expected + 1))  # every epoch once, in order, none after
    assert expected > 50  # the check ran over several blocks


def test_a_check_and_a_rule_combine_and_the_earliest_wins(split, free_run):
    mse = free_run.history.train.mse.tolist()
    at = {t: next(e for e, m in enumerate(mse) if m <= t) for t in (0.12, 0.1)}
    watching = EveryEpoch(lambda r: "low" if r.mse <= 0.12 else None)
    stopped = stopped_run(split, training.FastEngine, [TargetMSE(0.1), watching])
    assert stopped.history.stop.epoch == at[0.12] < at[0.1]
    assert stopped.history.stop.rule == "check"
    stopped = stopped_run(split, training.FastEngine, [TargetMSE(0.1), TargetMSE(0.12)])
    assert stopped.history.stop.epoch == at[0.12] and "0.12" in stopped.history.stop.message


def test_a_fixed_point_stops_training_and_is_one(split, engine):
    """eta = 1e5 saturates every sigmoid in one step; the gradient is then exactly 0."""
    W1, W2 = network.initial_weights(10)
    result = training.train(split.train.X, split.train.Y, W1, W2, 1e5, 500, engine=engine)
    stop = result.history.stop
    assert stop.rule == "fixed_point" and stop.epoch < 10
    assert "too large" in stop.message
    step = network.gradient_descent_iteration(split.train.X, split.train.Y, *result.weights, 1e5)
    np.testing.assert_array_equal(step.after.W1, result.weights.W1)
    np.testing.assert_array_equal(step.after.W2, result.weights.W2)


def test_the_epochs_asked_for_all_run_when_no_rule_fires(free_run):
    assert free_run.history.stop.rule == "epochs"
    assert (free_run.history.epochs, free_run.history.stop.weights_epoch) == (3000, 3000)


# --- Divergence on real runs ---------------------------------------------------------------------


def test_a_runaway_mse_raises_naming_the_epoch(engine):
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
        training.train(flowers.X, flowers.Y, *fitted.weights, 1e4, 200, engine=engine)
    error = caught.value
    mse = error.history.train.mse
    assert error.kind == "runaway" and error.history.epochs == error.epoch + 1
    assert mse[error.epoch] > 20 * mse[: error.epoch].min()
    assert all(mse[e] <= 20 * mse[:e].min() for e in range(1, error.epoch))


def test_weights_that_overflow_raise_at_once(split, engine):
    """W2 at the float64 limit: the first update overflows it to infinity."""
    limit = np.finfo(np.float64).max
    W1 = np.zeros((4, 2))
    W2 = np.array([[limit] * 3, [-limit] * 3])
    with pytest.raises(TrainingDiverged, match=r"diverged at epoch 0.*NaN or infinite") as caught:
        training.train(split.train.X, split.train.Y, W1, W2, 1e300, 100, engine=engine)
    assert caught.value.kind == "non-finite" and caught.value.epoch == 0


# --- Progress reports -----------------------------------------------------------------------------


def test_progress_is_reported_after_every_block_with_the_recorded_figures(split, block_epochs):
    block_epochs(40)
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
        ({"stopping": ["plateau"]}, TypeError, "stopping.0. must be a StoppingRule.*'plateau'"),
        ({"stopping": [TargetMSE]}, TypeError, r"an instance is needed, e.g. TargetMSE\(...\)"),
        ({"stopping": [EarlyStopping()]}, ValueError, "no validation data"),
        (
            {"stopping": [EveryEpoch(print, "validation")]},
            ValueError,
            "EveryEpoch watches the validation curves",
        ),
        ({"test": (np.zeros((3, 5)), np.eye(3))}, ValueError, "test data must have 4 features"),
        ({"test": (np.zeros((3, 4)), np.ones((3, 3)))}, ValueError, "one-hot"),
        ({"test": (np.zeros((3, 4), np.float32), np.eye(3, dtype=np.float32))}, TypeError, "dtype"),
        ({"validation": np.zeros((3, 4))}, TypeError, "Dataset or a pair"),
        ({"engine": "fast"}, TypeError, "engine must be an Engine class.*'fast'"),
        (
            {
                "engine": SimpleEngine(
                    np.eye(1), np.eye(1), network.Weights(np.eye(1), np.eye(1)), 0.1, 1
                )
            },
            TypeError,
            "engine must be an Engine class",
        ),
    ],
)
def test_train_refuses_bad_input(split, change, error, message):
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


def test_a_check_that_returns_neither_none_nor_a_reason_is_refused(split):
    def learning(record):
        return record.mse > 0  # a bool, where a reason (str) or None is expected

    W1, W2 = network.initial_weights(10)
    with pytest.raises(TypeError, match=r"check learning must return None .* got True at epoch 0"):
        training.train(split.train.X, split.train.Y, W1, W2, 0.1, 5, stopping=[learning])
