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
    assert tasks.in_flight() == 0
    del task  # the finished task holds no connection that keeps it alive or pops another's id
