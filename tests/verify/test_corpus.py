"""The corpus: every wrong implementation caught and named, every correct form passing, and
docs/verify.md's accuracy table equal to the one measured here."""

from pathlib import Path

import pytest

from tests.verify.corpus import accuracy_table, all_cases, measure
from tests.verify.corpus.correct import ACCEPTED
from verify import check_backprop, check_function
from verify.diagnose import MISTAKES

DOCS = Path(__file__).parents[2] / "docs" / "verify.md"
BEGIN, END = "<!-- corpus accuracy: begin -->", "<!-- corpus accuracy: end -->"


@pytest.fixture(scope="module")
def outcomes():
    return measure()


def test_every_kind_has_three_cases_and_is_a_known_mistake():
    kinds: dict[str, int] = {}
    for case in all_cases():
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    assert set(kinds) <= set(MISTAKES)
    assert min(kinds.values()) >= 3, kinds


def test_every_wrong_implementation_is_caught_and_named(outcomes):
    missed = [o.case.name for o in outcomes if not o.caught]
    assert missed == []
    unnamed = [f"{o.case.name} ({o.dtype}): {o.said}" for o in outcomes if not o.named]
    assert unnamed == []


def test_the_docs_report_the_measured_accuracy(outcomes):
    text = DOCS.read_text()
    documented = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert documented == accuracy_table(outcomes), "run: python -m tests.verify.corpus"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    ("equation_id", "function"), ACCEPTED, ids=[f"{e}-{i}" for i, (e, _) in enumerate(ACCEPTED)]
)
def test_every_equivalent_correct_form_passes(equation_id, function, dtype):
    if equation_id == "backpropagation":
        report = check_backprop(function, dtype)
        assert report.passed, str(report)
        return
    result = check_function(equation_id, function, dtype)
    assert result.passed and result.diagnosis is None, str(result)
