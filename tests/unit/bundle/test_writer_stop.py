"""Stopping an export while the payload beside the PDF is written (in its own thread)."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bundle_factory import make_bundle, message

from reviewer.bundle import writer
from reviewer.bundle.media import write_media
from reviewer.core.errors import Cancelled
from reviewer.core.progress import CancelToken, NullProgress

MEDIA_SECONDS = 1.0


def _slow_media(monkeypatch: pytest.MonkeyPatch, on_start: Callable[[], None]) -> None:
    """Copying the media takes MEDIA_SECONDS, and calls ``on_start`` as it begins."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)  # the exporting thread is waiting for this one by then
        on_start()
        time.sleep(MEDIA_SECONDS)
        return write_media(*args, **kwargs)

    monkeypatch.setattr(writer, "write_media", slow)


def _written(out: Path) -> set[str]:
    """What was written (a stopped export is never made a bag: the files are where the
    writers put them)."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def _bundle() -> Any:
    return make_bundle([message(i, tagged=i % 3 == 0) for i in range(1, 30)])


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGALRM")
def test_an_interrupt_stops_the_rest_of_the_payload_at_its_next_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the command line reaches the exporting thread: the thread writing the rest
    stops after the step it is in, instead of writing the RSMF and HTML first."""
    main = threading.main_thread().ident
    assert main is not None and threading.get_ident() == main
    _slow_media(monkeypatch, lambda: signal.pthread_kill(main, signal.SIGALRM))

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    started = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            writer.write_bundle(_bundle(), tmp_path, progress=NullProgress(), cancel=CancelToken())
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - started < MEDIA_SECONDS + 2.0
    written = _written(tmp_path)
    assert "report/report.pdf" in written  # the PDF's thread finishes its work
    assert not any(name.startswith(("rsmf/", "schedule/")) for name in written)
    assert "report/index.html" not in written


def test_cancel_stops_the_rest_of_the_payload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cancel = CancelToken()
    _slow_media(monkeypatch, cancel.cancel)
    with pytest.raises(Cancelled):
        writer.write_bundle(_bundle(), tmp_path, progress=NullProgress(), cancel=cancel)
    written = _written(tmp_path)
    assert not any(name.startswith(("rsmf/", "schedule/")) for name in written)
    assert "report/index.html" not in written
