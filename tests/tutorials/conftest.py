"""The tutorials are executed once per test session, two at a time, and shared by the tests."""

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tests.tutorials.build_script import build


@pytest.fixture(scope="session")
def jax_cache_env(tmp_path_factory) -> dict[str, str]:
    """JAX's compilation cache in a folder of this session, shared by the tutorials' kernels.

    Each tutorial runs in a fresh kernel, which would compile verify's JAX references
    again; with the cache, the kernels after the first load them instead.
    """
    return {
        "JAX_COMPILATION_CACHE_DIR": str(tmp_path_factory.mktemp("jax-cache")),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


@pytest.fixture(scope="session")
def executed(request, jax_cache_env) -> Callable[[Path], nbformat.NotebookNode]:
    """``executed(path)``: the tutorial run top to bottom; an error in any cell fails the test.

    At first use, every tutorial that a selected test asks for is run, two kernels at a
    time; figures are drawn without a display (Agg) and the tutorials take their short runs.
    """
    wanted = {
        item.callspec.params["path"]
        for item in request.session.items
        if "executed" in getattr(item, "fixturenames", ())
        and "path" in getattr(getattr(item, "callspec", None), "params", {})
    }
    env = {"MPLBACKEND": "Agg", build.QUICK_ENV: "1", **jax_cache_env}
    results = build.execute_many(sorted(wanted), jobs=2, env=env)

    def notebook(path: Path) -> nbformat.NotebookNode:
        result = results[path]
        if isinstance(result, BaseException):
            raise result
        return result

    return notebook
