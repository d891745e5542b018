"""FitSetup, the digits presets, run_fit, and a net's weights on disk."""

import dataclasses
import json

import numpy as np
import pytest

from handbp import training
from handbp.nn import Net


@pytest.mark.parametrize("name", list(training.FIT_PRESETS))
def test_every_preset_runs_and_writes_its_folder(name, tmp_path):
    setup = dataclasses.replace(training.FIT_PRESETS[name].setup, epochs=2)
    run = training.run_fit(setup)
    assert set(run.final) == {"train", "validation", "test"}
    assert len(run.split.test) == 359 and len(run.held.test) + len(run.held.train) == 1438
    paths = training.write_fit_run(tmp_path, setup, run.fitted.history, name, run)
    assert [p.name for p in paths] == list(training.FIT_FILES)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["net"] == setup.sizes and summary["classes"] == list("0123456789")
    _, accuracy, confusion = run.final["test"]
    assert summary["final"]["test"]["confusion_matrix"] == confusion.tolist()
    assert confusion.sum() == 359 and np.trace(confusion) == round(accuracy * 359)


def test_the_instructive_presets_show_what_they_say():
    too_fast = training.run_fit(training.FIT_PRESETS["digits-sgd-too-fast"].setup)
    assert {f.kind for f in too_fast.fitted.history.diagnosis.findings} >= {
        "dead_relu",
        "exploding_gradient",
        "stalled",
    }
    deep = dataclasses.replace(training.FIT_PRESETS["digits-deep-sigmoid"].setup, epochs=3)
    findings = training.run_fit(deep).fitted.history.diagnosis.findings
    assert "vanishing_gradient" in {f.kind for f in findings}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"data": "mnist"}, "unknown data set 'mnist'; expected one of iris, digits"),
        ({"widths": (4, 8, 3)}, "the net 4-8-3 does not fit the digits data: it needs 64"),
        ({"widths": (64, 32, 3)}, "and 10 outputs"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"epochs": -1}, "epochs must be at least 1"),
        ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
        ({"mu": 1.0}, r"mu \(momentum\) must be in \[0, 1\)"),
        ({"beta1": -0.1}, "beta1"),
        ({"decay": -1.0}, "decay"),
        ({"eta": 0.0}, "eta"),
        ({"activation": "softplus"}, "activation"),
        ({"test_fraction": 1.0}, r"test_fraction must be in \(0, 1\)"),
    ],
)
def test_a_setup_that_cannot_run_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        training.FitSetup(**changes)


def test_a_net_round_trips_through_its_file(tmp_path):
    net = Net((64, 8, 8, 10), ("tanh", "relu", "softmax"), "cross_entropy")
    params = net.init(5)
    training.save_net(tmp_path / "w.npz", net, params, {"data": "digits", "seed": 5})
    assert training.is_net_file(tmp_path / "w.npz")
    loaded = training.load_net(tmp_path / "w.npz")
    assert loaded.net == net and loaded.metadata == {"data": "digits", "seed": 5}
    for a, b in zip(
        [*loaded.params.weights, *loaded.params.biases],
        [*params.weights, *params.biases],
        strict=True,
    ):
        assert np.array_equal(a, b)


def test_a_broken_net_file_is_refused(tmp_path):
    net = Net((64, 8, 10), ("relu", "softmax"), "cross_entropy")
    params = net.init(0)
    arrays = {"W1": params.weights[0], "W2": params.weights[1][:4], "b1": params.biases[0]}
    arrays |= {"b2": params.biases[1], "widths": "64-8-10", "activations": "relu,softmax"}
    np.savez(tmp_path / "short.npz", **arrays, loss="cross_entropy", biases=1)
    with pytest.raises(ValueError, match=r"short\.npz"):
        training.load_net(tmp_path / "short.npz")
    np.savez(tmp_path / "spec.npz", **{**arrays, "widths": "64-eight-10"}, loss="mse", biases=1)
    with pytest.raises(ValueError, match="its net spec is not a net"):
        training.load_net(tmp_path / "spec.npz")
    assert not training.is_net_file(tmp_path / "missing.npz")
    np.save(tmp_path / "single.npy", params.weights[0])
    assert not training.is_net_file(tmp_path / "single.npy")
