"""``handbp verify`` and ``handbp check``: verify's commands, plugged into the ``handbp`` command.

Registered through the ``handbp.commands`` entry-point group (pyproject.toml). This
module does not import JAX: the commands import it when they run, so that ``handbp step``
stays fast and works without JAX.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from handbp.cli import options
from verify.setups import DEFAULT_SIZES, RANDOM_EXAMPLES, format_sizes, parse_sizes

DEFAULT_SIZES_TEXT = ",".join(format_sizes(s) for s in DEFAULT_SIZES)

PROGRESS_AFTER = 0.3
"""Seconds after which ``handbp verify`` shows progress on a terminal."""


def _sizes(text: str) -> list[tuple[int, int, int]]:
    try:
        return parse_sizes(text) if text.strip() else []
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="floating-point type of data, weights and references (default: %(default)s)",
    )
    parser.add_argument(  # None when not given: an option that would do nothing is refused
        "--sizes",
        type=_sizes,
        help="random nets to check besides the series' one, as comma-separated layer widths "
        f"inputs-hidden-outputs; '' for none (default: {DEFAULT_SIZES_TEXT})",
    )
    parser.add_argument(
        "--examples",
        type=options.positive_int,
        help=f"examples (rows of X) of each random net (default: {RANDOM_EXAMPLES})",
    )
    parser.add_argument(
        "--seed",
        type=options.seed,
        default=0,
        help="seed of the first random net (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _sizes_and_examples(args: argparse.Namespace) -> tuple[list[tuple[int, int, int]], int]:
    """The random nets' sizes and examples asked for, or the defaults."""
    sizes = list(DEFAULT_SIZES) if args.sizes is None else args.sizes
    return sizes, RANDOM_EXAMPLES if args.examples is None else args.examples


class _Progress:
    """A one-line progress indication on stderr, shown only on a terminal and only if slow."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.perf_counter()
        self.shown = False

    def __call__(self, i: int, n: int, setup: Any) -> None:
        if self.enabled and time.perf_counter() - self.start > PROGRESS_AFTER:
            sys.stderr.write(f"\rhandbp verify: net {i + 1} of {n}: {setup.name} ...\033[K")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _chapter_one(args: argparse.Namespace) -> Any:
    """The series' catalogue on its net and the random nets, with progress on a terminal."""
    from verify.report import verify_all

    progress = _Progress(enabled=not args.json)
    try:
        sizes, examples = _sizes_and_examples(args)
        return verify_all(args.dtype, sizes, args.seed, examples, progress)
    finally:
        progress.done()


def _chapter_two(args: argparse.Namespace) -> Any:
    """Chapter 2 (beyond the series), with a note on a terminal while it runs."""
    from verify.beyond import verify_beyond

    shown = not args.json and sys.stderr.isatty()
    if shown:
        sys.stderr.write("handbp verify: chapter 2 (beyond the series) ...\r")
        sys.stderr.flush()
    try:
        return verify_beyond(args.dtype, args.seed)
    finally:
        if shown:
            sys.stderr.write("\033[K")


def run_verify(args: argparse.Namespace) -> int:
    """Check the chapters asked for (both by default); exit status 1 if anything fails."""
    from verify import executables
    from verify._jax import enable_compilation_cache

    if executables.enable() is None:  # off, or JAX's own cache configured by the user
        enable_compilation_cache()
    if args.chapter == "2" and (args.sizes is not None or args.examples is not None):
        raise ValueError(
            "--sizes and --examples choose chapter 1's random nets; with --chapter 2 they "
            "would do nothing (chapter 2 checks its own three nets)"
        )
    report = _chapter_one(args) if args.chapter in ("1", "all") else None
    beyond = _chapter_two(args) if args.chapter in ("2", "all") else None
    if args.json:
        record = {} if report is None else json.loads(report.to_json())
        if beyond is not None:
            record = {**record, "dtype": args.dtype, "beyond": beyond.as_dict()}
            record["passed"] = record.get("passed", True) and beyond.passed
        print(json.dumps(record, indent=2))
    else:
        print("\n\n".join(part.table() for part in (report, beyond) if part is not None))
    return 0 if all(part.passed for part in (report, beyond) if part is not None) else 1


def register_verify(subparsers: argparse._SubParsersAction) -> None:
    """Add ``handbp verify`` (entry point of the ``handbp.commands`` group)."""
    parser = subparsers.add_parser(
        "verify",
        help="prove every equation of the catalogue against JAX autodiff",
        description="Check every equation of the catalogue against an independent JAX "
        "implementation: forward maps by value, derivatives by reverse-mode and forward-mode "
        "autodiff and by central finite differences. Both chapters by default: the "
        "series' equations on its net (three flowers, seed-10 weights, eta 0.1) and on "
        "random nets, then chapter 2's on its three check nets and the optimizers against "
        "optax. Prints one row per equation; the exit status is 1 if any fails. The first "
        "run compiles JAX's references and keeps them in ~/.cache/handbp/jax/executables "
        "(HANDBP_JAX_CACHE=DIR: in DIR/executables; HANDBP_JAX_CACHE=off: nowhere); later runs "
        "load them. Only compiled code is kept, never a result.",
    )
    _add_common(parser)
    parser.add_argument(
        "--chapter",
        choices=("all", "1", "2"),
        default="all",
        help="all: both chapters (default); 1: the series' equations only; 2: chapter 2's "
        "only (beyond the series: any depth, biases, activations, losses, optimizers). "
        "--sizes and --examples choose chapter 1's random nets",
    )
    parser.set_defaults(func=run_verify)


def load_function(target: str) -> tuple[Callable[..., Any], str]:
    """``"path/to/file.py:function"`` -> (the function, its name); ``ValueError`` if not found."""
    path_text, sep, name = target.rpartition(":")
    if not sep or not path_text or not name:
        raise ValueError(f"expected path/to/file.py:function, got {target!r}")
    path = Path(path_text)
    if not path.is_file():
        raise ValueError(f"no such file: {path_text}")
    directory = str(path.resolve().parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)  # so that the file can import its neighbours
    spec = importlib.util.spec_from_file_location(f"handbp_check_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot load {path_text} as a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function = getattr(module, name, None)
    if not callable(function):
        raise ValueError(f"{path_text} has no function {name!r}")
    return function, name


def _equation_for(name: str, function: Callable[..., Any]) -> str:
    """The entry a function named ``name`` is checked as, without ``--equation``.

    Its name if that is an equation id; else ``backpropagation`` if it takes its four
    arguments; else a ``ValueError`` listing the ids close to the name.
    """
    from difflib import get_close_matches

    from handbp.equations import CATALOGUE
    from verify.learner import accepts

    if name in CATALOGUE:
        return name
    close = get_close_matches(name, list(CATALOGUE), n=4, cutoff=0.5)
    hint = f"; close ids: {', '.join(close)}" if close else ""
    if accepts(function, 4):
        if close and "backpropagation" not in close:
            print(
                f"handbp check: note: {name!r} is not an equation id, so it is checked as "
                f"backpropagation(X, Y, W2, forward){hint}; name another with --equation ID",
                file=sys.stderr,
            )
        return "backpropagation"
    raise ValueError(
        f"{name!r} is not an equation id and does not take backpropagation's four arguments "
        f"(X, Y, W2, forward){hint}. Name the equation with --equation ID "
        "(`handbp equations` lists them)"
    )


def run_check(args: argparse.Namespace) -> int:
    """Check a learner's function; exit status 1 if it fails, 2 if it cannot be loaded."""
    from handbp.equations import CATALOGUE

    try:
        function, name = load_function(args.target)
    except ValueError:  # a bad target: handbp's main reports it (exit status 2)
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the learner's file failed to import, or called sys.exit
        from verify.learner import describe_raised

        print(
            f"handbp check: error: importing {args.target} raised {describe_raised(error)}; "
            "nothing was checked",
            file=sys.stderr,
        )
        return 2
    if args.net is not None:
        if args.equation is not None:
            raise ValueError(
                "--equation does not go with --net (a net's backward is checked whole)"
            )
        if args.sizes is not None:
            raise ValueError(
                "--sizes chooses the random nets of a catalogue entry's check; with --net "
                "the net checked is the one --net gives"
            )
        return _run_net_check(args, function)
    given = [
        flag for flag, value in NET_OPTIONS.items() if getattr(args, value) not in (None, False)
    ]
    if given:
        raise ValueError(f"{given[0]} is an option of --net; add --net WIDTHS, or leave it out")
    equation_id = args.equation or _equation_for(name, function)
    if equation_id not in CATALOGUE:
        raise ValueError(f"unknown equation id {equation_id!r}; `handbp equations` lists them")
    from verify._jax import enable_compilation_cache

    enable_compilation_cache()
    from verify.checker import check_backprop, check_function
    from verify.report import LEGEND

    sizes, examples = _sizes_and_examples(args)
    options: dict[str, Any] = {"sizes": sizes, "seed": args.seed, "examples": examples}
    if equation_id == "backpropagation":
        result: Any = check_backprop(function, args.dtype, **options)
    else:
        result = check_function(equation_id, function, args.dtype, **options)
    return _report(args, result, f"{equation_id}, {args.dtype}", LEGEND)


def _report(args: argparse.Namespace, result: Any, checked_as: str, legend: Sequence[str]) -> int:
    """Print a check's result (JSON, or a heading, the legend and the table); its exit status."""
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(f"handbp check: {args.target} as {checked_as}")
        print("\n".join(legend) + "\n")
        print(result)
    return 0 if result.passed else 1


def _widths(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split("-"))
    except ValueError:
        widths = ()
    if len(widths) < 2 or min(widths) < 1:
        raise argparse.ArgumentTypeError(
            f"expected layer widths from inputs to outputs joined by '-', e.g. 4-16-3, got {text!r}"
        )
    return widths


def _names(text: str) -> str | tuple[str, ...]:
    names = tuple(n.strip().replace("-", "_") for n in text.split(","))
    return names[0] if len(names) == 1 else names


NET_OPTIONS = {"--activation": "activation", "--loss": "loss", "--no-biases": "no_biases"}
"""The options of ``handbp check`` that only ``--net`` takes: flag -> argument name."""


def _run_net_check(args: argparse.Namespace, function: Callable[..., Any]) -> int:
    """``handbp check FILE:FUNCTION --net ...``: a general net's backward, node by node."""
    from handbp.nn import Net

    activation, loss = args.activation or "sigmoid", args.loss or "mse"
    net = Net(args.net, _names(activation), loss.replace("-", "_"), not args.no_biases)
    from verify._jax import enable_compilation_cache

    enable_compilation_cache()
    from verify.net_check import check_net
    from verify.net_table import LEGEND

    examples = max(_sizes_and_examples(args)[1], min(max(net.widths[1:]) + 3, 64))
    report = check_net(function, net, args.dtype, examples=examples, seed=args.seed)
    return _report(args, report, "a backward(net, X, Y, params, forward) pass", LEGEND)


def register_check(subparsers: argparse._SubParsersAction) -> None:
    """Add ``handbp check`` (entry point of the ``handbp.commands`` group)."""
    parser = subparsers.add_parser(
        "check",
        help="check your own function (e.g. your backpropagation) against JAX",
        description="Load FUNCTION from FILE and check it against JAX on the series' net and "
        "random nets; name the likely mistake if it is wrong. The function has the "
        "signature of a catalogue entry: by default the entry named like the function "
        "(e.g. hidden_layer_delta(H_error, H_out)), else backpropagation(X, Y, W2, forward). "
        "With --net, a general net's backward(net, X, Y, params, forward), every quantity "
        "of every layer compared and the first wrong one named.",
    )
    parser.add_argument("target", metavar="FILE:FUNCTION", help="e.g. my_backprop.py:backprop")
    parser.add_argument(
        "--equation",
        metavar="ID",
        help="the catalogue entry the function computes (default: its name if that is an "
        "equation id, else backpropagation)",
    )
    parser.add_argument(
        "--net",
        type=_widths,
        metavar="WIDTHS",
        help="check FUNCTION as a general net's backward(net, X, Y, params, forward) returning "
        "a handbp.nn.NetBackward, on a handbp.nn.Net of these layer widths (e.g. 4-16-16-3), "
        "node by node, on two random batches of --examples rows (at least 3 more than the "
        "widest layer, up to 64)",
    )
    parser.add_argument(
        "--activation",
        help="with --net: one activation for every layer, or one per layer comma-separated "
        "(sigmoid, tanh, relu, leaky-relu, softmax; default: sigmoid)",
    )
    parser.add_argument(
        "--loss",
        choices=("mse", "binary-cross-entropy", "cross-entropy"),
        help="with --net: the loss (default: mse)",
    )
    parser.add_argument(
        "--no-biases", action="store_true", help="with --net: layers without biases"
    )
    _add_common(parser)
    parser.set_defaults(func=run_check)
