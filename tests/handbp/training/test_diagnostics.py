"""Each diagnostic fires on a run that shows its condition, and none on a healthy run."""

import dataclasses

import numpy as np
import pytest

from handbp import training
from handbp.digits import load_digits, stratified_split
from handbp.nn import Net
from handbp.optimizers import Optimizer
from handbp.training import Diagnostics, fit, saturation

RELU_NET = Net((64, 32, 10), ("relu", "softmax"), "cross_entropy")
DEEP_SIGMOID = Net((64, 32, 32, 32, 32, 32, 10), "sigmoid", "mse")


@pytest.fixture(scope="module")
def digits():
    return stratified_split(load_digits(), 0.2, seed=0)


def kinds(history):
    return {(finding.kind, finding.layer) for finding in history.diagnosis.findings}


def series(preset, **changes):
    setup = dataclasses.replace(training.preset(preset).setup, **changes)
    return training.run_setup(setup).training.history


def test_saturation_measures_stuck_outputs_and_dead_nodes():
    sigmoid = np.array([[0.001, 0.5], [0.995, 0.2]])
    tanh = np.array([[-0.999, 0.0], [0.995, 0.3]])
    relu = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    softmax = np.array([[0.999, 0.001]])
    shares = saturation(("sigmoid", "tanh", "relu", "softmax"), (sigmoid, tanh, relu, softmax))
    np.testing.assert_allclose(shares[:3], [0.5, 0.5, 1 / 3])
    assert np.isnan(shares[3])


def test_a_healthy_digits_run_and_the_series_runs_are_not_flagged(digits):
    healthy = fit(RELU_NET, digits.train, Optimizer("adam", 0.003), epochs=10)
    assert healthy.history.diagnosis.findings == ()
    sgd = fit(RELU_NET, digits.train, Optimizer("sgd", 0.1), epochs=10)
    assert sgd.history.diagnosis.findings == ()
    for preset in ("run1-1000", "run2-4-6-3"):
        assert series(preset).diagnosis.findings == ()


def test_the_series_net_with_eta_1000_is_saturated_and_stalls():
    history = series("run1-1000", eta=1000.0)
    assert {("saturated", 1), ("stalled", None)} <= kinds(history)
    saturated = next(f for f in history.diagnosis.findings if f.kind == "saturated")
    assert "layer 1 (sigmoid, 2 nodes) is saturated: 100% of its outputs" in saturated.message
    assert "eta = 100 instead of 1000" in saturated.message
    assert history.diagnosis.saturation[-1, 0] == 1.0


def test_a_huge_learning_rate_kills_the_relus_and_explodes(digits):
    history = fit(RELU_NET, digits.train, Optimizer("sgd", 50.0), epochs=10).history
    found = kinds(history)
    assert {("dead_relu", 1), ("exploding_gradient", 1), ("stalled", None)} <= found
    dead = next(f for f in history.diagnosis.findings if f.kind == "dead_relu")
    assert dead.epoch == 0 and "100% of its nodes are dead" in dead.message
    assert history.diagnosis.saturation[-1, 0] == 1.0
    assert np.all(history.diagnosis.gradient_norm[-1] == 0)  # dead: no gradient at all


def test_a_deep_sigmoid_net_has_vanishing_gradients(digits):
    history = fit(DEEP_SIGMOID, digits.train, Optimizer("sgd", 0.5), epochs=2).history
    vanishing = {layer for kind, layer in kinds(history) if kind == "vanishing_gradient"}
    assert vanishing == {1, 2}  # the lowest layers, furthest from the loss
    norms = history.diagnosis.gradient_norm[0]
    assert norms[0] < 0.01 * norms.max() <= norms[2]


def test_the_same_net_with_relu_has_no_vanishing_gradient(digits):
    net = Net((64, 32, 32, 32, 32, 32, 10), ("relu",) * 5 + ("softmax",), "cross_entropy")
    history = fit(net, digits.train, Optimizer("adam", 0.001), epochs=2).history
    assert history.diagnosis.findings == ()


def test_progress_carries_the_latest_finding(digits):
    seen = []
    fit(RELU_NET, digits.train, Optimizer("sgd", 50.0), epochs=2, progress=seen.append)
    assert seen[0].note.startswith("layer 2 (softmax, 10 nodes): its gradient norm")


def test_summary_lists_the_findings():
    history = series("run1-1000", eta=1000.0)
    summary = history.diagnosis.as_dict()
    assert summary["findings"][0]["kind"] == "saturated"
    assert summary["last_epoch"]["saturated_share"][0] == 1.0


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"saturated": 1.5}, "Diagnostics.saturated must be a share"),
        ({"dead": 0}, "Diagnostics.dead must be positive"),
        ({"exploding": -1}, "Diagnostics.exploding must be positive"),
        ({"stall_window": 0}, "Diagnostics.stall_window must be at least 1"),
    ],
)
def test_bad_thresholds_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        Diagnostics(**arguments)
