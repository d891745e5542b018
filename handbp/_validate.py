"""Input checks shared by every handbp function.

Each check raises a ``TypeError`` or ``ValueError`` whose message names the argument,
what was expected and what arrived. The checks can be switched off inside
:func:`unchecked`, which the training loop uses after it has checked its inputs once:
the maths then runs on arrays it already knows to be sound.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from numbers import Integral, Real
from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

_enabled: ContextVar[bool] = ContextVar("handbp_checks_enabled", default=True)


@contextmanager
def unchecked() -> Iterator[None]:
    """Run the block without input checks (for loops over inputs already checked)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def checks_enabled() -> bool:
    """Whether input checks are on (they are, outside :func:`unchecked`)."""
    return _enabled.get()


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:120]


def as_float_array(value: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float32/float64 array, or raise naming ``name``.

    Python numbers and nested lists of numbers become float64 arrays. A NumPy array
    must already have a float32 or float64 dtype: integer, boolean, object and other
    arrays are refused rather than silently converted.
    """
    if not checks_enabled() and isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if array.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"{name} must be a float32 or float64 array, got {_describe(array)}; "
                f"convert it explicitly, e.g. {name}.astype(np.float64)"
            )
    elif isinstance(value, bool):
        raise TypeError(f"{name} must be a real number or an array of them, got bool {value!r}")
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:  # e.g. ragged nested lists
            raise TypeError(
                f"{name} must be a real number or a (nested) list of numbers, "
                f"got {_describe(value)}"
            ) from error
        if array.dtype.kind not in "iuf":  # strings, bools, objects are not numbers
            raise TypeError(
                f"{name} must be a real number or a (nested) list of numbers, "
                f"got {_describe(value)}"
            )
        array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        kind = {0: "a scalar", 1: "a vector (1-D)", 2: "a matrix (2-D)"}.get(ndim, f"{ndim}-D")
        raise ValueError(f"{name} must be {kind}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not np.isfinite(array).all():  # the method skips np.all's Python wrapper
        bad = np.argwhere(~np.isfinite(array))
        where = tuple(int(i) for i in bad[0]) if array.ndim else ()
        raise ValueError(
            f"{name} must be finite, found {bad.shape[0]} NaN/inf entries "
            f"(first at index {where}: {array[where]!r})"
        )
    return array


def same_dtype(**arrays: np.ndarray) -> np.dtype:
    """Check that all arrays share one dtype and return it (no silent up- or downcast)."""
    if not checks_enabled():
        return next(iter(arrays.values())).dtype
    dtypes = {name: array.dtype for name, array in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{name} is {dtype}" for name, dtype in dtypes.items())
        raise TypeError(
            f"arrays must share one float dtype, got {listed}; cast explicitly with .astype()"
        )
    return next(iter(dtypes.values()))


def matmul_shapes(left: np.ndarray, left_name: str, right: np.ndarray, right_name: str) -> None:
    """Check that ``left @ right`` is defined, naming both operands if not."""
    if checks_enabled() and left.shape[-1] != right.shape[0]:
        raise ValueError(
            f"{left_name} @ {right_name} needs {left_name}.shape[1] == {right_name}.shape[0], "
            f"got {left_name} of shape {left.shape} and {right_name} of shape {right.shape}"
        )


def same_shape(**arrays: np.ndarray) -> None:
    """Check that all arrays have one shape (elementwise maths never broadcasts)."""
    if not checks_enabled():
        return
    shapes = {name: array.shape for name, array in arrays.items()}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"{name} has shape {shape}" for name, shape in shapes.items())
        raise ValueError(f"shapes must match (nothing is broadcast), got {listed}")


def one_hot(Y: np.ndarray, name: str = "Y") -> None:
    """Check that every row of ``Y`` is one-hot: zeros and a single one."""
    if not checks_enabled():
        return
    binary = (Y == 0) | (Y == 1)
    rows_ok = np.all(binary, axis=1) & (Y.sum(axis=1) == 1)
    if not np.all(rows_ok):
        row = int(np.flatnonzero(~rows_ok)[0])
        raise ValueError(
            f"{name} must be one-hot (each row zeros and a single 1), "
            f"row {row} is {Y[row].tolist()}"
        )


def positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int >= 1, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def finite_real(value: Any, name: str, positive: bool = False) -> float:
    """Return ``value`` as a finite float (> 0 if ``positive``), or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if positive and number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    return number


def index(value: Any, name: str, size: int, axis_name: str) -> int:
    """Return ``value`` as an index into an axis of length ``size``, or raise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer index, got {_describe(value)}")
    if not 0 <= int(value) < size:
        raise ValueError(f"{name} must be in 0..{size - 1} ({axis_name}), got {value}")
    return int(value)


def float_dtype(dtype: Any) -> np.dtype:
    """Return ``dtype`` as a NumPy dtype if it is float32 or float64, or raise."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from error
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {resolved}")
    return resolved
