"""verify: every hand-derived equation of handbp proven against JAX autodiff.

``import verify`` is cheap: JAX is imported (with 64-bit floats switched on) the first
time one of the names below that needs it is used, so that ``handbp step`` and
:mod:`verify.strategies` work without loading JAX.

* :func:`check_equation` - one catalogue entry on one net -> :class:`EquationCheck`
* :func:`verify_all` - the whole catalogue on several nets -> :class:`Report`
* :func:`check_backprop`, :func:`assert_backprop` - a learner's backpropagation
* :func:`check_function`, :func:`assert_function` - a learner's function for one entry
* :func:`check_layer` - any layer: a learner's backward against JAX's derivative of
  their own forward
* :func:`check_net`, :func:`assert_net` - a whole general net's backward pass
  (:class:`handbp.nn.Net`), node by node -> :class:`NetReport`
* :mod:`verify.strategies` - hypothesis strategies for nets, data and weights
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verify import strategies
    from verify.checker import (
        BackpropReport,
        QuantityCheck,
        assert_backprop,
        assert_function,
        check_backprop,
        check_function,
    )
    from verify.compare import TOLERANCES, MethodError
    from verify.layer_check import LayerCheck, check_layer
    from verify.net_check import assert_net, check_net
    from verify.net_table import NetReport
    from verify.references import REFERENCES
    from verify.report import EquationCheck, Report, check_equation, verify_all
    from verify.setups import Setup, random_setup, series_setup

_LAZY: dict[str, str] = {
    "check_equation": "verify.report",
    "verify_all": "verify.report",
    "EquationCheck": "verify.report",
    "Report": "verify.report",
    "check_backprop": "verify.checker",
    "assert_backprop": "verify.checker",
    "check_function": "verify.checker",
    "assert_function": "verify.checker",
    "BackpropReport": "verify.checker",
    "QuantityCheck": "verify.checker",
    "MethodError": "verify.compare",
    "check_layer": "verify.layer_check",
    "LayerCheck": "verify.layer_check",
    "check_net": "verify.net_check",
    "assert_net": "verify.net_check",
    "NetReport": "verify.net_table",
    "TOLERANCES": "verify.compare",
    "REFERENCES": "verify.references",
    "Setup": "verify.setups",
    "series_setup": "verify.setups",
    "random_setup": "verify.setups",
}

__all__ = [
    "REFERENCES",
    "TOLERANCES",
    "BackpropReport",
    "EquationCheck",
    "LayerCheck",
    "MethodError",
    "NetReport",
    "QuantityCheck",
    "Report",
    "Setup",
    "assert_backprop",
    "assert_function",
    "assert_net",
    "check_backprop",
    "check_equation",
    "check_function",
    "check_layer",
    "check_net",
    "random_setup",
    "series_setup",
    "strategies",
    "verify_all",
]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return importlib.import_module("verify.strategies")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'verify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
