"""The declared kinds of argument: what ``checked(function, X="e i", eta=Rate(), ...)`` accepts."""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from handbp.checks.values import (
    as_float_array,
    binary,
    describe,
    finite_real,
    float_dtype,
    index,
    numbers,
    one_hot,
    positive_int,
    probabilities,
)

DIMENSIONS: dict[str, str] = {
    "e": "examples",
    "i": "inputs",
    "j": "hidden nodes",
    "k": "output nodes",
    "n": "nodes",
    "m": "nodes of the layer before",
}
"""What each dimension letter of a shape counts (the series' indices, part 9; chapter 2's
layer l has ``m`` inputs, the nodes of layer l - 1, and ``n`` nodes)."""


# --- Declared argument kinds ----------------------------------------------------------------


class Spec(ABC):
    """What one argument of a checked function must be.

    :meth:`check` returns the value the body receives (converted where that is the
    documented behaviour, e.g. a list to a float64 array) and the sizes it binds: a list
    of ``(letter, axis, size)`` for the dimensions its shape names.
    """

    dims: tuple[str, ...] = ()
    float_array = False
    late = False  # whether after_shapes has a check to run
    optional = False  # whether None is accepted (and passed on unchecked)

    @abstractmethod
    def check(self, value: Any, name: str) -> Any:
        """Return ``value`` as the body receives it, or raise naming ``name``."""

    def sizes(self, value: Any) -> tuple[int, ...]:
        return np.shape(value)

    def after_shapes(self, value: Any, name: str, bound: dict[str, int]) -> Any:
        """A check that needs the sizes of every argument (indices, one-hot rows)."""
        return value

    def fast_test(self, value: str) -> str | None:
        """Python source that is true when ``value`` passes unchanged (None: no fast test)."""
        return None


class Matrix(Spec):
    """A finite, non-empty float32/float64 array whose axes are the named dimensions.

    ``labels`` adds a check of the entries: ``"one-hot"`` rows, ``"binary"`` entries (0
    or 1) or ``"probabilities"`` (strictly between 0 and 1). ``optional`` accepts None
    (a layer without a bias).
    """

    float_array = True

    def __init__(
        self, dims: str, *, one_hot: bool = False, labels: str = "", optional: bool = False
    ) -> None:
        self.dims = tuple(dims.split())
        self.labels = "one-hot" if one_hot else labels
        if self.labels not in ("", "one-hot", "binary", "probabilities"):
            raise ValueError(f"unknown labels check {labels!r}")
        self.late = bool(self.labels)
        self.optional = optional

    @property
    def one_hot(self) -> bool:
        return self.labels == "one-hot"

    def check(self, value: Any, name: str) -> np.ndarray:
        return as_float_array(value, name, ndim=len(self.dims))

    def after_shapes(self, value: Any, name: str, bound: dict[str, int]) -> Any:
        if self.labels == "one-hot":
            one_hot(value, name)
        elif self.labels == "binary":
            binary(value, name)
        elif self.labels == "probabilities":
            probabilities(value, name)
        return value

    def __repr__(self) -> str:
        extra = f", labels={self.labels!r}" if self.labels else ""
        extra += ", optional=True" if self.optional else ""
        return f"Matrix({' '.join(self.dims)!r}{extra})"


def OneHot(dims: str) -> Matrix:
    """A matrix of one-hot rows (labels ``Y``): each row zeros and a single 1."""
    return Matrix(dims, one_hot=True)


def Binary(dims: str) -> Matrix:
    """A matrix of binary labels: every entry 0 or 1 (chapter 2's binary cross-entropy)."""
    return Matrix(dims, labels="binary")


def Probabilities(dims: str) -> Matrix:
    """A matrix of probabilities strictly between 0 and 1 (a cross-entropy's outputs)."""
    return Matrix(dims, labels="probabilities")


class Array(Spec):
    """A finite, non-empty float32/float64 array or number of any shape.

    ``shape`` names the whole shape: arguments declared with one name must have one shape
    (``x=Array("s"), gradient=Array("s")``).

    ``within=(low, high)`` with ``meaning`` declares the range of an activation's output
    that a derivative takes (the sigmoid's ``[0, 1]``): a value outside it is a layer's
    *input* passed where its output belongs, the mistake the message then names.
    """

    float_array = True

    def __init__(
        self, shape: str = "", within: tuple[float, float] | None = None, meaning: str = ""
    ) -> None:
        self.dims = (shape,) if shape else ()
        self.within, self.meaning = within, meaning

    def check(self, value: Any, name: str) -> np.ndarray:
        array = as_float_array(value, name)
        if self.within is not None:
            low, high = self.within
            outside = (array < low) | (array > high)
            if outside.any():
                where = tuple(int(i) for i in np.argwhere(outside)[0]) if array.ndim else ()
                raise ValueError(
                    f"{name} must be {self.meaning}, in [{low:g}, {high:g}]; "
                    f"{name}{list(where) if where else ''} is {array[where].item()!r}: was the "
                    f"layer's input z passed where its output belongs?"
                )
        return array

    def sizes(self, value: Any) -> tuple[int, ...]:
        return (value.shape,)


class Count(Spec):
    """A whole number >= 1 (``N``, ``steps``)."""

    def fast_test(self, value: str) -> str:
        return f"type({value}) is int and {value} >= 1"

    def check(self, value: Any, name: str) -> int:
        return positive_int(value, name)


class DType(Spec):
    """A float dtype, float32 or float64 (given as a dtype, a type or a name)."""

    def check(self, value: Any, name: str) -> np.dtype:
        return float_dtype(value)


class Rate(Spec):
    """A finite real number > 0 (the learning rate)."""

    def __init__(self, label: str = "") -> None:
        self.label = label

    def check(self, value: Any, name: str) -> float:
        return finite_real(value, f"{name} ({self.label})" if self.label else name, True)

    def fast_test(self, value: str) -> str:
        return f"type({value}) is float and isfinite({value}) and {value} > 0"


class Number(Spec):
    """A finite real number (a threshold)."""

    def fast_test(self, value: str) -> str:
        return f"type({value}) is float and isfinite({value})"

    def check(self, value: Any, name: str) -> float:
        return finite_real(value, name)


class Index(Spec):
    """An integer index into the dimension ``dim`` (``e``, ``k`` ... of the scalar parts)."""

    late = True

    def __init__(self, dim: str) -> None:
        self.dim = dim

    def check(self, value: Any, name: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise TypeError(f"{name} must be an integer index, got {describe(value)}")
        return int(value)

    def after_shapes(self, value: Any, name: str, bound: dict[str, int]) -> int:
        return index(value, name, bound[self.dim], DIMENSIONS.get(self.dim, self.dim))

    def fast_test(self, value: str) -> str:
        return f"type({value}) is int and 0 <= {value} < s_{self.dim}"


class Function(Spec):
    """An elementwise function (an activation, a derivative); ``None`` too if ``optional``.

    handbp's own functions (checked ones) pass as they are; any other callable is wrapped
    so that what it returns is checked: numbers of its input's shape, or a ``TypeError``/
    ``ValueError`` naming the argument (rather than a broadcast, or NumPy failing later).
    """

    def __init__(self, optional: bool = False) -> None:
        self.optional = optional

    def check(self, value: Any, name: str) -> Any:
        if not callable(value) and not (self.optional and value is None):
            expected = "a function or None" if self.optional else "a function"
            raise TypeError(f"{name} must be {expected}, got {describe(value)}")
        if value is None or hasattr(value, "checks"):
            return value
        return elementwise(value, name)

    def fast_test(self, value: str) -> str:
        return f"hasattr({value}, 'checks')" + (f" or {value} is None" if self.optional else "")


def elementwise(function: Callable[[Any], Any], name: str) -> Callable[[Any], Any]:
    """``function``, with each result checked: numbers of the shape of its input."""

    @functools.wraps(function)
    def result_checked(x: Any) -> Any:
        result = function(x)
        kind = getattr(result, "dtype", np.asarray(result).dtype).kind
        if kind not in "biuf":
            raise TypeError(
                f"{name} must return numbers (an array of its input's shape), got {describe(result)}"
            )
        if np.shape(result) != np.shape(x):
            raise ValueError(
                f"{name} must return an array of its input's shape {np.shape(x)} (it is applied "
                f"elementwise; nothing is broadcast), got shape {np.shape(result)}"
            )
        return result

    return result_checked


class Numbers(Spec):
    """A list of finite real numbers, its length the dimension ``dim`` (parts 3-4)."""

    def __init__(self, dims: str) -> None:
        self.dims = tuple(dims.split())

    def check(self, value: Any, name: str) -> list[float]:
        return numbers(value, name)

    def sizes(self, value: Any) -> tuple[int, ...]:
        return (len(value),)


class NumberRows(Spec):
    """A list of lists of finite real numbers, all of one length (parts 3-4's layers)."""

    def __init__(self, dims: str) -> None:
        self.dims = tuple(dims.split())

    def check(self, value: Any, name: str) -> list[list[float]]:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of lists of numbers, got {describe(value)}")
        if len(value) == 0:
            raise ValueError(
                f"{name} must hold at least one {DIMENSIONS.get(self.dims[0], 'rows')[:-1]}"
            )
        rows = [numbers(row, f"{name}[{r}]") for r, row in enumerate(value)]
        lengths = {len(row) for row in rows}
        if len(lengths) > 1:
            raise ValueError(f"{name} must have rows of one length, got lengths {sorted(lengths)}")
        return rows

    def sizes(self, value: Any) -> tuple[int, ...]:
        return (len(value), len(value[0]))


def spec_of(declared: Spec | str) -> Spec:
    return Matrix(declared) if isinstance(declared, str) else declared


class Fields(Spec):
    """An object whose named attributes are checked (``forward.hidden_layer_outputs`` ...).

    ``fields`` maps an attribute to ``(symbol, spec)``: the symbol names it in messages.
    The attributes are checked, not replaced: they must already be float arrays.
    """

    float_array = True

    def __init__(self, what: str, **fields: tuple[str, Spec | str]) -> None:
        self.what = what
        self.fields = {name: (symbol, spec_of(spec)) for name, (symbol, spec) in fields.items()}

    def check(self, value: Any, name: str) -> Any:
        for attribute in self.fields:
            if not hasattr(value, attribute):
                raise TypeError(
                    f"{name} must be {self.what} (with .{attribute}), got {describe(value)}"
                )
        return value


class Interval(Spec):
    """A finite real number in ``[low, high)``, or ``>= low`` without ``high`` (a momentum, a decay)."""

    def __init__(self, low: float = 0.0, high: float | None = None, label: str = "") -> None:
        self.low, self.high, self.label = float(low), high, label
        self.text = f"in [{low:g}, {high:g})" if high is not None else f"at least {low:g}"

    def check(self, value: Any, name: str) -> float:
        name = f"{name} ({self.label})" if self.label else name
        number = finite_real(value, name)
        if number < self.low or (self.high is not None and number >= self.high):
            raise ValueError(f"{name} must be {self.text}, got {number}")
        return number

    def fast_test(self, value: str) -> str:
        upper = f" < {float(self.high)!r}" if self.high is not None else ""
        return f"type({value}) is float and isfinite({value}) and {self.low!r} <= {value}{upper}"
