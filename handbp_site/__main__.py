"""``python -m handbp_site``: build the website into ``docs/_build/html``."""

import sys

from handbp_site.build import main

sys.exit(main())
