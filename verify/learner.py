"""Running a learner's code: private copies of every input, and its errors kept apart.

The checker's own values (:class:`verify.hand.HandPass`) are read-only; learner code gets
:func:`private_pass`, writable copies of every array, so that a function that writes into
its arguments (``W1 -= eta * W1_update``, ``H_error *= ...``, both correct) neither fails
nor changes what later checks see. :meth:`PrivatePass.changed` says afterwards which
inputs it changed, for a note. :func:`guarded` wraps the learner's function so that what
it raises - even ``SystemExit`` - arrives as :class:`LearnerRaised`, told apart from an
error of the checker's handling of its result.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from handbp import network
from verify.hand import HandPass

SYMBOLS: dict[str, str] = {
    "hidden_layer_inputs": "H_in",
    "hidden_layer_outputs": "H_out",
    "output_layer_inputs": "O_in",
    "output_layer_outputs": "O_out",
    "output_layer_error": "O_error",
    "output_layer_delta": "O_delta",
    "weights_2_update": "W2_update",
    "hidden_layer_error": "H_error",
    "hidden_layer_delta": "H_delta",
    "weights_1_update": "W1_update",
}
"""The series' symbol of each forward and backward quantity (X, Y, W1, W2 are their own)."""


class LearnerRaised(Exception):
    """What the learner's function raised (any exception, ``SystemExit`` included)."""

    def __init__(self, error: BaseException, message: str) -> None:
        super().__init__(message)
        self.error = error


def describe_raised(error: BaseException) -> str:
    """``TypeError: message (at file.py:12, in function)`` for the frame that raised.

    ``SystemExit`` is said as such: a call of ``sys.exit`` in code under check.
    """
    frames = traceback.extract_tb(error.__traceback__)
    where = (
        f" (at {frames[-1].filename}:{frames[-1].lineno}, in {frames[-1].name})" if frames else ""
    )
    if isinstance(error, SystemExit):
        return f"SystemExit: it called sys.exit({error.code!r}){where}"
    return f"{type(error).__name__}: {error}{where}"


def guarded(function: Callable[..., Any], signature: str = "") -> Callable[..., Any]:
    """``function`` whose exceptions (``SystemExit`` too) arrive as :class:`LearnerRaised`.

    ``signature``: the arguments the checker calls it with, e.g. ``"(H_error, H_out)"``,
    named in the message when the function cannot take them. ``KeyboardInterrupt``
    passes through: the user stops the check.
    """

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # the learner's code: anything, even sys.exit
            message = describe_raised(error)
            if (
                isinstance(error, TypeError)
                and signature
                and not accepts(function, len(args))
                and not kwargs
            ):
                name = getattr(function, "__name__", "f")
                message = f"TypeError: {error}; it is called as {name}{signature}"
            raise LearnerRaised(error, message) from error

    return call


def accepts(function: Callable[..., Any], count: int) -> bool:
    """Whether ``function`` can be called with ``count`` positional arguments."""
    try:
        inspect.signature(function).bind(*range(count))
    except TypeError:
        return False
    except ValueError:  # no signature (a builtin): assume it can
        return True
    return True


@dataclass(frozen=True)
class PrivatePass:
    """Writable copies of a :class:`HandPass`'s arrays, for one call of learner code."""

    hand: HandPass
    originals: dict[str, np.ndarray]
    copies: dict[str, np.ndarray]

    def changed(self) -> list[str]:
        """The inputs (by symbol) whose copy the learner's code changed."""
        return [
            name
            for name, copy in self.copies.items()
            if not np.array_equal(copy, self.originals[name], equal_nan=True)
        ]


def _arrays(hp: HandPass) -> dict[str, np.ndarray]:
    s = hp.setup
    out = {"X": s.X, "Y": s.Y, "W1": s.W1, "W2": s.W2}
    for part in (hp.forward, hp.backward):
        out.update({SYMBOLS[k]: v for k, v in part.as_dict().items()})
    return out


def private_pass(hp: HandPass) -> PrivatePass:
    """A copy of ``hp`` whose every array is the learner's own (the samples are shared)."""
    originals = _arrays(hp)
    copies = {name: np.array(value, copy=True) for name, value in originals.items()}

    def rebuild(cls: type, part: Any) -> Any:
        return cls(**{k: copies[SYMBOLS[k]] for k in part.as_dict()})

    setup = replace(hp.setup, X=copies["X"], Y=copies["Y"], W1=copies["W1"], W2=copies["W2"])
    hand = HandPass(
        setup,
        rebuild(network.Forward, hp.forward),
        rebuild(network.Backward, hp.backward),
        hp.samples,
    )
    return PrivatePass(hand, originals, copies)


def changed_note(names: list[str]) -> str:
    """The note for a function that changed its inputs in place."""
    return (
        f"note: your function changed its input{'s' if len(names) > 1 else ''} "
        f"{', '.join(names)} in place; the checker gave it copies, but a caller that uses "
        f"{'them' if len(names) > 1 else 'it'} afterwards would see the change"
    )
