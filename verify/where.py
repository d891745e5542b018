"""verify's answer to ``handbp equations --where ID``: where the JAX reference of an id is.

Registered as a ``handbp.where`` plugin. It imports verify's table (and so JAX) only when
``--where`` asks, never when the ``handbp`` command starts.
"""

from __future__ import annotations

import inspect
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "table"


def reference_places(equation_id: str) -> list[tuple[str, int, str]]:
    """``(file, line, what)`` of the table entry that checks ``equation_id`` (none if none)."""
    from verify.references import REFERENCES

    reference = REFERENCES.get(equation_id)
    if reference is None:
        return []
    quoted = f'"{equation_id}"'
    for path in sorted(TABLE.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if quoted in line:
                return [(str(path), number, reference.quantity)]
    first = inspect.getsourcelines(reference.targets)[1]
    return [(inspect.getsourcefile(reference.targets) or "", first, reference.quantity)]
