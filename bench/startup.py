"""Wall times of fresh processes: library imports, ``handbp verify`` against ``import jax``,
and ``handbp verify`` on nets of growing size.

Each command runs in a new Python process, the commands taking turns, several times;
the report gives the median wall time of each, from ``fork`` to exit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.timing import Timing

IMPORTS: tuple[str, ...] = ("numpy", "handbp", "jax", "torch")


def handbp_command() -> str:
    """The ``handbp`` console script installed beside this interpreter."""
    script = Path(sys.executable).parent / "handbp"
    if not script.exists():
        raise FileNotFoundError(
            f"no handbp command beside {sys.executable}; install the project: pip install -e '.[bench]'"
        )
    return str(script)


def wall_time(command: Sequence[str]) -> float:
    """Seconds from start to exit of ``command``; raise if it fails."""
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with status {completed.returncode}:\n"
            f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
        )
    return seconds


def interleaved_commands(commands: Mapping[str, Sequence[str]], repeats: int) -> dict[str, Timing]:
    """Each command ``repeats`` times, in turns (after one untimed run each, to warm the disk cache)."""
    for command in commands.values():
        wall_time(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            samples[name].append(wall_time(command))
    return {name: Timing(tuple(seconds)) for name, seconds in samples.items()}


def import_commands(modules: Sequence[str] = IMPORTS) -> dict[str, list[str]]:
    """``python -c "import M"`` for each module, plus an empty interpreter start."""
    commands = {"python -c pass": [sys.executable, "-c", "pass"]}
    for module in modules:
        commands[f"import {module}"] = [sys.executable, "-c", f"import {module}"]
    return commands


VERIFY = "handbp verify"
VERIFY_COLD = "handbp verify, no compilation cache"
IMPORT_JAX = 'python -c "import jax"'


def verify_commands() -> dict[str, list[str]]:
    """``handbp verify`` (both chapters of the catalogue against JAX), with JAX's compiled
    code cached and without the cache (``HANDBP_JAX_CACHE=off``: every run compiles, as the
    first run on a machine does), and a bare ``import jax``."""
    return {
        VERIFY: [handbp_command(), "verify"],
        VERIFY_COLD: ["env", "HANDBP_JAX_CACHE=off", handbp_command(), "verify"],
        IMPORT_JAX: [sys.executable, "-c", "import jax"],
    }


VERIFY_SIZES: tuple[tuple[str, int], ...] = (
    ("8-16-5", 64),
    ("32-32-10", 64),
    ("64-64-64", 64),
    ("256-256-10", 256),
)
"""Random nets (layer widths, examples) that ``handbp verify`` is timed on, smallest first."""

VERIFY_TARGETS: dict[str, float] = {"64-64-64": 5.0, "256-256-10": 15.0}
"""Issue 14's targets: seconds of ``handbp verify --chapter 1 --sizes SIZE`` (compiled code cached)."""


def verify_size_commands(size: str, examples: int) -> dict[str, list[str]]:
    """``handbp verify`` on one random net besides the series', with and without JAX's cache.

    Without the persistent compilation cache (``HANDBP_JAX_CACHE=off``) every run compiles,
    as the first run on a machine does; the difference is JAX's compile time.
    """
    arguments = [handbp_command(), "verify", "--chapter", "1", "--sizes", size]
    arguments += ["--examples", str(examples)]
    return {
        "cached": arguments,
        "compiling": ["env", "HANDBP_JAX_CACHE=off", *arguments],
    }
