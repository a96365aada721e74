"""Small builders shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import io

from PIL import Image

from reviewer.services.actor import Actor

ACTOR = Actor(name="Test Reviewer", workstation="test-host")

IOS_CHAT = (
    "[14/03/2024, 09:58:01] Shift B: \u200eMessages and calls are end-to-end encrypted. "
    "No one outside of this chat, not even WhatsApp, can read or listen to them.\r\n"
    "[14/03/2024, 09:58:02] Shift B: \u200eSam Reid created group \u201cShift B\u201d\r\n"
    "[14/03/2024, 10:00:00] Sam Reid: Morning all\r\n"
    "[14/03/2024, 10:01:30] Alex Turner: first line\nsecond line\n[01:40] not a header\r\n"
    "\u200e[14/03/2024, 10:02:11] Alex Turner: Photo of the car \u200e<attached: "
    "00000015-PHOTO-2024-03-14-10-02-11.jpg>\r\n"
    "[14/03/2024, 10:03:00] Jo Park: ok then \u200e<This message was edited>\r\n"
    "\u200e[14/03/2024, 10:04:00] Jo Park: \u200e<attached: "
    "00000016-PHOTO-2024-03-14-10-04-00.jpg>\r\n"
    "[15/03/2024, 22:15:00] Sam Reid: \u200eThis message was deleted.\r\n"
)


def jpeg_bytes(colour: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()
