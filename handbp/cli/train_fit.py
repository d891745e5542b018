"""``handbp train --data digits ...``: any net by mini-batches, with the trainer's diagnostics.

The options here make a :class:`handbp.training.FitSetup` (from a digits preset, changed
by the options) and :func:`handbp.training.run_fit` trains it; `handbp train` comes here
when ``--data digits``, a digits preset or any of these options is given.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from handbp import training
from handbp.cli import options
from handbp.training.fitting import LOSS_LABELS
from handbp.training.setups import DATA_SETS

DEFAULT_PRESET = "digits-adam"
"""The run of ``handbp train --data digits`` without a preset."""

IRIS_SETUP = training.FitSetup(
    data="iris", widths=(4, 8, 3), eta=0.01, batch_size=16, epochs=100, test_fraction=20 / 150
)
"""The base of ``handbp train --data iris --net ...``: any net on Iris (20 test flowers)."""

FIT_OPTIONS: dict[str, str] = {
    "net": "widths",
    "activation": "activation",
    "loss": "loss",
    "optimizer": "optimizer",
    "batch_size": "batch_size",
    "momentum": "mu",
    "beta1": "beta1",
    "beta2": "beta2",
    "weight_decay": "decay",
}
"""Options that only mini-batch training has: option dest -> FitSetup field."""

OPTIMIZER_OPTIONS: dict[str, str] = {"momentum": "momentum", "beta1": "adam", "beta2": "adam"}
"""Options that set one optimizer's own setting: option dest -> the optimizer that uses it."""

SHARED_OPTIONS: dict[str, str] = {
    "epochs": "epochs",
    "eta": "eta",
    "seed": "seed",
    "split_seed": "split_seed",
}
"""Options of the series' runs that mean the same here: option dest -> FitSetup field."""

SERIES_ONLY: tuple[str, ...] = (
    "hidden",
    "test_size",
    "variant",
    "dtype",
    "target_mse",
    "target_accuracy",
    "plateau",
    "early_stopping",
    "validation_size",
)
"""Options of the series' net on Iris that a mini-batch run does not take."""


def wanted(args: argparse.Namespace) -> bool:
    """Whether the options ask for a mini-batch run rather than one of the series'."""
    return (
        args.data == "digits"
        or args.preset in training.FIT_PRESETS
        or any(getattr(args, option) is not None for option in FIT_OPTIONS)
    )


def setup_from(args: argparse.Namespace) -> tuple[str, training.FitSetup, str]:
    """The run's name, its :class:`FitSetup` and a line describing it."""
    given = [option for option in SERIES_ONLY if getattr(args, option) is not None]
    if given:
        flag = "--" + given[0].replace("_", "-")
        raise ValueError(f"{flag} is an option of the series' net on Iris, not of --data digits")
    if args.preset in training.PRESETS:
        raise ValueError(
            f"--preset {args.preset} is a run of the series' net on Iris; the mini-batch "
            f"presets are {', '.join(training.FIT_PRESETS)}"
        )
    if args.preset is not None:
        name, base = args.preset, training.FIT_PRESETS[args.preset].setup
        if args.data is not None and args.data != base.data:
            raise ValueError(f"--preset {name} trains on {base.data}, not on --data {args.data}")
    elif args.data == "digits":
        name, base = DEFAULT_PRESET, training.FIT_PRESETS[DEFAULT_PRESET].setup
    else:
        name, base = "iris-net", IRIS_SETUP
    changes = {
        field: getattr(args, option)
        for option, field in {**FIT_OPTIONS, **SHARED_OPTIONS}.items()
        if getattr(args, option) is not None
    }
    if "loss" in changes:
        changes["loss"] = changes["loss"].replace("-", "_")
    setup = dataclasses.replace(base, **changes)
    for option, optimizer in OPTIMIZER_OPTIONS.items():
        if getattr(args, option) is not None and setup.optimizer != optimizer:
            flag = "--" + option.replace("_", "-")
            raise ValueError(
                f"{flag} is a setting of {optimizer}, but the optimizer is {setup.optimizer} "
                f"(add --optimizer {optimizer}, or leave {flag} out)"
            )
    described = ", ".join(f"{key} {value}" for key, value in changes.items())
    if setup != base:
        name = f"{name}-custom"
    line = f"{name}: " + (
        training.FIT_PRESETS[name].description
        if name in training.FIT_PRESETS
        else f"{base.data} with {described or 'the defaults'}"
    )
    return name, setup, line


def print_findings(history: training.History) -> None:
    """The diagnostics' findings, one paragraph each (nothing for a healthy run)."""
    if history.diagnosis is None or not history.diagnosis.findings:
        return
    print("what the diagnostics saw:")
    for finding in history.diagnosis.findings:
        print(f"- epoch {finding.epoch}: {finding.message}")
    print()


def print_final(run: training.FitRun) -> None:
    """One row per data set: loss, accuracy and correct examples of the total."""
    label = run.fitted.history.train.loss
    print(f"{'':<12}{label:>14}  accuracy")
    for part, (loss, accuracy, confusion) in run.final.items():
        total, right = int(confusion.sum()), int(confusion.trace())
        print(f"{part:<12}{loss:>14.6f}  {accuracy:.4f}  ({right}/{total})")


def run(args: argparse.Namespace) -> int:
    """Train the setup the options describe, print the figures and write the results."""
    name, setup, line = setup_from(args)
    output = options.output_dir(args.output_dir, name)
    print(line)
    optimizer = setup.make_optimizer()
    print(
        f"{setup.data}: net {setup.sizes} ({setup.activation} hidden layers, "
        f"{setup.loss.replace('_', '-')}), {optimizer.name} eta {optimizer.eta:g}, batch "
        f"{setup.batch_size}, {setup.epochs} epochs, seed {setup.seed}"
    )
    label = LOSS_LABELS[setup.loss]
    bar = (
        options.ProgressBar(sys.stderr, loss=label)
        if not args.quiet and sys.stderr.isatty()
        else None
    )
    try:
        result = training.run_fit(setup, bar, training.Divergence(args.runaway))
    except training.TrainingDiverged as error:
        if bar is not None:
            bar.finish(None)
        print_findings(error.history)
        paths = training.write_fit_run(output, setup, error.history, name)
        print(f"handbp train: {error}", file=sys.stderr)
        print(
            f"wrote the history up to epoch {error.epoch} to {output}{os.sep}: "
            f"{' '.join(os.path.basename(p) for p in paths)}"
        )
        return 1
    history = result.fitted.history
    if bar is not None:
        bar.finish(None)
    print(f"stopped: {history.stop.message}\n")
    print_findings(history)
    print_final(result)
    print()
    test = result.final["test"][2]
    options.print_confusion(test, f"test set ({int(test.sum())} examples)", setup.classes)
    paths = training.write_fit_run(output, setup, history, name, result)
    print(f"\nwrote {output}{os.sep}: {' '.join(os.path.basename(p) for p in paths)}")
    return 0


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of mini-batch training to `handbp train`."""
    group = parser.add_argument_group(
        "any net by mini-batches (--data digits; default: the preset's)"
    )
    group.add_argument(
        "--data", choices=DATA_SETS, help="data set: iris (the default) or digits (8x8 images)"
    )
    group.add_argument(
        "--net", type=options.widths, metavar="SIZES", help="layer sizes, e.g. 64-32-10"
    )
    group.add_argument(
        "--activation",
        choices=("sigmoid", "tanh", "relu", "leaky_relu"),
        help="the hidden layers' activation",
    )
    group.add_argument(
        "--loss",
        choices=("cross-entropy", "mse"),
        help="cross-entropy (softmax output) or mse (sigmoid output)",
    )
    group.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), help="the optimizer")
    group.add_argument(
        "--batch-size", type=options.positive_int, metavar="N", help="examples per mini-batch"
    )
    group.add_argument("--momentum", type=options.below_one, metavar="MU", help="momentum mu")
    group.add_argument("--beta1", type=options.below_one, help="Adam's beta1")
    group.add_argument("--beta2", type=options.below_one, help="Adam's beta2")
    group.add_argument(
        "--weight-decay", type=options.at_least_zero, metavar="LAMBDA", help="L2 weight decay"
    )
