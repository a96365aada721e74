"""A video's key frames in the media viewer (DESIGN.md §10): the pictures the analysis read
(the ``av`` analyser's thumbnails, in the order OCR read the same frames), one at a time, with
the boxes of the text read in each when "Show boxes" is on, blurred as the video is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from reviewer.gui.chat.delegate import blur
from reviewer.gui.media_analysis_panel import draw_boxes
from reviewer.services.media_detail import FileAnalysis, TextBox

#: Height a key frame is shown at, at most.
FRAME_HEIGHT = 200


def has_frame_boxes(analysis: FileAnalysis) -> bool:
    """Whether the text read in a video can be outlined on its key frames (results stored
    before frames were recorded with each box cannot)."""
    ocr = analysis.ocr
    return bool(analysis.frames and ocr and any(b.frame is not None for b in ocr.boxes))


def frame_boxes(analysis: FileAnalysis, frame: int, width: int) -> list[TextBox]:
    """The boxes read in key frame ``frame``, scaled from the frame as read to a thumbnail
    ``width`` pixels wide."""
    ocr = analysis.ocr
    if ocr is None:
        return []
    read_width = ocr.frame_sizes[frame][0] if frame < len(ocr.frame_sizes) else 0
    scale = width / read_width if read_width else 1.0
    return [
        TextBox(tuple((x * scale, y * scale) for x, y in b.points), b.text, b.confidence, frame)
        for b in ocr.frame_boxes(frame)
    ]


class KeyFrames(QGroupBox):
    """Attributes:
    chooser: "Key frame 1 of 3".
    picture: the frame as drawn.
    """

    def __init__(
        self,
        cache_dir: Path,
        analysis: FileAnalysis,
        blurred: Callable[[], bool],
        boxes: Callable[[], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Key frames (the pictures analysed)", parent)
        self.setObjectName("keyFrames")
        self.analysis = analysis
        self.blurred = blurred
        self.boxes = boxes
        self.images = [QImage(str(cache_dir / frame)) for frame in analysis.frames]
        self.chooser = QComboBox()
        count = len(self.images)
        for n in range(count):
            self.chooser.addItem(f"Key frame {n + 1} of {count}")
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chooser, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.picture)
        self.chooser.currentIndexChanged.connect(lambda _index: self.redraw())
        self.redraw()

    def redraw(self) -> None:
        index = self.chooser.currentIndex()
        if not 0 <= index < len(self.images) or self.images[index].isNull():
            self.picture.setText("This key frame is not in the case's cache: analyse again.")
            return
        image = self.images[index]
        if self.blurred():
            image = blur(image, image.size())
        if self.boxes():  # as over a picture: the outlines show where text is, not the text
            image = draw_boxes(image, frame_boxes(self.analysis, index, image.width()))
        if image.height() > FRAME_HEIGHT:  # leave the player most of the room
            image = image.scaledToHeight(FRAME_HEIGHT, Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(QPixmap.fromImage(image))
