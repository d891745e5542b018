"""handbp.training.output: a run's output folder, written whole or not at all."""

import subprocess
import sys

import numpy as np
import pytest

from handbp import training
from handbp.training import EarlyStopping


@pytest.fixture(scope="module")
def short_run():
    return training.run_setup(
        training.RunSetup(epochs=300, validation_size=20), stopping=[EarlyStopping(50)]
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
