"""Entry point: ``reviewer`` and ``python -m reviewer``."""

import multiprocessing
import sys
from argparse import Namespace

from reviewer.cli.main import main as cli_main


def _gui(args: Namespace) -> int:
    from reviewer.gui.app import gui_entry  # Qt loads only when a window is wanted

    return gui_entry(args)


def main() -> int:
    multiprocessing.freeze_support()  # the import worker process, in frozen builds
    return cli_main(sys.argv[1:], gui=_gui)


if __name__ == "__main__":
    sys.exit(main())
