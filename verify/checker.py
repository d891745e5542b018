"""Checking anyone's own code against JAX: one equation's function, or a whole backpropagation.

:func:`check_function` takes a learner's function with the signature of a catalogue
entry (e.g. ``hidden_layer_delta(H_error, H_out)``), :func:`check_backprop` a learner's
backpropagation with handbp's signature ``backprop(X, Y, W2, forward)``. Both run it on
the series' net and on random nets, compare with the JAX references, and, for what
fails, name the likely mistake (:mod:`verify.diagnose`). :func:`assert_function` and
:func:`assert_backprop` raise an ``AssertionError`` carrying the report, for pytest.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from handbp.equations import CATALOGUE, equation
from verify.compare import as_compared_array, dtype_name
from verify.diagnose import Diagnosis
from verify.entries import ResultError
from verify.findings import (
    Failure,
    combine,
    diagnosis_of,
    match_failure,
    mutated_candidates,
    reference_target,
    swapped,
    upstream_candidates,
)
from verify.learner import LearnerRaised, changed_note, guarded, private_pass
from verify.references import BACKPROP_IDS, REFERENCES, HandPass, JaxResults, components
from verify.report import EquationCheck, compare_values, prepare, prepared_setups
from verify.setups import DEFAULT_SIZES, RANDOM_EXAMPLES, Setup


@dataclass(frozen=True)
class QuantityCheck:
    """One quantity of a learner's code checked on several nets, with a diagnosis if it fails.

    ``checks`` has one :class:`~verify.report.EquationCheck` per net (fewer if the code
    raised); ``mistake`` is one of :data:`verify.mistakes.MISTAKES` and ``diagnosis`` the
    sentence explaining it, both None when the quantity passes.
    """

    id: str
    checks: tuple[EquationCheck, ...]
    found: Diagnosis | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()
    """What is worth knowing even when the result is right (e.g. inputs changed in place)."""

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
        lines += [f"  {note}" for note in self.notes]
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
            "notes": list(self.notes),
            "checks": [check.as_dict() for check in self.checks],
        }


@dataclass(frozen=True)
class BackpropReport:
    """A learner's backpropagation checked quantity by quantity (parts 11-12)."""

    quantities: dict[str, QuantityCheck]
    error: str | None = None
    notes: tuple[str, ...] = ()
    """What is worth knowing even when the result is right (e.g. inputs changed in place)."""

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
            [
                *blocks,
                f"backpropagation: {'PASS' if self.passed else 'FAIL'}: {summary}",
                *self.notes,
            ]
        )

    def __str__(self) -> str:
        return self.table()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: result, error, and each quantity's check."""
        return {
            "passed": self.passed,
            "error": self.error,
            "notes": list(self.notes),
            "quantities": {i: q.as_dict() for i, q in self.quantities.items()},
        }


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


def _signature(equation_id: str) -> str:
    try:
        parameters = inspect.signature(CATALOGUE[equation_id].function).parameters
        return f"({', '.join(parameters)})"
    except (TypeError, ValueError):
        return ""


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
    with private copies of handbp's values as its inputs (a note says if it changed
    them). If it raises (even ``SystemExit``), returns something that is not numbers, or
    disagrees, the result says so and names the likely mistake.
    """
    equation(equation_id)
    reference = REFERENCES[equation_id]
    learner = guarded(function, _signature(equation_id))
    checks: list[EquationCheck] = []
    failing: dict[str, list[Failure]] = {}
    changed: list[str] = []
    for hand, jr in _setups(dtype, sizes, seed, examples, nets):
        private = private_pass(hand)
        try:
            values = reference.hand(learner, private.hand)
        except LearnerRaised as raised:
            message = f"{equation_id}: your function raised {raised}"
            return QuantityCheck(equation_id, tuple(checks), Diagnosis("raised", message), message)
        except ResultError as error:
            message = f"{equation_id}: {error}"
            return QuantityCheck(
                equation_id, tuple(checks), Diagnosis(error.mistake, message), message
            )
        changed += [n for n in private.changed() if n not in changed]
        try:
            arrays = {c: as_compared_array(v, c or equation_id) for c, v in values.items()}
            check = compare_values(equation_id, arrays, jr)
        except (TypeError, ValueError, KeyError) as error:
            message = f"{equation_id}: your function's result: {error}"
            return QuantityCheck(
                equation_id, tuple(checks), Diagnosis("not_numeric", message), message
            )
        checks.append(check)
        targets = {
            c: np.asarray(reference_target(equation_id, c, jr).value) for c in check.components
        }
        for component, errors in check.components.items():
            if not all(e.passed for e in errors.values()):
                dtype = "float64" if reference.float64_only else jr.setup.dtype.name
                pair = swapped(component, targets, arrays, dtype)
                found = match_failure(equation_id, component, arrays[component], jr, pair)
                failing.setdefault(component, []).append(found)
    names = list(checks[0].components) if checks else []
    diagnosis = diagnosis_of(equation_id, failing, names) if failing else None
    notes = (changed_note(changed),) if changed else ()
    return QuantityCheck(equation_id, tuple(checks), diagnosis, notes=notes)


def assert_function(
    equation_id: str, function: Callable[..., Any], **options: Any
) -> QuantityCheck:
    """:func:`check_function`, raising ``AssertionError`` with the report if it fails."""
    result = check_function(equation_id, function, **options)
    if not result.passed:
        raise AssertionError(str(result))
    return result


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

    ``function`` gets private copies of handbp's inputs and feedforward pass (a note says
    if it changed them)
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
    learner = guarded(function, "(X, Y, W2, forward)")
    changed: list[str] = []
    for hand, jr in _setups(dtype, sizes, seed, examples, nets):
        private = private_pass(hand)
        s = private.hand.setup
        try:
            result = learner(s.X, s.Y, s.W2, private.hand.forward)
        except LearnerRaised as raised:
            return BackpropReport({}, f"your backpropagation raised {raised}")
        mutated = {n: private.copies[n] for n in private.changed()}
        changed += [n for n in mutated if n not in changed]
        try:
            values = components(result, BACKPROP_IDS, "backpropagation's result")
            arrays = {i: as_compared_array(values[i], i) for i in BACKPROP_IDS}
        except TypeError as error:
            return BackpropReport(
                {}, f"your backpropagation returned {type(result).__name__}: {error}"
            )
        targets = {i: np.asarray(reference_target(i, i, jr).value) for i in BACKPROP_IDS}
        failed: set[str] = set()
        for quantity in BACKPROP_IDS:
            check = compare_values(quantity, {quantity: arrays[quantity]}, jr)
            checks[quantity].append(check)
            if check.passed:
                continue
            failed.add(quantity)
            pair = swapped(quantity, targets, arrays, jr.setup.dtype.name)
            extra = [
                *pair,
                *mutated_candidates(quantity, arrays, mutated, jr),
                *upstream_candidates(quantity, arrays, failed, jr),
            ]
            found = match_failure(quantity, quantity, arrays[quantity], jr, extra)
            failing[quantity].append(found)
    quantities = {
        i: QuantityCheck(i, tuple(checks[i]), combine(i, failing[i]) if failing[i] else None)
        for i in BACKPROP_IDS
    }
    return BackpropReport(quantities, notes=(changed_note(changed),) if changed else ())


def assert_backprop(function: Callable[..., Any], **options: Any) -> BackpropReport:
    """:func:`check_backprop`, raising ``AssertionError`` with the report if it fails."""
    report = check_backprop(function, **options)
    if not report.passed:
        raise AssertionError(str(report))
    return report
