"""One module per ``zonesim`` subcommand: ``register(subparsers)`` adds it, its handler runs it."""
