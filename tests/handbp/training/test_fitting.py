"""fit(): any net of handbp.nn on the digits or Iris, by mini-batches with an optimizer."""

import numpy as np
import pytest

from handbp import data
from handbp.digits import load_digits, stratified_split
from handbp.nn import Net
from handbp.optimizers import Optimizer
from handbp.training import (
    Divergence,
    EarlyStopping,
    TargetAccuracy,
    TrainingDiverged,
    fit,
    history_csv,
)

NET = Net((64, 32, 10), ("relu", "softmax"), "cross_entropy")


@pytest.fixture(scope="module")
def split():
    return stratified_split(load_digits(), 0.2, seed=0)


@pytest.fixture(scope="module")
def adam_run(split):
    return fit(NET, split.train, Optimizer("adam", 0.003), epochs=12, validation=split.test)


def test_adam_learns_the_digits_in_a_few_epochs(adam_run):
    history = adam_run.history
    assert history.epochs == 12 and history.stop.rule == "epochs"
    assert history.validation.accuracy[-1] > 0.92
    assert history.train.mse[-1] < history.train.mse[0] < np.log(10)
    assert history.train.loss == "cross-entropy" and history.loss == "cross_entropy"
    assert history_csv(history).splitlines()[0] == (
        "epoch,train_cross_entropy,train_accuracy,validation_cross_entropy,validation_accuracy"
    )


def test_the_returned_params_give_the_last_recorded_figures(split, adam_run):
    forward = NET.forward(split.test.X, adam_run.params)
    predicted = np.argmax(forward.layer_l_outputs[-1], axis=1)
    accuracy = np.mean(predicted == np.argmax(split.test.Y, axis=1))
    np.testing.assert_allclose(accuracy, adam_run.history.validation.accuracy[-1], rtol=1e-12)
    np.testing.assert_allclose(
        NET.loss_value(split.test.Y, forward), adam_run.history.validation.mse[-1], rtol=1e-10
    )


def test_the_catalogue_engine_gives_the_same_run(split):
    small = (split.train.X[:200], split.train.Y[:200])
    runs = [
        fit(NET, small, Optimizer("momentum", 0.05), epochs=3, batch_size=64, engine=engine)
        for engine in ("fast", "catalogue")
    ]
    for a, b in zip(runs[0].params.weights, runs[1].params.weights, strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(runs[0].history.train.mse, runs[1].history.train.mse)


def test_a_seed_repeats_a_run_and_another_seed_does_not(split):
    small = (split.train.X[:200], split.train.Y[:200])
    a, b, c = (fit(NET, small, epochs=2, seed=seed) for seed in (4, 4, 5))
    assert np.array_equal(a.history.train.mse, b.history.train.mse)
    assert not np.array_equal(a.history.train.mse, c.history.train.mse)


def test_any_net_on_iris():
    split = data.train_test_split(data.load_iris(), 20, seed=4)
    net = Net((4, 8, 3), ("tanh", "softmax"), "cross_entropy")
    result = fit(
        net, split.train, Optimizer("adam", 0.05), batch_size=16, epochs=40, test=split.test
    )
    assert result.history.test.accuracy[-1] >= 0.9


def test_stopping_rules_and_early_stopping_restore(split):
    held = stratified_split(split.train, 0.2, seed=1)
    stopped = fit(NET, held.train, epochs=30, stopping=[TargetAccuracy(0.9)], validation=held.test)
    assert stopped.history.stop.rule == "target_accuracy"
    assert stopped.history.train.accuracy[-1] >= 0.9 > stopped.history.train.accuracy[-2]
    early = fit(
        NET,
        held.train,
        Optimizer("adam", 0.05),
        epochs=40,
        validation=held.test,
        stopping=[EarlyStopping(3)],
    )
    stop = early.history.stop
    assert stop.rule == "early_stopping" and stop.weights_epoch == stop.epoch - 3
    assert "cross-entropy has not improved for 3 epochs" in stop.message
    forward = NET.forward(held.test.X, early.params)
    np.testing.assert_allclose(
        NET.loss_value(held.test.Y, forward), early.history.validation.mse[stop.weights_epoch]
    )


def test_a_diverging_run_raises_with_its_history(split):
    with pytest.raises(
        TrainingDiverged, match="training diverged at epoch 0: the cross-entropy"
    ) as caught:
        fit(NET, split.train, Optimizer("sgd", 1e6), epochs=5)
    history = caught.value.history
    assert history.epochs == 1 and history.stop.rule == "diverged"
    kinds = [finding.kind for finding in history.diagnosis.findings]
    assert kinds[-1] == "runaway"
    net = Net((64, 16, 10), ("relu", "relu"), "mse")
    with pytest.raises(TrainingDiverged, match="the MSE became nan") as caught:
        fit(net, split.train, Optimizer("sgd", 1e300), epochs=3, divergence=Divergence(1e300))
    assert caught.value.history.diagnosis.findings[-1].kind == "non_finite"


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"net": "64-32-10"}, TypeError, "net must be a handbp.nn.Net"),
        ({"net": Net((4, 8, 3), "sigmoid")}, ValueError, "the net 4-8-3 does not fit"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"batch_size": 2000}, ValueError, "batch_size must be at most the 1438"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"epochs": -3}, ValueError, "epochs must be at least 1"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be a handbp.optimizers.Optimizer"),
        ({"engine": "turbo"}, ValueError, "engine must be one of fast, catalogue"),
        ({"validation": [1, 2]}, TypeError, "validation must be a handbp.data.Dataset"),
        ({"stopping": [EarlyStopping(3)]}, ValueError, "no validation data"),
    ],
)
def test_bad_arguments_are_refused_before_training(split, arguments, error, message):
    given = {"net": NET, "data": split.train, **arguments}
    with pytest.raises(error, match=message):
        fit(given.pop("net"), given.pop("data"), **given)


def test_labels_that_do_not_fit_the_loss_are_refused(split):
    not_one_hot = (split.train.X, split.train.Y * 2)
    with pytest.raises(ValueError, match="one-hot"):
        fit(NET, not_one_hot, epochs=1)
