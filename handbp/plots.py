"""Pictures of the series: the training curves of part 14 and part 7's learning rates.

matplotlib is imported inside the functions, so ``import handbp`` stays light. Figures
are drawn on matplotlib's Agg canvas without pyplot: nothing global (backend, current
figure) changes, no screen is needed, and in Jupyter a returned figure shows as usual
(it carries a ``_repr_png_``).
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Sequence
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from handbp.checks import describe, file_path
from handbp.descent import DescentRun, learning_rate_experiments, square

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    # for the annotation only: handbp.training.output draws its figures with this module
    from handbp.training.history import History

QUANTITIES: dict[str, str] = {"mse": "MSE", "accuracy": "accuracy"}
"""The curves a :class:`handbp.training.History` holds, with their axis labels."""

_COLOURS = {"train": "tab:blue", "validation": "tab:orange", "test": "tab:green"}


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    # Jupyter shows an object through its _repr_png_; a figure made without pyplot has
    # none until pyplot's inline backend is loaded, so give it one.
    figure._repr_png_ = lambda: _png(figure)  # type: ignore[attr-defined]
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def plot_curves(history: History, quantity: str = "mse", title: str | None = None) -> Figure:
    """Part 14: the MSE or accuracy of every epoch, one line per monitored data set.

    A dotted vertical line marks the epoch whose weights training returned when that is
    not the last one (early stopping restores an earlier epoch).
    """
    if not all(hasattr(history, name) for name in ("epochs", "curves", "stop")):
        raise TypeError(
            f"history must be a handbp.training.History (training.train(...).history), "
            f"got {type(history).__name__}"
        )
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")
    if not isinstance(quantity, str) or quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    figure = _figure(7, 4)
    axes = figure.add_subplot()
    epochs = np.arange(history.epochs)
    for name, curves in history.curves().items():
        axes.plot(epochs, getattr(curves, quantity), label=name, color=_COLOURS[name])
    stop = history.stop
    if stop.weights_epoch < history.epochs - 1:
        axes.axvline(
            stop.weights_epoch,
            color="grey",
            linestyle=":",
            label=f"weights returned (epoch {stop.weights_epoch})",
        )
    axes.set_xlabel("epoch")
    label = history.train.loss if quantity == "mse" else QUANTITIES[quantity]
    axes.set_ylabel(label)
    if quantity == "accuracy":
        axes.set_ylim(0, 1.02)
    axes.set_title(title or f"{label} per epoch (eta = {history.eta:g})")
    axes.grid(alpha=0.3)
    axes.legend()
    return figure


def plot_confusion(confusion: np.ndarray, classes: Sequence[str], title: str) -> Figure:
    """A confusion matrix as a picture: rows the true class, columns the predicted one.

    Each cell shows its count, shaded by its share of its row (how that class's examples
    were predicted), so a weak class stands out whatever its size.
    """
    if isinstance(classes, str) or not isinstance(classes, Sequence):
        raise TypeError(f"classes must be a list of class names, got {describe(classes)}")
    if not all(isinstance(name, str) for name in classes):
        raise TypeError(f"classes must be a list of str (class names), got {list(classes)!r}"[:160])
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {describe(title)}")
    counts = np.asarray(confusion)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(
            f"confusion must be a square matrix (one row and column per class), got shape "
            f"{counts.shape}"
        )
    if counts.shape[0] != len(classes):
        raise ValueError(
            f"classes must name the {counts.shape[0]} classes of the confusion matrix, got "
            f"{len(classes)}: {list(classes)!r}"[:200]
        )
    if counts.dtype.kind not in "iu" or (counts < 0).any():
        raise ValueError(
            f"confusion must hold counts (integers >= 0, as confusion_matrix returns), got "
            f"{describe(counts)}"
        )
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    size = 2 + 0.5 * len(classes)
    figure = _figure(size + 1, size)
    axes = figure.add_subplot()
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if shares[row, column] > 0.6 else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    ticks = np.arange(len(classes))
    axes.set_xticks(ticks, labels=list(classes))
    axes.set_yticks(ticks, labels=list(classes))
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title)
    figure.colorbar(image, ax=axes, label="share of the true class's row")
    return figure


def plot_descent(runs: Sequence[DescentRun] | None = None) -> Figure:
    r"""Part 7: gradient descent :math:`x \leftarrow x - \eta\, 2x` on :math:`f(x) = x^2`.

    One panel per run (by default :func:`handbp.descent.learning_rate_experiments`, the
    four learning rates of the series from x = 5): the parabola and the path of x on it.
    """
    if runs is None:
        runs = learning_rate_experiments()
    elif isinstance(runs, DescentRun):
        raise TypeError("runs must be a sequence of DescentRun; for one run write [run]")
    elif isinstance(runs, str | bytes) or not isinstance(runs, Sequence):
        raise TypeError(f"runs must be a sequence of DescentRun, got {type(runs).__name__}")
    runs = list(runs)
    if not runs:
        raise ValueError("plot_descent needs at least one DescentRun, got none")
    for position, run in enumerate(runs):
        if not isinstance(run, DescentRun):
            raise TypeError(
                f"runs[{position}] must be a DescentRun (descent.learning_rate_experiments() "
                f"makes them), got {type(run).__name__}"
            )
    columns = min(3, len(runs))
    rows = -(-len(runs) // columns)
    figure = _figure(4 * columns, 3.2 * rows)
    for position, run in enumerate(runs):
        axes = figure.add_subplot(rows, columns, position + 1)
        reach = max(float(np.max(np.abs(run.path))), 1.0) * 1.1
        x = np.linspace(-reach, reach, 201)
        axes.plot(x, square(x), color="lightgrey")
        path = np.asarray(run.path, dtype=np.float64)
        axes.plot(path, square(path), marker="o", markersize=3, color="tab:red", linewidth=1)
        axes.plot(path[:1], square(path[:1]), marker="s", color="black", linestyle="none")
        axes.set_title(
            f"eta = {run.eta:g}, {run.steps} steps: {run.label}\nx: {path[0]:g} -> {path[-1]:.4g}",
            fontsize=9,
        )
        axes.set_xlabel("x")
        axes.set_ylabel("f(x) = x^2")
    return figure


def save_figure(figure: Figure, path: str | os.PathLike[str], dpi: int = 100) -> None:
    """Write ``figure`` as a PNG file, whole or not at all.

    The picture is drawn into a new file beside ``path`` and moved onto ``path`` only when
    complete, so a failure never leaves half a PNG. The file gets the usual permissions
    (0666 less the umask, e.g. 0644), as ``open`` gives.
    """
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    target = file_path(path, writing=True)
    if isinstance(dpi, bool) or not isinstance(dpi, Real) or not 0 < dpi < 10_000:
        raise ValueError(f"dpi must be a number in (0, 10000), got {dpi!r}")
    partial = target.with_name(f".{target.name}.partial-{secrets.token_hex(4)}")
    try:
        with open(partial, "xb") as file:
            figure.savefig(file, format="png", dpi=dpi)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
