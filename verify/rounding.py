"""JAX's results on a net, and the rounding model that says how far a hand value may be.

:class:`JaxResults` holds the arrays of :func:`verify.jaxnet.reference_arrays` for one
net and builds the :class:`~verify.compare.Target` of each quantity: the reference
value, its rounding magnitude :math:`M` (a first-order forward error bound divided by
eps, :attr:`JaxResults.magnitudes`), and for finite differences their own error
(:meth:`JaxResults.fd_noise`). :mod:`verify.compare` turns those into the allowances.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from handbp.equations import CATALOGUE
from verify import executables
from verify._jax import jax
from verify.compare import ROUNDING_FACTOR, Target, eps, finite_difference_step
from verify.hand import HandPass
from verify.jaxnet import METHOD_KEYS, reference_arrays
from verify.quantities import BACKPROP
from verify.setups import Setup


@dataclass
class JaxResults:
    """The arrays JAX computed for a setup (NumPy), and the magnitudes that bound rounding."""

    setup: Setup
    hand: HandPass
    arrays: dict[str, np.ndarray]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]

    @property
    def N(self) -> int:
        return self.setup.N

    def gradient(self, wrt: str, method: str) -> np.ndarray:
        """:math:`\\partial\\mathrm{MSE}/\\partial` ``wrt`` by ``method``."""
        return self.arrays[f"{METHOD_KEYS[method]}.{wrt}"]

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
        wrt, times_n = BACKPROP[equation_id].wrt, BACKPROP[equation_id].times_n
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
            self.arrays[f"{METHOD_KEYS[method]}.d{name}"],
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
    arrays = jax.device_get(executables.run(reference_arrays, (inputs,), "reference_arrays"))
    return JaxResults(s, hand, {k: np.asarray(v) for k, v in arrays.items()})
