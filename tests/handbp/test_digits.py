"""handbp.digits: the shipped 8x8 digits, loaded without scikit-learn, and the stratified split."""

import hashlib
import sys
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbp import checks, digits
from handbp.data import Dataset, subset


def test_shipped_copy_is_byte_for_byte_scikit_learns():
    sklearn_data = pytest.importorskip("sklearn.datasets")
    shipped = resources.files(sklearn_data).joinpath("data/digits.csv.gz").read_bytes()
    assert shipped == digits.digits_csv_bytes()
    assert hashlib.sha256(shipped).hexdigest() == digits.DIGITS_SHA256


def test_loaded_arrays_equal_scikit_learns_load_digits_exactly():
    from sklearn.datasets import load_digits

    reference = load_digits()
    data = digits.load_digits()
    assert data.X.shape == (1797, 64) and data.Y.shape == (1797, 10)
    assert data.X.dtype == np.float64 and data.Y.dtype == np.float64
    # bit for bit: pixel / 16 is exact, so scaling back gives scikit-learn's integers
    assert np.array_equal(data.X, reference.data / 16)
    assert np.array_equal(data.X * 16, reference.data)
    assert np.array_equal(np.argmax(data.Y, axis=1), reference.target)
    assert np.array_equal(data.Y, np.eye(10)[reference.target])
    assert data.species == tuple(str(label) for label in reference.target)
    assert np.array_equal(data.X.reshape(-1, *digits.IMAGE_SHAPE), reference.images / 16)


def test_scaling_to_zero_one_and_float32():
    data = digits.load_digits()
    assert data.X.min() == 0 and data.X.max() == 1
    small = digits.load_digits(np.float32)
    assert small.X.dtype == np.float32 and small.Y.dtype == np.float32
    np.testing.assert_array_equal(small.X, data.X.astype(np.float32))
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        digits.load_digits(np.int64)


def test_loading_does_not_import_scikit_learn():
    code = (
        "import sys; from handbp.digits import load_digits; load_digits(); "
        "assert not any(name.startswith('sklearn') for name in sys.modules)"
    )
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


def test_arrays_are_read_only_so_the_checks_remember_them():
    data = digits.load_digits()
    assert not data.X.flags.writeable and not data.Y.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        data.X[0, 0] = 2.0
    # what the checks need to remember an array: nothing else can write to its memory
    for array in (data.X, data.Y):
        assert array.base is None or not array.base.flags.writeable
    assert checks.as_float_array(data.X, "X") is data.X


def test_damaged_file_is_refused(monkeypatch):
    monkeypatch.setattr(digits, "DIGITS_SHA256", "0" * 64)
    with pytest.raises(RuntimeError, match=r"digits\.csv\.gz is damaged"):
        digits.load_digits()


def class_counts(data: Dataset) -> np.ndarray:
    return data.Y.sum(axis=0)


def test_default_split_keeps_every_digits_share():
    data = digits.load_digits()
    split = digits.stratified_split(data)
    totals = class_counts(data)
    test = class_counts(split.test)
    # the documented rule, worked from the class sizes: round half up of 0.2 n_c
    np.testing.assert_array_equal(test, np.floor(totals * 0.2 + 0.5))
    np.testing.assert_array_equal(test + class_counts(split.train), totals)
    assert len(split.test) == 359 and len(split.train) == 1438
    assert np.all(np.abs(test / totals - 0.2) <= 0.5 / totals)
    # the rows: disjoint, together every row once, each set in file order
    rows = np.concatenate([split.train_rows, split.test_rows])
    np.testing.assert_array_equal(np.sort(rows), np.arange(len(data)))
    assert np.all(np.diff(split.train_rows) > 0) and np.all(np.diff(split.test_rows) > 0)
    np.testing.assert_array_equal(split.test.X, data.X[split.test_rows])
    assert not split.test.X.flags.writeable


def test_split_is_seeded():
    data = digits.load_digits()
    first = digits.stratified_split(data, seed=3)
    again = digits.stratified_split(data, seed=3)
    other = digits.stratified_split(data, seed=4)
    np.testing.assert_array_equal(first.test_rows, again.test_rows)
    assert not np.array_equal(first.test_rows, other.test_rows)
    np.testing.assert_array_equal(class_counts(first.test), class_counts(other.test))


@settings(max_examples=30, deadline=None)
@given(fraction=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_every_fraction_and_seed_is_stratified(fraction, seed):
    data = digits.load_digits()
    split = digits.stratified_split(data, fraction, seed)
    totals = class_counts(data)
    assert np.all(np.abs(class_counts(split.test) / totals - fraction) <= 0.5 / totals + 1e-12)
    assert len(split.train) + len(split.test) == len(data)
    assert len(np.intersect1d(split.train_rows, split.test_rows)) == 0


def test_split_works_on_any_dataset_and_skips_absent_classes():
    data = subset(digits.load_digits(), np.arange(40))  # not every digit has 2 rows here
    few = Dataset(data.X[:4], np.eye(3)[[0, 0, 2, 2]], ("a", "a", "c", "c"))
    split = digits.stratified_split(few, 0.5, seed=1)
    np.testing.assert_array_equal(class_counts(split.test), [1, 0, 1])


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((np.zeros((3, 2)),), TypeError, "data must be a handbp.data.Dataset"),
        ((None, 0.0), ValueError, "test_fraction must be positive"),
        ((None, 1.0), ValueError, r"test_fraction must be in \(0, 1\)"),
        ((None, "0.2"), TypeError, "test_fraction must be a real number"),
        ((None, 0.2, -1), ValueError, "seed must be in"),
        ((None, 0.001), ValueError, "each class needs at least one row in each set"),
    ],
)
def test_bad_split_arguments(arguments, error, message):
    data = digits.load_digits()
    arguments = (data if arguments[0] is None else arguments[0], *arguments[1:])
    with pytest.raises(error, match=message):
        digits.stratified_split(*arguments)
