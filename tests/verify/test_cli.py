"""``handbp verify`` and ``handbp check``: verify's commands in the handbp CLI."""

import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from handbp import cli, network
from handbp.equations import BEYOND, CATALOGUE
from tests.no_jax import assert_runs_without_jax

HANDBP = str(Path(sys.executable).parent / "handbp")


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch):
    """In-process runs leave JAX's global config alone (no persistent cache)."""
    monkeypatch.setenv("HANDBP_JAX_CACHE", "off")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_handbp_verify_prints_a_row_per_equation_and_a_summary(dtype, capsys):
    assert cli.main(["verify", "--chapter", "1", "--dtype", dtype, "--sizes", ""]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"handbp verify: {len(CATALOGUE)} equations against JAX, {dtype}")
    rows = [
        line.split()[0] for line in lines if line.split() and line.split()[-1] in ("pass", "FAIL")
    ]
    assert rows == list(CATALOGUE)
    assert re.fullmatch(
        rf"\d+ of {len(CATALOGUE)} equations pass \(tolerances {dtype}: .*\)", lines[-1]
    )


def test_handbp_verify_exits_non_zero_on_a_failure(monkeypatch, capsys):
    def wrong(H_out, O_delta, N):
        return network.weights_2_update(H_out, O_delta, N) * 2

    entry = CATALOGUE["weights_2_update"]
    monkeypatch.setitem(CATALOGUE, entry.id, dataclasses.replace(entry, function=wrong))
    assert cli.main(["verify", "--chapter", "1"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_handbp_verify_json_sizes_and_seed(capsys):
    assert (
        cli.main(["verify", "--chapter", "1", "--json", "--sizes", "3-2-2,1-4-1", "--seed", "4"])
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["setups"] == [
        "series",
        "random 3-2-2, 7 examples, seed 4",
        "random 1-4-1, 7 examples, seed 5",
    ]
    assert document["passed"] is True


def test_handbp_verify_on_the_series_net_alone(capsys):
    assert cli.main(["verify", "--chapter", "1", "--sizes", ""]) == 0
    assert "on 1 nets (series)" in capsys.readouterr().out


def test_handbp_verify_refuses_bad_sizes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["verify", "--sizes", "4-2"])
    assert exit_info.value.code == 2
    assert "inputs-hidden-outputs" in capsys.readouterr().err


def _write(tmp_path, source):
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent(source))
    return path


def test_handbp_check_passes_a_correct_backprop(tmp_path, capsys):
    path = _write(
        tmp_path,
        """
        from handbp import network

        def backprop(X, Y, W2, forward):
            return network.backpropagation(X, Y, W2, forward)
        """,
    )
    assert cli.main(["check", f"{path}:backprop"]) == 0
    out = capsys.readouterr().out
    assert "as backpropagation" in out and "backpropagation: PASS" in out


def test_handbp_check_fails_a_wrong_function_named_like_its_equation(tmp_path, capsys):
    path = _write(
        tmp_path,
        """
        def hidden_layer_delta(H_error, H_in):
            return H_error * H_in * (1 - H_in) * 2
        """,
    )
    assert cli.main(["check", f"{path}:hidden_layer_delta"]) == 1
    out = capsys.readouterr().out
    assert "as hidden_layer_delta" in out and "diagnosis: hidden_layer_delta: twice" in out


def test_handbp_check_with_an_explicit_equation_and_json(tmp_path, capsys):
    path = _write(tmp_path, "def f(x):\n    return x + x\n")
    assert cli.main(["check", f"{path}:f", "--equation", "square_derivative", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passed"] is True


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.py:f", "no such file"),
        ("{path}:nope", "has no function 'nope'"),
        ("{path}", "expected path/to/file.py:function"),
    ],
)
def test_handbp_check_says_what_it_cannot_load(tmp_path, capsys, target, message):
    path = _write(tmp_path, "def f(x):\n    return x\n")
    assert cli.main(["check", target.format(path=path)]) == 2
    assert message in capsys.readouterr().err


def test_handbp_check_reports_a_file_that_fails_to_import(tmp_path, capsys):
    path = _write(tmp_path, "raise RuntimeError('half-written exercise')\n")
    assert cli.main(["check", f"{path}:f"]) == 2
    assert "half-written exercise" in capsys.readouterr().err


def test_handbp_check_refuses_an_unknown_equation(tmp_path, capsys):
    path = _write(tmp_path, "def f(x):\n    return x\n")
    assert cli.main(["check", f"{path}:f", "--equation", "nope"]) == 2
    assert "unknown equation id 'nope'" in capsys.readouterr().err


def test_registering_the_commands_loads_no_jax():
    assert_runs_without_jax(
        "from handbp import cli\n"
        "parser = cli.build_parser()\n"
        "parser.parse_args(['verify', '--dtype', 'float32'])\n"
        "parser.parse_args(['check', 'f.py:g'])\n"
    )


def test_the_handbp_command_verifies_both_chapters_and_reuses_its_compiled_programs(tmp_path):
    """The whole catalogue by default: the series' equations, then chapter 2's. The first
    run stores its compiled programs; the second loads them and prints the same table,
    every error to the last digit (verify.executables)."""
    environment = {**os.environ, "HANDBP_JAX_CACHE": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [HANDBP, "verify", "--sizes", ""], capture_output=True, text=True, env=environment
        )
        for _ in range(2)
    ]
    for result in runs:
        assert result.returncode == 0, result.stderr
        assert f"{len(CATALOGUE)} of {len(CATALOGUE)} equations pass" in result.stdout
        assert f"{len(BEYOND)} of {len(BEYOND)} chapter 2 equations pass" in result.stdout
    assert runs[1].stdout == runs[0].stdout
    assert len(list((tmp_path / "cache" / "executables").glob("*.jaxexe"))) >= 3


def _chapter_2_ids(document) -> list[str]:
    return [row["id"].split(" (in ")[0] for row in document["beyond"]["rows"]]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_handbp_verify_by_default_checks_every_id_of_both_chapters(dtype, capsys):
    """No --chapter: a row backed by a measurement for every id of CATALOGUE and BEYOND."""
    assert cli.main(["verify", "--json", "--dtype", dtype]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["passed"] is True
    assert document["dtype"] == document["beyond"]["dtype"] == dtype
    assert [row["id"] for row in document["rows"]] == list(CATALOGUE)
    assert all(row["methods"] for row in document["rows"])
    assert _chapter_2_ids(document) == list(BEYOND)
    assert all(row["errors"] and row["passed"] for row in document["beyond"]["rows"])


def test_a_wrong_chapter_2_equation_fails_the_default_run_and_is_named(monkeypatch, capsys):
    """The fused softmax/cross-entropy delta with its sign flipped (Y - P): plain
    ``handbp verify`` exits 1, and its row (and only chapter 2's rows) fail."""
    from handbp import losses

    monkeypatch.setattr(losses, "softmax_cross_entropy_delta", lambda P, Y: Y - P)
    assert cli.main(["verify", "--json", "--sizes", ""]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["passed"] is False
    assert all(row["passed"] for row in document["rows"])  # chapter 1 is untouched
    failed = {row["id"] for row in document["beyond"]["rows"] if not row["passed"]}
    assert "softmax_cross_entropy_delta" in failed
    assert cli.main(["verify", "--sizes", ""]) == 1
    table = capsys.readouterr().out
    assert re.search(r"^softmax_cross_entropy_delta .* False$", table, flags=re.M)
    assert table.rstrip().endswith("chapter 2 equations pass: FAILED")


def test_handbp_verify_chapter_2_alone(capsys):
    assert cli.main(["verify", "--chapter", "2", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert "rows" not in document and document["passed"] is True
    assert _chapter_2_ids(document) == list(BEYOND)
    assert cli.main(["verify", "--chapter", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("chapter 2 (beyond the series), float64")
    assert "handbp verify: " not in out


@pytest.mark.slow
def test_handbp_verify_on_a_64_wide_net_passes_and_lists_its_samples(capsys):
    assert (
        cli.main(["verify", "--chapter", "1", "--json", "--sizes", "64-64-64", "--examples", "64"])
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["passed"]
    large = [c for c in document["checks"] if c["setup"] != "series"]
    sampled = {c["id"] for c in large if c["entries_checked"] is not None}
    assert {"dmse_dw1_scalar", "dmse_dw2_scalar", "weights_1_update", "do_in_dw2"} <= sampled
    dw1 = next(c for c in large if c["id"] == "dmse_dw1_scalar")
    assert dw1["methods"]["reverse"]["sample"]["of"] == 64 * 64
    assert [63, 63] in dw1["methods"]["reverse"]["sample"]["indices"]


def test_handbp_check_prints_the_column_legend_of_handbp_verify(tmp_path, capsys):
    from verify.report import LEGEND

    path = _write(tmp_path, "def f(x):\n    return x + x\n")
    assert cli.main(["check", f"{path}:f", "--equation", "square_derivative"]) == 0
    out = capsys.readouterr().out
    assert all(line in out for line in LEGEND)
    assert cli.main(["verify", "--sizes", ""]) == 0
    out = capsys.readouterr().out
    assert all(line in out for line in LEGEND)


@pytest.mark.parametrize(
    ("source", "status"),
    [
        ("import sys\nsys.exit(0)\n", 2),
        ("import sys\n\ndef hidden_layer_delta(H_error, H_out):\n    sys.exit(0)\n", 1),
    ],
)
def test_handbp_check_fails_a_file_that_calls_sys_exit(tmp_path, capsys, source, status):
    path = _write(tmp_path, source)
    assert cli.main(["check", f"{path}:hidden_layer_delta"]) == status
    captured = capsys.readouterr()
    assert "sys.exit(0)" in captured.out + captured.err


def test_the_handbp_command_exits_non_zero_for_sys_exit_at_import(tmp_path):
    path = _write(tmp_path, "import sys\nsys.exit(0)\n")
    done = subprocess.run([HANDBP, "check", f"{path}:f"], capture_output=True, text=True)
    assert done.returncode == 2 and "called sys.exit(0)" in done.stderr


def test_handbp_check_hints_at_close_ids_for_a_function_named_otherwise(tmp_path, capsys):
    path = _write(tmp_path, "def hidden_delta(H_error, H_out):\n    return H_error\n")
    assert cli.main(["check", f"{path}:hidden_delta"]) == 2
    err = capsys.readouterr().err
    assert "'hidden_delta' is not an equation id" in err and "--equation" in err
    assert "close ids: hidden_layer_delta" in err and "Traceback" not in err


def test_handbp_check_notes_close_ids_when_it_falls_back_to_backpropagation(tmp_path, capsys):
    path = _write(
        tmp_path, "def dmse_do_output(O_out, Y, e, k):\n    return O_out[e, k] - Y[e, k]\n"
    )
    assert cli.main(["check", f"{path}:dmse_do_output"]) == 1
    captured = capsys.readouterr()
    assert "checked as backpropagation" in captured.err and "close ids: dmse_do_out" in captured.err
