"""verify's answer to ``handbp equations --where ID``: where the JAX reference of an id is.

Registered as a ``handbp.where`` plugin. Chapter 1's references are the entries of
verify's table (``verify/table/``); chapter 2's are the checks of the general net
(``verify/general/``) and of the optimizers against optax (``verify/optimizers.py``, with
``verify/beyond.py`` for the equations checked as parts of an update). It imports verify's
table (and so JAX) only when ``--where`` asks, never when the ``handbp`` command starts.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHAPTER_2: tuple[tuple[Path, str], ...] = (
    (HERE / "general" / "equations.py", "checked three ways on chapter 2's nets"),
    (HERE / "general" / "whole.py", "checked on chapter 2's nets"),
    (HERE / "optimizers.py", "checked step by step against optax"),
    (HERE / "beyond.py", "checked as part of an update, against optax"),
)


def _first_line_naming(path: Path, equation_id: str, by_name: bool = False) -> int | None:
    """The line that names the id as a string; with ``by_name``, else the first (not an
    import) that names its function (checks that take their ids from functions' names)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    quoted = f'"{equation_id}"'
    word = re.compile(rf"\b{re.escape(equation_id)}\b")
    tests = [lambda line: quoted in line]
    if by_name:
        tests.append(
            lambda line: word.search(line) and not line.lstrip().startswith(("from ", "import "))
        )
    for test in tests:
        for number, line in enumerate(lines, 1):
            if test(line):
                return number
    return None


def reference_places(equation_id: str) -> list[tuple[str, int, str]]:
    """``(file, line, what)`` of the check of ``equation_id`` (none if verify has none)."""
    from verify.references import REFERENCES

    reference = REFERENCES.get(equation_id)
    if reference is not None:
        for path in sorted((HERE / "table").glob("*.py")):
            line = _first_line_naming(path, equation_id)
            if line is not None:
                return [(str(path), line, reference.quantity)]
        first = inspect.getsourcelines(reference.targets)[1]
        return [(inspect.getsourcefile(reference.targets) or "", first, reference.quantity)]
    for by_name in (False, True):
        for path, what in CHAPTER_2:
            line = _first_line_naming(path, equation_id, by_name)
            if line is not None:
                return [(str(path), line, what)]
    return []
