"""Lowering the scheduling priority of the calling thread, for work that should give way."""

from __future__ import annotations

import contextlib
import os
import sys
import threading

# How much nicer than its process the thread runs: at +10 its weight is about a tenth of a
# normal thread's, so a busy sibling (the Typst child laying out pages on every core) keeps
# the cores. Relative, because the window runs exports in a worker process that is itself at
# nice 10 (services/worker_process.py), and the Typst child inherits that.
BACKGROUND_STEP = 10
_NICEST = 19


def yield_to_busier_work() -> None:
    """Run the calling thread ``BACKGROUND_STEP`` nicer than it was, from now on (it cannot be
    raised again without privileges, so call it only in a thread made for the purpose).

    Linux only, where nice values are per thread; elsewhere, and when the system refuses,
    nothing changes: the work is only slower to give way, never wrong.
    """
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):
        nice = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(nice + BACKGROUND_STEP, _NICEST))
