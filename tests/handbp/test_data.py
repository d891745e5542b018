"""handbp.data: the shipped Iris table, its variants, the three flowers and part 14's split."""

import csv
import hashlib
from pathlib import Path

import numpy as np
import pytest

from handbp import data
from tests.handbp import series
from tests.handbp.series import assert_printed

SHARED_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "iris.csv"


def test_shipped_copy_is_fishers_table():
    content = data.iris_csv_bytes()
    assert hashlib.sha256(content).hexdigest() == data.IRIS_SHA256
    iris = data.load_iris()
    assert iris.X.shape == (150, 4) and iris.Y.shape == (150, 3)
    assert iris.X.dtype == np.float64
    np.testing.assert_array_equal(iris.X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_array_equal(iris.Y.sum(axis=0), [50, 50, 50])


def test_shipped_copy_equals_the_shared_data_when_present():
    """The package's copy is byte-for-byte the project's shared iris.csv (when it is beside the clone)."""
    if SHARED_CSV.exists():
        assert SHARED_CSV.read_bytes() == data.iris_csv_bytes()
    else:
        assert hashlib.sha256(data.iris_csv_bytes()).hexdigest() == data.IRIS_SHA256


def test_one_hot_in_species_order():
    iris = data.load_iris()
    rows = csv.reader(data.iris_csv_bytes().decode().splitlines()[1:])
    for r, row in enumerate(rows):
        assert iris.Y[r].tolist() == [float(row[4] == s) for s in data.SPECIES]


def test_uci_variant_differs_in_exactly_two_rows():
    fisher, uci = data.load_iris("fisher"), data.load_iris("uci")
    differ = np.flatnonzero(np.any(fisher.X != uci.X, axis=1))
    assert differ.tolist() == [34, 37]
    np.testing.assert_array_equal(uci.X[34], [4.9, 3.1, 1.5, 0.1])
    np.testing.assert_array_equal(uci.X[37], [4.9, 3.1, 1.5, 0.1])
    np.testing.assert_array_equal(fisher.X[37], [4.9, 3.6, 1.4, 0.1])


@pytest.mark.parametrize("variant", data.VARIANTS)
def test_three_flowers_of_the_series(variant):
    flowers = data.three_flowers(variant)
    np.testing.assert_array_equal(
        flowers.X, [[4.9, 3.0, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [5.8, 2.7, 5.1, 1.9]]
    )
    np.testing.assert_array_equal(flowers.Y, np.eye(3))
    assert flowers.species == data.SPECIES


def test_three_flowers_print_as_the_series_printed_x_and_y():
    """Part 13's notebook printed x and y of rows 1, 51 and 101 (its Iris.csv, UCI's)."""
    flowers = data.three_flowers("uci")
    assert_printed(flowers.X, series.STEP_X)
    assert_printed(flowers.Y, series.STEP_Y)


def test_float32_data():
    flowers = data.three_flowers(dtype=np.float32)
    assert flowers.X.dtype == np.float32 and flowers.Y.dtype == np.float32


@pytest.mark.parametrize("seed", [4, 7, 0, 123])
def test_split_equals_scikit_learn(seed):
    from sklearn.model_selection import train_test_split

    iris = data.load_iris("uci")
    split = data.train_test_split(iris, test_size=20, seed=seed)
    X_train, X_test, Y_train, Y_test = train_test_split(
        iris.X, iris.Y, test_size=20, random_state=seed
    )
    np.testing.assert_array_equal(split.train.X, X_train)
    np.testing.assert_array_equal(split.test.X, X_test)
    np.testing.assert_array_equal(split.train.Y, Y_train)
    np.testing.assert_array_equal(split.test.Y, Y_test)
    assert len(split.train) == 130 and len(split.test) == 20
    assert sorted([*split.train_rows, *split.test_rows]) == list(range(150))


def test_bad_input():
    with pytest.raises(
        ValueError, match="unknown data variant 'kaggle'; expected one of fisher, uci"
    ):
        data.load_iris("kaggle")
    with pytest.raises(TypeError, match="dtype must be float32 or float64, got int64"):
        data.load_iris(dtype=np.int64)
    iris = data.load_iris()
    with pytest.raises(ValueError, match="test_size must leave at least one training example"):
        data.train_test_split(iris, test_size=150)
    with pytest.raises(ValueError, match="test_size must be at least 1"):
        data.train_test_split(iris, test_size=0)
    with pytest.raises(ValueError, match="unknown species 'rose' in row 1"):
        data.one_hot(["Iris-setosa", "rose"])
