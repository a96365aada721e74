"""The export dialog: a live preview, then an export that `verify` accepts."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from reviewer.bundle.verify import verify_bundle
from reviewer.gui.export_dialog import ExportDialog
from reviewer.services import audit_log, tagging
from reviewer.services import taxonomy as taxonomy_service
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records


def test_preview_then_export_and_verify(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path, tmp_path: Path
) -> None:
    import_export(case, ios_zip, actor)
    ids = [int(r["id"]) for r in message_records(case)]
    tagging.tag(case, actor, [ids[3]], "derogatory")
    with case.reading() as session:
        taxonomy = taxonomy_service.current(session)
    dialog = ExportDialog(case, actor, taxonomy, ["EX1"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "tagged messages" in dialog.summary.text(), timeout=10_000)
    assert "<b>1</b> tagged" in dialog.summary.text()
    assert not dialog.export_button.isEnabled()  # no folder yet
    out = tmp_path / "bundle"
    dialog.out_dir.setText(str(out))
    assert dialog.export_button.isEnabled()
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.start()
    assert "Bundle written" in dialog.message.text()
    assert verify_bundle(out).ok
    with case.reading() as session:
        assert list(audit_log.entries(session))[-1]["action"] == "bundle.exported"


def test_context_change_updates_the_preview(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path
) -> None:
    import_export(case, ios_zip, actor)
    ids = [int(r["id"]) for r in message_records(case)]
    tagging.tag(case, actor, [ids[4]], "sexual")
    with case.reading() as session:
        taxonomy = taxonomy_service.current(session)
    dialog = ExportDialog(case, actor, taxonomy, ["EX1"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "tagged messages" in dialog.summary.text(), timeout=10_000)
    dialog.context.setValue(0)
    qtbot.waitUntil(lambda: "<b>0</b> messages of context" in dialog.summary.text(), timeout=10_000)


def test_zip_and_password_options(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path, tmp_path: Path
) -> None:
    from reviewer.bundle.archive import is_encrypted, unpacked

    import_export(case, ios_zip, actor)
    ids = [int(r["id"]) for r in message_records(case)]
    tagging.tag(case, actor, [ids[3]], "derogatory")
    with case.reading() as session:
        taxonomy = taxonomy_service.current(session)
    dialog = ExportDialog(case, actor, taxonomy, ["EX1"])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "tagged messages" in dialog.summary.text(), timeout=10_000)
    assert "whole audit log" in dialog.summary.text()
    dialog.redact.setChecked(True)
    qtbot.waitUntil(lambda: "uninvolved person" in dialog.summary.text(), timeout=10_000)
    assert "whole audit log" not in dialog.summary.text()
    dialog.redact.setChecked(False)
    dialog.out_dir.setText(str(tmp_path / "bundle"))

    assert not dialog.encrypt.isEnabled() and not dialog.password.isEnabled()
    dialog.archive.setChecked(True)
    assert dialog.encrypt.isEnabled() and not dialog.password.isEnabled()
    dialog.encrypt.setChecked(True)
    assert dialog.password.isEnabled() and dialog.confirm.isEnabled()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert not dialog.export_button.isEnabled()  # no password yet
    dialog.password.setText("s3cret pass")
    dialog.confirm.setText("s3cret pas")
    assert not dialog.export_button.isEnabled() and "differ" in dialog.password_hint.text()
    dialog.confirm.setText("s3cret pass")
    assert dialog.export_button.isEnabled()
    options = dialog.options()
    assert options.archive and options.password == b"s3cret pass"
    assert "s3cret" not in repr(options)

    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.start()
    zipped = tmp_path / "bundle.zip"
    assert is_encrypted(zipped) and "AES-256 encrypted" in dialog.message.text()
    assert dialog.password.text() == "" and dialog.confirm.text() == ""  # not kept
    with unpacked(zipped, b"s3cret pass") as folder:
        assert verify_bundle(folder).ok
    with case.reading() as session:
        entry = list(audit_log.entries(session))[-1]
    assert entry["details"]["archive"]["encrypted"] is True
    assert "s3cret" not in str(entry)
