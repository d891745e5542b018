"""handbp's side of a check: its forward and backward pass on a net, and the net's samples.

The values here are the inputs of every hand function: a check of one equation gives it
handbp's own upstream values, so that it tests that one equation. NumPy only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from handbp import network
from verify.sampling import Sample, sample_entries
from verify.setups import Setup


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

    def sample(self, name: str, choose: Callable[[], Sample]) -> Sample:
        """The net's sample ``name``: ``choose()`` the first time it is asked for, then kept.

        Checks that ask for the same name compare the same entries (``dmse_dw1_scalar``
        is checked where JAX differentiates ``W1`` one entry at a time).
        """
        if name not in self.samples:
            self.samples[name] = choose()
        return self.samples[name]

    def weight_sample(self, name: str) -> Sample:
        """The entries of ``W1`` or ``W2`` that JAX differentiates one at a time (forward
        mode, differences): where handbp's update is largest, the corners, random ones."""
        update = {"W1": "weights_1_update", "W2": "weights_2_update"}[name]
        return self.sample(name, lambda: sample_entries(name, getattr(self.backward, update)))


def _read_only(array: np.ndarray) -> np.ndarray:
    out = np.array(array, copy=True)
    out.flags.writeable = False
    return out


def hand_pass(setup: Setup) -> HandPass:
    """Run handbp's feedforward and backpropagation on ``setup``.

    Every array of the result is a read-only copy: the checker's state cannot be changed
    by code it hands them to (learner code gets :func:`verify.learner.private_pass`).
    """
    setup = replace(
        setup,
        X=_read_only(setup.X),
        Y=_read_only(setup.Y),
        W1=_read_only(setup.W1),
        W2=_read_only(setup.W2),
    )
    forward = network.feedforward(setup.X, setup.W1, setup.W2)
    backward = network.backpropagation(setup.X, setup.Y, setup.W2, forward)
    return HandPass(
        setup,
        network.Forward(*(_read_only(v) for v in forward.as_dict().values())),
        network.Backward(*(_read_only(v) for v in backward.as_dict().values())),
    )
