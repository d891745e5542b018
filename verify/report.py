"""Checking catalogue entries against their JAX references, and the tables ``handbp verify`` prints.

:func:`check_equation` checks one entry on one net and returns an :class:`EquationCheck`;
:func:`verify_all` checks the whole catalogue on the series' net and on random nets and
returns a :class:`Report`, one row per equation id (the worst net for that id).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from handbp.equations import CATALOGUE, equation
from verify.compare import METHODS, TOLERANCES, MethodError, compare, dtype_name, worst
from verify.references import REFERENCES, HandPass, JaxResults, hand_pass, jax_results
from verify.setups import DEFAULT_SIZES, RANDOM_EXAMPLES, Setup, random_setup, series_setup

_METHOD_HEADERS = {
    "value": "value",
    "reverse": "reverse",
    "forward": "forward",
    "finite_differences": "finite diff",
}


LEGEND: tuple[str, ...] = (
    "error relative to the quantity's scale (max |hand - reference| / max |reference|); "
    "value: an independent JAX computation of the same value;",
    "reverse / forward: JAX autodiff in reverse / forward mode; finite diff: central "
    "differences of the JAX forward map;",
    "entries: how many entries were compared, on the net that checked the fewest (a "
    "large quantity computed one entry at a time is checked on a seeded sample: its "
    "corners, its largest entries, and random ones)",
)
"""What the columns of ``handbp verify`` and ``handbp check`` mean."""


@dataclass(frozen=True)
class EquationCheck:
    """One catalogue entry checked on one net: the errors of each method.

    ``methods`` maps each method that applies (``value`` for forward maps; ``reverse``,
    ``forward``, ``finite_differences`` for derivatives) to the worst
    :class:`~verify.compare.MethodError` over the entry's components; ``components``
    holds every component's errors (``feedforward`` has four, ``backpropagation`` six).
    """

    id: str
    part: int
    quantity: str
    setup: str
    dtype: str
    methods: dict[str, MethodError]
    components: dict[str, dict[str, MethodError]] = field(repr=False)

    @property
    def passed(self) -> bool:
        """Whether every method and component is within tolerance."""
        return all(error.passed for error in self.methods.values())

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the quantity (of its worst component if it has several)."""
        return self.worst().shape

    def worst(self) -> MethodError:
        """The worst comparison over methods and components."""
        return worst(list(self.methods.values()))

    def badness(self) -> float:
        """The worst error in units of what is allowed (<= 1 passes)."""
        return max(error.badness() for error in self.methods.values())

    def fewest_entries(self) -> tuple[int, int] | None:
        """(checked, of) for the comparison that checked the smallest share of its entries;
        None if every comparison checked every entry."""
        sampled = [
            (e.sample.size, e.sample.total)
            for errors in self.components.values()
            for e in errors.values()
            if e.sample is not None
        ]
        return min(sampled, key=lambda c: c[0] / c[1]) if sampled else None

    def shape_label(self) -> str:
        """``"(3, 2)"``, or ``"4 arrays"`` for an entry with several components."""
        if len(self.components) > 1:
            return f"{len(self.components)} arrays"
        return str(self.shape)

    def table(self) -> str:
        """Karpathy-style: per method and component, exact / close / max diff, worst element."""
        lines = [
            f"{self.id} (part {self.part}) on {self.setup}, {self.dtype}: "
            f"{'PASS' if self.passed else 'FAIL'}",
            f"reference: {self.quantity}",
            f"{'method':<18} {'component':<22} {'entries':<12} {'exact':<6} {'close':<6} "
            f"{'max diff':<9} {'rel err':<9} worst element: hand vs reference",
        ]
        for method in METHODS:
            for component, errors in self.components.items():
                if method not in errors:
                    continue
                e = errors[method]
                where = (
                    f"hand shape {e.hand_shape}, reference shape {e.shape}"
                    if e.shape_mismatch
                    else f"{list(e.worst_index)}: {e.hand_value:.17g} vs {e.reference_value:.17g}"
                )
                entries = "all" if e.sample is None else f"{e.sample.size} of {e.sample.total}"
                lines.append(
                    f"{method:<18} {component or '-':<22} {entries:<12} {e.exact!s:<6} "
                    f"{e.passed!s:<6} {e.max_abs_error:<9.2g} {e.relative_error:<9.2g} {where}"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: id, part, net, result and every comparison."""
        return {
            "id": self.id,
            "part": self.part,
            "quantity": self.quantity,
            "setup": self.setup,
            "dtype": self.dtype,
            "passed": self.passed,
            "shape": list(self.shape),
            "entries_checked": None if self.fewest_entries() is None else self.fewest_entries()[0],
            "entries": int(np.prod(self.shape, dtype=np.int64)),
            "methods": {m: e.as_dict() for m, e in self.methods.items()},
            "components": {
                c: {m: e.as_dict() for m, e in errors.items()}
                for c, errors in self.components.items()
            },
        }


def run_reference(
    equation_id: str,
    function: Callable[..., Any],
    hand: HandPass,
    results: JaxResults,
) -> EquationCheck:
    """Check ``function`` (with the signature of catalogue entry ``equation_id``) on one net."""
    values = REFERENCES[equation_id].hand(function, hand)
    return compare_values(equation_id, values, results)


def compare_values(equation_id: str, values: dict[str, Any], results: JaxResults) -> EquationCheck:
    """Compare hand values ``{component: array}`` of ``equation_id`` with its references."""
    reference = REFERENCES[equation_id]
    setup = results.setup
    dtype = "float64" if reference.float64_only else setup.dtype.name
    components: dict[str, dict[str, MethodError]] = {}
    for method, targets in reference.targets(results).items():
        for component, target in targets.items():
            error = compare(values[component], target, method, dtype, component)
            components.setdefault(component, {})[method] = error
    methods = {
        method: worst([errors[method] for errors in components.values() if method in errors])
        for method in reference.methods
    }
    return EquationCheck(
        equation_id,
        CATALOGUE[equation_id].part,
        reference.quantity,
        setup.name,
        setup.dtype.name,
        methods,
        components,
    )


@lru_cache(maxsize=8)
def _prepared(setup_key: tuple[Any, ...]) -> tuple[HandPass, JaxResults]:
    if setup_key[0] == "series":
        setup = series_setup(setup_key[1])
    else:
        _, dtype, sizes, examples, seed = setup_key
        setup = random_setup(sizes, examples, seed, dtype)
    hand = hand_pass(setup)
    return hand, jax_results(hand)


def prepared_setups(
    dtype: DTypeLike,
    sizes: Sequence[tuple[int, int, int]] = DEFAULT_SIZES,
    seed: int = 0,
    examples: int = RANDOM_EXAMPLES,
) -> list[tuple[HandPass, JaxResults]]:
    """:func:`prepare` for the nets of :func:`setups_for`, remembered between calls."""
    name = dtype_name(dtype)
    return [_prepared(("series", name))] + [
        _prepared(("random", name, (s[0], s[1], s[2]), examples, seed + i))
        for i, s in enumerate(sizes)
    ]


def prepare(setup: Setup) -> tuple[HandPass, JaxResults]:
    """handbp's pass and JAX's results on ``setup`` (JAX compiles once per shape and dtype)."""
    hand = hand_pass(setup)
    return hand, jax_results(hand)


def resolve_setup(
    setup: Setup | str,
    dtype: DTypeLike,
    sizes: tuple[int, int, int] = DEFAULT_SIZES[0],
    examples: int = RANDOM_EXAMPLES,
    seed: int = 0,
) -> tuple[HandPass, JaxResults]:
    """The prepared net named by ``setup``: ``"series"``, ``"random"`` (``sizes``, ``seed``), or a Setup."""
    name = dtype_name(dtype)
    if isinstance(setup, Setup):
        if setup.dtype.name != name:
            raise TypeError(f"setup has dtype {setup.dtype}, but dtype {name} was asked for")
        return prepare(setup)
    if setup == "series":
        return _prepared(("series", name))
    if setup == "random":
        return _prepared(("random", name, tuple(sizes), examples, seed))
    raise ValueError(f"setup must be 'series', 'random' or a verify.setups.Setup, got {setup!r}")


def check_equation(
    equation_id: str,
    dtype: DTypeLike = "float64",
    setup: Setup | str = "series",
    *,
    sizes: tuple[int, int, int] = DEFAULT_SIZES[0],
    examples: int = RANDOM_EXAMPLES,
    seed: int = 0,
) -> EquationCheck:
    """Check catalogue entry ``equation_id`` against its JAX references on one net.

    ``setup``: ``"series"`` (part 13: three flowers, seed-10 weights, eta 0.1),
    ``"random"`` (a random net of layer widths ``sizes`` with ``examples`` examples, from
    ``seed``), or a :class:`verify.setups.Setup`.
    """
    equation(equation_id)  # a ValueError naming an unknown id
    hand, results = resolve_setup(setup, dtype, sizes, examples, seed)
    return run_reference(equation_id, CATALOGUE[equation_id].function, hand, results)


@dataclass(frozen=True)
class Report:
    """The whole catalogue checked on several nets: one row per id (its worst net)."""

    dtype: str
    setups: tuple[str, ...]
    checks: tuple[EquationCheck, ...]
    unverified: tuple[str, ...] = ()
    """Catalogue ids without a reference in verify (each one fails the report)."""

    @property
    def rows(self) -> list[EquationCheck]:
        """One :class:`EquationCheck` per equation id, in catalogue order: the worst net's."""
        by_id: dict[str, EquationCheck] = {}
        for check in self.checks:
            current = by_id.get(check.id)
            if current is None or (not check.passed, check.badness()) > (
                not current.passed,
                current.badness(),
            ):
                by_id[check.id] = check
        return [by_id[i] for i in CATALOGUE if i in by_id]

    @property
    def passed(self) -> bool:
        """Whether every entry has a reference and passed on every net."""
        return not self.unverified and all(check.passed for check in self.checks)

    def entries_label(self, equation_id: str) -> str:
        """``"all"``, or ``"32/4096"``: the fewest entries of ``equation_id`` compared on any net."""
        fewest = [f for c in self.checks if c.id == equation_id and (f := c.fewest_entries())]
        if not fewest:
            return "all"
        checked, total = min(fewest, key=lambda c: c[0] / c[1])
        return f"{checked}/{total}"

    def failures(self) -> list[EquationCheck]:
        """The rows that failed."""
        return [row for row in self.rows if not row.passed]

    def table(self) -> str:
        """The table ``handbp verify`` prints."""
        rows = self.rows
        width = max(len(i) for i in [*(r.id for r in rows), *self.unverified, "equation"])
        net = {name: _short_setup(name) for name in self.setups}
        shape_width = max(9, *(len(r.shape_label()) for r in rows))
        entries_width = max(7, *(len(self.entries_label(r.id)) for r in rows))
        header = (
            f"{'equation':<{width}}  part  {'shape':<{shape_width}} {'entries':<{entries_width}} "
            + " ".join(f"{_METHOD_HEADERS[m]:<11}" for m in METHODS)
            + f" {'worst net':<10} result"
        )
        lines = [
            f"handbp verify: {len(rows) + len(self.unverified)} equations against JAX, "
            f"{self.dtype}, on "
            f"{len(self.setups)} nets ({'; '.join(self.setups)})",
            *LEGEND,
            "",
            header,
            "-" * len(header),
        ]
        for r in rows:
            cells = [f"{r.methods[m].summary() if m in r.methods else '-':<11}" for m in METHODS]
            lines.append(
                f"{r.id:<{width}}  {r.part:>4}  {r.shape_label():<{shape_width}} "
                f"{self.entries_label(r.id):<{entries_width}} "
                + " ".join(cells)
                + f" {net[r.setup]:<10} {'pass' if r.passed else 'FAIL'}"
            )
        tolerances = ", ".join(
            f"{_METHOD_HEADERS[m]} {r:.0e}" for m, r in _tolerances(self.dtype).items()
        )
        for missing in self.unverified:
            lines.append(f"{missing:<{width}}  no JAX reference in verify/table/: FAIL")
        passed = sum(r.passed for r in rows)
        lines += [
            "-" * len(header),
            f"{passed} of {len(rows) + len(self.unverified)} equations pass (tolerances {self.dtype}: {tolerances}; "
            "'abs*': agrees to within rounding, the quantity itself is below it)",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def to_json(self) -> str:
        """The report as JSON: rows (worst net per id), and every check per net."""
        return json.dumps(
            {
                "dtype": self.dtype,
                "passed": self.passed,
                "tolerances": _tolerances(self.dtype),
                "setups": list(self.setups),
                "rows": [row.as_dict() for row in self.rows],
                "unverified": list(self.unverified),
                "checks": [check.as_dict() for check in self.checks],
            },
            indent=2,
        )


def _tolerances(dtype: str) -> dict[str, float]:
    return dict(TOLERANCES[dtype])


def _short_setup(name: str) -> str:
    return "series" if name == "series" else name.split(",")[0].removeprefix("random ")


def setups_for(
    dtype: DTypeLike,
    sizes: Sequence[tuple[int, int, int]] = DEFAULT_SIZES,
    seed: int = 0,
    examples: int = RANDOM_EXAMPLES,
) -> list[Setup]:
    """The series' net and one random net per entry of ``sizes`` (seeds ``seed``, ``seed + 1`` ...)."""
    return [series_setup(dtype)] + [
        random_setup((s[0], s[1], s[2]), examples, seed + i, dtype) for i, s in enumerate(sizes)
    ]


def verify_all(
    dtype: DTypeLike = "float64",
    sizes: Sequence[tuple[int, int, int]] = DEFAULT_SIZES,
    seed: int = 0,
    examples: int = RANDOM_EXAMPLES,
    progress: Callable[[int, int, Setup], None] | None = None,
) -> Report:
    """Check every catalogue entry on the series' net and on random nets of layer widths ``sizes``.

    ``progress(i, n, setup)`` is called before each of the ``n`` nets (the CLI shows it).
    """
    name = dtype_name(dtype)
    setups = setups_for(name, sizes, seed, examples)
    checks = []
    for i, setup in enumerate(setups):
        if progress is not None:
            progress(i, len(setups), setup)
        hand, results = prepare(setup)
        for equation_id, entry in CATALOGUE.items():
            if equation_id in REFERENCES:
                checks.append(run_reference(equation_id, entry.function, hand, results))
    unverified = tuple(i for i in CATALOGUE if i not in REFERENCES)
    return Report(name, tuple(s.name for s in setups), tuple(checks), unverified)
