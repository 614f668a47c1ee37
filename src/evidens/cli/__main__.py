"""`python -m evidens.cli` runs the same command as the `evidens` script."""

from evidens.cli.app import main

if __name__ == "__main__":  # worker processes started with spawn import this module too
    main()
