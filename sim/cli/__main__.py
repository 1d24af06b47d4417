"""``python -m sim.cli``: the same as the ``zonesim`` command."""

import sys

from sim.cli.main import main

sys.exit(main())
