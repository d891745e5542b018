r"""handbp's optimizers step by step against optax, the JAX ecosystem's optimizer library.

For each case (:data:`CASES`: an optimizer of :mod:`handbp.optimizers` with its settings and
the optax transformation that should do the same), both start from the same seeded
weights and take :data:`STEPS` steps on the same seeded sequence of gradients (gradients
given, not computed from the weights, so that each step's inputs are known), for several
weight shapes (:data:`SHAPES`) and in float64 and float32. After every step, from the
first on, the new weights and the optimizer's state (momentum's velocity; Adam's two
moments and step count) are compared with optax's:

* ``max_abs_error``: the largest :math:`|h - r|` over the weights and the state;
* ``relative_error``: each quantity's :math:`\max |h - r|` over its scale, the largest of
  them; the scale of the weights is the distance travelled, :math:`\max |r_t - W_0|`
  (what the optimizer computed; :math:`W_0` is given), of a state its :math:`\max |r|`;
* ``rounding``: the error in units of the quantity's own rounding, :math:`\max |h - r|`
  over eps :math:`\max |r|` (about 1 when the two differ in the last bit of the largest
  weight);
* ``passed``: for every quantity, the relative error is at most the tolerance of an
  independent computation of the same value, :data:`verify.compare.TOLERANCES`
  ``[dtype]["value"]`` (1e-12 in float64, 1e-4 in float32), or the error is within
  rounding, at most :data:`verify.compare.ROUNDING_FACTOR` (64) eps :math:`\max |r|`:
  a weight of size 3 that moved by 1e-3 in one step (Adam's first) can differ in its last
  bit, 7e-16, which is 7e-13 of the step. docs/optimizers.md gives the measured errors.

``python -m verify.optimizers`` prints the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import verify._jax  # noqa: F401  (JAX with 64-bit floats on, before optax loads it)
from handbp.checks import check_seed, float_dtype, positive_int
from handbp.optimizers import AdamState, MomentumState, Optimizer
from verify import executables
from verify.compare import ROUNDING_FACTOR, TOLERANCES

import jax  # isort: skip
import optax  # isort: skip

SHAPES: tuple[tuple[int, ...], ...] = ((1,), (7,), (4, 3), (16, 10))
"""Weight shapes each case runs on: a single weight, a vector, two matrices."""

STEPS = 12

COMPILER_OPTIONS = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}
"""As verify.references: the arrays are small, compiling costs more than running."""
"""Steps per run (the first one included)."""

DTYPES: tuple[str, ...] = ("float64", "float32")


@dataclass(frozen=True)
class Case:
    """One optimizer with its settings, as handbp and as optax."""

    id: str
    setting: str
    hand: Optimizer
    reference: Callable[[], optax.GradientTransformation]


def _decayed(decay: float, transformation: optax.GradientTransformation) -> Any:
    return optax.chain(optax.add_decayed_weights(decay), transformation)


CASES: tuple[Case, ...] = (
    Case("sgd_step", "eta 0.1", Optimizer("sgd", 0.1), lambda: optax.sgd(0.1)),
    Case(
        "weight_decay",
        "sgd, eta 0.1, decay 0.05",
        Optimizer("sgd", 0.1, decay=0.05),
        lambda: _decayed(0.05, optax.sgd(0.1)),
    ),
    Case(
        "momentum_update",
        "eta 0.1, mu 0.9",
        Optimizer("momentum", 0.1, mu=0.9),
        lambda: optax.sgd(0.1, momentum=0.9),
    ),
    Case(
        "momentum_update",
        "eta 0.05, mu 0.5, decay 0.05",
        Optimizer("momentum", 0.05, mu=0.5, decay=0.05),
        lambda: _decayed(0.05, optax.sgd(0.05, momentum=0.5)),
    ),
    Case(
        "adam_update",
        "optax's defaults: eta 1e-3, betas 0.9, 0.999, eps 1e-8",
        Optimizer("adam", 1e-3),
        lambda: optax.adam(1e-3),
    ),
    Case(
        "adam_update",
        "eta 0.01, betas 0.8, 0.95, eps 1e-3, decay 0.05",
        Optimizer("adam", 0.01, beta1=0.8, beta2=0.95, eps=1e-3, decay=0.05),
        lambda: _decayed(0.05, optax.adam(0.01, b1=0.8, b2=0.95, eps=1e-3)),
    ),
)
"""The cases: every update of handbp.optimizers, with its defaults and with settings
where each constant (eps above all) changes the result visibly."""


@dataclass(frozen=True)
class StepError:
    """The worst disagreement at one step, over every shape of a case."""

    step: int
    max_abs_error: float
    relative_error: float
    rounding: float
    quantity: str  # which compared quantity had the largest relative error
    passed: bool


@dataclass(frozen=True)
class OptimizerCheck:
    """One case in one dtype: the errors of every step, and whether all are in tolerance."""

    id: str
    setting: str
    dtype: str
    tolerance: float
    steps: tuple[StepError, ...] = field(repr=False)

    @property
    def passed(self) -> bool:
        return all(step.passed for step in self.steps)

    @property
    def worst(self) -> StepError:
        return max(self.steps, key=lambda step: step.relative_error)


@dataclass(frozen=True)
class OptimizerReport:
    """Every case in every dtype."""

    checks: tuple[OptimizerCheck, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def table(self) -> str:
        """A Markdown table: per case and dtype, step 1's errors, the worst step's, passed."""
        lines = [
            "| id | setting | dtype | step 1: abs / rel / rounding | worst step | "
            "its abs / rel / rounding | tolerance | passed |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for check in self.checks:
            first, worst = check.steps[0], check.worst
            lines.append(
                f"| `{check.id}` | {check.setting} | {check.dtype} | "
                f"{_numbers(first)} | {worst.step} ({worst.quantity}) | {_numbers(worst)} | "
                f"{check.tolerance:g} | {'yes' if check.passed else 'NO'} |"
            )
        return "\n".join(lines)


def gradient_sequence(
    shape: tuple[int, ...], steps: int, seed: int, dtype: Any = np.float64
) -> list[np.ndarray]:
    """``steps`` seeded gradients of ``shape``: normal entries times ``10**u``, u in [-4, 1].

    Their sizes span five decades, so that Adam's normalisation, eps (which matters where
    sqrt(v) is small) and momentum's sums are all exercised; every third entry of the
    first gradient is exactly 0 (Adam's first step there divides 0 by eps).
    """
    generator = np.random.default_rng([seed, *shape])
    gradients = []
    for _ in range(steps):
        sizes = 10.0 ** generator.uniform(-4, 1, size=shape)
        gradients.append((generator.normal(size=shape) * sizes).astype(dtype))
    gradients[0].reshape(-1)[::3] = 0
    return gradients


def _reference_state(state: Any, kind: type) -> Any:
    """The optax state of ``kind`` inside a (chained) optax state."""
    if isinstance(state, kind):
        return state
    if isinstance(state, tuple):
        for part in state:
            found = _reference_state(part, kind)
            if found is not None:
                return found
    return None


def _quantities(hand_state: Any, reference_state: Any) -> list[tuple[str, Any, Any]]:
    """The state's arrays and counters paired with optax's."""
    if isinstance(hand_state, MomentumState):
        trace = _reference_state(reference_state, optax.TraceState)
        return [("velocity", hand_state.velocity, trace.trace)]
    if isinstance(hand_state, AdamState):
        adam = _reference_state(reference_state, optax.ScaleByAdamState)
        return [
            ("t", hand_state.t, adam.count),
            ("m", hand_state.m, adam.mu),
            ("v", hand_state.v, adam.nu),
        ]
    return []


def _numbers(step: StepError) -> str:
    return f"{step.max_abs_error:.2g} / {step.relative_error:.2g} / {step.rounding:.2g}"


def _compare(
    name: str, hand: Any, reference: Any, dtype: np.dtype, origin: Any = 0.0
) -> tuple[float, float, float, str, bool]:
    """(max abs error, relative error, in rounding units, name, passed) of one quantity."""
    hand, reference = np.asarray(hand, np.float64), np.asarray(reference, np.float64)
    error = float(np.max(np.abs(hand - reference)))
    scale = float(np.max(np.abs(reference - origin)))
    ulp = float(np.finfo(dtype).eps) * float(np.max(np.abs(reference)))
    relative = error / scale if scale else (0.0 if error == 0 else np.inf)
    rounding = error / ulp if ulp else (0.0 if error == 0 else np.inf)
    passed = relative <= TOLERANCES[dtype.name]["value"] or rounding <= ROUNDING_FACTOR
    return error, relative, rounding, name, passed


def _inputs(
    shapes: Sequence[tuple[int, ...]], steps: int, seed: int, dtype: np.dtype
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per shape: the starting weights and the stacked gradients, ``(steps, *shape)``."""
    return [
        (
            np.random.default_rng([seed, 1, *shape]).normal(size=shape).astype(dtype),
            np.stack(gradient_sequence(shape, steps, seed, dtype)),
        )
        for shape in shapes
    ]


def optax_runs(cases: Sequence[Case], inputs: list[tuple[np.ndarray, np.ndarray]]) -> list:
    """optax's weights and state after every step, per case and shape, in one compiled function.

    One ``jax.lax.scan`` over the steps (traced once, not once per step) updates every case
    and shape; the result is ``[case][shape] -> (weights, state)``, each stacked over the
    steps, in NumPy.
    """
    transformations = [case.reference() for case in cases]

    def update(transformation: Any, run: Any, gradient: Any) -> Any:
        params, state = run
        updates, state = transformation.update(gradient, state, params)
        return optax.apply_updates(params, updates), state

    def step(carry: Any, gradients: Any) -> Any:
        carry = [
            [update(t, run, g) for run, g in zip(runs, gradients, strict=True)]
            for t, runs in zip(transformations, carry, strict=True)
        ]
        return carry, carry

    def every(inputs: Any) -> Any:
        start = [[(W0, t.init(W0)) for W0, _ in inputs] for t in transformations]
        return jax.lax.scan(step, start, [gradients for _, gradients in inputs])[1]

    compiled = jax.jit(every, compiler_options=COMPILER_OPTIONS)
    key = "optax_runs(CASES)" if cases is CASES else None  # other cases: their own program
    return jax.device_get(executables.run(compiled, (inputs,), key))


def check_case(
    case: Case,
    dtype: Any = "float64",
    steps: int = STEPS,
    seed: int = 0,
    shapes: Sequence[tuple[int, ...]] = SHAPES,
    hand: Any = None,
    reference: Any = None,
) -> OptimizerCheck:
    """Run ``case`` in handbp (or ``hand``: any object with ``init`` and ``update`` like a
    :class:`handbp.optimizers.Optimizer`) and in optax; the errors of every step.

    ``reference``: optax's runs of this case (one entry of :func:`optax_runs` on the same
    shapes, steps, seed and dtype), if computed already.
    """
    dtype = float_dtype(dtype)
    steps, seed = positive_int(steps, "steps"), check_seed(seed)
    hand = case.hand if hand is None else hand
    inputs = _inputs(shapes, steps, seed, dtype)
    if reference is None:
        reference = optax_runs([case], inputs)[0]
    worst: list[list[tuple[float, float, float, str, bool]]] = [[] for _ in range(steps)]
    for (W0, gradients), (weights, states) in zip(inputs, reference, strict=True):
        W, state = W0, hand.init(W0)
        for step, gradient in enumerate(gradients):
            W, state = hand.update(W, gradient, state)
            params = weights[step]
            reference_state = jax.tree.map(lambda a, step=step: a[step], states)
            if W.dtype != dtype or params.dtype != dtype:
                raise TypeError(
                    f"{case.id} left {dtype}: the weights came back as {W.dtype} "
                    f"(optax's as {params.dtype})"
                )
            compared = [_compare("W", W, params, dtype, W0.astype(np.float64))]
            compared += [
                _compare(name, h, r, dtype) for name, h, r in _quantities(state, reference_state)
            ]
            worst[step].extend(compared)
    return OptimizerCheck(
        case.id,
        case.setting,
        dtype.name,
        TOLERANCES[dtype.name]["value"],
        tuple(
            StepError(
                step + 1,
                max(c[0] for c in compared),
                max(c[1] for c in compared),
                max(c[2] for c in compared),
                max(compared, key=lambda c: c[1])[3],
                all(c[4] for c in compared),
            )
            for step, compared in enumerate(worst)
        ),
    )


def verify_optimizers(
    dtypes: Sequence[str] = DTYPES, steps: int = STEPS, seed: int = 0
) -> OptimizerReport:
    """Every case of :data:`CASES` in every dtype."""
    checks = []
    for dtype in dtypes:
        runs = optax_runs(CASES, _inputs(SHAPES, steps, seed, float_dtype(dtype)))
        checks += [
            check_case(case, dtype, steps, seed, reference=run)
            for case, run in zip(CASES, runs, strict=True)
        ]
    return OptimizerReport(tuple(checks))


if __name__ == "__main__":
    report = verify_optimizers()
    print(report.table())
    raise SystemExit(0 if report.passed else 1)
