"""What the ``handbp`` commands share: argument types, the data option, the figure tables.

Each argument type turns a command-line string into a value or raises
``argparse.ArgumentTypeError`` with a message that says what was expected, so argparse
reports ``handbp <cmd>: error: argument --x: ...`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from handbp import data
from handbp.training import Evaluation


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


def print_confusion(confusion: np.ndarray, title: str) -> None:
    """The confusion matrix with the species as row and column labels."""
    names = [species.removeprefix("Iris-") for species in data.SPECIES]
    width = max(len(name) for name in names) + 2
    print(f"confusion matrix, {title}; rows: true species, columns: predicted")
    print(" " * width + "".join(f"{name:>{width}}" for name in names))
    for name, row in zip(names, confusion, strict=True):
        print(f"{name:<{width}}" + "".join(f"{count:>{width}}" for count in row))
