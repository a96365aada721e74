"""Sexual-content suggestions from the image scores (DESIGN.md §4, §10).

A picture whose stored sexual-content score reaches the case's threshold gives each message
carrying it an open suggestion for category ``sexual`` (source ``model``), which a reviewer
confirms (it becomes a tag) or dismisses like a lexicon suggestion; nothing is tagged here.
The threshold is a case setting; changing it is audited. Its default, 0.75, sits above every
score measured on pictures with nothing sexual in them: drawn round shapes reached 0.52 and
one of 1,000 generated memes and photos 0.66 (all as BUTTOCKS_EXPOSED, NudeNet's 320n model).
It is not a measured operating point on sexual images: set it from a labelled set.
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.store.media_models import MediaAnalysis
from reviewer.store.models import Attachment, Category, LexiconRun, Setting, Suggestion

THRESHOLD_KEY = "sexual_threshold"
DEFAULT_THRESHOLD = 0.75
CATEGORY = "sexual"


def threshold(session: Session) -> float:
    row = session.get(Setting, THRESHOLD_KEY)
    return DEFAULT_THRESHOLD if row is None else float(row.value)


def set_threshold(case: Case, actor: Actor, value: float) -> bool:
    """Store the case's threshold (0 < value ≤ 1); audited when it changes."""
    if not 0.0 < value <= 1.0:
        raise InputError(f"the sexual-content threshold must be above 0 and at most 1: {value}")
    with case.transaction() as session:
        old = threshold(session)
        stored = session.get(Setting, THRESHOLD_KEY) is not None
        if stored and old == value:
            return False
        session.merge(Setting(key=THRESHOLD_KEY, value=repr(value)))
        details = {"key": THRESHOLD_KEY, "old": old if stored else None, "new": value}
        audit_log.append(session, actor, "setting.changed", THRESHOLD_KEY, details)
        return True


def suggest(case: Case, actor: Actor, run_id: int) -> int:
    """Open a suggestion on every message carrying a picture scored at or above the threshold
    (once per message: one decided before is not suggested again); how many are new."""
    with case.transaction() as session:
        if session.get(Category, CATEGORY) is None:
            return 0
        limit = threshold(session)
        scores = session.execute(
            select(Attachment.message_id, MediaAnalysis.score, MediaAnalysis.engine)
            .join(MediaAnalysis, MediaAnalysis.sha256 == Attachment.sha256)
            .where(
                MediaAnalysis.kind == "sexual",
                MediaAnalysis.status == "ok",
                MediaAnalysis.score >= limit,
            )
            .order_by(Attachment.message_id, MediaAnalysis.score.desc())
        ).all()
        known = set(
            session.scalars(
                select(Suggestion.message_id).where(
                    Suggestion.category == CATEGORY, Suggestion.source == "model"
                )
            )
        )
        best: dict[int, tuple[float, str]] = {}
        for message_id, score, engine in scores:
            if message_id not in known and message_id not in best and score is not None:
                best[message_id] = (score, engine)
        if not best:
            return 0
        run = LexiconRun(
            lexicon_name=f"sexual-content score >= {limit} (analysis run {run_id})",
            fingerprint=f"threshold={limit}",
            started_utc=utc_now_iso(),
            reviewer=actor.name,
            messages=len(best),
            hits=len(best),
        )
        session.add(run)
        session.flush()
        rows = [
            {
                "run_id": run.id,
                "message_id": message_id,
                "category": CATEGORY,
                "term": f"image score {score:.2f}",
                "start": 0,
                "end": 0,
                "note": f"{engine} score {score:.3f} >= threshold {limit}",
                "status": "open",
                "source": "model",
            }
            for message_id, (score, engine) in best.items()
        ]
        session.execute(insert(Suggestion), rows)
        details = {"analysis_run": run_id, "threshold": limit, "new_suggestions": len(rows)}
        audit_log.append(session, actor, "sexual.suggested", f"run {run.id}", details)
        return len(rows)
