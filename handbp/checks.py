"""Input checks at the boundary: declared next to each equation function, run once.

An equation function's body is the slide line; what its arguments must be is declared
right below it, in the series' notation::

    def hidden_layer_inputs(X, W1):
        return X @ W1
    hidden_layer_inputs = checked(hidden_layer_inputs, X="e i", W1="i j")

``"e i"`` reads "a float matrix of shape (examples, inputs)": every letter names a
dimension (:data:`DIMENSIONS`), and a letter that two arguments share must have one
size in both. This is the one home of the shape rules: "W1's columns must match W2's
rows" is ``W1="i j", W2="j k"``, nothing more.

When a user calls a checked function, its arguments are checked and converted (lists
become float64 arrays), and then the body runs with checks switched off, so the
functions it calls in turn (``feedforward`` calls ``hidden_layer_inputs`` ...) run their
bare maths and pay nothing for checks already passed. :func:`unchecked` switches the
checks off for a whole block, for a loop whose inputs are known to be sound.

Every failed check raises a ``TypeError`` or ``ValueError`` whose message names the
argument, what was expected and what arrived.
"""

from __future__ import annotations

import functools
import inspect
import math
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from numbers import Integral, Real
from typing import Any, TypeVar

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

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

_enabled: ContextVar[bool] = ContextVar("handbp_checks_enabled", default=True)

F = TypeVar("F", bound=Callable[..., Any])


# --- The switch ---------------------------------------------------------------------------


@contextmanager
def unchecked() -> Iterator[None]:
    """Run the block without input checks (for loops over inputs already checked).

    Inside it every equation function runs its bare maths: bad input then fails in NumPy,
    or not at all, instead of with a message that names the argument.
    """
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def call_unchecked(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` without input checks: :func:`unchecked` for one call,
    without a context manager's overhead (for boundaries that checked the inputs)."""
    token = _enabled.set(False)
    try:
        return function(*args, **kwargs)
    finally:
        _enabled.reset(token)


def checks_enabled() -> bool:
    """Whether input checks are on (they are, outside :func:`unchecked` and checked calls)."""
    return _enabled.get()


# --- Checks of one value --------------------------------------------------------------------


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages: type, and dtype/shape or repr."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:120]


# Read-only arrays that passed a check (the data sets handbp loads, or a user's own after
# ``X.flags.writeable = False``) cannot change, so they are remembered by identity and not
# checked again: a training loop pays for its data once. Entries leave with their arrays.
_remembered: dict[int, tuple[weakref.ref, set[str]]] = {}


def _known(array: np.ndarray, fact: str) -> bool:
    entry = _remembered.get(id(array))
    return entry is not None and entry[0]() is array and fact in entry[1]


def _remember(array: np.ndarray, fact: str) -> None:
    base = array.base
    if array.flags.writeable or not (
        base is None or (type(base) is np.ndarray and not base.flags.writeable)
    ):
        return  # only arrays that nothing can write to (short of setting the flag back)
    key = id(array)
    entry = _remembered.get(key)
    if entry is None or entry[0]() is not array:
        entry = (weakref.ref(array, lambda _ref, key=key: _remembered.pop(key, None)), set())
        _remembered[key] = entry
    entry[1].add(fact)


def _finite(array: np.ndarray) -> bool:
    """Whether every entry is finite (and, for a read-only array, remember that it is).

    The sum of squares is finite exactly when every entry is, unless it overflows; only
    then is each entry looked at.
    """
    if not (math.isfinite(np.vdot(array, array)) or np.isfinite(array).all()):
        return False
    if not array.flags.writeable:
        _remember(array, "finite")
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
        and (_known(value, "finite") or _finite(value))
    ):
        return value
    if isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if array.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"{name} must be a float32 or float64 array, got {describe(array)}; "
                f"convert it explicitly, e.g. {name}.astype(np.float64)"
            )
    elif isinstance(value, bool):
        raise TypeError(f"{name} must be a real number or an array of them, got bool {value!r}")
    else:
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
    if not _finite(array):
        bad = np.argwhere(~np.isfinite(array))
        where = tuple(int(i) for i in bad[0]) if array.ndim else ()
        raise ValueError(
            f"{name} must be finite, found {bad.shape[0]} NaN/inf entries "
            f"(first at index {where}: {array[where]!r})"
        )
    return array


def one_hot(Y: np.ndarray, name: str = "Y") -> None:
    """Check that every row of the matrix ``Y`` is one-hot: zeros and a single 1."""
    # Each row holds a 1 and the whole matrix has as many non-zeros as rows: so every row
    # has exactly one non-zero entry, and it is the 1.
    if _known(Y, "one-hot"):
        return
    ones = Y == 1
    if np.count_nonzero(Y) == Y.shape[0] and ones.any(axis=1).all():
        _remember(Y, "one-hot")
        return
    rows_ok = ones.any(axis=1) & (np.count_nonzero(Y, axis=1) == 1)
    row = int(np.flatnonzero(~rows_ok)[0])
    raise ValueError(
        f"{name} must be one-hot (each row zeros and a single 1), row {row} is {Y[row].tolist()}"
    )


def binary(Y: np.ndarray, name: str = "Y") -> None:
    """Check that every entry of ``Y`` is 0 or 1 (binary labels, one per output node)."""
    if _known(Y, "binary"):
        return
    bad = (Y != 0) & (Y != 1)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold binary labels (0 or 1), {name}{list(where)} is {Y[where]!r}"
        )
    _remember(Y, "binary")


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
    """Return a list of finite real numbers as floats (parts 3-4's lists), or raise."""
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


# --- Declared argument kinds ----------------------------------------------------------------


class Spec:
    """What one argument of a checked function must be.

    :meth:`check` returns the value the body receives (converted where that is the
    documented behaviour, e.g. a list to a float64 array) and the sizes it binds: a list
    of ``(letter, axis, size)`` for the dimensions its shape names.
    """

    dims: tuple[str, ...] = ()
    float_array = False
    late = False  # whether after_shapes has a check to run
    optional = False  # whether None is accepted (and passed on unchecked)

    def check(self, value: Any, name: str) -> Any:
        raise NotImplementedError  # pragma: no cover - every kind defines it

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
    """

    float_array = True

    def __init__(self, shape: str = "") -> None:
        self.dims = (shape,) if shape else ()

    def check(self, value: Any, name: str) -> np.ndarray:
        return as_float_array(value, name)

    def sizes(self, value: Any) -> tuple[int, ...]:
        return (value.shape,)


class Count(Spec):
    """A whole number >= 1 (``N``, ``steps``)."""

    def fast_test(self, value: str) -> str:
        return f"type({value}) is int and {value} >= 1"

    def check(self, value: Any, name: str) -> int:
        return positive_int(value, name)


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
    """A callable (an activation function); ``None`` too if ``optional``."""

    def __init__(self, optional: bool = False) -> None:
        self.optional = optional

    def check(self, value: Any, name: str) -> Any:
        if not callable(value) and not (self.optional and value is None):
            expected = "a function or None" if self.optional else "a function"
            raise TypeError(f"{name} must be {expected}, got {describe(value)}")
        return value

    def fast_test(self, value: str) -> str:
        return f"callable({value})" + (f" or {value} is None" if self.optional else "")


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
                f"{name} must hold at least one {DIMENSIONS.get(self.dims[0], 'row')[:-1]}"
            )
        rows = [numbers(row, f"{name}[{r}]") for r, row in enumerate(value)]
        lengths = {len(row) for row in rows}
        if len(lengths) > 1:
            raise ValueError(f"{name} must have rows of one length, got lengths {sorted(lengths)}")
        return rows

    def sizes(self, value: Any) -> tuple[int, ...]:
        return (len(value), len(value[0]))


def _spec(declared: Spec | str) -> Spec:
    return Matrix(declared) if isinstance(declared, str) else declared


class Fields(Spec):
    """An object whose named attributes are checked (``forward.hidden_layer_outputs`` ...).

    ``fields`` maps an attribute to ``(symbol, spec)``: the symbol names it in messages.
    The attributes are checked, not replaced: they must already be float arrays.
    """

    float_array = True

    def __init__(self, what: str, **fields: tuple[str, Spec | str]) -> None:
        self.what = what
        self.fields = {name: (symbol, _spec(spec)) for name, (symbol, spec) in fields.items()}

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


# --- The decorator --------------------------------------------------------------------------


def _shape_text(name: str, dims: Sequence[str]) -> str:
    return f"{name} ({', '.join(f'{DIMENSIONS.get(d, d)} {d}' for d in dims)})"


class _Plan:
    """The declared checks of one function, compiled once, and the code that runs them.

    Arguments are brought into positional order (defaults filled in, so that a default
    is converted like a given value), each declared one is checked, then every float
    array's dtype is compared and every named dimension bound to one size.
    """

    def __init__(self, function: Callable[..., Any], specs: dict[str, Spec | str]) -> None:
        parameters = inspect.signature(function).parameters
        unknown = set(specs) - set(parameters)
        if unknown:
            raise TypeError(f"checked() names no parameter {sorted(unknown)} of {function}")
        self.specs = {name: _spec(spec) for name, spec in specs.items()}
        positional = [
            p for p in parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        self.position = {p.name: place for place, p in enumerate(positional)}
        self.defaults = [p.default for p in positional]
        self.checks = [
            (place, p.name, self.specs.get(p.name)) for place, p in enumerate(positional)
        ]
        self.first_array = next(
            (
                place
                for place, _, spec in self.checks
                if spec is not None and spec.float_array and not isinstance(spec, Fields)
            ),
            None,
        )
        varargs = [p.name for p in parameters.values() if p.kind is p.VAR_POSITIONAL]
        self.varargs = self.specs.get(varargs[0]) if varargs else None
        self.varargs_name = varargs[0] if varargs else ""

    def float32(self, values: Sequence[Any]) -> bool:
        """Whether the (checked) arrays of this call are float32."""
        if self.first_array is None:
            return False
        return values[self.first_array].dtype.char == "f"

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[list, dict]:
        """The call's arguments as a positional list (up to the last one given) and the rest."""
        values = list(args)
        rest = {}
        for name, value in kwargs.items():
            place = self.position.get(name)
            if place is None:
                rest[name] = value
                continue
            if place < len(args):
                raise TypeError(f"got multiple values for argument {name!r}")
            while len(values) <= place:
                values.append(_MISSING)
            values[place] = value
        for place, value in enumerate(values):
            if value is _MISSING:
                if self.defaults[place] is inspect.Parameter.empty:
                    raise TypeError(f"missing a required argument: {self.checks[place][1]!r}")
                values[place] = self.defaults[place]
        return values, rest

    def run(self, values: list[Any]) -> None:
        """Check and convert ``values`` in place.

        The loop is the hot path of every checked call: a float matrix that passes is
        handled inline (the common case), every other kind through its spec.
        """
        arrays: list[tuple[str, np.ndarray]] = []
        bound: dict[str, tuple[Any, str, int, Any]] = {}
        late: list[tuple[str, Spec, Any]] = []
        known = _remembered
        for place, value in enumerate(values):
            if place < len(self.checks):
                _, label, spec = self.checks[place]
            else:
                label, spec = f"{self.varargs_name}[{place - len(self.checks)}]", self.varargs
            if spec is None or (value is None and spec.optional):
                continue
            if type(spec) is Matrix:
                if not (
                    type(value) is np.ndarray
                    and value.dtype.char in "fd"
                    and value.ndim == len(spec.dims)
                    and value.size
                    and ((id(value) in known and _known(value, "finite")) or _finite(value))
                ):
                    value = values[place] = as_float_array(value, label, len(spec.dims))
                arrays.append((label, value))
                self._bind(bound, label, spec.dims, value.shape)
                if spec.late:
                    late.append((label, spec, value))
                continue
            value = values[place] = spec.check(value, label)
            if isinstance(spec, Fields):
                for attribute, (symbol, field) in spec.fields.items():
                    array = field.check(
                        getattr(value, attribute), f"{label}.{attribute} ({symbol})"
                    )
                    arrays.append((symbol, array))
                    self._bind(bound, symbol, field.dims, field.sizes(array))
                continue
            if spec.float_array:
                arrays.append((label, value))
            if spec.dims:
                self._bind(bound, label, spec.dims, spec.sizes(value))
            if spec.late:
                late.append((label, spec, value))
        if len(arrays) > 1:
            _same_dtype(arrays)
        if late:
            sizes = {letter: entry[0] for letter, entry in bound.items()}
            for label, spec, value in late:
                spec.after_shapes(value, label, sizes)

    def _bind(
        self,
        bound: dict[str, tuple[Any, str, int, Any]],
        name: str,
        dims: Sequence[str],
        sizes: Any,
    ) -> None:
        for axis, letter in enumerate(dims):
            size = sizes[axis]
            first = bound.get(letter)
            if first is None:
                bound[letter] = (size, name, axis, sizes)
            elif size != first[0]:
                raise ValueError(self._misfit(letter, (name, axis, size, sizes), first))

    def _misfit(
        self,
        letter: str,
        this: tuple[str, int, Any, Any],
        first: tuple[Any, str, int, Any],
    ) -> str:
        name, axis, size, shape = this
        first_size, first_name, first_axis, first_shape = first
        if isinstance(size, tuple):  # a whole shape (Array("s"))
            return (
                f"shapes must match (nothing is broadcast), got {first_name} of shape "
                f"{first_size} and {name} of shape {size}"
            )
        shapes = ", ".join(
            _shape_text(n, d) for n, d in self._declared_shapes() if n in (name, first_name)
        )
        return (
            f"shapes do not fit: {name}.shape[{axis}] is {size} but "
            f"{first_name}.shape[{first_axis}] is {first_size}, and both count the "
            f"{DIMENSIONS.get(letter, letter)} ({letter}); expected {shapes}, got {first_name} "
            f"of shape {tuple(first_shape)} and {name} of shape {tuple(shape)} (nothing is broadcast)"
        )

    def _declared_shapes(self) -> Iterator[tuple[str, Sequence[str]]]:
        for name, spec in self.specs.items():
            if isinstance(spec, Fields):
                for symbol, field in spec.fields.values():
                    yield symbol, field.dims
            elif spec.dims:
                yield name, spec.dims


_MISSING = object()


def _same_dtype(arrays: list[tuple[str, np.ndarray]]) -> None:
    if not arrays:
        return
    first = arrays[0][1].dtype
    for _, array in arrays:
        if array.dtype is not first and array.dtype != first:
            listed = ", ".join(f"{name} is {array.dtype}" for name, array in arrays)
            raise TypeError(
                f"arrays must share one float dtype, got {listed}; cast explicitly with .astype()"
            )


# --- The fast path --------------------------------------------------------------------------
#
# Most calls pass every check with arguments that need no conversion. For those, one
# function generated per declaration (as dataclasses generates __init__) answers "all
# fine" in straight-line code; anything else - a list to convert, a wrong shape, NaN -
# goes to _Plan.run, which alone words the errors.


def _known_finite(array: np.ndarray) -> bool:
    return (id(array) in _remembered and _known(array, "finite")) or _finite(array)


def _one_hot_ok(Y: np.ndarray) -> bool:
    try:
        one_hot(Y)
    except ValueError:
        return False
    return True


def _fast_path(plan: _Plan) -> Callable[[tuple[Any, ...]], bool] | None:
    """Generate ``ok(args)``: whether positional ``args`` pass every check unchanged."""
    if plan.varargs is not None:
        return None
    required = sum(default is inspect.Parameter.empty for default in plan.defaults)
    lines = [f"if not {required} <= len(a) <= {len(plan.checks)}: return False"]
    if len(plan.checks) > required:
        lines.append(f"a = a + DEFAULTS[len(a) - {required}:]")
    arrays: list[tuple[str, Matrix]] = []
    others: list[str] = []
    bound_letters = {
        letter
        for _, _, spec in plan.checks
        if spec is not None
        for field in ([f for _, f in spec.fields.values()] if isinstance(spec, Fields) else [spec])
        if type(field) is Matrix
        for letter in field.dims
    }
    for place, name, spec in plan.checks:
        if spec is None:
            continue
        if isinstance(spec, Fields):
            for attribute, (symbol, field) in spec.fields.items():
                if type(field) is not Matrix:
                    return None
                lines.append(f"v_{symbol} = getattr(a[{place}], {attribute!r}, None)")
                arrays.append((f"v_{symbol}", field))
        elif type(spec) is Matrix:
            if spec.labels not in ("", "one-hot"):
                return None  # binary and probability labels: the generic checks only
            lines.append(f"v_{name} = a[{place}]")
            arrays.append((f"v_{name}", spec))
        else:
            test = spec.fast_test(f"a[{place}]")
            if test is None or (isinstance(spec, Index) and spec.dim not in bound_letters):
                return None
            others.append(test)
    if arrays:
        names = [variable for variable, _ in arrays]
        lines.append(" or ".join(f"type({v}) is not ndarray" for v in names) + ": return False")
        lines[-1] = "if " + lines[-1]
        lines.append(f"d = {names[0]}.dtype")
        lines.append(
            "if d.char not in 'fd'"
            + "".join(f" or {v}.dtype is not d" for v in names[1:])
            + "".join(f" or {v}.ndim != {len(spec.dims)}" for v, spec in arrays)
            + ": return False"
        )
        seen: set[str] = set()
        for variable, spec in arrays:
            for axis, letter in enumerate(spec.dims):
                size = f"{variable}.shape[{axis}]"
                if letter in seen:
                    lines.append(f"if {size} != s_{letter}: return False")
                else:
                    seen.add(letter)
                    lines.append(f"s_{letter} = {size}")
        lines.append("if not (" + " and ".join(f"{v}.size" for v in names) + "): return False")
        lines.append("if not (" + " and ".join(f"finite({v})" for v in names) + "): return False")
        for variable, spec in arrays:
            if spec.one_hot:
                lines.append(f"if not one_hot_ok({variable}): return False")
    lines.extend(f"if not ({test}): return False" for test in others)
    source = "def ok(a):\n" + "".join(f"    {line}\n" for line in lines) + "    return True\n"
    scope = {
        "ndarray": np.ndarray,
        "finite": _known_finite,
        "one_hot_ok": _one_hot_ok,
        "isfinite": math.isfinite,
        "DEFAULTS": tuple(plan.defaults[required:]),
    }
    exec(source, scope)
    return scope["ok"]  # type: ignore[no-any-return]


def checked(function: F, /, *, blas: bool = False, **specs: Spec | str) -> F:
    """``function`` with its arguments checked and converted once, at the boundary.

    Declared right after the function, so that its listing is the maths alone::

        def hidden_layer_inputs(X, W1):
            return X @ W1
        hidden_layer_inputs = checked(hidden_layer_inputs, X="e i", W1="i j", blas=True)

    (A wrapper rather than a decorator also lets mutation testing, which leaves
    decorated functions alone, mutate the maths.)

    A string spec is a float matrix with named dimensions (``X="e i"``); other kinds
    are :class:`Matrix`, :func:`OneHot`, :func:`Binary`, :func:`Probabilities`,
    :class:`Array`, :class:`Count`, :class:`Rate`, :class:`Number`, :class:`Interval`,
    :class:`Index`, :class:`Function`, :class:`Numbers`,
    :class:`NumberRows` and :class:`Fields`. Every float array of one call must share one
    dtype. Arguments without a spec pass as they are.

    ``blas=True`` marks a body with matrix products: OpenBLAS's float32 kernels now and
    then leave the floating-point "invalid" flag set on finite inputs, and NumPy then
    warns "invalid value encountered in matmul" about a result without a single NaN
    (numpy/numpy#24067); the inputs being checked finite, the checked call silences only
    that flag.

    The undecorated function stays reachable as ``function.__wrapped__``; the declared
    checks as ``function.checks``; the generated fast path as ``function.fast_check``
    (``None`` where there is none) and the generic checks as ``function.check_arguments``
    (both for tests).
    """

    plan = _Plan(function, specs)
    fast = _fast_path(plan)

    @functools.wraps(function)
    def boundary(*args: Any, **kwargs: Any) -> Any:
        if not _enabled.get():
            return function(*args, **kwargs)
        if not kwargs and fast is not None and fast(args):
            values, rest = args, kwargs
        else:
            values, rest = plan.arguments(args, kwargs) if kwargs else (list(args), kwargs)
            plan.run(values)
        token = _enabled.set(False)
        try:
            if blas and plan.float32(values):
                with np.errstate(invalid="ignore"):
                    return function(*values, **rest)
            return function(*values, **rest)
        finally:
            _enabled.reset(token)

    boundary.checks = plan.specs  # type: ignore[attr-defined]
    boundary.fast_check = fast  # type: ignore[attr-defined]
    boundary.check_arguments = plan.run  # type: ignore[attr-defined]
    return boundary  # type: ignore[return-value]
