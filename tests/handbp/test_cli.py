"""handbp.cli: `handbp step` reproduces part 13; `handbp equations` lists the catalogue."""

import json
import re
from importlib.metadata import version

import numpy as np
import pytest

from handbp.cli import build_parser, main
from handbp.equations import CATALOGUE
from tests.handbp import reference, series


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_step_json_reproduces_part_13(capsys):
    status, out, _ = run(capsys, "step", "--json")
    assert status == 0
    document = json.loads(out)
    setup = document["setup"]
    assert (setup["seed"], setup["eta"], setup["N"], setup["variant"]) == (10, 0.1, 9, "uci")
    inputs = document["inputs"]
    assert inputs["X"] == [[4.9, 3.0, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [5.8, 2.7, 5.1, 1.9]]
    # the series' weights: np.random.seed(10), then normal(scale=0.5) for W1 and W2
    rng = np.random.RandomState(10)
    np.testing.assert_array_equal(inputs["W1"], rng.normal(scale=0.5, size=(4, 2)))
    np.testing.assert_array_equal(inputs["W2"], rng.normal(scale=0.5, size=(2, 3)))
    ids = [q["id"] for q in document["quantities"]]
    for eq_id in [
        "hidden_layer_inputs",
        "output_layer_outputs",
        "output_layer_delta",
        "weights_2_update",
        "hidden_layer_delta",
        "weights_1_update",
        "weights_update",
    ]:
        assert eq_id in ids
    for q in document["quantities"]:
        assert list(np.shape(q["value"])) == q["shape"]
    before = reference.mse(
        reference.forward(inputs["X"], inputs["W1"], inputs["W2"])["O_out"], inputs["Y"]
    )
    assert document["mse_before"] == pytest.approx(before, rel=1e-12)
    assert document["mse_after"] < document["mse_before"]


def test_step_text_names_every_matrix_with_its_id_and_shape(capsys):
    status, out, _ = run(capsys, "step")
    assert status == 0
    for symbol, eq_id, shape in [
        ("H_in", "hidden_layer_inputs", (3, 2)),
        ("O_delta", "output_layer_delta", (3, 3)),
        ("W1_update", "weights_1_update", (4, 2)),
        ("W2_update", "weights_2_update", (2, 3)),
    ]:
        assert f"{symbol}  [{eq_id}]  shape {shape}" in out
    assert "MSE before the step: " in out and "MSE after the step:  " in out


def test_step_full_precision_round_trips(capsys):
    _, out, _ = run(capsys, "step")
    _, js, _ = run(capsys, "step", "--json")
    mse_before = json.loads(js)["mse_before"]
    line = next(line for line in out.splitlines() if line.startswith("MSE before"))
    assert float(line.split(":")[1]) == mse_before  # the printed digits give back the exact float


def test_step_prints_part_13s_mse_as_the_series_printed_it(capsys):
    """`handbp step` prints the MSE before and after the step with the digits the series'
    notebook printed: 0.13831126800831411 and 0.1379749216970851."""
    _, out, _ = run(capsys, "step")
    lines = {
        line.split(":")[0]: line.split(":")[1].strip() for line in out.splitlines() if ":" in line
    }
    assert lines["MSE before the step"] == series.MSE_BEFORE.text
    assert lines["MSE after the step"] == series.MSE_AFTER.text


def numbers_in(text: str) -> list[str]:
    return re.findall(r"-?\d+\.?\d*(?:e[-+]\d+)?", text)


def test_step_digits_rounds_the_text_to_significant_digits(capsys):
    _, js, _ = run(capsys, "step", "--json")
    document = json.loads(js)
    _, out, _ = run(capsys, "step", "--digits", "4")
    assert "4 significant digits" in out.splitlines()[0]
    line = next(line for line in out.splitlines() if line.startswith("MSE before"))
    printed = line.split(":")[1].strip()
    assert printed == f"{document['mse_before']:.4g}"
    np.testing.assert_allclose(float(printed), document["mse_before"], rtol=5e-4)
    block = out.split("output_layer_delta]")[1].split("\n\n")[0].split("\n", 1)[1]
    values = [float(v) for v in numbers_in(block)]
    expected = next(q for q in document["quantities"] if q["id"] == "output_layer_delta")
    np.testing.assert_allclose(values, np.ravel(expected["value"]), rtol=5e-4)
    for text in numbers_in(block):  # at most 4 significant digits each
        assert len(text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")) <= 4, text


def test_step_digits_leaves_json_and_the_default_at_full_precision(capsys):
    _, plain, _ = run(capsys, "step", "--json")
    _, rounded, _ = run(capsys, "step", "--json", "--digits", "2")
    assert rounded == plain
    _, default, _ = run(capsys, "step")
    assert "full precision" in default.splitlines()[0]


def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"handbp {version('handbp')}\n"


def test_equations_part_4_is_part_3_with_a_note(capsys):
    status, out, err = run(capsys, "equations", "--part", "4")
    assert status == 0
    assert err == (
        "handbp equations: note: part 4 is taught with part 3: these are part 3's equations\n"
    )
    _, part_3, _ = run(capsys, "equations", "--part", "3")
    assert out == part_3 and len(out.splitlines()) > 1


def test_step_options(capsys):
    status, out, _ = run(
        capsys,
        "step",
        "--json",
        "--seed",
        "3",
        "--eta",
        "0.5",
        "--variant",
        "fisher",
        "--dtype",
        "float32",
    )
    assert status == 0
    setup = json.loads(out)["setup"]
    assert (setup["seed"], setup["eta"], setup["variant"], setup["dtype"]) == (
        3,
        0.5,
        "fisher",
        "float32",
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["step", "--eta", "-1"],
        ["step", "--eta", "nan"],
        ["step", "--variant", "kaggle"],
        ["step", "--dtype", "int8"],
        ["nonsense"],
        ["equations", "--part", "x"],
    ],
)
def test_bad_options_exit_2_with_a_message(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_equations_lists_the_catalogue(capsys):
    status, out, _ = run(capsys, "equations")
    assert status == 0
    for eq_id in CATALOGUE:
        assert eq_id in out
    _, js, _ = run(capsys, "equations", "--json", "--part", "11")
    assert [e["id"] for e in json.loads(js)] == [
        "output_layer_error",
        "output_layer_delta",
        "weights_2_update",
    ]


def test_every_command_has_help(capsys):
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    for name in ["step", "equations", *commands]:
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert "usage: handbp" in capsys.readouterr().out


def test_equations_lists_chapter_2_after_the_series(capsys):
    _, out, _ = run(capsys, "equations")
    _, series, _ = run(capsys, "equations", "--chapter", "1")
    _, beyond, _ = run(capsys, "equations", "--chapter", "2")
    assert out == series + "\n" + beyond
    assert beyond.startswith("Chapter 2: beyond the series\n")
    assert "softmax_jvp" in beyond and "weights_2_update" not in beyond
    _, js, _ = run(capsys, "equations", "--json", "--chapter", "2")
    first = json.loads(js)[0]
    assert first["id"] == "layer_l_inputs" and first["section"] == "layers"
    assert first["function"] == "handbp.layers.layer_l_inputs"


def test_python_dash_m_handbp_is_the_handbp_command() -> None:
    """``python -m handbp`` runs the same CLI as the console script (usage says ``handbp``)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "handbp", "equations", "--part", "11"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "output_layer_delta" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "handbp", "nonsense"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "usage: handbp" in bad.stderr
