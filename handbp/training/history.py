"""What a training run records: the curves of every epoch, why it stopped, its progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from handbp.network import Weights
from handbp.training.diagnostics import Diagnosis


@dataclass(frozen=True)
class Curves:
    """MSE and accuracy of every epoch on one data set (part 14).

    Entry ``e`` comes from the feedforward pass of epoch ``e``, with the weights before
    that epoch's update, as the series records them. Both are float64 arrays. For a
    net of :mod:`handbp.nn` trained by :func:`~handbp.training.fit`, ``mse`` holds the
    net's loss, named by ``loss`` (e.g. ``"cross-entropy"``), after epoch ``e``'s updates.
    """

    mse: np.ndarray
    accuracy: np.ndarray
    loss: str = "MSE"

    def __len__(self) -> int:
        return int(self.mse.shape[0])


@dataclass(frozen=True)
class Stop:
    """Why and when training stopped.

    ``rule`` is ``"epochs"`` (the epochs asked for all ran), ``"fixed_point"`` (an update
    changed no weight, so every later epoch would repeat this one), the ``name`` of the
    stopping rule that fired, or ``"diverged"`` (in :attr:`TrainingDiverged.history`).
    ``epoch`` is the last epoch recorded; the returned weights are those after
    ``weights_epoch`` updates (the weights of record ``weights_epoch``).
    """

    rule: str
    epoch: int
    weights_epoch: int
    message: str


@dataclass(frozen=True)
class History:
    """The curves of a run and how it ended; ``validation`` and ``test`` only when given.

    ``loss`` names the loss the curves hold (``"mse"`` for the series' runs);
    ``diagnosis`` is what the diagnostics saw (:mod:`handbp.training.diagnostics`).
    """

    train: Curves
    validation: Curves | None
    test: Curves | None
    stop: Stop
    eta: float
    epochs_requested: int
    loss: str = "mse"
    diagnosis: Diagnosis | None = None

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
    """The result of :func:`~handbp.training.train`: the weights it returns and the run's history."""

    weights: Weights
    history: History


class Progress(NamedTuple):
    """What training reports after every block of epochs: epochs done, the last loss and accuracy.

    ``note`` is the latest diagnostic finding (:mod:`handbp.training.diagnostics`), or "".
    """

    epoch: int
    epochs: int
    mse: float
    accuracy: float
    note: str = ""


class TrainingDiverged(ArithmeticError):
    """Training produced NaN/inf or a runaway MSE; ``history`` holds the run up to there."""

    def __init__(self, message: str, epoch: int, kind: str, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.kind = kind
        self.history = history
