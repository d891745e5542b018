"""handbp.checks: declared checks at the boundary, run once, and the switch that turns them off."""

import gc
import pickle

import numpy as np
import pytest

from handbp import network, unchecked
from handbp.activations import sigmoid
from handbp.checks import (
    Array,
    Binary,
    Count,
    DType,
    Fields,
    Function,
    Index,
    Matrix,
    Number,
    NumberRows,
    Numbers,
    OneHot,
    Probabilities,
    Rate,
    as_float_array,
    binary,
    call_unchecked,
    checked,
    checks_enabled,
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


def _read_only(array):
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


def test_an_unpickled_array_shares_the_dtype_of_a_fresh_one():
    """Unpickling gives an equal float64 dtype that is another object."""
    W1 = pickle.loads(pickle.dumps(np.ones((3, 2))))
    assert W1.dtype is not np.dtype(np.float64)
    np.testing.assert_array_equal(network.hidden_layer_inputs(np.ones((1, 3)), W1), [[3.0, 3.0]])


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


def test_unchecked_switches_checks_off_and_back_on():
    X = np.ones((2, 3))
    with unchecked():
        assert not checks_enabled()
        # a mismatched product now fails in NumPy itself, not in handbp's check
        with pytest.raises(ValueError, match="matmul"):
            network.hidden_layer_inputs(X, np.ones((2, 2)))
    assert checks_enabled()
    with pytest.raises(ValueError, match=r"W1.shape\[0\] is 2 but X.shape\[1\] is 3.*inputs \(i\)"):
        network.hidden_layer_inputs(X, np.ones((2, 2)))


# A small function declared with every kind of check, to test the wrapper itself.
def _received(A, B, Y, v, n, eta, row, f=np.negative):
    """Returns what the body received, to see the conversions."""
    return A, B, Y, v, n, eta, row, f, checks_enabled()


def _declare():
    """``_received`` declared with every kind of check. Tests that declare it afresh also
    test the code that builds the checks (mutation testing runs each mutant after the
    modules, and so their module-level declarations, are imported)."""
    return checked(
        _received,
        A="r c",
        B="c s",
        Y=OneHot("r s"),
        v=Array(),
        n=Count(),
        eta=Rate("step"),
        row=Index("r"),
        f=Function(),
    )


_declared = _declare()


def _good(**changes):
    arguments = dict(
        A=np.ones((2, 3)),
        B=np.ones((3, 4)),
        Y=np.eye(4)[[0, 3]],
        v=1.5,
        n=2,
        eta=0.1,
        row=1,
    )
    arguments.update(changes)
    return arguments


def test_the_body_runs_unchecked_on_converted_arguments():
    A, _B, _Y, v, n, eta, row, _f, enabled = _declared(**_good(A=[[1, 2, 3], [4, 5, 6]]))
    assert A.dtype == np.float64 and A.shape == (2, 3)
    assert v.dtype == np.float64 and v.ndim == 0
    assert (n, eta, row) == (2, 0.1, 1)
    assert not enabled  # nested checked calls run their bare maths
    assert checks_enabled()  # and the switch is back on after the call


def test_positional_and_keyword_arguments_are_both_checked():
    good = _good()
    args = [good.pop(name) for name in ("A", "B", "Y")]
    with pytest.raises(ValueError, match="v must be finite"):
        _declared(*args, **{**good, "v": np.nan})
    with pytest.raises(TypeError, match="A must be a float32 or float64"):
        _declared(np.ones((2, 3), dtype=int), *args[1:], **good)


@pytest.mark.parametrize(
    "changes, kind, message",
    [
        (dict(B=np.ones((2, 4))), ValueError, r"B.shape\[0\] is 2 but A.shape\[1\] is 3.*\(c\)"),
        (dict(Y=np.eye(4)[[0, 1, 2]]), ValueError, r"Y.shape\[0\] is 3 but A.shape\[0\] is 2"),
        (dict(Y=np.ones((2, 4))), ValueError, r"Y must be one-hot.*row 0"),
        (dict(Y=np.array([[1.0, 0, 0, 0], [0, 0, 0, 0]])), ValueError, r"one-hot.*row 1"),
        (dict(Y=np.array([[1.0, 0, 0, 0], [0, 2, -1, 0]])), ValueError, r"one-hot.*row 1"),
        (dict(A=np.ones((2, 3), dtype=np.float32)), TypeError, "A is float32, B is float64"),
        (dict(A=np.ones(3)), ValueError, r"A must be a matrix \(2-D\), got shape \(3,\)"),
        (dict(n=0), ValueError, "n must be at least 1"),
        (dict(n=1.0), TypeError, "n must be an integer"),
        (dict(eta=-1.0), ValueError, r"eta \(step\) must be positive"),
        (dict(eta="fast"), TypeError, r"eta \(step\) must be a real number"),
        (dict(row=2), ValueError, r"row must be in 0..1 \(r\), got 2"),
        (dict(row=True), TypeError, "row must be an integer index"),
        (dict(f="relu"), TypeError, "f must be a function"),
    ],
)
def test_each_kind_declared_refuses_bad_input_naming_the_argument(changes, kind, message):
    declared = _declare()
    arguments = _good(**changes)
    with pytest.raises(kind, match=message):
        declared(**arguments)
    with pytest.raises(kind, match=message):
        declared(*arguments.values())


def _labelled(X, Y, P, b, f, t, dtype):
    return X, Y, P, b, f, t, dtype


def _declare_labelled():
    return checked(
        _labelled,
        X="e k",
        Y=Binary("e k"),
        P=Probabilities("e k"),
        b=Matrix("k", optional=True),
        f=Function(optional=True),
        t=Number(),
        dtype=DType(),
    )


def _labelled_arguments(**changes):
    arguments = dict(
        X=np.ones((2, 2)),
        Y=np.array([[0.0, 1.0], [1.0, 1.0]]),
        P=np.full((2, 2), 0.5),
        b=None,
        f=None,
        t=1,
        dtype="float32",
    )
    arguments.update(changes)
    return arguments


def test_labels_optional_arguments_numbers_and_dtypes_declared():
    declared = _declare_labelled()
    *_, b, f, t, dtype = declared(**_labelled_arguments())
    assert b is None and f is None  # optional: None passes unchecked
    assert type(t) is float and t == 1.0 and dtype == np.dtype(np.float32)
    assert declared.fast_check is None  # binary and probability labels: generic checks only


@pytest.mark.parametrize(
    "changes, kind, message",
    [
        (
            dict(Y=np.array([[0.0, 2.0], [1.0, 1.0]])),
            ValueError,
            r"^Y must hold binary .*Y\[0, 1\]",
        ),
        (dict(P=np.array([[0.5, 0.5], [1.0, 0.5]])), ValueError, r"^P must hold prob.*P\[1, 0\]"),
        (dict(b=np.ones(3)), ValueError, r"b.shape\[0\] is 3 but X.shape\[1\] is 2"),
        (dict(f="x"), TypeError, r"^f must be a function or None, got str 'x'$"),
        (dict(t=np.nan), ValueError, r"^t must be finite, got nan$"),
        (dict(dtype="int32"), TypeError, r"^dtype must be float32 or float64, got int32$"),
    ],
)
def test_labels_optional_arguments_numbers_and_dtypes_refused(changes, kind, message):
    with pytest.raises(kind, match=message):
        _declare_labelled()(**_labelled_arguments(**changes))


def test_a_matrix_declaration_says_what_it_checks():
    assert repr(Matrix("e k", labels="binary", optional=True)) == (
        "Matrix('e k', labels='binary', optional=True)"
    )
    assert repr(OneHot("e k")) == "Matrix('e k', labels='one-hot')" and OneHot("e k").one_hot
    assert repr(Matrix("e k")) == "Matrix('e k')" and not Matrix("e k").late
    assert Binary("e k").late and not Binary("e k").one_hot
    with pytest.raises(ValueError, match=r"^unknown labels check 'bogus'$"):
        Matrix("e", labels="bogus")


def _thresholded(X, f, t):
    return X


def test_the_fast_path_of_optional_functions_and_numbers():
    """Only values that need no conversion take the fast path (an int threshold is
    converted to a float by the generic checks)."""
    fast = checked(_thresholded, X="e i", f=Function(optional=True), t=Number()).fast_check
    X = np.ones((2, 2))
    assert fast((X, None, 1.0)) and fast((X, np.negative, 1.0))
    assert not any(fast((X, f, t)) for f, t in [("x", 1.0), (None, np.nan), (None, 1)])


def test_a_shape_message_names_what_each_dimension_counts():
    with pytest.raises(ValueError) as raised:
        network.feedforward(np.ones((3, 4)), np.ones((4, 2)), np.ones((5, 3)))
    message = str(raised.value)
    assert "W2.shape[0] is 5 but W1.shape[1] is 2" in message
    assert "hidden nodes (j)" in message
    assert "W1 (inputs i, hidden nodes j)" in message and "W2 (hidden nodes j" in message


def test_a_whole_shape_message_lists_every_declared_shape_of_the_two_arguments():
    with pytest.raises(ValueError) as raised:
        network.hidden_layer_inputs(np.ones((2, 3)), np.ones((2, 2)))
    assert str(raised.value) == (
        "shapes do not fit: W1.shape[0] is 2 but X.shape[1] is 3, and both count the inputs "
        "(i); expected X (examples e, inputs i), W1 (inputs i, hidden nodes j), got X of shape "
        "(2, 3) and W1 of shape (2, 2) (nothing is broadcast)"
    )
    # a letter without a name in DIMENSIONS stands for itself
    with pytest.raises(ValueError) as raised:
        _declared(**_good(B=np.ones((2, 4))))
    assert str(raised.value) == (
        "shapes do not fit: B.shape[0] is 2 but A.shape[1] is 3, and both count the c (c); "
        "expected A (r r, c c), B (c c, s s), got A of shape (2, 3) and B of shape (2, 4) "
        "(nothing is broadcast)"
    )


def test_a_description_names_the_type_and_is_at_most_120_characters():
    assert describe("fast") == "str 'fast'"
    assert describe(None) == "NoneType None"
    assert describe("x" * 500) == ("str '" + "x" * 500)[:120]
    assert describe(np.ones((2, 3), dtype=np.float32)) == (
        "an array of dtype float32 and shape (2, 3)"
    )


def test_fields_checks_the_attributes_of_a_result_object():
    X, W1, W2 = np.ones((3, 4)), np.ones((4, 2)), np.ones((2, 3))
    Y = np.eye(3)
    forward = network.feedforward(X, W1, W2)
    with pytest.raises(TypeError, match=r"forward must be a Forward.*got NoneType"):
        network.backpropagation(X, Y, W2, None)
    with pytest.raises(ValueError, match=r"H_out.shape\[1\] is 2 but W2.shape\[0\] is 5"):
        network.backpropagation(X, Y, np.ones((5, 3)), forward)
    assert isinstance(Fields("x").check(forward, "forward"), network.Forward)


def test_a_forward_holding_a_list_is_refused_naming_the_field():
    X, W1, W2, Y = np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)), np.eye(2)
    forward = network.feedforward(X, W1, W2)
    forward = network.Forward(
        forward.hidden_layer_inputs,
        forward.hidden_layer_outputs.tolist(),
        forward.output_layer_inputs,
        forward.output_layer_outputs,
    )
    with pytest.raises(TypeError, match=r"forward.hidden_layer_outputs \(H_out\)"):
        network.backpropagation(X, Y, W2, forward)


def test_number_lists_bind_their_lengths():
    def total(rows, w):
        return sum(x * y for row in rows for x, y in zip(row, w, strict=True))

    total = checked(total, rows=NumberRows("e i"), w=Numbers("i"))

    assert total([[1, 2]], [3, 4]) == pytest.approx(11.0)
    with pytest.raises(ValueError, match=r"w.shape\[0\] is 3 but rows.shape\[1\] is 2"):
        total([[1, 2]], [3, 4, 5])
    with pytest.raises(ValueError, match="rows of one length"):
        total([[1, 2], [3]], [3, 4])


def test_arguments_given_twice_or_not_at_all_are_named():
    good = _good()
    with pytest.raises(TypeError, match=r"^got multiple values for argument 'A'$"):
        _declared(good["A"], **good)
    del good["B"]
    with pytest.raises(TypeError, match=r"^missing a required argument: 'B'$"):
        _declared(**good)


def test_keyword_only_arguments_pass_to_the_body_in_any_order():
    def scaled(X, *, factor, shift=0.0):
        return factor * X + shift

    scaled = checked(scaled, X="e i")
    X = np.ones((1, 2))
    np.testing.assert_array_equal(scaled(X, factor=3.0), [[3.0, 3.0]])
    np.testing.assert_array_equal(scaled(factor=3.0, shift=1.0, X=X), [[4.0, 4.0]])


def test_a_default_before_a_keyword_argument_is_checked_like_a_given_value():
    def scaled(X, factor=-1, shift=0.0):
        return factor * X + shift

    scaled = checked(scaled, X="e i", factor=Count(), shift=Rate())
    with pytest.raises(ValueError, match=r"^factor must be at least 1, got -1$"):
        scaled(np.ones((1, 1)), shift=1.0)
    np.testing.assert_array_equal(scaled(np.ones((1, 1)), factor=3, shift=1.0), [[4.0]])


def _root(X):
    return np.sqrt(X)


def test_a_blas_body_ignores_the_invalid_flag_in_float32_only():
    """``blas=True``: OpenBLAS's float32 kernels may set the "invalid" flag on finite
    inputs, so a float32 call runs its body with that flag ignored; float64 calls, and
    bodies not marked, still warn."""
    root = checked(_root, X="e i", blas=True)
    negative = -np.ones((1, 2), dtype=np.float32)
    assert np.isnan(root(negative)).all()  # no warning (warnings are errors in the tests)
    with pytest.warns(RuntimeWarning, match="invalid value"):
        root(negative.astype(np.float64))
    with pytest.warns(RuntimeWarning, match="invalid value"):
        checked(_root, X="e i")(negative)


def test_an_undeclared_argument_does_not_end_the_checks_of_those_after_it():
    def labelled(label, X):
        return X

    labelled = checked(labelled, X="e i")
    assert labelled.fast_check(("x", np.ones((1, 1))))
    assert not labelled.fast_check(("x", np.array([[np.nan]])))
    with pytest.raises(ValueError, match="X must be finite"):
        labelled("x", [[np.nan]])


def test_a_default_left_out_takes_the_fast_path_and_is_used():
    """``feedforward(X, W1, W2)``: the default activation fills the fast path's last check."""
    X, W1, W2 = np.full((2, 3), 0.5), np.full((3, 2), 0.1), np.full((2, 1), -0.2)
    declared = _declared_again(network.feedforward)
    assert declared.fast_check((X, W1, W2))
    assert not declared.fast_check((X, W1))
    assert _same(declared(X, W1, W2), network.feedforward(X, W1, W2, activation=sigmoid))


def _at(forward, e):
    return forward.hidden_layer_outputs[e]


def test_an_index_into_a_dimension_of_an_attribute_has_a_fast_path():
    at = checked(
        _at, forward=Fields("a Forward", hidden_layer_outputs=("H_out", "e j")), e=Index("e")
    )
    forward = network.feedforward(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)))
    assert at.fast_check((forward, 1)) and not at.fast_check((forward, 2))
    with pytest.raises(ValueError, match=r"^e must be in 0..1 \(examples\), got 2$"):
        at(forward, 2)


def test_call_unchecked_runs_one_call_without_checks():
    assert call_unchecked(checks_enabled) is False
    with pytest.raises(ValueError, match="matmul"):  # NumPy's error, not handbp's check
        call_unchecked(network.hidden_layer_inputs, np.ones((2, 3)), W1=np.ones((2, 2)))
    assert checks_enabled() is True


def _repeated(n, X):
    return np.sqrt(X) * n


def test_a_blas_body_finds_its_dtype_in_the_first_array_not_the_first_argument():
    repeated = checked(_repeated, n=Count(), X="e i", blas=True)
    assert np.isnan(repeated(2, -np.ones((1, 1), dtype=np.float32))).all()  # no warning


def _number_root(x):
    return np.sqrt(np.float64(x))


def test_a_blas_body_without_arrays_is_not_silenced():
    with pytest.warns(RuntimeWarning, match="invalid value"):
        checked(_number_root, x=Number(), blas=True)(-1.0)


def test_a_dtype_that_numpy_does_not_know_is_named():
    with pytest.raises(TypeError, match=r"^dtype must be float32 or float64, got 'nonsense'$"):
        float_dtype("nonsense")
    with pytest.raises(TypeError, match=r"^dtype must be float32 or float64, got int64$"):
        float_dtype(np.int64)


def _product(first, *rest):
    out = first
    for factor in rest:
        out = out * factor
    return out


def test_the_arguments_after_the_named_ones_are_checked_and_named_by_position():
    product = checked(_product, first=Array("s"), rest=Array("s"))
    assert product.fast_check is None  # a variable number of arguments: generic checks only
    result = product([1.0, 2.0], np.array([3.0, 4.0]), [5, 6])
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, [15.0, 48.0])
    with pytest.raises(ValueError, match=r"^rest\[1\] must be finite"):
        product([1.0], [2.0], [np.inf])
    with pytest.raises(ValueError, match=r"rest\[0\] of shape \(2,\)"):
        product([1.0], [2.0, 3.0])


def test_a_declaration_keeps_its_checks_by_name():
    assert list(_declare().checks) == ["A", "B", "Y", "v", "n", "eta", "row", "f"]
    assert repr(_declare().checks["Y"]) == "Matrix('r s', labels='one-hot')"


def test_a_declaration_must_name_real_parameters():
    with pytest.raises(TypeError, match=r"checked\(\) names no parameter \['Z'\] of <function"):
        checked(lambda X: X, Z="e i")


def test_the_listing_of_a_checked_function_is_the_slide_line():
    """What a tutorial shows with inspect.getsource: the def, the docstring and the maths,
    with the checks declared elsewhere."""
    import inspect

    listing = inspect.getsource(network.output_layer_error)
    code = [line.strip() for line in listing.splitlines() if line.strip()]
    assert any(line.startswith("def output_layer_error(") for line in code)
    assert code[-1] == "return O_out - Y"
    assert "checked(" not in listing


# --- the generated fast path agrees with the generic checks ---------------------------------

import dataclasses  # noqa: E402
import inspect  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from handbp.equations import CATALOGUE  # noqa: E402

GOOD = {"Count": 2, "Index": 1, "Rate": 0.1, "Number": 2.0, "Function": np.negative}
BAD = {
    "Count": [0, -1, 1.0, True],
    "Index": [2, -1, 1.0, True],
    "Rate": [0, -0.5, float("nan"), float("inf"), "x"],
    "Number": [float("nan"), "x", None],
    "Function": [None, "relu"],
}


def _argument(draw, spec, spoil):
    """A valid argument for ``spec`` (all dimensions of size 2), or a spoilt one."""
    kind = type(spec).__name__
    if spec is None:
        return None
    if kind in GOOD:
        return draw(st.sampled_from(BAD[kind])) if spoil else GOOD[kind]
    if isinstance(spec, Fields):
        if spoil and draw(st.booleans()):
            return None
        # (not a list: test_a_forward_holding_a_list_is_refused_naming_the_field)
        H_out = _array(draw, ("e", "j"), spoil, spoils=[s for s in SPOILS if s != "list"])
        O_out = _array(draw, ("e", "k"), False)
        return network.Forward(H_out, H_out, O_out, O_out)
    return _array(draw, spec.dims or ("s",), spoil, one_hot=getattr(spec, "one_hot", False))


SPOILS = ["shape", "dtype", "nan", "inf", "list", "not one-hot", "empty", "ndim"]


def _array(draw, dims, spoil, one_hot=False, spoils=SPOILS):
    array = np.eye(2)[[0, 1]] if one_hot else np.full((2,) * len(dims), 0.25)
    if not spoil:
        return array
    spoilt = draw(st.sampled_from(spoils))
    if spoilt == "shape":
        return np.full((3,) + (2,) * (len(dims) - 1), 0.25)
    if spoilt == "dtype":
        return array.astype(draw(st.sampled_from([np.float32, np.int64])))
    if spoilt in ("nan", "inf"):
        array.flat[draw(st.integers(0, array.size - 1))] = np.nan if spoilt == "nan" else np.inf
        return array
    if spoilt == "list":
        return array.tolist()
    if spoilt == "not one-hot":
        return array * 0.5
    if spoilt == "empty":
        return np.empty((0,) * len(dims))
    return array[..., None]


def _declared_again(function):
    """``function``'s declaration run again, now: a new plan and a new generated fast path.

    (The catalogue's functions were declared when their modules were imported; declaring
    one again inside a test lets a test see the code that builds the checks, as well as
    the code that runs them.)"""
    return checked(function.__wrapped__, **function.checks)


def _outcome(function, *args, **kwargs):
    """What a call gives: ("value", result) or ("error", type, message)."""
    try:
        return ("value", function(*args, **kwargs))
    except (TypeError, ValueError) as error:
        return ("error", type(error), str(error))


def _same(a, b):
    """Bit-for-bit the same results (the same code ran on the same inputs)."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and _same(dataclasses.astuple(a), dataclasses.astuple(b))
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, type | str):
        return a == b
    return np.array_equal(a, b)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), equation_id=st.sampled_from(sorted(CATALOGUE)))
def test_a_declarations_fast_path_passes_only_what_its_checks_pass_unchanged(data, equation_id):
    """Whatever the generated fast path lets through, the generic checks let through too,
    and without converting anything: the body then sees exactly what was passed. Arguments
    that all fit take the fast path; a call gives the same result or the same error,
    positionally or by keyword, as the catalogue's function."""
    function = CATALOGUE[equation_id].function
    declared = _declared_again(function)
    fast = declared.fast_check
    if fast is None:
        assert function.fast_check is None
        return
    names = list(inspect.signature(function).parameters)
    spoilt = data.draw(st.sampled_from([None, *names]))
    args = tuple(_argument(data.draw, function.checks.get(name), name == spoilt) for name in names)
    outcome = _outcome(function, *args)
    assert _same(_outcome(declared, *args), outcome)
    assert _same(_outcome(declared, **dict(zip(names, args, strict=True))), outcome)
    if not fast(args):
        assert spoilt is not None, "the fast path refused arguments that all fit"
        return
    values = list(args)
    declared.check_arguments(values)
    assert all(value is arg for value, arg in zip(values, args, strict=True))


# --- Interval: a setting in [low, high) or >= low --------------------------------------------

from handbp.checks import Interval  # noqa: E402


def _scaled(X, mu):
    return mu * X


def _momentum_scaled():
    return checked(_scaled, X="e i", mu=Interval(0.0, 1.0, "momentum"))


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.999])
def test_an_interval_declared_passes_values_inside_both_ways(mu):
    scaled = _momentum_scaled()
    X = np.ones((2, 2))
    assert scaled.fast_check((X, mu))
    values = [X, mu]
    scaled.check_arguments(values)
    assert values[1] == mu


@pytest.mark.parametrize(
    ("mu", "error", "message"),
    [
        (1.0, ValueError, r"mu \(momentum\) must be in \[0, 1\), got 1.0"),
        (-0.5, ValueError, r"must be in \[0, 1\), got -0.5"),
        (float("nan"), ValueError, "must be finite"),
        (float("inf"), ValueError, "must be finite"),
        ("0.5", TypeError, "must be a real number"),
        (True, TypeError, "must be a real number"),
    ],
)
def test_an_interval_declared_refuses_values_outside_both_ways(mu, error, message):
    scaled = _momentum_scaled()
    X = np.ones((2, 2))
    assert not scaled.fast_check((X, mu))
    with pytest.raises(error, match=message):
        scaled(X, mu)


def _decayed(X, decay):
    return decay * X


def _weight_decayed():
    return checked(_decayed, X="e i", decay=Interval(0.0, label="weight decay"))


def test_an_interval_declared_without_upper_bound():
    decayed = _weight_decayed()
    X = np.ones((2, 2))
    assert decayed.fast_check((X, 3.0)) and decayed.fast_check((X, 0.0))
    for decay in (-1.0, float("inf"), float("nan")):
        assert not decayed.fast_check((X, decay))
    np.testing.assert_array_equal(decayed(X, 3), 3 * X)  # an int is taken as a float
    with pytest.raises(ValueError, match=r"decay \(weight decay\) must be at least 0, got -1"):
        decayed(X, -1)
    with pytest.raises(ValueError, match="must be finite"):
        decayed(X, float("inf"))


# --- Remembered facts: read-only arrays are checked once, changed ones again ------------------


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


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


# Found by mutation testing of handbp/checks/kinds.py: each kind built with its defaults,
# and every message naming the argument and what arrived.


def test_kinds_built_with_their_defaults():
    def f(a, b, rate, share, act):
        return a, b, rate, share, act

    f = checked(f, a=Array(), b=Array(), rate=Rate(), share=Interval(), act=Function())
    f(np.ones(2), np.ones(3), 0.1, 0.0, np.tanh)  # two unshaped arrays bind no dimension
    f(np.ones(2), np.ones(3), 0.1, 0.5, np.tanh)  # Interval() is [0, inf)
    with pytest.raises(ValueError, match=r"^rate must be"):  # no label, no "()"
        f(np.ones(2), np.ones(3), -1.0, 0.0, np.tanh)
    with pytest.raises(ValueError, match=r"^share must be at least 0, got -1"):
        f(np.ones(2), np.ones(3), 0.1, -1.0, np.tanh)
    with pytest.raises(TypeError, match=r"^act must be a function, got NoneType None$"):
        f(np.ones(2), np.ones(3), 0.1, 0.0, None)  # Function() is not optional


def test_bad_values_of_each_kind_say_what_arrived():
    def g(rows, i, labels, flags):
        return rows, i, labels, flags

    g = checked(g, rows=NumberRows("r i"), i=Index("i"), labels=OneHot("e k"), flags=Binary("e k"))
    good = {"rows": [[1.0, 2.0]], "i": 0, "labels": np.eye(2), "flags": np.ones((2, 2))}
    with pytest.raises(TypeError, match=r"^rows must be a list of lists of numbers, got str 'ab'$"):
        g(**{**good, "rows": "ab"})
    with pytest.raises(ValueError, match=r"^rows must hold at least one row$"):  # r: no name
        g(**{**good, "rows": []})
    with pytest.raises(TypeError, match=r"^i must be an integer index, got float 1.5$"):
        g(**{**good, "i": 1.5})
    with pytest.raises(ValueError, match=r"^labels\b"):
        g(**{**good, "labels": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"^flags\b"):
        g(**{**good, "flags": np.full((2, 2), 0.5)})


def test_a_forward_pass_field_of_the_wrong_kind_is_named():
    X, W1, W2, Y = np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)), np.eye(2)
    forward = network.feedforward(X, W1, W2)
    flat = network.Forward(
        forward.hidden_layer_inputs,
        forward.hidden_layer_outputs[0],  # a vector where a matrix belongs
        forward.output_layer_inputs,
        forward.output_layer_outputs,
    )
    with pytest.raises(
        ValueError, match=r"^forward.hidden_layer_outputs \(H_out\) must be a matrix"
    ):
        network.backpropagation(X, Y, W2, flat)
    with pytest.raises(
        TypeError,
        match=r"^forward must be a Forward \(the result of feedforward\) \(with \.\w+\), got int 3$",
    ):
        network.backpropagation(X, Y, W2, 3)


def test_fields_declared_here_name_what_the_object_must_be():
    def h(pair):
        return pair.a

    h = checked(h, pair=Fields("a pair of arrays", a=("A", "e i")))
    with pytest.raises(TypeError, match=r"^pair must be a pair of arrays \(with \.a\), got int 3$"):
        h(3)
