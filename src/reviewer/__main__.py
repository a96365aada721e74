"""Entry point: ``reviewer`` and ``python -m reviewer``."""

import sys

from reviewer.cli.main import main as cli_main


def main() -> int:
    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
