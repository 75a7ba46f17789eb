"""Run the command line with ``python -m localbot``."""

from localbot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
