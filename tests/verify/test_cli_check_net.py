"""``handbp check FILE:FUNCTION --net WIDTHS ...``: a general net's backward from the command line
(verify/cli.py's ``check`` command; in its own file beside test_cli.py)."""

import json
import textwrap

import pytest

from handbp import cli

RIGHT = """
from handbp.nn import NetBackward

def backward(net, X, Y, params, forward):
    return net.backward(X, Y, params, forward)
"""

WRONG = """
from handbp.nn import NetBackward

def backward(net, X, Y, params, forward):
    b = net.backward(X, Y, params, forward)
    D1 = b.layer_l_delta[0]
    return NetBackward(b.layer_l_error, b.layer_l_delta, (X.T @ b.layer_l_error[0] / Y.size, b.weights_l_update[1]), b.bias_l_update)
"""


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch):
    monkeypatch.setenv("HANDBP_JAX_CACHE", "off")


def _write(tmp_path, source):
    path = tmp_path / "my_backward.py"
    path.write_text(textwrap.dedent(source))
    return path


def test_a_right_backward_passes_with_the_legend(tmp_path, capsys):
    path = _write(tmp_path, RIGHT)
    args = ["check", f"{path}:backward", "--net", "4-6-3", "--activation", "relu,softmax"]
    assert cli.main([*args, "--loss", "cross-entropy"]) == 0
    out = capsys.readouterr().out
    assert "columns: quantity" in out and "status: WRONG" in out
    assert "backward of net 4-6-3, relu, softmax, cross_entropy, biases; float64: PASS" in out


def test_a_wrong_backward_fails_with_its_first_wrong_quantity(tmp_path, capsys):
    path = _write(tmp_path, WRONG)
    args = ["check", f"{path}:backward", "--net", "3-5-2", "--activation", "leaky-relu,sigmoid"]
    assert cli.main([*args, "--no-biases", "--dtype", "float32"]) == 1
    out = capsys.readouterr().out
    assert "first wrong quantity: dW_1 (weights_l_update[0])" in out
    assert "dW_1: uses E_1 instead of D_1" in out


def test_json(tmp_path, capsys):
    path = _write(tmp_path, WRONG)
    assert cli.main(["check", f"{path}:backward", "--net", "3-5-2", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["mistake"] == "error_instead_of_delta" and not result["passed"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--net", "4-3", "--activation", "softmax", "--loss", "binary-cross-entropy"],
            "needs a sigmoid",
        ),
        (["--net", "4-3", "--activation", "swish"], "must be one of sigmoid, tanh"),
    ],
)
def test_bad_nets_are_one_line_errors(tmp_path, capsys, options, message):
    path = _write(tmp_path, RIGHT)
    assert cli.main(["check", f"{path}:backward", *options]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_widths_are_refused_by_the_parser(tmp_path, capsys):
    path = _write(tmp_path, RIGHT)
    with pytest.raises(SystemExit):
        cli.main(["check", f"{path}:backward", "--net", "4"])
    assert "expected layer widths from inputs to outputs joined by '-'" in capsys.readouterr().err
