"""The report of :func:`verify.check_net`: one row per quantity of the backward pass, the
first wrong one and its diagnosis (:class:`NetReport`; ``print`` it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handbp.nn import Net
from verify.diagnose import Diagnosis

STATUSES = {
    "WRONG": "wrong given your own upstream values: a mistake is made here",
    "follows": "wrong, but right given your own upstream values: follows from an earlier mistake",
    "ok": "agrees with JAX",
    "-": "not returned (None): not checked",
}
"""What each status means (the table's legend)."""

LEGEND: tuple[str, ...] = (
    "columns: quantity (E_l = N dC/dA_l, D_l = N dC/dZ_l, dW_l, db_l; E_0 = N dC/dX, in the "
    "order a backward pass computes them) | field (of handbp.nn.NetBackward) | status | "
    "exact (bit for bit what handbp.nn's own backward computes) | close (within the "
    "tolerance of JAX's gradient) | max diff (largest |yours - JAX|) | rel err (max diff / "
    "largest |JAX|) | worst index (where max diff is)",
    "status: " + "; ".join(f"{k}: {v}" for k, v in STATUSES.items()),
)
_RANK = {"WRONG": 3, "follows": 2, "ok": 1, "-": 0}


@dataclass(frozen=True)
class Row:
    """One quantity on one draw."""

    name: str
    field: str
    draw: int
    status: str
    found: Diagnosis | None
    exact: bool = False
    error: float = float("nan")
    relative: float = float("nan")
    worst: tuple[int, ...] = ()
    shape: tuple[int, ...] | None = None
    expected: tuple[int, ...] | None = None

    def cells(self) -> list[str]:
        if self.status == "-":
            return ["-", "-", "-", "-", "-"]
        if self.shape is not None:
            return ["no", "no", f"shape {self.shape}", f"expected {self.expected}", "-"]
        close = "yes" if self.status == "ok" else "no"
        worst = "(" + ", ".join(map(str, self.worst)) + ")" if self.worst else "-"
        return [
            "yes" if self.exact else "no",
            close,
            f"{self.error:.3g}",
            f"{self.relative:.2g}",
            worst,
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.name,
            "field": self.field,
            "draw": self.draw,
            "status": self.status,
            "exact": self.exact,
            "max_difference": _finite(self.error),
            "relative_error": _finite(self.relative),
            "worst_index": list(self.worst),
            "mistake": None if self.found is None else self.found.mistake,
            "diagnosis": None if self.found is None else self.found.message,
        }


def _finite(x: float) -> float | str | None:
    """JSON has no NaN or infinity: None for not compared, "inf" for a value that is not finite."""
    return None if x != x else ("inf" if x in (float("inf"), float("-inf")) else x)


def _symbol(name: str) -> str:
    kind = name.rstrip("0123456789")
    return f"{kind}_{name[len(kind) :]}"


@dataclass(frozen=True)
class NetReport:
    """A learner's backward pass of ``net`` checked quantity by quantity.

    ``rows`` maps each quantity (``"E3"``, ``"D3"``, ``"dW3"`` ...) to its row on each draw.
    """

    net: Net
    dtype: str
    rows: dict[str, list[Row]]
    error: str | None = None
    notes: tuple[str, ...] = field(default=())

    def shown(self, name: str) -> Row:
        """The draw shown for a quantity: the worst status, then the largest error."""
        return max(
            self.rows[name],
            key=lambda r: (_RANK[r.status], r.relative if r.relative == r.relative else 0.0),
        )

    @property
    def passed(self) -> bool:
        """Whether it ran and every returned quantity agreed with JAX on every draw."""
        return self.error is None and all(
            r.status in ("ok", "-") for rs in self.rows.values() for r in rs
        )

    @property
    def first_failure(self) -> Row | None:
        """The first quantity (in the order of computation) with a mistake of its own."""
        return next(
            (self.shown(n) for n in self.rows if self.rows[n] and self.shown(n).status == "WRONG"),
            None,
        )

    @property
    def mistake(self) -> str | None:
        """The first failure's mistake (``raised`` when the code could not be checked)."""
        if self.error is not None:
            return "raised" if "raised" in self.error else "not_numeric"
        first = self.first_failure
        return None if first is None or first.found is None else first.found.mistake

    @property
    def diagnosis(self) -> str | None:
        first = self.first_failure
        return self.error or (None if first is None or first.found is None else first.found.message)

    def description(self) -> str:
        net = self.net
        return (
            f"net {'-'.join(map(str, net.widths))}, {', '.join(net.activations)}, {net.loss}, "
            f"{'biases' if net.biases else 'no biases'}; {self.dtype}"
        )

    def table(self) -> str:
        """The table of every quantity, the first wrong one and the diagnoses."""
        if self.error is not None:
            return f"backward of {self.description()}: FAIL\n  {self.error}"
        header = [
            "quantity",
            "field",
            "status",
            "exact",
            "close",
            "max diff",
            "rel err",
            "worst index",
        ]
        body = []
        for name, rows in self.rows.items():
            if rows:
                row = self.shown(name)
                body.append([_symbol(name), row.field, row.status, *row.cells()])
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        lines = [f"backward of {self.description()}: {'PASS' if self.passed else 'FAIL'}"]
        lines += [
            "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *body]
        ]
        first = self.first_failure
        if first is not None:
            lines.append(
                f"first wrong quantity: {_symbol(first.name)} ({first.field}), draw {first.draw + 1}"
            )
        for name in self.rows:
            if self.rows[name] and self.shown(name).status == "WRONG":
                found = self.shown(name).found
                lines.append(f"  {found.message if found else _symbol(name)}")
        if first is None and self.passed:
            lines.append("every returned quantity agrees with JAX autodiff")
        lines += list(self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: result, error, notes and every row of every draw."""
        return {
            "net": self.description(),
            "passed": self.passed,
            "error": self.error,
            "mistake": self.mistake,
            "diagnosis": self.diagnosis,
            "notes": list(self.notes),
            "quantities": {n: [r.as_dict() for r in rs] for n, rs in self.rows.items()},
        }
