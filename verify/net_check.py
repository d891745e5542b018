r"""A whole general net, node by node: a learner's backward pass of a :class:`handbp.nn.Net`
checked quantity by quantity against JAX, with the first wrong one named.

The learner's backward is called as ``backward(net, X, Y, params, forward)`` - ``net`` a
:class:`handbp.nn.Net`, ``params`` its :class:`~handbp.nn.Params`, ``forward`` the
:class:`~handbp.nn.NetForward` of ``X`` (every array a private, writable copy) - and
returns what :meth:`handbp.nn.Net.backward` returns, in its conventions: a
:class:`~handbp.nn.NetBackward`, or any object or mapping with its fields
``layer_l_error``, ``layer_l_delta``, ``weights_l_update``, ``bias_l_update`` (one entry
per layer 1..L) and, optionally, ``input_error``::

    E_l = N dC/dA_l    D_l = N dC/dZ_l    dW_l = dC/dW_l = A_{l-1}^T D_l / N    db_l = dC/db_l

An error or delta may be None (not checked: a fused output's E_L, say); every weight
gradient (and bias gradient, with biases) must be there. See :func:`check_net`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from handbp.nn import Net, NetForward, Params
from verify.compare import as_compared_array, dtype_name
from verify.learner import LearnerRaised, guarded
from verify.net_diagnose import Context, diagnose
from verify.net_reference import kind_and_layer, order, references
from verify.net_table import NetReport, Row

FIELDS = {
    "E": "layer_l_error",
    "D": "layer_l_delta",
    "dW": "weights_l_update",
    "db": "bias_l_update",
}
"""The :class:`~handbp.nn.NetBackward` field of each kind of quantity."""

SIGNATURE = "(net, X, Y, params, forward)"

NET_TOLERANCES: dict[str, float] = {"float64": 1e-9, "float32": 1e-4}
"""Accepted error of a quantity relative to its scale (max |JAX|), per dtype. Correct
passes on the corpus' nets stay below 1e-15 and 4e-7 (tests/verify/test_net_check.py
measures it); a mistake changes a quantity by far more (a wrong step of eta dW: ~1e-3)."""


def field_of(name: str) -> str:
    """``"dW2"`` -> ``"weights_l_update[1]"``; ``"E0"`` -> ``"input_error"``."""
    kind, layer = kind_and_layer(name)
    return "input_error" if name == "E0" else f"{FIELDS[kind]}[{layer - 1}]"


def expected_shape(net: Net, name: str, examples: int) -> tuple[int, ...]:
    kind, layer = kind_and_layer(name)
    if kind == "dW":
        return (net.widths[layer - 1], net.widths[layer])
    if kind == "db":
        return (net.widths[layer],)
    return (examples, net.widths[layer])


def _field(result: Any, name: str) -> Any:
    if isinstance(result, Mapping):
        return result.get(name)
    return getattr(result, name, None)


def returned_values(result: Any, net: Net) -> dict[str, Any]:
    """The learner's values by quantity name (None where it returned None)."""
    L = net.depth
    if result is None or isinstance(result, np.ndarray | tuple | list):
        raise TypeError(
            "return a handbp.nn.NetBackward (or an object or dict with its fields "
            "layer_l_error, layer_l_delta, weights_l_update, bias_l_update), got "
            f"{type(result).__name__}"
        )
    values: dict[str, Any] = {"E0": _field(result, "input_error")}
    for kind, field in FIELDS.items():
        entries = _field(result, field)
        if entries is None:
            if kind in ("dW",) or (kind == "db" and net.biases):
                keys = (
                    f" (its keys: {', '.join(repr(k) for k in list(result)[:10]) or 'none'})"
                    if isinstance(result, Mapping)
                    else ""
                )
                raise TypeError(f"its {field} is missing: one entry per layer 1..{L}{keys}")
            entries = (None,) * L
        if isinstance(entries, np.ndarray) or len(entries) != L:
            got = "an array" if isinstance(entries, np.ndarray) else f"{len(entries)} entries"
            raise TypeError(f"its {field} must have one entry per layer 1..{L}, got {got}")
        for layer, value in enumerate(entries, start=1):
            if value is None and kind == "dW":
                raise TypeError(f"its {field}[{layer - 1}] is None")
            values[f"{kind}{layer}"] = value
    return values


@dataclass(frozen=True)
class _Inputs:
    """One draw: the checker's read-only arrays, and the learner's private copies."""

    X: np.ndarray
    Y: np.ndarray
    params: Params
    forward: NetForward

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"X": self.X, "Y": self.Y}
        out.update({f"params.weights[{i}]": W for i, W in enumerate(self.params.weights)})
        out.update({f"params.biases[{i}]": b for i, b in enumerate(self.params.biases or ())})
        out.update(
            {f"forward.layer_l_inputs[{i}]": Z for i, Z in enumerate(self.forward.layer_l_inputs)}
        )
        out.update(
            {f"forward.layer_l_outputs[{i}]": A for i, A in enumerate(self.forward.layer_l_outputs)}
        )
        return out

    def copy(self) -> _Inputs:
        def c(a: np.ndarray) -> np.ndarray:
            return np.array(a, copy=True)

        p = self.params
        return _Inputs(
            c(self.X),
            c(self.Y),
            Params(tuple(map(c, p.weights)), None if p.biases is None else tuple(map(c, p.biases))),
            NetForward(
                tuple(map(c, self.forward.layer_l_inputs)),
                tuple(map(c, self.forward.layer_l_outputs)),
            ),
        )


def _draws(net: Net, dtype: str, examples: int, seed: int, draws: int, data: Any) -> list[_Inputs]:
    from verify.general.whole import random_case

    cases = []
    if data is not None:  # the caller's arrays are copied, never frozen or changed
        if not (isinstance(data, tuple) and len(data) == 3 and isinstance(data[2], Params)):
            raise TypeError(
                f"data must be a tuple (X, Y, params) with params a handbp.nn.Params, got {data!r:.80}"
            )
        X, Y, p = data

        def own(a: Any) -> np.ndarray:
            return np.array(a, dtype=dtype, copy=True)

        biases = None if p.biases is None else tuple(map(own, p.biases))
        cases.append((own(X), own(Y), Params(tuple(map(own, p.weights)), biases)))
    else:
        for k in range(draws):
            _, X, Y, params = random_case(
                net.widths, net.activations, net.loss, net.biases, examples, dtype, seed + k
            )
            cases.append((X, Y, params))
    out = []
    for X, Y, params in cases:
        forward = net.forward(X, params)
        for a in (
            X,
            Y,
            *params.weights,
            *(params.biases or ()),
            *forward.layer_l_inputs,
            *forward.layer_l_outputs,
        ):
            a.setflags(write=False)
        out.append(_Inputs(X, Y, params, forward))
    return out


def _measure(hand: np.ndarray, reference: np.ndarray) -> tuple[float, float, tuple[int, ...]]:
    diff = np.abs(hand - reference)
    diff = np.where(np.isnan(diff), np.inf, diff)
    if not diff.size:
        return 0.0, 0.0, ()
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    scale = float(np.max(np.abs(reference)))
    error = float(diff[worst])
    return error, (error / scale if scale > 0 else (0.0 if error == 0 else np.inf)), worst


def check_net(
    backward: Callable[..., Any],
    net: Net,
    dtype: DTypeLike = "float64",
    *,
    examples: int | None = None,
    seed: int = 0,
    draws: int = 2,
    data: tuple[Any, Any, Params] | None = None,
) -> NetReport:
    """Check a learner's ``backward(net, X, Y, params, forward)`` of ``net`` against JAX.

    Every quantity (errors, deltas, weight and bias gradients, the input error if
    returned) is compared with JAX's gradient (absolute) and with one chain-rule step
    from the learner's own upstream value (local); the first quantity wrong locally is
    where the mistake is, later ones are marked as following from it. ``draws`` random
    batches of ``examples`` rows (default: a few more than the widest layer, so that the
    weights a wrong error was propagated through can be fitted) and non-degenerate
    parameters, or the given ``data = (X, Y, params)``. Tolerances: the largest error
    relative to the quantity's largest entry, 1e-9 in float64, 1e-4 in float32
    (:data:`NET_TOLERANCES`).
    """
    if not isinstance(net, Net):
        raise TypeError(f"net must be a handbp.nn.Net, got {type(net).__name__}")
    name = dtype_name(dtype)
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if examples is None:
        examples = min(max(net.widths[1:]) + 3, 64)
    if examples < 1:
        raise ValueError(f"examples must be at least 1, got {examples}")
    learner = guarded(backward, SIGNATURE)
    names = order(net.depth)
    rows: dict[str, list[Row]] = {n: [] for n in names}
    notes: list[str] = []
    for index, inputs in enumerate(_draws(net, name, examples, seed, draws, data)):
        mine_inputs = inputs.copy()
        try:
            result = learner(
                net, mine_inputs.X, mine_inputs.Y, mine_inputs.params, mine_inputs.forward
            )
            raw = returned_values(result, net)
        except LearnerRaised as raised:
            return NetReport(net, name, {}, f"your backward raised {raised}")
        except TypeError as error:
            return NetReport(net, name, {}, f"your backward's result: {error}")
        changed = {
            k: after
            for (k, before), after in zip(
                inputs.arrays().items(), mine_inputs.arrays().values(), strict=True
            )
            if not np.array_equal(before, after, equal_nan=True)
        }
        for k in changed:
            note = f"note: your backward changed its input {k} in place"
            if note not in notes:
                notes.append(note)
        try:
            mine = {n: as_compared_array(v, field_of(n)) for n, v in raw.items() if v is not None}
        except (TypeError, ValueError) as error:
            return NetReport(net, name, {}, f"your backward's result: {error}")
        e = inputs.X.shape[0]
        fitting = {n: v for n, v in mine.items() if v.shape == expected_shape(net, n, e)}
        refs = references(
            net, inputs.X, inputs.Y, inputs.params.weights, inputs.params.biases, fitting
        )
        handbp = net.backward(
            inputs.X,
            inputs.Y,
            inputs.params,
            inputs.forward,
            input_error=True,
            staged=net.fused and mine.get(f"E{net.depth}") is not None,
        )
        ours = returned_values(handbp, net)
        context = Context(net, inputs.X, inputs.Y, inputs.params, refs, mine, raw, changed, name)
        for n in names:
            if n not in refs.absolute:
                continue
            if n not in mine:
                rows[n].append(Row(n, field_of(n), index, "-", None))
                continue
            rows[n].append(_row(n, index, mine[n], ours.get(n), refs, context, name))
    return NetReport(net, name, rows, notes=tuple(notes))


def _row(
    n: str, index: int, hand: np.ndarray, ours: Any, refs: Any, context: Context, dtype: str
) -> Row:
    absolute, local = refs.absolute[n], refs.local.get(n)
    exact = ours is not None and np.array_equal(hand, np.asarray(ours))
    if hand.shape != absolute.shape:
        found = diagnose(n, context)
        return Row(n, field_of(n), index, "WRONG", found, shape=hand.shape, expected=absolute.shape)
    error, relative, worst = _measure(hand, absolute)
    tolerance = NET_TOLERANCES[dtype]
    if relative <= tolerance and np.all(np.isfinite(hand)):
        return Row(n, field_of(n), index, "ok", None, exact, error, relative, worst)
    local_relative = _measure(hand, local)[1] if local is not None else np.inf
    if local_relative <= tolerance and np.all(np.isfinite(hand)):
        return Row(n, field_of(n), index, "follows", None, exact, error, relative, worst)
    return Row(n, field_of(n), index, "WRONG", diagnose(n, context), exact, error, relative, worst)


def assert_net(backward: Callable[..., Any], net: Net, **options: Any) -> NetReport:
    """:func:`check_net`, raising ``AssertionError`` with the table if it fails."""
    report = check_net(backward, net, **options)
    if not report.passed:
        raise AssertionError(str(report))
    return report
