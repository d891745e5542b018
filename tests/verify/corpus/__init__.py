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

from handbp.nn import Net
from verify.checker import check_backprop, check_function
from verify.layer_check import check_layer
from verify.net_check import check_net


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
    net: tuple[Any, ...] | None = None
    """For ``equation == "net"``: the :class:`handbp.nn.Net`'s arguments (a general net's
    backward, checked by :func:`verify.check_net`; ``first`` is the quantity, e.g. ``"D2"``)."""
    dtypes: tuple[str, ...] = ("float64", "float32")
    """The dtypes in which it is a mistake (float32 inside a float64 function is right in a
    float32 check)."""

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.equation}:{getattr(self.function, '__name__', '?')}"


DTYPES = ("float64", "float32")
"""Every case is checked in both dtypes."""


@dataclass(frozen=True)
class Outcome:
    """What the checker said about one case in one dtype."""

    case: Case
    dtype: str
    caught: bool
    named: bool
    said: str


def run(case: Case, dtype: str = "float64") -> Outcome:
    """Check one case; whether it failed, and whether the diagnosis named its mistake."""
    if case.net is not None:
        widths, activations, loss, biases = case.net
        report = check_net(case.function, Net(widths, activations, loss, biases), dtype)
        first = report.first_failure
        found = None if first is None else first.found
        named = found is not None and first.name == case.first and found.mistake == case.kind
        said = report.error or ("" if first is None else f"{first.name}: {found}")
        return Outcome(case, dtype, not report.passed, named, said)
    if case.layer is not None:
        forward, shapes, options = case.layer
        checked = check_layer(forward, case.function, shapes, dtype=dtype, trials=4, **options)
        first_failure = checked.first_failure
        said = checked.error or (first_failure.diagnosis if first_failure else "") or ""
        return Outcome(case, dtype, not checked.passed, checked.mistake == case.kind, said)
    if case.equation == "backpropagation" and case.first is not None:
        report = check_backprop(case.function, dtype)
        first = report.first_failure
        if report.error is not None:
            return Outcome(case, dtype, True, False, report.error)
        named = first is not None and first.id == case.first and first.mistake == case.kind
        said = "" if first is None else str(first.diagnosis)
        return Outcome(case, dtype, not report.passed, named, said)
    result = check_function(case.equation, case.function, dtype)
    named = result.mistake == case.kind
    return Outcome(case, dtype, not result.passed, named, str(result.diagnosis))


def all_cases() -> list[Case]:
    """Every case of the corpus."""
    from tests.verify.corpus import backprop, functions, layers, nets

    return [*functions.CASES, *backprop.CASES, *layers.CASES, *nets.CASES]


def measure(cases: list[Case] | None = None) -> list[Outcome]:
    """The checker's outcome on every case in each dtype (in the corpus' order)."""
    chosen = all_cases() if cases is None else cases
    return [run(c, d) for c in chosen for d in DTYPES if d in c.dtypes]


def _cells(found: list[Outcome]) -> str:
    cells = []
    for dtype in DTYPES:
        these = [o for o in found if o.dtype == dtype]
        caught, named = sum(o.caught for o in these), sum(o.named for o in these)
        cells += [f"{caught}", f"{named}"] if these else ["-", "-"]
    return " | ".join(cells)


def accuracy_table(outcomes: list[Outcome]) -> str:
    """Markdown: per mistake kind (series' code, general layers, general nets), the cases, and how
    many were caught and named in float64 and in float32 (``-``: its cases are mistakes in
    the other dtype only; the last row's shares are of the cases checked in that dtype)."""
    kinds: dict[tuple[str, str], list[Outcome]] = {}
    for outcome in outcomes:
        where = (
            "layers"
            if outcome.case.layer is not None
            else "nets"
            if outcome.case.net is not None
            else "series"
        )
        kinds.setdefault((where, outcome.case.kind), []).append(outcome)
    lines = [
        "| code | mistake | cases | caught float64 | named float64 | caught float32 | named float32 |",
        "|---|---|---|---|---|---|---|",
    ]
    for (where, kind), found in kinds.items():
        cases = len({id(o.case) for o in found})
        lines.append(f"| {where} | `{kind}` | {cases} | {_cells(found)} |")
    total = len({id(o.case) for o in outcomes})
    shares = []
    for dtype in DTYPES:
        these = [o for o in outcomes if o.dtype == dtype]
        for count in (sum(o.caught for o in these), sum(o.named for o in these)):
            shares.append(f"{count} ({100 * count / max(len(these), 1):.0f}%)")
    lines.append(f"| **all** | | {total} | {' | '.join(shares)} |")
    return "\n".join(lines)
