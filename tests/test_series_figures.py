"""Every figure of the series' table (tests/handbp/series.py) is held by a test.

The table holds the numbers the series' notebooks printed; a figure that no test compares
with what handbp computes would be a claim nobody checks. A test holds a figure when it
names it: ``series.NAME`` for one figure, or the name of a table of figures
(``series.LAST_X``, ``OVERVIEW``, ...), whose test goes through every entry.
"""

import re
from pathlib import Path

from tests.handbp import series

TESTS = Path(__file__).resolve().parent
TABLE = TESTS / "handbp" / "series.py"


def figures() -> list[str]:
    """The public names of the table that hold a figure or a table of figures."""

    def is_figure(value: object) -> bool:
        if isinstance(value, series.Printed | series.Reading):
            return True
        if isinstance(value, dict):
            value = tuple(value.values())
        return isinstance(value, tuple) and bool(value) and all(map(is_figure, value))

    return [name for name, value in vars(series).items() if name.isupper() and is_figure(value)]


def test_every_figure_of_the_series_is_named_by_a_test():
    code = "\n".join(
        path.read_text() for path in TESTS.rglob("test_*.py") if path != Path(__file__).resolve()
    )
    names = figures()
    assert len(names) >= 20  # parts 2-5, 7, 13 and 14
    unheld = [name for name in names if not re.search(rf"\b{name}\b", code)]
    assert unheld == [], f"figures of {TABLE.name} that no test names: {unheld}"
