"""handbp.checks.values: arguments converted to float arrays, the label and number checks,
the descriptions in messages, and what is remembered of arrays that nothing can write to."""

import gc

import numpy as np
import pytest

from handbp import network
from handbp.checks import (
    as_float_array,
    binary,
    describe,
    finite_real,
    float_dtype,
    index,
    numbers,
    one_hot,
    positive_int,
    probabilities,
)
from handbp.checks.values import remembered
from handbp.nn import Net, Params


def test_python_numbers_and_lists_become_float64():
    assert as_float_array(3, "x").dtype == np.float64
    assert as_float_array([[1, 2], [3, 4]], "x").dtype == np.float64


@pytest.mark.parametrize(
    "value, kind",
    [
        (np.array([1, 2]), TypeError),
        (np.array([True]), TypeError),
        (True, TypeError),
        (None, TypeError),
        ("1.0", TypeError),
        (["1.0"], TypeError),
        ([[1.0], [2.0, 3.0]], TypeError),
        (np.array([1 + 2j]), TypeError),
        (np.array([1.0], dtype=np.float16), TypeError),
        ([], ValueError),
        ([float("inf")], ValueError),
    ],
)
def test_refused_values_name_the_argument(value, kind):
    with pytest.raises(kind, match="my_arg"):
        as_float_array(value, "my_arg")


@pytest.mark.parametrize(
    "value, ndim, message",
    [
        ([1.0], 0, r"^x must be a scalar, got shape \(1,\)$"),
        (1.0, 1, r"^x must be a vector \(1-D\), got shape \(\)$"),
        ([1.0], 2, r"^x must be a matrix \(2-D\), got shape \(1,\)$"),
        ([1.0], 3, r"^x must be 3-D, got shape \(1,\)$"),
    ],
)
def test_the_number_of_dimensions_is_said_in_words(value, ndim, message):
    with pytest.raises(ValueError, match=message):
        as_float_array(value, "x", ndim)


def test_a_not_finite_array_says_how_many_entries_and_where_the_first_is():
    with pytest.raises(ValueError) as raised:
        as_float_array([[np.nan, np.inf], [1.0, np.nan]], "X")
    assert str(raised.value) == (
        "X must be finite, found 3 NaN/inf entries (first at index (0, 0): np.float64(nan))"
    )


def test_a_ragged_list_or_a_string_is_shown_as_it_arrived():
    with pytest.raises(TypeError) as raised:
        as_float_array([[1.0], [2.0, 3.0]], "X")
    assert str(raised.value) == (
        "X must be a real number or a (nested) list of numbers, got list [[1.0], [2.0, 3.0]]"
    )
    with pytest.raises(TypeError) as raised:
        as_float_array("1.0", "X")
    assert (
        str(raised.value) == "X must be a real number or a (nested) list of numbers, got str '1.0'"
    )


def test_an_index_is_an_integer_inside_its_axis():
    assert index(np.int64(2), "e", 3, "examples") == 2
    for value in (True, 1.0, "1"):
        with pytest.raises(
            TypeError, match=rf"^e must be an integer index, got {type(value).__name__} "
        ):
            index(value, "e", 3, "examples")
    with pytest.raises(ValueError, match=r"^e must be in 0..2 \(examples\), got 3$"):
        index(3, "e", 3, "examples")


def test_label_checks_name_y_by_default_and_refuse_the_bounds_of_probabilities():
    with pytest.raises(ValueError, match=r"^Y must hold binary labels \(0 or 1\), Y\[0, 1\]"):
        binary(np.array([[0.0, 2.0]]))
    for edge in (0.0, 1.0):  # log(P) or log(1 - P) would be infinite
        with pytest.raises(ValueError, match=r"^P must hold probabilities strictly between"):
            probabilities(np.array([[0.5, edge]]), "P")
    probabilities(np.array([[1e-300, 1 - 1e-16]]), "P")
    with pytest.raises(TypeError, match=r"^w must be a list of numbers, got str '12'$"):
        numbers("12", "w")


def test_number_checks_say_what_arrived():
    with pytest.raises(TypeError, match=r"^n must be an integer, got float 2.0$"):
        positive_int(2.0, "n")
    with pytest.raises(TypeError, match=r"^eta must be a real number, got str '0.1'$"):
        finite_real("0.1", "eta")
    with pytest.raises(ValueError, match=r"^eta must be positive, got 0.0$"):
        finite_real(0, "eta", positive=True)


def test_a_one_hot_row_needs_its_own_1():
    """As many non-zeros as rows, and a 1 somewhere, is not enough: row 1 has no 1."""
    with pytest.raises(ValueError, match=r"^Y must be one-hot .*, row 1 is \[0.0, 2.0\]$"):
        one_hot(np.array([[1.0, 0.0], [0.0, 2.0]]))


def test_a_dtype_that_numpy_does_not_know_is_named():
    with pytest.raises(TypeError, match=r"^dtype must be float32 or float64, got 'nonsense'$"):
        float_dtype("nonsense")
    with pytest.raises(TypeError, match=r"^dtype must be float32 or float64, got int64$"):
        float_dtype(np.int64)


def test_a_description_names_the_type_and_is_at_most_120_characters():
    assert describe("fast") == "str 'fast'"
    assert describe(None) == "NoneType None"
    assert describe("x" * 500) == ("str '" + "x" * 500)[:120]
    assert describe(np.ones((2, 3), dtype=np.float32)) == (
        "an array of dtype float32 and shape (2, 3)"
    )


# --- Remembered facts: read-only arrays are checked once, changed ones again ------------------


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _changed_behind_the_flag(array, index, value):
    """Change a read-only array (setting its flag back, as nothing in handbp does)."""
    array.flags.writeable = True
    array[index] = value
    array.flags.writeable = False


def test_a_read_only_label_matrix_is_checked_once():
    """Read-only arrays cannot change, so their label checks are remembered: a training
    loop over the same data pays for them once. (Shown by changing one behind the flag.)"""
    Y = _read_only(np.array([[0.0, 1.0], [1.0, 1.0]]))
    binary(Y)
    _changed_behind_the_flag(Y, (0, 0), 5.0)
    binary(Y)  # remembered: not looked at again
    writable = np.array([[0.0, 1.0]])
    binary(writable)
    writable[0, 0] = 5.0
    with pytest.raises(ValueError, match="binary"):
        binary(writable)  # a writable array is checked every time
    one_hot(Y := _read_only(np.eye(2)))
    with pytest.raises(ValueError, match="binary"):
        binary(Y * 5)  # what a matrix is known to be is per check: one-hot is not binary


def test_only_arrays_that_nothing_can_write_to_are_remembered_as_finite():
    """A read-only view of a writable array, or of a writable buffer, can still change: it
    is checked every time. A view of a read-only array cannot, and is checked once."""
    base = np.ones(2)
    view = _read_only(base[:])
    as_float_array(view, "x")
    base[0] = np.nan
    with pytest.raises(ValueError, match="x must be finite"):
        as_float_array(view, "x")
    buffer = bytearray(np.ones(2).tobytes())
    over_buffer = _read_only(np.frombuffer(buffer))
    as_float_array(over_buffer, "x")
    buffer[:8] = np.array([np.nan]).tobytes()
    with pytest.raises(ValueError, match="x must be finite"):
        as_float_array(over_buffer, "x")
    frozen = _read_only(np.ones(2))
    frozen_view = frozen[:]
    assert not frozen_view.flags.writeable
    as_float_array(frozen_view, "x")
    _changed_behind_the_flag(frozen, 0, np.nan)
    as_float_array(frozen_view, "x")  # remembered: not looked at again


def test_what_is_known_of_a_read_only_array_adds_up():
    Y = _read_only(np.eye(2))
    as_float_array(Y, "Y")  # finite
    one_hot(Y)  # and one-hot: both remembered
    _changed_behind_the_flag(Y, (0, 1), np.nan)
    as_float_array(Y, "Y")
    one_hot(Y)


def test_what_is_known_of_an_array_leaves_with_it():
    """The memory of read-only arrays holds no array alive, and forgets the dead ones."""
    before = len(remembered)
    X = _read_only(np.ones((2, 2)))
    as_float_array(X, "X")
    assert id(X) in remembered and len(remembered) == before + 1
    del X
    gc.collect()
    assert len(remembered) == before


def test_a_checked_call_does_not_look_at_remembered_data_again(monkeypatch):
    """A loop over read-only data pays for its finiteness check once, on the fast path
    (positional arguments) and on the generic one (keywords)."""
    X, W1 = _read_only(np.ones((2, 3))), _read_only(np.ones((3, 2)))
    network.hidden_layer_inputs(X, W1)  # looked at, and remembered
    looked_at = []

    def is_finite(array):
        looked_at.append(array)
        return bool(np.isfinite(array).all())

    monkeypatch.setattr("handbp.checks.values.is_finite", is_finite)
    network.hidden_layer_inputs(X, W1)
    network.hidden_layer_inputs(X=X, W1=W1)
    assert looked_at == []
    network.hidden_layer_inputs(X, np.ones((3, 2)))  # a writable array is looked at
    assert len(looked_at) == 1


def _calls_that_check_X():
    """Every kind of boundary that checks an X: a declared check (its generated fast path
    and its generic one), ``as_float_array`` and the general net's checks."""
    net = Net((3, 2), "sigmoid", loss="mse", biases=False)
    W = np.full((3, 2), 0.5)
    return {
        "fast path": lambda X: network.hidden_layer_inputs(X, W),
        "generic path": lambda X: network.hidden_layer_inputs(X, W.tolist()),
        "as_float_array": lambda X: as_float_array(X, "X"),
        "Net.forward": lambda X: net.forward(X, Params((W,))),
    }


@pytest.mark.parametrize("call", list(_calls_that_check_X()))
def test_a_remembered_array_made_writable_and_changed_is_checked_again(call):
    check = _calls_that_check_X()[call]
    X = _read_only(np.ones((4, 3)))
    check(X)
    check(X)  # now remembered as finite
    X.flags.writeable = True
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        check(X)


@pytest.mark.parametrize("call", list(_calls_that_check_X()))
def test_a_read_only_view_changed_through_its_base_is_checked_again(call):
    check = _calls_that_check_X()[call]
    base = _read_only(np.ones((4, 5)))
    X = base[:, :3]
    check(X)
    base.flags.writeable = True
    base[0, 0] = np.inf  # the view sees it; the view itself stayed read-only
    with pytest.raises(ValueError, match="X must be finite"):
        check(X)


def test_remembered_one_hot_labels_changed_are_checked_again():
    Y = _read_only(np.eye(3)[[0, 1, 2, 1]])
    O_out = np.full((4, 3), 0.5)
    network.output_layer_error(O_out, Y)  # remembered as one-hot
    Y.flags.writeable = True
    Y[2] = [1.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="Y must be one-hot"):
        network.output_layer_error(O_out, Y)


def test_a_new_array_where_a_remembered_one_was_is_checked():
    """Facts are remembered by identity: an array freed and another made at its address
    (CPython reuses it) must not inherit them."""
    for _ in range(20):
        X = _read_only(np.ones((4, 3)))
        as_float_array(X, "X")
        del X
        X = _read_only(np.full((4, 3), np.nan))
        with pytest.raises(ValueError, match="X must be finite"):
            as_float_array(X, "X")


def test_writable_arrays_are_looked_at_every_call():
    X = np.ones((4, 3))
    network.hidden_layer_inputs(X, np.ones((3, 2)))
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        network.hidden_layer_inputs(X, np.ones((3, 2)))
