"""handbp.checks: declared checks at the boundary, run once, and the switch that turns them off."""

import numpy as np
import pytest

from handbp import network, unchecked
from handbp.checks import (
    Array,
    Count,
    Fields,
    Function,
    Index,
    NumberRows,
    Numbers,
    OneHot,
    Rate,
    as_float_array,
    checked,
    checks_enabled,
)
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
def _declared(A, B, Y, v, n, eta, row, f=np.negative):
    """Returns what the body received, to see the conversions."""
    return A, B, Y, v, n, eta, row, f, checks_enabled()


_declared = checked(
    _declared,
    A="r c",
    B="c s",
    Y=OneHot("r s"),
    v=Array(),
    n=Count(),
    eta=Rate("step"),
    row=Index("r"),
    f=Function(),
)


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
def test_each_kind_refuses_bad_input_naming_the_argument(changes, kind, message):
    with pytest.raises(kind, match=message):
        _declared(**_good(**changes))


def test_a_shape_message_names_what_each_dimension_counts():
    with pytest.raises(ValueError) as raised:
        network.feedforward(np.ones((3, 4)), np.ones((4, 2)), np.ones((5, 3)))
    message = str(raised.value)
    assert "W2.shape[0] is 5 but W1.shape[1] is 2" in message
    assert "hidden nodes (j)" in message
    assert "W1 (inputs i, hidden nodes j)" in message and "W2 (hidden nodes j" in message


def test_fields_checks_the_attributes_of_a_result_object():
    X, W1, W2 = np.ones((3, 4)), np.ones((4, 2)), np.ones((2, 3))
    Y = np.eye(3)
    forward = network.feedforward(X, W1, W2)
    with pytest.raises(TypeError, match=r"forward must be a Forward.*got NoneType"):
        network.backpropagation(X, Y, W2, None)
    with pytest.raises(ValueError, match=r"H_out.shape\[1\] is 2 but W2.shape\[0\] is 5"):
        network.backpropagation(X, Y, np.ones((5, 3)), forward)
    assert isinstance(Fields("x").check(forward, "forward"), network.Forward)


def test_number_lists_bind_their_lengths():
    def total(rows, w):
        return sum(x * y for row in rows for x, y in zip(row, w, strict=True))

    total = checked(total, rows=NumberRows("e i"), w=Numbers("i"))

    assert total([[1, 2]], [3, 4]) == pytest.approx(11.0)
    with pytest.raises(ValueError, match=r"w.shape\[0\] is 3 but rows.shape\[1\] is 2"):
        total([[1, 2]], [3, 4, 5])
    with pytest.raises(ValueError, match="rows of one length"):
        total([[1, 2], [3]], [3, 4])


def test_a_declaration_must_name_real_parameters():
    with pytest.raises(TypeError, match="names no parameter"):
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
        H_out, O_out = _array(draw, ("e", "j"), spoil), _array(draw, ("e", "k"), False)
        return network.Forward(H_out, H_out, O_out, O_out)
    return _array(draw, spec.dims or ("s",), spoil, one_hot=getattr(spec, "one_hot", False))


def _array(draw, dims, spoil, one_hot=False):
    array = np.eye(2)[[0, 1]] if one_hot else np.full((2,) * len(dims), 0.25)
    if not spoil:
        return array
    spoilt = draw(
        st.sampled_from(["shape", "dtype", "nan", "inf", "list", "not one-hot", "empty", "ndim"])
    )
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


@settings(max_examples=400, deadline=None)
@given(data=st.data(), equation_id=st.sampled_from(sorted(CATALOGUE)))
def test_the_fast_path_passes_only_what_the_checks_pass_unchanged(data, equation_id):
    """Whatever the generated fast path lets through, the generic checks let through too,
    and without converting anything: the body then sees exactly what was passed."""
    function = CATALOGUE[equation_id].function
    fast = function.fast_check
    if fast is None:
        return
    names = list(inspect.signature(function).parameters)
    spoilt = data.draw(st.sampled_from([None, *names]))
    args = tuple(_argument(data.draw, function.checks.get(name), name == spoilt) for name in names)
    if not fast(args):
        assert spoilt is not None, "the fast path refused arguments that all fit"
        return
    values = list(args)
    function.check_arguments(values)
    assert all(value is arg for value, arg in zip(values, args, strict=True))


# --- Interval: a setting in [low, high) or >= low --------------------------------------------

from handbp.checks import Interval  # noqa: E402


def _scaled(X, mu):
    return mu * X


_scaled = checked(_scaled, X="e i", mu=Interval(0.0, 1.0, "momentum"))


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.999])
def test_interval_passes_values_inside_both_ways(mu):
    X = np.ones((2, 2))
    assert _scaled.fast_check((X, mu))
    values = [X, mu]
    _scaled.check_arguments(values)
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
def test_interval_refuses_values_outside_both_ways(mu, error, message):
    X = np.ones((2, 2))
    assert not _scaled.fast_check((X, mu))
    with pytest.raises(error, match=message):
        _scaled(X, mu)


def _decayed(X, decay):
    return decay * X


_decayed = checked(_decayed, X="e i", decay=Interval(0.0, label="weight decay"))


def test_interval_without_upper_bound():
    X = np.ones((2, 2))
    assert _decayed.fast_check((X, 3.0)) and _decayed.fast_check((X, 0.0))
    for decay in (-1.0, float("inf"), float("nan")):
        assert not _decayed.fast_check((X, decay))
    np.testing.assert_array_equal(_decayed(X, 3), 3 * X)  # an int is taken as a float
    with pytest.raises(ValueError, match=r"decay \(weight decay\) must be at least 0, got -1"):
        _decayed(X, -1)
    with pytest.raises(ValueError, match="must be finite"):
        _decayed(X, float("inf"))


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
