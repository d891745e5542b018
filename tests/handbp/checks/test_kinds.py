"""handbp.checks.kinds: each kind of declared check (labels, optional arguments, numbers,
dtypes, fields, number lists, intervals), built with its defaults, and its messages."""

import numpy as np
import pytest

from handbp import network
from handbp.checks import (
    Array,
    Binary,
    DType,
    Fields,
    Function,
    Index,
    Interval,
    Matrix,
    Number,
    NumberRows,
    Numbers,
    OneHot,
    Probabilities,
    Rate,
    checked,
)


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


# --- Interval: a setting in [low, high) or >= low --------------------------------------------


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
