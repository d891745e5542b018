"""verify.report: check_equation, verify_all and the tables and JSON they produce."""

import dataclasses
import json
import re

import numpy as np
import pytest

from handbp import network
from handbp.equations import CATALOGUE, Equation
from verify import report
from verify.setups import random_setup


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_verify_all_passes_on_every_catalogue_entry(dtype):
    """The one home of the claim that every catalogue entry agrees with JAX (issue 13)."""
    result = report.verify_all(dtype)
    assert [row.id for row in result.rows] == list(CATALOGUE)
    assert result.passed, result.table()
    assert result.setups == ("series", "random 5-4-6, 7 examples, seed 0")
    assert len(result.checks) == 2 * len(CATALOGUE)


def test_check_equation_is_the_series_row_of_verify_all():
    result = report.verify_all("float32", sizes=[])
    for row in result.checks:
        check = report.check_equation(row.id, "float32")
        assert check.id == row.id and check.part == CATALOGUE[row.id].part
        assert check.setup == "series" and check.dtype == "float32"
        assert check.as_dict() == row.as_dict()


def test_derivatives_are_checked_three_ways_and_forward_maps_by_value():
    check = report.check_equation("hidden_layer_delta")
    assert set(check.methods) == {"reverse", "forward", "finite_differences"}
    assert check.shape == (3, 2)
    assert set(report.check_equation("feedforward").methods) == {"value"}


def test_check_equation_on_a_random_net_and_on_a_given_setup():
    check = report.check_equation("weights_1_update", setup="random", sizes=(3, 5, 2), seed=4)
    assert check.passed and check.shape == (3, 5)
    assert check.setup == "random 3-5-2, 7 examples, seed 4"
    mine = random_setup((2, 2, 2), examples=4, seed=9, dtype="float32")
    check = report.check_equation("output_layer_delta", "float32", mine)
    assert check.passed and check.setup == mine.name


def test_check_equation_refuses_unknown_ids_setups_and_mixed_dtypes():
    with pytest.raises(ValueError, match="unknown equation id 'nope'"):
        report.check_equation("nope")
    with pytest.raises(ValueError, match="setup must be"):
        report.check_equation("mse", setup="flowers")
    with pytest.raises(TypeError, match="dtype float32 was asked"):
        report.check_equation("mse", "float32", random_setup(dtype="float64"))


def _wrong_delta(H_error, H_out):
    return 2 * network.hidden_layer_delta(H_error, H_out)


def test_a_wrong_catalogue_function_fails_the_report(monkeypatch):
    entry = CATALOGUE["hidden_layer_delta"]
    monkeypatch.setitem(
        CATALOGUE, "hidden_layer_delta", dataclasses.replace(entry, function=_wrong_delta)
    )
    result = report.verify_all()
    assert not result.passed
    assert [row.id for row in result.failures()] == ["hidden_layer_delta"]
    failed = result.failures()[0]
    assert failed.methods["reverse"].relative_error == pytest.approx(1.0)
    assert "FAIL" in result.table()


def test_a_catalogue_entry_without_a_reference_fails_the_report(monkeypatch):
    monkeypatch.setitem(CATALOGUE, "new_equation", Equation("new_equation", 15, "x", abs))
    result = report.verify_all()
    assert result.unverified == ("new_equation",) and not result.passed
    assert re.search(r"\nnew_equation +no JAX reference", result.table())
    n = len(CATALOGUE)  # with the new entry
    assert f"{n - 1} of {n} equations pass" in result.table()
    assert json.loads(result.to_json())["unverified"] == ["new_equation"]


def test_the_table_has_one_row_per_equation_and_a_summary():
    result = report.verify_all()
    table = result.table()
    for equation_id in CATALOGUE:
        assert f"\n{equation_id} " in table
    assert f"{len(CATALOGUE)} of {len(CATALOGUE)} equations pass" in table
    for header in ("value", "reverse", "forward", "finite diff"):
        assert header in table


def test_json_has_rows_checks_and_tolerances():
    result = report.verify_all("float32", sizes=[(2, 3, 4)], seed=5, examples=6)
    document = json.loads(result.to_json())
    assert document["dtype"] == "float32" and document["passed"] is True
    assert document["setups"] == ["series", "random 2-3-4, 6 examples, seed 5"]
    assert [row["id"] for row in document["rows"]] == list(CATALOGUE)
    assert len(document["checks"]) == 2 * len(CATALOGUE)
    row = next(r for r in document["rows"] if r["id"] == "weights_2_update")
    assert set(row["methods"]) == {"reverse", "forward", "finite_differences"}
    assert document["tolerances"]["reverse"] == pytest.approx(1e-4)


def test_an_equation_check_prints_exact_close_and_max_diff():
    text = str(report.check_equation("backpropagation"))
    assert "exact" in text and "close" in text and "max diff" in text
    for component in network.Backward.__dataclass_fields__:
        assert component in text


def test_progress_is_called_once_per_net():
    calls = []
    report.verify_all(sizes=[(5, 4, 6)], progress=lambda i, n, s: calls.append((i, n, s.name)))
    assert [c[:2] for c in calls] == [(0, 2), (1, 2)]


def test_rows_report_the_worst_net():
    result = report.verify_all()
    for row in result.rows:
        same = [c for c in result.checks if c.id == row.id]
        assert row.badness() == max(c.badness() for c in same)
    assert np.isfinite(max(row.badness() for row in result.rows))


LARGE = random_setup((20, 24, 12), examples=24, seed=3)
"""A net whose weights and scalar forms are checked on a sample (more than 256 entries)."""


def test_small_nets_check_every_entry():
    result = report.verify_all()
    for check in result.checks:
        assert check.fewest_entries() is None, check.id
        for errors in check.components.values():
            assert all(e.sample is None for e in errors.values()), check.id
    assert "/" not in "".join(result.entries_label(i) for i in CATALOGUE)


def test_a_large_net_checks_scalar_forms_and_weight_derivatives_on_a_sample():
    hand, jr = report.prepare(LARGE)
    W1_update = hand.backward.weights_1_update
    check = report.run_reference("dmse_dw1_scalar", CATALOGUE["dmse_dw1_scalar"].function, hand, jr)
    assert check.passed, check.table()
    for method, error in check.methods.items():
        sample = error.sample
        assert sample is not None and sample.total == W1_update.size, method
        indices = set(sample.indices())
        assert {(0, 0), (0, 23), (19, 0), (19, 23)} <= indices  # the corners
        largest = np.unravel_index(np.argmax(np.abs(W1_update)), W1_update.shape)
        assert tuple(int(i) for i in largest) in indices
    assert check.fewest_entries() == (check.methods["reverse"].sample.size, 480)
    update = report.run_reference(
        "weights_1_update", CATALOGUE["weights_1_update"].function, hand, jr
    )
    assert update.methods["reverse"].sample is None  # reverse mode: every entry
    assert update.methods["forward"].sample.size == 256
    assert update.methods["finite_differences"].sample.size == 256


def test_the_report_says_how_many_entries_were_checked_and_json_lists_them():
    result = report.verify_all(sizes=[(20, 24, 12)], seed=3, examples=24)
    assert result.passed, result.table()
    row = next(line for line in result.table().splitlines() if line.startswith("dmse_dw1_scalar"))
    checked = next(c for c in result.checks if c.id == "dmse_dw1_scalar" and c.setup != "series")
    assert f"{checked.fewest_entries()[0]}/480" in row
    document = json.loads(result.to_json())
    entry = next(
        c for c in document["checks"] if c["id"] == "dmse_dw1_scalar" and c["setup"] != "series"
    )
    sample = entry["methods"]["reverse"]["sample"]
    assert sample["of"] == 480 and sample["checked"] == len(sample["indices"])
    assert [0, 0] in sample["indices"] and [19, 23] in sample["indices"]
    assert entry["entries_checked"] == sample["checked"] and entry["entries"] == 480
