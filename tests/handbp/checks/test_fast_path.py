"""handbp.checks.boundary's generated fast path: what it lets through, and that it agrees
with the generic checks on every function of the catalogue."""

import dataclasses
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbp import network
from handbp.activations import sigmoid
from handbp.checks import (
    Fields,
    Function,
    Index,
    Number,
    checked,
)
from handbp.equations import CATALOGUE


def _thresholded(X, f, t):
    return X


def test_the_fast_path_of_optional_functions_and_numbers():
    """Only values that need no conversion take the fast path (an int threshold is
    converted to a float by the generic checks; a function not of handbp's is wrapped so
    that its results are checked)."""
    fast = checked(_thresholded, X="e i", f=Function(optional=True), t=Number()).fast_check
    X = np.ones((2, 2))
    assert fast((X, None, 1.0)) and fast((X, sigmoid, 1.0))
    assert not any(
        fast((X, f, t)) for f, t in [("x", 1.0), (None, np.nan), (None, 1), (np.negative, 1.0)]
    )


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


# --- the generated fast path agrees with the generic checks ---------------------------------

GOOD = {"Count": 2, "Index": 1, "Rate": 0.1, "Number": 2.0, "Function": sigmoid}


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
