"""``python -m handbp``: the same as the ``handbp`` command."""

import sys

from handbp.cli import main

sys.exit(main())
