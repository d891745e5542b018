"""The page of common mistakes: each a wrong line of code and what the checker says about it.

Each mistake is one line of a correct implementation replaced by a wrong one. The build
makes the wrong function from that source, runs ``verify``'s checker on it
(:func:`verify.check_backprop` or :func:`verify.check_function`) and prints the checker's
own diagnosis, so the page cannot say what the checker no longer says. The correct
implementations are checked too: a template that failed would stop the build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import verify

BACKPROP = """\
def backpropagation(X, Y, W2, forward):
    H_in, H_out = forward.hidden_layer_inputs, forward.hidden_layer_outputs
    O_in, O_out = forward.output_layer_inputs, forward.output_layer_outputs
    N = Y.size
    O_error = O_out - Y
    O_delta = O_error * O_out * (1 - O_out)
    W2_update = H_out.T @ O_delta / N
    H_error = O_delta @ W2.T
    H_delta = H_error * H_out * (1 - H_out)
    W1_update = X.T @ H_delta / N
    return (O_error, O_delta, W2_update, H_error, H_delta, W1_update)
"""
"""A learner's backpropagation, written plainly: the template of the backward mistakes."""

FUNCTIONS = {
    "mse": "def mse(O_out, Y):\n    return np.sum((O_out - Y) ** 2) / (2 * Y.size)\n",
    "sigmoid_derivative": "def sigmoid_derivative(s):\n    return s * (1 - s)\n",
    "gradient_descent_step": (
        "def gradient_descent_step(x, gradient, eta):\n    return x - eta * gradient\n"
    ),
    "weights_update": (
        "def weights_update(W1, W2, W1_update, W2_update, eta):\n"
        "    return W1 - eta * W1_update, W2 - eta * W2_update\n"
    ),
    "accuracy": (
        "def accuracy(O_out, Y):\n"
        "    return np.mean(np.argmax(O_out, axis=1) == np.argmax(Y, axis=1))\n"
    ),
}
"""Correct one-line functions for catalogue entries: the templates of the other mistakes."""


@dataclass(frozen=True)
class Mistake:
    """One wrong line in place of a right one, in the template of ``equation_id``."""

    title: str
    equation_id: str
    right: str
    wrong: str

    @property
    def template(self) -> str:
        """The correct source this mistake changes."""
        return BACKPROP if self.equation_id == "backpropagation" else FUNCTIONS[self.equation_id]

    def source(self, right: bool = False) -> str:
        """The template with the wrong line in place of the right one (or the template)."""
        if self.template.count(self.right) != 1:
            raise ValueError(f"{self.title}: {self.right!r} is not one line of the template")
        return self.template if right else self.template.replace(self.right, self.wrong)

    def lines(self) -> tuple[str, str]:
        """The whole right line of the template and the wrong line in its place."""
        right = next(line for line in self.source(right=True).splitlines() if self.right in line)
        return right.strip(), right.replace(self.right, self.wrong).strip()


MISTAKES: tuple[Mistake, ...] = (
    Mistake("The error the wrong way round", "backpropagation", "O_out - Y", "Y - O_out"),
    Mistake(
        "The sigmoid's derivative from the layer's input",
        "backpropagation",
        "O_error * O_out * (1 - O_out)",
        "O_error * O_in * (1 - O_in)",
    ),
    Mistake(
        "The activation's derivative left out",
        "backpropagation",
        "H_error * H_out * (1 - H_out)",
        "H_error",
    ),
    Mistake(
        "Dividing by the number of flowers instead of N",
        "backpropagation",
        "H_out.T @ O_delta / N",
        "H_out.T @ O_delta / Y.shape[0]",
    ),
    Mistake("Forgetting the 1/N", "backpropagation", "H_out.T @ O_delta / N", "H_out.T @ O_delta"),
    Mistake(
        "The product in the wrong order",
        "backpropagation",
        "H_out.T @ O_delta / N",
        "O_delta.T @ H_out / N",
    ),
    Mistake(
        "The hidden layer's input where its output belongs",
        "backpropagation",
        "H_out.T @ O_delta / N",
        "H_in.T @ O_delta / N",
    ),
    Mistake(
        "Sending the error back instead of the delta",
        "backpropagation",
        "O_delta @ W2.T",
        "O_error @ W2.T",
    ),
    Mistake("The MSE without its 1/2", "mse", "/ (2 * Y.size)", "/ Y.size"),
    Mistake(
        "The sigmoid applied twice in its derivative",
        "sigmoid_derivative",
        "return s * (1 - s)",
        "return 1 / (1 + np.exp(-s)) * (1 - 1 / (1 + np.exp(-s)))",
    ),
    Mistake(
        "Climbing the slope", "gradient_descent_step", "x - eta * gradient", "x + eta * gradient"
    ),
    Mistake(
        "No learning rate",
        "weights_update",
        "W1 - eta * W1_update, W2 - eta * W2_update",
        "W1 - W1_update, W2 - W2_update",
    ),
    Mistake("A count instead of a share", "accuracy", "np.mean(", "np.sum("),
)
"""The mistakes on the page, in the order of the series."""


def compile_function(source: str) -> Callable[..., Any]:
    """The one function defined by ``source`` (with NumPy as ``np``)."""
    namespace: dict[str, Any] = {"np": np}
    exec(compile(source, "<mistake>", "exec"), namespace)
    functions = [value for name, value in namespace.items() if name != "np" and callable(value)]
    if len(functions) != 1:
        raise ValueError(f"a template must define one function, got {len(functions)}")
    return functions[0]


@dataclass(frozen=True)
class Diagnosed:
    """What the checker said about one mistake: the first wrong quantity and why."""

    mistake: Mistake
    quantity: str
    name: str
    diagnosis: str


def diagnose(mistake: Mistake) -> Diagnosed:
    """Run the checker on the wrong function; its first failure and diagnosis."""
    function = compile_function(mistake.source())
    if mistake.equation_id == "backpropagation":
        report = verify.check_backprop(function)
        failure = report.first_failure
    else:
        failure = verify.check_function(mistake.equation_id, function)
    if failure is None or failure.passed or failure.diagnosis is None:
        raise ValueError(f"the checker passes the mistake {mistake.title!r}: drop it or fix it")
    return Diagnosed(mistake, failure.id, failure.mistake or "", failure.diagnosis)


def check_templates() -> None:
    """Raise unless every correct template passes its check (the page compares with them)."""
    if not verify.check_backprop(compile_function(BACKPROP)).passed:
        raise ValueError("the backpropagation template fails its check")
    for equation_id, source in FUNCTIONS.items():
        if not verify.check_function(equation_id, compile_function(source)).passed:
            raise ValueError(f"the template of {equation_id} fails its check")


def mistakes_page() -> str:
    """The page: for each mistake, the right line, the wrong line and the diagnosis."""
    check_templates()
    lines = [
        "# Common mistakes, and what the checker says",
        "",
        "Each section below takes a correct implementation, puts one wrong line in place of",
        "the right one, and shows what `verify`'s checker (`handbp check`, or",
        "`verify.check_backprop` / `verify.check_function` in Python) says about it. The",
        "checker ran on these wrong functions when the site was built: its words here are its",
        "words today. The correct implementations they start from pass the same checks.",
        "",
        "The backward mistakes change one line of this backpropagation:",
        "",
        "```python",
        BACKPROP.rstrip(),
        "```",
    ]
    for found in map(diagnose, MISTAKES):
        mistake = found.mistake
        right, wrong = mistake.lines()
        where = (
            "in the backpropagation above"
            if mistake.equation_id == "backpropagation"
            else f"in `{mistake.equation_id}`"
        )
        lines += [
            "",
            f"## {mistake.title}",
            "",
            f"Wrong, {where}:",
            "",
            "```python",
            wrong,
            "```",
            "",
            "Right:",
            "",
            "```python",
            right,
            "```",
            "",
            f"The checker: the first wrong quantity is `{found.quantity}`, mistake `{found.name}`:",
            "",
            f"> {found.diagnosis}",
        ]
    return "\n".join(lines) + "\n"
