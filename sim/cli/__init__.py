"""The ``zonesim`` command line: ``main`` parses, one module per subcommand in ``commands``."""

from sim.cli.main import main

__all__ = ["main"]
