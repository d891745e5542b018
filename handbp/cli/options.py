"""What the ``handbp`` commands share: argument types, the data option, the figure tables.

Each argument type turns a command-line string into a value or raises
``argparse.ArgumentTypeError`` with a message that says what was expected, so argparse
reports ``handbp <cmd>: error: argument --x: ...`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import TextIO

import numpy as np

from handbp import data
from handbp.training import Evaluation, Progress


def positive_float(text: str) -> float:
    """A finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


def finite_float(text: str) -> float:
    """Any finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def at_least_zero(text: str) -> float:
    """A finite number >= 0."""
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {text}")
    return value


def below_one(text: str) -> float:
    """A finite number in [0, 1) (a momentum, a decay rate of Adam's moments)."""
    value = at_least_zero(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), e.g. 0.9, got {text}")
    return value


def above_one(text: str) -> float:
    """A finite number > 1 (a factor that must grow)."""
    value = finite_float(text)
    if value <= 1:
        raise argparse.ArgumentTypeError(f"must be greater than 1, got {text}")
    return value


def whole_number(text: str) -> int:
    """An integer written in decimal (``"5"``, not ``"5.0"`` or ``"five"``)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number >= 1."""
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seed(text: str) -> int:
    """A NumPy seed: a whole number in 0 .. 2**32 - 1."""
    value = whole_number(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"a seed must be in 0..2**32 - 1, got {value}")
    return value


def widths(text: str) -> tuple[int, ...]:
    """A net's layer sizes written ``64-32-10``: at least two whole numbers >= 1."""
    parts = text.split("-")
    try:
        values = tuple(int(part) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer sizes like 64-32-10 (inputs, hidden layers, outputs), got {text!r}"
        ) from None
    if len(values) < 2 or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected at least two layer sizes >= 1 like 64-32-10, got {text!r}"
        )
    return values


def share(text: str) -> float:
    """A share in (0, 1]."""
    value = positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be a share in (0, 1], e.g. 0.95, got {text}")
    return value


def check_writable(folder: Path, option: str, value: str) -> None:
    """Raise ``OSError`` naming ``option`` unless a file can be made in ``folder``.

    A real attempt (a directory made and removed) rather than ``os.access``, which is
    wrong for root, for ACLs and for read-only file systems.
    """
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".handbp-probe-", dir=folder))
    except OSError as error:
        raise OSError(
            f"{option} {value!r}: cannot write in {str(folder)!r} ({error.strerror or error})"
        ) from error


class ProgressBar:
    """Epoch, loss and accuracy on one line of a stream, redrawn with a carriage return.

    The latest diagnostic finding (:attr:`Progress.note`) is shown on the line below,
    cut to the terminal's width.
    """

    def __init__(self, stream: TextIO, width: int = 30, loss: str = "MSE") -> None:
        self.stream, self.width, self.loss, self.drawn = stream, width, loss, False
        self.noted = False

    def __call__(self, progress: Progress) -> None:
        filled = self.width * progress.epoch // progress.epochs
        digits = len(str(progress.epochs))
        self.stream.write(
            f"\repoch {progress.epoch:>{digits}}/{progress.epochs} "
            f"[{'#' * filled}{'.' * (self.width - filled)}] "
            f"{self.loss} {progress.mse:.6f}  accuracy {progress.accuracy:.4f}\x1b[K"
        )
        if progress.note:
            columns = shutil.get_terminal_size().columns - 1
            note = f"! {progress.note}"
            note = note if len(note) <= columns else note[: columns - 3] + "..."
            # the note on the next line, then back up to the bar's line
            self.stream.write(f"\n{note}\x1b[K\x1b[1A\r")
            self.noted = True
        self.stream.flush()
        self.drawn = True

    def finish(self, final: Progress | None) -> None:
        """End the line; first redraw it with ``final`` (the figures printed after it)."""
        if final is not None and self.drawn:
            self(final)
        if self.drawn:
            self.stream.write("\n\n" if self.noted else "\n")
            self.stream.flush()


def output_dir(given: str | None, name: str) -> str:
    """The run's output folder: ``--output-dir`` if given (checked), else handbp-runs/NAME."""
    output = os.path.join("handbp-runs", name) if given is None else given
    check_output_dir(output)
    return output


def check_output_dir(output: str) -> None:
    """Refuse an output folder that cannot be written, before any training time is spent.

    ``output`` may not exist yet; the nearest folder that exists must be a folder we can
    write in (the results are staged beside ``output`` and moved into place).
    """
    if not output:
        raise ValueError("--output-dir must name a folder, got '' (use . for this one)")
    target = Path(output)
    if target.exists() and not target.is_dir():
        raise ValueError(f"--output-dir {output!r} exists and is not a directory")
    folders = [target] if target.is_dir() else []
    ancestor = target.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ValueError(
            f"--output-dir {output!r} cannot be made: {str(ancestor)!r} is a file, not a directory"
        )
    folders.append(ancestor)
    for folder in folders:
        check_writable(folder, "--output-dir", output)


def add_variant_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--variant {fisher,uci}``, defaulting to the series' ``uci``."""
    parser.add_argument(
        "--variant",
        choices=data.VARIANTS,
        default=data.SERIES_VARIANT,
        help="Iris variant: 'uci' (the UCI/Kaggle copy the series loaded) or 'fisher' "
        "(Fisher's values, as in R and scikit-learn) (default: %(default)s)",
    )


def print_figures(final: dict[str, Evaluation]) -> None:
    """One row per data set: MSE, accuracy and correct flowers of the total."""
    width = max(12, *(len(name) + 2 for name in final))
    print(f"{'':<{width}}{'MSE':>10}  accuracy")
    for name, figures in final.items():
        correct = int(np.trace(figures.confusion))
        print(
            f"{name:<{width}}{figures.mse:>10.6f}  {figures.accuracy:.4f}  "
            f"({correct}/{figures.examples} flowers)"
        )


def print_confusion(
    confusion: np.ndarray, title: str, classes: tuple[str, ...] | None = None
) -> None:
    """The confusion matrix with the class names (by default Iris's species) as labels."""
    names = [species.removeprefix("Iris-") for species in (classes or data.SPECIES)]
    width = max(*(len(name) for name in names), len(str(confusion.max()))) + 2
    what = "species" if classes is None else "class"
    print(f"confusion matrix, {title}; rows: true {what}, columns: predicted")
    print(" " * width + "".join(f"{name:>{width}}" for name in names))
    for name, row in zip(names, confusion, strict=True):
        print(f"{name:<{width}}" + "".join(f"{count:>{width}}" for count in row))
