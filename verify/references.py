r"""For each equation id of the catalogue, the same quantity computed independently with JAX.

The series' net is written again here in ``jax.numpy`` (64-bit enabled): the forward
map, the MSE, and nothing else by hand. Every hand-derived quantity is then obtained from
JAX in three independent ways:

* ``reverse``: reverse-mode autodiff, ``jax.grad`` (and ``jax.jacrev`` / ``jax.vmap`` of
  ``jax.grad`` for elementwise derivatives);
* ``forward``: forward-mode autodiff, ``jax.jacfwd`` (and ``jax.jvp`` with a tangent of
  ones for elementwise derivatives);
* ``finite_differences``: central differences of the JAX forward map, one input entry at a
  time, with the step :func:`verify.compare.finite_difference_step` of the dtype.

The gradients with respect to the intermediate matrices (:math:`\partial\mathrm{MSE}/
\partial H_{in}` and so on) come from adding a zero perturbation to each intermediate in
the forward map and differentiating with respect to it. The table of SERIES.md ("What
autodiff must agree with") gives the correspondence:

===================  =============================================
hand                 reference
===================  =============================================
``O_error``          :math:`N\,\partial\mathrm{MSE}/\partial O_{out}`
``O_delta``          :math:`N\,\partial\mathrm{MSE}/\partial O_{in}`
``H_error``          :math:`N\,\partial\mathrm{MSE}/\partial H_{out}`
``H_delta``          :math:`N\,\partial\mathrm{MSE}/\partial H_{in}`
``W2_update``        :math:`\partial\mathrm{MSE}/\partial W_2`
``W1_update``        :math:`\partial\mathrm{MSE}/\partial W_1`
===================  =============================================

Equations that are forward maps, not derivatives (``weighted_sum``, ``step_function``,
``feedforward``, ``mse``, ``accuracy`` ...), have one reference, ``value``: the same value
computed by the JAX forward map. Each entry's hand value is computed from handbp's own
upstream values, so a check tests that one equation; ``feedforward`` and
``backpropagation`` compare whole passes.

One-variable equations (parts 6-8: ``square``, ``sigmoid``, ``chain_rule`` ...) are
evaluated elementwise at the probe points ``x = H_in`` of the setup, a spread of ordinary
values; ``chain_rule`` is checked on the chain :math:`z = \sigma(y),\ y = x^2`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from handbp import activations, descent, network
from handbp.equations import CATALOGUE
from verify._jax import jax
from verify.compare import ROUNDING_FACTOR, Target, eps, finite_difference_step
from verify.jaxnet import METHOD_KEYS, reference_arrays
from verify.sampling import SAMPLE_SIZE, Sample, entries_for, grid_sample, sample_entries
from verify.setups import Setup

BACKPROP_IDS: tuple[str, ...] = (
    "output_layer_error",
    "output_layer_delta",
    "weights_2_update",
    "hidden_layer_error",
    "hidden_layer_delta",
    "weights_1_update",
)
"""The six quantities of the backward pass, in the order they are computed (parts 11-12)."""

FORWARD_IDS: tuple[str, ...] = (
    "hidden_layer_inputs",
    "hidden_layer_outputs",
    "output_layer_inputs",
    "output_layer_outputs",
)

_GRADIENT_OF: dict[str, tuple[str, bool]] = {
    # id -> (what the MSE is differentiated with respect to, whether the hand value is N times it)
    "output_layer_error": ("O_out", True),
    "output_layer_delta": ("O_in", True),
    "weights_2_update": ("W2", False),
    "hidden_layer_error": ("H_out", True),
    "hidden_layer_delta": ("H_in", True),
    "weights_1_update": ("W1", False),
}

_METHOD_KEYS = METHOD_KEYS


# --- The hand side: handbp's values for a setup ----------------------------------------------


@dataclass(frozen=True)
class HandPass:
    """handbp's feedforward and backpropagation on a setup: the inputs of every hand function."""

    setup: Setup
    forward: network.Forward
    backward: network.Backward
    samples: dict[str, Sample] = field(default_factory=dict, repr=False, compare=False)

    @property
    def x(self) -> np.ndarray:
        """The probe points of the one-variable equations: ``H_in`` of the setup."""
        return self.forward.hidden_layer_inputs

    def sample(self, name: str, largest: Callable[[], Any], size: int = SAMPLE_SIZE) -> Sample:
        """The net's sample ``name`` of an array like ``largest()``: chosen once, then kept.

        ``largest()`` is handbp's value of the quantity, whose largest entries the sample
        holds (:func:`verify.sampling.sample_entries`).
        """
        if name not in self.samples:
            self.samples[name] = sample_entries(name, largest(), size)
        return self.samples[name]

    def weight_sample(self, name: str) -> Sample:
        """The entries of ``W1`` or ``W2`` that JAX differentiates one at a time (forward
        mode, differences), and the scalar forms of parts 10-12 are checked at."""
        update = {"W1": "weights_1_update", "W2": "weights_2_update"}[name]
        return self.sample(name, lambda: getattr(self.backward, update))


def hand_pass(setup: Setup) -> HandPass:
    """Run handbp's feedforward and backpropagation on ``setup``."""
    forward = network.feedforward(setup.X, setup.W1, setup.W2)
    backward = network.backpropagation(setup.X, setup.Y, setup.W2, forward)
    return HandPass(setup, forward, backward)


# --- The JAX results of a setup, with the rounding magnitudes of each quantity --------------


@dataclass
class JaxResults:
    """The arrays JAX computed for a setup (NumPy), and the magnitudes that bound rounding."""

    setup: Setup
    hand: HandPass
    arrays: dict[str, np.ndarray]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]

    @property
    def N(self) -> int:
        return self.setup.N

    def gradient(self, wrt: str, method: str) -> np.ndarray:
        """:math:`\\partial\\mathrm{MSE}/\\partial` ``wrt`` by ``method``."""
        return self.arrays[f"{_METHOD_KEYS[method]}.{wrt}"]

    @cached_property
    def magnitudes(self) -> dict[str, np.ndarray]:
        r""":math:`M` of each quantity of the net (see :mod:`verify.compare`), float64.

        First-order forward error bounds, divided by eps: each quantity's own rounding
        plus the errors of its inputs, carried by its derivatives. The sigmoid carries an
        error in its input by :math:`\sigma'(z)` (JAX's, at the point), tiny where it
        saturates; :math:`s(1 - s)` carries an error in s by :math:`|1 - 2s|`.
        """
        s = self.setup

        def a(v: np.ndarray) -> np.ndarray:
            return np.abs(np.asarray(v, dtype=np.float64))

        X, W1, W2 = a(s.X), a(s.W1), a(s.W2)
        H_out, O_out = a(self["forward.H_out"]), a(self["forward.O_out"])
        O_error = a(self["forward.O_out"] - s.Y)
        dH, dO = a(H_out * (1 - H_out)), a(O_out * (1 - O_out))
        m: dict[str, np.ndarray] = {"H_in": X @ W1}
        m["H_out"] = H_out + dH * m["H_in"]
        m["O_in"] = m["H_out"] @ W2
        m["O_out"] = O_out + dO * m["O_in"]
        m["O_error"] = m["O_out"] + O_error
        O_delta = O_error * dO
        m["O_delta"] = m["O_error"] * dO + O_error * a(1 - 2 * O_out) * m["O_out"] + O_delta
        m["W2_update"] = (m["H_out"].T @ O_delta + H_out.T @ m["O_delta"]) / s.N
        m["H_error"] = m["O_delta"] @ W2.T
        H_error = O_delta @ W2.T
        H_delta = H_error * dH
        m["H_delta"] = m["H_error"] * dH + H_error * a(1 - 2 * H_out) * m["H_out"] + H_delta
        m["W1_update"] = X.T @ m["H_delta"] / s.N
        return m

    @cached_property
    def loss_noise(self) -> float:
        """An absolute bound of the MSE's rounding in the setup's dtype, divided by eps."""
        O_error = np.abs(self["forward.O_out"].astype(np.float64) - self.setup.Y)
        return float(
            self["forward.mse"] + np.sum(O_error * self.magnitudes["O_out"]) / self.setup.N
        )

    def gradient_target(self, equation_id: str, method: str) -> Target:
        """The reference of one of the six backprop quantities (N x the gradient for errors/deltas)."""
        wrt, times_n = _GRADIENT_OF[equation_id]
        factor = self.N if times_n else 1
        noise: np.ndarray | float = 0.0
        if method == "finite_differences":
            base = {"W1": self.setup.W1, "W2": self.setup.W2}.get(wrt)
            if base is None:
                base = self[f"forward.{wrt}"]
            noise = factor * self.fd_noise(f"fderr.{wrt}", self.loss_noise, base, False)
        symbol = CATALOGUE[equation_id].symbol
        value = factor * self.gradient(wrt, method)
        target = Target(value, factor * self.magnitudes[symbol], noise=noise)
        if wrt in ("W1", "W2") and method != "reverse":
            sample = self.hand.weight_sample(wrt)
            if not sample.complete:  # the scale is the whole gradient's
                scale = factor * self.gradient(wrt, "reverse")
                target = replace(target, sample=sample, scale_of=scale)
        return target

    def elementwise_target(
        self, name: str, method: str, values: np.ndarray, magnitude: Any
    ) -> Target:
        """The reference of a one-variable derivative (``name``: sigmoid, square, chain, sigmoid_O)."""
        at = self.hand.x if name != "sigmoid_O" else self.hand.forward.output_layer_inputs
        noise: np.ndarray | float = 0.0
        if method == "finite_differences":
            noise = self.fd_noise(f"fderr.d{name}", np.abs(values), at)
        return Target(
            self.arrays[f"{_METHOD_KEYS[method]}.d{name}"],
            np.broadcast_to(np.asarray(magnitude, dtype=np.float64), np.shape(at)),
            noise=noise,
        )

    def fd_noise(
        self, error_key: str, value_magnitude: Any, base: Any, relative: bool = True
    ) -> np.ndarray:
        """The error of a central difference, elementwise: round-off plus truncation.

        Round-off: :data:`~verify.compare.ROUNDING_FACTOR` eps |f| / h, with h the step at
        ``base`` (see :func:`verify.jaxnet.steps`); truncation: twice JAX's Richardson estimate
        (``error_key``).
        """
        dtype = self.setup.dtype
        relative_to = np.maximum(1.0, np.abs(base)) if relative else np.ones(np.shape(base))
        steps = finite_difference_step(dtype) * relative_to
        round_off = ROUNDING_FACTOR * eps(dtype) * np.asarray(value_magnitude) / steps
        truncation = 2 * np.abs(self.arrays[error_key].astype(np.float64))
        return np.broadcast_to(round_off, truncation.shape) + truncation


def jax_results(hand: HandPass) -> JaxResults:
    """Run the compiled JAX references on the setup of ``hand`` (compiled once per shape, dtype)."""
    s = hand.setup
    f = hand.forward
    inputs = {
        "X": s.X,
        "Y": s.Y,
        "W1": s.W1,
        "W2": s.W2,
        "H_in_h": f.hidden_layer_inputs,
        "H_out_h": f.hidden_layer_outputs,
        "O_in_h": f.output_layer_inputs,
        "O_out_h": f.output_layer_outputs,
        "X64": s.X.astype(np.float64),
        "W1_64": s.W1.astype(np.float64),
        "W1_entries": hand.weight_sample("W1").flat,
        "W2_entries": hand.weight_sample("W2").flat,
    }
    arrays = jax.device_get(reference_arrays(inputs))
    return JaxResults(s, hand, {k: np.asarray(v) for k, v in arrays.items()})


# --- One reference per catalogue entry --------------------------------------------------------

Components = dict[str, np.ndarray]
Targets = dict[str, dict[str, Target]]  # method -> component -> Target


@dataclass(frozen=True)
class Reference:
    """How one catalogue entry is checked.

    ``hand(fn, hand_pass)`` computes the entry's value with ``fn`` (the catalogue's
    function, or a learner's with the same signature) from handbp's upstream values;
    ``targets(jax_results)`` gives, per method, the reference of each component.
    ``quantity`` says in words what the reference is. ``float64_only``: the hand function
    computes in Python floats (parts 2-4), whatever the setup's dtype.
    """

    id: str
    quantity: str
    hand: Callable[[Callable[..., Any], HandPass], Components]
    targets: Callable[[JaxResults], Targets]
    float64_only: bool = False
    kind: str = "derivative"

    @property
    def methods(self) -> tuple[str, ...]:
        """``("value",)`` for forward maps, the three derivative methods for derivatives."""
        return ("value",) if self.kind == "value" else tuple(_METHOD_KEYS)


def _value_reference(
    id: str,
    quantity: str,
    hand: Callable[[Callable[..., Any], HandPass], Components],
    targets: Callable[[JaxResults], Targets],
    float64_only: bool = False,
) -> Reference:
    return Reference(id, quantity, hand, targets, float64_only, kind="value")


@dataclass(frozen=True)
class Entrywise:
    """A catalogue function called once per entry (the scalar forms): where, and at what cost.

    ``sample`` names the net's sample of entries (forms that share a name share their
    entries: ``dmse_dw1_scalar`` is checked where JAX differentiates ``W1`` one entry at
    a time); ``largest(hand_pass)`` is handbp's value of the quantity, whose largest
    entries are always checked; ``terms(setup)`` how many terms one call sums (its cost);
    ``at(fn, hand_pass, index)`` the function's value at one entry.
    """

    sample: str
    largest: Callable[[HandPass], Any]
    terms: Callable[[Setup], int]
    at: Callable[[Callable[..., Any], HandPass, tuple[int, ...]], Any]

    def entries(self, hp: HandPass) -> Sample:
        """The entries checked on this net: every one on a small net, else a prefix of the sample."""
        whole = hp.sample(self.sample, lambda: self.largest(hp))
        return whole if whole.complete else whole.first(entries_for(self.terms(hp.setup)))

    def hand(self, fn: Callable[..., Any], hp: HandPass) -> Components:
        """``fn`` at the checked entries, NaN (not computed) at the others."""
        sample = self.entries(hp)
        return {"": _at_entries(sample, [self.at(fn, hp, i) for i in sample.indices()])}


def _at_entries(sample: Sample, values: Sequence[Any]) -> np.ndarray:
    """Values at a sample's entries as an array of the whole shape (NaN where not computed).

    What is not one number per entry is returned as it came, for the comparison to say so.
    """
    array = np.array(values)
    if sample.complete:
        return array.reshape(sample.shape) if array.size == sample.total else array
    if array.dtype.kind in "biuf" and array.shape == (sample.size,):
        return sample.fill(array)
    return array


def _sampled(
    targets: Callable[[JaxResults], Targets], entries: Callable[[HandPass], Sample]
) -> Callable[[JaxResults], Targets]:
    """``targets`` compared at the ``entries`` of the net only (unchanged if that is every entry)."""

    def sampled(jr: JaxResults) -> Targets:
        sample = entries(jr.hand)
        out = targets(jr)
        if sample.complete:
            return out
        return {m: {c: replace(t, sample=sample) for c, t in ts.items()} for m, ts in out.items()}

    return sampled


def _entrywise_reference(
    id: str,
    quantity: str,
    entrywise: Entrywise,
    targets: Callable[[JaxResults], Targets],
    kind: str = "derivative",
    float64_only: bool = False,
) -> Reference:
    """The reference of a scalar form: its hand values and targets at the same entries."""
    return Reference(
        id, quantity, entrywise.hand, _sampled(targets, entrywise.entries), float64_only, kind
    )


def components(result: Any, names: Sequence[str], what: str) -> Components:
    """A whole pass's result as ``{name: array}``: from attributes, a mapping, or a sequence."""
    if isinstance(result, Mapping):
        missing = [n for n in names if n not in result]
        if missing:
            raise TypeError(f"{what} must have the entries {', '.join(names)}; missing {missing}")
        return {n: result[n] for n in names}
    if all(hasattr(result, n) for n in names):
        return {n: getattr(result, n) for n in names}
    if isinstance(result, Sequence) and not isinstance(result, str) and len(result) == len(names):
        return dict(zip(names, result, strict=True))
    raise TypeError(
        f"{what} must be an object with the attributes {', '.join(names)}, a mapping with "
        f"those keys, or a sequence of {len(names)} arrays; got {type(result).__name__}"
    )


def _value(jr: JaxResults, **components_: tuple[np.ndarray, Any]) -> Targets:
    return {
        "value": {
            name: Target(value, np.broadcast_to(np.asarray(m, dtype=np.float64), np.shape(value)))
            for name, (value, m) in components_.items()
        }
    }


def _per_method(make: Callable[[str], dict[str, Target]]) -> Targets:
    return {method: make(method) for method in _METHOD_KEYS}


def _abs(array: np.ndarray) -> np.ndarray:
    return np.abs(np.asarray(array, dtype=np.float64))


def _hand_backprop_input(eq_id: str) -> Callable[[Callable[..., Any], HandPass], Components]:
    """The hand value of one of the six backprop quantities, from handbp's upstream values."""

    def hand(fn: Callable[..., Any], hp: HandPass) -> Components:
        s, f, b = hp.setup, hp.forward, hp.backward
        arguments = {
            "output_layer_error": (f.output_layer_outputs, s.Y),
            "output_layer_delta": (b.output_layer_error, f.output_layer_outputs),
            "weights_2_update": (f.hidden_layer_outputs, b.output_layer_delta, s.N),
            "hidden_layer_error": (b.output_layer_delta, s.W2),
            "hidden_layer_delta": (b.hidden_layer_error, f.hidden_layer_outputs),
            "weights_1_update": (s.X, b.hidden_layer_delta, s.N),
        }[eq_id]
        return {eq_id: fn(*arguments)}

    return hand


def _backprop_targets(eq_ids: Iterable[str]) -> Callable[[JaxResults], Targets]:
    ids = tuple(eq_ids)
    return lambda jr: _per_method(lambda m: {i: jr.gradient_target(i, m) for i in ids})


def _forward_targets(jr: JaxResults) -> Targets:
    m = jr.magnitudes
    return _value(
        jr,
        hidden_layer_inputs=(jr["forward.H_in"], m["H_in"]),
        hidden_layer_outputs=(jr["forward.H_out"], m["H_out"]),
        output_layer_inputs=(jr["forward.O_in"], m["O_in"]),
        output_layer_outputs=(jr["forward.O_out"], m["O_out"]),
    )


def _elementwise(
    name: str, magnitude: Callable[[HandPass], Any]
) -> Callable[[JaxResults], Targets]:
    def targets(jr: JaxResults) -> Targets:
        values = {
            "sigmoid": jr["value.sigmoid_x"],
            "square": jr["value.square"],
            "chain": jr["value.sigmoid_x"],
            "sigmoid_O": jr["value.sigmoid_O"],
        }[name]
        return _per_method(
            lambda m: {"": jr.elementwise_target(name, m, values, magnitude(jr.hand))}
        )

    return targets


def _update_targets(jr: JaxResults) -> Targets:
    """weights_update: W - eta * dMSE/dW with the gradient of each method; scale: the step."""
    s = jr.setup

    def make(method: str) -> dict[str, Target]:
        out = {}
        for name, W, eq_id in (("W1", s.W1, "weights_1_update"), ("W2", s.W2, "weights_2_update")):
            gradient = jr.gradient_target(eq_id, method)
            step = s.eta * gradient.value.astype(np.float64)
            scale = gradient.value if gradient.scale_of is None else gradient.scale_of
            out[name] = Target(
                W.astype(np.float64) - step,
                _abs(W) + s.eta * gradient.magnitude,
                scale_of=s.eta * np.asarray(scale, dtype=np.float64),
                noise=s.eta * gradient.noise,
                sample=gradient.sample,
            )
        return out

    return _per_method(make)


def _descent_step_targets(jr: JaxResults) -> Targets:
    """gradient_descent_step at x = H_in: x - eta * d(x^2)/dx with the derivative of each method."""
    x, eta = jr.hand.x.astype(np.float64), jr.setup.eta

    def make(method: str) -> dict[str, Target]:
        step = eta * jr.arrays[f"{_METHOD_KEYS[method]}.dsquare"].astype(np.float64)
        return {"": Target(x - step, np.abs(x) + np.abs(step), scale_of=step)}

    return _per_method(make)


def _scalar_dmse_do_out(jr: JaxResults) -> Targets:
    def make(method: str) -> dict[str, Target]:
        t = jr.gradient_target("output_layer_error", method)
        return {"": Target(t.value / jr.N, t.magnitude / jr.N, noise=t.noise / jr.N)}

    return _per_method(make)


def _scalar_gradient(eq_id: str) -> Callable[[JaxResults], Targets]:
    return lambda jr: _per_method(lambda m: {"": jr.gradient_target(eq_id, m)})


def _do_in_dw2_targets(jr: JaxResults) -> Targets:
    hp = jr.hand
    H_out = _abs(hp.forward.hidden_layer_outputs)
    K = jr.setup.sizes[2]
    magnitude = np.repeat(H_out[:, :, None], K, axis=2)
    o_in = float(np.max(H_out @ _abs(jr.setup.W2)))
    W2_at = np.broadcast_to(jr.setup.W2, magnitude.shape)  # entry [e, j, k] moves W2[j, k]

    def make(method: str) -> dict[str, Target]:
        noise: np.ndarray | float = 0.0
        if method == "finite_differences":
            noise = jr.fd_noise("fderr.do_in_dw2", o_in, W2_at)
        return {"": Target(jr[f"{_METHOD_KEYS[method]}.do_in_dw2"], magnitude, noise=noise)}

    return _per_method(make)


def _layer_outputs_hand(fn: Callable[..., Any], hp: HandPass) -> Components:
    """layer_outputs on the sampled examples and nodes (all on a small net), in lists."""
    sample = _layer_grid(hp)
    rows = np.unique(sample.flat // sample.shape[1])
    columns = np.unique(sample.flat % sample.shape[1])
    X, W1 = hp.setup.X[rows].tolist(), hp.setup.W1.T[columns].tolist()
    out = {}
    for name, activation in (("inputs", None), ("outputs", activations.sigmoid)):
        block = np.array(fn(X, W1) if activation is None else fn(X, W1, activation))
        if block.shape != (rows.size, columns.size) or block.dtype.kind not in "biuf":
            out[name] = block  # not one number per entry: the comparison says so
            continue
        full = np.full(sample.shape, np.nan)
        full[np.ix_(rows, columns)] = block
        out[name] = full
    return out


def _layer_outputs_targets(jr: JaxResults) -> Targets:
    sums = _abs(jr.setup.X) @ _abs(jr.setup.W1)
    return _value(
        jr,
        inputs=(jr["value.weighted_sums"], sums),
        outputs=(jr["value.weighted_sums_sigmoid"], 1 + 0.25 * sums),
    )


def _layer_grid(hp: HandPass) -> Sample:
    if "layer_outputs" not in hp.samples:
        hp.samples["layer_outputs"] = grid_sample("layer_outputs", hp.forward.hidden_layer_inputs)
    return hp.samples["layer_outputs"]


def _references() -> dict[str, Reference]:
    def one(fn: Callable[..., Any], *args: Any) -> Components:
        return {"": fn(*args)}

    def sig_mag(hp: HandPass) -> np.ndarray:
        return _abs(activations.sigmoid(hp.x))

    def chain_mag(hp: HandPass) -> np.ndarray:
        x = _abs(hp.x)
        return (_abs(activations.sigmoid(hp.x * hp.x)) + 0.25 * x * x) * 2 * x

    def O_mag(hp: HandPass) -> np.ndarray:
        return _abs(hp.forward.output_layer_outputs)

    entries = [
        _entrywise_reference(
            "weighted_sum",
            "sum_i x_i w_i for every flower e and hidden node j (X W1, float64)",
            Entrywise(
                "H_in",
                lambda hp: hp.forward.hidden_layer_inputs,
                lambda s: s.sizes[0],
                lambda fn, hp, i: fn(hp.setup.X[i[0]].tolist(), hp.setup.W1[:, i[1]].tolist()),
            ),
            lambda jr: _value(
                jr,
                **{"": (jr["value.weighted_sums"], _abs(jr.setup.X) @ _abs(jr.setup.W1))},
            ),
            kind="value",
            float64_only=True,
        ),
        _value_reference(
            "step_function",
            "1 where z >= 2 else 0, at z = H_in",
            lambda fn, hp: one(fn, hp.x),
            lambda jr: _value(jr, **{"": (jr["value.step"], 0.0)}),
        ),
        _value_reference(
            "hidden_layer_inputs",
            "X W1",
            lambda fn, hp: one(fn, hp.setup.X, hp.setup.W1),
            lambda jr: _value(jr, **{"": (jr["forward.H_in"], jr.magnitudes["H_in"])}),
        ),
        _value_reference(
            "hidden_layer_outputs",
            "sigmoid(H_in)",
            lambda fn, hp: one(fn, hp.x),
            lambda jr: _value(jr, **{"": (jr["value.sigmoid_x"], _abs(jr["value.sigmoid_x"]))}),
        ),
        _value_reference(
            "output_layer_inputs",
            "H_out W2",
            lambda fn, hp: one(fn, hp.forward.hidden_layer_outputs, hp.setup.W2),
            lambda jr: _value(
                jr,
                **{
                    "": (
                        jr["value.O_in_h"],
                        _abs(jr.hand.forward.hidden_layer_outputs) @ _abs(jr.setup.W2),
                    )
                },
            ),
        ),
        _value_reference(
            "output_layer_outputs",
            "sigmoid(O_in)",
            lambda fn, hp: one(fn, hp.forward.output_layer_inputs),
            lambda jr: _value(jr, **{"": (jr["value.sigmoid_O"], _abs(jr["value.sigmoid_O"]))}),
        ),
        Reference(
            "layer_outputs",
            "the layer's inputs X W1 and outputs sigmoid(X W1), float64",
            _layer_outputs_hand,
            _sampled(_layer_outputs_targets, _layer_grid),
            float64_only=True,
            kind="value",
        ),
        _value_reference(
            "feedforward",
            "the whole JAX forward pass H_in, H_out, O_in, O_out",
            lambda fn, hp: components(
                fn(hp.setup.X, hp.setup.W1, hp.setup.W2), FORWARD_IDS, "feedforward's result"
            ),
            _forward_targets,
        ),
        _value_reference(
            "mse",
            "sum (O_out - Y)^2 / (2N)",
            lambda fn, hp: one(fn, hp.forward.output_layer_outputs, hp.setup.Y),
            lambda jr: _value(jr, **{"": (jr["value.mse_h"], jr["value.mse_h"])}),
        ),
        _value_reference(
            "square",
            "x^2 at x = H_in",
            lambda fn, hp: one(fn, hp.x),
            lambda jr: _value(jr, **{"": (jr["value.square"], jr["value.square"])}),
        ),
        Reference(
            "square_derivative",
            "d(x^2)/dx at x = H_in",
            lambda fn, hp: one(fn, hp.x),
            _elementwise("square", lambda hp: 2 * _abs(hp.x)),
        ),
        Reference(
            "gradient_descent_step",
            "x - eta d(x^2)/dx at x = H_in: the step uses the autodiff derivative",
            lambda fn, hp: one(fn, hp.x, descent.square_derivative(hp.x), hp.setup.eta),
            _descent_step_targets,
        ),
        Reference(
            "chain_rule",
            "d sigmoid(x^2)/dx at x = H_in, from the factors sigma'(x^2) and 2x",
            lambda fn, hp: one(
                fn,
                activations.sigmoid_derivative(activations.sigmoid(descent.square(hp.x))),
                descent.square_derivative(hp.x),
            ),
            _elementwise("chain", chain_mag),
        ),
        _value_reference(
            "sigmoid",
            "sigmoid(x) at x = H_in",
            lambda fn, hp: one(fn, hp.x),
            lambda jr: _value(jr, **{"": (jr["value.sigmoid_x"], _abs(jr["value.sigmoid_x"]))}),
        ),
        Reference(
            "sigmoid_derivative",
            "d sigmoid(x)/dx at x = H_in, from the output sigmoid(x)",
            lambda fn, hp: one(fn, activations.sigmoid(hp.x)),
            _elementwise("sigmoid", sig_mag),
        ),
        _entrywise_reference(
            "output_node_input",
            "(H_out W2)[e, k] for every flower e and output node k",
            Entrywise(
                "O_in",
                lambda hp: hp.forward.output_layer_inputs,
                lambda s: s.sizes[1],
                lambda fn, hp, i: fn(hp.forward.hidden_layer_outputs, hp.setup.W2, *i),
            ),
            lambda jr: _value(
                jr,
                **{
                    "": (
                        jr["value.O_in_h"],
                        _abs(jr.hand.forward.hidden_layer_outputs) @ _abs(jr.setup.W2),
                    )
                },
            ),
            kind="value",
        ),
        _entrywise_reference(
            "dmse_do_out",
            "dMSE/dO_out[e, k] for every flower e and output node k",
            Entrywise(
                "O_error",
                lambda hp: hp.backward.output_layer_error,
                lambda s: 1,
                lambda fn, hp, i: fn(hp.forward.output_layer_outputs, hp.setup.Y, *i),
            ),
            _scalar_dmse_do_out,
        ),
        _entrywise_reference(
            "do_out_do_in",
            "d sigmoid(O_in)/dO_in[e, k] for every flower e and output node k",
            Entrywise(
                "O_out(1 - O_out)",
                lambda hp: activations.sigmoid_derivative(hp.forward.output_layer_outputs),
                lambda s: 1,
                lambda fn, hp, i: fn(hp.forward.output_layer_outputs, *i),
            ),
            _elementwise("sigmoid_O", O_mag),
        ),
        _entrywise_reference(
            "do_in_dw2",
            "dO_in[e, k]/dW2[j, k] (Jacobian of H_out W2) for every e, j, k",
            Entrywise(
                "do_in_dw2",
                lambda hp: np.repeat(
                    hp.forward.hidden_layer_outputs[:, :, None], hp.setup.sizes[2], axis=2
                ),
                lambda s: 1,
                lambda fn, hp, i: fn(hp.forward.hidden_layer_outputs, i[0], i[1]),
            ),
            _do_in_dw2_targets,
        ),
        _entrywise_reference(
            "dmse_dw2_scalar",
            "dMSE/dW2[j, k] for every hidden node j and output node k",
            Entrywise(
                "W2",
                lambda hp: hp.backward.weights_2_update,
                lambda s: s.examples,
                lambda fn, hp, i: fn(
                    hp.forward.hidden_layer_outputs,
                    hp.forward.output_layer_outputs,
                    hp.setup.Y,
                    *i,
                ),
            ),
            _scalar_gradient("weights_2_update"),
        ),
        Reference(
            "output_layer_error",
            "N dMSE/dO_out",
            _hand_backprop_input("output_layer_error"),
            _backprop_targets(["output_layer_error"]),
        ),
        Reference(
            "output_layer_delta",
            "N dMSE/dO_in",
            _hand_backprop_input("output_layer_delta"),
            _backprop_targets(["output_layer_delta"]),
        ),
        Reference(
            "weights_2_update",
            "dMSE/dW2",
            _hand_backprop_input("weights_2_update"),
            _backprop_targets(["weights_2_update"]),
        ),
        Reference(
            "hidden_layer_error",
            "N dMSE/dH_out",
            _hand_backprop_input("hidden_layer_error"),
            _backprop_targets(["hidden_layer_error"]),
        ),
        Reference(
            "hidden_layer_delta",
            "N dMSE/dH_in",
            _hand_backprop_input("hidden_layer_delta"),
            _backprop_targets(["hidden_layer_delta"]),
        ),
        Reference(
            "weights_1_update",
            "dMSE/dW1",
            _hand_backprop_input("weights_1_update"),
            _backprop_targets(["weights_1_update"]),
        ),
        _entrywise_reference(
            "dmse_dw1_scalar",
            "dMSE/dW1[i, j] for every input i and hidden node j",
            Entrywise(
                "W1",
                lambda hp: hp.backward.weights_1_update,
                lambda s: s.examples * s.sizes[2],
                lambda fn, hp, i: fn(
                    hp.setup.X,
                    hp.forward.hidden_layer_outputs,
                    hp.forward.output_layer_outputs,
                    hp.setup.Y,
                    hp.setup.W2,
                    *i,
                ),
            ),
            _scalar_gradient("weights_1_update"),
        ),
        Reference(
            "backpropagation",
            "the whole backward pass: N dMSE/dO_out, N dMSE/dO_in, dMSE/dW2, N dMSE/dH_out, "
            "N dMSE/dH_in, dMSE/dW1",
            lambda fn, hp: components(
                fn(hp.setup.X, hp.setup.Y, hp.setup.W2, hp.forward),
                BACKPROP_IDS,
                "backpropagation's result",
            ),
            _backprop_targets(BACKPROP_IDS),
        ),
        Reference(
            "weights_update",
            "W - eta dMSE/dW for W1 and W2: the update uses the autodiff gradient",
            lambda fn, hp: components(
                fn(
                    hp.setup.W1,
                    hp.setup.W2,
                    hp.backward.weights_1_update,
                    hp.backward.weights_2_update,
                    hp.setup.eta,
                ),
                ("W1", "W2"),
                "weights_update's result",
            ),
            _update_targets,
        ),
        _value_reference(
            "accuracy",
            "share of rows where argmax O_out = argmax Y",
            lambda fn, hp: one(fn, hp.forward.output_layer_outputs, hp.setup.Y),
            lambda jr: _value(jr, **{"": (jr["value.accuracy"], 1.0)}),
        ),
    ]
    by_id = {reference.id: reference for reference in entries}
    in_catalogue = [i for i in CATALOGUE if i in by_id]
    return {i: by_id[i] for i in [*in_catalogue, *(i for i in by_id if i not in CATALOGUE)]}


REFERENCES: dict[str, Reference] = _references()
"""Equation id -> its :class:`Reference`, in the catalogue's order."""
