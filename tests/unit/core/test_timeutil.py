"""The import's cached time formatting equals the plain conversion, clock changes included."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from reviewer.core.timeutil import Stamper, iso_local, iso_utc, to_utc, zone


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("Europe/London", datetime(2024, 3, 30, 22, 0, 7)),  # clocks go forward
        ("Europe/London", datetime(2024, 10, 26, 22, 0, 7)),  # clocks go back
        ("Asia/Kolkata", datetime(2024, 6, 1, 0, 0, 1)),  # +05:30: no whole-hour prefix
        ("Australia/Lord_Howe", datetime(2024, 4, 6, 22, 0, 3)),  # a 30-minute change
        ("America/St_Johns", datetime(2024, 11, 2, 22, 0, 0)),  # -02:30 / -03:30
    ],
)
def test_stamper_matches_to_utc_every_seventeen_minutes(name: str, start: datetime) -> None:
    tz = zone(name)
    stamper = Stamper(tz)
    for step in range(0, 60 * 60 * 30, 17 * 60 + 13):
        # odd steps carry microseconds (Telegram times can): whole seconds are written
        local = start + timedelta(seconds=step, microseconds=(step % 2) * 654_321)
        utc, flag = to_utc(local, tz)
        assert stamper(local) == (iso_local(local), iso_utc(utc), flag), local
