"""Running the tutorials: each one top to bottom in a fresh kernel, results cached by content.

The site build and the test suite run the tutorials through :func:`execute`, so that what
the tests run is what a reader sees. An executed notebook is cached under a key made of
the tutorial's text, the source of everything it imports from this repository (handbp,
verify, the tutorials' own modules and exercises) and the environment it ran with: a
cached result is reused only while none of these changed, and a change to handbp runs the
tutorials again.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

REPO = Path(__file__).resolve().parents[1]
"""The repository this package builds from."""

TUTORIALS = REPO / "tutorials"
"""The tutorials' folder; their kernels run with it as the working directory."""

QUICK_ENV = "HANDBP_TUTORIAL_QUICK"
"""Set to ``1``, the tutorials take their short runs (part 5 times three small sizes only)."""

KERNEL = "python3"
"""The Jupyter kernel the tutorials name in their header (ipykernel's, installed with it)."""

TIMEOUT = 900
"""Seconds one cell may run before the build gives up on it."""

LIBRARY = ("handbp", "verify", "tutorials")
"""The repository's code the tutorials run: a change in it invalidates the cache."""

_PART = re.compile(r"part(\d\d)\.md")


def series_paths() -> list[Path]:
    """The series' tutorials in reading order: ``part02.md`` ... ``part14.md``."""
    return sorted(path for path in TUTORIALS.glob("part*.md") if _PART.fullmatch(path.name))


def chapter_paths() -> list[Path]:
    """The chapters beyond the series, ``tutorials/chapter*.md``, in the order of their names."""
    return sorted(TUTORIALS.glob("chapter*.md"))


def tutorial_paths() -> list[Path]:
    """Every tutorial in reading order: the series' parts, then the chapters beyond it."""
    return series_paths() + chapter_paths()


def part_number(path: Path) -> int:
    """The series part a tutorial file starts with: ``part12.md`` -> 12."""
    match = _PART.fullmatch(path.name)
    if match is None:
        raise ValueError(f"a tutorial of the series must be named partNN.md, got {path.name!r}")
    return int(match.group(1))


def read(path: Path) -> nbformat.NotebookNode:
    """A tutorial as an (unexecuted) notebook."""
    notebook = jupytext.read(path)
    if notebook.metadata.get("kernelspec", {}).get("name") != KERNEL:
        raise ValueError(f"{path.name}: the jupytext header must name the kernel {KERNEL!r}")
    return notebook


def library_fingerprint() -> str:
    """A hash of every Python file the tutorials import from this repository."""
    digest = hashlib.sha256()
    for folder in LIBRARY:
        for file in sorted((REPO / folder).rglob("*.py")):
            digest.update(str(file.relative_to(REPO)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def cache_key(path: Path, env: Mapping[str, str], fingerprint: str) -> str:
    """The key of one tutorial's executed notebook: its text, the library, the environment."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(fingerprint.encode())
    for name in sorted(env):
        digest.update(f"{name}={env[name]}\n".encode())
    return f"{path.stem}-{digest.hexdigest()[:16]}"


def jax_cache_env(folder: Path) -> dict[str, str]:
    """Environment variables that make JAX cache every compilation in ``folder``."""
    return {
        "JAX_COMPILATION_CACHE_DIR": str(folder),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


def _client(path: Path, timeout: int) -> NotebookClient:
    # CurveZMQ keys for the kernel's sockets (ipykernel declares support): without them,
    # every kernel warns on stderr that it runs over TCP without encryption
    encrypted = Config({"KernelManager": {"transport_encryption": "auto"}})
    return NotebookClient(
        read(path),
        config=encrypted,
        timeout=timeout,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(path.parent)}},
    )


def execute(
    paths: Sequence[Path],
    jobs: int = 2,
    timeout: int = TIMEOUT,
    env: Mapping[str, str] | None = None,
    cache: Path | None = None,
    jax_cache: Path | None = None,
) -> dict[Path, nbformat.NotebookNode | BaseException]:
    """Run tutorials top to bottom, each in a fresh kernel in its folder, ``jobs`` at a time.

    Returns each path's executed notebook, or the exception that stopped it (an error in
    a cell is an ``nbclient.exceptions.CellExecutionError`` naming the cell). ``env`` adds
    environment variables for the kernels (e.g. ``{QUICK_ENV: "1"}``). With ``cache``, a
    notebook executed before with the same key (:func:`cache_key`) is read from that
    folder instead of run again, and each notebook run to the end is written there (the
    same tutorials' notebooks under other keys are deleted).
    ``jax_cache`` is a folder for JAX's compilation cache, shared by the kernels (each
    fresh kernel would compile verify's references again); it does not change results,
    so it is not part of the key.
    """
    extra = dict(env or {})
    # figures go into the notebook (ipykernel's inline backend) unless env names a backend
    kernel_env = {name: value for name, value in os.environ.items() if name != "MPLBACKEND"}
    kernel_env.update(extra)
    if jax_cache is not None:
        kernel_env.update(jax_cache_env(jax_cache))
    fingerprint = library_fingerprint() if cache is not None else ""

    def cached(path: Path) -> Path | None:
        return None if cache is None else cache / f"{cache_key(path, extra, fingerprint)}.ipynb"

    async def run_all() -> list[nbformat.NotebookNode | BaseException]:
        slots = asyncio.Semaphore(jobs)

        async def run(path: Path) -> nbformat.NotebookNode:
            file = cached(path)
            if file is not None and file.exists():
                return nbformat.read(file, as_version=4)
            async with slots:
                client = _client(path, timeout)
                await client.async_execute(env=kernel_env)
            if file is not None:
                file.parent.mkdir(parents=True, exist_ok=True)
                partial = file.with_suffix(".partial")
                nbformat.write(client.nb, partial)
                partial.replace(file)  # whole or nothing, for a build that is stopped
            return client.nb

        return await asyncio.gather(*(run(path) for path in paths), return_exceptions=True)

    results = dict(zip(paths, asyncio.run(run_all()), strict=True))
    if cache is not None:  # older runs of these tutorials will never be read again
        for path in paths:
            current = cached(path)
            for stale in cache.glob(f"{path.stem}-*.ipynb"):
                if stale != current:
                    stale.unlink()
    return results
