"""The frozen application's entry script (PyInstaller needs a script, not an entry point).

``REVIEWER_SELFTEST=gui|export`` runs a self-test instead of the command line; the smoke test
uses it, and so can an agency checking an installed copy. Without it, this is ``reviewer``.
"""

import multiprocessing
import os
import sys


def run() -> int:
    # First, before anything else: a spawned import worker process starts here too, and
    # freeze_support() runs the worker and exits instead of returning.
    multiprocessing.freeze_support()
    mode = os.environ.get("REVIEWER_SELFTEST")
    if mode:
        import reviewer_selftest

        return reviewer_selftest.main(mode, sys.argv[1:])
    from reviewer.__main__ import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
