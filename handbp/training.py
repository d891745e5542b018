r"""Training (part 14): full-batch gradient descent, monitoring, stopping rules, presets.

Every epoch does what part 14's notebook does: one feedforward pass (part 5), the MSE
(``mse``, part 6) and the ``accuracy`` (part 14) of that pass, recorded *before* the
update, one backpropagation pass (parts 11-12) and one ``weights_update`` (part 13):

.. code-block:: python

    forward = network.feedforward(X, W1, W2)
    mse[epoch] = losses.mse(forward.output_layer_outputs, Y)
    accuracy[epoch] = losses.accuracy(forward.output_layer_outputs, Y)
    backward = network.backpropagation(X, Y, W2, forward)
    W1, W2 = network.weights_update(W1, W2, backward.weights_1_update, backward.weights_2_update, eta)

Calling those functions allocates a fresh array for every quantity and goes through some
twenty Python functions per epoch: on the 130 training flowers such a loop took 2.2 to 2.6
times as long as the series' own notebook loop (measured). :func:`train` therefore runs the same equations, in the same order and with the
same floating-point operations, on buffers allocated once (``_Epochs``): each line there
names the equation id it computes, and the tests check, epoch by epoch and bit for bit,
that it gives exactly what the catalogue's functions give. The MSE and accuracy of a
block of epochs are reduced together at the end of the block, and the stopping rules and
the divergence check look at the recorded curves block by block; the epoch at which they
act is exact all the same, because the weights of every epoch of the block are kept.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from handbp import data, losses, network
from handbp.activations import sigmoid
from handbp.checks import (
    as_float_array,
    finite_real,
    float_dtype,
    one_hot,
    positive_int,
    unchecked,
)
from handbp.network import Weights

WATCHED = ("train", "validation")
"""The curves a stopping rule can watch: the training data's or the validation data's."""

BLOCK_EPOCHS = 128
"""Epochs run between two looks at the curves (stopping rules, divergence, progress).

Longer runs look about 100 times in all (blocks of ``epochs / 100``), and a block never
keeps more than 4 MiB of per-epoch outputs and weights (fewer epochs for big data)."""

_LOOKS = 100
_INITIAL_EPOCHS = 2**16  # history arrays start this long (or shorter) and double
_BLOCK_BYTES = 4 * 2**20


# --- What a run records ---------------------------------------------------------------------


@dataclass(frozen=True)
class Curves:
    """MSE and accuracy of every epoch on one data set (part 14).

    Entry ``e`` comes from the feedforward pass of epoch ``e``, with the weights before
    that epoch's update, as the series records them. Both are float64 arrays.
    """

    mse: np.ndarray
    accuracy: np.ndarray

    def __len__(self) -> int:
        return int(self.mse.shape[0])


@dataclass(frozen=True)
class Stop:
    """Why and when training stopped.

    ``rule`` is ``"epochs"`` (the epochs asked for all ran), ``"fixed_point"`` (an update
    changed no weight, so every later epoch would repeat this one), the ``name`` of the
    stopping rule that fired, or ``"diverged"`` (in :attr:`TrainingDiverged.history`). ``epoch`` is the last epoch recorded; the returned weights
    are those after ``weights_epoch`` updates (the weights of record ``weights_epoch``).
    """

    rule: str
    epoch: int
    weights_epoch: int
    message: str


@dataclass(frozen=True)
class History:
    """The curves of a run and how it ended; ``validation`` and ``test`` only when given."""

    train: Curves
    validation: Curves | None
    test: Curves | None
    stop: Stop
    eta: float
    epochs_requested: int

    @property
    def epochs(self) -> int:
        """The number of epochs recorded."""
        return len(self.train)

    def curves(self) -> dict[str, Curves]:
        """``{"train": ..., "validation": ..., "test": ...}``, the sets that were monitored."""
        named = {"train": self.train, "validation": self.validation, "test": self.test}
        return {name: curves for name, curves in named.items() if curves is not None}


@dataclass(frozen=True)
class Training:
    """The result of :func:`train`: the weights it returns and the history of the run."""

    weights: Weights
    history: History


class Progress(NamedTuple):
    """What :func:`train` reports after every block of epochs: epochs done and the last MSE."""

    epoch: int
    epochs: int
    mse: float
    accuracy: float


class TrainingDiverged(ArithmeticError):
    """Training produced NaN/inf or a runaway MSE; ``history`` holds the run up to there."""

    def __init__(self, message: str, epoch: int, kind: str, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.kind = kind
        self.history = history


# --- Stopping rules ---------------------------------------------------------------------------


class StoppingRule(ABC):
    """A rule that decides from the recorded curves when training should stop.

    :meth:`first_stop` looks at the curves of the watched data set (``watch``: the
    training or the validation data) and returns the first epoch at or after ``start``
    at which the rule fires. Rules are combined by stopping at the earliest epoch any of
    them fires; on a tie the rule listed first is named.
    """

    name: ClassVar[str]
    watch: str

    def _check_watch(self) -> None:
        if self.watch not in WATCHED:
            raise ValueError(
                f"{type(self).__name__}.watch must be one of {', '.join(WATCHED)}, "
                f"got {self.watch!r}"
            )

    @abstractmethod
    def first_stop(self, curves: Curves, start: int = 0) -> int | None:
        """The first epoch ``e >= start`` of ``curves`` at which the rule fires, or None."""

    @abstractmethod
    def message(self, curves: Curves, epoch: int) -> str:
        """Why the rule fired at ``epoch``, in a sentence."""

    def weights_epoch(self, curves: Curves, epoch: int) -> int:
        """The epoch whose weights training returns when the rule fires at ``epoch``."""
        return epoch


def _first(mask: np.ndarray, offset: int) -> int | None:
    hits = np.flatnonzero(mask)
    return None if hits.size == 0 else offset + int(hits[0])


@dataclass(frozen=True)
class TargetMSE(StoppingRule):
    r"""Stop at the first epoch whose MSE is at most ``mse``: :math:`\mathrm{MSE}_e \le` target."""

    mse: float
    watch: str = "train"
    name: ClassVar[str] = "target_mse"

    def __post_init__(self) -> None:
        finite_real(self.mse, "TargetMSE.mse", positive=True)
        self._check_watch()

    def first_stop(self, curves: Curves, start: int = 0) -> int | None:
        return _first(curves.mse[start:] <= self.mse, start)

    def message(self, curves: Curves, epoch: int) -> str:
        return (
            f"the {self.watch} MSE reached {curves.mse[epoch]:.6g} <= {self.mse:g} at epoch {epoch}"
        )


@dataclass(frozen=True)
class TargetAccuracy(StoppingRule):
    """Stop at the first epoch whose accuracy is at least ``accuracy`` (a share, 0 to 1)."""

    accuracy: float
    watch: str = "train"
    name: ClassVar[str] = "target_accuracy"

    def __post_init__(self) -> None:
        value = finite_real(self.accuracy, "TargetAccuracy.accuracy", positive=True)
        if value > 1:
            raise ValueError(
                f"TargetAccuracy.accuracy is a share between 0 and 1, got {value} "
                f"(for 95% write 0.95)"
            )
        self._check_watch()

    def first_stop(self, curves: Curves, start: int = 0) -> int | None:
        return _first(curves.accuracy[start:] >= self.accuracy, start)

    def message(self, curves: Curves, epoch: int) -> str:
        return (
            f"the {self.watch} accuracy reached {curves.accuracy[epoch]:.4f} >= "
            f"{self.accuracy:g} at epoch {epoch}"
        )


@dataclass(frozen=True)
class Plateau(StoppingRule):
    r"""Stop when the MSE improved by less than ``tolerance`` (relative) over ``window`` epochs.

    Fires at the first epoch :math:`e \ge` ``window`` with
    :math:`(\mathrm{MSE}_{e-w} - \mathrm{MSE}_e) / \mathrm{MSE}_{e-w} <` ``tolerance``; an
    MSE that went up counts as no improvement.
    """

    window: int = 100
    tolerance: float = 1e-4
    watch: str = "train"
    name: ClassVar[str] = "plateau"

    def __post_init__(self) -> None:
        positive_int(self.window, "Plateau.window")
        tolerance = finite_real(self.tolerance, "Plateau.tolerance")
        if tolerance < 0:
            raise ValueError(f"Plateau.tolerance must be >= 0, got {tolerance}")
        self._check_watch()

    def _improvement(self, mse: np.ndarray, epochs: np.ndarray) -> np.ndarray:
        before = mse[epochs - self.window]
        gain = before - mse[epochs]
        return np.divide(gain, before, out=np.zeros_like(gain), where=before > 0)

    def first_stop(self, curves: Curves, start: int = 0) -> int | None:
        epochs = np.arange(max(start, self.window), len(curves))
        if epochs.size == 0:
            return None
        return _first(self._improvement(curves.mse, epochs) < self.tolerance, int(epochs[0]))

    def message(self, curves: Curves, epoch: int) -> str:
        gain = float(self._improvement(curves.mse, np.array([epoch]))[0])
        return (
            f"the {self.watch} MSE improved by {gain:.3g} (relative) over the {self.window} "
            f"epochs up to epoch {epoch}, less than the tolerance {self.tolerance:g}"
        )


@dataclass(frozen=True)
class EarlyStopping(StoppingRule):
    """Stop when the watched MSE has not reached a new low for ``patience`` epochs.

    It watches the validation data unless told otherwise. Training then returns the
    weights of the best epoch (the lowest MSE, the first one on a tie), not the last ones:
    part 14's "judge on data held out from training", automated.
    """

    patience: int = 200
    watch: str = "validation"
    name: ClassVar[str] = "early_stopping"

    def __post_init__(self) -> None:
        positive_int(self.patience, "EarlyStopping.patience")
        self._check_watch()

    @staticmethod
    def best_so_far(mse: np.ndarray, start: int = 0) -> np.ndarray:
        """For every epoch ``e >= start``, the epoch of the lowest MSE among epochs 0..e."""
        best_before = int(np.argmin(mse[:start])) if start else 0
        low_before = mse[best_before] if start else np.inf
        recent = mse[start:]
        previous_low = np.concatenate(([np.inf], np.minimum.accumulate(recent)[:-1]))
        improved = recent < np.minimum(previous_low, low_before)
        epochs = np.arange(start, mse.shape[0])
        return np.maximum.accumulate(np.where(improved, epochs, best_before))

    def first_stop(self, curves: Curves, start: int = 0) -> int | None:
        waited = np.arange(start, len(curves)) - self.best_so_far(curves.mse, start)
        return _first(waited >= self.patience, start)

    def weights_epoch(self, curves: Curves, epoch: int) -> int:
        return int(np.argmin(curves.mse[: epoch + 1]))  # the first of equal lows

    def message(self, curves: Curves, epoch: int) -> str:
        best = self.weights_epoch(curves, epoch)
        return (
            f"the {self.watch} MSE has not improved for {self.patience} epochs since its "
            f"lowest value {curves.mse[best]:.6g} at epoch {best}; the weights of epoch "
            f"{best} are restored"
        )


@dataclass(frozen=True)
class Divergence:
    r"""When training has gone wrong: NaN/inf, or a runaway MSE.

    Training diverged at the first epoch whose training MSE is NaN or infinite, whose
    update produced non-finite weights, or whose MSE exceeds ``runaway`` times the lowest
    MSE of the epochs before it. The sigmoid keeps this net's MSE below 1/2, so a learning
    rate that is too large rarely shows as NaN here; it shows as an MSE that climbs back
    up. Spikes of up to 9.8 times the lowest MSE that then recover were measured on Iris
    (4-6-3, learning rates 10 to 30), hence the default of 20.
    """

    runaway: float = 20.0

    def __post_init__(self) -> None:
        value = finite_real(self.runaway, "Divergence.runaway", positive=True)
        if value <= 1:
            raise ValueError(f"Divergence.runaway must be greater than 1, got {value}")

    def first(
        self, mse: np.ndarray, weights_finite: np.ndarray, start: int = 0
    ) -> tuple[int, str] | None:
        """The first epoch ``e >= start`` that diverged and how, or None.

        ``weights_finite[e]`` says whether the update of epoch ``e`` gave finite weights.
        """
        recent = mse[start:]
        non_finite = ~np.isfinite(recent) | ~weights_finite[start:]
        low_before = np.fmin.reduce(mse[:start]) if start else np.inf
        previous_low = np.concatenate(([low_before], np.fmin.accumulate(recent)[:-1]))
        with np.errstate(invalid="ignore"):
            runaway = recent > self.runaway * np.fmin(previous_low, low_before)
        first_non_finite = _first(non_finite, start)
        first_runaway = _first(runaway, start)
        if first_non_finite is not None and (
            first_runaway is None or first_non_finite <= first_runaway
        ):
            return first_non_finite, "non-finite"
        if first_runaway is not None:
            return first_runaway, "runaway"
        return None

    def message(self, mse: np.ndarray, epoch: int, kind: str, eta: float) -> str:
        """The error message for a divergence of ``kind`` at ``epoch``."""
        if kind == "non-finite":
            what = (
                f"the MSE became {mse[epoch]}"
                if not np.isfinite(mse[epoch])
                else "the weights became NaN or infinite in its update"
            )
        else:
            low = float(np.min(mse[:epoch]))
            what = (
                f"the MSE ran away to {mse[epoch]:.6g}, more than {self.runaway:g} times "
                f"its lowest value {low:.6g}"
            )
        return (
            f"training diverged at epoch {epoch}: {what}. The learning rate eta = {eta:g} "
            f"is too large for this net; try a smaller one, e.g. eta = {eta / 10:g}"
        )


# --- The loop ---------------------------------------------------------------------------------


class _Epochs:
    """The catalogue's equations of one epoch, in place, on buffers allocated once.

    :meth:`run` computes ``count`` epochs. Slot ``k`` of the block holds the weights
    before the update of the block's epoch ``k`` (slot ``count`` those after the last
    update) and that epoch's output-layer outputs and error; the MSE and accuracy of the
    whole block are reduced from them afterwards.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, weights: Weights, eta: float, block: int):
        n, n_out = Y.shape
        n_hidden = weights.W1.shape[1]
        dtype = X.dtype

        def constant(value: float) -> np.ndarray:
            # 0-d arrays of the data's dtype: the values NumPy would convert the Python
            # numbers of the catalogue's expressions to, passed without conversion cost.
            return np.array(value, dtype=dtype)

        self.X, self.Y, self.block = X, Y, block
        self.one, self.N, self.eta = constant(1), constant(Y.size), constant(eta)
        self.W1 = np.empty((block + 1, *weights.W1.shape), dtype)
        self.W2 = np.empty((block + 1, *weights.W2.shape), dtype)
        self.W1[0], self.W2[0] = weights
        self.O_out = np.empty((block, n, n_out), dtype)
        self.O_error = np.empty((block, n, n_out), dtype)
        self.H_in = np.empty((n, n_hidden), dtype)
        self.H_out = np.empty((n, n_hidden), dtype)
        self.H_error = np.empty((n, n_hidden), dtype)
        self.H_delta = np.empty((n, n_hidden), dtype)
        self.H_work = np.empty((n, n_hidden), dtype)
        self.O_in = np.empty((n, n_out), dtype)
        self.O_delta = np.empty((n, n_out), dtype)
        self.O_work = np.empty((n, n_out), dtype)
        self.W1_update = np.empty(weights.W1.shape, dtype)
        self.W2_update = np.empty(weights.W2.shape, dtype)
        self.slots = [
            (self.W1[k], self.W2[k], self.W2[k].T, self.O_out[k], self.O_error[k], *after)
            for k, after in enumerate(zip(self.W1[1:], self.W2[1:], strict=True))
        ]

    def run(self, count: int) -> None:
        """Run ``count`` (at most ``block``) epochs from the weights in slot 0."""
        X, Y, X_T, one, N, eta = self.X, self.Y, self.X.T, self.one, self.N, self.eta
        H_in, H_out, H_out_T, H_error = self.H_in, self.H_out, self.H_out.T, self.H_error
        H_delta, H_work, O_in, O_delta = self.H_delta, self.H_work, self.O_in, self.O_delta
        O_work, W1_update, W2_update = self.O_work, self.W1_update, self.W2_update
        dot, negative, exp, add, divide = np.dot, np.negative, np.exp, np.add, np.divide
        subtract, multiply = np.subtract, np.multiply
        # The two layers' lines are written out rather than shared through helper
        # functions: those calls made an epoch 14.0 instead of 12.5 us (measured).
        for W1, W2, W2_T, O_out, O_error, W1_next, W2_next in self.slots[:count]:
            # feedforward (parts 2, 5); sigmoid(x) = 1 / (1 + exp(-x)) (part 8)
            dot(X, W1, out=H_in)  # hidden_layer_inputs
            negative(H_in, out=H_work)
            exp(H_work, out=H_work)
            add(one, H_work, out=H_work)
            divide(one, H_work, out=H_out)  # hidden_layer_outputs
            dot(H_out, W2, out=O_in)  # output_layer_inputs
            negative(O_in, out=O_work)
            exp(O_work, out=O_work)
            add(one, O_work, out=O_work)
            divide(one, O_work, out=O_out)  # output_layer_outputs
            # backpropagation (parts 11-12); sigmoid_derivative(s) = s * (1 - s) (part 8)
            subtract(O_out, Y, out=O_error)  # output_layer_error
            subtract(one, O_out, out=O_work)
            multiply(O_out, O_work, out=O_work)
            multiply(O_error, O_work, out=O_delta)  # output_layer_delta
            dot(H_out_T, O_delta, out=W2_update)
            divide(W2_update, N, out=W2_update)  # weights_2_update
            dot(O_delta, W2_T, out=H_error)  # hidden_layer_error
            subtract(one, H_out, out=H_work)
            multiply(H_out, H_work, out=H_work)
            multiply(H_error, H_work, out=H_delta)  # hidden_layer_delta
            dot(X_T, H_delta, out=W1_update)
            divide(W1_update, N, out=W1_update)  # weights_1_update
            # weights_update (part 13)
            multiply(eta, W1_update, out=W1_update)
            subtract(W1, W1_update, out=W1_next)
            multiply(eta, W2_update, out=W2_update)
            subtract(W2, W2_update, out=W2_next)

    def next_block(self, count: int) -> None:
        """Move the weights after the last update of the block to slot 0."""
        self.W1[0], self.W2[0] = self.W1[count], self.W2[count]


def _mse_per_epoch(O_error: np.ndarray, N: int) -> np.ndarray:
    """``losses.mse`` of every epoch of a block, from its output-layer errors (epochs first)."""
    squares = np.square(O_error).reshape(O_error.shape[0], -1)
    return (squares.sum(axis=1) / (2 * N)).astype(np.float64)


def _accuracy_per_epoch(O_out: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``losses.accuracy`` of every epoch of a block (outputs with epochs first)."""
    return np.mean(np.argmax(O_out, axis=-1) == labels, axis=-1)


class _Monitored:
    """Curves of one data set, filled block by block into preallocated arrays.

    The arrays hold the epochs asked for, or ``_INITIAL_EPOCHS`` to begin with and double
    when full, so that asking for a huge number of epochs does not reserve memory up front.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, epochs: int) -> None:
        self.X, self.Y = X, Y
        self.labels = np.argmax(Y, axis=1)
        self.mse = np.empty(min(epochs, _INITIAL_EPOCHS))
        self.accuracy = np.empty_like(self.mse)

    def record(self, start: int, O_out: np.ndarray, O_error: np.ndarray) -> None:
        stop = start + O_out.shape[0]
        if stop > self.mse.shape[0]:
            size = max(stop, 2 * self.mse.shape[0])
            self.mse = np.concatenate((self.mse[:start], np.empty(size - start)))
            self.accuracy = np.concatenate((self.accuracy[:start], np.empty(size - start)))
        self.mse[start:stop] = _mse_per_epoch(O_error, self.Y.size)
        self.accuracy[start:stop] = _accuracy_per_epoch(O_out, self.labels)

    def record_held_out(self, start: int, W1: np.ndarray, W2: np.ndarray) -> None:
        """Feedforward of the held-out data with the weights of every epoch of a block."""
        O_out = sigmoid(np.matmul(sigmoid(np.matmul(self.X, W1)), W2))
        self.record(start, O_out, O_out - self.Y)

    def view(self, epochs: int) -> Curves:
        """The first ``epochs`` entries, without copying (for the rules, during the loop)."""
        return Curves(self.mse[:epochs], self.accuracy[:epochs])

    def curves(self, epochs: int) -> Curves:
        return Curves(self.mse[:epochs].copy(), self.accuracy[:epochs].copy())


HeldOut = data.Dataset | tuple[ArrayLike, ArrayLike]
"""Held-out data: a :class:`handbp.data.Dataset` or a pair ``(X, Y)``."""


def _held_out(
    value: HeldOut, name: str, X: np.ndarray, Y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(value, data.Dataset):
        pair: tuple[Any, ...] = (value.X, value.Y)
    elif isinstance(value, tuple) and len(value) == 2:
        pair = value
    else:
        raise TypeError(
            f"{name} must be a handbp.data.Dataset or a pair (X, Y), got {type(value).__name__}"
        )
    X_held = as_float_array(pair[0], f"the {name} X", ndim=2)
    Y_held = as_float_array(pair[1], f"the {name} Y", ndim=2)
    if X_held.dtype != X.dtype or Y_held.dtype != X.dtype:
        raise TypeError(
            f"the {name} data must have the training data's dtype {X.dtype}, got X "
            f"{X_held.dtype} and Y {Y_held.dtype}; cast explicitly with .astype()"
        )
    if X_held.shape[1] != X.shape[1] or Y_held.shape != (X_held.shape[0], Y.shape[1]):
        raise ValueError(
            f"the {name} data must have {X.shape[1]} features and {Y.shape[1]} one-hot "
            f"columns like the training data, one row of Y per row of X: got X of shape "
            f"{X_held.shape} and Y of shape {Y_held.shape}"
        )
    one_hot(Y_held, f"the {name} Y")
    return X_held, Y_held


def _block_size(X: np.ndarray, Y: np.ndarray, weights: Weights, epochs: int) -> int:
    per_epoch = (2 * Y.size + weights.W1.size + weights.W2.size) * X.dtype.itemsize
    wanted = max(BLOCK_EPOCHS, -(-epochs // _LOOKS))
    return max(1, min(wanted, epochs, _BLOCK_BYTES // per_epoch))


def train(
    X: ArrayLike,
    Y: ArrayLike,
    W1: ArrayLike,
    W2: ArrayLike,
    eta: float = 0.1,
    epochs: int = 1000,
    *,
    stopping: Sequence[StoppingRule] = (),
    validation: HeldOut | None = None,
    test: HeldOut | None = None,
    divergence: Divergence | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Training:
    r"""Part 14: full-batch gradient descent for at most ``epochs`` epochs.

    Each epoch: feedforward, MSE and accuracy (recorded before the update), backpropagation,
    :math:`W \leftarrow W - \eta\, \partial\mathrm{MSE}/\partial W` (``weights_update``).
    ``validation`` and ``test`` are held-out data, ``(X, Y)`` or a Dataset, whose MSE and
    accuracy are recorded every epoch too: ``validation`` for the rules that watch it
    (:class:`EarlyStopping`), ``test`` only to look at. Training stops at the first epoch
    any rule of ``stopping`` fires, or at a fixed point (an update that changes no
    weight), or after ``epochs`` epochs; :attr:`History.stop` says which and when.

    Raises :class:`TrainingDiverged` (naming the epoch) when ``divergence`` (by default
    :class:`Divergence`\ ``()``) detects NaN/inf or a runaway MSE. ``progress`` is called
    after every block of up to :data:`BLOCK_EPOCHS` epochs.
    """
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    network.check_network(X, Y, W1, W2)
    eta = finite_real(eta, "eta (learning rate)", positive=True)
    epochs = positive_int(epochs, "epochs")
    divergence = Divergence() if divergence is None else divergence
    rules = list(stopping)
    for position, rule in enumerate(rules):
        if not isinstance(rule, StoppingRule):
            raise TypeError(
                f"stopping[{position}] must be a StoppingRule (TargetMSE, TargetAccuracy, "
                f"Plateau, EarlyStopping), got {type(rule).__name__}"
            )
        if rule.watch == "validation" and validation is None:
            raise ValueError(
                f"the stopping rule {type(rule).__name__} watches the validation curves, "
                f"but no validation data was given"
            )
    monitored = {"train": _Monitored(X, Y, epochs)}
    for name, held in (("validation", validation), ("test", test)):
        if held is not None:
            monitored[name] = _Monitored(*_held_out(held, name, X, Y), epochs)

    block = _block_size(X, Y, Weights(W1, W2), epochs)
    loop = _Epochs(X, Y, Weights(W1, W2), eta, block)
    weights_finite = np.ones(epochs, dtype=bool)
    kept: dict[int, tuple[int, Weights]] = {}  # per EarlyStopping rule: its best epoch so far
    done = 0
    while True:
        count = min(block, epochs - done)
        end = done + count
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), unchecked():
            loop.run(count)
            monitored["train"].record(done, loop.O_out[:count], loop.O_error[:count])
            for name in ("validation", "test"):
                if name in monitored:
                    monitored[name].record_held_out(done, loop.W1[:count], loop.W2[:count])
        for stack in (loop.W1, loop.W2):
            weights_finite[done:end] &= np.all(np.isfinite(stack[1 : count + 1]), axis=(1, 2))
        curves = {name: m.view(end) for name, m in monitored.items()}
        stop = _first_stop(rules, curves, loop, done, count, kept)
        diverged = divergence.first(curves["train"].mse, weights_finite[:end], done)
        if diverged is not None and (stop is None or diverged[0] <= stop.epoch):
            epoch, kind = diverged
            stopped = Stop("diverged", epoch, epoch, f"diverged ({kind}) at epoch {epoch}")
            raise TrainingDiverged(
                divergence.message(curves["train"].mse, epoch, kind, eta),
                epoch,
                kind,
                _history(monitored, epoch + 1, stopped, eta, epochs),
            )
        if stop is None and end == epochs:
            stop = Stop("epochs", epochs - 1, epochs, f"ran the {epochs} epochs asked for")
        if progress is not None:
            last = end - 1 if stop is None else stop.epoch
            train_curves = curves["train"]
            mse, accuracy = train_curves.mse[last], train_curves.accuracy[last]
            progress(Progress(last + 1, epochs, float(mse), float(accuracy)))
        if stop is not None:
            restored = [w for epoch, w in kept.values() if epoch == stop.weights_epoch]
            k = stop.weights_epoch - done
            result = restored[0] if restored else Weights(loop.W1[k].copy(), loop.W2[k].copy())
            return Training(result, _history(monitored, stop.epoch + 1, stop, eta, epochs))
        loop.next_block(count)
        done = end


def _history(
    monitored: Mapping[str, _Monitored], recorded: int, stop: Stop, eta: float, epochs: int
) -> History:
    curves = {name: m.curves(recorded) for name, m in monitored.items()}
    return History(curves["train"], curves.get("validation"), curves.get("test"), stop, eta, epochs)


def _first_stop(
    rules: Sequence[StoppingRule],
    curves: Mapping[str, Curves],
    loop: _Epochs,
    done: int,
    count: int,
    kept: dict[int, tuple[int, Weights]],
) -> Stop | None:
    """The earliest stop in the block just run (rules first, then a fixed point), or None."""
    end = done + count
    found: Stop | None = None
    for position, rule in enumerate(rules):
        watched = curves[rule.watch]
        epoch = rule.first_stop(watched, done)
        if isinstance(rule, EarlyStopping):
            # Keep the weights of the best epoch so far: it may lie in an earlier block
            # by the time the rule fires.
            best = rule.weights_epoch(watched, end - 1 if epoch is None else epoch)
            if best >= done:
                k = best - done
                kept[position] = (best, Weights(loop.W1[k].copy(), loop.W2[k].copy()))
        if epoch is not None and (found is None or epoch < found.epoch):
            found = Stop(
                rule.name, epoch, rule.weights_epoch(watched, epoch), rule.message(watched, epoch)
            )
    unchanged = np.all(loop.W1[1 : count + 1] == loop.W1[:count], axis=(1, 2)) & np.all(
        loop.W2[1 : count + 1] == loop.W2[:count], axis=(1, 2)
    )
    fixed = _first(unchanged, done)
    if fixed is not None and (found is None or fixed < found.epoch):
        mse = curves["train"].mse[fixed]
        why = (
            "the outputs equal the labels exactly"
            if mse == 0
            else "either every sigmoid saturated to exactly 0 or 1, which makes the gradient "
            "0 (a learning rate too large does that), or eta times the gradient is below "
            "the precision of the weights (too small)"
        )
        found = Stop(
            "fixed_point",
            fixed,
            fixed,
            f"the update of epoch {fixed} changed no weight (training MSE {mse:.6g}), so "
            f"every later epoch would repeat it: {why}",
        )
    return found


# --- Judging weights ------------------------------------------------------------------------


def confusion_matrix(O_out: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """Counts of (true class, predicted class): row = argmax of ``Y``, column = argmax of ``O_out``.

    The diagonal holds the correct predictions; its sum over the total is ``accuracy``.
    """
    O_out = as_float_array(O_out, "O_out", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    if O_out.shape != Y.shape:
        raise ValueError(
            f"O_out and Y must have one shape, got O_out {O_out.shape} and Y {Y.shape}"
        )
    one_hot(Y)
    n_classes = Y.shape[1]
    pairs = np.argmax(Y, axis=1) * n_classes + np.argmax(O_out, axis=1)
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


@dataclass(frozen=True)
class Evaluation:
    """MSE, accuracy and confusion matrix of one set of weights on one data set."""

    mse: float
    accuracy: float
    confusion: np.ndarray
    examples: int


def evaluate(X: ArrayLike, Y: ArrayLike, W1: ArrayLike, W2: ArrayLike) -> Evaluation:
    """One feedforward pass (part 5) and its ``mse``, ``accuracy`` and confusion matrix."""
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    network.check_network(X, Y, W1, W2)
    O_out = network.feedforward(X, W1, W2).output_layer_outputs
    return Evaluation(
        float(losses.mse(O_out, Y)),
        losses.accuracy(O_out, Y),
        confusion_matrix(O_out, Y),
        int(X.shape[0]),
    )


# --- The series' runs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """One training run on Iris as part 14 sets it up.

    The test set is the first ``test_size`` flowers of the seeded permutation
    ``split_seed`` (:func:`handbp.data.train_test_split`), the initial weights are
    :func:`handbp.network.initial_weights` of ``weight_seed``. With ``validation_size``
    > 0 that many flowers of the training set are held out again, the same way, for
    :class:`EarlyStopping` (the test set stays untouched).
    """

    split_seed: int = 4
    weight_seed: int = 10
    n_hidden: int = 2
    eta: float = 0.1
    epochs: int = 1000
    test_size: int = 20
    validation_size: int = 0
    variant: str = data.SERIES_VARIANT
    dtype: str = "float64"

    def __post_init__(self) -> None:
        for name in ("split_seed", "weight_seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        positive_int(self.n_hidden, "n_hidden (hidden nodes)")
        finite_real(self.eta, "eta (learning rate)", positive=True)
        positive_int(self.epochs, "epochs")
        positive_int(self.test_size, "test_size")
        if isinstance(self.validation_size, bool) or not isinstance(self.validation_size, int):
            raise TypeError(f"validation_size must be an integer, got {self.validation_size!r}")
        if self.validation_size < 0:
            raise ValueError(f"validation_size must be >= 0, got {self.validation_size}")
        if self.variant not in data.VARIANTS:
            raise ValueError(
                f"unknown data variant {self.variant!r}; expected one of {', '.join(data.VARIANTS)}"
            )
        float_dtype(self.dtype)
        if self.test_size + self.validation_size >= 150:
            raise ValueError(
                f"test_size + validation_size must leave training flowers out of the 150, "
                f"got {self.test_size} + {self.validation_size}"
            )

    @property
    def sizes(self) -> str:
        """The net's layer sizes, e.g. ``"4-2-3"``."""
        return f"{len(data.FEATURES)}-{self.n_hidden}-{len(data.SPECIES)}"


@dataclass(frozen=True)
class Preset:
    """One of the series' training runs (SERIES.md, part 14)."""

    name: str
    description: str
    setup: Setup


_RUN_1 = "run 1 of part 14: split S = 4, seed-10 weights, 4-2-3, eta 0.1"
_RUN_2 = "run 2 of part 14: split S = 7, seed-3 weights, eta 0.1, 15000 epochs"
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("run1-1000", f"{_RUN_1}, 1000 epochs", Setup(4, 10, 2, epochs=1000)),
        Preset("run1-10000", f"{_RUN_1}, 10000 epochs", Setup(4, 10, 2, epochs=10000)),
        Preset("run1-15000", f"{_RUN_1}, 15000 epochs", Setup(4, 10, 2, epochs=15000)),
        Preset("run2-4-2-3", f"{_RUN_2}, 4-2-3", Setup(7, 3, 2, epochs=15000)),
        Preset("run2-4-6-3", f"{_RUN_2}, 4-6-3 (6 hidden nodes)", Setup(7, 3, 6, epochs=15000)),
    )
}
"""The series' runs by name. Run 1's three are one trajectory: full-batch gradient descent
is deterministic, so ``run1-1000`` is the first 1000 epochs of ``run1-15000``."""


def preset(name: str) -> Preset:
    """The preset called ``name``; a ValueError listing the known names if there is none."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; expected one of {', '.join(PRESETS)}") from None


@dataclass(frozen=True)
class Run:
    """A :class:`Setup` trained: its data, initial weights, training and final figures.

    ``final`` evaluates the returned weights on ``"train"``, ``"test"`` and, when the
    setup holds one out, ``"validation"``.
    """

    setup: Setup
    split: data.Split
    validation: data.Dataset | None
    initial: Weights
    training: Training
    final: dict[str, Evaluation]

    @property
    def train_data(self) -> data.Dataset:
        """The flowers gradient descent ran on (the split's training set less validation)."""
        if self.validation is None:
            return self.split.train
        return _validation_split(self.setup, self.split.train).train


def _validation_split(setup: Setup, train_set: data.Dataset) -> data.Split:
    return data.train_test_split(train_set, setup.validation_size, seed=setup.split_seed)


def run_setup(
    setup: Setup,
    stopping: Sequence[StoppingRule] = (),
    divergence: Divergence | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Run:
    """Load the data, split it, draw the weights and :func:`train`, as part 14 does."""
    iris = data.load_iris(setup.variant, setup.dtype)
    split = data.train_test_split(iris, setup.test_size, seed=setup.split_seed)
    train_set, validation = split.train, None
    if setup.validation_size:
        held = _validation_split(setup, split.train)
        train_set, validation = held.train, held.test
    initial = network.initial_weights(setup.weight_seed, n_hidden=setup.n_hidden, dtype=setup.dtype)
    training = train(
        train_set.X,
        train_set.Y,
        *initial,
        eta=setup.eta,
        epochs=setup.epochs,
        stopping=stopping,
        validation=validation,
        test=split.test,
        divergence=divergence,
        progress=progress,
    )
    sets = {"train": train_set, "validation": validation, "test": split.test}
    final = {
        name: evaluate(dataset.X, dataset.Y, *training.weights)
        for name, dataset in sets.items()
        if dataset is not None
    }
    return Run(setup, split, validation, initial, training, final)


# --- Saving and loading -----------------------------------------------------------------------


def save_weights(
    path: str | os.PathLike[str],
    weights: Weights,
    metadata: Mapping[str, str | int | float] | None = None,
) -> None:
    """Write ``W1``, ``W2`` (and scalar ``metadata``) to an ``.npz`` file, without pickle."""
    arrays: dict[str, np.ndarray] = {"W1": np.asarray(weights.W1), "W2": np.asarray(weights.W2)}
    for key, value in (metadata or {}).items():
        if key in arrays or not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"metadata {key!r} must be a str, int or float named other than W1/W2")
        arrays[key] = np.asarray(value)
    with open(path, "wb") as file:
        np.savez(file, **arrays)  # type: ignore[arg-type]


class LoadedWeights(NamedTuple):
    """Weights read by :func:`load_weights` and the scalar metadata saved with them."""

    weights: Weights
    metadata: dict[str, str | int | float]


def load_weights(path: str | os.PathLike[str]) -> LoadedWeights:
    """Read weights saved by :func:`save_weights`: checked, never unpickled.

    ``W1`` and ``W2`` must be finite float32/float64 matrices of one dtype that chain
    (``W1.shape[1] == W2.shape[0]``); other entries must be scalars (metadata).
    """
    where = f"weights file {os.fspath(path)!r}"
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(f"cannot read {where} as a NumPy .npz archive: {error}") from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{where} is a single .npy array, expected an .npz archive with W1, W2")
    with archive:
        missing = [key for key in ("W1", "W2") if key not in archive.files]
        if missing:
            raise ValueError(
                f"{where} lacks {' and '.join(missing)}; it holds {sorted(archive.files)}"
            )
        try:
            entries = {key: archive[key] for key in archive.files}
        except ValueError as error:  # object arrays need pickle, which is refused
            raise ValueError(f"{where} holds data that only pickle can read: {error}") from error
    matrices = {}
    for key in ("W1", "W2"):
        value = entries.pop(key)
        try:
            matrices[key] = as_float_array(value, f"{key} in {where}", ndim=2)
        except TypeError as error:
            raise ValueError(str(error)) from error
    W1, W2 = matrices["W1"], matrices["W2"]
    if W1.dtype != W2.dtype:
        raise ValueError(
            f"W1 and W2 in {where} must share one dtype, got {W1.dtype} and {W2.dtype}"
        )
    if W1.shape[1] != W2.shape[0]:
        raise ValueError(
            f"W1's columns (hidden nodes) must match W2's rows in {where}, "
            f"got W1 of shape {W1.shape} and W2 of shape {W2.shape}"
        )
    metadata: dict[str, str | int | float] = {}
    for key, value in entries.items():
        if value.ndim != 0 or value.dtype.kind not in "iufU":
            raise ValueError(
                f"{where}: entry {key!r} must be a scalar number or string (metadata), "
                f"got an array of dtype {value.dtype} and shape {value.shape}"
            )
        metadata[key] = value.item()
    return LoadedWeights(Weights(W1, W2), metadata)


# --- A run's output directory -----------------------------------------------------------------

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
    from handbp import plots

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
