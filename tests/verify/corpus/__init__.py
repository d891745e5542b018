"""A corpus of deliberately wrong implementations, and the checker's measured accuracy on it.

Each :class:`Case` is one small wrong implementation a learner might write: of one
catalogue function (:mod:`tests.verify.corpus.functions`) or of a whole backpropagation
(:mod:`tests.verify.corpus.backprop`), or of a general layer's backward
(:mod:`tests.verify.corpus.layers`), with the mistake it makes (one of
:data:`verify.diagnose.MISTAKES`). :func:`measure` runs the checker on every case;
:func:`accuracy_table` is the table docs/verify.md shows, and ``python -m
tests.verify.corpus`` prints it (a test asserts that the docs hold exactly this table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from verify.checker import check_backprop, check_function
from verify.layer_check import check_layer


@dataclass(frozen=True)
class Case:
    """One wrong implementation: of ``equation`` (``backpropagation``: the whole pass;
    ``layer``: a general layer's backward, ``function``, against its ``layer`` forward).

    ``kind``: the mistake it makes; ``first``: for a backpropagation, the first quantity
    it gets wrong (the diagnosis must be made there).
    """

    kind: str
    equation: str
    function: Callable[..., Any]
    first: str | None = None
    layer: tuple[Callable[..., Any], dict[str, Any], dict[str, Any]] | None = None
    """For ``equation == "layer"``: (forward, shapes, options of :func:`verify.check_layer`)."""

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.equation}:{getattr(self.function, '__name__', '?')}"


@dataclass(frozen=True)
class Outcome:
    """What the checker said about one case."""

    case: Case
    caught: bool
    named: bool
    said: str


def run(case: Case) -> Outcome:
    """Check one case; whether it failed, and whether the diagnosis named its mistake."""
    if case.layer is not None:
        forward, shapes, options = case.layer
        checked = check_layer(forward, case.function, shapes, trials=4, **options)
        first_failure = checked.first_failure
        said = checked.error or (first_failure.diagnosis if first_failure else "") or ""
        return Outcome(case, not checked.passed, checked.mistake == case.kind, said)
    if case.equation == "backpropagation" and case.first is not None:
        report = check_backprop(case.function)
        first = report.first_failure
        if report.error is not None:
            return Outcome(case, True, False, report.error)
        named = first is not None and first.id == case.first and first.mistake == case.kind
        return Outcome(
            case, not report.passed, named, "" if first is None else str(first.diagnosis)
        )
    result = check_function(case.equation, case.function)
    return Outcome(case, not result.passed, result.mistake == case.kind, str(result.diagnosis))


def all_cases() -> list[Case]:
    """Every case of the corpus."""
    from tests.verify.corpus import backprop, functions, layers

    return [*functions.CASES, *backprop.CASES, *layers.CASES]


def measure(cases: list[Case] | None = None) -> list[Outcome]:
    """The checker's outcome on every case (in the corpus' order)."""
    return [run(case) for case in (all_cases() if cases is None else cases)]


def accuracy_table(outcomes: list[Outcome]) -> str:
    """Markdown: per mistake kind (series' code, then general layers), the cases, how many
    were caught and how many named."""
    kinds: dict[tuple[str, str], list[Outcome]] = {}
    for outcome in outcomes:
        where = "layers" if outcome.case.layer is not None else "series"
        kinds.setdefault((where, outcome.case.kind), []).append(outcome)
    lines = ["| code | mistake | cases | caught | named |", "|---|---|---|---|---|"]
    for (where, kind), found in kinds.items():
        caught = sum(o.caught for o in found)
        named = sum(o.named for o in found)
        lines.append(f"| {where} | `{kind}` | {len(found)} | {caught} | {named} |")
    total = len(outcomes)
    caught = sum(o.caught for o in outcomes)
    named = sum(o.named for o in outcomes)
    lines.append(
        f"| **all** | | {total} | {caught} ({100 * caught / total:.0f}%) | "
        f"{named} ({100 * named / total:.0f}%) |"
    )
    return "\n".join(lines)
