"""Entry point: ``reviewer`` and ``python -m reviewer``."""

import sys
from argparse import Namespace


def _gui(args: Namespace) -> int:
    # Before Qt loads: a missing system library or display is one line, not Qt's abort.
    from reviewer.gui.preflight import import_problem, window_problem

    problem = window_problem()
    if problem is None:
        try:
            from reviewer.gui.app import gui_entry  # Qt loads only when a window is wanted
        except ImportError as exc:
            problem = import_problem(exc)
            if problem is None:
                raise
    if problem is not None:
        print(f"reviewer: {problem}", file=sys.stderr)
        return 1
    return gui_entry(args)


def main() -> int:
    if getattr(sys, "frozen", False):  # the import worker process, in frozen builds
        import multiprocessing  # not otherwise: it costs the command line's start-up 15 ms

        multiprocessing.freeze_support()
    # Imported here, not above: the import worker process loads this module as its main
    # module and needs none of the command line's imports.
    from reviewer.cli.main import main as cli_main

    return cli_main(sys.argv[1:], gui=_gui)


if __name__ == "__main__":
    sys.exit(main())
