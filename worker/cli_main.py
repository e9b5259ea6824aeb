"""`python -m worker.cli_main`: the CLI without the installed script."""

from worker.cli import main

if __name__ == "__main__":
    main()
