"""``python -m skgait.cli``: the ``skgait`` command line."""

import sys

from . import main

sys.exit(main())
