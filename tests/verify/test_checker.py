"""verify.checker: running anyone's code against JAX, whatever that code does."""

import json

import numpy as np
import pytest

from handbp import network, scalar
from handbp.equations import CATALOGUE
from verify import (
    assert_backprop,
    assert_function,
    check_backprop,
    check_equation,
    check_function,
    random_setup,
)


@pytest.mark.parametrize("equation_id", list(CATALOGUE))
def test_the_learners_path_measures_what_check_equation_measures(equation_id):
    """Private copies and guarded calls change no error; handbp's functions change no input."""
    result = check_function(equation_id, CATALOGUE[equation_id].function, sizes=[])
    assert result.diagnosis is None and result.error is None and result.notes == ()
    assert result.checks[0].as_dict() == check_equation(equation_id).as_dict()


def _raises(H_error, H_out):
    raise ZeroDivisionError("learner's bug")


def test_a_function_that_raises_is_reported_with_where_it_raised():
    result = check_function("hidden_layer_delta", _raises)
    assert not result.passed and result.mistake == "raised"
    assert "ZeroDivisionError: learner's bug" in result.diagnosis
    assert "test_checker.py" in result.diagnosis and "_raises" in result.diagnosis


def test_a_function_that_returns_nothing_is_reported():
    result = check_function("output_node_input", lambda H_out, W2, e, k: None)
    assert not result.passed and result.mistake == "not_numeric"
    assert "got NoneType None (does the function return its result?)" in result.diagnosis


def test_a_backprop_that_raises_or_returns_the_wrong_thing_is_reported():
    def raises(X, Y, W2, forward):
        return forward.no_such_field

    report = check_backprop(raises)
    assert not report.passed and "AttributeError" in report.error and "raises" in report.error
    assert "backpropagation: FAIL" in str(report)
    report = check_backprop(lambda X, Y, W2, forward: 42)
    assert not report.passed and "returned int" in report.error


@pytest.mark.parametrize(
    "shape_of_result",
    [
        lambda b: b,
        lambda b: b.as_dict(),
        lambda b: list(b.as_dict().values()),
    ],
)
def test_a_backprop_may_return_backward_a_mapping_or_a_sequence(shape_of_result):
    def backprop(X, Y, W2, forward):
        return shape_of_result(network.backpropagation(X, Y, W2, forward))

    assert check_backprop(backprop).passed


def test_a_backprop_that_changes_its_inputs_in_place_changes_nothing_for_later_checks():
    def vandal(X, Y, W2, forward):
        result = network.backpropagation(X, Y, W2, forward)
        for array in (X, Y, W2, *forward.as_dict().values()):
            array[...] = 0
        return result

    assert check_backprop(vandal).passed
    assert check_equation("weights_1_update").passed


def test_assert_helpers_raise_with_the_report_or_return_it():
    assert assert_backprop(network.backpropagation).passed
    assert assert_function("mse", CATALOGUE["mse"].function).passed

    def wrong(X, Y, W2, forward):
        backward = network.backpropagation(X, Y, W2, forward).as_dict()
        backward["weights_1_update"] = -backward["weights_1_update"]
        return backward

    with pytest.raises(AssertionError, match="weights_1_update: the sign is flipped"):
        assert_backprop(wrong)
    with pytest.raises(AssertionError, match="mse: FAIL"):
        assert_function("mse", lambda O_out, Y: 0.0)


def test_checks_run_on_the_nets_given():
    nets = [random_setup((2, 2, 3), examples=4, seed=s) for s in (1, 2)]
    result = check_function("hidden_layer_error", network.hidden_layer_error, nets=nets)
    assert [c.setup for c in result.checks] == [n.name for n in nets]
    report = check_backprop(network.backpropagation, nets=nets[:1])
    assert len(report.quantities["weights_2_update"].checks) == 1
    with pytest.raises(ValueError, match="at least one"):
        check_backprop(network.backpropagation, nets=[])


def test_checks_run_on_random_nets_of_the_sizes_given():
    result = check_function(
        "weights_2_update", network.weights_2_update, sizes=[(3, 2, 2), (2, 3, 4)], seed=8
    )
    assert [c.setup for c in result.checks][1:] == [
        "random 3-2-2, 7 examples, seed 8",
        "random 2-3-4, 7 examples, seed 9",
    ]


def test_reports_are_json_ready():
    report = check_backprop(network.backpropagation)
    document = json.loads(json.dumps(report.as_dict()))
    assert document["passed"] is True and set(document["quantities"]) == set(
        network.Backward.__dataclass_fields__
    )
    result = check_function("mse", lambda O_out, Y: np.float64(1.0))
    document = json.loads(json.dumps(result.as_dict()))
    assert document["passed"] is False and document["mistake"]


def test_check_function_refuses_unknown_ids():
    with pytest.raises(ValueError, match="unknown equation id"):
        check_function("no_such_equation", abs)


LARGE = random_setup((20, 24, 12), examples=24, seed=3)
"""A net whose weights and scalar forms are checked on a sample (more than 256 entries)."""


def _wrong_at_largest(X, H_out, O_out, Y, W2, i, j):
    """dmse_dw1_scalar, right everywhere except at the entry where the gradient is largest."""
    value = scalar.dmse_dw1_scalar(X, H_out, O_out, Y, W2, i, j)
    G = network.backpropagation(X, Y, W2, network.feedforward(X, LARGE.W1, W2)).weights_1_update
    return 2 * value if (i, j) == np.unravel_index(np.argmax(np.abs(G)), G.shape) else value


def _wrong_at_last_corner(X, H_out, O_out, Y, W2, i, j):
    value = scalar.dmse_dw1_scalar(X, H_out, O_out, Y, W2, i, j)
    return -value if (i, j) == (X.shape[1] - 1, H_out.shape[1] - 1) else value


@pytest.mark.parametrize("wrong", [_wrong_at_largest, _wrong_at_last_corner])
def test_a_scalar_form_wrong_at_one_telling_entry_is_caught_on_a_large_net(wrong):
    result = check_function("dmse_dw1_scalar", wrong, nets=[LARGE])
    assert not result.passed
    for method, error in result.checks[0].methods.items():
        assert not error.passed, method
        assert error.sample is not None and error.sample.size < error.sample.total


def test_a_wrong_scalar_form_is_diagnosed_on_a_large_net():
    def by_examples(H_out, O_out, Y, j, k):
        return scalar.dmse_dw2_scalar(H_out, O_out, Y, j, k) * Y.size / Y.shape[0]

    result = check_function("dmse_dw2_scalar", by_examples, nets=[LARGE])
    assert not result.passed and result.mistake == "examples_instead_of_N", str(result)


def test_a_wrong_gradient_is_caught_by_every_method_on_a_large_net():
    def twice(X, H_delta, N):
        return 2 * network.weights_1_update(X, H_delta, N)

    result = check_function("weights_1_update", twice, nets=[LARGE])
    assert not result.passed and result.mistake == "factor_2", str(result)
    methods = result.checks[0].methods
    assert not any(e.passed for e in methods.values())
    assert methods["forward"].sample.size == 256 and methods["reverse"].sample is None


def test_the_scalar_forms_are_called_only_at_the_sampled_entries():
    calls = []

    def counted(X, H_out, O_out, Y, W2, i, j):
        calls.append((i, j))
        return scalar.dmse_dw1_scalar(X, H_out, O_out, Y, W2, i, j)

    result = check_function("dmse_dw1_scalar", counted, nets=[LARGE])
    assert result.passed, str(result)
    sample = result.checks[0].methods["reverse"].sample
    assert calls == sample.indices() and len(calls) < LARGE.W1.size


def _update_in_place(W1, W2, W1_update, W2_update, eta):
    W1 -= eta * W1_update
    W2 -= eta * W2_update
    return W1, W2


def _delta_in_place(H_error, H_out):
    H_error *= H_out * (1 - H_out)
    return H_error


@pytest.mark.parametrize(
    ("equation_id", "in_place", "changed"),
    [
        ("weights_update", _update_in_place, "W1, W2"),
        ("hidden_layer_delta", _delta_in_place, "H_error"),
    ],
)
def test_code_that_writes_into_its_arguments_passes_with_a_note_and_changes_nothing(
    equation_id, in_place, changed
):
    for _ in range(2):  # a second check in the same process sees the same values
        result = check_function(equation_id, in_place)
        assert result.passed, str(result)
        assert result.notes and f" {changed} in place" in result.notes[0]
        assert "note: your function changed" in str(result)
    assert check_function(equation_id, CATALOGUE[equation_id].function).notes == ()
    for later in ("weights_update", "hidden_layer_delta", "weights_1_update"):
        assert check_equation(later).passed


def test_the_checkers_cached_values_are_read_only():
    from verify.report import prepared_setups

    for hand, jr in prepared_setups("float64"):
        arrays = [hand.setup.X, hand.setup.W1, *hand.forward.as_dict().values()]
        arrays += [*hand.backward.as_dict().values(), jr.setup.W2]
        assert not any(a.flags.writeable for a in arrays)


def test_a_backprop_that_changes_its_inputs_gets_a_note():
    def vandal(X, Y, W2, forward):
        result = network.backpropagation(X, Y, W2, forward)
        W2[...] = 0
        return result

    report = check_backprop(vandal)
    assert report.passed and report.notes and "W2 in place" in report.notes[0]
    assert "W2 in place" in str(report)


def test_a_scalar_form_returning_a_vector_is_told_its_shape_not_blamed_for_raising():
    result = check_function("output_node_input", lambda H_out, W2, e, k: H_out[e] @ W2)
    assert not result.passed and result.mistake == "shape_mismatch"
    assert (
        result.diagnosis
        == "output_node_input: your function returned shape (3,), expected a number"
    )


def _exits(H_error, H_out):
    import sys

    sys.exit(0)


def test_a_function_calling_sys_exit_fails_and_says_so():
    result = check_function("hidden_layer_delta", _exits)
    assert not result.passed and result.mistake == "raised"
    assert "SystemExit: it called sys.exit(0)" in result.diagnosis and "_exits" in result.diagnosis
    report = check_backprop(lambda X, Y, W2, forward: _exits(X, Y))
    assert not report.passed and "sys.exit(0)" in report.error


def test_a_function_with_the_wrong_arguments_is_told_how_it_is_called():
    result = check_function("hidden_layer_delta", lambda H_error: H_error)
    assert result.mistake == "raised"
    assert "it is called as <lambda>(H_error, H_out)" in result.diagnosis


def _w2_wrong(W1, W2, W1_update, W2_update, eta):
    return W1 - eta * W1_update, W2 - 2 * eta * W2_update


def _swapped_pair(W1, W2, W1_update, W2_update, eta):
    return W2 - eta * W2_update, W1 - eta * W1_update


def test_a_two_output_result_says_which_output_is_wrong():
    result = check_function("weights_update", _w2_wrong)
    assert result.mistake == "factor_2", str(result)
    assert result.diagnosis.startswith("weights_update: W2: the step eta W2_update is wrong")
    assert "twice the right value" in result.diagnosis
    assert result.diagnosis.endswith("; W1 is right")
    result = check_function("weights_update", _swapped_pair)
    assert result.mistake == "swapped", str(result)
    assert "your W1 and W2 are swapped: each holds the other's value" in result.diagnosis
