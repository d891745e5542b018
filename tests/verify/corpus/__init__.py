"""A corpus of deliberately wrong implementations, and the checker's measured accuracy on it.

Each :class:`Case` is one small wrong implementation a learner might write: of one
catalogue function (:mod:`tests.verify.corpus.functions`) or of a whole backpropagation
(:mod:`tests.verify.corpus.backprop`), with the mistake it makes (one of
:data:`verify.diagnose.MISTAKES`). :func:`measure` runs the checker on every case;
:func:`accuracy_table` is the table docs/verify.md shows, and ``python -m
tests.verify.corpus`` prints it (a test asserts that the docs hold exactly this table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from verify.checker import check_backprop, check_function


@dataclass(frozen=True)
class Case:
    """One wrong implementation: of ``equation`` (``backpropagation``: the whole pass).

    ``kind``: the mistake it makes; ``first``: for a backpropagation, the first quantity
    it gets wrong (the diagnosis must be made there).
    """

    kind: str
    equation: str
    function: Callable[..., Any]
    first: str | None = None

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
    from tests.verify.corpus import backprop, functions

    return [*functions.CASES, *backprop.CASES]


def measure(cases: list[Case] | None = None) -> list[Outcome]:
    """The checker's outcome on every case (in the corpus' order)."""
    return [run(case) for case in (all_cases() if cases is None else cases)]


def accuracy_table(outcomes: list[Outcome]) -> str:
    """Markdown: per mistake kind, the cases, how many were caught and how many named."""
    kinds: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        kinds.setdefault(outcome.case.kind, []).append(outcome)
    lines = ["| mistake | cases | caught | named |", "|---|---|---|---|"]
    for kind, found in kinds.items():
        caught = sum(o.caught for o in found)
        named = sum(o.named for o in found)
        lines.append(f"| `{kind}` | {len(found)} | {caught} | {named} |")
    total = len(outcomes)
    caught = sum(o.caught for o in outcomes)
    named = sum(o.named for o in outcomes)
    lines.append(
        f"| **all** | {total} | {caught} ({100 * caught / total:.0f}%) | "
        f"{named} ({100 * named / total:.0f}%) |"
    )
    return "\n".join(lines)
