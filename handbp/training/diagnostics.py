"""What went wrong in a run, in words a learner understands, and what to try.

Computed from the run itself, epoch by epoch:

- **saturated layers**: the share of a sigmoid layer's outputs within 0.01 of 0 or 1
  (of a tanh layer's, within 0.01 of -1 or 1), where the slope :math:`a(1 - a)` (or
  :math:`1 - a^2`) is below 0.01 and almost no gradient passes; for a ReLU layer, the
  share of its nodes that are *dead*: 0 for every training example, so their weights get
  no gradient at all (:func:`saturation`);
- **exploding gradients**: a layer's weight-gradient norm times the learning rate at least
  :attr:`Diagnostics.exploding` times the norm of its weights (a plain gradient step
  bigger than the weights themselves; healthy runs measured 0.01 or less);
- **vanishing gradients**: a layer's weight-gradient norm below :attr:`Diagnostics.vanishing`
  times the largest layer's, in a net with sigmoid or tanh hidden layers (whose slopes,
  at most 1/4 for a sigmoid, multiply the gradient once per layer on its way down);
- **a loss that stops falling**: the training loss improved by less than
  :attr:`Diagnostics.stall_tolerance` (relative) over the last ``stall_window`` epochs while
  the training accuracy is below :attr:`Diagnostics.solved`.

NaN/inf and a runaway loss stop training (:class:`~handbp.training.Divergence`); they are
findings too. Each finding is reported once, at the first epoch it shows, with the layer
and a suggestion; :class:`Watcher` collects them while a run goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from handbp.checks import finite_real, positive_int
from handbp.layers import ACTIVATIONS

STUCK = 0.01
"""How close to its limits (0/1 for a sigmoid, -1/1 for tanh) an output counts as saturated."""


def saturation(activations: Sequence[str], outputs: Sequence[np.ndarray]) -> np.ndarray:
    """Per layer: the share of saturated outputs (sigmoid, tanh) or of dead nodes (ReLU).

    ``outputs[l]`` is layer ``l + 1``'s :math:`A_l` on the training data. NaN for the
    layers where the idea does not apply (softmax, leaky ReLU).
    """
    if len(activations) != len(outputs):
        raise ValueError(
            f"saturation needs one output per activation, got {len(activations)} activations "
            f"and {len(outputs)} outputs"
        )
    unknown = [name for name in activations if name not in ACTIVATIONS]
    if unknown:
        raise ValueError(f"activations must be among {', '.join(ACTIVATIONS)}, got {unknown[0]!r}")
    shares = np.full(len(activations), np.nan)
    for layer, (name, A) in enumerate(zip(activations, outputs, strict=True)):
        if name == "sigmoid":
            shares[layer] = np.mean((A < STUCK) | (A > 1 - STUCK))
        elif name == "tanh":
            shares[layer] = np.mean(np.abs(A) > 1 - STUCK)
        elif name == "relu":
            shares[layer] = np.mean(np.all(A <= 0, axis=0))
    return shares


@dataclass(frozen=True)
class Finding:
    """One diagnosis: its ``kind``, the first ``epoch`` it showed, the ``layer`` (1..L) if any."""

    kind: str
    epoch: int
    layer: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """For ``summary.json``."""
        return {
            "kind": self.kind,
            "epoch": self.epoch,
            "layer": self.layer,
            "message": self.message,
        }


@dataclass(frozen=True)
class Diagnosis:
    """What :class:`Watcher` saw: the findings and, per epoch and layer, the figures behind them.

    ``saturation[e, l]`` is :func:`saturation` of layer ``l + 1`` after epoch ``e``;
    ``gradient_norm[e, l]`` the Frobenius norm of its weight gradient during epoch ``e``
    (the root mean square over the epoch's mini-batches).
    """

    findings: tuple[Finding, ...]
    saturation: np.ndarray
    gradient_norm: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """For ``summary.json``: the findings and the last epoch's figures per layer."""

        def last(values: np.ndarray) -> list[float | None]:
            if values.shape[0] == 0:
                return []
            return [None if not np.isfinite(v) else float(v) for v in values[-1]]

        return {
            "findings": [finding.as_dict() for finding in self.findings],
            "last_epoch": {
                "saturated_share": last(self.saturation),
                "gradient_norm": last(self.gradient_norm),
            },
        }


@dataclass(frozen=True)
class Diagnostics:
    """The thresholds of the diagnostics (defaults measured on healthy and broken runs)."""

    saturated: float = 0.9
    dead: float = 0.5
    exploding: float = 1.0
    vanishing: float = 1e-2
    stall_window: int | None = None
    stall_tolerance: float = 1e-3
    solved: float = 0.99

    def __post_init__(self) -> None:
        for name in ("saturated", "dead", "vanishing", "solved", "stall_tolerance"):
            value = finite_real(getattr(self, name), f"Diagnostics.{name}", positive=True)
            if value >= 1 and name != "stall_tolerance":
                raise ValueError(f"Diagnostics.{name} must be a share in (0, 1), got {value}")
        finite_real(self.exploding, "Diagnostics.exploding", positive=True)
        if self.stall_window is not None:
            positive_int(self.stall_window, "Diagnostics.stall_window")

    def window(self, epochs: int) -> int:
        """The stall window for a run of ``epochs``: ``stall_window``, or a tenth of the run (>= 5)."""
        return self.stall_window or max(5, epochs // 10)


@dataclass
class Watcher:
    """Watches a run epoch by epoch (or block by block) and collects its findings."""

    activations: tuple[str, ...]
    widths: tuple[int, ...]
    eta: float
    epochs: int
    thresholds: Diagnostics = field(default_factory=Diagnostics)
    findings: list[Finding] = field(default_factory=list)
    saturation: list[np.ndarray] = field(default_factory=list)
    gradient_norm: list[np.ndarray] = field(default_factory=list)
    epochs_seen: list[int] = field(default_factory=list)

    def _found(self, kind: str, layer: int | None) -> bool:
        return any(f.kind == kind and f.layer == layer for f in self.findings)

    def _add(self, kind: str, epoch: int, layer: int | None, message: str) -> Finding | None:
        if self._found(kind, layer):
            return None
        finding = Finding(kind, epoch, layer, message)
        self.findings.append(finding)
        return finding

    def _name(self, layer: int) -> str:
        return f"layer {layer} ({self.activations[layer - 1]}, {self.widths[layer]} nodes)"

    def observe(
        self,
        epoch: int,
        saturated: np.ndarray,
        gradient_norm: np.ndarray,
        weight_norm: np.ndarray,
        loss: np.ndarray,
        accuracy: float,
    ) -> list[Finding]:
        """Look at epoch ``epoch``: its layers' figures and the training loss so far.

        ``saturated`` is :func:`saturation` per layer, ``gradient_norm`` and
        ``weight_norm`` the Frobenius norms of each layer's weight gradient and weights.

        Returns the findings new at this epoch (each kind and layer is reported once).
        """
        t, eta, smaller = self.thresholds, self.eta, f"eta = {self.eta / 10:g}"
        self.saturation.append(np.asarray(saturated, float))
        self.gradient_norm.append(np.asarray(gradient_norm, float))
        self.epochs_seen.append(epoch)
        new: list[Finding | None] = []
        hidden_saturates = any(name in ("sigmoid", "tanh") for name in self.activations[:-1])
        for layer, (name, share) in enumerate(
            zip(self.activations, saturated, strict=True), start=1
        ):
            if name in ("sigmoid", "tanh") and share >= t.saturated:
                limits = "0 or 1" if name == "sigmoid" else "-1 or 1"
                slope = "a(1 - a)" if name == "sigmoid" else "1 - a^2"
                new.append(
                    self._add(
                        "saturated",
                        epoch,
                        layer,
                        f"{self._name(layer)} is saturated: {share:.0%} of its outputs are "
                        f"within {STUCK} of {limits}, where its slope {slope} is below "
                        f"{STUCK} and almost no gradient passes. Try a smaller learning "
                        f"rate ({smaller} instead of {eta:g}) or ReLU hidden layers",
                    )
                )
            elif name == "relu" and share >= t.dead:
                new.append(
                    self._add(
                        "dead_relu",
                        epoch,
                        layer,
                        f"{self._name(layer)}: {share:.0%} of its nodes are dead (0 for every "
                        f"training example), so their weights get no gradient and never "
                        f"recover. Try a smaller learning rate ({smaller} instead of "
                        f"{eta:g}) or leaky_relu",
                    )
                )
        largest = np.max(gradient_norm) if np.all(np.isfinite(gradient_norm)) else np.nan
        for layer, (norm, size) in enumerate(zip(gradient_norm, weight_norm, strict=True), start=1):
            step = eta * norm
            if np.isfinite(step) and size > 0 and step >= t.exploding * size:
                new.append(
                    self._add(
                        "exploding_gradient",
                        epoch,
                        layer,
                        f"{self._name(layer)}: its gradient norm {norm:.3g} times the learning "
                        f"rate {eta:g} is {step / size:.3g} times the norm of its weights "
                        f"({size:.3g}): each step would throw the weights far from where they "
                        f"were, the updates explode. Try a smaller learning rate ({smaller} "
                        f"instead of {eta:g})",
                    )
                )
            if hidden_saturates and largest > 0 and norm < t.vanishing * largest:
                new.append(
                    self._add(
                        "vanishing_gradient",
                        epoch,
                        layer,
                        f"{self._name(layer)}: its gradient norm {norm:.3g} is {norm / largest:.2g} "
                        f"times the largest layer's ({largest:.3g}): the gradient vanishes on "
                        f"its way down, each sigmoid or tanh layer above multiplying it by "
                        f"its slope (at most 0.25 for a sigmoid), so this layer barely "
                        f"learns. Try ReLU hidden layers or fewer layers",
                    )
                )
        window = t.window(self.epochs)
        if epoch >= window and accuracy < t.solved and np.isfinite(loss[epoch - window]):
            before, now = loss[epoch - window], np.min(loss[epoch - window + 1 : epoch + 1])
            gain = (before - now) / before if before > 0 else 0.0
            if gain < t.stall_tolerance:
                new.append(
                    self._add(
                        "stalled",
                        epoch,
                        None,
                        f"the training loss stopped falling: it improved by {max(gain, 0):.2g} "
                        f"(relative) over the last {window} epochs, to {loss[epoch]:.4g}, with "
                        f"a training accuracy of {accuracy:.3f}. If a layer above is saturated "
                        f"or dead, fix that first (a smaller learning rate); otherwise try a "
                        f"larger learning rate, Adam or a wider net",
                    )
                )
        return [finding for finding in new if finding is not None]

    def diverged(self, epoch: int, message: str, kind: str) -> Finding | None:
        """Record a divergence (NaN/inf or a runaway loss) that stopped the run."""
        return self._add("non_finite" if kind == "non-finite" else "runaway", epoch, None, message)

    def diagnosis(self) -> Diagnosis:
        """The findings and figures so far."""
        layers = len(self.activations)
        return Diagnosis(
            tuple(self.findings),
            np.array(self.saturation).reshape(-1, layers),
            np.array(self.gradient_norm).reshape(-1, layers),
        )
