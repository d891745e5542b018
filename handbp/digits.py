"""The 8x8 handwritten digits (beyond the series): 1797 images of the digits 0-9.

The copy scikit-learn ships (from UCI's optdigits; ``handbp/data/digits.LICENSE.txt``
says where it comes from and under which licence), shipped with handbp and loaded
without scikit-learn. Each image is 8x8 pixels, each pixel an integer 0..16 (how many of
the 16 pixels of a 4x4 block of the original 32x32 bitmap were on); :func:`load_digits`
scales them to [0, 1] by dividing by 16, which is exact in floating point.

The result is a :class:`handbp.data.Dataset` like Iris's: read-only ``X`` (1797 x 64)
and one-hot ``Y`` (1797 x 10, columns in the order of :data:`DIGITS`), its ``species``
the class name of each row (``"0"`` ... ``"9"``). :func:`stratified_split` holds out a
seeded test set with each digit in (nearly) the same proportion as in the whole.
"""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources

import numpy as np
from numpy.typing import DTypeLike

from handbp.checks import check_seed, finite_real, float_dtype
from handbp.data import Dataset, Split, _read_only, subset

DIGITS: tuple[str, ...] = tuple(str(digit) for digit in range(10))
"""The class names, in the order of the one-hot columns of Y."""

IMAGE_SHAPE = (8, 8)
"""The shape of one image; a row of X is an image read row by row."""

PIXEL_MAX = 16
"""The largest pixel value in the file; X is the file's pixels divided by it."""

DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"

DIGITS_ROWS = 1797


def digits_csv_bytes() -> bytes:
    """The shipped ``digits.csv.gz`` (as scikit-learn ships it), checked against its sha256."""
    content = resources.files("handbp").joinpath("data/digits.csv.gz").read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != DIGITS_SHA256:
        raise RuntimeError(
            f"handbp's digits.csv.gz is damaged: sha256 {digest}, expected {DIGITS_SHA256}"
        )
    return content


def load_digits(dtype: DTypeLike = np.float64) -> Dataset:
    """All 1797 images in file order: X the pixels / 16 (in [0, 1]), Y one-hot digits.

    The same images and labels, in the same order, as scikit-learn's
    ``load_digits()`` (whose ``data`` is the unscaled 0..16).
    """
    dtype = float_dtype(dtype)
    text = gzip.decompress(digits_csv_bytes()).decode("ascii")
    values = np.fromstring(text.replace("\n", ","), dtype=np.int64, sep=",")
    if values.size != DIGITS_ROWS * 65:
        raise RuntimeError(f"unexpected digits.csv.gz contents: {values.size} numbers")
    table = values.reshape(DIGITS_ROWS, 65)
    pixels, labels = table[:, :64], table[:, 64]
    X = (pixels / PIXEL_MAX).astype(dtype)
    Y = np.eye(len(DIGITS), dtype=dtype)[labels]
    return Dataset(_read_only(X), _read_only(Y), tuple(DIGITS[label] for label in labels))


def stratified_split(data: Dataset, test_fraction: float = 0.2, seed: int = 0) -> Split:
    """A seeded train/test split that keeps each class's share: ``round(n_c f)`` test rows of class c.

    For every class c (a one-hot column of ``data.Y``) with ``n_c`` rows, the test set
    takes ``floor(n_c * test_fraction + 0.5)`` of them (rounded half up), so each class's
    share of the test set is within ``0.5 / n_c`` of ``test_fraction``; each class keeps at
    least one row on each side. Which rows: the first of a seeded permutation of the class's
    rows (``numpy.random.default_rng(seed)``, classes in column order). Both sets list
    their rows in the order of ``data``.
    """
    if not isinstance(data, Dataset):
        raise TypeError(
            f"data must be a handbp.data.Dataset (e.g. load_digits()), got {type(data).__name__}"
        )
    test_fraction = finite_real(test_fraction, "test_fraction", positive=True)
    if test_fraction >= 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    seed = check_seed(seed)
    labels = np.argmax(data.Y, axis=1)
    generator = np.random.default_rng(seed)
    test_rows = []
    for column in range(data.Y.shape[1]):
        rows = np.flatnonzero(labels == column)
        if rows.size == 0:
            continue
        count = int(np.floor(rows.size * test_fraction + 0.5))
        if not 1 <= count < rows.size:
            raise ValueError(
                f"test_fraction {test_fraction} gives class {column} ({rows.size} rows) "
                f"{count} test rows: each class needs at least one row in each set"
            )
        test_rows.append(generator.permutation(rows)[:count])
    test = np.sort(np.concatenate(test_rows))
    train = np.setdiff1d(np.arange(len(data)), test)
    return Split(subset(data, train), subset(data, test), train, test)
