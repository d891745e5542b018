"""The Iris data of the series, shipped with the package, and its seeded splits.

Two variants: ``"fisher"`` (the values of Fisher's 1936 paper, as R and scikit-learn
ship them; the default) and ``"uci"`` (the UCI Machine Learning Repository / Kaggle
copy that the series loaded, which differs in rows 34 and 37).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import DTypeLike

from handbp.checks import float_dtype, positive_int

SPECIES: tuple[str, ...] = ("Iris-setosa", "Iris-versicolor", "Iris-virginica")
"""Species in the order of the one-hot columns of Y."""

FEATURES: tuple[str, ...] = ("sepal_length", "sepal_width", "petal_length", "petal_width")

VARIANTS: tuple[str, ...] = ("fisher", "uci")

SERIES_VARIANT = "uci"
"""The variant the series' notebooks loaded."""

THREE_FLOWERS_ROWS: tuple[int, ...] = (1, 51, 101)
"""Rows (from 0) of the three flowers of parts 2-13: the second flower of each species."""

IRIS_SHA256 = "09d1766be79ec606b4c045059bc4b0d3e6a693b61d1cdfc6bdd45af42531df65"

UCI_ROWS: dict[int, tuple[float, float, float, float]] = {
    34: (4.9, 3.1, 1.5, 0.1),
    37: (4.9, 3.1, 1.5, 0.1),
}
"""The whole difference of the UCI/Kaggle variant: its values for two rows."""


@dataclass(frozen=True)
class Dataset:
    """Features ``X`` (one row per flower), one-hot labels ``Y`` and species names.

    The data sets handbp loads hold read-only arrays: they cannot be changed by accident,
    and handbp's checks remember them, so a training loop checks its data only once.
    """

    X: np.ndarray
    Y: np.ndarray
    species: tuple[str, ...]

    def __len__(self) -> int:
        return self.X.shape[0]


@dataclass(frozen=True)
class Split:
    """A train/test split of a :class:`Dataset`, with the row indices it took."""

    train: Dataset
    test: Dataset
    train_rows: np.ndarray
    test_rows: np.ndarray


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown data variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    return variant


def one_hot(species: list[str] | tuple[str, ...], dtype: DTypeLike = np.float64) -> np.ndarray:
    """One-hot labels, one column per species in the order of :data:`SPECIES`."""
    dtype = float_dtype(dtype)
    Y = np.zeros((len(species), len(SPECIES)), dtype=dtype)
    for row, name in enumerate(species):
        if name not in SPECIES:
            raise ValueError(
                f"unknown species {name!r} in row {row}; expected one of {', '.join(SPECIES)}"
            )
        Y[row, SPECIES.index(name)] = 1
    return Y


def iris_csv_bytes() -> bytes:
    """The shipped ``iris.csv`` (Fisher's values), checked against its known sha256."""
    content = resources.files("handbp").joinpath("data/iris.csv").read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != IRIS_SHA256:
        raise RuntimeError(f"handbp's iris.csv is damaged: sha256 {digest}, expected {IRIS_SHA256}")
    return content


def load_iris(variant: str = "fisher", dtype: DTypeLike = np.float64) -> Dataset:
    """All 150 flowers, in file order (setosa 0-49, versicolor 50-99, virginica 100-149)."""
    _check_variant(variant)
    dtype = float_dtype(dtype)
    reader = csv.reader(iris_csv_bytes().decode("utf-8").splitlines())
    header = next(reader)
    if tuple(header) != (*FEATURES, "species"):
        raise RuntimeError(f"unexpected iris.csv header {header}")
    rows = list(reader)
    X = np.array([[float(v) for v in row[:4]] for row in rows], dtype=np.float64)
    if variant == "uci":
        for row, values in UCI_ROWS.items():
            X[row] = values
    species = tuple(row[4] for row in rows)
    return Dataset(_read_only(X.astype(dtype)), _read_only(one_hot(species, dtype)), species)


def three_flowers(variant: str = "fisher", dtype: DTypeLike = np.float64) -> Dataset:
    """The three flowers of parts 2-13: rows 1, 51 and 101 (one per species)."""
    iris = load_iris(variant, dtype)
    return subset(iris, np.array(THREE_FLOWERS_ROWS))


def subset(data: Dataset, rows: np.ndarray) -> Dataset:
    """The rows ``rows`` of ``data``, in that order."""
    X, Y = _read_only(data.X[rows]), _read_only(data.Y[rows])
    return Dataset(X, Y, tuple(data.species[r] for r in rows))


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def train_test_split(data: Dataset, test_size: int = 20, seed: int = 4) -> Split:
    """Part 14's seeded split: the first ``test_size`` of a seeded permutation are the test set.

    The test rows are ``numpy.random.RandomState(seed).permutation(len(data))[:test_size]``
    and the training rows the rest, in that permutation's order: exactly what
    scikit-learn's ``train_test_split(X, Y, test_size=test_size, random_state=seed)``
    returns for an integer ``test_size``, without depending on scikit-learn.
    """
    test_size = positive_int(test_size, "test_size")
    if test_size >= len(data):
        raise ValueError(
            f"test_size must leave at least one training example: got {test_size} "
            f"for {len(data)} examples"
        )
    permutation = np.random.RandomState(seed).permutation(len(data))
    test_rows, train_rows = permutation[:test_size], permutation[test_size:]
    return Split(subset(data, train_rows), subset(data, test_rows), train_rows, test_rows)
