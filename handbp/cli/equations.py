"""``handbp equations``: the catalogue, all of it, one chapter, or one part's equations."""

from __future__ import annotations

import argparse
import json
import sys

from handbp import locate
from handbp.equations import BEYOND, CATALOGUE, CHAPTERS, PARTS, Equation, by_part

TAUGHT_WITH: dict[int, int] = {4: 3}
"""Parts without equations of their own -> the part whose equations they teach
(SERIES.md: "Parts 3-4 - feedforward in pure Python")."""


def entries_of(part: int | None) -> tuple[list[Equation], str | None]:
    """The entries to list for ``--part`` and a note to print first, if any.

    A part taught with another (part 4 with part 3) gives that part's entries and a note
    that says so; a part without equations or outside the series is a ``ValueError``.
    """
    if part is None:
        return list(CATALOGUE.values()), None
    parts = sorted({entry.part for entry in CATALOGUE.values() if entry.part is not None})
    listed = ", ".join(str(p) for p in parts)
    if part not in PARTS:
        raise ValueError(f"--part must be a part of the series, 1 to 14, got {part}")
    if part in TAUGHT_WITH:
        shown = TAUGHT_WITH[part]
        note = f"part {part} is taught with part {shown}: these are part {shown}'s equations"
        return list(by_part(shown)), note
    entries = list(by_part(part))
    if not entries:
        raise ValueError(f"part {part} has no equations; the parts with equations are {listed}")
    return entries, None


def run_where(equation_id: str, json_output: bool) -> int:
    """Print every place of one equation: function, JAX reference, tutorials, tests."""
    found = locate.where(equation_id)
    groups = {
        "function": (found.function,),
        "JAX reference": found.references,
        "tutorial": found.tutorials,
        "tests": found.tests,
    }
    if json_output:
        print(
            json.dumps(
                {"id": found.id}
                | {
                    name: [{"path": p.path, "line": p.line, "what": p.what} for p in places]
                    for name, places in groups.items()
                },
                indent=2,
            )
        )
        return 0
    print(found.id)
    missing = {
        "JAX reference": (
            "none found (install handbp[verify])"
            if not locate.reference_plugins()
            else "none: no installed checker names this id"
        ),
        "tutorial": "none found (tutorials/ is in a source checkout)",
        "tests": "none found (tests/ is in a source checkout)",
    }
    for name, places in groups.items():
        if not places:
            print(f"  {name + ':':<15}{missing[name]}")
        for place in places:
            print(f"  {name + ':':<15}{place}")
    return 0


def as_json(entry: Equation) -> dict[str, object]:
    """One entry for ``--json``: chapter 1's by part, chapter 2's by chapter and section."""
    where: dict[str, object] = (
        {"part": entry.part}
        if entry.chapter == 1
        else {"chapter": entry.chapter, "section": entry.section}
    )
    return {"id": entry.id, **where, "latex": entry.latex, "function": entry.qualified_name}


def run(args: argparse.Namespace) -> int:
    """Print the table (or JSON) of the chosen entries, or where one entry lives."""
    if args.where is not None:
        if args.part is not None or args.chapter is not None:
            raise ValueError("--where names one equation: it does not go with --part or --chapter")
        return run_where(args.where, args.json)
    if args.chapter is not None and args.part is not None:
        raise ValueError("--part and --chapter cannot be combined (parts are chapter 1's)")
    series, note = entries_of(args.part) if args.chapter != 2 else ([], None)
    beyond = list(BEYOND.values()) if args.part is None and args.chapter != 1 else []
    if note is not None:
        print(f"handbp equations: note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps([as_json(e) for e in series + beyond], indent=2))
        return 0
    if series:
        width = max(len(e.id) for e in CATALOGUE.values())
        print(f"{'id':<{width}}  part  LaTeX")
        for entry in series:
            print(f"{entry.id:<{width}}  {entry.part:>4}  {entry.latex}")
    if beyond:
        if series:
            print()
        print(f"Chapter 2: {CHAPTERS[2]}")
        width = max(len(e.id) for e in beyond)
        section_width = max(len(e.section) for e in beyond)
        print(f"{'id':<{width}}  {'section':<{section_width}}  LaTeX")
        for entry in beyond:
            print(f"{entry.id:<{width}}  {entry.section:<{section_width}}  {entry.latex}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``handbp equations``."""
    parser = subparsers.add_parser(
        "equations",
        help="list the equation catalogue (id, part, LaTeX)",
        description="List every equation that handbp implements: the series' (chapter 1) "
        "with its id, part and LaTeX, then chapter 2, beyond the series (any dense net), "
        "with its id, section and LaTeX. Part 4 is taught with part 3 (the same equations "
        "in pure Python), so --part 4 lists part 3's.",
    )
    parser.add_argument(
        "--chapter",
        type=int,
        choices=sorted(CHAPTERS),
        help="only chapter 1 (the series) or chapter 2 (beyond the series)",
    )
    parser.add_argument(
        "--part", type=int, metavar="N", help="only the equations of part N (1 to 14)"
    )
    parser.add_argument(
        "--where",
        metavar="ID",
        help="where equation ID lives: its function (file:line), its JAX reference, "
        "its tutorial section and its tests",
    )
    parser.add_argument(
        "--json", action="store_true", help="print JSON (with each function's import path)"
    )
    parser.set_defaults(func=run)
