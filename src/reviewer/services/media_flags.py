"""Which pictures are flagged as possibly sexual, and the record of revealing one
(DESIGN.md §10: "such images stay blurred until revealed one by one").

A picture is flagged when its sexual-content score reaches the case's threshold, or when a
message carrying it has an open or confirmed ``sexual`` suggestion. The GUI keeps a flagged
picture blurred even with "Reveal images" on, until the reviewer reveals that one picture;
each such reveal is audited (``media.revealed``), so a lead can see who looked at what.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.sexual_suggestions import CATEGORY, DEFAULT_THRESHOLD, threshold
from reviewer.store.media_models import MediaAnalysis
from reviewer.store.models import Suggestion


@dataclass(frozen=True, slots=True)
class FlaggedMedia:
    """Attributes:
    threshold: the case's sexual-content threshold when this was read.
    scores: SHA-256 -> the highest score at or above the threshold.
    messages: messages with an open or confirmed ``sexual`` suggestion.
    """

    threshold: float = DEFAULT_THRESHOLD
    scores: dict[str, float] = field(default_factory=dict)
    messages: frozenset[int] = frozenset()

    def flagged(self, sha256: str | None, message_id: int | None) -> bool:
        return (sha256 is not None and sha256 in self.scores) or (
            message_id is not None and message_id in self.messages
        )

    def reason(self, sha256: str | None, message_id: int | None) -> str:
        """Why a picture is flagged, in words ("" when it is not)."""
        score = self.scores.get(sha256) if sha256 is not None else None
        if score is not None:
            return (
                f"its sexual-content score is {score:.2f}, at or above the case's "
                f"threshold {self.threshold:.2f}"
            )
        if message_id is not None and message_id in self.messages:
            return "its message has a sexual-content suggestion"
        return ""


def flagged_media(case: Case) -> FlaggedMedia:
    """Every flagged picture and message (a few hundred rows at most; off the UI thread)."""
    with case.reading() as session:
        limit = threshold(session)
        scores = {
            sha256: float(score or 0.0)
            for sha256, score in session.execute(
                select(MediaAnalysis.sha256, func.max(MediaAnalysis.score))
                .where(
                    MediaAnalysis.kind == "sexual",
                    MediaAnalysis.status == "ok",
                    MediaAnalysis.score >= limit,
                )
                .group_by(MediaAnalysis.sha256)
            )
        }
        messages = frozenset(
            session.scalars(
                select(Suggestion.message_id).where(
                    or_(Suggestion.category == CATEGORY, Suggestion.category.like(CATEGORY + ".%")),
                    Suggestion.status.in_(("open", "confirmed")),
                )
            )
        )
    return FlaggedMedia(limit, scores, messages)


def record_reveal(case: Case, actor: Actor, sha256: str, message_id: int, reason: str) -> None:
    """Audit that ``actor`` revealed a flagged picture (once per picture and session)."""
    with case.transaction() as session:
        details = {"sha256": sha256, "message": message_id, "reason": reason}
        audit_log.append(session, actor, "media.revealed", f"file {sha256}", details)
