"""Input checks at the boundary: declared next to each equation function, run once.

An equation function's body is the slide line; what its arguments must be is declared
right below it, in the series' notation::

    def hidden_layer_inputs(X, W1):
        return X @ W1
    hidden_layer_inputs = checked(hidden_layer_inputs, X="e i", W1="i j")

``"e i"`` reads "a float matrix of shape (examples, inputs)": every letter names a
dimension (:data:`DIMENSIONS`), and a letter that two arguments share must have one
size in both. This is the one home of the shape rules: "W1's columns must match W2's
rows" is ``W1="i j", W2="j k"``, nothing more.

When a user calls a checked function, its arguments are checked and converted (lists
become float64 arrays), and then the body runs with checks switched off, so the
functions it calls in turn (``feedforward`` calls ``hidden_layer_inputs`` ...) run their
bare maths and pay nothing for checks already passed. :func:`unchecked` switches the
checks off for a whole block, for a loop whose inputs are known to be sound.

Every failed check raises a ``TypeError`` or ``ValueError`` whose message names the
argument, what was expected and what arrived.
"""

from handbp.checks.boundary import call_unchecked, checked, checks_enabled, unchecked
from handbp.checks.kinds import (
    DIMENSIONS,
    Array,
    Binary,
    Count,
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
    Spec,
)
from handbp.checks.values import (
    FLOAT_DTYPES,
    SEED_LIMIT,
    as_float_array,
    binary,
    check_seed,
    describe,
    file_path,
    finite_real,
    float_dtype,
    index,
    known_finite,
    numbers,
    one_hot,
    positive_int,
    probabilities,
)

__all__ = [
    "DIMENSIONS",
    "FLOAT_DTYPES",
    "SEED_LIMIT",
    "Array",
    "Binary",
    "Count",
    "DType",
    "Fields",
    "Function",
    "Index",
    "Interval",
    "Matrix",
    "Number",
    "NumberRows",
    "Numbers",
    "OneHot",
    "Probabilities",
    "Rate",
    "Spec",
    "as_float_array",
    "binary",
    "call_unchecked",
    "check_seed",
    "checked",
    "checks_enabled",
    "describe",
    "file_path",
    "finite_real",
    "float_dtype",
    "index",
    "known_finite",
    "numbers",
    "one_hot",
    "positive_int",
    "probabilities",
    "unchecked",
]
