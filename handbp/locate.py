"""Where an equation lives: its function, its JAX check, its tutorial section, its tests.

``handbp equations --where ID`` prints this. The function's place comes from Python
itself; the tutorial sections and tests are found in a source checkout (the folders
``tutorials/`` and ``tests/`` next to the package); the JAX reference is asked of the
plugins of the entry-point group ``handbp.where`` (``verify`` is one), so that handbp
never imports verify or JAX itself.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from handbp.equations import equation

CHECKOUT = Path(__file__).resolve().parent.parent
"""The folder that holds the package, and in a source checkout tutorials/ and tests/."""

_HEADING = re.compile(r"^#{1,6} +(.+?)\s*$")


@dataclass(frozen=True)
class Place:
    """A line of a file, with what is there."""

    path: str
    line: int
    what: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" + (f"  {self.what}" if self.what else "")


@dataclass(frozen=True)
class Where:
    """Every place of one equation id."""

    id: str
    function: Place
    references: tuple[Place, ...]
    tutorials: tuple[Place, ...]
    tests: tuple[Place, ...]


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(CHECKOUT))
    except ValueError:
        return str(path)


def function_place(equation_id: str) -> Place:
    """The ``def`` line of the equation's function."""
    function = inspect.unwrap(equation(equation_id).function)
    lines, first = inspect.getsourcelines(function)
    offset = next(n for n, line in enumerate(lines) if line.lstrip().startswith("def "))
    path = Path(inspect.getsourcefile(function) or "")
    return Place(_relative(path), first + offset, equation(equation_id).qualified_name)


def tutorial_places(equation_id: str, root: Path = CHECKOUT) -> tuple[Place, ...]:
    """Per tutorial, the section (heading) where the id first appears."""
    word = re.compile(rf"\b{re.escape(equation_id)}\b")
    places = []
    for path in sorted((root / "tutorials").glob("part*.md")):
        heading = ""
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = _HEADING.match(line)
            if found:
                heading = found[1]
            elif word.search(line):
                places.append(Place(_relative(path), number, f"section: {heading}"))
                break
    return tuple(places)


def test_places(equation_id: str, root: Path = CHECKOUT) -> tuple[Place, ...]:
    """Per test file, the first line that names the id."""
    word = re.compile(rf"\b{re.escape(equation_id)}\b")
    places = []
    for path in sorted((root / "tests").rglob("test_*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if word.search(line):
                count = len(word.findall(path.read_text(encoding="utf-8")))
                places.append(Place(_relative(path), number, f"{count} mention{'s' * (count > 1)}"))
                break
    return tuple(places)


def reference_plugins() -> list[str]:
    """The names of the installed ``handbp.where`` plugins (``verify`` with handbp[verify])."""
    return sorted(plugin.name for plugin in entry_points(group="handbp.where"))


def reference_places(equation_id: str) -> tuple[Place, ...]:
    """The JAX references the installed plugins know for the id (none without verify)."""
    places: list[Place] = []
    for plugin in sorted(entry_points(group="handbp.where"), key=lambda ep: ep.name):
        for path, line, what in plugin.load()(equation_id):
            places.append(Place(_relative(Path(path)), line, what))
    return tuple(places)


def where(equation_id: str) -> Where:
    """Every place of ``equation_id``; a ``ValueError`` naming it if the id is unknown."""
    equation(equation_id)  # the catalogue's error for an unknown id
    return Where(
        equation_id,
        function_place(equation_id),
        reference_places(equation_id),
        tutorial_places(equation_id),
        test_places(equation_id),
    )
