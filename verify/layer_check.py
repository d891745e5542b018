r"""Any layer, any function: a learner's backward checked against JAX's derivative of their forward.

A learner writes a layer's forward once, in code that runs on NumPy and on JAX arrays
(through the array API: an ``xp`` keyword argument, or ``x.__array_namespace__()``), and
its backward in NumPy. :func:`check_layer` draws shapes and values, differentiates the
learner's own forward with JAX (``jax.vjp`` with a random upstream gradient) and compares
the learner's backward, gradient by gradient::

    def affine_forward(x, w, b):
        return x @ w + b

    def affine_backward(dout, x, w, b):
        return dout @ w.T, x.T @ dout, dout.sum(axis=0)

    verify.check_layer(affine_forward, affine_backward,
                       {"x": ("N", "D"), "w": ("D", "M"), "b": ("M",)})

Shapes name their axes; each trial draws every axis size (1 to 6, or as fixed by
``dims``). Values are drawn away from 0 (magnitudes 0.1 to 2, random signs), and a point
where central differences of the forward disagree with JAX's reverse mode - a kink
such as the ReLU's at 0, or a tie in a max - is drawn again, so that the reference is the
derivative the learner's backward must give. The JAX side computes in float64 whatever
the learner's dtype. Non-differentiated arguments (class labels ...) come from
``constants``. A failing gradient is diagnosed (:func:`verify.layer_diagnose.diagnose`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from verify.compare import as_compared_array, dtype_name
from verify.layer_diagnose import diagnose
from verify.learner import LearnerRaised, describe_raised, guarded

LAYER_TOLERANCES: dict[str, float] = {"float64": 1e-9, "float32": 1e-3}
"""Accepted error of a gradient relative to its scale (max |reference|), per dtype."""

MAX_REDRAWS = 8
"""Draws of one trial's values before a point near a kink is given up on."""


@dataclass(frozen=True)
class GradientError:
    """One gradient (with respect to one argument) on one trial."""

    name: str
    shape: tuple[int, ...]
    hand_shape: tuple[int, ...]
    relative_error: float
    worst_index: tuple[int, ...]
    passed: bool
    diagnosis: str | None = None
    mistake: str | None = None

    def summary(self) -> str:
        """A short cell: the relative error, or the shape that does not fit."""
        if self.hand_shape != self.shape:
            return f"shape {self.hand_shape} (expected {self.shape})"
        return f"{self.relative_error:.1e}"


@dataclass(frozen=True)
class LayerCheck:
    """A learner's backward checked on drawn shapes: every trial, and the first failure."""

    trials: tuple[dict[str, GradientError], ...]
    dims: tuple[dict[str, int], ...]
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether it ran and every gradient of every trial agreed with JAX."""
        return self.error is None and all(g.passed for t in self.trials for g in t.values())

    @property
    def first_failure(self) -> GradientError | None:
        """The first wrong gradient (trial order, then argument order)."""
        return next((g for t in self.trials for g in t.values() if not g.passed), None)

    @property
    def mistake(self) -> str | None:
        """The first failure's mistake (None when it passed)."""
        first = self.first_failure
        return "raised" if self.error is not None else (first.mistake if first else None)

    def table(self) -> str:
        """Per trial: the axis sizes and each gradient's error; then the diagnosis."""
        if self.error is not None:
            return f"layer: FAIL\n  {self.error}"
        lines = [f"layer: {'PASS' if self.passed else 'FAIL'} on {len(self.trials)} drawn shapes"]
        for dims, trial in zip(self.dims, self.trials, strict=True):
            sizes = ", ".join(f"{k}={v}" for k, v in dims.items())
            cells = ", ".join(f"d{n} {g.summary()}" for n, g in trial.items())
            ok = all(g.passed for g in trial.values())
            lines.append(f"  {sizes:<28} {'pass' if ok else 'FAIL'}  {cells}")
        first = self.first_failure
        if first is not None:
            lines.append(f"  diagnosis: d{first.name}: {first.diagnosis}")
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _draw_dims(
    shapes: Mapping[str, Sequence[int | str]], fixed: Mapping[str, int], rng: np.random.Generator
) -> dict[str, int]:
    symbols = [a for s in shapes.values() for a in s if isinstance(a, str)]
    return {
        a: int(fixed[a]) if a in fixed else int(rng.integers(1, 7)) for a in dict.fromkeys(symbols)
    }


def _shape(spec: Sequence[int | str], dims: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(dims[a] if isinstance(a, str) else int(a) for a in spec)


def _values(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Away from 0: magnitudes 0.1 to 2 with random signs."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)


def _call_forward(forward: Callable[..., Any], xp: Any, args: Mapping[str, Any]) -> Any:
    takes_xp = "xp" in inspect.signature(forward).parameters
    return forward(**args, xp=xp) if takes_xp else forward(**args)


def _gradients(result: Any, names: Sequence[str]) -> dict[str, Any]:
    if isinstance(result, Mapping):
        missing = [n for n in names if n not in result]
        if missing:
            raise ValueError(f"the backward's result misses the gradients of {missing}")
        return {n: result[n] for n in names}
    if len(names) == 1 and not isinstance(result, tuple | list):
        return {names[0]: result}
    if isinstance(result, tuple | list) and len(result) == len(names):
        return dict(zip(names, result, strict=True))
    raise ValueError(
        f"the backward must return the gradients of {', '.join(names)} (a tuple in that "
        f"order, or a dict); got {type(result).__name__}"
        + (f" of {len(result)}" if isinstance(result, tuple | list) else "")
    )


def _reference(
    forward: Callable[..., Any],
    args: dict[str, np.ndarray],
    constants: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, bool]:
    """JAX's vjp of the forward at ``args`` (float64): output, gradients, dout, away from kinks."""
    from verify._jax import jax

    names = tuple(args)
    run = _jitted(forward, names)
    primals = [jax.numpy.asarray(a, dtype=jax.numpy.float64) for a in args.values()]
    out_shape = jax.eval_shape(lambda xs, c: _forward_of(forward, names, xs, c), primals, constants)
    dout = rng.normal(size=out_shape.shape)
    tangents = [rng.normal(size=np.shape(p)) for p in primals]
    out, grads, fd = run(primals, constants, dout, tangents)
    exact = sum(float(np.sum(np.asarray(g) * t)) for g, t in zip(grads, tangents, strict=True))
    # central differences along a random direction must agree with the vjp: else a kink is near
    smooth = abs(float(fd) - exact) <= 1e-5 * max(1.0, abs(exact))
    return (
        np.asarray(out),
        {n: np.asarray(g) for n, g in zip(names, grads, strict=True)},
        dout,
        smooth,
    )


def _forward_of(
    forward: Callable[..., Any], names: tuple[str, ...], xs: Sequence[Any], const: dict[str, Any]
) -> Any:
    from verify._jax import jax

    return _call_forward(forward, jax.numpy, {**dict(zip(names, xs, strict=True)), **const})


_JITTED: dict[tuple[Callable[..., Any], tuple[str, ...]], Callable[..., Any]] = {}


def _jitted(forward: Callable[..., Any], names: tuple[str, ...]) -> Callable[..., Any]:
    """One compiled function per forward (JAX compiles it once per shape): the output, its
    vjp with ``dout``, and a central difference along ``tangents``."""
    from verify._jax import jax

    if (forward, names) in _JITTED:
        return _JITTED[forward, names]

    def run(primals: list[Any], const: dict[str, Any], dout: Any, tangents: list[Any]) -> Any:
        def f(*xs: Any) -> Any:
            return _forward_of(forward, names, xs, const)

        out, vjp = jax.vjp(f, *primals)
        grads = vjp(dout.astype(out.dtype))
        h = 1e-6
        plus = f(*(p + h * t for p, t in zip(primals, tangents, strict=True)))
        minus = f(*(p - h * t for p, t in zip(primals, tangents, strict=True)))
        return out, grads, jax.numpy.sum((plus - minus) * dout) / (2 * h)

    _JITTED[forward, names] = jax.jit(run)
    return _JITTED[forward, names]


def check_layer(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    shapes: Mapping[str, Sequence[int | str]],
    *,
    dtype: DTypeLike = "float64",
    trials: int = 20,
    seed: int = 0,
    dims: Mapping[str, int] | None = None,
    constants: Mapping[str, Callable[[np.random.Generator, Mapping[str, int]], Any]] | None = None,
) -> LayerCheck:
    """Check ``backward(dout, **args)`` against JAX's derivative of ``forward(**args)``.

    ``shapes``: each differentiated argument's shape, axes named (``{"x": ("N", "D")}``)
    or sized; ``dims`` fixes axis sizes; ``constants`` gives other arguments, each drawn
    by ``make(rng, dims)`` (e.g. class labels). ``backward`` returns the gradient of each
    argument of ``shapes``, in that order (or a dict). Each of ``trials`` draws its own
    sizes and values; see the module docstring.
    """
    name = dtype_name(dtype)
    if not shapes:
        raise ValueError("shapes must name at least one argument to differentiate, got none")
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    rng = np.random.default_rng(seed)
    learner = guarded(backward)
    results: list[dict[str, GradientError]] = []
    drawn: list[dict[str, int]] = []
    notes: list[str] = []
    for _ in range(trials):
        sizes = _draw_dims(shapes, dims or {}, rng)
        for _ in range(MAX_REDRAWS):
            args = {n: _values(_shape(s, sizes), rng) for n, s in shapes.items()}
            const = {n: make(rng, sizes) for n, make in (constants or {}).items()}
            args = {n: a.astype(name).astype(np.float64) for n, a in args.items()}
            try:
                out, reference, dout, smooth = _reference(forward, args, const, rng)
            except Exception as error:  # the learner's forward, traced by JAX
                message = (
                    f"your forward cannot run on JAX arrays: {describe_raised(error)}; write it "
                    "with the array API (xp = x.__array_namespace__(), or an xp argument)"
                )
                return LayerCheck(tuple(results), tuple(drawn), message)
            if smooth:
                break
        mine = {n: a.astype(name) for n, a in args.items()}
        upstream = np.asarray(dout, dtype=name)
        given = {"dout": upstream.copy(), **{n: a.copy() for n, a in mine.items()}}
        try:
            result = learner(given["dout"], **{n: given[n] for n in mine}, **const)
            gradients = _gradients(result, list(shapes))
            arrays = {n: as_compared_array(g, f"d{n}") for n, g in gradients.items()}
        except LearnerRaised as raised:
            return LayerCheck(tuple(results), tuple(drawn), f"your backward raised {raised}")
        except (TypeError, ValueError) as error:
            return LayerCheck(tuple(results), tuple(drawn), f"your backward's result: {error}")
        originals = {"dout": upstream, **mine}
        for n, value in given.items():
            note = f"note: your backward changed its input {n} in place"
            if not np.array_equal(value, originals[n]) and note not in notes:
                notes.append(note)
        trial = {}
        for n, g in arrays.items():
            context = {
                "dout": dout,
                "out": out,
                "args": args,
                "reference": reference,
                "dtype": name,
                "dims": sizes,
            }
            trial[n] = _compare(n, g, reference[n], name, context)
        results.append(trial)
        drawn.append(sizes)
    return LayerCheck(tuple(results), tuple(drawn), notes=tuple(notes))


def _compare(
    name: str, hand: np.ndarray, reference: np.ndarray, dtype: str, context: dict[str, Any]
) -> GradientError:
    if hand.shape != reference.shape:
        mistake, words = diagnose(name, hand, reference, context)
        return GradientError(name, reference.shape, hand.shape, np.inf, (), False, words, mistake)
    diff = np.abs(hand - reference)
    scale = float(np.max(np.abs(reference))) if reference.size else 0.0
    worst = (
        tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        if diff.size
        else ()
    )
    error = float(np.max(diff)) if diff.size else 0.0
    relative = error / scale if scale > 0 else (0.0 if error == 0 else np.inf)
    passed = bool(np.all(np.isfinite(hand))) and relative <= LAYER_TOLERANCES[dtype]
    if passed:
        return GradientError(name, reference.shape, hand.shape, relative, worst, True)
    mistake, words = diagnose(name, hand, reference, context)
    return GradientError(name, reference.shape, hand.shape, relative, worst, False, words, mistake)
