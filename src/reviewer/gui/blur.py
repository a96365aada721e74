"""One rule for whether a picture is shown blurred (reviewer welfare, DESIGN.md §10), shared by
the chat view, the media viewer and the media grid.

Pictures are blurred by default. "Reveal images" shows them all, except those whose
sexual-content score reaches the case's threshold: they stay blurred until the reviewer
reveals them one by one.
"""

from __future__ import annotations


def is_flagged(score: float | None, threshold: float) -> bool:
    """Whether a sexual-content score reaches the case's threshold (no score: not flagged)."""
    return score is not None and score >= threshold


def should_blur(
    *, reveal_all: bool, revealed_one: bool, score: float | None, threshold: float
) -> bool:
    """Whether to blur a picture: not when revealed on its own; under "Reveal images" only
    when it is flagged; otherwise always."""
    if revealed_one:
        return False
    return not reveal_all or is_flagged(score, threshold)
