"""``python -m sgframe.testbed run [options] -- COMMAND...``"""
from __future__ import annotations

import sys

from sgframe.testbed.cli import main

if __name__ == "__main__":
    sys.exit(main())
