"""A run's output folder: its curves as CSV, a JSON summary, figures and the weights."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from handbp import data, plots
from handbp.checks import describe
from handbp.training.files import save_net, save_weights
from handbp.training.history import History
from handbp.training.judging import Evaluation
from handbp.training.presets import Run
from handbp.training.setups import FitRun, FitSetup

OUTPUT_FILES: tuple[str, ...] = (
    "history.csv",
    "summary.json",
    "mse.png",
    "accuracy.png",
    "weights.npz",
)
"""What :func:`write_run` writes into the output directory."""


def history_csv(history: History) -> str:
    """The curves as CSV: ``epoch``, then ``<set>_<loss>`` and ``<set>_accuracy`` per set.

    ``<loss>`` is :attr:`History.loss`: ``mse`` for the series' runs.

    Numbers are written with the shortest digits that read back to the same float.
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a handbp.training.History, got {type(history).__name__}")
    monitored = history.curves()
    header = ["epoch"] + [f"{name}_{q}" for name in monitored for q in (history.loss, "accuracy")]
    columns = [np.arange(history.epochs).tolist()]
    for curves in monitored.values():
        columns += [curves.mse.tolist(), curves.accuracy.tolist()]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    return text.getvalue()


def _evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "mse": evaluation.mse,
        "accuracy": evaluation.accuracy,
        "examples": evaluation.examples,
        "confusion_matrix": evaluation.confusion.tolist(),
    }


def _check_run(run: Any, kind: type, name: Any) -> None:
    if not isinstance(run, kind):
        raise TypeError(f"run must be a handbp.training.{kind.__name__}, got {describe(run)}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str (the run's name), got {name!r}")


def summary(run: Run, name: str) -> dict[str, Any]:
    """What ``summary.json`` holds: the setup, how training ended, the final figures."""
    _check_run(run, Run, name)
    history = run.training.history
    return {
        "name": name,
        "part": 14,
        "setup": asdict(run.setup),
        "net": run.setup.sizes,
        "species": list(data.SPECIES),
        "confusion_matrix": "rows: true species, columns: predicted species",
        "epochs_recorded": history.epochs,
        "stop": asdict(history.stop),
        "final": {key: _evaluation_json(value) for key, value in run.final.items()},
        "diagnostics": _diagnostics_json(history),
        "files": list(OUTPUT_FILES),
    }


def _diagnostics_json(history: History) -> dict[str, Any] | None:
    return None if history.diagnosis is None else history.diagnosis.as_dict()


def _new_directory(parent: Path, prefix: str) -> Path:
    """A new, empty directory in ``parent`` (made with the process's usual permissions)."""
    while True:
        candidate = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def write_files(
    directory: str | os.PathLike[str],
    writers: dict[str, Callable[[Path], None]],
    stale: tuple[str, ...] = (),
) -> list[Path]:
    """Call ``writers[name](path)`` for every file into ``directory``; return the paths.

    The files named in ``stale`` but not written are removed from ``directory`` (an
    earlier run's, which would not belong with these).

    Everything is first written to a temporary directory beside ``directory`` and only
    moved into place when all of it succeeded, so a failure leaves no half-written file.
    """
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise ValueError(f"output directory {str(target)!r} exists and is not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _new_directory(target.parent, f".{target.name}.partial-")
    try:
        for file, write in writers.items():
            write(staging / file)
        if target.exists():
            for file in writers:
                os.replace(staging / file, target / file)
            for file in stale:
                if file not in writers:
                    (target / file).unlink(missing_ok=True)
            staging.rmdir()
        else:
            staging.rename(target)
    except BaseException:
        for leftover in staging.glob("*"):
            leftover.unlink()
        if staging.exists():
            staging.rmdir()
        raise
    return [target / file for file in writers]


def write_text(text: str) -> Callable[[Path], None]:
    """A writer of ``text`` (UTF-8) for :func:`write_files`."""
    return lambda path: path.write_text(text, encoding="utf-8")


def write_figure(figure: Any) -> Callable[[Path], None]:
    """A writer of a matplotlib figure as PNG for :func:`write_files`."""
    return lambda path: plots.save_figure(figure, path)


def curve_figures(history: History, title: str) -> dict[str, Any]:
    """The loss and accuracy figures of a run, by quantity (``"mse"`` holds the loss)."""
    return {
        quantity: plots.plot_curves(history, quantity, f"{title}: {label} per epoch")
        for quantity, label in (("mse", history.train.loss), ("accuracy", "accuracy"))
    }


def write_run(directory: str | os.PathLike[str], run: Run, name: str) -> list[Path]:
    """Write :data:`OUTPUT_FILES` for ``run`` into ``directory``; return their paths.

    All or nothing (:func:`write_files`).
    """
    _check_run(run, Run, name)
    history = run.training.history
    metadata: dict[str, str | int | float] = dict(asdict(run.setup))
    metadata["name"] = name
    figures = curve_figures(history, f"{name} ({run.setup.sizes}, eta {run.setup.eta:g})")
    writers = {
        "history.csv": write_text(history_csv(history)),
        "summary.json": write_text(json.dumps(summary(run, name), indent=2) + "\n"),
        "mse.png": write_figure(figures["mse"]),
        "accuracy.png": write_figure(figures["accuracy"]),
        "weights.npz": lambda path: save_weights(path, run.training.weights, metadata),
    }
    return write_files(directory, writers)


FIT_FILES: tuple[str, ...] = (
    "history.csv",
    "summary.json",
    "loss.png",
    "accuracy.png",
    "confusion.png",
    "weights.npz",
)
"""What :func:`write_fit_run` writes for a run that finished (a diverged run: the first four)."""


def fit_summary(setup: FitSetup, history: History, name: str, run: FitRun | None) -> dict[str, Any]:
    """What a :func:`~handbp.training.fit` run's ``summary.json`` holds (``run`` None: diverged)."""
    final = {}
    if run is not None:
        final = {
            part: {"loss": loss, "accuracy": accuracy, "confusion_matrix": confusion.tolist()}
            for part, (loss, accuracy, confusion) in run.final.items()
        }
    return {
        "name": name,
        "setup": asdict(setup),
        "net": setup.sizes,
        "classes": list(setup.classes),
        "loss": history.train.loss,
        "confusion_matrix": "rows: true class, columns: predicted class",
        "epochs_recorded": history.epochs,
        "stop": asdict(history.stop),
        "final": final,
        "diagnostics": _diagnostics_json(history),
        "files": list(FIT_FILES if run is not None else FIT_FILES[:4]),
    }


def write_fit_run(
    directory: str | os.PathLike[str],
    setup: FitSetup,
    history: History,
    name: str,
    run: FitRun | None = None,
) -> list[Path]:
    """Write :data:`FIT_FILES` into ``directory`` (only the history, summary and curves
    when ``run`` is None: a run that diverged, recorded up to the epoch it stopped)."""
    title = f"{name} ({setup.sizes} {setup.activation}, {setup.optimizer} eta {setup.eta:g})"
    figures = curve_figures(history, title)
    writers = {
        "history.csv": write_text(history_csv(history)),
        "summary.json": write_text(
            json.dumps(fit_summary(setup, history, name, run), indent=2) + "\n"
        ),
        "loss.png": write_figure(figures["mse"]),
        "accuracy.png": write_figure(figures["accuracy"]),
    }
    if run is not None:
        confusion = run.final["test"][2]
        writers["confusion.png"] = write_figure(
            plots.plot_confusion(confusion, setup.classes, f"{name}: test set confusion matrix")
        )
        metadata: dict[str, str | int | float] = {
            key: value for key, value in asdict(setup).items() if not isinstance(value, tuple)
        }
        metadata["name"] = name
        fitted = run.fitted
        writers["weights.npz"] = lambda path: save_net(path, fitted.net, fitted.params, metadata)
    return write_files(directory, writers, FIT_FILES)
