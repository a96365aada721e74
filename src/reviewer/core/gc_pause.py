"""Pausing Python's cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # pauses open now, in any thread
_was_enabled = False  # the collector's state when the first of them began


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the previous state once the last pause open
    in the process ends.

    For work that allocates hundreds of thousands of small objects and no reference cycles:
    each full pass walks every live object (a whole case's messages, a bundle) and finds
    nothing to free. Reference counting still frees everything as usual. The collector is one
    per process, so the pause is too: pauses in several threads (an export beside an import)
    nest, and the collector comes back only when the last of them ends.
    """
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
