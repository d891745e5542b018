"""handbp.training.rules: each stopping rule, a user's per-epoch check and the divergence
check, on constructed histories (the real runs are in test_loop.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbp.training import (
    Curves,
    Divergence,
    EarlyStopping,
    EpochRecord,
    EveryEpoch,
    Plateau,
    TargetAccuracy,
    TargetMSE,
)
from handbp.training.rules import stopping_rule


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


# --- A user's per-epoch check ------------------------------------------------------------------


def test_a_check_sees_each_epoch_from_start_with_the_curves_so_far():
    history = curves([0.5, 0.4, 0.3, 0.2], [0.1, 0.5, 0.7, 0.9])
    records = []

    def never(record):
        records.append(record)
        return None

    assert EveryEpoch(never).first_stop(history, start=1) is None
    assert [r.epoch for r in records] == [1, 2, 3]
    assert records[1][:3] == (2, 0.3, 0.7) and isinstance(records[1], EpochRecord)
    assert records[1].curves.mse.tolist() == [0.5, 0.4, 0.3]
    assert records[2].curves.accuracy.tolist() == [0.1, 0.5, 0.7, 0.9]


def test_a_check_stops_at_the_first_epoch_it_gives_a_reason_for():
    history = curves([0.5, 0.4, 0.3, 0.2], [0.1, 0.5, 0.7, 0.9])

    def three_quarters(record):
        return f"{record.accuracy:.0%} right" if record.accuracy >= 0.7 else None

    rule = EveryEpoch(three_quarters)
    assert rule.first_stop(history) == 2
    assert rule.weights_epoch(history, 2) == 2
    assert (
        rule.message(history, 2)
        == "the check three_quarters stopped training at epoch 2: 70% right"
    )
    assert rule.first_stop(history, start=3) == 3 and rule.name == "check"


def test_a_check_cannot_change_the_recorded_curves():
    history = curves([0.5, 0.4])

    def vandal(record):
        record.curves.mse[0] = 0.0

    with pytest.raises(ValueError, match="read-only"):
        EveryEpoch(vandal).first_stop(history)
    assert history.mse.tolist() == [0.5, 0.4]


def test_a_function_becomes_a_check_and_a_rule_stays_itself():
    def check(record):
        return None

    assert stopping_rule(check, 0) == EveryEpoch(check)
    rule = TargetMSE(0.1)
    assert stopping_rule(rule, 3) is rule
    with pytest.raises(TypeError, match=r"stopping\[3\] must be a StoppingRule.*got 0.1"):
        stopping_rule(0.1, 3)


# --- Divergence --------------------------------------------------------------------------------


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
        (lambda: EveryEpoch("stop"), "EveryEpoch.check must be a function"),
        (lambda: EveryEpoch(TargetMSE), "EveryEpoch.check must be a function"),
        (lambda: EveryEpoch(print, watch="test"), "EveryEpoch.watch must be one of"),
        (lambda: Divergence(runaway=1.0), "greater than 1"),
    ],
)
def test_rules_refuse_bad_settings(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()
