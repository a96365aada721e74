from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from reviewer.core.gc_pause import cyclic_gc_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pauses_in_two_threads_end_with_the_last_of_them() -> None:
    """An export and an import overlap: the first to end must not switch collection back on
    under the other."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        first_in.wait()
        with cyclic_gc_paused():
            second_in.set()
            first_out.wait()
            seen.append(gc.isenabled())

    worker = threading.Thread(target=second)
    worker.start()
    with cyclic_gc_paused():
        first_in.set()
        second_in.wait()
    first_out.set()
    worker.join()
    assert seen == [False]  # still paused after the first pause ended
    assert gc.isenabled()  # and on again after the last


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
