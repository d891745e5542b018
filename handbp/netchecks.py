"""Chapter 2's checks at the boundary: a net's description, and data that must fit it.

:class:`handbp.nn.Net` checks its description when it is made; every pass checks its
arrays against the net once (:func:`check`) and then runs the equations unchecked. The
shape rules are the widths': layer l's weights are widths[layer - 1] x widths[layer], its bias a
vector of widths[layer] entries. Every error names the argument, what was expected and what
arrived; nothing is broadcast.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from handbp.checks import (
    as_float_array,
    binary,
    describe,
    finite_real,
    known_finite,
    one_hot,
    positive_int,
)
from handbp.layers import ACTIVATIONS
from handbp.losses import LOSSES

MAX_ENTRIES = np.iinfo(np.intp).max // 8
"""The most entries a float64 array can have (its size in bytes must be an ``intp``)."""


def check_spec(
    widths: Any, activations: Any, loss: Any, biases: Any
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Check a net's description; return its widths and one activation name per layer."""
    if isinstance(widths, str | bytes) or not isinstance(widths, Sequence):
        raise TypeError(f"widths must be a sequence of layer widths, got {describe(widths)}")
    if len(widths) < 2:
        raise ValueError(
            f"widths must name the inputs and at least one layer (e.g. (4, 3)), got {list(widths)}"
        )
    sizes = tuple(positive_int(w, f"widths[{i}]") for i, w in enumerate(widths))
    depth = len(sizes) - 1
    for layer, (m, n) in enumerate(itertools.pairwise(sizes), start=1):
        if m * n > MAX_ENTRIES:
            raise ValueError(
                f"widths {list(sizes)} are too large: W{layer} would have {m} x {n} entries, "
                f"more than any array can hold ({MAX_ENTRIES})"
            )
    names = (activations,) * depth if isinstance(activations, str) else activations
    if not isinstance(names, Sequence) or len(names) != depth:
        raise ValueError(
            f"activations must be one name or one per layer ({depth} for widths {sizes}), "
            f"got {activations!r}"
        )
    for layer, name in enumerate(names, start=1):
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise ValueError(
                f"activations[{layer - 1}] (layer {layer}) must be one of {', '.join(ACTIVATIONS)}, "
                f"got {name!r}"
            )
        if name == "softmax" and layer < depth:
            raise ValueError(
                f"softmax is only allowed in the output layer (layer {depth}), got it in layer {layer}"
            )
    if names[-1] == "softmax" and sizes[-1] < 2:
        raise ValueError("a softmax output layer needs at least 2 nodes (over 1 it is always 1)")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")
    needs = LOSSES[loss].output
    if needs is not None and names[-1] != needs:
        raise ValueError(
            f"loss {loss!r} needs a {needs} output layer (it takes "
            f"{'a distribution over classes' if needs == 'softmax' else 'probabilities'}), "
            f"got {names[-1]!r}"
        )
    flag(biases, "biases")
    return sizes, tuple(names)


def flag(value: Any, name: str) -> bool:
    """Return ``value`` as a bool if it is True or False (NumPy's too), or raise naming ``name``."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def check_flags(options: dict[str, Any]) -> dict[str, bool]:
    """Check the keyword switches of a pass (``staged``, ``input_error``): each True or False."""
    return {name: flag(value, name) for name, value in options.items()}


def _rows(name: str, array: np.ndarray, rows: list[tuple[str, int]]) -> None:
    if rows and array.shape[0] != rows[0][1]:
        first, count = rows[0]
        raise ValueError(
            f"{name} has {array.shape[0]} rows but {first} has {count}: one row per example"
        )
    rows.append((name, array.shape[0]))


def _layers(net: Any, value: Any, name: str, arrays: list) -> Any:
    """Check ``value`` as Params of ``net`` (weights, biases); return it with arrays."""
    weights = getattr(value, "weights", None)
    if (
        not hasattr(value, "biases")
        or isinstance(weights, str)
        or not isinstance(weights, Sequence)
    ):
        raise TypeError(
            f"{name} must be a Params (with .weights and .biases), got {describe(value)}"
        )
    if len(weights) != net.depth:
        raise ValueError(
            f"{name}.weights must hold {net.depth} matrices (one per layer of {net.widths}), "
            f"got {len(weights)}"
        )
    checked_weights = []
    for layer, W in enumerate(weights, start=1):
        label = f"{name}.weights[{layer - 1}] (W{layer})"
        W = as_float_array(W, label, ndim=2)
        expected = (net.widths[layer - 1], net.widths[layer])
        if W.shape != expected:
            raise ValueError(
                f"{label} must have shape {expected} (nodes of layer {layer - 1} x nodes of "
                f"layer {layer}), got {W.shape}"
            )
        arrays.append((label, W))
        checked_weights.append(W)
    biases = value.biases
    if not net.biases:
        if biases is not None:
            raise ValueError(f"{name}.biases must be None: the net has no biases (biases=False)")
        if all(a is b for a, b in zip(checked_weights, weights, strict=True)):
            return value
        return type(value)(tuple(checked_weights), None)
    if biases is None or isinstance(biases, str) or not isinstance(biases, Sequence):
        raise TypeError(
            f"{name}.biases must be one vector per layer (the net has biases), got "
            f"{describe(biases)}"
        )
    if len(biases) != net.depth:
        raise ValueError(f"{name}.biases must hold {net.depth} vectors, got {len(biases)}")
    checked_biases = []
    for layer, b in enumerate(biases, start=1):
        label = f"{name}.biases[{layer - 1}] (b{layer})"
        b = as_float_array(b, label)
        if b.shape != (net.widths[layer],):
            raise ValueError(
                f"{label} must be a vector of shape ({net.widths[layer]},) (one entry per node "
                f"of layer {layer}), got shape {b.shape}; nothing is broadcast"
            )
        arrays.append((label, b))
        checked_biases.append(b)
    if all(
        a is b
        for a, b in zip((*checked_weights, *checked_biases), (*weights, *biases), strict=True)
    ):
        return value
    return type(value)(tuple(checked_weights), tuple(checked_biases))


def _forward(net: Any, value: Any, arrays: list, rows: list, fields: tuple[str, ...]) -> Any:
    for field in fields:
        quantities = getattr(value, field, None)
        if isinstance(quantities, str) or not isinstance(quantities, Sequence):
            raise TypeError(f"forward must be a NetForward (with .{field}), got {describe(value)}")
        if len(quantities) != net.depth:
            raise ValueError(
                f"forward.{field} must hold {net.depth} matrices, got {len(quantities)}"
            )
        for layer, array in enumerate(quantities, start=1):
            label = (
                f"forward.{field}[{layer - 1}] ({'Z' if field == 'layer_l_inputs' else 'A'}{layer})"
            )
            array = as_float_array(array, label, ndim=2)
            if array.shape[1] != net.widths[layer]:
                raise ValueError(
                    f"{label} must have {net.widths[layer]} columns (nodes of layer {layer}), got "
                    f"shape {array.shape}"
                )
            _rows(label, array, rows)
            arrays.append((label, array))
    return value


_EXAMPLES = -1  # in an expected shape: one row per example, as many as X's


def _expected(net: Any, given: dict[str, Any], forward_fields: tuple[str, ...]) -> list | None:
    """The arrays of ``given`` with the shape each must have, or None where the containers
    themselves are not the plain ones (tuples of the right length)."""
    widths, depth = net.widths, len(net.widths) - 1
    expected = []
    for name, value in given.items():
        if name == "X":
            expected.append((value, (_EXAMPLES, widths[0])))
        elif name == "Y":
            expected.append((value, (_EXAMPLES, widths[-1])))
        elif name == "params" or name == "gradients":
            weights, biases = getattr(value, "weights", None), getattr(value, "biases", False)
            if type(weights) is not tuple or len(weights) != depth:
                return None
            expected += zip(weights, itertools.pairwise(widths), strict=True)
            if net.biases:
                if type(biases) is not tuple or len(biases) != depth:
                    return None
                expected += ((b, (n,)) for b, n in zip(biases, widths[1:], strict=True))
            elif biases is not None:
                return None
        elif name == "forward":
            for field in forward_fields:
                quantities = getattr(value, field, None)
                if type(quantities) is not tuple or len(quantities) != depth:
                    return None
                expected += (
                    (A, (_EXAMPLES, n)) for A, n in zip(quantities, widths[1:], strict=True)
                )
    return expected


def _passes(net: Any, given: dict[str, Any], forward_fields: tuple[str, ...]) -> bool:
    """Whether every argument passes :func:`check` unchanged (the common call), in
    straight-line code; anything else goes to the checks that word the errors."""
    expected = _expected(net, given, forward_fields)
    if not expected:
        return expected is not None and "eta" in given and _rate(given["eta"])
    dtype = expected[0][0].dtype if type(expected[0][0]) is np.ndarray else None
    if dtype is None or dtype.char not in "fd":
        return False
    labels = LOSSES[net.loss].labels if "Y" in given else None
    # labels checked one-hot or binary are 0s and 1s: finite without a look of their own
    labelled = given["Y"] if labels in ("one-hot", "binary") else None
    examples = _EXAMPLES
    for array, shape in expected:
        if type(array) is not np.ndarray or array.dtype is not dtype:
            return False
        if shape[0] == _EXAMPLES:
            if array.ndim != 2 or array.shape[1] != shape[1]:
                return False
            if examples == _EXAMPLES:
                examples = array.shape[0]
            elif array.shape[0] != examples:
                return False
        elif array.shape != shape:
            return False
        if not (array.size and (array is labelled or known_finite(array))):
            return False
    if "eta" in given and not _rate(given["eta"]):
        return False
    try:
        if labels == "one-hot":
            one_hot(given["Y"], "Y")
        elif labels == "binary":
            binary(given["Y"], "Y")
    except ValueError:
        return False
    return True


def _rate(eta: Any) -> bool:
    return type(eta) is float and math.isfinite(eta) and eta > 0


def check(
    net: Any,
    given: dict[str, Any],
    forward_fields: tuple[str, ...] = ("layer_l_inputs", "layer_l_outputs"),
) -> dict[str, Any]:
    """Check the arrays of one call against ``net``; return them converted.

    Names: ``X``, ``Y``, ``params``, ``gradients``, ``forward`` (its ``forward_fields``,
    the ones the call reads), ``eta``. Arguments that pass unchanged come back as
    ``given`` itself.
    """
    if _passes(net, given, forward_fields):
        return given
    arrays: list[tuple[str, np.ndarray]] = []
    rows: list[tuple[str, int]] = []
    result = dict(given)
    if "X" in given:
        X = result["X"] = as_float_array(given["X"], "X", ndim=2)
        if X.shape[1] != net.widths[0]:
            raise ValueError(
                f"X must have {net.widths[0]} columns (the net's inputs, widths[0]), got "
                f"shape {X.shape}"
            )
        arrays.append(("X", X))
        _rows("X", X, rows)
    if "Y" in given:
        Y = result["Y"] = as_float_array(given["Y"], "Y", ndim=2)
        if Y.shape[1] != net.widths[-1]:
            raise ValueError(
                f"Y must have {net.widths[-1]} columns (the output layer's nodes), got "
                f"shape {Y.shape}"
            )
        arrays.append(("Y", Y))
        _rows("Y", Y, rows)
        labels = LOSSES[net.loss].labels
        if labels == "one-hot":
            one_hot(Y, "Y")
        elif labels == "binary":
            binary(Y, "Y")
    for name in ("params", "gradients"):
        if name in given:
            result[name] = _layers(net, given[name], name, arrays)
    if "forward" in given:
        _forward(net, given["forward"], arrays, rows, forward_fields)
    if "eta" in given:
        result["eta"] = finite_real(given["eta"], "eta (learning rate)", positive=True)
    dtypes = {array.dtype for _, array in arrays}
    if len(dtypes) > 1:
        listed = ", ".join(f"{label} is {array.dtype}" for label, array in arrays)
        raise TypeError(
            f"arrays must share one float dtype, got {listed}; cast explicitly with .astype()"
        )
    return result


__all__ = ["check", "check_flags", "check_spec", "flag"]
