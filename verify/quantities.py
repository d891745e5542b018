r"""The quantities of the series' net, and the JAX derivative each backprop quantity is.

JAX-free: the correspondence of SERIES.md ("What autodiff must agree
with"), in one place. Each of the six quantities of the backward pass (parts 11-12) is
the MSE's gradient with respect to one quantity of the forward map, N = ``Y.size`` times
it for the errors and deltas:

===================  =============================================
hand                 reference
===================  =============================================
``O_error``          :math:`N\,\partial\mathrm{MSE}/\partial O_{out}`
``O_delta``          :math:`N\,\partial\mathrm{MSE}/\partial O_{in}`
``W2_update``        :math:`\partial\mathrm{MSE}/\partial W_2`
``H_error``          :math:`N\,\partial\mathrm{MSE}/\partial H_{out}`
``H_delta``          :math:`N\,\partial\mathrm{MSE}/\partial H_{in}`
``W1_update``        :math:`\partial\mathrm{MSE}/\partial W_1`
===================  =============================================
"""

from __future__ import annotations

from dataclasses import dataclass

from handbp import network

FORWARD_IDS: tuple[str, ...] = network.FORWARD_IDS
"""The four quantities of the forward pass (``feedforward``'s result), in order."""


@dataclass(frozen=True)
class Gradient:
    """A backprop quantity as a gradient: of the MSE with respect to ``wrt``, times N or not."""

    wrt: str
    times_n: bool

    @property
    def quantity(self) -> str:
        """In words: ``"N dMSE/dO_out"`` or ``"dMSE/dW2"``."""
        return f"{'N ' if self.times_n else ''}dMSE/d{self.wrt}"


BACKPROP: dict[str, Gradient] = {
    "output_layer_error": Gradient("O_out", True),
    "output_layer_delta": Gradient("O_in", True),
    "weights_2_update": Gradient("W2", False),
    "hidden_layer_error": Gradient("H_out", True),
    "hidden_layer_delta": Gradient("H_in", True),
    "weights_1_update": Gradient("W1", False),
}
"""Each backprop quantity's gradient, in the order the backward pass computes them."""

BACKPROP_IDS: tuple[str, ...] = network.BACKWARD_IDS
"""The six quantities of the backward pass, in the order they are computed (parts 11-12)."""

if tuple(BACKPROP) != BACKPROP_IDS:  # the table describes exactly handbp's Backward fields
    raise ImportError(f"verify's BACKPROP {tuple(BACKPROP)} must list {BACKPROP_IDS} in order")
