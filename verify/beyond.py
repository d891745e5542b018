"""Chapter 2 ("beyond the series") in ``handbp verify``: one row per equation id.

The general net's ids come from :func:`verify.general.check_all` (every id on the nets of
``CHECK_NETS``, three ways where it is a derivative); the optimizers' from
:func:`verify.optimizers.verify_optimizers` (step by step against optax). Each row gives
the largest error relative to the quantity's scale per method, and the verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from handbp.equations import BEYOND
from verify.general import check_all
from verify.optimizers import verify_optimizers

METHODS: tuple[str, ...] = ("value", "reverse", "forward", "finite_differences", "optax")
"""The columns: how each reference is obtained (``optax``: the optimizer library's step)."""

WITHIN: dict[str, str] = {
    "momentum_velocity": "momentum_update",
    "adam_first_moment": "adam_update",
    "adam_second_moment": "adam_update",
    "adam_bias_correction": "adam_update",
    "adam_step": "adam_update",
}
"""Optimizer equations checked as parts of an update: its steps compare their state
(velocity; t, m and v) and the new weights with optax's, step by step."""


@dataclass(frozen=True)
class Row:
    """One chapter 2 id: its largest relative error per method, and whether it passed."""

    id: str
    errors: dict[str, float]
    passed: bool


@dataclass(frozen=True)
class BeyondReport:
    """Every chapter 2 row in one dtype."""

    dtype: str
    rows: tuple[Row, ...]

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)

    def table(self) -> str:
        """One line per id: the errors per method (``-`` where a method does not apply)."""
        width = max(len(row.id) for row in self.rows)
        lines = [
            f"chapter 2 (beyond the series), {self.dtype}: largest error relative to each "
            "quantity's scale",
            f"{'id':<{width}}  " + "  ".join(f"{m:>18}" for m in METHODS) + "  passed",
        ]
        for row in self.rows:
            cells = (f"{row.errors[m]:18.1e}" if m in row.errors else f"{'-':>18}" for m in METHODS)
            lines.append(f"{row.id:<{width}}  " + "  ".join(cells) + f"  {row.passed}")
        passed = sum(row.passed for row in self.rows)
        verdict = "all pass" if self.passed else "FAILED"
        lines.append(f"{passed} of {len(self.rows)} chapter 2 equations pass: {verdict}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "dtype": self.dtype,
            "passed": self.passed,
            "rows": [
                {"id": row.id, "errors": row.errors, "passed": row.passed} for row in self.rows
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)


def verify_beyond(dtype: str = "float64", seed: int = 0) -> BeyondReport:
    """Every chapter 2 id checked in ``dtype``: the general net's and the optimizers'."""
    rows = [Row(i, dict(errors), passed) for i, errors, passed in check_all(dtype, seed)]
    optimizers: dict[str, Row] = {}
    for check in verify_optimizers(dtypes=(dtype,), seed=seed).checks:
        error = check.worst.relative_error
        known = optimizers.get(check.id)
        if known is not None:
            error = max(error, known.errors["optax"])
        passed = check.passed and (known is None or known.passed)
        optimizers[check.id] = Row(check.id, {"optax": error}, passed)
    for part, whole in WITHIN.items():
        row = optimizers[whole]
        optimizers[part] = Row(f"{part} (in {whole})", row.errors, row.passed)
    order = [entry.id for entry in BEYOND.values() if entry.section == "optimizers"]
    return BeyondReport(dtype, (*rows, *(optimizers[i] for i in order)))
