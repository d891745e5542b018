"""Checks of one value: each returns the value (converted where documented) or raises a
``TypeError``/``ValueError`` whose message names the argument.

Read-only arrays that passed the finiteness or one-hot check are remembered by identity,
so that a loop over the same data checks it once. The memory holds while nothing can
write to the array: once it, or the array owning its memory, is writable again, it is
looked at again. (Changing it and then setting the flag back to read-only is the one way
past this; handbp cannot see that.)
"""

from __future__ import annotations

import math
import os
import weakref
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


# --- Checks of one value --------------------------------------------------------------------


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages: type, and dtype/shape or repr."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:120]


# Read-only arrays that passed a check (the data sets handbp loads, or a user's own after
# ``X.flags.writeable = False``) cannot change, so they are remembered by identity and not
# checked again: a training loop pays for its data once. Entries leave with their arrays.
remembered: dict[int, tuple[weakref.ref, set[str]]] = {}


def unchangeable(array: np.ndarray) -> bool:
    """Whether nothing can write to ``array`` now: it is read-only, and so is the array
    that owns its memory (a flag set back to writeable, on it or its base, ends that)."""
    if array.flags.writeable:
        return False
    base = array.base
    return base is None or (type(base) is np.ndarray and not base.flags.writeable)


def known(array: np.ndarray, fact: str) -> bool:
    """Whether ``fact`` was found true of ``array`` and nothing could change it since."""
    entry = remembered.get(id(array))
    return entry is not None and entry[0]() is array and fact in entry[1] and unchangeable(array)


def remember(array: np.ndarray, fact: str) -> None:
    if not unchangeable(array):
        return  # only arrays that nothing can write to (short of setting the flag back)
    key = id(array)
    entry = remembered.get(key)
    if entry is None or entry[0]() is not array:
        entry = (weakref.ref(array, lambda _ref, key=key: remembered.pop(key, None)), set())
        remembered[key] = entry
    entry[1].add(fact)


def known_finite(array: np.ndarray) -> bool:
    """Whether ``array`` is finite, remembered or looked at (the fast paths' test)."""
    entry = remembered.get(id(array))
    if entry is not None and entry[0]() is array and "finite" in entry[1] and unchangeable(array):
        return True
    return is_finite(array)


def is_finite(array: np.ndarray) -> bool:
    """Whether every entry is finite (and, for a read-only array, remember that it is).

    The sum of squares is finite exactly when every entry is, unless it overflows; only
    then is each entry looked at.
    """
    if not (math.isfinite(np.vdot(array, array)) or np.isfinite(array).all()):
        return False
    if not array.flags.writeable:  # a read-only array: remembered, if its memory is too
        remember(array, "finite")
    return True


def as_float_array(value: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float32/float64 array, or raise naming ``name``.

    Python numbers and nested lists of numbers become float64 arrays. A NumPy array
    must already have a float32 or float64 dtype: integer, boolean, object and other
    arrays are refused rather than silently converted. The array must be non-empty and
    finite, and have ``ndim`` dimensions if ``ndim`` is given.
    """
    if (
        type(value) is np.ndarray
        and value.dtype.char in "fd"
        and (ndim is None or value.ndim == ndim)
        and value.size
        and known_finite(value)
    ):
        return value
    if isinstance(value, np.ndarray | np.generic) or not isinstance(value, list | tuple | Real):
        array = array_of(value, name)
        if array.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"{name} must be a float32 or float64 array, got {describe(array)}; "
                f"convert it explicitly, e.g. {name}.astype(np.float64)"
            )
    elif isinstance(value, bool):
        raise TypeError(f"{name} must be a real number or an array of them, got bool {value!r}")
    else:  # Python numbers and (nested) lists of them
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:  # e.g. ragged nested lists
            raise TypeError(
                f"{name} must be a real number or a (nested) list of numbers, got {describe(value)}"
            ) from error
        if array.dtype.kind not in "iuf":  # strings, bools, objects, None are not numbers
            raise TypeError(
                f"{name} must be a real number or a (nested) list of numbers, got {describe(value)}"
            )
        array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        kind = {0: "a scalar", 1: "a vector (1-D)", 2: "a matrix (2-D)"}.get(ndim, f"{ndim}-D")
        raise ValueError(f"{name} must be {kind}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not is_finite(array):
        bad = np.argwhere(~np.isfinite(array))
        where = tuple(int(i) for i in bad[0]) if array.ndim else ()
        raise ValueError(
            f"{name} must be finite, found {bad.shape[0]} NaN/inf entries "
            f"(first at index {where}: {array[where]!r})"
        )
    return array


def array_of(value: Any, name: str) -> np.ndarray:
    """``value``, a NumPy array, scalar or array-like (``__array__``), as an array with its
    own dtype, or raise naming ``name``.

    A masked array with masked entries is refused (``np.asarray`` would silently use the
    values under the mask); anything that is neither a number, a list, nor an array-like
    is a ``TypeError``.
    """
    if isinstance(value, np.ma.MaskedArray) and np.ma.count_masked(value):
        raise ValueError(
            f"{name} is a masked array with {np.ma.count_masked(value)} masked entries; "
            f"fill or drop them first (e.g. {name}.filled(0) or {name}.compressed())"
        )
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a float array, got {describe(value)}") from error
    if array.dtype == object or array.dtype.kind in "SUV":
        raise TypeError(
            f"{name} must be a real number or a (nested) list of numbers, got {describe(value)}"
        )
    return array


def one_hot(Y: np.ndarray, name: str = "Y") -> None:
    """Check that every row of the matrix ``Y`` is one-hot: zeros and a single 1."""
    # Each row holds a 1 and the whole matrix has as many non-zeros as rows: so every row
    # has exactly one non-zero entry, and it is the 1.
    if known(Y, "one-hot"):
        return
    ones = Y == 1
    if np.count_nonzero(Y) == Y.shape[0] and ones.any(axis=1).all():
        remember(Y, "one-hot")
        return
    rows_ok = ones.any(axis=1) & (np.count_nonzero(Y, axis=1) == 1)
    row = int(np.flatnonzero(~rows_ok)[0])
    raise ValueError(
        f"{name} must be one-hot (each row zeros and a single 1), row {row} is {Y[row].tolist()}"
    )


def binary(Y: np.ndarray, name: str = "Y") -> None:
    """Check that every entry of ``Y`` is 0 or 1 (binary labels, one per output node)."""
    if known(Y, "binary"):
        return
    bad = (Y != 0) & (Y != 1)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold binary labels (0 or 1), {name}{list(where)} is {Y[where]!r}"
        )
    remember(Y, "binary")


def probabilities(P: np.ndarray, name: str) -> None:
    """Check that every entry of ``P`` lies strictly between 0 and 1 (a log of it is finite)."""
    bad = (P <= 0) | (P >= 1)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold probabilities strictly between 0 and 1, {name}{list(where)} is "
            f"{P[where]!r} (use the loss from the logits, which stays finite)"
        )


def positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int >= 1, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def finite_real(value: Any, name: str, positive: bool = False) -> float:
    """Return ``value`` as a finite float (> 0 if ``positive``), or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if positive and number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    return number


def index(value: Any, name: str, size: int, axis_name: str) -> int:
    """Return ``value`` as an index into an axis of length ``size``, or raise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer index, got {describe(value)}")
    if not 0 <= int(value) < size:
        raise ValueError(f"{name} must be in 0..{size - 1} ({axis_name}), got {value}")
    return int(value)


SEED_LIMIT = 2**32
"""NumPy's seeds are the integers 0 .. 2**32 - 1."""


def check_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` as an int NumPy accepts as a seed, or raise naming ``name``."""
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(f"{name} must be an integer in 0..2**32 - 1, got {seed!r}")
    if not 0 <= int(seed) < SEED_LIMIT:
        raise ValueError(f"{name} must be in 0..2**32 - 1, got {seed}")
    return int(seed)


def float_dtype(dtype: Any) -> np.dtype:
    """Return ``dtype`` as a NumPy dtype if it is float32 or float64, or raise."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from error
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {resolved}")
    return resolved


def numbers(values: Any, name: str) -> list[float]:
    """Return a list of finite real numbers as floats (parts 3-4's lists), or raise.

    A 1-D NumPy array of numbers is taken as the list of its entries.
    """
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iuf":
        values = values.tolist()
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of numbers, got {describe(values)}")
    if len(values) == 0:
        raise ValueError(f"{name} must not be empty")
    for position, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(
                f"{name}[{position}] must be a number, got {type(value).__name__} {value!r}"
            )
        if not math.isfinite(value):
            raise ValueError(f"{name}[{position}] must be finite, got {value!r}")
    return [float(value) for value in values]


def file_path(value: Any, name: str = "path", *, writing: bool = False) -> Path:
    """Return ``value`` (a str or ``os.PathLike``) as a Path to a file, or raise naming ``name``.

    Refused: other types (an int would be taken for a file descriptor), an empty path, a
    directory and, when ``writing``, a file whose folder does not exist.
    """
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a file path (str or os.PathLike), got {describe(value)}")
    if not os.fspath(value):
        raise ValueError(f"{name} must name a file, got an empty path")
    path = Path(os.fsdecode(value))
    if path.is_dir():
        raise ValueError(f"{name} {str(path)!r} is a directory; expected a file name")
    if writing and not path.absolute().parent.is_dir():
        raise ValueError(
            f"{name} {str(path)!r} cannot be written: its folder {str(path.parent)!r} "
            f"does not exist or is not a directory"
        )
    return path
