"""Bad input to every `handbp` command, tried as a new user would: one table.

Each row runs ``handbp.cli.main(argv)`` in-process and expects a non-zero exit status and
a last line of stderr ``handbp <command>: error: ...`` that says what is wrong, with no
traceback: status 2 for a bad option or unusable input (argparse's convention), 1 for a
system failure while working (a folder that cannot be written). ``{dir}`` in an argument
is a folder of broken files made once for the module.

One table in one file, though long: a reader sees every command's bad input side by side,
and the rows are data, not logic.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from handbp import training
from handbp.cli import main, options

W1, W2 = np.zeros((4, 2)), np.zeros((2, 3))
SAVED_SPLIT = {"split_seed": 4, "test_size": 20, "variant": "uci"}


def invoke(capsys, argv: list[str]) -> tuple[int, str, str]:
    """Run the command in-process: (exit status, stdout, stderr), argparse's exits included."""
    try:
        status = main(argv)
    except SystemExit as exit_info:
        status = exit_info.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad-files")
    training.save_weights(folder / "good.npz", training.Weights(W1, W2), SAVED_SPLIT)
    archive = (folder / "good.npz").read_bytes()
    (folder / "truncated.npz").write_bytes(archive[: len(archive) // 2])
    middle = len(archive) // 3  # inside a stored array's data: its CRC no longer matches
    (folder / "corrupt.npz").write_bytes(archive[:middle] + b"\xff" * 8 + archive[middle + 8 :])
    (folder / "text.npz").write_text("hello")
    (folder / "empty.npz").write_bytes(b"")
    with open(folder / "single.npz", "wb") as file:
        np.save(file, W1)
    np.savez(folder / "object.npz", W1=np.array([None, 1], dtype=object), W2=W2)
    np.savez(folder / "nothing.npz", A=W1)
    training.save_weights(folder / "wide.npz", training.Weights(np.zeros((5, 2)), W2))
    np.savez(folder / "nan.npz", W1=np.full((4, 2), np.nan), W2=W2)
    np.savez(folder / "int.npz", W1=np.zeros((4, 2), dtype=np.int64), W2=W2)
    np.savez(folder / "chain.npz", W1=W1, W2=np.zeros((3, 3)))
    training.save_weights(folder / "bad-seed.npz", training.Weights(W1, W2), {"split_seed": "x"})
    training.save_weights(folder / "bad-size.npz", training.Weights(W1, W2), {"test_size": 200})
    spec = {"activations": "softmax", "loss": "cross_entropy"}
    np.savez(folder / "pickled-net.npz", **spec, widths="4-3", biases=0, W1=np.array([None]))
    np.savez(folder / "biases-no.npz", **spec, widths="4-3", biases="no", W1=np.zeros((4, 3)))
    np.savez(folder / "int-net.npz", **spec, widths="4-3", biases=0, W1=np.zeros((4, 3), int))
    np.savez(folder / "words-net.npz", **spec, widths="4-x-3", biases=0, W1=np.zeros((4, 3)))
    (folder / "a-folder").mkdir()
    (folder / "a-file").write_text("mine")
    (folder / "syntax.py").write_text("def f(:\n")
    (folder / "fine.py").write_text("def g():\n    return 1\n")
    return folder


def case(command: str, *argv: str, status: int = 2, message: str, id: str, marks=()):
    return pytest.param(command, list(argv), status, message, id=id, marks=marks)


LINUX_PROC = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")

CASES = [
    # --- the command itself -----------------------------------------------------------------
    case("handbp", message="the following arguments are required: COMMAND", id="no-command"),
    case("handbp", "nonsense", message="invalid choice: 'nonsense'", id="unknown-command"),
    case(
        "handbp",
        "--verbose",
        "step",
        message="unrecognized arguments: --verbose",
        id="unknown-option",
    ),
    # --- step -------------------------------------------------------------------------------
    case(
        "step", "--digits", "0", message="argument --digits: must be at least 1", id="step-digits-0"
    ),
    case("step", "--digits", "18", message="must be at most 17", id="step-digits-18"),
    case(
        "step",
        "--digits",
        "3.5",
        message="expected a whole number, got '3.5'",
        id="step-digits-float",
    ),
    case("step", "--seed", "-1", message="a seed must be in 0..2**32 - 1", id="step-seed-negative"),
    case(
        "step",
        "--seed",
        "1.5",
        message="argument --seed: expected a whole number",
        id="step-seed-float",
    ),
    case(
        "step",
        "--seed",
        str(2**32),
        message="a seed must be in 0..2**32 - 1",
        id="step-seed-too-big",
    ),
    case("step", "--eta", "inf", message="must be a positive finite number", id="step-eta-inf"),
    case("step", "--eta", "abc", message="expected a number, got 'abc'", id="step-eta-word"),
    case("step", "--dtype", "int8", message="invalid choice: 'int8'", id="step-dtype-int"),
    case("step", "--variant", "kaggle", message="invalid choice: 'kaggle'", id="step-variant"),
    case(
        "handbp",
        "step",
        "--json",
        "yes",
        message="unrecognized arguments: yes",
        id="step-json-value",
    ),
    # --- equations --------------------------------------------------------------------------
    case(
        "equations",
        "--part",
        "0",
        message="--part must be a part of the series, 1 to 14",
        id="equations-part-0",
    ),
    case("equations", "--part", "15", message="1 to 14, got 15", id="equations-part-15"),
    case(
        "equations",
        "--part",
        "1",
        message="part 1 has no equations; the parts with equations are 2, 3, 5",
        id="equations-part-1",
    ),
    case(
        "equations",
        "--part",
        "x",
        message="argument --part: invalid int value",
        id="equations-part-word",
    ),
    # --- train ------------------------------------------------------------------------------
    case(
        "train",
        "--split-seed",
        "1.5",
        message="argument --split-seed: expected a whole number, got '1.5'",
        id="train-split-seed-float",
    ),
    case(
        "train",
        "--split-seed",
        "abc",
        message="expected a whole number, got 'abc'",
        id="train-split-seed-word",
    ),
    case(
        "train", "--split-seed", "-4", message="a seed must be in", id="train-split-seed-negative"
    ),
    case(
        "train",
        "--epochs",
        "1e3",
        message="argument --epochs: expected a whole number",
        id="train-epochs-float",
    ),
    case("train", "--epochs", "0", message="must be at least 1", id="train-epochs-0"),
    case("train", "--hidden", "-2", message="must be at least 1", id="train-hidden-negative"),
    case("train", "--eta", "nan", message="must be a positive finite number", id="train-eta-nan"),
    case(
        "train", "--target-accuracy", "95", message="share in (0, 1]", id="train-accuracy-percent"
    ),
    case("train", "--preset", "run3", message="invalid choice: 'run3'", id="train-unknown-preset"),
    case(
        "train",
        "--test-size",
        "150",
        "--output-dir",
        "{dir}/out",
        message="must leave training flowers",
        id="train-no-training-flowers",
    ),
    case(
        "train",
        "--test-size",
        "140",
        "--validation-size",
        "10",
        "--output-dir",
        "{dir}/out",
        message="must leave training flowers",
        id="train-validation-takes-the-rest",
    ),
    case(
        "train",
        "--epochs",
        "2",
        "--output-dir",
        "{dir}/a-file",
        message="exists and is not a directory",
        id="train-output-is-a-file",
    ),
    case(
        "train",
        "--epochs",
        "2",
        "--output-dir",
        "{dir}/a-file/run",
        message="is a file, not a directory",
        id="train-output-under-a-file",
    ),
    case(
        "train",
        "--epochs",
        "2",
        "--output-dir",
        "/proc/handbp-run",
        status=1,
        message="--output-dir '/proc/handbp-run': cannot write in '/proc'",
        id="train-output-unwritable",
        marks=LINUX_PROC,
    ),
    case(
        "train",
        "--hidden",
        str(10**11),
        "--epochs",
        "1",
        "--output-dir",
        "{dir}/out",
        status=1,
        message="out of memory",
        id="train-too-big-to-fit",
    ),
    # --- evaluate ---------------------------------------------------------------------------
    case(
        "evaluate", message="the following arguments are required: weights", id="evaluate-no-file"
    ),
    case(
        "evaluate", "{dir}/missing.npz", message="cannot read weights file", id="evaluate-missing"
    ),
    case(
        "evaluate",
        "{dir}/a-folder",
        message="is a directory; expected a weights.npz file",
        id="evaluate-a-folder",
    ),
    case(
        "evaluate",
        "{dir}/text.npz",
        message="not a NumPy .npz archive (it starts with b'hello')",
        id="evaluate-text",
    ),
    case("evaluate", "{dir}/empty.npz", message="it is empty", id="evaluate-empty"),
    case(
        "evaluate",
        "{dir}/truncated.npz",
        message="a damaged or truncated .npz archive",
        id="evaluate-truncated",
    ),
    case(
        "evaluate", "{dir}/corrupt.npz", message=".npy fails its CRC check", id="evaluate-corrupt"
    ),
    case(
        "evaluate", "{dir}/single.npz", message="is a single .npy array", id="evaluate-npy-not-npz"
    ),
    case(
        "evaluate",
        "{dir}/object.npz",
        message="only pickle can read",
        id="evaluate-pickled-objects",
    ),
    case(
        "evaluate", "{dir}/nothing.npz", message="lacks W1 and W2", id="evaluate-no-weights-inside"
    ),
    case(
        "evaluate",
        "{dir}/wide.npz",
        message="5-2-3 net; Iris needs 4 inputs and 3 outputs",
        id="evaluate-wrong-net",
    ),
    case("evaluate", "{dir}/nan.npz", message="must be finite", id="evaluate-nan-weights"),
    case(
        "evaluate",
        "{dir}/int.npz",
        message="must be a float32 or float64 array",
        id="evaluate-int-weights",
    ),
    case(
        "evaluate",
        "{dir}/chain.npz",
        message="W2.shape[0] is 3 but W1.shape[1] is 2",
        id="evaluate-unchained",
    ),
    case("evaluate", "{dir}/bad-seed.npz", message="split_seed in", id="evaluate-bad-saved-seed"),
    case(
        "evaluate",
        "{dir}/bad-size.npz",
        message="test_size must leave at least one training example",
        id="evaluate-bad-saved-size",
    ),
    case(
        "evaluate",
        "{dir}/good.npz",
        "--split-seed",
        "1.5",
        message="argument --split-seed: expected a whole number",
        id="evaluate-split-seed-float",
    ),
    case(
        "evaluate",
        "{dir}/good.npz",
        "--test-size",
        "150",
        message="test_size must leave",
        id="evaluate-test-size-all",
    ),
    case(
        "evaluate",
        "{dir}/good.npz",
        "--variant",
        "x",
        message="invalid choice: 'x'",
        id="evaluate-variant",
    ),
    # --- descent ----------------------------------------------------------------------------
    case(
        "descent",
        "--x0",
        "nan",
        message="argument --x0: must be a finite number",
        id="descent-x0-nan",
    ),
    case("descent", "--x0", "1e200", message="must be within +-1e+150", id="descent-x0-overflows"),
    case("descent", "--x0", "five", message="expected a number, got 'five'", id="descent-x0-word"),
    case(
        "descent",
        "--output",
        "{dir}/a-folder",
        message="is a directory; expected a .png file name",
        id="descent-output-a-folder",
    ),
    case(
        "descent",
        "--output",
        "{dir}/nowhere/d.png",
        message="there is no directory",
        id="descent-output-no-folder",
    ),
    case(
        "descent",
        "--output",
        "{dir}/a-file/d.png",
        message="there is no directory",
        id="descent-output-under-a-file",
    ),
    case(
        "descent",
        "--output",
        "/proc/d.png",
        status=1,
        message="--output '/proc/d.png': cannot write in '/proc'",
        id="descent-output-unwritable",
        marks=LINUX_PROC,
    ),
    # --- verify and check (verify/cli.py; none of these rows needs JAX to run) -------------
    case(
        "verify",
        "--seed",
        "-1",
        message="argument --seed: a seed must be in",
        id="verify-seed-negative",
    ),
    case(
        "verify",
        "--examples",
        "0",
        message="argument --examples: must be at least 1",
        id="verify-examples-0",
    ),
    case("verify", "--sizes", "4-0-3", message="argument --sizes", id="verify-sizes-zero"),
    case("verify", "--dtype", "float16", message="invalid choice: 'float16'", id="verify-dtype"),
    case(
        "check", message="the following arguments are required: FILE:FUNCTION", id="check-nothing"
    ),
    case("check", "mine.py", message="expected path/to/file.py:function", id="check-no-function"),
    case("check", "{dir}/missing.py:f", message="no such file", id="check-missing-file"),
    case("check", "{dir}/a-folder:f", message="no such file", id="check-a-folder"),
    case("check", "{dir}/a-file:f", message="cannot load", id="check-not-python"),
    case("check", "{dir}/syntax.py:f", message="raised SyntaxError", id="check-syntax-error"),
    case("check", "{dir}/fine.py:f", message="has no function 'f'", id="check-no-such-function"),
    case(
        "check",
        "{dir}/fine.py:g",
        "--equation",
        "nonsense",
        message="unknown equation id 'nonsense'",
        id="check-unknown-equation",
    ),
    # --- held out: found by the audit of bad input beyond the rows above -------------------
    case(
        "step",
        "--eta",
        "0x10",
        message="--eta/--learning-rate: expected a number",
        id="step-eta-hex",
    ),
    case(
        "step",
        "--json=1",
        message="argument --json: ignored explicit argument",
        id="step-json-a-value",
    ),
    case("equations", "--where", "", message="unknown equation id ''", id="equations-where-empty"),
    case(
        "equations",
        "--part",
        "11",
        "--chapter",
        "2",
        message="cannot be combined",
        id="equations-part-and-chapter",
    ),
    case(
        "train",
        "--output-dir",
        "",
        message="--output-dir must name a folder",
        id="train-output-dir-empty",
    ),
    case(
        "train",
        "--data",
        "digits",
        "--output-dir",
        "",
        message="--output-dir must name a folder",
        id="train-digits-output-dir-empty",
    ),
    case(
        "train",
        "--momentum",
        "0.5",
        message="--momentum is a setting of momentum, but the optimizer is adam",
        id="train-momentum-without-momentum",
    ),
    case(
        "train",
        "--optimizer",
        "sgd",
        "--beta1",
        "0.5",
        message="--beta1 is a setting of adam, but the optimizer is sgd",
        id="train-beta1-with-sgd",
    ),
    case(
        "train",
        "--runaway",
        "1",
        message="argument --runaway: must be greater than 1",
        id="train-runaway-1",
    ),
    case(
        "train",
        "--momentum",
        "1",
        message="argument --momentum: must be in [0, 1)",
        id="train-momentum-1",
    ),
    case(
        "train",
        "--weight-decay",
        "-0.1",
        message="argument --weight-decay: must be at least 0",
        id="train-decay-negative",
    ),
    case(
        "train",
        "--target-accuracy",
        "95",
        message="must be a share in (0, 1]",
        id="train-accuracy-percent",
    ),
    case(
        "train",
        "--net",
        "5-3",
        message="the net 5-3 does not fit the iris data",
        id="train-net-wrong-inputs",
    ),
    case("evaluate", "", message="the weights file must be a path", id="evaluate-empty-path"),
    case(
        "evaluate",
        "{dir}/pickled-net.npz",
        message="holds data that only pickle can read",
        id="evaluate-net-pickled",
    ),
    case(
        "evaluate",
        "{dir}/biases-no.npz",
        message="biases must be 0 or 1, got 'no'",
        id="evaluate-net-biases-word",
    ),
    case(
        "evaluate",
        "{dir}/int-net.npz",
        message="params.weights[0] (W1) must be a float32 or float64",
        id="evaluate-net-int-weights",
    ),
    case(
        "evaluate",
        "{dir}/words-net.npz",
        message="widths must be layer sizes like 4-16-3, got '4-x-3'",
        id="evaluate-net-widths-words",
    ),
    case(
        "descent",
        "--output",
        "",
        message="--output must name a .png file",
        id="descent-output-empty",
    ),
    case("descent", "--x0", "1e200", message="argument --x0: must be within", id="descent-x0-huge"),
    case("verify", "--sizes", "4-2-3-5", message="argument --sizes", id="verify-sizes-four-layers"),
    case("check", "{dir}/a-folder:f", message="no such file", id="check-a-folder"),
    case(
        "check",
        "{dir}/fine.py:g",
        "--no-biases",
        message="--no-biases is an option of --net",
        id="check-no-biases-without-net",
    ),
    case(
        "check",
        "{dir}/fine.py:g",
        "--activation",
        "relu",
        message="--activation is an option of --net",
        id="check-activation-without-net",
    ),
    case(
        "check",
        "{dir}/fine.py:g",
        "--net",
        "4-3-3",
        "--equation",
        "mse",
        message="--equation does not go with --net",
        id="check-equation-with-net",
    ),
    case(
        "check",
        "{dir}/fine.py:g",
        "--net",
        "4-3-3",
        "--sizes",
        "4-2-3",
        message="--sizes chooses the random nets of a catalogue entry's check",
        id="check-sizes-with-net",
    ),
    case(
        "verify",
        "--chapter",
        "2",
        "--sizes",
        "4-2-3",
        message="--sizes and --examples choose chapter 1's random nets",
        id="verify-chapter-2-with-sizes",
    ),
    case(
        "verify",
        "--chapter",
        "2",
        "--examples",
        "9",
        message="with --chapter 2 they would do nothing",
        id="verify-chapter-2-with-examples",
    ),
]


@pytest.mark.parametrize(("command", "argv", "status", "message"), CASES)
def test_bad_input_is_one_line_and_a_nonzero_exit(capsys, files, command, argv, status, message):
    argv = [arg.replace("{dir}", str(files)) for arg in argv]
    full = argv if command == "handbp" else [command, *argv]
    got, _, err = invoke(capsys, full)
    assert got == status, err
    last = err.rstrip("\n").splitlines()[-1]
    where = "handbp" if command == "handbp" else f"handbp {command}"
    assert last.startswith(f"{where}: error: "), err
    assert message in last, err
    assert "Traceback" not in err
    if "usage:" not in err:  # not argparse's: exactly one line
        assert err.count("\n") == 1, err


def test_read_only_output_folder_is_refused_before_training(capsys, tmp_path, monkeypatch):
    """Found before any epoch runs: nothing is printed on stdout, no "stopped:" line.

    The folder refuses writing as a read-only folder does for a user: creating anything in
    it raises PermissionError (made so here, since root may write even where chmod forbids).
    """
    folder = tmp_path / "locked"
    folder.mkdir()

    def refuse(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", str(dir))

    monkeypatch.setattr(options.tempfile, "mkdtemp", refuse)
    status, out, err = invoke(capsys, ["train", "--output-dir", str(folder / "run")])
    assert status == 1 and out == ""
    assert err.startswith(f"handbp train: error: --output-dir '{folder / 'run'}': cannot write in")


def test_descent_png_gets_the_usual_permissions(capsys, tmp_path):
    """Written with open()'s 0666 less the umask (0644 under umask 022), not mkstemp's 0600."""
    previous = os.umask(0o022)
    try:
        status, _, _ = invoke(capsys, ["descent", "--output", str(tmp_path / "descent.png")])
    finally:
        os.umask(previous)
    assert status == 0
    assert (tmp_path / "descent.png").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["descent.png"]  # no partial file left


def test_an_internal_error_is_one_line_unless_debugging(capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr("handbp.cli.step.run", broken)
    monkeypatch.delenv("HANDBP_DEBUG", raising=False)
    status, _, err = invoke(capsys, ["step"])
    assert status == 1
    assert err == (
        "handbp step: internal error: RuntimeError: a bug (a bug in handbp; run with "
        "HANDBP_DEBUG=1 to see the traceback)\n"
    )
    monkeypatch.setenv("HANDBP_DEBUG", "1")
    status, _, err = invoke(capsys, ["step"])
    assert status == 1
    assert err.startswith("Traceback (most recent call last):") and "RuntimeError: a bug" in err


def handbp_script() -> str:
    return str(Path(sys.executable).with_name("handbp"))


def test_the_installed_command_reports_a_truncated_archive_in_one_line(files):
    result = subprocess.run(
        [handbp_script(), "evaluate", str(files / "truncated.npz")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HANDBP_DEBUG": "0"},
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("handbp evaluate: error: cannot read weights file")
    assert "damaged or truncated .npz archive" in result.stderr


def test_the_installed_command_refuses_a_non_integer_split_seed():
    result = subprocess.run(
        [handbp_script(), "train", "--split-seed", "4.5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "handbp train: error: argument --split-seed: expected a whole number, got '4.5'"
    )
    assert "Traceback" not in result.stderr
