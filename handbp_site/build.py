"""Building the website: stage the sources, then run Sphinx on them.

The staged source folder (``docs/_build/source``) holds:

* the pages of ``docs/`` (the home page, the series' specification, verify's notes);
* every tutorial as an executed notebook (``tutorials/partNN.ipynb``, ``chapter*.ipynb``),
  run by :func:`handbp_site.execute.execute` and cached by content;
* the teacher pages, generated from the catalogue and the checker (``teaching/``);
* the API reference, one page per package, from the docstrings (``api/``).

Sphinx then renders it with ``docs/conf.py`` (MyST-NB, the book theme, MathJax from the
``sphinx-mathjax-offline`` package) into ``docs/_build/html``.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import shutil
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import nbformat
from sphinx.application import Sphinx
from sphinx.deprecation import RemovedInSphinx10Warning, RemovedInSphinx11Warning
from sphinx.pycode import ModuleAnalyzer

import handbp
import verify
from handbp_site import derivation, mistakes, teaching
from handbp_site.execute import QUICK_ENV, REPO, execute, tutorial_paths

DOCS = REPO / "docs"
"""The site's hand-written pages and its Sphinx configuration."""

BUILD = DOCS / "_build"
"""Everything the build writes (ignored by git): ``html/``, ``source/``, caches."""

LONG_VALUE = 200
"""Characters of a value's repr above which the API reference leaves the value out."""

API_PACKAGES = (handbp, verify)
"""The packages whose docstrings make the API reference, a page each."""


@dataclass(frozen=True)
class Site:
    """A finished build: where the pages are, and what Sphinx warned about."""

    html: Path
    warnings: list[str]
    seconds: float

    @property
    def index(self) -> Path:
        """The home page."""
        return self.html / "index.html"


def modules(package: object) -> list[str]:
    """The package's modules, public ones only (no ``_name``), in name order."""
    name = package.__name__  # type: ignore[attr-defined]
    found = [
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}.")  # type: ignore[attr-defined]
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    return [name, *sorted(found)]


def api_page(package: object) -> str:
    """One package's reference: every public module's docstrings, by autodoc."""
    name = package.__name__  # type: ignore[attr-defined]
    lines = [f"# API: `{name}`", ""]
    for module in modules(package):
        # the docstrings are reStructuredText (``:math:`...```), so autodoc runs in an RST block
        rst = [f".. automodule:: {module}"]
        long = long_values(module)
        if long:
            # Sphinx 9.0's automodule has no :no-value:; these are documented one by one
            rst.append(f"   :exclude-members: {', '.join(long)}")
            rst += [
                line
                for data in long
                for line in ("", f".. autodata:: {module}.{data}", "   :no-value:")
            ]
        lines += [f"## `{module}`", "", "```{eval-rst}", *rst, "```", ""]
    return "\n".join(lines)


def long_values(module: str) -> list[str]:
    """The module's documented data whose value is too long to print (a catalogue, a table)."""
    imported = importlib.import_module(module)
    documented = ModuleAnalyzer.for_module(module).find_attr_docs()
    return [
        attribute
        for (scope, attribute) in documented
        if scope == "" and len(repr(getattr(imported, attribute, ""))) > LONG_VALUE
    ]


def stage_notebooks(
    source: Path, quick: bool, jobs: int, cache: Path, jax_cache: Path | None
) -> None:
    """Execute every tutorial (or read it from the cache) into ``source/tutorials``."""
    env = {QUICK_ENV: "1"} if quick else {}
    results = execute(tutorial_paths(), jobs=jobs, env=env, cache=cache, jax_cache=jax_cache)
    failed = {path: error for path, error in results.items() if isinstance(error, BaseException)}
    if failed:
        path, error = next(iter(failed.items()))
        names = ", ".join(p.name for p in failed)
        raise RuntimeError(f"tutorials that failed: {names}; {path.name}: {error}") from error
    folder = source / "tutorials"
    folder.mkdir(parents=True)
    for path, notebook in results.items():
        nbformat.write(notebook, folder / f"{path.stem}.ipynb")


def stage(source: Path, quick: bool, jobs: int, cache: Path, jax_cache: Path | None = None) -> None:
    """Write the site's sources into ``source`` (emptied first)."""
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for page in DOCS.glob("*.md"):
        shutil.copy(page, source / page.name)
    stage_notebooks(source, quick, jobs, cache, jax_cache)
    teaching_folder = source / "teaching"
    teaching_folder.mkdir()
    (teaching_folder / "net.md").write_text(teaching.net_page(teaching_folder / "images"))
    (teaching_folder / "equations.md").write_text(teaching.equations_page())
    (teaching_folder / "derivation.md").write_text(derivation.derivation_page())
    (teaching_folder / "mistakes.md").write_text(mistakes.mistakes_page())
    api = source / "api"
    api.mkdir()
    for package in API_PACKAGES:
        (api / f"{package.__name__}.md").write_text(api_page(package))


def build(
    out: Path = BUILD,
    quick: bool = False,
    jobs: int = 2,
    cache: Path | None = None,
    jax_cache: Path | None = None,
    status: IO[str] | None = None,
) -> Site:
    """Build the site into ``out/html``; returns it with Sphinx's warnings.

    ``quick`` runs the tutorials' short runs (``HANDBP_TUTORIAL_QUICK=1``); ``cache`` is the
    folder of executed notebooks (default ``out/notebooks``), ``jax_cache`` JAX's
    compilation cache for the kernels (default ``out/jax-cache``). Sphinx's progress goes
    to ``status`` (default: nowhere).
    """
    started = time.perf_counter()
    source, html = out / "source", out / "html"
    stage(
        source,
        quick,
        jobs,
        cache if cache is not None else out / "notebooks",
        jax_cache if jax_cache is not None else out / "jax-cache",
    )
    if html.exists():
        shutil.rmtree(html)
    warned = io.StringIO()
    with warnings.catch_warnings():
        # notices to the theme's and extensions' authors about Sphinx's coming API changes
        warnings.simplefilter("ignore", RemovedInSphinx10Warning)
        warnings.simplefilter("ignore", RemovedInSphinx11Warning)
        app = Sphinx(
            srcdir=source,
            confdir=DOCS,
            outdir=html,
            doctreedir=out / "doctrees",
            buildername="html",
            status=status,
            warning=warned,
            freshenv=True,
            keep_going=True,
        )
        app.build()
    lines = [line for line in warned.getvalue().splitlines() if line.strip()]
    return Site(html, lines, time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m handbp_site``: build the site and say where it is."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m handbp_site",
        description="Build handbp's website (tutorials, teacher pages, API) into docs/_build/html.",
    )
    parser.add_argument("--out", type=Path, default=BUILD, help=f"build folder (default {BUILD})")
    parser.add_argument(
        "--quick", action="store_true", help=f"set {QUICK_ENV}=1: the tutorials' short runs"
    )
    parser.add_argument("--jobs", type=int, default=2, help="tutorials run at a time (default 2)")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    try:
        site = build(
            args.out,
            quick=args.quick,
            jobs=args.jobs,
            status=sys.stdout if args.verbose else None,
        )
    except RuntimeError as error:
        print(f"python -m handbp_site: error: {error}", file=sys.stderr)
        return 1
    for warning in site.warnings:
        print(warning, file=sys.stderr)
    print(f"built {site.index} in {site.seconds:.0f} s ({len(site.warnings)} warnings)")
    return 0
