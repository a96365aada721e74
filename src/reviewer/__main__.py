"""Entry point: ``reviewer`` and ``python -m reviewer``."""

import multiprocessing
import sys
from argparse import Namespace


def _gui(args: Namespace) -> int:
    from reviewer.gui.app import gui_entry  # Qt loads only when a window is wanted

    return gui_entry(args)


def main() -> int:
    multiprocessing.freeze_support()  # the import worker process, in frozen builds
    # Imported here, not above: the import worker process loads this module as its main
    # module and needs none of the command line's imports.
    from reviewer.cli.main import main as cli_main

    return cli_main(sys.argv[1:], gui=_gui)


if __name__ == "__main__":
    sys.exit(main())
