"""`python -m evidens.cli` runs the same command as the `evidens` script."""

from evidens.cli.app import main

main()
