"""The background task runner: a task whose owner goes away mid-run does not stay in flight."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from reviewer.gui import tasks


def test_task_deleted_with_its_parent_leaves_flight(qtbot) -> None:
    release = threading.Event()
    owner = QObject()
    delivered: list[object] = []

    task = tasks.Task(lambda progress, cancel: release.wait(10), writer=False, parent=owner)
    task.success(delivered.append).run()
    assert tasks.in_flight() == 1

    owner.deleteLater()
    qtbot.waitUntil(lambda: tasks.in_flight() == 0, timeout=5_000)
    release.set()
    assert tasks.wait_for_all(5_000)
    qtbot.wait(50)  # a late outcome has nowhere to go and is dropped quietly
    assert delivered == []


def test_finished_task_is_delivered_once(qtbot) -> None:
    results: list[int] = []
    task = tasks.Task(lambda progress, cancel: 41 + 1, writer=False)
    task.success(results.append).run()
    qtbot.waitUntil(lambda: results == [42], timeout=5_000)
    assert tasks.wait_for_all(5_000)
    qtbot.wait(50)  # a second delivery would have arrived by now
    assert results == [42]
    assert tasks.in_flight() == 0
    # the finished task's id is gone: deleting it must not pop another task's
    release = threading.Event()
    other = tasks.Task(lambda progress, cancel: release.wait(5), writer=False)
    other.run()
    del task
    assert tasks.in_flight() == 1
    release.set()
    qtbot.waitUntil(lambda: tasks.in_flight() == 0, timeout=5_000)
    del other
