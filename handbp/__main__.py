"""``python -m handbp``: the same as the ``handbp`` command."""

import sys

from handbp.cli import main

if __name__ == "__main__":
    sys.exit(main())
