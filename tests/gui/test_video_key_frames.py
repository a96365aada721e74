"""The media viewer on a video whose key frames were read by the real OCR: the key frames
shown under the player, the text read in each outlined on "Show boxes" (in the key frame's
own pixels, scaled to its thumbnail), and blurred with the video when it is flagged."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

import media_fixtures
from helpers import ACTOR
from reviewer.gui.media_analysis_panel import BOX_COLOUR
from reviewer.gui.media_blur import BlurRule
from reviewer.gui.media_viewer import MediaViewer
from reviewer.review.media.ocr import have_ocr
from reviewer.review.media.video import have_av
from reviewer.services import browse
from reviewer.services.case import create_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.media_analysis import AnalyseOptions, analyse
from reviewer.services.media_detail import file_analysis
from reviewer.services.media_flags import FlaggedMedia

pytestmark = pytest.mark.skipif(
    not (have_ocr() and have_av()), reason="needs the OCR engine and PyAV"
)


def _pink_pixels(image: QImage) -> int:
    pink = QColor(BOX_COLOUR)
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            near = abs(c.red() - pink.red()) + abs(c.green() - pink.green())
            count += near + abs(c.blue() - pink.blue()) < 40
    return count


def test_the_viewer_outlines_text_on_a_videos_key_frames(qtbot: QtBot, tmp_path: Path) -> None:
    clip = media_fixtures.video(tmp_path / "clip.mp4", seconds=1.0)
    name = "00000001-VIDEO-2024-03-14-10-00-00.mp4"
    export = tmp_path / "video.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr(name, clip.read_bytes())
        line = f"[14/03/2024, 10:00:00] Sam Reid: \u200e<attached: {name}>\r\n"
        archive.writestr("_chat.txt", line.encode())
    with create_case(tmp_path / "case", reference="OP-5", actor=ACTOR) as case:
        import_export(case, export, ACTOR, ImportOptions(exhibit="AB/1"))
        analyse(case, ACTOR, AnalyseOptions(("ocr",), workers=1))  # key frames always
        (view,) = browse.message_views(case, browse.conversation_message_ids(case, 1)).values()
        (attachment,) = view.attachments
        assert attachment.sha256 is not None
        found = file_analysis(case, attachment.sha256)
        assert found.ocr is not None and found.ocr.text  # the meme's captions
        assert found.frames and len(found.ocr.frame_sizes) == len(found.frames)
        assert all(box.frame is not None for box in found.ocr.boxes)
        assert found.ocr.frame_sizes[0] == (320, 240)  # the frame as read, not the thumbnail

        rule = BlurRule()
        rule.set_reveal_all(True)
        viewer = MediaViewer(case, attachment, blur=rule, message_id=view.id)
        qtbot.addWidget(viewer)
        viewer.show()
        frames = viewer.key_frames
        assert frames is not None and frames.chooser.count() == len(found.frames)
        assert viewer.panel is not None and viewer.panel.boxes_toggle.isEnabled()
        assert _pink_pixels(frames.picture.pixmap().toImage()) == 0
        viewer.panel.boxes_toggle.setChecked(True)
        outlined = frames.picture.pixmap().toImage()
        assert _pink_pixels(outlined) > 30
        viewer.grab().save(str(tmp_path / "video-key-frames.png"))

        # flagged: the key frames are blurred too (boxes or not), until the video is revealed
        rule.set_flags(FlaggedMedia(0.6, {attachment.sha256: 0.9}))
        blurred = frames.picture.pixmap().toImage()
        assert blurred != outlined
        rule.confirm = lambda _parent, _reason: True
        assert viewer.reveal()
        assert frames.picture.pixmap().toImage() == outlined
        viewer.close()
