"""``python -m reportqa``: see ``reportqa.ui.cli``."""

import sys

from reportqa.ui.cli import main

sys.exit(main())
