"""verify.beyond: chapter 2's rows of `handbp verify`, one per id, each backed by a check."""

import json

import pytest

from handbp.equations import BEYOND
from verify.beyond import METHODS, WITHIN, verify_beyond


@pytest.fixture(scope="module")
def report():
    return verify_beyond("float64", seed=0)


def test_every_chapter_2_id_has_one_row_backed_by_a_measurement(report):
    ids = [row.id.split(" (in ")[0] for row in report.rows]
    assert ids == list(BEYOND)
    for row in report.rows:
        assert row.errors, f"{row.id} has no check behind it"
        assert set(row.errors) <= set(METHODS)


def test_optimizer_parts_say_which_update_checks_them(report):
    rows = {row.id.split(" (in ")[0]: row for row in report.rows}
    for part, whole in WITHIN.items():
        assert rows[part].id == f"{part} (in {whole})"
        assert rows[part].errors == rows[whole].errors


def test_the_report_passes_and_prints_a_row_per_id(report):
    assert report.passed
    lines = report.table().splitlines()
    assert len(lines) == 2 + len(BEYOND) + 1
    assert lines[-1] == f"{len(BEYOND)} of {len(BEYOND)} chapter 2 equations pass: all pass"
    assert json.loads(report.to_json())["passed"] is True
