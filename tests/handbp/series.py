"""The series' own printed figures: the numbers its notebooks show, as the targets of tests.

The series ("Basics of Deep Learning", docs/SERIES.md) ran its code in Jupyter notebooks,
published at https://github.com/SebastianMantey/Deep-Learning-Tutorial (read at commit
a40e6f2). Each :class:`Printed` below is one output of one of those notebooks, copied as
printed, with the part it belongs to and the notebook cell that printed it; each
:class:`Reading` is a value read off one of its plots. Nothing here is computed: the
tests compute every figure with handbp and compare it with the series' text, to the
digits printed (:func:`assert_printed`). ``tests/test_series_figures.py`` checks that
every figure of this table is held by a test.

How a printed number is compared depends on how the notebook printed it:

- ``decimals=None``: Python's ``repr`` (``print`` of a float, ``pprint`` of lists): the
  shortest text that gives the float back, so every digit shown counts;
- ``decimals=8``: a NumPy array printed with NumPy's default options (at most 8
  fractional digits, trailing zeros dropped: ``5.3`` is 5.3 to 8 decimals);
- ``decimals=2``: ``round(x, 2)`` in an annotation of a plot (``4.8`` is 4.8 to 2
  decimals).

Every number in the text must then lie within half a unit of its last digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

NOTEBOOKS = "github.com/SebastianMantey/Deep-Learning-Tutorial@a40e6f2 notebooks/"
_NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?")


@dataclass(frozen=True)
class Printed:
    """One printed output of the series: its part, where it was printed, and the text."""

    part: str
    source: str  # notebook (under NOTEBOOKS) and cell
    text: str
    decimals: int | None = None  # None: the digits shown (Python's repr)

    def numbers(self) -> list[tuple[float, int]]:
        """Each number of the text with the decimals it is exact to."""
        found = []
        for token in _NUMBER.findall(self.text):
            shown = len(token.split("e")[0].partition(".")[2])
            found.append((float(token), shown if self.decimals is None else self.decimals))
        return found


@dataclass(frozen=True)
class Reading:
    """A value read off one of the series' plots, to the resolution of the reading."""

    part: str
    source: str
    value: float
    within: float  # how far off the reading may be (the plot's resolution)


def assert_printed(computed: ArrayLike, figure: Printed) -> None:
    """``computed`` shows as ``figure`` does: each entry within half a unit of its last digit."""
    values = np.ravel(np.asarray(computed, dtype=np.float64))
    numbers = figure.numbers()
    assert values.size == len(numbers), f"{values.size} values for the {len(numbers)} printed"
    for index, (value, (printed, decimals)) in enumerate(zip(values, numbers, strict=True)):
        # half a unit in the last digit (a hair more: the printed decimal is itself a double)
        allowed = 0.5 * 10.0**-decimals * (1 + 1e-9)
        assert abs(value - printed) <= allowed, (
            f"{figure.part}, {figure.source}: entry {index} is {value!r}, "
            f"printed {printed!r} ({decimals} decimals)"
        )


def assert_read(computed: float, reading: Reading) -> None:
    """``computed`` is what the plot shows, to the resolution of the reading."""
    assert abs(computed - reading.value) <= reading.within, (
        f"{reading.part}, {reading.source}: {computed!r}, read {reading.value} +- {reading.within}"
    )


# --- Parts 2-4: one node and the whole net in pure Python, the hand-picked weights ------
_PURE_1 = "01 - Feedforward with pure Python 1.ipynb"
_PURE_2 = "02 - Feedforward with pure Python 2.ipynb"
NODE_INPUT = Printed("part 2", f"{_PURE_1}, cell 8: print(node_input)", "5.21")
NODE_OUTPUT = Printed("part 2", f"{_PURE_1}, cell 8: step_function(node_input)", "1")
PURE_HIDDEN_INPUTS = Printed(
    "parts 3-4",
    f"{_PURE_2}, cell 13: pprint(hidden_layer_inputs)",
    """[[5.21, -1.6500000000000006],
 [2.3200000000000003, 3.4499999999999993],
 [0.38000000000000034, 5.299999999999999]]""",
)
PURE_HIDDEN_OUTPUTS = Printed(
    "parts 3-4", f"{_PURE_2}, cell 13: pprint(hidden_layer_outputs)", "[[1, 0], [1, 1], [0, 1]]"
)
PURE_OUTPUT_INPUTS = Printed(
    "parts 3-4",
    f"{_PURE_2}, cell 14: pprint(output_layer_inputs)",
    "[[2.0, 1.0, -1.0], [1.0, 2.0, 1.0], [-1.0, 1.0, 2.0]]",
)
PURE_OUTPUT_OUTPUTS = Printed(
    "parts 3-4",
    f"{_PURE_2}, cell 14: pprint(output_layer_outputs)",
    "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]",
)

# --- Part 5: the same with NumPy --------------------------------------------------------
_NUMPY = "03 - Feedforward with NumPy .ipynb"
NUMPY_NODE_INPUT = Printed(
    "part 5", f"{_NUMPY}, cell 11: print(np.dot(inputs, weights))", "5.210000000000001"
)
NUMPY_HIDDEN_INPUTS = Printed(
    "part 5",
    f"{_NUMPY}, cell 22: print(hidden_layer_inputs)",
    "[[ 5.21 -1.65] [ 2.32  3.45] [ 0.38  5.3 ]]",
    decimals=8,
)
NUMPY_HIDDEN_OUTPUTS = Printed(
    "part 5", f"{_NUMPY}, cell 22: hidden_layer_outputs", "[[1, 0], [1, 1], [0, 1]]", decimals=8
)
NUMPY_OUTPUT_INPUTS = Printed(
    "part 5",
    f"{_NUMPY}, cell 23: print(output_layer_inputs)",
    "[[ 2  1 -1] [ 1  2  1] [-1  1  2]]",
    decimals=8,
)
NUMPY_OUTPUT_OUTPUTS = Printed(
    "part 5",
    f"{_NUMPY}, cell 23: output_layer_outputs",
    "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]",
    decimals=8,
)
NUMPY_TRANSPOSED_ORDER = Printed(
    "part 5",
    f"{_NUMPY}, cell 31: np.dot(weights_1.T, inputs.T).T",
    "[[ 5.21, -1.65], [ 2.32,  3.45], [ 0.38,  5.3 ]]",
    decimals=8,
)

# --- Part 7: the learning-rate pictures, "Value of x at the last step: {round(x, 2)}" ------
_RATES = "helper notebooks/Effect of Learning Rate (blog post).ipynb"
LAST_X = {  # (eta, steps) -> the annotation of that picture
    (0.2, 10): Printed("part 7", f"{_RATES}, cell 7 (ideal)", "0.03", decimals=2),
    (0.002, 10): Printed("part 7", f"{_RATES}, cell 9 (too small)", "4.8", decimals=2),
    (0.002, 100): Printed("part 7", f"{_RATES}, cell 10 (too small)", "3.35", decimals=2),
    (0.002, 1000): Printed("part 7", f"{_RATES}, cell 11 (too small)", "0.09", decimals=2),
    (0.9, 10): Printed("part 7", f"{_RATES}, cell 13 (bigger)", "0.54", decimals=2),
    (1.1, 3): Printed("part 7", f"{_RATES}, cell 15 (too big)", "-8.64", decimals=2),
}

# The left-hand pictures: x after steps 1, 2 and 3, read off the dots on the parabola
# (about 0.15 on the x axis from -10 to 10; the 0.002 runs' dots overlap into a blob).
X_PATH = {
    (eta, steps): tuple(
        Reading("part 7", f"{_RATES}, cell {cell} (x per step)", x, 0.15) for x in xs
    )
    for (eta, steps), cell, xs in [
        ((0.2, 10), 7, (3.0, 1.8, 1.1)),
        ((0.9, 10), 13, (-4.0, 3.2, -2.55)),
        ((1.1, 3), 15, (-6.0, 7.2, -8.6)),
    ]
}

# The right-hand pictures: f(x) = x^2 at each step; its last value, read off the plot.
LAST_F = {
    (0.2, 10): Reading("part 7", f"{_RATES}, cell 7 (f per step)", 0.0, 0.1),
    (0.002, 10): Reading("part 7", f"{_RATES}, cell 9 (f per step)", 23.07, 0.03),
    (0.002, 100): Reading("part 7", f"{_RATES}, cell 10 (f per step)", 11.2, 0.2),
    (0.002, 1000): Reading("part 7", f"{_RATES}, cell 11 (f per step)", 0.0, 0.1),
    (0.9, 10): Reading("part 7", f"{_RATES}, cell 13 (f per step)", 0.3, 0.1),
    (1.1, 3): Reading("part 7", f"{_RATES}, cell 15 (f per step)", 74.6, 0.5),
}

# --- Part 13: one step on the three flowers with the seed-10 weights ---------------------
_STEP = "04 - Backpropagation with NumPy.ipynb"
STEP_X = Printed(
    "part 13",
    f"{_STEP}, cell 3: print(x)",
    "[[4.9 3.  1.4 0.2] [6.4 3.2 4.5 1.5] [5.8 2.7 5.1 1.9]]",
    decimals=8,
)
STEP_Y = Printed("part 13", f"{_STEP}, cell 3: print(y)", "[[1 0 0] [0 1 0] [0 0 1]]", 8)
MSE_BEFORE = Printed("part 13", f"{_STEP}, cell 11: mse", "0.13831126800831411")
MSE_AFTER = Printed("part 13", f"{_STEP}, cell 14: mse after the update", "0.1379749216970851")

# The slides' overview graphic of that step: the weights rounded to 1 decimal, every
# quantity rounded (to 2 decimals, 3 from the hidden error on) before it is used further.
_OVERVIEW = "helper notebooks/Calculations for Overview Graphic.ipynb"
OVERVIEW_DECIMALS = {
    "weights": 1,
    "hidden_layer_inputs": 2,
    "hidden_layer_outputs": 2,
    "output_layer_inputs": 2,
    "output_layer_outputs": 2,
    "output_layer_error": 2,
    "output_layer_delta": 2,
    "hidden_layer_error": 3,
    "hidden_layer_delta": 3,
    "weights_1_update": 3,
    "weights_2_update": 3,
}
OVERVIEW = {
    "W1": Printed(
        "part 13", f"{_OVERVIEW}, cell 9", "[[ 0.7 0.4] [-0.8 -0. ] [ 0.3 -0.4] [ 0.1 0.1]]", 8
    ),
    "W2": Printed("part 13", f"{_OVERVIEW}, cell 9", "[[ 0. -0.1 0.2] [ 0.6 -0.5 0.5]]", 8),
    "hidden_layer_inputs": Printed(
        "part 13", f"{_OVERVIEW}, cell 13", "[[1.47 1.42] [3.42 0.91] [3.62 0.47]]", 8
    ),
    "hidden_layer_outputs": Printed(
        "part 13", f"{_OVERVIEW}, cell 13", "[[0.81 0.81] [0.97 0.71] [0.97 0.62]]", 8
    ),
    "output_layer_inputs": Printed(
        "part 13",
        f"{_OVERVIEW}, cell 13",
        "[[ 0.49 -0.49 0.57] [ 0.43 -0.45 0.55] [ 0.37 -0.41 0.5 ]]",
        8,
    ),
    "output_layer_outputs": Printed(
        "part 13",
        f"{_OVERVIEW}, cell 13",
        "[[0.62 0.38 0.64] [0.61 0.39 0.63] [0.59 0.4 0.62]]",
        8,
    ),
    "output_layer_error": Printed(
        "part 13",
        f"{_OVERVIEW}, cell 14",
        "[[-0.38 0.38 0.64] [ 0.61 -0.61 0.63] [ 0.59 0.4 -0.38]]",
        8,
    ),
    "output_layer_delta": Printed(
        "part 13",
        f"{_OVERVIEW}, cell 14",
        "[[-0.09 0.09 0.15] [ 0.15 -0.15 0.15] [ 0.14 0.1 -0.09]]",
        8,
    ),
    "hidden_layer_error": Printed(
        "part 13",
        f"{_OVERVIEW}, cell 14",
        "[[ 0.021 -0.024] [ 0.045 0.24 ] [-0.028 -0.011]]",
        8,
    ),
    "hidden_layer_delta": Printed(
        "part 13",
        f"{_OVERVIEW}, cell 14",
        "[[ 0.003 -0.004] [ 0.001 0.049] [-0.001 -0.003]]",
        8,
    ),
    "weights_2_update": Printed(
        "part 13", f"{_OVERVIEW}, cell 15", "[[0.023 0.003 0.02 ] [0.013 0.003 0.019]]", 8
    ),
    "weights_1_update": Printed(
        "part 13",
        f"{_OVERVIEW}, cell 15",
        "[[0.002 0.031] [0.001 0.015] [0. 0.022] [0. 0.007]]",
        8,
    ),
    "mse": Printed("part 13", f"{_OVERVIEW}, cell 12: mse", "0.13844444444444445"),
}

# --- Part 14: the training runs -----------------------------------------------------------
_TRAIN = "05 - Train the Neural Net (blog post).ipynb"
TEST_ACCURACY = {  # preset -> the accuracy printed on the 20 test flowers
    "run1-15000": Printed("part 14", f"{_TRAIN}, cell 17: Accuracy", "0.95"),
    "run2-4-6-3": Printed("part 14", f"{_TRAIN}, cell 28: Accuracy", "0.9"),
}


def _curve(cell: int, value: float, within: float) -> Reading:
    return Reading("part 14", f"{_TRAIN}, cell {cell} (MSE and accuracy curves)", value, within)


# What the curves of the training set show, per epoch (0 = the first feedforward), read
# off the plots: MSE to about 0.002 (0.0005 on run 2's first plot, whose axis spans 0.111
# to 0.119), accuracy to about 0.01, epochs to about 1/50 of the axis.
CURVES = {
    "run1-1000": {
        "mse at the start": _curve(8, 0.139, 0.002),
        "mse at the end": _curve(8, 0.094, 0.002),
        "mse at epoch 200": _curve(8, 0.117, 0.002),
        "mse at epoch 400": _curve(8, 0.110, 0.002),
        "mse at epoch 600": _curve(8, 0.105, 0.002),
        "mse at epoch 800": _curve(8, 0.099, 0.002),
        "accuracy at the start": _curve(8, 0.33, 0.01),
        "epoch the accuracy first moves": _curve(8, 380, 20),
        "highest accuracy": _curve(8, 0.63, 0.01),
        "epoch of the highest accuracy": _curve(8, 530, 20),
        "lowest accuracy after it": _curve(8, 0.325, 0.01),
        "epoch of that lowest accuracy": _curve(8, 690, 20),
        "accuracy at the end": _curve(8, 0.63, 0.01),
    },
    "run1-10000": {
        "mse at the end": _curve(11, 0.057, 0.002),
        "highest accuracy": _curve(11, 0.99, 0.01),
        "epoch of the highest accuracy": _curve(11, 2850, 200),
        "accuracy at the end": _curve(11, 0.97, 0.01),
    },
    "run1-15000": {
        "mse at the end": _curve(14, 0.052, 0.002),
        "accuracy at the end": _curve(14, 0.985, 0.01),
    },
    "run2-4-2-3": {
        "mse at the start": _curve(22, 0.119, 0.0005),
        "mse at the end": _curve(22, 0.111, 0.0005),
        "accuracy at the start": _curve(22, 0.33, 0.01),
        "epoch the accuracy first moves": _curve(22, 1250, 300),
        "lowest accuracy": _curve(22, 0.06, 0.01),
        "accuracy at the end": _curve(22, 0.345, 0.01),
    },
    "run2-4-6-3": {
        "mse at the start": _curve(25, 0.113, 0.002),
        "mse at the end": _curve(25, 0.012, 0.002),
        "accuracy at the start": _curve(25, 0.345, 0.01),
        "epoch the accuracy reaches 0.97": _curve(25, 3000, 300),
        "epoch of its last rise": _curve(25, 8800, 300),
        "accuracy at the end": _curve(25, 0.985, 0.01),
    },
}
