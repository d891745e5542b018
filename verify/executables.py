"""Compiled JAX programs kept on disk, so that a repeated ``handbp verify`` neither traces
nor compiles.

JAX's own persistent cache skips XLA's compilation but still traces and lowers every
function on every run, and for verify's large reference programs that is most of the
time left (chapter 2's one program: 0.55 s of tracing and 0.18 s of lowering, against
0.3 s to load its compiled code). :func:`run` keeps the compiled program itself
(``jax.experimental.serialize_executable``), under a key made of

* a fingerprint of everything that shapes the program: the source of the ``handbp`` and
  ``verify`` packages, the versions of Python, NumPy, JAX and jaxlib, the device, and
  ``XLA_FLAGS`` and ``JAX_*`` settings;
* what the caller says the program depends on besides its code (``key``: a seed, a
  dtype - everything its closures bake in);
* the shapes and dtypes of the arguments.

A program whose key changed is traced and compiled again; nothing is ever reused across
a code change. In one process a program is reused under its key always (as ``jax.jit``
reuses its traces, but across calls that build new closures: each ``handbp.verify``
chapter-2 check does). The store on disk is switched on by :func:`enable` (the ``handbp
verify`` command does; library calls and tests do not write there), lives in
``executables/`` under :func:`verify._jax.cache_directory`, and is off when that is
(``HANDBP_JAX_CACHE=off``).
The files are pickles of compiled code: like JAX's own cache, trust the directory as
you trust your home directory.

An executable that JAX's persistent cache loaded does not serialise into a working one
(XLA:CPU reports a missing fusion when it runs), so the command that uses this store
leaves JAX's persistent cache off; a stored program that fails to load or to run is
deleted and compiled afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import sys
import tempfile
from collections.abc import Callable, Hashable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from verify._jax import cache_directory, jax

_state: dict[str, Path | None] = {"directory": None}
_loaded: dict[str, Any] = {}  # compiled programs of this process, by key


def enable() -> Path | None:
    """Keep compiled programs of :func:`run` on disk from now on; return the directory
    (None if the cache is off or cannot be made)."""
    if getattr(jax.config, "jax_compilation_cache_dir", None):
        return None  # JAX's persistent cache is on: its executables do not serialise
    root = cache_directory()
    directory = None if root is None else root / "executables"
    if directory is not None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            directory = None
    _state["directory"] = directory
    return directory


def disable() -> None:
    """Stop keeping programs on disk (those of this process stay in memory)."""
    _state["directory"] = None


def forget() -> None:
    """Drop the programs this process holds in memory (the disk copies stay)."""
    _loaded.clear()


def source_digest(roots: Iterable[Path]) -> str:
    """A digest of every ``*.py`` file under ``roots``: names and contents."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def fingerprint() -> str:
    """A digest of everything besides a program's own key that shapes what JAX compiles."""
    import jaxlib

    import handbp
    import verify

    digest = hashlib.sha256()
    device = jax.devices()[0]
    settings = sorted(
        (k, v) for k, v in os.environ.items() if k == "XLA_FLAGS" or k.startswith("JAX_")
    )
    for part in (
        sys.version,
        platform.machine(),
        np.__version__,
        jax.__version__,
        jaxlib.__version__,
        device.platform,
        device.device_kind,
        device.client.platform_version,
        repr(settings),
    ):
        digest.update(part.encode() + b"\0")
    digest.update(source_digest(Path(p.__file__).parent for p in (handbp, verify)).encode())
    return digest.hexdigest()


def _name(key: Hashable, args: Any) -> str:
    leaves, tree = jax.tree.flatten(args)
    shapes = [(np.shape(leaf), np.result_type(leaf).str) for leaf in leaves]
    text = repr((fingerprint(), key, str(tree), shapes))
    return hashlib.sha256(text.encode()).hexdigest()


def run(jitted: Callable[..., Any], args: tuple[Any, ...], key: Hashable | None) -> Any:
    """``jitted(*args)``, its compiled program reused: in this process always, and across
    processes from disk when the store is on (:func:`enable`).

    ``jitted`` is a ``jax.jit`` function without static arguments, ``args`` its arguments
    (pytrees of arrays); ``key`` names everything the traced program depends on besides
    the code and the arguments' shapes and dtypes (for a program whose closures hold data
    drawn from a seed: the seed, the dtype and the drawing's settings). ``key=None``: a
    program that cannot be named so, compiled by ``jitted`` as usual. Like ``jax.jit``'s
    own cache, the reuse in one process does not see code changed at run time (a
    monkeypatched reference): :func:`forget` drops what this process holds.
    """
    if key is None:
        return jitted(*args)
    name = _name(key, args)
    compiled = _loaded.get(name)
    if compiled is not None:
        return compiled(*args)
    directory = _state["directory"]
    path = None if directory is None else directory / f"{name}.jaxexe"
    if path is not None:
        compiled = _load(path)
        if compiled is not None:
            try:
                result = compiled(*args)
            except jax.errors.JaxRuntimeError:  # not runnable after all: compile afresh
                path.unlink(missing_ok=True)
            else:
                _loaded[name] = compiled
                return result
    compiled = jitted.trace(*args).lower().compile()
    if path is not None:
        _store(path, compiled)
    _loaded[name] = compiled
    return compiled(*args)


def _load(path: Path) -> Any:
    from jax.experimental import serialize_executable

    try:
        payload, in_tree, out_tree = pickle.loads(path.read_bytes())
        return serialize_executable.deserialize_and_load(payload, in_tree, out_tree)
    except FileNotFoundError:
        return None
    except Exception:  # a broken or foreign file: drop it and compile again
        path.unlink(missing_ok=True)
        return None


KEPT_FILES = 64
"""How many stored programs the folder keeps: every change of the code makes new ones
(a default ``handbp verify`` stores seven), and the oldest stored go first."""


UNSTORABLE = (OSError, ValueError, NotImplementedError, pickle.PicklingError)
"""What storing a program may raise and costs only the compile next time: a read-only or
full disk (``OSError``), and a program ``serialize_executable`` declines (``ValueError``,
or ``NotImplementedError`` for one holding constant arguments)."""


def _store(path: Path, compiled: Any) -> None:
    from jax.experimental import serialize_executable

    part = None
    try:
        blob = pickle.dumps(serialize_executable.serialize(compiled))
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as file:
            part = Path(file.name)
            file.write(blob)
        os.replace(part, path)  # whole or not at all, even with two runs at once
        stored = sorted(path.parent.glob("*.jaxexe"), key=lambda p: p.stat().st_mtime)
        for old in stored[: max(0, len(stored) - KEPT_FILES)]:
            old.unlink(missing_ok=True)
    except UNSTORABLE:
        if part is not None:
            part.unlink(missing_ok=True)  # a write cut short leaves nothing behind
