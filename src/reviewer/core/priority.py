"""Lowering the scheduling priority of the calling thread, for work that should give way."""

from __future__ import annotations

import contextlib
import os
import sys
import threading

# Nice 5: about a third of a normal thread's weight. Low enough that a busy sibling (the Typst
# child laying out pages on every core) keeps the cores; high enough that the thread runs often,
# so the GIL it holds is not held away from the GUI for long: during the export benchmark the
# longest GIL wait was 32 ms at nice 5, 143 ms at nice 10 (bench/bench_export_gil.py).
BACKGROUND_NICE = 5


def yield_to_busier_work() -> None:
    """Run the calling thread at ``BACKGROUND_NICE`` from now on (it cannot be raised again
    without privileges, so call it only in a thread made for the purpose).

    Linux only, where nice values are per thread; elsewhere, and when the system refuses,
    nothing changes: the work is only slower to give way, never wrong.
    """
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):
        nice = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(nice, BACKGROUND_NICE))
