"""The boundary: ``checked`` runs a function's declared checks once, then its bare maths.

Also the switch (:func:`unchecked`) that nested checked calls and loops over checked
inputs use, and the fast path generated per declaration.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np

from handbp.checks.kinds import DIMENSIONS, Fields, Index, Matrix, Spec, spec_of
from handbp.checks.values import as_float_array, describe, known, known_finite, one_hot

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
        self.specs = {name: spec_of(spec) for name, spec in specs.items()}
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
                    and known_finite(value)
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
                    given, where = getattr(value, attribute), f"{label}.{attribute} ({symbol})"
                    array = field.check(given, where)
                    if array is not given:  # fields are checked, not replaced (Fields)
                        raise TypeError(
                            f"{where} must be a NumPy float array (as handbp returns it), "
                            f"got {describe(given)}"
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
        seen: list[str] = []
        for variable, spec in arrays:
            lines.append(f"t = {variable}.shape")  # each array's shape tuple made once
            for axis, letter in enumerate(spec.dims):
                if letter in seen:
                    lines.append(f"if t[{axis}] != s_{letter}: return False")
                else:
                    seen.append(letter)
                    lines.append(f"s_{letter} = t[{axis}]")
        # every axis is a bound letter, so an empty array is one with a letter of size 0
        lines.append(
            "if not (" + " and ".join(f"s_{letter}" for letter in seen) + "): return False"
        )
        lines.append("if not (" + " and ".join(f"finite({v})" for v in names) + "): return False")
        for variable, spec in arrays:
            if spec.one_hot:
                test = f"known({variable}, 'one-hot') or one_hot_ok({variable})"
                lines.append(f"if not ({test}): return False")
    lines.extend(f"if not ({test}): return False" for test in others)
    source = "def ok(a):\n" + "".join(f"    {line}\n" for line in lines) + "    return True\n"
    scope = {
        "ndarray": np.ndarray,
        "finite": known_finite,
        "one_hot_ok": _one_hot_ok,
        "known": known,
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
    enabled, disable, enable = _enabled.get, _enabled.set, _enabled.reset
    float32 = plan.float32 if blas and plan.first_array is not None else None

    @functools.wraps(function)
    def boundary(*args: Any, **kwargs: Any) -> Any:
        if not enabled():
            return function(*args, **kwargs)
        if kwargs or fast is None or not fast(args):
            values, rest = plan.arguments(args, kwargs) if kwargs else (list(args), kwargs)
            plan.run(values)
            args, kwargs = tuple(values), rest
        token = disable(False)
        try:
            if float32 is not None and float32(args):
                with np.errstate(invalid="ignore"):
                    return function(*args, **kwargs)
            return function(*args, **kwargs)
        finally:
            enable(token)

    boundary.checks = plan.specs  # type: ignore[attr-defined]
    boundary.fast_check = fast  # type: ignore[attr-defined]
    boundary.check_arguments = plan.run  # type: ignore[attr-defined]
    return boundary  # type: ignore[return-value]
