"""Lowering the scheduling priority of the calling thread, for work that should give way."""

from __future__ import annotations

import contextlib
import os
import sys
import threading

# Nice 10: weight ~1/10 of a normal thread's. Low enough that a busy sibling (the Typst child
# laying out pages on every core) keeps the cores; high enough that the thread still runs
# every few tens of milliseconds, so the GIL it may hold is never held for long.
BACKGROUND_NICE = 10


def yield_to_busier_work() -> None:
    """Run the calling thread at ``BACKGROUND_NICE`` from now on (it cannot be raised again
    without privileges, so call it only in a thread made for the purpose).

    Linux only, where nice values are per thread; elsewhere, and when the system refuses,
    nothing changes: the work is only slower to give way, never wrong.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
