"""Whether two conversations of different exhibits are the same chat, with a confidence.

Evidence: the group's name (and the names it had, from subject changes), shared participant
names, and above all aligned content — texts that occur once in each and agree in time after
a constant clock offset, kept in order. Names and participants alone never make a link sure:
two phones' contact names differ, and two groups may share a name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from reviewer.review.reconcile.align import anchor_matches
from reviewer.review.reconcile.items import Track, text_key

__all__ = ["SURE", "ChatEvidence", "ConversationFacts", "compare", "subject_names"]

#: Confidence at or above which reconcile links two conversations without asking.
SURE: Final = 0.95
_MIN_ANCHORS: Final = 5
# a name in straight, curly, low-high or guillemet quotes
_QUOTED: Final = re.compile(
    '"([^"]+)"|\u201c([^\u201d]+)\u201d|\u201e([^\u201c\u201d]+)[\u201c\u201d]|\u00ab([^\u00bb]+)\u00bb'
)


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    """What comparing needs of one conversation."""

    name: str
    names: frozenset[str]  # name keys of the group's names (current and former)
    participants: frozenset[str]  # name keys of its participants
    track: Track


@dataclass(frozen=True, slots=True)
class ChatEvidence:
    same_name: bool
    shared_participants: int
    aligned: int  # order-keeping unique text matches
    aligned_share: float  # of the smaller conversation's candidate texts
    offset: float  # seconds, b's clock minus a's
    confidence: float
    matches: tuple[tuple[int, int], ...] = ()  # the anchors: (a index, b index)

    def to_json(self) -> dict[str, Any]:
        return {
            "same_name": self.same_name,
            "shared_participants": self.shared_participants,
            "aligned": self.aligned,
            "aligned_share": round(self.aligned_share, 4),
            "offset_seconds": round(self.offset, 1),
            "confidence": round(self.confidence, 4),
        }


def subject_names(texts: Collection[str]) -> frozenset[str]:
    """Name keys of group names quoted in subject-change or creation lines."""
    found = (group for text in texts for m in _QUOTED.findall(text) for group in m if group)
    return frozenset(text_key(name) for name in found if name.strip())


def compare(a: ConversationFacts, b: ConversationFacts) -> ChatEvidence:
    """How likely ``a`` and ``b`` are the same chat, and why."""
    offset, matches = anchor_matches(a.track, b.track)
    aligned = len(matches)
    candidates = min(_candidates(a.track), _candidates(b.track)) or 1
    share = aligned / candidates
    same_name = bool(a.names & b.names) or text_key(a.name) == text_key(b.name)
    shared = len(a.participants & b.participants)
    content = min(1.0, share / 0.3) * min(1.0, aligned / _MIN_ANCHORS)
    doubt = (1 - 0.97 * content) * (1 - (0.5 if same_name else 0.0)) * (1 - min(0.3, 0.1 * shared))
    return ChatEvidence(same_name, shared, aligned, share, offset, 1 - doubt, tuple(matches))


def _candidates(track: Track) -> int:
    return sum(1 for item in track.items if len(item.key) >= 6 and item.kind != "deleted")
