"""The tutorials are executed once per test session, two at a time, and shared by the tests."""

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from handbp_site.execute import QUICK_ENV, execute


@pytest.fixture(scope="session")
def executed(request, notebook_cache, jax_cache) -> Callable[[Path], nbformat.NotebookNode]:
    """``executed(path)``: the tutorial run top to bottom; an error in any cell fails the test.

    At first use, every tutorial that a selected test asks for is run, two kernels at a
    time, with their short runs and figures drawn inline, as the site shows them; those
    the site's build (tests/site) already ran this session are read from its cache.
    """
    wanted = {
        item.callspec.params["path"]
        for item in request.session.items
        if "executed" in getattr(item, "fixturenames", ())
        and "path" in getattr(getattr(item, "callspec", None), "params", {})
    }
    results = execute(
        sorted(wanted), jobs=2, env={QUICK_ENV: "1"}, cache=notebook_cache, jax_cache=jax_cache
    )

    def notebook(path: Path) -> nbformat.NotebookNode:
        result = results[path]
        if isinstance(result, BaseException):
            raise result
        return result

    return notebook
