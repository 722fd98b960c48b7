"""``python -m feedsmith`` behaves exactly like the ``feedsmith`` command."""

from feedsmith.cli import main

main()
