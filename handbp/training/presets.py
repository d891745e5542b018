"""The series' training runs (part 14): a run's setup, the presets, and running one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral

from handbp import data, network
from handbp.checks import check_seed, finite_real, float_dtype, positive_int
from handbp.network import Weights
from handbp.training.history import Progress, Training
from handbp.training.judging import Evaluation, evaluate
from handbp.training.loop import train
from handbp.training.rules import Check, Divergence, StoppingRule


@dataclass(frozen=True)
class RunSetup:
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
            check_seed(getattr(self, name), name)
        positive_int(self.n_hidden, "n_hidden (hidden nodes)")
        finite_real(self.eta, "eta (learning rate)", positive=True)
        positive_int(self.epochs, "epochs")
        positive_int(self.test_size, "test_size")
        if isinstance(self.validation_size, bool) or not isinstance(self.validation_size, Integral):
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
    setup: RunSetup


_RUN_1 = "run 1 of part 14: split S = 4, seed-10 weights, 4-2-3, eta 0.1"
_RUN_2 = "run 2 of part 14: split S = 7, seed-3 weights, eta 0.1, 15000 epochs"
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("run1-1000", f"{_RUN_1}, 1000 epochs", RunSetup(4, 10, 2, epochs=1000)),
        Preset("run1-10000", f"{_RUN_1}, 10000 epochs", RunSetup(4, 10, 2, epochs=10000)),
        Preset("run1-15000", f"{_RUN_1}, 15000 epochs", RunSetup(4, 10, 2, epochs=15000)),
        Preset("run2-4-2-3", f"{_RUN_2}, 4-2-3", RunSetup(7, 3, 2, epochs=15000)),
        Preset("run2-4-6-3", f"{_RUN_2}, 4-6-3 (6 hidden nodes)", RunSetup(7, 3, 6, epochs=15000)),
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
    """A :class:`RunSetup` trained: its data, initial weights, training and final figures.

    ``final`` evaluates the returned weights on ``"train"``, ``"test"`` and, when the
    setup holds one out, ``"validation"``.
    """

    setup: RunSetup
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


def _validation_split(setup: RunSetup, train_set: data.Dataset) -> data.Split:
    return data.train_test_split(train_set, setup.validation_size, seed=setup.split_seed)


def run_setup(
    setup: RunSetup,
    stopping: Sequence[StoppingRule | Check] = (),
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
