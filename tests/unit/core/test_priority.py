from __future__ import annotations

import os
import sys
import threading

import pytest

from reviewer.core.priority import BACKGROUND_STEP, yield_to_busier_work


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice is per thread on Linux")
def test_only_the_calling_thread_gives_way_relative_to_its_process() -> None:
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []

    def background() -> None:
        yield_to_busier_work()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    worker = threading.Thread(target=background)
    worker.start()
    worker.join()
    assert seen == [min(before + BACKGROUND_STEP, 19)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
