"""Chapter 2's whole net against JAX, and :func:`check_all` (see :mod:`verify.general`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import jax.flatten_util
import jax.numpy as jnp
import numpy as np

from handbp import netchecks
from handbp.equations import BEYOND
from handbp.initialisation import glorot_uniform, he_normal
from handbp.nn import Net, Params, parameters_update
from verify._jax import jax
from verify.general.core import (
    DIRECTIONS,
    KINK_MARGIN,
    NOT_DIFFERENTIABLE,
    Batch,
    Result,
    as_float64,
    count,
    forward,
    kink_distance,
    loss_terms,
    richardson,
)
from verify.general.equations import layer_checks, probe_checks


def net_checks(net, X, Y, params, rng, results, batch: Batch, eta: float = 0.1) -> None:
    dtype = X.dtype
    forward_hand = net.forward(X, params)
    backward = net.backward(X, Y, params, forward_hand, input_error=True)
    L, N, e = net.depth, count(net.loss, Y), X.shape[0]
    x, y = batch.arg(X), batch.arg(Y)
    ws = [batch.arg(W) for W in params.weights]
    bs = None if params.biases is None else [batch.arg(b) for b in params.biases]

    def unpack(inp):
        return [inp[w] for w in ws], None if bs is None else [inp[b] for b in bs]

    def terms(inp, Ws, Bs, dZ, dA):
        Zs, As = forward(net.activations, inp[x], Ws, Bs, dZ, dA)
        return loss_terms(net.loss, As[-1], Zs[-1], inp[y], net.fused)

    def zeros():
        """No perturbation of any Z_l (l = 1 .. L) or A_l (l = 0 .. L)."""
        return [jnp.zeros((e, n)) for n in net.widths[1:]], [jnp.zeros((e, n)) for n in net.widths]

    @batch.shared
    def every_layer(inp):
        Zs, As = forward(net.activations, inp[x], *unpack(inp))
        return [*Zs, *As]

    for layer, hand in enumerate((*forward_hand.layer_l_inputs, *forward_hand.layer_l_outputs)):
        batch.value(
            results["feedforward_net"],
            hand,
            dtype,
            lambda inp, layer=layer: every_layer(inp)[layer],
        )
    result = results["backpropagation_net"]
    # E_l (l = 0 .. L - 1; E_L too when the output is not fused) and D_l, elementwise, as
    # one map of all intermediates side by side (each has one row per example)
    widths = [net.widths[0], *net.widths[1:], *net.widths[1:]]  # A_0 .. A_L, Z_1 .. Z_L
    edges = np.cumsum(widths)[:-1].tolist()

    def of_intermediates(inp):
        def f(M):
            parts = jnp.split(M, edges, axis=1)
            return terms(inp, *unpack(inp), parts[L + 1 :], parts[: L + 1])[:, None]

        return f

    reference = batch.vjp(
        of_intermediates,
        lambda inp: jnp.zeros((e, sum(widths))),
        lambda inp: jnp.full((e, 1), float(N)),
        group="intermediates",
    )
    hands = [backward.input_error, *backward.layer_l_error, *backward.layer_l_delta]
    for index, hand in enumerate(hands):
        if hand is None:  # E_L of a fused output
            continue
        start, stop = ([0, *edges][index], [*edges, sum(widths)][index])

        def piece(inp, start=start, stop=stop):
            refs, noise, _ = reference(inp)
            return {m: r[:, start:stop] for m, r in refs.items()}, noise[:, start:stop], None

        batch.check(result, hand, dtype, piece)

    # the parameter gradients: reverse elementwise, forward and differences along directions
    hand = flat(backward.weights_l_update, backward.gradients.biases)
    after = parameters_update(net, params, backward.gradients, eta)
    steps = (flat(params.weights, params.biases) - flat(after.weights, after.biases)) / eta
    directions = rng.normal(size=(DIRECTIONS, hand.size))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    t = batch.arg(directions)

    @batch.shared
    def parameter_references(inp):
        dZ0, dA0 = zeros()
        theta = unpack(inp)
        flat, unravel = jax.flatten_util.ravel_pytree(theta)
        f = lambda v: jnp.sum(terms(inp, *unravel(v), dZ0, dA0))  # noqa: E731
        _, linear = jax.linearize(f, flat)  # forward mode, traced once
        forward_mode = jax.vmap(linear)(inp[t])
        (gradient,) = jax.linear_transpose(linear, flat)(1.0)  # reverse mode
        differences, noise = richardson(f, flat, inp[t])
        return gradient, forward_mode, differences, noise, flat

    for target, flat_hand, extra in [
        (result, np.asarray(hand), 0.0),
        (results["parameters_update"], steps, 1.0),
    ]:
        projected = directions @ flat_hand
        h = batch.arg(flat_hand)  # an input, not a constant: the compiled code is the same

        def reverse(inp, extra=extra):
            gradient, _, _, _, flat = parameter_references(inp)
            return {"reverse": gradient}, None, jnp.abs(gradient) + extra * jnp.abs(flat) / eta

        def along(inp, extra=extra, h=h):
            _, forward_mode, differences, noise, flat = parameter_references(inp)
            M = jnp.abs(inp[t]) @ (jnp.abs(inp[h]) + extra * jnp.abs(flat) / eta)
            return {"forward": forward_mode, "finite_differences": differences}, noise, M

        batch.check(target, flat_hand, dtype, reverse)
        batch.check(target, projected, dtype, along)


def flat(weights, biases) -> np.ndarray:
    """Weights then biases, each flattened, in float64: ``jax.flatten_util.ravel_pytree``'s
    order, computed in NumPy (eager JAX would compile each operation)."""
    arrays = [*weights, *(biases or ())]
    return np.concatenate([as_float64(a).ravel() for a in arrays])


def initialisation_checks(results, dtype, seed: int) -> None:
    """The variance of a large draw within 5 standard errors of 2/(m + n) resp. 2/m."""
    m, n = 256, 128
    for equation_id, draw, variance, kurtosis in [
        ("glorot_uniform", glorot_uniform, 2 / (m + n), 1.8),
        ("he_normal", he_normal, 2 / m, 3.0),
    ]:
        sample = draw(m, n, seed, dtype).astype(np.float64)
        error = abs(float(sample.var()) - variance)
        result = results[equation_id]
        result.errors["value"] = error / variance
        result.passed &= bool(error <= 5 * variance * np.sqrt((kurtosis - 1) / sample.size))


def register_case(
    net: Net, X, Y, params: Params, seed: int, results, batch: Batch, probes: bool = True
) -> None:
    """Register every check of one net and batch in ``batch`` (folded into ``results``):
    each layer's equations, the whole net's and, with ``probes``, the activations' and
    losses' on probe points of the batch's shape (:func:`check_case`)."""
    if not isinstance(net, Net):
        raise TypeError(f"net must be a handbp.nn.Net, got {type(net).__name__}")
    checked = netchecks.check(net, {"X": X, "Y": Y, "params": params})
    X, Y, params = checked["X"], checked["Y"], checked["params"]
    distance = kink_distance(net, X, params)
    if distance < KINK_MARGIN:
        raise ValueError(
            f"a ReLU pre-activation is {distance:.3g} from the kink at 0 (less than "
            f"{KINK_MARGIN:g}): its derivative is not defined there; move the parameters"
        )
    rng = np.random.default_rng(seed)
    layer_checks(net, X, Y, params, rng, results, batch)
    if probes:
        shape = (X.shape[0], max(2, net.widths[-1]))
        probe_checks(shape, X.dtype, rng, results, batch)
    net_checks(net, X, Y, params, rng, results, batch)


def check_case(net: Net, X, Y, params: Params, seed: int = 0) -> dict[str, Result]:
    """Every chapter 2 id with a JAX reference, on one net and batch (handbp's dtype).

    ``seed`` draws the random upstream gradients, probe points and directions. A net
    with a ReLU pre-activation within :data:`KINK_MARGIN` of 0 is refused: there the
    derivative does not exist and finite differences measure neither side.
    """
    results = {i: Result(i) for i in BEYOND if i not in NOT_DIFFERENTIABLE}
    batch = Batch()
    register_case(net, X, Y, params, seed, results, batch)
    batch.run()
    return results


CHECK_NETS: tuple[tuple[tuple[int, ...], tuple[str, ...], str, bool, int], ...] = (
    ((4, 8, 6, 3), ("relu", "relu", "softmax"), "cross_entropy", True, 16),
    ((5, 7, 4), ("tanh", "sigmoid"), "binary_cross_entropy", True, 1),
    ((3, 6, 5, 4, 2), ("leaky_relu", "sigmoid", "tanh", "relu"), "mse", False, 9),
)
"""The nets of :func:`check_all`: every activation and loss, biases on and off, depth 2
to 4, a batch of one example. (The series' 4-2-3 net is chapter 1's, and the general
code gives its numbers bit for bit: tests/handbp/test_nn.py.)"""


def random_case(widths, names, loss, biases, examples, dtype, seed):
    """A net with non-degenerate parameters (nonzero biases, Glorot-scaled weights), a
    batch that fits its loss, ReLU pre-activations away from the kink, and a nonzero
    gradient for every weight matrix."""
    net = Net(widths, names, loss=loss, biases=biases)
    for attempt in range(100):
        rng = np.random.default_rng([seed, attempt])
        X = rng.normal(size=(examples, widths[0])).astype(dtype)
        weights = tuple(
            (rng.normal(size=(m, n)) * np.sqrt(2 / (m + n))).astype(dtype)
            for m, n in itertools.pairwise(widths)
        )
        bs = tuple((0.1 * rng.normal(size=n)).astype(dtype) for n in widths[1:])
        params = Params(weights, bs if biases else None)
        k = widths[-1]
        if loss == "cross_entropy":
            Y = np.eye(k, dtype=dtype)[rng.integers(0, k, examples)]
        elif loss == "binary_cross_entropy":
            Y = rng.integers(0, 2, (examples, k)).astype(dtype)
        else:
            Y = rng.uniform(size=(examples, k)).astype(dtype)
        if kink_distance(net, X, params) >= KINK_MARGIN and _every_gradient_moves(
            net, X, Y, params
        ):
            return net, X, Y, params
    raise ValueError(
        f"no draw of 100 keeps the ReLU pre-activations of {net} off the kink with a nonzero "
        "gradient for every weight matrix"
    )


def _every_gradient_moves(net: Net, X, Y, params: Params) -> bool:
    """Whether every weight matrix has a nonzero gradient entry (a ReLU layer dead for the
    whole batch zeroes the gradients below it: a wrong one would look right there)."""
    gradients = net.gradients(X, Y, params).gradients
    return all(np.any(dW != 0) for dW in gradients.weights)


def check_all(dtype="float64", seed: int = 0) -> list[tuple[str, dict[str, float], bool]]:
    """Every chapter 2 id on the nets of :data:`CHECK_NETS`: ``(id, largest relative error
    per method, passed)``, in the catalogue's order (the rows for ``handbp verify``).

    Every net's references are computed by one compiled JAX function (one trace, one
    compilation); the probe checks (activations and losses) run once, on the first net's
    batch shape: they do not depend on the net.
    """
    dtype = np.dtype(dtype)
    results = {i: Result(i) for i in BEYOND if i not in NOT_DIFFERENTIABLE}
    batch = Batch()
    for index, (widths, names, loss, biases, examples) in enumerate(CHECK_NETS):
        case = random_case(widths, names, loss, biases, examples, dtype, seed + index)
        register_case(*case, seed + index, results, batch, probes=index == 0)
    batch.run(key=("check_all", CHECK_NETS, dtype.str, seed))
    merged = {i: Result(i) for i, entry in BEYOND.items() if entry.section != "optimizers"}
    for eq_id, target in merged.items():  # the optimizers: verify.optimizers checks them
        if eq_id in results:
            target.errors, target.passed = results[eq_id].errors, results[eq_id].passed
    initialisation_checks(merged, dtype, seed)
    return [(r.id, r.errors, r.passed) for r in merged.values()]


@dataclass(frozen=True)
class Proof:
    """Chapter 2's ids on one net: each id's largest errors per method and its verdict."""

    rows: tuple[Result, ...]

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)

    def __str__(self) -> str:
        methods = ("value", "reverse", "forward", "finite_differences")
        width = max(len(row.id) for row in self.rows)
        lines = [f"{'id':<{width}}  " + "  ".join(f"{m[:18]:>18}" for m in methods) + "  passed"]
        for row in self.rows:
            cells = (f"{row.errors[m]:18.1e}" if m in row.errors else f"{'-':>18}" for m in methods)
            lines.append(f"{row.id:<{width}}  " + "  ".join(cells) + f"  {row.passed}")
        verdict = "all pass" if self.passed else "FAILED"
        lines.append(f"{sum(r.passed for r in self.rows)} of {len(self.rows)} ids pass: {verdict}")
        return "\n".join(lines)


def prove(net: Net, X, Y, params: Params, seed: int = 0) -> Proof:
    """Every chapter 2 derivative of ``net`` on ``X, Y, params`` against JAX, three ways.

    ``print(prove(...))`` shows the largest error relative to each quantity's scale,
    per method; ``.passed`` is the verdict (:func:`check_case`).
    """
    results = check_case(net, X, Y, params, seed)
    return Proof(tuple(r for r in results.values() if r.errors))
