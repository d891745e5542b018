"""The catalogue: every equation id -> chapter, part or section, LaTeX, function.

This is the one place that ties the series' slides to handbp's code. Chapter 1 is the
series (:data:`CATALOGUE`, by part); chapter 2, "beyond the series" (:data:`BEYOND`, by
section: layers, activations, losses, initialisation), is any dense net in the same
discipline. The tests, the JAX verification and the tutorials all loop over the
catalogue, so an equation without a function, a check or a tutorial fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from handbp import (
    activations,
    descent,
    initialisation,
    layers,
    losses,
    network,
    nn,
    optimizers,
    pure,
    scalar,
)

_HEADLINE = re.compile(
    r"^(?:Parts? (?P<part>\d+)\S*|Chapter (?P<chapter>\d+) \((?P<section>[a-z ]+)\)), "
    r"``(?P<id>\w+)``: .*?:math:`(?P<latex>[^`]+)`"
)

CHAPTERS: dict[int, str] = {1: "the series", 2: "beyond the series"}
"""The catalogue's chapters."""


@dataclass(frozen=True)
class Equation:
    """One equation: its id, where it is taught, its LaTeX and the function computing it.

    The id, part (or chapter and section) and LaTeX are read from the first line of the
    function's docstring, ``Part N, ``id``: :math:`LaTeX` ...`` for the series (chapter
    1), ``Chapter 2 (section), ``id``: :math:`LaTeX` ...`` beyond it, so that a learner
    reading the function and the catalogue reads one text. ``symbol`` is the series' name
    for the quantity where it has one (``H_in``, ``O_delta``). ``part`` is None in
    chapter 2, ``section`` empty in chapter 1.
    """

    id: str
    part: int | None
    latex: str
    function: Callable[..., Any]
    symbol: str = ""
    chapter: int = 1
    section: str = ""

    @classmethod
    def of(cls, function: Callable[..., Any], symbol: str = "") -> Equation:
        """The entry of ``function``, from its docstring's first line."""
        headline = (function.__doc__ or "").strip().splitlines()[0]
        found = _HEADLINE.match(headline)
        if found is None or found["id"] != function.__name__:
            raise ValueError(
                f"{function.__module__}.{function.__qualname__}'s docstring must start "
                f"'Part N, ``{function.__name__}``: ... :math:`LaTeX`' or 'Chapter N "
                f"(section), ``{function.__name__}``: ...', got {headline!r}"
            )
        if found["part"] is not None:
            return cls(found["id"], int(found["part"]), found["latex"], function, symbol)
        chapter = int(found["chapter"])
        return cls(found["id"], None, found["latex"], function, symbol, chapter, found["section"])

    @property
    def qualified_name(self) -> str:
        """Where the function lives, e.g. ``handbp.network.hidden_layer_inputs``."""
        return f"{self.function.__module__}.{self.function.__qualname__}"


_ENTRIES: tuple[Equation, ...] = (
    # Part 2 - feedforward explained
    Equation.of(pure.weighted_sum),
    Equation.of(activations.step_function),
    Equation.of(network.hidden_layer_inputs, symbol="H_in"),
    Equation.of(network.hidden_layer_outputs, symbol="H_out"),
    Equation.of(network.output_layer_inputs, symbol="O_in"),
    Equation.of(network.output_layer_outputs, symbol="O_out"),
    # Parts 3-4 - feedforward in pure Python
    Equation.of(pure.layer_outputs),
    # Part 5 - feedforward with NumPy
    Equation.of(network.feedforward),
    # Part 6 - cost function and derivatives
    Equation.of(losses.mse, symbol="MSE"),
    Equation.of(descent.square),
    Equation.of(descent.square_derivative),
    # Part 7 - gradient descent
    Equation.of(descent.gradient_descent_step),
    # Part 8 - chain rule and activation function
    Equation.of(descent.chain_rule),
    Equation.of(activations.sigmoid),
    Equation.of(activations.sigmoid_derivative),
    # Part 9 - backpropagation with scalars
    Equation.of(scalar.output_node_input),
    # Part 10 - the three scalar factors
    Equation.of(scalar.dmse_do_out),
    Equation.of(scalar.do_out_do_in),
    Equation.of(scalar.do_in_dw2),
    Equation.of(scalar.dmse_dw2_scalar),
    # Part 11 - matrix form for W2
    Equation.of(network.output_layer_error, symbol="O_error"),
    Equation.of(network.output_layer_delta, symbol="O_delta"),
    Equation.of(network.weights_2_update, symbol="W2_update"),
    # Part 12 - matrix form for W1
    Equation.of(network.hidden_layer_error, symbol="H_error"),
    Equation.of(network.hidden_layer_delta, symbol="H_delta"),
    Equation.of(network.weights_1_update, symbol="W1_update"),
    Equation.of(scalar.dmse_dw1_scalar),
    # Part 13 - backpropagation with NumPy
    Equation.of(network.backpropagation),
    Equation.of(network.weights_update),
    # Part 14 - training
    Equation.of(losses.accuracy),
)

CATALOGUE: dict[str, Equation] = {entry.id: entry for entry in _ENTRIES}
"""Chapter 1: every equation id of the series -> :class:`Equation`, in the series' order."""

_BEYOND: tuple[Equation, ...] = (
    # Layers: biases and any depth
    Equation.of(layers.layer_l_inputs, symbol="Z_l"),
    Equation.of(layers.layer_l_outputs, symbol="A_l"),
    Equation.of(layers.layer_l_error, symbol="E_l"),
    Equation.of(layers.layer_l_delta, symbol="D_l"),
    Equation.of(layers.weights_l_update, symbol="dW_l"),
    Equation.of(layers.bias_l_update, symbol="db_l"),
    Equation.of(nn.feedforward_net),
    Equation.of(nn.backpropagation_net),
    Equation.of(nn.parameters_update),
    # Activations and their derivatives
    Equation.of(activations.tanh),
    Equation.of(activations.tanh_derivative),
    Equation.of(activations.relu),
    Equation.of(activations.relu_derivative),
    Equation.of(activations.leaky_relu),
    Equation.of(activations.leaky_relu_derivative),
    Equation.of(activations.softmax),
    Equation.of(activations.softmax_jvp),
    # Losses, their output errors, stable forms and fused deltas
    Equation.of(losses.mse_error, symbol="E_L"),
    Equation.of(losses.binary_cross_entropy, symbol="BCE"),
    Equation.of(losses.binary_cross_entropy_error, symbol="E_L"),
    Equation.of(losses.sigmoid_binary_cross_entropy, symbol="BCE"),
    Equation.of(losses.sigmoid_binary_cross_entropy_delta, symbol="D_L"),
    Equation.of(losses.cross_entropy, symbol="CE"),
    Equation.of(losses.cross_entropy_error, symbol="E_L"),
    Equation.of(losses.log_sum_exp),
    Equation.of(losses.softmax_cross_entropy, symbol="CE"),
    Equation.of(losses.softmax_cross_entropy_delta, symbol="D_L"),
    # Initialisation
    Equation.of(initialisation.glorot_uniform),
    Equation.of(initialisation.he_normal),
    # Optimizers
    Equation.of(optimizers.sgd_step),
    Equation.of(optimizers.weight_decay),
    Equation.of(optimizers.momentum_velocity),
    Equation.of(optimizers.momentum_update),
    Equation.of(optimizers.adam_first_moment),
    Equation.of(optimizers.adam_second_moment),
    Equation.of(optimizers.adam_bias_correction),
    Equation.of(optimizers.adam_step),
    Equation.of(optimizers.adam_update),
)

BEYOND: dict[str, Equation] = {entry.id: entry for entry in _BEYOND}
"""Chapter 2, beyond the series: equation id -> :class:`Equation`, by section."""

SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(entry.section for entry in _BEYOND))
"""Chapter 2's sections, in order."""


PARTS = range(1, 15)
"""The series' 14 parts."""


def equation(equation_id: str) -> Equation:
    """The catalogue entry for ``equation_id`` (either chapter); a ``ValueError`` if unknown."""
    if not isinstance(equation_id, str):
        raise TypeError(f"equation_id must be a str like 'hidden_layer_delta', got {equation_id!r}")
    found = CATALOGUE.get(equation_id) or BEYOND.get(equation_id)
    if found is None:
        raise ValueError(
            f"unknown equation id {equation_id!r}; `handbp equations` lists the "
            f"{len(CATALOGUE) + len(BEYOND)} known ids"
        )
    return found


def by_section(section: str) -> Iterator[Equation]:
    """Chapter 2's entries of one section (:data:`SECTIONS`), in order."""
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}; expected one of {', '.join(SECTIONS)}")
    return (entry for entry in _BEYOND if entry.section == section)


def by_part(part: int) -> Iterator[Equation]:
    """The catalogue entries of one part of the series (1 to 14; none for some), in order."""
    if isinstance(part, bool) or not isinstance(part, Integral):
        raise TypeError(f"part must be an integer (a part of the series), got {part!r}")
    if part not in PARTS:
        raise ValueError(f"part must be a part of the series, 1 to {PARTS[-1]}, got {part}")
    return (entry for entry in _ENTRIES if entry.part == part)
