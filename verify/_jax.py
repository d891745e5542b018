"""JAX, configured for verify: 64-bit floats on, and an optional on-disk compilation cache.

Importing this module imports JAX and switches ``jax_enable_x64`` on for the process
(JAX's default is 32-bit only; verify checks float64 too). Every verify module that needs
JAX imports it from here.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)

CACHE_ENVIRONMENT_VARIABLE = "HANDBP_JAX_CACHE"


def cache_directory() -> Path | None:
    """Where ``handbp verify`` keeps compiled JAX functions between runs, or None if off.

    ``$HANDBP_JAX_CACHE`` if set (``off`` switches the cache off), else
    ``$XDG_CACHE_HOME/handbp/jax`` (``~/.cache/handbp/jax``).
    """
    configured = os.environ.get(CACHE_ENVIRONMENT_VARIABLE)
    if configured is not None:
        return None if configured.strip().lower() in ("", "0", "off", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "handbp" / "jax"


def enable_compilation_cache() -> Path | None:
    """Switch JAX's persistent compilation cache on (used by the CLI); return its directory.

    JAX compiles every function once per shape and dtype; with the cache, a second
    ``handbp verify`` loads the compiled code instead of compiling again. Leaves a cache
    the user configured for JAX alone.
    """
    configured = getattr(jax.config, "jax_compilation_cache_dir", None)
    if configured:
        return Path(configured)
    directory = cache_directory()
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(directory))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return directory
