"""Migration 0008: OCR text already stored in a case is indexed for search on upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reviewer.services.case import DB_NAME, open_case
from reviewer.store import migrate
from reviewer.store.engine import make_engine


def test_stored_ocr_text_is_indexed_when_a_case_is_upgraded(tmp_path: Path) -> None:
    from alembic import command

    root = tmp_path / "old"
    root.mkdir()
    engine = make_engine(root / DB_NAME)
    config = migrate._config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    engine.dispose()
    with sqlite3.connect(root / DB_NAME) as db:
        db.execute(
            "INSERT INTO analysis_run (id, started_utc, reviewer, engines, status, analysed, "
            "skipped, failed) VALUES (1, 't', 'me', '[]', 'done', 2, 0, 0)"
        )
        for row_id, kind, text in [(1, "ocr", "BATON BRIEFING"), (2, "ocr", None), (3, "x", "van")]:
            db.execute(
                "INSERT INTO media_analysis (id, sha256, kind, engine, version, run_id, "
                "created_utc, status, text, data) VALUES (?, ?, ?, 'e', '1', 1, 't', 'ok', ?, "
                "'{}')",
                (row_id, f"{row_id:064d}", kind, text),
            )
    with open_case(root) as case, case.engine.connect() as connection:

        def match(word: str) -> list[int]:
            rows = connection.exec_driver_sql(
                "SELECT rowid FROM image_fts WHERE image_fts MATCH ?", (word,)
            )
            return [row[0] for row in rows]

        assert match("baton") == [1] and match("briefing") == [1]
        assert match("van") == []  # only OCR results are indexed
        columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(suggestion)")]
    assert "source" in columns
