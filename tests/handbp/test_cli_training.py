"""`handbp train`, `handbp evaluate`, `handbp descent`: they print and write what they say."""

import io
import json
import re

import numpy as np
import pytest

from handbp import data, training
from handbp.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def printed_figures(out: str) -> dict[str, tuple[float, float, int, int]]:
    """The final-figures table: set -> (MSE, accuracy, correct, flowers)."""
    pattern = r"^(train|validation|test)\s+([\d.]+)\s+([\d.]+)\s+\((\d+)/(\d+) flowers\)$"
    return {
        name: (float(mse), float(accuracy), int(correct), int(total))
        for name, mse, accuracy, correct, total in re.findall(pattern, out, re.MULTILINE)
    }


def printed_confusion(out: str) -> list[list[int]]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("confusion matrix"))
    return [[int(v) for v in line.split()[1:]] for line in lines[start + 2 : start + 5]]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    directory = tmp_path_factory.mktemp("runs") / "run1"
    capture = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", capture)
        status = main(["train", "--preset", "run1-1000", "--output-dir", str(directory)])
    return status, capture.getvalue(), directory


def test_train_prints_the_final_figures_and_writes_every_file(trained):
    status, out, directory = trained
    assert status == 0
    assert out.startswith("run1-1000: run 1 of part 14")
    assert "stopped: ran the 1000 epochs asked for" in out
    assert sorted(p.name for p in directory.iterdir()) == sorted(training.OUTPUT_FILES)
    assert f"wrote {directory}/: {' '.join(training.OUTPUT_FILES)}" in out
    summary = json.loads((directory / "summary.json").read_text())
    figures = printed_figures(out)
    assert set(figures) == {"train", "test"}
    for name, (mse, accuracy, correct, total) in figures.items():
        final = summary["final"][name]
        assert mse == pytest.approx(final["mse"], abs=5e-7)
        assert accuracy == pytest.approx(final["accuracy"], abs=5e-5)
        assert correct == round(final["accuracy"] * total) and total == final["examples"]
    assert printed_confusion(out) == summary["final"]["test"]["confusion_matrix"]
    assert summary["setup"]["epochs"] == 1000 and summary["stop"]["rule"] == "epochs"
    rows = (directory / "history.csv").read_text().splitlines()
    assert len(rows) == 1001 and rows[0].startswith("epoch,train_mse,train_accuracy,test_mse")


def test_the_saved_weights_give_the_printed_figures(trained):
    _, _, directory = trained
    weights, metadata = training.load_weights(directory / "weights.npz")
    assert metadata["split_seed"] == 4 and metadata["variant"] == "uci"
    split = data.train_test_split(data.load_iris("uci"), 20, seed=4)
    test = training.evaluate(split.test.X, split.test.Y, *weights)
    summary = json.loads((directory / "summary.json").read_text())
    assert test.accuracy == summary["final"]["test"]["accuracy"]


def test_evaluate_reports_the_test_split_saved_with_the_weights(trained, capsys):
    _, train_out, directory = trained
    status, out, _ = run(capsys, "evaluate", str(directory / "weights.npz"))
    assert status == 0
    assert "test split S = 4, 20 flowers, uci data (as saved with the weights)" in out
    assert printed_figures(out) == printed_figures(train_out)
    assert printed_confusion(out) == printed_confusion(train_out)


def test_evaluate_with_another_split_says_so(trained, capsys):
    _, _, directory = trained
    status, out, err = run(capsys, "evaluate", str(directory / "weights.npz"), "--split-seed", "7")
    assert status == 0 and "S = 7" in out and "not the split saved with the weights" in out
    saved = data.train_test_split(data.load_iris("uci"), 20, seed=4)
    other = data.train_test_split(data.load_iris("uci"), 20, seed=7)
    seen = int(np.isin(other.test_rows, saved.train_rows).sum())
    assert seen > 0  # so that the label below says something
    assert err == (
        "handbp evaluate: warning: this split differs from the one saved with the weights "
        f"(split_seed 4, test_size 20, variant uci): {seen} of its 20 test flowers were "
        "training flowers\n"
    )
    assert f"test ({seen} trained on) set (20 flowers)" in out
    assert re.search(rf"^test \({seen} trained on\)\s+[\d.]+", out, re.MULTILINE)


def test_train_options_change_the_preset_and_rules_stop_it(tmp_path, capsys):
    output = tmp_path / "custom"
    status, out, _ = run(
        capsys,
        *("train", "--preset", "run1-1000", "--eta", "0.5", "--hidden", "3"),
        *("--target-mse", "0.12", "--output-dir", str(output)),
    )
    assert status == 0
    assert out.splitlines()[0] == (
        "run1-1000-custom: preset run1-1000 with eta 0.5 (preset: 0.1), hidden nodes 3 (preset: 2)"
    )
    assert "stopped: the train MSE reached" in out
    summary = json.loads((output / "summary.json").read_text())
    assert summary["setup"]["eta"] == 0.5 and summary["net"] == "4-3-3"
    assert summary["stop"]["rule"] == "target_mse"
    assert summary["epochs_recorded"] == summary["stop"]["epoch"] + 1 < 1000


def test_early_stopping_holds_out_a_validation_split(tmp_path, capsys):
    status, out, _ = run(
        capsys,
        *("train", "--preset", "run1-1000", "--eta", "5", "--epochs", "3000"),
        *("--early-stopping", "200", "--output-dir", str(tmp_path)),
    )
    assert status == 0
    assert "110 training, 20 validation, 20 test flowers" in out
    assert set(printed_figures(out)) == {"train", "validation", "test"}
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["stop"]["rule"] == "early_stopping"
    assert summary["stop"]["weights_epoch"] < summary["stop"]["epoch"]


def test_list_presets(capsys):
    status, out, _ = run(capsys, "train", "--list-presets")
    assert status == 0
    names = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert names == [*training.PRESETS, *training.FIT_PRESETS]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--eta", "0"], "must be a positive finite number"),
        (["--eta", "-0.1"], "must be a positive finite number"),
        (["--eta", "nan"], "must be a positive finite number"),
        (["--epochs", "0"], "must be at least 1"),
        (["--hidden", "0"], "must be at least 1"),
        (["--target-accuracy", "95"], "share in"),
        (["--preset", "run3"], "invalid choice"),
        (["--seed", "-1"], "a seed must be in"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(tmp_path, capsys, options, message):
    output = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *options, "--output-dir", str(output)])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--test-size", "150"], "must leave training flowers"),
        (["--test-size", "140", "--validation-size", "10"], "must leave training flowers"),
    ],
)
def test_impossible_settings_fail_cleanly(tmp_path, capsys, options, message):
    output = tmp_path / "out"
    status, _, err = run(capsys, "train", *options, "--output-dir", str(output))
    assert status == 2 and err.startswith("handbp train: error:") and message in err
    assert list(tmp_path.iterdir()) == []


def test_an_output_path_that_is_a_file_is_refused(tmp_path, capsys):
    file = tmp_path / "results"
    file.write_text("mine")
    status, out, err = run(capsys, "train", "--epochs", "5", "--output-dir", str(file))
    assert status == 2 and "is not a directory" in err and out == ""
    assert file.read_text() == "mine"


def test_divergence_is_reported_and_nothing_is_written(tmp_path, capsys):
    """eta = 20 makes the MSE spike; with --runaway 1.01 any rise counts as divergence."""
    output = tmp_path / "out"
    status, _, err = run(
        capsys,
        *("train", "--preset", "run1-1000", "--eta", "20", "--runaway", "1.01"),
        *("--output-dir", str(output)),
    )
    assert status == 1
    assert re.search(r"training diverged at epoch \d+: the MSE ran away", err)
    assert "try a smaller one" in err and "nothing was written" in err
    assert not output.exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_redraws_one_line_on_a_terminal(tmp_path, monkeypatch, capsys):
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["train", "--preset", "run1-1000", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    drawn = terminal.getvalue()
    frames = drawn.split("\r")[1:]
    # one frame per block of epochs, and a last one with the figures printed after it
    assert len(frames) == -(-1000 // training.BLOCK_EPOCHS) + 1
    assert frames[-1].startswith("epoch 1000/1000 [" + "#" * 30 + "] MSE ")
    mse, accuracy, _, _ = printed_figures(out)["train"]
    assert f"MSE {mse:.6f}  accuracy {accuracy:.4f}" in frames[-1]
    assert drawn.endswith("\n") and drawn.count("\n") == 1
    epochs = [int(re.match(r"epoch\s+(\d+)/", frame).group(1)) for frame in frames]
    assert epochs == sorted(epochs)
    monkeypatch.setattr("sys.stderr", terminal := FakeTerminal())
    assert main(["train", "--preset", "run1-1000", "--quiet", "--output-dir", str(tmp_path)]) == 0
    assert terminal.getvalue() == ""


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    status, _, err = run(capsys, "train", "--preset", "run1-1000", "--output-dir", str(tmp_path))
    assert status == 0 and err == ""


def test_evaluate_refuses_bad_weight_files(tmp_path, capsys):
    text = tmp_path / "weights.npz"
    text.write_text("hello")
    status, _, err = run(capsys, "evaluate", str(text))
    assert status == 2 and "cannot read weights file" in err
    wide = tmp_path / "wide.npz"
    training.save_weights(wide, training.Weights(np.zeros((5, 2)), np.zeros((2, 3))))
    status, _, err = run(capsys, "evaluate", str(wide))
    assert status == 2 and "5-2-3 net; Iris needs 4 inputs and 3 outputs" in err


def test_descent_prints_where_each_run_ends_and_draws_them(tmp_path, capsys):
    output = tmp_path / "descent.png"
    status, out, _ = run(capsys, "descent", "--output", str(output))
    assert status == 0
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = [line.split() for line in out.splitlines() if re.match(r"^\s+[\d.]+\s+\d+\s", line)]
    assert [(float(r[0]), int(r[1])) for r in rows] == [
        (0.2, 10),
        (0.002, 10),
        (0.002, 100),
        (0.002, 1000),
        (0.9, 10),
        (1.1, 3),
    ]
    for row in rows:
        eta, steps, x = float(row[0]), int(row[1]), 5.0
        for _ in range(steps):  # x <- x - eta * 2x, by hand
            x -= eta * 2 * x
        assert float(row[-2]) == pytest.approx(x, rel=1e-5)
    assert f"wrote {output}" in out
    assert [p.name for p in tmp_path.iterdir()] == ["descent.png"]


def test_evaluate_warns_when_the_weights_record_no_split(trained, tmp_path, capsys):
    _, _, directory = trained
    weights, _ = training.load_weights(directory / "weights.npz")
    bare = tmp_path / "bare.npz"
    training.save_weights(bare, weights)
    status, out, err = run(capsys, "evaluate", str(bare))
    assert status == 0
    assert err == (
        f"handbp evaluate: warning: {bare} does not record the split it was trained with; "
        "its 'test' flowers may have been trained on\n"
    )
    assert "the weights file records no split" in out
    assert "confusion matrix, test (may overlap training) set (20 flowers)" in out


# --- `handbp train --data digits`: any net by mini-batches ----------------------------------


def printed_table(out: str) -> dict[str, tuple[float, float, int, int]]:
    """The final table of a mini-batch run: set -> (loss, accuracy, correct, total)."""
    pattern = r"^(train|validation|test)\s+([\d.]+)\s+([\d.]+)\s+\((\d+)/(\d+)\)$"
    return {
        name: (float(loss), float(accuracy), int(correct), int(total))
        for name, loss, accuracy, correct, total in re.findall(pattern, out, re.MULTILINE)
    }


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("runs") / "digits"
    capture = io.StringIO()
    argv = ["train", "--data", "digits", "--net", "64-32-10", "--activation", "relu"]
    argv += ["--loss", "cross-entropy", "--optimizer", "adam", "--batch-size", "32"]
    argv += ["--epochs", "4", "--eta", "0.005", "--output-dir", str(directory)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", capture)
        status = main(argv)
    return status, capture.getvalue(), directory


def test_a_digits_run_prints_its_figures_and_writes_every_file(digits_run):
    status, out, directory = digits_run
    assert status == 0
    assert "digits: net 64-32-10 (relu hidden layers, cross-entropy), adam eta 0.005" in out
    assert sorted(p.name for p in directory.iterdir()) == sorted(training.FIT_FILES)
    table = printed_table(out)
    assert set(table) == {"train", "validation", "test"}
    assert table["test"][3] == 359 and table["test"][1] > 0.85
    summary = json.loads((directory / "summary.json").read_text())
    assert summary["final"]["test"]["accuracy"] == pytest.approx(table["test"][1], abs=5e-5)
    assert summary["diagnostics"]["findings"] == []
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("confusion matrix"))
    assert lines[start + 1].split() == list("0123456789")
    printed = [[int(v) for v in line.split()[1:]] for line in lines[start + 2 : start + 12]]
    assert printed == summary["final"]["test"]["confusion_matrix"]


def test_evaluate_rebuilds_the_digits_net(capsys, digits_run):
    _, out, directory = digits_run
    status, evaluated, _ = run(capsys, "evaluate", str(directory / "weights.npz"))
    assert status == 0
    assert "64-32-10 net (relu, softmax; cross_entropy)" in evaluated
    assert printed_table(evaluated) == printed_table(out)
    status, _, err = run(capsys, "evaluate", str(directory / "weights.npz"), "--split-seed", "3")
    assert status == 2 and "--split-seed is for the series' weights" in err


@pytest.mark.parametrize(
    "options, message",
    [
        (["--data", "mnist"], "argument --data: invalid choice: 'mnist'"),
        (["--data", "digits", "--net", "4-8-3"], "the net 4-8-3 does not fit the digits data"),
        (["--data", "digits", "--net", "64-32-3"], "it needs 64 inputs and 10 outputs"),
        (["--data", "digits", "--batch-size", "0"], "argument --batch-size: must be at least 1"),
        (["--data", "digits", "--batch-size", "9999"], "batch_size must be at most the 1293"),
        (["--data", "digits", "--epochs", "-2"], "argument --epochs: must be at least 1, got -2"),
        (
            ["--optimizer", "momentum", "--momentum", "1.5"],
            r"argument --momentum: must be in \[0, 1\)",
        ),
        (
            ["--data", "digits", "--beta2", "1"],
            r"argument --beta2: must be in \[0, 1\), e.g. 0.9, got 1",
        ),
        (
            ["--data", "digits", "--weight-decay", "-1"],
            "argument --weight-decay: must be at least 0",
        ),
        (["--data", "digits", "--hidden", "3"], "--hidden is an option of the series' net"),
        (["--preset", "digits-adam", "--data", "iris"], "trains on digits, not on --data iris"),
        (["--data", "digits", "--preset", "run1-1000"], "is a run of the series' net on Iris"),
    ],
)
def test_bad_digits_options_are_one_line_and_exit_2_before_training(
    capsys, tmp_path, options, message
):
    try:
        status = main(["train", *options, "--output-dir", str(tmp_path / "out")])
    except SystemExit as exit:  # argparse's usage error: usage, then the one line
        status = exit.code
    out, err = capsys.readouterr()
    assert status == 2
    last = err.strip().splitlines()[-1]
    assert re.search(message, last) and last.startswith("handbp train: error: ")
    assert "stopped" not in out and not (tmp_path / "out").exists()


def test_a_diverged_digits_run_writes_its_history_and_says_why(capsys, tmp_path):
    argv = ["train", "--data", "digits", "--optimizer", "sgd", "--eta", "1e6", "--epochs", "5"]
    status, _, err = run(capsys, *argv, "--output-dir", str(tmp_path))
    assert status == 1
    assert "training diverged at epoch 0: the cross-entropy ran away" in err
    assert "try a smaller one, e.g. eta = 100000" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(training.FIT_FILES[:4])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["stop"]["rule"] == "diverged" and summary["epochs_recorded"] == 1
    assert summary["diagnostics"]["findings"][-1]["kind"] == "runaway"


def test_the_series_with_eta_1000_now_says_its_layer_saturated(capsys, tmp_path):
    argv = ["train", "--preset", "run1-1000", "--eta", "1000", "--output-dir", str(tmp_path)]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert "what the diagnostics saw:" in out
    assert "layer 1 (sigmoid, 2 nodes) is saturated: 100% of its outputs" in out
    assert "the training loss stopped falling" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [f["kind"] for f in summary["diagnostics"]["findings"]] == ["saturated", "stalled"]


def test_the_progress_bar_shows_the_latest_finding_below_it():
    from handbp.cli.options import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar(stream, loss="cross-entropy")
    bar(training.Progress(3, 10, 2.5, 0.1, "layer 1 (relu, 32 nodes): 100% of its nodes are dead"))
    bar.finish(None)
    text = stream.getvalue()
    assert "cross-entropy 2.500000" in text
    assert "\n! layer 1 (relu, 32 nodes): 100% of its nodes are dead" in text
    assert text.endswith("\n\n")
