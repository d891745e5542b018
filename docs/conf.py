"""Sphinx configuration of handbp's website, built by ``python -m handbp_site``.

The build stages its sources (this folder's pages, the executed tutorials and the
generated teacher pages) in ``docs/_build/source`` and runs Sphinx there with this file:
see ``handbp_site/build.py``. The notebooks arrive executed, so MyST-NB does not run them.
"""

import logging
import re

project = "handbp"
author = "the handbp developers"
copyright = "handbp's authors"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 shipped in the package, copied into _static/mathjax
]

# -- MyST and MyST-NB --------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links, as GitHub makes them
myst_heading_slug_func = "github"  # handbp_site.teaching links to sections with this slug
# two packages define a Setup (training presets, verify's nets): a bare "Setup" in a type
# hint is ambiguous, and Sphinx would warn on every build
suppress_warnings = ["ref.python"]
nb_execution_mode = "off"  # handbp_site executes (and caches) the tutorials itself
nb_merge_streams = True

# -- autodoc (handbp's docstrings are reStructuredText: no napoleon needed) -------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {
    "members": True,
    "undoc-members": False,
    "no-value": True,  # the catalogue's repr is pages long
    "ignore-module-all": True,  # each object once, in the module that defines it
}

# -- HTML ----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "handbp: backpropagation by hand, proven"
html_static_path: list[str] = []
html_favicon = "favicon.svg"  # without one, every page makes the browser ask for /favicon.ico
html_last_updated_fmt = None
html_context = {"default_mode": "light"}  # the theme logs a console error without one
html_theme_options = {
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}


class _ChaptersYetToCome(logging.Filter):
    """Drops one warning: "Beyond the series" globs ``tutorials/chapter*`` before any exists.

    Sphinx gives that warning no type, so ``suppress_warnings`` cannot name it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "'tutorials/chapter*' didn't match any documents" not in record.getMessage()


_CODE = re.compile(r"(`[^`]*`)")
_BARS = re.compile(r"\|(\w+)\|")


def _absolute_values(app, what, name, obj, options, lines: list[str]) -> None:
    """``|x|`` in prose is an absolute value, not a reST substitution: escape its bars.

    Inside backquotes (``:math:`|x|```, literals) the text is left as it is.
    """
    for index, line in enumerate(lines):
        parts = _CODE.split(line)
        lines[index] = "".join(
            part if part.startswith("`") else _BARS.sub(r"\\|\1\\|", part) for part in parts
        )


def setup(app) -> None:
    """Drop the empty-glob warning; read ``|x|`` in docstrings as absolute values."""
    logging.getLogger("sphinx.sphinx.directives.other").addFilter(_ChaptersYetToCome())
    app.connect("autodoc-process-docstring", _absolute_values)
