"""The media viewer's part under the picture: what media analysis found in the file (DESIGN.md
§10) — the machine-read text, marked as such with its engine, model, version and confidence,
the sexual-content score and the near-duplicate group — and the word boxes drawn over the
picture on request."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewer.services.media_detail import FileAnalysis, TextBox

BOX_COLOUR = QColor("#ff2d95")
MACHINE_READ = "Machine-read text (OCR): read by software from the picture, not typed by a person"


def draw_boxes(image: QImage, boxes: Sequence[TextBox]) -> QImage:
    """A copy of ``image`` with each line's box outlined (boxes are in the picture's pixels)."""
    out = image.convertToFormat(QImage.Format.Format_ARGB32)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    width = max(2.0, min(out.width(), out.height()) / 300)
    painter.setPen(QPen(BOX_COLOUR, width))
    painter.setBrush(QColor(255, 45, 149, 40))
    for box in boxes:
        painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in box.points]))
    painter.end()
    return out


def engine_line(analysis: FileAnalysis) -> str:
    ocr = analysis.ocr
    if ocr is None:
        return ""
    parts = [ocr.engine]
    if ocr.model:
        parts.append(f"model {ocr.model}")
    parts.append(f"version {ocr.version}")
    if ocr.confidence is not None:
        parts.append(f"confidence {ocr.confidence:.2f}")
    return " · ".join(parts)


class AnalysisPanel(QWidget):
    """Attributes:
    text: the machine-read text (read-only, selectable).
    boxes_toggle: "Show boxes" (emits ``toggled``; the viewer redraws the picture).
    score, similar: the sexual-content score and near-duplicate group (``add_rows``).
    """

    def __init__(
        self, analysis: FileAnalysis, threshold: float | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.analysis = analysis
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QGroupBox(MACHINE_READ)
        self.group.setObjectName("machineReadText")
        inner = QVBoxLayout(self.group)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.engine = QLabel(engine_line(analysis))
        self.engine.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.boxes_toggle = QCheckBox("Show boxes")
        self.boxes_toggle.setToolTip("Outline each line of text the software read")
        ocr = analysis.ocr
        if ocr is None:
            self.text.setPlainText("Not read yet: Case ▸ Analyse media… reads the text in images.")
        elif not ocr.text:
            self.text.setPlainText("No text found in this picture.")
        else:
            self.text.setPlainText(ocr.text)
        self.text.setEnabled(bool(ocr and ocr.text))
        lines = min(6, max(1, self.text.document().blockCount()))
        self.text.setMaximumHeight(self.text.fontMetrics().lineSpacing() * lines + 14)
        self.boxes_toggle.setEnabled(bool(ocr and ocr.boxes))
        inner.addWidget(self.text)
        inner.addWidget(self.engine)
        inner.addWidget(self.boxes_toggle)
        layout.addWidget(self.group)
        # rows for the viewer's own form, so its labels line up
        self.score = QLabel(score_text(analysis, threshold))
        self.similar = QLabel(group_text(analysis))

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow("Sexual-content score", self.score)
        form.addRow("Near-duplicates", self.similar)


def score_text(analysis: FileAnalysis, threshold: float | None) -> str:
    sexual = analysis.sexual
    if sexual is None:
        return "not scored"
    text = f"{sexual.score:.2f} ({sexual.engine} {sexual.version}; a machine suggestion)"
    if threshold is not None and sexual.score >= threshold:
        text += f" — at or above the case's threshold {threshold:.2f}: flagged"
    return text


def group_text(analysis: FileAnalysis) -> str:
    if analysis.group is None:
        return "in no group"
    others = analysis.group_size - 1
    return (
        f"group {analysis.group}: {analysis.group_size} files (this and "
        f"{others} near-duplicate{'s' if others != 1 else ''})"
    )
