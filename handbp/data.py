"""The Iris data of the series, shipped with the package, and its seeded splits.

Two variants: ``"fisher"`` (the values of Fisher's 1936 paper, as R and scikit-learn
ship them; the default) and ``"uci"`` (the UCI Machine Learning Repository / Kaggle
copy that the series loaded, which differs in rows 34 and 37).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import DTypeLike

from handbp import checks
from handbp.checks import as_float_array, check_seed, float_dtype, positive_int

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

    def __post_init__(self) -> None:
        for name in ("X", "Y"):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.ndim != 2:
                raise TypeError(f"Dataset.{name} must be a 2-D NumPy array, got {value!r}"[:160])
            as_float_array(value, f"Dataset.{name}", ndim=2)  # float32/64, finite, non-empty
        if self.X.dtype != self.Y.dtype:
            raise TypeError(
                f"Dataset.X and Dataset.Y must share one dtype, got {self.X.dtype} and {self.Y.dtype}"
            )
        checks.one_hot(self.Y, "Dataset.Y")
        if isinstance(self.species, str) or not all(isinstance(s, str) for s in self.species):
            raise TypeError(
                f"Dataset.species must be a tuple of str (one name per example), got "
                f"{self.species!r}"[:160]
            )
        if not (self.X.shape[0] == self.Y.shape[0] == len(self.species)):
            raise ValueError(
                f"Dataset needs one row of X, one row of Y and one species name per example, "
                f"got {self.X.shape[0]}, {self.Y.shape[0]} and {len(self.species)}"
            )

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
    if not isinstance(variant, str):
        raise TypeError(f"variant must be a str, one of {', '.join(VARIANTS)}; got {variant!r}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown data variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    return variant


def _check_dataset(value: object, name: str) -> Dataset:
    if not isinstance(value, Dataset):
        raise TypeError(
            f"{name} must be a handbp.data.Dataset (e.g. load_iris()), got {type(value).__name__}"
        )
    return value


def one_hot(species: Sequence[str], dtype: DTypeLike = np.float64) -> np.ndarray:
    """One-hot labels, one column per species in the order of :data:`SPECIES`.

    ``species`` is a sequence of names, one per row (a single name is refused: wrap it
    in a list).
    """
    if isinstance(species, str | bytes) or not isinstance(species, Sequence | np.ndarray):
        raise TypeError(
            f"species must be a list or tuple of species names, one per row, got "
            f"{type(species).__name__} {species!r}"[:160]
            + ("; for one flower write [name]" if isinstance(species, str) else "")
        )
    if len(species) == 0:
        raise ValueError("species must hold at least one name, got an empty sequence")
    dtype = float_dtype(dtype)
    Y = np.zeros((len(species), len(SPECIES)), dtype=dtype)
    for row, name in enumerate(species):
        if not isinstance(name, str):
            raise TypeError(f"species[{row}] must be a species name (str), got {name!r}")
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


def subset(data: Dataset, rows: np.ndarray | Sequence[int]) -> Dataset:
    """The rows ``rows`` of ``data``, in that order (integer row numbers, from 0)."""
    _check_dataset(data, "data")
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence | np.ndarray):
        raise TypeError(f"rows must be a sequence of row numbers, got {type(rows).__name__}")
    rows = np.asarray(rows)
    if rows.ndim != 1 or rows.size == 0:
        raise ValueError(
            f"rows must be a non-empty 1-D sequence of row numbers, got shape {rows.shape}"
        )
    if rows.dtype.kind not in "iu":
        raise TypeError(f"rows must be integer row numbers, got dtype {rows.dtype}")
    if rows.min() < 0 or rows.max() >= len(data):
        raise ValueError(
            f"rows must be in 0..{len(data) - 1} (the rows of data), got {rows.min()}..{rows.max()}"
        )
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
    _check_dataset(data, "data")
    test_size = positive_int(test_size, "test_size")
    seed = check_seed(seed)
    if test_size >= len(data):
        raise ValueError(
            f"test_size must leave at least one training example: got {test_size} "
            f"for {len(data)} examples"
        )
    permutation = np.random.RandomState(seed).permutation(len(data))
    test_rows, train_rows = permutation[:test_size], permutation[test_size:]
    return Split(subset(data, train_rows), subset(data, test_rows), train_rows, test_rows)
