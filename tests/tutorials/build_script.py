"""``tutorials/build.py``, imported from its file: the tests run the tutorials as a reader builds them.

``tutorials/`` is a folder of documents, not a package, so its build script is loaded by path.
"""

import importlib.util
from pathlib import Path

PATH = Path(__file__).resolve().parents[2] / "tutorials" / "build.py"

_spec = importlib.util.spec_from_file_location("handbp_tutorials_build", PATH)
if _spec is None or _spec.loader is None:
    raise ImportError(f"cannot load the tutorials' build script {PATH}")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)
