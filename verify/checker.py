"""Checking anyone's own code against JAX: one equation's function, or a whole backpropagation.

:func:`check_function` takes a learner's function with the signature of a catalogue
entry (e.g. ``hidden_layer_delta(H_error, H_out)``), :func:`check_backprop` a learner's
backpropagation with handbp's signature ``backprop(X, Y, W2, forward)``. Both run it on
the series' net and on random nets, compare with the JAX references, and, for what
fails, name the likely mistake (:mod:`verify.diagnose`). :func:`assert_function` and
:func:`assert_backprop` raise an ``AssertionError`` carrying the report, for pytest.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from handbp import network
from handbp.equations import equation
from verify.compare import Target, as_compared_array, dtype_name
from verify.diagnose import (
    LOCAL_STEPS,
    Candidate,
    Diagnosis,
    Pieces,
    candidates,
    generic_candidates,
    matching_mistakes,
    shape_message,
    worst_elements_message,
)
from verify.references import BACKPROP_IDS, REFERENCES, HandPass, JaxResults, components
from verify.report import EquationCheck, compare_values, prepare, prepared_setups
from verify.sampling import Sample
from verify.setups import DEFAULT_SIZES, RANDOM_EXAMPLES, Setup


@dataclass(frozen=True)
class QuantityCheck:
    """One quantity of a learner's code checked on several nets, with a diagnosis if it fails.

    ``checks`` has one :class:`~verify.report.EquationCheck` per net (fewer if the code
    raised); ``mistake`` is one of :data:`verify.diagnose.MISTAKES` and ``diagnosis`` the
    sentence explaining it, both None when the quantity passes.
    """

    id: str
    checks: tuple[EquationCheck, ...]
    found: Diagnosis | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        """Whether the code ran and agreed with every reference on every net."""
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def diagnosis(self) -> str | None:
        """What is probably wrong, in words (None if it passed)."""
        return None if self.found is None else self.found.message

    @property
    def mistake(self) -> str | None:
        """The diagnosed mistake's name, e.g. ``"factor_2"`` (None if it passed)."""
        return None if self.found is None else self.found.mistake

    def table(self) -> str:
        """Per net: pass/fail and each method's error; then the diagnosis."""
        lines = [f"{self.id}: {'PASS' if self.passed else 'FAIL'}"]
        for check in self.checks:
            cells = ", ".join(f"{m} {e.summary()}" for m, e in check.methods.items())
            lines.append(f"  {check.setup:<40} {'pass' if check.passed else 'FAIL'}  {cells}")
        if self.diagnosis:
            lines.append(f"  diagnosis: {self.diagnosis}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: result, mistake, diagnosis and every net's check."""
        return {
            "id": self.id,
            "passed": self.passed,
            "mistake": self.mistake,
            "diagnosis": self.diagnosis,
            "error": self.error,
            "checks": [check.as_dict() for check in self.checks],
        }


@dataclass(frozen=True)
class BackpropReport:
    """A learner's backpropagation checked quantity by quantity (parts 11-12)."""

    quantities: dict[str, QuantityCheck]
    error: str | None = None

    @property
    def passed(self) -> bool:
        """Whether it ran and every quantity passed on every net."""
        return self.error is None and all(q.passed for q in self.quantities.values())

    @property
    def first_failure(self) -> QuantityCheck | None:
        """The first wrong quantity in the order of computation: where to look first."""
        return next((q for q in self.quantities.values() if not q.passed), None)

    def table(self) -> str:
        """One block per quantity, then a summary line."""
        if self.error is not None:
            return f"backpropagation: FAIL\n  {self.error}"
        blocks = [q.table() for q in self.quantities.values()]
        first = self.first_failure
        summary = (
            "every quantity agrees with JAX autodiff"
            if first is None
            else f"first wrong quantity: {first.diagnosis}"
        )
        return "\n".join(
            [*blocks, f"backpropagation: {'PASS' if self.passed else 'FAIL'}: {summary}"]
        )

    def __str__(self) -> str:
        return self.table()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: result, error, and each quantity's check."""
        return {
            "passed": self.passed,
            "error": self.error,
            "quantities": {i: q.as_dict() for i, q in self.quantities.items()},
        }


def _raised(error: BaseException) -> str:
    """``TypeError: message (at file.py:12, in function)`` for the frame that raised."""
    frames = traceback.extract_tb(error.__traceback__)
    where = (
        f" (at {frames[-1].filename}:{frames[-1].lineno}, in {frames[-1].name})" if frames else ""
    )
    return f"{type(error).__name__}: {error}{where}"


def _setups(
    dtype: DTypeLike,
    sizes: Sequence[tuple[int, int, int]],
    seed: int,
    examples: int,
    nets: Sequence[Setup] | None,
) -> list[tuple[HandPass, JaxResults]]:
    if nets is None:
        return prepared_setups(dtype_name(dtype), sizes, seed, examples)
    if not nets:
        raise ValueError("nets must hold at least one verify.setups.Setup, got none")
    return [prepare(net) for net in nets]


@dataclass(frozen=True)
class Failure:
    """One quantity failing on one net: the candidates it matches, and what was compared."""

    net: str
    found: list[Candidate]
    hand: np.ndarray
    reference: np.ndarray
    sample: Sample | None


def _reference(equation_id: str, component: str, jr: JaxResults) -> Target:
    """The first reference (reverse mode, or value) of one component: whole, and its sample."""
    reference = REFERENCES[equation_id]
    return reference.targets(jr)[reference.methods[0]][component]


def _matches(
    equation_id: str,
    component: str,
    hand: np.ndarray,
    jr: JaxResults,
    extra: Sequence[Candidate] = (),
) -> Failure:
    target = _reference(equation_id, component, jr)
    dtype = "float64" if REFERENCES[equation_id].float64_only else jr.setup.dtype.name
    value = np.asarray(target.value, dtype=np.float64)
    magnitude = float(np.max(target.magnitude)) if target.magnitude.size else 0.0
    found = [*extra, *candidates(equation_id, component, value, jr)]
    matched = matching_mistakes(hand, found, magnitude, dtype, target.sample)
    return Failure(jr.setup.name, matched, hand, value, target.sample)


def _combine(quantity: str, per_net: list[Failure]) -> Diagnosis:
    """One diagnosis from the failing nets: a mistake that matches on all of them, if any."""
    common = None
    for failure in per_net:
        found = failure.found
        labels = [c.mistake for c in found]
        common = labels if common is None else [m for m in common if m in labels]
    if common:
        chosen = next(c for c in per_net[0].found if c.mistake == common[0])
        return Diagnosis(chosen.mistake, f"{quantity}: {chosen.message}")
    messages = []
    for f in per_net:
        if f.found:
            text = f.found[0].message
        elif f.hand.shape != f.reference.shape:
            text = shape_message(f.hand.shape, f.reference.shape)
        else:
            text = worst_elements_message(f.hand, f.reference, f.sample)
        messages.append(f"on {f.net}: {text}")
    matched = [f.found[0].mistake for f in per_net if f.found]
    shapes = all(f.hand.shape != f.reference.shape for f in per_net)
    mistake = matched[0] if matched else ("shape_mismatch" if shapes else "unknown")
    return Diagnosis(mistake, f"{quantity}: " + "; ".join(messages))


def check_function(
    equation_id: str,
    function: Callable[..., Any],
    dtype: DTypeLike = "float64",
    *,
    sizes: Sequence[tuple[int, int, int]] = DEFAULT_SIZES,
    seed: int = 0,
    examples: int = RANDOM_EXAMPLES,
    nets: Sequence[Setup] | None = None,
) -> QuantityCheck:
    """Check a learner's ``function`` for catalogue entry ``equation_id`` against JAX.

    ``function`` must have the signature of the catalogue's function (``handbp
    equations`` lists them; e.g. ``hidden_layer_delta(H_error, H_out)``). It runs on the
    series' net and on random nets of layer widths ``sizes`` (or on the given ``nets``),
    with handbp's values as its inputs. If it raises, returns something that is not
    numbers, or disagrees, the result says so and names the likely mistake.
    """
    equation(equation_id)
    reference = REFERENCES[equation_id]
    checks: list[EquationCheck] = []
    failing: list[Failure] = []
    for hand, jr in _setups(dtype, sizes, seed, examples, nets):
        try:
            values = reference.hand(function, hand)
        except Exception as error:  # the learner's code: report any error, do not crash
            message = f"{equation_id}: your function raised {_raised(error)}"
            return QuantityCheck(equation_id, tuple(checks), Diagnosis("raised", message), message)
        try:
            arrays = {c: as_compared_array(v, c or equation_id) for c, v in values.items()}
            check = compare_values(equation_id, arrays, jr)
        except (TypeError, ValueError, KeyError) as error:
            message = f"{equation_id}: your function's result: {error}"
            return QuantityCheck(
                equation_id, tuple(checks), Diagnosis("not_numeric", message), message
            )
        checks.append(check)
        for component, errors in check.components.items():
            if not all(e.passed for e in errors.values()):
                hand_value = arrays[component]
                failing.append(_matches(equation_id, component, hand_value, jr))
    diagnosis = _combine(equation_id, failing) if failing else None
    return QuantityCheck(equation_id, tuple(checks), diagnosis)


def assert_function(
    equation_id: str, function: Callable[..., Any], **options: Any
) -> QuantityCheck:
    """:func:`check_function`, raising ``AssertionError`` with the report if it fails."""
    result = check_function(equation_id, function, **options)
    if not result.passed:
        raise AssertionError(str(result))
    return result


def _copy_forward(forward: network.Forward) -> network.Forward:
    return network.Forward(*(np.array(v, copy=True) for v in forward.as_dict().values()))


def check_backprop(
    function: Callable[..., Any],
    dtype: DTypeLike = "float64",
    *,
    sizes: Sequence[tuple[int, int, int]] = DEFAULT_SIZES,
    seed: int = 0,
    examples: int = RANDOM_EXAMPLES,
    nets: Sequence[Setup] | None = None,
) -> BackpropReport:
    """Check a learner's backpropagation ``function(X, Y, W2, forward)`` against JAX.

    ``function`` gets copies of handbp's inputs and feedforward pass
    (:class:`handbp.network.Forward`) and must return the six quantities of parts 11-12:
    a :class:`handbp.network.Backward`, an object with those attributes, a mapping with
    the six ids (``output_layer_error``, ``output_layer_delta``, ``weights_2_update``,
    ``hidden_layer_error``, ``hidden_layer_delta``, ``weights_1_update``) or a sequence of
    six arrays in that order. It runs on the series' net and random nets of layer widths
    ``sizes`` (or on the given ``nets``). A quantity that is wrong only because an earlier
    one is wrong is diagnosed as such (``mistake == "upstream"``).
    """
    checks: dict[str, list[EquationCheck]] = {i: [] for i in BACKPROP_IDS}
    failing: dict[str, list[Failure]] = {i: [] for i in BACKPROP_IDS}
    for hand, jr in _setups(dtype, sizes, seed, examples, nets):
        s = hand.setup
        try:
            result = function(s.X.copy(), s.Y.copy(), s.W2.copy(), _copy_forward(hand.forward))
        except Exception as error:  # the learner's code: report any error, do not crash
            return BackpropReport({}, f"your backpropagation raised {_raised(error)}")
        try:
            values = components(result, BACKPROP_IDS, "backpropagation's result")
            arrays = {i: as_compared_array(values[i], i) for i in BACKPROP_IDS}
        except TypeError as error:
            return BackpropReport(
                {}, f"your backpropagation returned {type(result).__name__}: {error}"
            )
        failed: set[str] = set()
        for quantity in BACKPROP_IDS:
            check = compare_values(quantity, {quantity: arrays[quantity]}, jr)
            checks[quantity].append(check)
            if check.passed:
                continue
            failed.add(quantity)
            extra = _upstream_candidates(quantity, arrays, failed, jr)
            failing[quantity].append(_matches(quantity, quantity, arrays[quantity], jr, extra))
    quantities = {
        i: QuantityCheck(i, tuple(checks[i]), _combine(i, failing[i]) if failing[i] else None)
        for i in BACKPROP_IDS
    }
    return BackpropReport(quantities)


def _upstream_candidates(
    quantity: str, arrays: dict[str, np.ndarray], failed: set[str], jr: JaxResults
) -> list[Candidate]:
    """If the quantity this one is computed from is wrong: this step applied to it, right or not."""
    if quantity not in LOCAL_STEPS:
        return []
    upstream, step = LOCAL_STEPS[quantity]
    if upstream not in failed:
        return []
    p = Pieces.of(jr)
    try:
        local = step(arrays[upstream], p)
    except ValueError:  # the upstream value has a shape this step cannot take
        return []
    right = Candidate(
        "upstream",
        f"follows from the mistake in {upstream}: this step is right given your {upstream}",
        local,
    )
    of = f"(applied to your {upstream})"
    return [right, *generic_candidates(local, p.N, p.E, of)]


def assert_backprop(function: Callable[..., Any], **options: Any) -> BackpropReport:
    """:func:`check_backprop`, raising ``AssertionError`` with the report if it fails."""
    report = check_backprop(function, **options)
    if not report.passed:
        raise AssertionError(str(report))
    return report
