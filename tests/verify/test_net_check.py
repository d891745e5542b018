"""verify.check_net: a general net's backward pass checked node by node."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbp.nn import Net
from tests.verify.corpus import nets
from tests.verify.corpus.nets import STEPS
from verify import strategies
from verify.net_check import NET_TOLERANCES, check_net, field_of, returned_values
from verify.net_table import LEGEND

SPECS = {
    "ce": nets.CE,
    "bce": nets.BCE,
    "mse": nets.MSE,
    "deep": nets.DEEP,
    "softmax": nets.SOFTMAX_MSE,
    "relu_bce": nets.RELU_BCE,
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("spec", list(SPECS), ids=list(SPECS))
@pytest.mark.parametrize("function", nets.ACCEPTED, ids=[f.__name__ for f in nets.ACCEPTED])
def test_every_equivalent_correct_form_passes_undiagnosed(function, spec, dtype):
    report = check_net(function, Net(*SPECS[spec]), dtype)
    assert report.passed, str(report)
    assert report.first_failure is None and report.mistake is None
    worst = max(r.relative for rows in report.rows.values() for r in rows if r.status == "ok")
    assert worst < NET_TOLERANCES[dtype] / 100  # the margin the tolerance's docstring claims


def test_a_correct_pass_that_changes_its_inputs_gets_a_note():
    report = check_net(nets.as_dict_and_update_after, Net(*nets.MSE))
    assert report.passed
    assert any("params.weights[0] in place" in note for note in report.notes)


def test_the_table_shows_every_quantity_and_the_first_wrong_one():
    case = next(c for c in nets.CASES if c.function.__name__ == "no_derivative_deep")
    report = check_net(case.function, Net(*case.net))
    text = str(report)
    rows = {name: report.shown(name) for name in report.rows}
    assert [rows[n].status for n in ("E4", "D4", "dW4", "E2")] == ["ok"] * 4
    assert rows["D2"].status == "WRONG"
    assert {rows[n].status for n in ("dW2", "db2", "E1", "D1", "dW1", "db1")} == {"follows"}
    assert report.first_failure.name == "D2" and report.mistake == "missing_derivative"
    assert "first wrong quantity: D_2 (layer_l_delta[1])" in text
    assert "follows" in text and "D_2: no activation derivative" in text


def test_the_worst_index_and_max_difference_are_the_largest_deviation():
    case = next(c for c in nets.CASES if c.function.__name__ == "weights_no_n_bce")
    report = check_net(case.function, Net(*case.net), draws=1)
    row = report.shown("dW3")
    assert row.status == "WRONG" and row.exact is False
    assert row.error > 0 and 0 < row.relative and len(row.worst) == 2


def test_bad_results_and_raising_code_are_said_in_one_line():
    net = Net(*nets.MSE)
    assert "raised ZeroDivisionError" in check_net(lambda *a: 1 / 0, net).error
    assert "sys.exit" in check_net(lambda *a: exit(0), net).error
    assert "NetBackward" in check_net(lambda *a: (1, 2), net).error
    missing = check_net(lambda n, X, Y, p, f: {"layer_l_delta": (None, None)}, net)
    assert "weights_l_update is missing" in missing.error
    assert "(its keys: 'layer_l_delta')" in missing.error
    assert "(net, X, Y, params, forward)" in check_net(lambda X: X, net).error
    assert check_net(lambda *a: 1 / 0, net).mistake == "raised"


def test_arguments_are_checked():
    with pytest.raises(TypeError, match=r"net must be a handbp\.nn\.Net"):
        check_net(nets.step_by_step, (3, 4, 2))
    with pytest.raises(ValueError, match="draws must be at least 1"):
        check_net(nets.step_by_step, Net(*nets.MSE), draws=0)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        check_net(nets.step_by_step, Net(*nets.MSE), "int8")


def test_given_data_is_used_and_the_fields_are_named():
    net = Net(*nets.MSE)
    X = np.random.default_rng(0).normal(size=(9, 3))
    Y = np.random.default_rng(1).uniform(size=(9, 4))
    params = net.init(3)
    report = check_net(nets.step_by_step, net, data=(X, Y, params))
    assert report.passed and len(report.rows["dW1"]) == 1
    assert X.flags.writeable and params.weights[0].flags.writeable  # the caller's, untouched
    with pytest.raises(TypeError, match=r"data must be a tuple \(X, Y, params\)"):
        check_net(nets.step_by_step, net, data=(X, Y))
    assert field_of("dW2") == "weights_l_update[1]" and field_of("E0") == "input_error"
    assert set(
        returned_values(net.backward(X, Y, net.init(3), net.forward(X, net.init(3))), net)
    ) >= {"E2", "D1", "db1"}
    assert "exact" in LEGEND[0] and "follows" in LEGEND[1]


@st.composite
def net_specs(draw):
    """Any dense net handbp.nn can make: depth 1 to 3, widths 1 to 6, a loss that fits."""
    loss = draw(st.sampled_from(["mse", "binary_cross_entropy", "cross_entropy"]))
    depth = draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 6)) for _ in range(depth + 1)]
    hidden = st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu"])
    names = [draw(hidden) for _ in range(depth - 1)]
    if loss == "cross_entropy":
        widths[-1] = max(widths[-1], 2)
        names.append("softmax")
    elif loss == "binary_cross_entropy":
        names.append("sigmoid")
    else:
        names.append(draw(st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "softmax"])))
        if names[-1] == "softmax":
            widths[-1] = max(widths[-1], 2)
    return Net(tuple(widths), tuple(names), loss, draw(st.booleans()))


@settings(strategies.CI, max_examples=6)  # JAX compiles once per drawn net
@given(net_specs(), st.sampled_from(["float64", "float32"]), st.integers(0, 3))
def test_on_any_net_a_right_pass_passes_and_a_factor_on_one_gradient_is_caught(net, dtype, layer):
    assert check_net(nets.step_by_step, net, dtype, draws=1).passed
    layer = 1 + layer % net.depth

    def wrong(net_, X, Y, params, forward):
        right = STEPS["weights"]
        return nets.backward(
            net_,
            X,
            Y,
            params,
            forward,
            weights=lambda s: 2 * right(s) if s.l == layer else right(s),
        )

    report = check_net(wrong, net, dtype, draws=1)
    assert not report.passed and report.first_failure.name == f"dW{layer}"
    assert report.mistake == "factor_2"
