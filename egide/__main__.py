from __future__ import annotations

import sys

from egide.cli import main

sys.exit(main())
