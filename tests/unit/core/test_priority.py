from __future__ import annotations

import os
import sys
import threading

import pytest

from reviewer.core.priority import BACKGROUND_NICE, yield_to_busier_work


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice is per thread on Linux")
def test_only_the_calling_thread_gives_way() -> None:
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    if before >= BACKGROUND_NICE:
        pytest.skip("the tests already run at background priority")
    seen: list[int] = []

    def background() -> None:
        yield_to_busier_work()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    worker = threading.Thread(target=background)
    worker.start()
    worker.join()
    assert seen == [BACKGROUND_NICE]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
