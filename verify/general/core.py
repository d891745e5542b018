"""Chapter 2's JAX side, the core: the general net again in ``jax.numpy``, the three
ways to a vector-Jacobian product, and the comparison (see :mod:`verify.general`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cache, partial

import jax.flatten_util
import jax.numpy as jnp
import jax.scipy.special
import numpy as np

from verify import executables
from verify._jax import jax
from verify.compare import ROUNDING_FACTOR, TOLERANCES, dtype_name

H = 1e-6
r"""The finite-difference step (references are float64). Smaller than the smooth optimum
:math:`\epsilon^{1/3} = 6\times 10^{-6}` so that no step crosses a ReLU kink of a net whose
pre-activations keep :data:`KINK_MARGIN` from 0; the Richardson estimate covers the larger
round-off."""

KINK_MARGIN = 1e-5
"""Checked nets keep every ReLU/leaky ReLU pre-activation at least this far from 0
(:func:`kink_distance`): a difference quotient across a kink measures neither side."""

DIRECTIONS = 8
"""Random directions for the forward-mode and finite-difference checks of a whole net's
parameter gradient."""

LEAKY_SLOPE = 0.01

COMPILER_OPTIONS = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}
"""As verify.references: the arrays are small, compiling costs more than running."""

NOT_DIFFERENTIABLE: dict[str, str] = {
    "glorot_uniform": "a random draw: its variance is tested in tests/handbp/test_initialisation.py",
    "he_normal": "a random draw: its variance is tested in tests/handbp/test_initialisation.py",
}
"""Chapter 2 ids without a JAX reference, and why."""


# --- The net again, in jax.numpy --------------------------------------------------------------

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "sigmoid": lambda z: 1 / (1 + jnp.exp(-z)),
    "tanh": jnp.tanh,
    "relu": lambda z: jnp.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: jnp.where(z > 0, z, LEAKY_SLOPE * z),
    "softmax": lambda z: jax.nn.softmax(z, axis=1),
}


def loss_terms(loss: str, A: jax.Array, Z: jax.Array, Y: jax.Array, logits: bool) -> jax.Array:
    """The loss as per-example terms (their sum is the loss C), from the outputs ``A`` or,
    for the cross-entropies with ``logits``, from the output layer's logits ``Z``."""
    if loss == "mse":
        return jnp.sum((A - Y) ** 2, axis=1) / (2 * Y.size)
    if loss == "binary_cross_entropy":
        if logits:
            log_a, log_1ma = jax.nn.log_sigmoid(Z), jax.nn.log_sigmoid(-Z)
        else:
            log_a, log_1ma = jnp.log(A), jnp.log(1 - A)
        return -jnp.sum(Y * log_a + (1 - Y) * log_1ma, axis=1) / Y.size
    log_p = jax.nn.log_softmax(Z, axis=1) if logits else jnp.log(A)
    return -jnp.sum(Y * log_p, axis=1) / Y.shape[0]


def count(loss: str, Y: np.ndarray) -> int:
    """The loss's N: Y.size (MSE, BCE) or the number of examples (CE)."""
    return Y.shape[0] if loss == "cross_entropy" else Y.size


def forward(names, X, weights, biases, dZ=None, dA=None):
    """Every layer's Z and A; ``dZ``, ``dA`` (lists) are added to them (zero perturbations
    to differentiate with respect to the intermediates; ``dA[0]`` moves X)."""
    A = X if dA is None else X + dA[0]
    Zs, As = [], []
    for layer, (W, name) in enumerate(zip(weights, names, strict=True), start=1):
        Z = A @ W if biases is None else A @ W + biases[layer - 1]
        Z = Z if dZ is None else Z + dZ[layer - 1]
        A = ACTIVATIONS[name](Z)
        A = A if dA is None else A + dA[layer]
        Zs.append(Z)
        As.append(A)
    return Zs, As


# --- Comparison ---------------------------------------------------------------------------------


@dataclass
class Result:
    """One id's largest errors, relative to the quantity's scale, per method; and the verdict."""

    id: str
    errors: dict[str, float] = field(default_factory=dict)
    passed: bool = True

    def add(self, method: str, hand, reference, dtype, magnitude=None, noise=None) -> None:
        """Compare one hand array with one reference and fold the result in."""
        hand = np.asarray(hand, dtype=np.float64)
        reference = np.asarray(reference, dtype=np.float64)
        if hand.shape != reference.shape:
            self.errors[method] = float("inf")
            self.passed = False
            return
        difference = np.abs(hand - reference)
        scale = float(np.max(np.abs(reference), initial=0.0))
        eps = float(np.finfo(dtype).eps)
        M = np.abs(reference) if magnitude is None else np.asarray(magnitude)
        rounding = ROUNDING_FACTOR * eps * float(np.max(M, initial=0.0))
        tolerance = TOLERANCES[dtype_name(dtype)][method] * scale
        allowed = max(tolerance, rounding) + (0.0 if noise is None else np.asarray(noise))
        relative = (
            float(np.max(difference, initial=0.0)) / scale
            if scale
            else float(np.max(difference, initial=0.0))
        )
        self.errors[method] = max(self.errors.get(method, 0.0), relative)
        self.passed &= bool(np.all(difference <= allowed))


STEPS = np.array([H, -H, H / 2, -H / 2, 0.0])
"""The points of :func:`richardson`, as multiples of the step direction."""


def richardson(f, x, tangents):
    """Central differences of ``f`` at ``x`` along each of ``tangents`` (an array with a
    leading axis of directions, or a tuple of them for a tuple ``x``), and their estimated
    error, one row per direction.

    ``f`` (to an array) is evaluated at the five points of :data:`STEPS` along every
    direction as one batch (one ``jax.vmap``): JAX traces it once.
    """
    count = jax.tree.leaves(tangents)[0].shape[0]

    def points(a, t):
        steps = STEPS.reshape(len(STEPS), 1, *([1] * a.ndim))
        return (a[None, None] + steps * t[None]).reshape(len(STEPS) * count, *a.shape)

    moved = jax.vmap(f)(jax.tree.map(points, x, tangents))
    plus, minus, half_plus, half_minus, value = moved.reshape(len(STEPS), count, -1)
    d1 = (plus - minus) / (2 * H)
    d2 = (half_plus - half_minus) / H
    noise = (
        4 / 3 * jnp.abs(d1 - d2)
        + ROUNDING_FACTOR * np.finfo(np.float64).eps * (jnp.abs(value) + 1e-300) / H
    )
    shape = moved.shape[1:]
    return (d2 + (d2 - d1) / 3).reshape(count, *shape), noise.reshape(count, *shape)


def vjp_three_ways(f: Callable, x, cotangent, rows: str = "examples"):
    """The vector-Jacobian product ``cotangent^T J_f(x)`` by reverse mode, forward mode and
    finite differences, elementwise.

    ``rows="examples"``: row e of f's output depends on row e of x only (a layer map), so
    moving column j of every row at once gives column j of the result. ``rows="columns"``:
    column j of the output depends on column j of x only (``A @ W`` as a map of W), so
    moving row i of x gives row i of the result.

    ``x`` and ``cotangent`` may be tuples of arrays of different shapes (several layers at
    once) when ``f`` maps a tuple to a tuple whose part l depends on part l of ``x`` only:
    a tangent then moves column (row) j of every part, and each part's results are read
    from its own outputs. JAX traces ``f`` twice (to linearize it, and vmapped for the
    differences), however many parts there are.
    """
    single = not isinstance(x, tuple)
    xs = tuple(jnp.asarray(a, jnp.float64) for a in ((x,) if single else x))
    us = tuple(jnp.asarray(u, jnp.float64) for u in ((cotangent,) if single else cotangent))
    F = (lambda parts: (f(parts[0]),)) if single else f
    _, linear = jax.linearize(F, xs)  # forward mode: F traced once, its tangent map kept
    reverse = jax.linear_transpose(linear, xs)(us)[0]  # reverse mode: that map transposed
    axis = 1 if rows == "examples" else 0
    basis = jnp.eye(max(a.shape[axis] for a in xs), dtype=jnp.float64)

    def tangent(b):
        return tuple(
            jnp.broadcast_to(b[None, : a.shape[1]] if axis == 1 else b[: a.shape[0], None], a.shape)
            for a in xs
        )

    def contract(outs):  # each output's change, contracted with its cotangent, side by side
        return jnp.concatenate([jnp.sum(u * o, axis=axis) for u, o in zip(us, outs, strict=True)])

    fwd = jax.vmap(lambda b: contract(linear(tangent(b))))(basis)
    fd, noise = richardson(lambda y: contract(F(y)), xs, jax.vmap(tangent)(basis))
    edges = np.cumsum([u.shape[1 - axis] for u in us])[:-1].tolist()

    def parts(matrix):  # rows: tangents; columns: every output's contraction side by side
        pieces = jnp.split(matrix, edges, axis=1)
        return tuple(
            p[: a.shape[axis]].T if axis == 1 else p[: a.shape[axis]]
            for p, a in zip(pieces, xs, strict=True)
        )

    references = {"reverse": reverse, "forward": parts(fwd), "finite_differences": parts(fd)}
    if single:
        return {m: r[0] for m, r in references.items()}, parts(noise)[0]
    return references, parts(noise)


def as_float64(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def biases_of(params):
    return None if params.biases is None else [as_float64(b) for b in params.biases]


@cache
def pre_activations(names: tuple[str, ...]) -> Callable:
    """Every layer's Z for activations ``names``, as one compiled function (not one per
    operation, as eager JAX), of ``(X, weights, biases)``."""
    return jax.jit(lambda X, weights, biases: forward(names, X, weights, biases)[0])


def kink_distance(net, X, params) -> float:
    """The smallest |z| over the net's ReLU and leaky ReLU layers (inf if it has none).

    A z that is 0 because every input of its row is a ReLU output held at 0 (its own z at
    least :data:`KINK_MARGIN` below 0, or such a zero itself) in a layer without biases
    is no kink: no parameter or input moved by a difference step moves it off 0, and
    every method takes the derivative there as handbp does (0 for ReLU, the slope for
    leaky ReLU). A net whose first ReLU layer dies for some example has such zeros in the
    layers above it, on every draw.
    """
    names = tuple(net.activations)
    args = (as_float64(X), [as_float64(W) for W in params.weights], biases_of(params))
    Zs = [
        np.asarray(Z)
        for Z in executables.run(pre_activations(names), args, ("pre_activations", names))
    ]
    distances = []
    held = None  # per entry of the layer below: a ReLU output held at exactly 0
    for Z, name in zip(Zs, names, strict=True):
        fixed = np.zeros(Z.shape, dtype=bool)
        if held is not None and params.biases is None:
            fixed = (Z == 0) & np.all(held, axis=1, keepdims=True)
        if name in ("relu", "leaky_relu"):
            free = np.abs(Z)[~fixed]
            distances.append(float(np.min(free)) if free.size else float("inf"))
        held = (Z <= -KINK_MARGIN) | fixed if name == "relu" else None
    return min(distances, default=float("inf"))


Reference = Callable[[list], tuple[dict, object, object]]


class Batch:
    """The references of one case, computed in one compiled JAX function.

    :meth:`arg` registers an input array (float64) and returns its index; :meth:`check`
    registers a hand value and a function of the inputs that returns ``(references by
    method, finite differences' error or None, magnitude or None)``; :meth:`shared` makes a
    function of the inputs that several checks read, traced once; :meth:`vjp` a reference
    that is a vector-Jacobian product, three ways; :meth:`run` computes
    every reference at once (one ``jax.jit``, so one compilation however many nets) and
    compares.
    """

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []
        self.jobs: list[tuple[Result, np.ndarray, np.dtype, Reference]] = []
        self.memo: dict[int, object] = {}
        self.groups: dict[tuple[str, str], list] = {}  # the parts of :meth:`vjp`
        self.computations: dict[tuple[str, str], Callable] = {}

    def shared(self, compute: Callable[[list], object]) -> Callable[[list], object]:
        """``compute`` as a function of the inputs that runs once per trace, however many
        checks call it (their references are parts of one computation)."""

        def once(inp: list) -> object:
            if id(compute) not in self.memo:
                self.memo[id(compute)] = compute(inp)
            return self.memo[id(compute)]

        return once

    def vjp(
        self, f, x, u, rows: str = "examples", magnitude=None, group: str = "layers"
    ) -> Reference:
        """A reference for :meth:`check`: the vector-Jacobian product of the map ``f(inp)``
        at ``x(inp)`` with the cotangent ``u(inp)``, three ways (:func:`vjp_three_ways`),
        and ``magnitude(inp)`` if given.

        Every product of one kind (``rows``) and ``group`` registered in the batch,
        however many nets and equations, is computed as one part of a single
        :func:`vjp_three_ways` on tuples: JAX traces each once instead of once per
        equation. Each part is moved along as many tangents as the widest part has
        columns (rows): a much wider map (a whole net's intermediates) gets its own group.
        """
        key = (rows, group)
        parts = self.groups.setdefault(key, [])
        index = len(parts)
        parts.append((f, x, u))
        if len(parts) == 1:
            self.computations[key] = self.shared(partial(self._every_vjp, key))

        def reference(inp):
            references, noise = self.computations[key](inp)
            extra = None if magnitude is None else magnitude(inp)
            return {m: r[index] for m, r in references.items()}, noise[index], extra

        return reference

    def _every_vjp(self, key: tuple[str, str], inp: list):
        parts = self.groups[key]
        maps = [f(inp) for f, _, _ in parts]
        return vjp_three_ways(
            lambda xs: tuple(g(y) for g, y in zip(maps, xs, strict=True)),
            tuple(x(inp) for _, x, _ in parts),
            tuple(u(inp) for _, _, u in parts),
            key[0],
        )

    def arg(self, array) -> int:
        self.arrays.append(as_float64(array))
        return len(self.arrays) - 1

    def check(self, result: Result, hand, dtype, reference: Reference) -> None:
        self.jobs.append((result, np.asarray(hand), dtype, reference))

    def value(self, result: Result, hand, dtype, of, magnitude=None) -> None:
        """A forward map: ``of(inputs)`` is the reference value."""
        self.check(
            result,
            hand,
            dtype,
            lambda inp: ({"value": of(inp)}, None, magnitude and magnitude(inp)),
        )

    def run(self, key: Hashable | None = None) -> None:
        """Compute every reference and compare. ``key``: what the batch's program depends
        on besides the code (say, the seed and dtype its cases were drawn with), to reuse
        its compiled program across runs (:mod:`verify.executables`); None compiles it."""
        references = [job[3] for job in self.jobs]

        def every(inp: list) -> list:
            self.memo.clear()  # what :meth:`shared` computed belongs to one trace
            return [reference(inp) for reference in references]

        compiled = jax.jit(every, compiler_options=COMPILER_OPTIONS)
        outputs = executables.run(
            compiled, (self.arrays,), None if key is None else ("verify.general.Batch", key)
        )
        for (result, hand, dtype, _), (refs, noise, magnitude) in zip(
            self.jobs, outputs, strict=True
        ):
            for method, reference in refs.items():
                extra = noise if method == "finite_differences" else None
                result.add(method, hand, np.asarray(reference), dtype, magnitude, extra)


def away_from_kinks(Z: np.ndarray) -> np.ndarray:
    """``Z`` with every entry within 1e-3 of a kink (0) moved to +-1e-3."""
    return np.where(np.abs(Z) < 1e-3, np.where(Z < 0, -1e-3, 1e-3), Z).astype(Z.dtype)
