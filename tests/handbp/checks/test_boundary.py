"""handbp.checks.boundary: ``checked`` runs a declaration's checks once, then the bare maths;
the switch that turns checks off; positional, keyword and extra arguments; the ``blas``
flag; and the listing a tutorial shows."""

import pickle

import numpy as np
import pytest

from handbp import network, unchecked
from handbp.checks import (
    Array,
    Count,
    Function,
    Index,
    Number,
    OneHot,
    Rate,
    call_unchecked,
    checked,
    checks_enabled,
)


def test_an_unpickled_array_shares_the_dtype_of_a_fresh_one():
    """Unpickling gives an equal float64 dtype that is another object."""
    W1 = pickle.loads(pickle.dumps(np.ones((3, 2))))
    assert W1.dtype is not np.dtype(np.float64)
    np.testing.assert_array_equal(network.hidden_layer_inputs(np.ones((1, 3)), W1), [[3.0, 3.0]])


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
