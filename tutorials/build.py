"""Build handbp's tutorials into Jupyter notebooks, and optionally HTML, for reading.

Each tutorial is a MyST markdown file (``tutorials/partNN.md``) with a jupytext header.
This script turns every one into a notebook in ``tutorials/_build/`` (which git ignores),
runs it top to bottom so that the notebook holds its tables and figures, and with
``--html`` also writes an HTML page whose equations MathJax renders in the browser.

    python tutorials/build.py                  # every part: executed notebooks
    python tutorials/build.py --html           # ... and HTML pages
    python tutorials/build.py --no-execute 12  # part 12 only, without running it
    python tutorials/build.py --quick          # HANDBP_TUTORIAL_QUICK=1: the short runs CI uses
    python tutorials/build.py --jobs 4         # four tutorials at a time (default two)

The test suite (``tests/tutorials``) executes the tutorials with :func:`execute_many`
from this file, so what the tests run is what a reader builds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

TUTORIALS = Path(__file__).resolve().parent
"""The folder of the tutorials; notebooks run with it as their working directory."""

BUILD = TUTORIALS / "_build"
"""Where the built notebooks and HTML pages go (ignored by git)."""

QUICK_ENV = "HANDBP_TUTORIAL_QUICK"
"""Set to ``1``, the tutorials take their short runs (part 5 times three small sizes only)."""

KERNEL = "python3"
"""The Jupyter kernel the tutorials name in their header (ipykernel's, installed with it)."""

TIMEOUT = 900
"""Seconds one cell may run before the build gives up on it."""

_NAME = re.compile(r"part(\d\d)\.md")


def tutorial_paths() -> list[Path]:
    """Every tutorial, in reading order: ``part02.md`` ... ``part14.md``."""
    return sorted(path for path in TUTORIALS.glob("part*.md") if _NAME.fullmatch(path.name))


def part_number(path: Path) -> int:
    """The series part a tutorial file starts with: ``part12.md`` -> 12."""
    match = _NAME.fullmatch(path.name)
    if match is None:
        raise ValueError(f"a tutorial file must be named partNN.md, got {path.name!r}")
    return int(match.group(1))


def read(path: Path) -> nbformat.NotebookNode:
    """A tutorial as an (unexecuted) notebook."""
    notebook = jupytext.read(path)
    if notebook.metadata.get("kernelspec", {}).get("name") != KERNEL:
        raise ValueError(f"{path.name}: the jupytext header must name the kernel {KERNEL!r}")
    return notebook


def _client(path: Path, timeout: int) -> NotebookClient:
    return NotebookClient(
        read(path),
        timeout=timeout,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(TUTORIALS)}},
    )


def execute_many(
    paths: Sequence[Path],
    jobs: int = 2,
    timeout: int = TIMEOUT,
    env: dict[str, str] | None = None,
) -> dict[Path, nbformat.NotebookNode | BaseException]:
    """Run tutorials top to bottom, each in a fresh kernel in ``tutorials/``, ``jobs`` at a time.

    Returns each path's executed notebook, or the exception that stopped it (an error in
    a cell is an ``nbclient.exceptions.CellExecutionError`` naming the cell). ``env`` adds
    environment variables for the kernels (e.g. ``{"MPLBACKEND": "Agg"}``).
    """
    kernel_env = {**os.environ, **(env or {})}

    async def run_all() -> list[nbformat.NotebookNode | BaseException]:
        slots = asyncio.Semaphore(jobs)

        async def run(path: Path) -> nbformat.NotebookNode:
            async with slots:
                client = _client(path, timeout)
                await client.async_execute(env=kernel_env)
                return client.nb

        return await asyncio.gather(*(run(path) for path in paths), return_exceptions=True)

    return dict(zip(paths, asyncio.run(run_all()), strict=True))


def to_html(notebook: nbformat.NotebookNode) -> str:
    """An executed notebook as a standalone HTML page (equations rendered by MathJax)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    return body


def build(
    parts: Sequence[int] = (),
    out: Path = BUILD,
    run: bool = True,
    html: bool = False,
    quick: bool = False,
    jobs: int = 2,
) -> list[Path]:
    """Write ``partNN.ipynb`` (and with ``html``, ``partNN.html``) into ``out``; return the files.

    Runs ``jobs`` tutorials at a time. A tutorial that fails is reported and skipped; after
    writing the others, its error is raised.
    """
    paths = tutorial_paths()
    unknown = sorted(set(parts) - {part_number(path) for path in paths})
    if unknown:
        raise ValueError(
            f"no tutorial for part(s) {unknown}; there are "
            f"{', '.join(str(part_number(p)) for p in paths)}"
        )
    if html and not run:
        raise ValueError("HTML pages show the tutorials' outputs: drop --no-execute to use --html")
    selected = [path for path in paths if not parts or part_number(path) in parts]
    started = time.perf_counter()
    env = {QUICK_ENV: "1"} if quick else {}
    results = execute_many(selected, jobs, env=env) if run else {p: read(p) for p in selected}
    out.mkdir(parents=True, exist_ok=True)
    written, failures = [], []
    for path, result in results.items():
        if isinstance(result, BaseException):
            print(f"{path.name}: FAILED: {str(result).strip().splitlines()[0]}")
            failures.append(result)
            continue
        files = [out / path.with_suffix(".ipynb").name]
        nbformat.write(result, files[0])
        if html:
            files.append(out / path.with_suffix(".html").name)
            files[1].write_text(to_html(result), encoding="utf-8")
        print(f"{path.name}: {', '.join(file.name for file in files)}")
        written += files
    print(f"{len(written)} files in {out} ({time.perf_counter() - started:.1f} s)")
    if failures:
        raise failures[0]
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", type=int, help="part numbers to build (default: all)")
    parser.add_argument("--out", type=Path, default=BUILD, help=f"output folder (default {BUILD})")
    parser.add_argument(
        "--no-execute", action="store_true", help="write notebooks without running them"
    )
    parser.add_argument("--html", action="store_true", help="also write HTML pages")
    parser.add_argument("--quick", action="store_true", help=f"set {QUICK_ENV}=1: CI's short runs")
    parser.add_argument("--jobs", type=int, default=2, help="tutorials run at a time (default 2)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    try:
        build(
            args.parts,
            args.out,
            run=not args.no_execute,
            html=args.html,
            quick=args.quick,
            jobs=args.jobs,
        )
    except ValueError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
