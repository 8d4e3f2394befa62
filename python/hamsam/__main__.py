"""``python -m hamsam``: the hamsam command line (the same as the ``hamsam`` command; ``python -m hamsam --help``)."""
from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
