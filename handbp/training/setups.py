"""Runs of :func:`~handbp.training.fit` beyond the series: a setup, presets, running one.

A :class:`FitSetup` names everything a run needs (data set, net, optimizer, batch size,
epochs, seeds); :func:`run_fit` loads the data, splits it, trains and judges the result.
The digits are split by :func:`handbp.digits.stratified_split`, Iris (the same net API on
the series' data) by :func:`handbp.data.train_test_split`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from handbp import data, digits
from handbp.checks import check_seed, describe, finite_real, positive_int
from handbp.nn import Net, Params
from handbp.optimizers import Optimizer
from handbp.training.fitting import Fitted, fit
from handbp.training.history import Progress
from handbp.training.judging import confusion_matrix
from handbp.training.minibatch import measure
from handbp.training.rules import Divergence

DATA_SETS: tuple[str, ...] = ("iris", "digits")
"""The data sets a run can train on."""


@dataclass(frozen=True)
class FitSetup:
    """One run of :func:`~handbp.training.fit`: data, net, optimizer and schedule.

    ``widths`` are the net's layer sizes, inputs first (64 and 10 for the digits, 4 and
    3 for Iris); ``activation`` is the hidden layers' (the output layer has a softmax for
    the cross-entropy, a sigmoid for the MSE). ``test_fraction`` of the digits (or
    ``round(test_fraction * 150)`` flowers) are held out for the test, by ``split_seed``,
    and ``validation_fraction`` of the rest, the same way, for the validation curves.
    """

    data: str = "digits"
    widths: tuple[int, ...] = (64, 32, 10)
    activation: str = "relu"
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    eta: float = 0.001
    batch_size: int = 32
    epochs: int = 50
    seed: int = 0
    split_seed: int = 0
    test_fraction: float = 0.2
    validation_fraction: float = 0.1
    mu: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    decay: float = 0.0

    def __post_init__(self) -> None:
        if self.data not in DATA_SETS:
            raise ValueError(
                f"unknown data set {self.data!r}; expected one of {', '.join(DATA_SETS)}"
            )
        positive_int(self.batch_size, "batch_size")
        positive_int(self.epochs, "epochs")
        check_seed(self.seed)
        check_seed(self.split_seed, "split_seed")
        for name in ("test_fraction", "validation_fraction"):
            fraction = finite_real(getattr(self, name), name, positive=True)
            if fraction >= 1:
                raise ValueError(f"{name} must be in (0, 1), got {fraction}")
        if isinstance(self.widths, str) or not isinstance(self.widths, Sequence):
            raise TypeError(
                f"widths must be a tuple of layer sizes like (64, 32, 10), got {describe(self.widths)}"
            )
        inputs, classes = (64, 10) if self.data == "digits" else (4, 3)
        if len(self.widths) < 2 or (self.widths[0], self.widths[-1]) != (inputs, classes):
            raise ValueError(
                f"the net {self.sizes} does not fit the {self.data} data: it needs {inputs} "
                f"inputs and {classes} outputs, e.g. {inputs}-32-{classes}"
            )
        self.net()  # the activation and loss must make a net
        self.make_optimizer()  # the optimizer's options must be in range

    @property
    def sizes(self) -> str:
        """The widths as ``"64-32-10"``."""
        return "-".join(str(width) for width in self.widths)

    def net(self) -> Net:
        """The :class:`~handbp.nn.Net`: hidden layers ``activation``, the output fitting the loss."""
        output = "softmax" if self.loss == "cross_entropy" else "sigmoid"
        return Net(self.widths, (self.activation,) * (len(self.widths) - 2) + (output,), self.loss)

    def make_optimizer(self) -> Optimizer:
        """The :class:`~handbp.optimizers.Optimizer` of the setup."""
        return Optimizer(
            self.optimizer, self.eta, self.mu, self.beta1, self.beta2, 1e-8, self.decay
        )

    def split(self, whole: data.Dataset | None = None, fraction: float | None = None) -> data.Split:
        """The train/test split of the data set (or of ``whole`` by ``fraction``)."""
        if whole is None:
            whole = digits.load_digits() if self.data == "digits" else data.load_iris()
        fraction = self.test_fraction if fraction is None else fraction
        if self.data == "digits":
            return digits.stratified_split(whole, fraction, self.split_seed)
        return data.train_test_split(whole, round(fraction * len(whole)), self.split_seed)

    @property
    def classes(self) -> tuple[str, ...]:
        """The class names, in the order of the one-hot columns."""
        return digits.DIGITS if self.data == "digits" else tuple(data.SPECIES)


@dataclass(frozen=True)
class FitPreset:
    """An instructive run on the digits."""

    name: str
    description: str
    setup: FitSetup


FIT_PRESETS: dict[str, FitPreset] = {
    preset.name: preset
    for preset in (
        FitPreset(
            "digits-adam",
            "64-32-10 ReLU, softmax cross-entropy, Adam eta 0.001, batch 32, 50 epochs: a good run",
            FitSetup(),
        ),
        FitPreset(
            "digits-sgd",
            "the same net by plain mini-batch SGD, eta 0.1, batch 32, 50 epochs",
            FitSetup(optimizer="sgd", eta=0.1),
        ),
        FitPreset(
            "digits-sgd-too-fast",
            "SGD with eta 50: the first steps explode, every ReLU dies, the loss stalls",
            FitSetup(optimizer="sgd", eta=50.0, epochs=20),
        ),
        FitPreset(
            "digits-deep-sigmoid",
            "64-32-32-32-32-32-10 sigmoid, MSE, SGD eta 0.5: the gradient vanishes and "
            "the loss stalls",
            FitSetup(
                widths=(64, 32, 32, 32, 32, 32, 10),
                activation="sigmoid",
                loss="mse",
                optimizer="sgd",
                eta=0.5,
                epochs=20,
            ),
        ),
    )
}
"""The digits presets by name."""


@dataclass(frozen=True)
class FitRun:
    """A :class:`FitSetup` trained: its splits, the fitted net, final figures per data set.

    ``split`` is train/test, ``held`` the split of that training set into the data trained
    on and the validation data; ``final[name]`` is ``(loss, accuracy, confusion matrix)``
    on ``"train"``, ``"validation"`` and ``"test"``.
    """

    setup: FitSetup
    split: data.Split
    held: data.Split
    fitted: Fitted
    final: dict[str, tuple[float, float, np.ndarray]]


def judge(net: Net, params: Params, dataset: data.Dataset) -> tuple[float, float, np.ndarray]:
    """Loss, accuracy and confusion matrix of ``params`` on ``dataset``."""
    loss, accuracy, outputs = measure(net, dataset.X, dataset.Y, params)
    return loss, accuracy, confusion_matrix(outputs[-1], dataset.Y)


def run_fit(
    setup: FitSetup,
    progress: Callable[[Progress], None] | None = None,
    divergence: Divergence | None = None,
) -> FitRun:
    """Split the data, :func:`~handbp.training.fit` the net, judge it on every part.

    Raises :class:`~handbp.training.TrainingDiverged` (with the history) if it diverges.
    """
    split = setup.split()
    held = setup.split(split.train, setup.validation_fraction)
    net = setup.net()
    fitted = fit(
        net,
        held.train,
        setup.make_optimizer(),
        batch_size=setup.batch_size,
        epochs=setup.epochs,
        seed=setup.seed,
        validation=held.test,
        test=split.test,
        progress=progress,
        divergence=divergence,
    )
    parts = {"train": held.train, "validation": held.test, "test": split.test}
    final = {name: judge(net, fitted.params, part) for name, part in parts.items()}
    return FitRun(setup, split, held, fitted, final)
