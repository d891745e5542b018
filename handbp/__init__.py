"""handbp: the hand-derived backpropagation of the 'Basics of Deep Learning' series.

NumPy only. One function per slide equation, named by the equation's id; the catalogue
in :mod:`handbp.equations` maps every id to its part, LaTeX and function. The package
``verify`` proves each of them against JAX autodiff.
"""

from handbp.checks import unchecked
from handbp.equations import CATALOGUE, Equation, equation
from handbp.network import Backward, Forward, Weights, backpropagation, feedforward

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "Backward",
    "Equation",
    "Forward",
    "Weights",
    "__version__",
    "backpropagation",
    "equation",
    "feedforward",
    "unchecked",
]
