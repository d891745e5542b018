r"""For each equation id of the catalogue, the same quantity computed independently with JAX.

The JAX side is :mod:`verify.jaxnet` (the series' net in ``jax.numpy``, and its
derivatives three ways: ``reverse``, ``forward``, ``finite_differences``); the rounding
model that says how far a hand value may be is :mod:`verify.rounding`; handbp's side is
:mod:`verify.hand`. Each entry's :class:`~verify.entries.Reference` - how its hand value
is computed, its targets, its known mistakes - is in :mod:`verify.table`. This module
puts them in the catalogue's order, and gathers the names the rest of verify uses.

Derivatives are checked against JAX three ways; forward maps (``weighted_sum``,
``feedforward``, ``mse``, ``accuracy`` ...) have one reference, ``value``: the same value
computed by the JAX forward map. Each entry's hand value is computed from handbp's own
upstream values, so a check tests that one equation; ``feedforward`` and
``backpropagation`` compare whole passes. The six backprop quantities are the MSE's
gradients of :data:`verify.quantities.BACKPROP` (SERIES.md's table).
"""

from __future__ import annotations

from handbp.equations import CATALOGUE
from verify.entries import Reference, components
from verify.hand import HandPass, hand_pass
from verify.quantities import BACKPROP_IDS, FORWARD_IDS
from verify.rounding import JaxResults, jax_results
from verify.table import backprop, derivatives, forward

__all__ = [
    "BACKPROP_IDS",
    "FORWARD_IDS",
    "REFERENCES",
    "HandPass",
    "JaxResults",
    "Reference",
    "components",
    "hand_pass",
    "jax_results",
]


def _in_catalogue_order(entries: list[Reference]) -> dict[str, Reference]:
    by_id = {reference.id: reference for reference in entries}
    if len(by_id) != len(entries):
        raise ValueError("two references share an equation id")
    in_catalogue = [i for i in CATALOGUE if i in by_id]
    return {i: by_id[i] for i in [*in_catalogue, *(i for i in by_id if i not in CATALOGUE)]}


REFERENCES: dict[str, Reference] = _in_catalogue_order(
    [*forward.ENTRIES, *derivatives.ENTRIES, *backprop.ENTRIES]
)
"""Equation id -> its :class:`~verify.entries.Reference`, in the catalogue's order."""
