r"""Error measures and dtype-aware tolerances: how a hand value is compared with a reference.

NumPy only. For a hand array ``h`` and a reference ``r`` of one quantity:

* ``max_abs_error`` = :math:`\max_i |h_i - r_i|`;
* ``scale`` = :math:`\max_i |r_i|`, the quantity's scale (for an update step, the size of
  the step);
* ``relative_error`` = ``max_abs_error / scale``: the error relative to the gradient's
  scale, not element by element. A wrong constant factor on a saturated layer, whose
  gradients are all tiny, still gives a relative error of order 1 (no pass by accident),
  while rounding noise on an element that is tiny next to the others does not count
  against it (no failure by accident);
* ``noise_floor``: the rounding error the dtype allows in computing this quantity,
  :data:`ROUNDING_FACTOR` x eps x :math:`\max_i M_i`, where :math:`M` is the quantity
  computed again with absolute values (the classic forward error bound: for
  :math:`\sum_e a_e b_e` it is :math:`\sum_e |a_e||b_e|`, and
  :math:`s(1 - s)` contributes :math:`|s|`, because :math:`1 - s` loses all its digits
  when :math:`s` rounds to 1), plus the reference method's own error (the round-off of
  finite differences);
* ``passed``: every element has
  :math:`|h_i - r_i| \le \max(\text{tolerance} \cdot \text{scale}, \text{rounding}) + n_i`,
  where rounding is the first part of the noise floor and :math:`n_i` the reference
  method's own error at element i.

So a quantity passes when it agrees with the reference to ``tolerance`` relative to its
scale, or when both differ by no more than rounding can explain; the second only matters
when every element of the quantity is smaller than its own rounding noise (a fully
saturated layer, or a sum that cancels), where the check cannot tell more.
The tolerances, per dtype and method, are measured: see ``docs/verify.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from handbp.checks import float_dtype
from verify.sampling import Sample

METHODS: tuple[str, ...] = ("value", "reverse", "forward", "finite_differences")
"""How a reference is obtained: ``value`` (an independent JAX computation of the same
value, for the forward maps), ``reverse`` (``jax.grad``/``jax.vjp``), ``forward``
(``jax.jvp``/``jax.jacfwd``), ``finite_differences`` (central differences of the JAX
forward map)."""

DERIVATIVE_METHODS: tuple[str, ...] = METHODS[1:]

TOLERANCES: dict[str, dict[str, float]] = {
    "float64": {
        "value": 1e-12,
        "reverse": 1e-12,
        "forward": 1e-12,
        "finite_differences": 1e-6,
    },
    "float32": {
        "value": 1e-4,
        "reverse": 1e-4,
        "forward": 1e-4,
        "finite_differences": 1e-2,
    },
}
"""Accepted error relative to the quantity's scale, per dtype and method, on top of what
rounding and the reference's own error explain (``python -m verify.measure``; the
measured numbers are in docs/verify.md: no comparison of the correct implementations
needed more than 7.5e-12 of it)."""

ROUNDING_FACTOR = 64.0
"""The rounding allowance is this many eps x max |M| (measured need: at most 5.8)."""

DIAGNOSIS_TOLERANCE: dict[str, float] = {"float64": 1e-6, "float32": 1e-2}
"""How close a hand value must come to a candidate mistake for the diagnosis to name it
(looser than the tolerances: the candidates are built from the references with a few
more roundings, and a mistake changes a value by a factor, not by a rounding error)."""


def dtype_name(dtype: DTypeLike) -> str:
    """``"float64"`` or ``"float32"``; a ``TypeError`` for any other dtype."""
    return float_dtype(dtype).name


def eps(dtype: DTypeLike) -> float:
    """The machine epsilon of ``dtype`` (float64: 2.2e-16, float32: 1.2e-7)."""
    return float(np.finfo(float_dtype(dtype)).eps)


def finite_difference_step(dtype: DTypeLike) -> float:
    r"""The relative step of central differences: :math:`h = \epsilon^{1/3}`.

    The error of :math:`\frac{f(x + h) - f(x - h)}{2h}` is truncation,
    :math:`\frac{h^2}{6} |f'''|`, plus round-off, :math:`\frac{\epsilon |f|}{h}`; their sum
    is smallest near :math:`h = \epsilon^{1/3}` (float64: 6.1e-6, float32: 4.9e-3). The
    one-variable functions are moved by :math:`h \max(1, |x|)`, the weights and layer
    values of the net by :math:`h` (:func:`verify.jaxnet.steps`).
    """
    return eps(dtype) ** (1 / 3)


def tolerance(dtype: DTypeLike, method: str) -> float:
    """The accepted relative error of ``method`` in ``dtype``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return TOLERANCES[dtype_name(dtype)][method]


@dataclass(frozen=True)
class Target:
    """A reference value of one quantity, with what bounds its rounding.

    ``magnitude`` is :math:`M` (see the module docstring), elementwise; ``scale_of`` the
    array whose largest absolute value is the quantity's scale (``value`` itself unless
    told: an update step uses the size of the step); ``noise`` the reference method's own
    absolute error, elementwise (finite differences' round-off and truncation; 0 for the
    others). ``sample``: the entries compared, when not every entry is
    (:mod:`verify.sampling`); ``value`` and ``noise`` may be NaN elsewhere, ``scale_of``
    must not.
    """

    value: np.ndarray
    magnitude: np.ndarray
    scale_of: np.ndarray | None = None
    noise: np.ndarray | float = 0.0
    sample: Sample | None = None


@dataclass(frozen=True)
class MethodError:
    """How far a hand value is from one reference (one method, one quantity)."""

    method: str
    component: str
    shape: tuple[int, ...]
    max_abs_error: float
    relative_error: float
    scale: float
    noise_floor: float
    tolerance: float
    worst_index: tuple[int, ...]
    hand_value: float
    reference_value: float
    passed: bool
    hand_shape: tuple[int, ...] | None = None
    excess: float = 0.0
    """The largest ratio of an element's error to what it is allowed (<= 1 passes)."""
    needed_tolerance: float = 0.0
    """The smallest tolerance with which this comparison would pass (0 if rounding and the
    reference's own error explain every difference): what the tolerances are set from."""
    sample: Sample | None = None
    """The entries compared, if not every entry was (:mod:`verify.sampling`)."""

    @property
    def checked(self) -> int:
        """How many entries were compared."""
        return int(np.prod(self.shape, dtype=np.int64)) if self.sample is None else self.sample.size

    @property
    def ratio(self) -> float:
        """``hand_value / reference_value`` at the worst element (nan if the reference is 0)."""
        if self.reference_value == 0 or not np.isfinite(self.reference_value):
            return float("nan")
        return self.hand_value / self.reference_value

    @property
    def exact(self) -> bool:
        """Whether hand and reference agree bit for bit."""
        return self.max_abs_error == 0

    @property
    def shape_mismatch(self) -> bool:
        """Whether the hand value had another shape than the reference (then nothing compares)."""
        return self.hand_shape is not None and self.hand_shape != self.shape

    @property
    def below_noise(self) -> bool:
        """Whether the pass rests on the noise floor alone (the quantity is below its rounding)."""
        return self.passed and self.max_abs_error > self.tolerance * self.scale

    def badness(self) -> float:
        """Error in units of what is allowed (<= 1 passes); ranks the worst of several."""
        return self.excess

    def summary(self) -> str:
        """A short cell for a table: ``exact``, the relative error, or what is wrong."""
        if self.shape_mismatch:
            return f"shape {self.hand_shape}"
        if not np.isfinite(self.max_abs_error):
            return "not finite"
        if self.exact:
            return "exact"
        if self.below_noise:
            return f"{self.max_abs_error:.1e} abs*"
        return f"{self.relative_error:.1e}"

    def as_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready Python values (inf and nan as strings)."""
        return {
            "method": self.method,
            "component": self.component,
            "shape": list(self.shape),
            "hand_shape": None if self.hand_shape is None else list(self.hand_shape),
            "max_abs_error": _json_float(self.max_abs_error),
            "relative_error": _json_float(self.relative_error),
            "scale": _json_float(self.scale),
            "noise_floor": _json_float(self.noise_floor),
            "tolerance": self.tolerance,
            "needed_tolerance": _json_float(self.needed_tolerance),
            "worst_index": list(self.worst_index),
            "hand_value": _json_float(self.hand_value),
            "reference_value": _json_float(self.reference_value),
            "ratio": _json_float(self.ratio),
            "passed": self.passed,
            "checked": self.checked,
            "sample": None if self.sample is None else self.sample.as_dict(),
        }


def _json_float(value: float) -> float | str:
    return float(value) if np.isfinite(value) else str(value)


def as_compared_array(value: Any, name: str) -> np.ndarray:
    """A hand value as a float64 array, or a ``TypeError`` saying what arrived instead."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # e.g. ragged nested lists
        raise TypeError(f"{name} must be a number or an array of numbers: {error}") from error
    if array.dtype.kind not in "biuf":
        found = next((v for v in array.reshape(-1) if not isinstance(v, int | float)), value)
        got = "None (does the function return its result?)" if found is None else repr(found)
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {type(found).__name__} {got}"[
                :200
            ]
        )
    return array.astype(np.float64)


def compare(
    hand: ArrayLike,
    target: Target,
    method: str,
    dtype: DTypeLike,
    component: str = "",
) -> MethodError:
    """Compare a hand value with a reference; see the module docstring for the measures.

    A reference or sample with no entries is a ``ValueError``: nothing would be compared.
    """
    tol = tolerance(dtype, method)
    reference = np.asarray(target.value, dtype=np.float64)
    name = component or "the hand value"
    h = as_compared_array(hand, name)
    sample = target.sample
    if reference.size == 0:
        raise ValueError(
            f"target must hold at least one entry of {name}, got a reference of shape "
            f"{reference.shape}"
        )
    if sample is not None and sample.size == 0:
        raise ValueError(f"target.sample must hold at least one entry of {name}, got none")
    scale_of = reference if target.scale_of is None else np.asarray(target.scale_of)
    scale = float(np.max(np.abs(scale_of)))
    rounding = ROUNDING_FACTOR * eps(dtype) * float(np.max(target.magnitude))
    noise = np.broadcast_to(np.asarray(target.noise, dtype=np.float64), reference.shape)
    if h.shape != reference.shape:
        return MethodError(
            method,
            component,
            reference.shape,
            float("inf"),
            float("inf"),
            scale,
            rounding + float(np.nanmax(noise)),
            tol,
            (),
            float("nan"),
            float("nan"),
            False,
            hand_shape=h.shape,
            excess=float("inf"),
            sample=sample,
        )
    full_shape = reference.shape
    if sample is not None:  # compare the sampled entries only
        h, reference, noise = sample.take(h), sample.take(reference), sample.take(noise)
    floor = rounding + float(np.max(noise))
    diff = np.abs(h - reference)
    bad = ~np.isfinite(diff)
    not_finite = bool(np.any(bad))
    if not_finite:
        flat = int(np.flatnonzero(bad)[0])
        max_abs = float("inf")
    else:
        flat = int(np.argmax(diff))
        max_abs = float(diff.max())
    hand_value = float(h.reshape(-1)[flat])
    reference_value = float(reference.reshape(-1)[flat])
    if sample is not None:
        index = sample.indices()[flat]
    else:
        index = tuple(int(i) for i in np.unravel_index(flat, full_shape))
    if max_abs == 0:
        relative = 0.0
    else:
        relative = max_abs / scale if scale > 0 else float("inf")
    allowed = max(tol * scale, rounding) + noise
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(diff == 0, 0.0, diff / allowed)
    excess = float("inf") if not_finite else float(np.max(ratios))
    passed = excess <= 1
    unexplained = np.where(diff - noise > rounding, diff - noise, 0.0)
    most = float(np.max(unexplained))
    if not_finite:  # no tolerance passes a NaN or an infinite difference
        needed = float("inf")
    elif most == 0:
        needed = 0.0
    else:  # an error beyond rounding against an all-zero reference needs an infinite tolerance
        needed = most / scale if scale > 0 else float("inf")
    return MethodError(
        method,
        component,
        full_shape,
        max_abs,
        relative,
        scale,
        floor,
        tol,
        index,
        hand_value,
        reference_value,
        passed,
        hand_shape=full_shape,
        excess=excess,
        needed_tolerance=needed,
        sample=sample,
    )


def worst(errors: list[MethodError]) -> MethodError:
    """The worst of several comparisons (failures first, then by :meth:`MethodError.badness`)."""
    if not errors:
        raise ValueError("worst needs at least one comparison, got none")
    return max(errors, key=lambda e: (not e.passed, e.badness()))


def worst_elements(
    hand: np.ndarray, reference: np.ndarray, count: int = 3, sample: Sample | None = None
) -> list[tuple[tuple[int, ...], float, float]]:
    """The ``count`` elements where hand and reference differ most: (index, hand, reference).

    Only the entries of ``sample`` if given (hand and reference have the whole shape).
    """
    hand = np.asarray(hand, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    flat = np.arange(hand.size) if sample is None else sample.flat
    diff = np.abs(hand.reshape(-1)[flat] - reference.reshape(-1)[flat])
    diff = np.where(np.isfinite(diff), diff, np.inf)
    out = []
    for n in np.argsort(-diff, kind="stable")[:count]:
        index = tuple(int(i) for i in np.unravel_index(int(flat[n]), hand.shape))
        out.append((index, float(hand[index]), float(reference[index])))
    return out
