"""``python -m reportqa``: see ``reportqa.cli``."""

import sys

from reportqa.cli import main

sys.exit(main())
