"""`python -m worker.cli_main`: the CLI without the installed script."""

from worker.cli import app

if __name__ == "__main__":
    app()
