"""An attachment at full size: images with their EXIF, video and audio with playback, and the
evidence hash. Files are read from the case's evidence store and never written.

Under a picture: what media analysis found (``gui.media_analysis_panel``), the machine-read
text with "Show boxes". A picture flagged as possibly sexual stays blurred here until the
reviewer reveals it (``gui.media_blur``); an unflagged one was opened on purpose and is shown.

QtMultimedia is imported only when a video or audio file is opened: it needs system libraries
(libpulse on Linux) that a machine may lack, and the application must run without them, so
without it the viewer offers "Open with system player" instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.chat.delegate import blur
from reviewer.gui.key_frames import KeyFrames, has_frame_boxes
from reviewer.gui.media_analysis_panel import AnalysisPanel, draw_boxes
from reviewer.gui.media_blur import FLAGGED_TEXT, BlurRule
from reviewer.services.case import Case
from reviewer.services.media_detail import FileAnalysis, file_analysis

log = logging.getLogger("reviewer.gui")


def evidence_path(case: Case, attachment: Any) -> Path | None:
    """The read-only original of an attachment, or None when it is not in the export."""
    for attr in ("evidence", "evidence_path", "path"):
        value = getattr(attachment, attr, None)
        if value:
            return Path(value)
    digest = getattr(attachment, "sha256", None)
    if digest and getattr(attachment, "present", True):
        path = case.evidence.path_for(str(digest))
        return path if path.exists() else None
    return None


def multimedia_available() -> bool:
    """Whether QtMultimedia loads on this machine (imported here, lazily)."""
    try:
        import PySide6.QtMultimedia
        import PySide6.QtMultimediaWidgets  # noqa: F401
    except ImportError as exc:
        log.info("QtMultimedia unavailable: %s", exc)
        return False
    return True


def read_exif(path: Path) -> dict[str, str]:
    """Readable EXIF fields of an image (empty when it has none)."""
    try:
        from PIL import ExifTags, Image

        with Image.open(path) as image:
            exif = image.getexif()
            fields = dict(exif.items())
            fields.update(exif.get_ifd(ExifTags.IFD.Exif).items())
            gps = _gps_text(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except Exception as exc:  # a damaged image must not stop the viewer
        log.info("no EXIF from %s: %s", path, exc)
        return {}
    out: dict[str, str] = {}
    if gps:
        out["GPS"] = gps
    for tag, value in fields.items():
        if isinstance(value, bytes) or tag in (ExifTags.Base.ExifOffset, ExifTags.Base.GPSInfo):
            continue
        name = ExifTags.TAGS.get(tag, str(tag))
        text = str(value).strip("\0 ")
        if text:
            out[name] = text[:200]
    return out


def _gps_text(gps: Any) -> str | None:
    """'51.761200, -1.258100' from an EXIF GPS IFD, or None when it holds no position."""
    try:
        lat, lat_ref = gps[2], str(gps.get(1, "N"))
        lon, lon_ref = gps[4], str(gps.get(3, "E"))
        latitude = float(lat[0]) + float(lat[1]) / 60 + float(lat[2]) / 3600
        longitude = float(lon[0]) + float(lon[1]) / 60 + float(lon[2]) / 3600
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return None
    latitude *= -1 if lat_ref.upper().startswith("S") else 1
    longitude *= -1 if lon_ref.upper().startswith("W") else 1
    return f"{latitude:.6f}, {longitude:.6f}"


class MediaViewer(QDialog):
    """One attachment, opened read-only."""

    def __init__(
        self,
        case: Case,
        attachment: Any,
        parent: QWidget | None = None,
        *,
        blur: BlurRule | None = None,
        message_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.case = case
        self.attachment = attachment
        self.blur_rule = blur
        self.message_id = message_id
        self.image: QImage | None = None
        self.image_label: QLabel | None = None
        self.panel: AnalysisPanel | None = None
        self.filename = str(getattr(attachment, "filename", "attachment"))
        self.mime = str(getattr(attachment, "mime", None) or "")
        self.sha256 = str(getattr(attachment, "sha256", None) or "")
        self.path = evidence_path(case, attachment)
        self.player: Any = None
        self.key_frames: KeyFrames | None = None
        self.setWindowTitle(self.filename)
        self.resize(900, 700)

        layout = QVBoxLayout(self)
        self.body = QScrollArea()
        self.body.setWidgetResizable(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.body, 1)
        self.reveal_button = QPushButton("Reveal this flagged picture…")
        self.reveal_button.setToolTip("It is flagged as possibly sexual; revealing is audited")
        self.reveal_button.clicked.connect(self.reveal)
        self.reveal_button.hide()
        layout.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignCenter)
        self.panel_slot = QVBoxLayout()
        layout.addLayout(self.panel_slot)
        info = QFormLayout()
        name = QLabel(self.filename)
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info.addRow("File", name)
        self.source_label = QLabel(
            "Original in the case's evidence store, opened read-only"
            if self.path is not None
            else "Not in the export"
        )
        info.addRow("Evidence", self.source_label)
        hash_label = QLabel(self.sha256 or "—")
        hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hash_label = hash_label
        info.addRow("SHA-256", hash_label)
        info.addRow("Type", QLabel(self.mime or "unknown"))
        self.info = info
        layout.addLayout(info)
        buttons = QHBoxLayout()
        self.system_button = QPushButton("Open with system player")
        self.system_button.clicked.connect(self.open_externally)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.system_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._show()

    def _show(self) -> None:
        if self.path is None:
            self.body.setWidget(_centred("This file is not in the export: only its name is known."))
            self.system_button.setEnabled(False)
            return
        if self.mime.startswith("image/"):
            self._show_image(self.path)
        elif self.mime.startswith(("video/", "audio/")):
            if self.mime.startswith("video/"):
                self._show_analysis()  # text read from its key frames, its score
                self._show_key_frames()
            if self.blurred:  # a flagged video is not loaded until revealed
                self.body.setWidget(_centred(f"{FLAGGED_TEXT}: hidden until you reveal it."))
                self.reveal_button.setText("Reveal this flagged video…")
                self.reveal_button.show()
                self.system_button.setEnabled(False)
            else:
                self._show_player(self.path)
        else:
            self.body.setWidget(_centred(f"{self.filename}\n({self.mime or 'unknown type'})"))

    def _show_image(self, path: Path) -> None:
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        image = reader.read()
        if image.isNull():
            self.body.setWidget(_centred(f"Cannot show this image: {reader.errorString()}"))
            return
        self.image = image
        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWidget(self.image_label)
        self._show_analysis()
        self.redraw()
        if self.blur_rule is not None:
            self.blur_rule.changed.connect(self.redraw)
        self.info.addRow("Size", QLabel(f"{image.width()} × {image.height()} px"))
        exif = getattr(self.attachment, "exif", None) or read_exif(path)
        if isinstance(exif, str):
            self.info.addRow("EXIF", QLabel(exif))
        else:
            for name, value in sorted(dict(exif).items()):
                field = QLabel(str(value))
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.info.addRow(f"EXIF {name}", field)
        self.system_button.setText("Open with system viewer")

    def _show_analysis(self) -> None:
        analysis = file_analysis(self.case, self.sha256) if self.sha256 else FileAnalysis()
        rule = self.blur_rule
        threshold = rule.flags.threshold if rule is not None else None
        self.panel = AnalysisPanel(analysis, threshold)
        self.panel.boxes_toggle.toggled.connect(lambda _on: self.redraw())
        if not self.mime.startswith("image/") and not has_frame_boxes(analysis):
            self.panel.boxes_toggle.setEnabled(False)  # no key frames to draw them on
        self.panel_slot.addWidget(self.panel)
        self.panel.add_rows(self.info)

    def _show_key_frames(self) -> None:
        """A video's key frames under its player, the text read in each outlined on request."""
        panel = self.panel
        if panel is None or not panel.analysis.frames:
            return
        self.key_frames = KeyFrames(
            self.case.cache_dir,
            panel.analysis,
            lambda: self.blurred,
            panel.boxes_toggle.isChecked,
        )
        self.panel_slot.addWidget(self.key_frames)
        self.resize(self.width(), max(self.height(), 900))
        if self.blur_rule is not None:
            self.blur_rule.changed.connect(self.key_frames.redraw)

    @property
    def blurred(self) -> bool:
        """Whether the picture is drawn blurred (flagged and not revealed)."""
        if self.blur_rule is None or self.message_id is None:
            return False
        return self.blur_rule.is_blurred(self.sha256 or None, self.message_id, opened=True)

    def redraw(self) -> None:
        """The picture as it should be shown: blurred or not, with the word boxes or not."""
        if self.key_frames is not None:
            self.key_frames.redraw()
        if self.image is None or self.image_label is None:
            return
        image = self.image
        hidden = self.blurred
        if hidden:
            image = blur(image, image.size())
        if (
            self.panel is not None
            and self.panel.boxes_toggle.isChecked()
            and self.panel.analysis.ocr
        ):
            image = draw_boxes(image, self.panel.analysis.ocr.boxes)
        self.image_label.setPixmap(QPixmap.fromImage(image))
        self.image_label.setToolTip(f"{FLAGGED_TEXT}; blurred until revealed" if hidden else "")
        self.reveal_button.setVisible(hidden)
        self.system_button.setEnabled(not hidden)  # no way round the blur

    def reveal(self) -> bool:
        """Reveal the flagged picture, after the reviewer confirms (audited by the window)."""
        if self.blur_rule is None or self.message_id is None:
            return True
        shown = self.blur_rule.request_reveal(
            self, self.sha256 or None, self.message_id, opened=True
        )
        if shown and self.image is None and self.path is not None and self.player is None:
            self.reveal_button.hide()
            self.system_button.setEnabled(True)
            self._show_player(self.path)  # a flagged video, now revealed
        self.redraw()
        return shown

    def _show_player(self, path: Path) -> None:
        if not multimedia_available():
            self.body.setWidget(
                _centred(
                    "Playback is not available on this computer (Qt Multimedia could not be "
                    "loaded). Use “Open with system player”."
                )
            )
            return
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget

        video = QVideoWidget()
        self.audio = QAudioOutput(self)
        self.player = QMediaPlayer(self)
        self.player.setAudioOutput(self.audio)
        self.player.setVideoOutput(video)
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        controls = QWidget()
        row = QHBoxLayout(controls)
        play = QPushButton("Play")
        play.clicked.connect(self.player.play)
        pause = QPushButton("Pause")
        pause.clicked.connect(self.player.pause)
        row.addWidget(play)
        row.addWidget(pause)
        row.addStretch(1)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.addWidget(video, 1)
        column.addWidget(controls)
        self.body.setWidget(holder)

    def open_externally(self) -> None:
        """Hand a read-only copy (named with its extension, in the case's cache) to the
        system's player; the evidence file itself is never given out."""
        if self.path is None:
            return
        suffix = Path(self.filename).suffix
        target = self.case.cache_dir / "open" / f"{self.sha256 or self.path.name}{suffix}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.path, target)
            os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def done(self, result: int) -> None:
        if self.player is not None:
            self.player.stop()
        super().done(result)


def _centred(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label
