"""handbp's website: the tutorials, the teacher pages and the API reference, built with Sphinx.

``python -m handbp_site`` (from the repository root) builds it into ``docs/_build/html``;
see :mod:`handbp_site.build`. This package builds from a clone of the repository and is
not installed with handbp.
"""
