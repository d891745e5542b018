"""Shared pytest set-up: hypothesis profiles.

``--hypothesis-profile=mutation`` (used by mutmut, see docs/mutation.md) drops the
deadlines: a mutant may be slow without being wrong, and timing must not kill it.
"""

from hypothesis import settings

settings.register_profile("mutation", deadline=None, print_blob=False)
