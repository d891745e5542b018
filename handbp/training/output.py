"""A run's output folder: its curves as CSV, a JSON summary, two figures and the weights."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from handbp import data, plots
from handbp.training.files import save_weights
from handbp.training.history import History
from handbp.training.judging import Evaluation
from handbp.training.presets import Run

OUTPUT_FILES: tuple[str, ...] = (
    "history.csv",
    "summary.json",
    "mse.png",
    "accuracy.png",
    "weights.npz",
)
"""What :func:`write_run` writes into the output directory."""


def history_csv(history: History) -> str:
    """The curves as CSV: ``epoch``, then ``<set>_mse`` and ``<set>_accuracy`` per set.

    Numbers are written with the shortest digits that read back to the same float.
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a handbp.training.History, got {type(history).__name__}")
    monitored = history.curves()
    header = ["epoch"] + [f"{name}_{q}" for name in monitored for q in ("mse", "accuracy")]
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


def summary(run: Run, name: str) -> dict[str, Any]:
    """What ``summary.json`` holds: the setup, how training ended, the final figures."""
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
        "files": list(OUTPUT_FILES),
    }


def _new_directory(parent: Path, prefix: str) -> Path:
    """A new, empty directory in ``parent`` (made with the process's usual permissions)."""
    while True:
        candidate = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def write_run(directory: str | os.PathLike[str], run: Run, name: str) -> list[Path]:
    """Write :data:`OUTPUT_FILES` for ``run`` into ``directory``; return their paths.

    Everything is first written to a temporary directory beside ``directory`` and only
    moved into place when all of it succeeded, so a failure leaves no half-written file.
    """
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise ValueError(f"output directory {str(target)!r} exists and is not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _new_directory(target.parent, f".{target.name}.partial-")
    try:
        history = run.training.history
        (staging / "history.csv").write_text(history_csv(history), encoding="utf-8")
        (staging / "summary.json").write_text(
            json.dumps(summary(run, name), indent=2) + "\n", encoding="utf-8"
        )
        for quantity in ("mse", "accuracy"):
            title = f"{name}: {plots.QUANTITIES[quantity]} per epoch ({run.setup.sizes}, eta {run.setup.eta:g})"
            plots.save_figure(
                plots.plot_curves(history, quantity, title), staging / f"{quantity}.png"
            )
        metadata = {key: value for key, value in asdict(run.setup).items()}
        metadata["name"] = name
        save_weights(staging / "weights.npz", run.training.weights, metadata)
        if target.exists():
            for file in OUTPUT_FILES:
                os.replace(staging / file, target / file)
            staging.rmdir()
        else:
            staging.rename(target)
    except BaseException:
        for leftover in staging.glob("*"):
            leftover.unlink()
        if staging.exists():
            staging.rmdir()
        raise
    return [target / file for file in OUTPUT_FILES]
