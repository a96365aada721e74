"""``reviewer analyse``: run media analysers over every distinct attachment (DESIGN.md §10).

Each file's result is committed on its own as soon as it arrives, so a run that is cancelled,
interrupted or killed resumes where it stopped: a file with a result from the same engine is
skipped (a newer engine version redoes files only with ``redo``). The run is audited when it
starts (engines, versions, files to do) and when it ends (counts, groups, how it ended).

The work runs in worker processes (pure-Python hashing holds the GIL), at a lower scheduling
priority, so a GUI on the same two cores stays responsive.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.orm import Session

from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.core.timeutil import utc_now_iso
from reviewer.review.media import analysers as registry
from reviewer.review.media.analysers import Analyser, AnalysisResult, Kind
from reviewer.review.media.similar import group, pictures_of
from reviewer.services import audit_log, sexual_suggestions
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.store import image_fts
from reviewer.store.media_models import AnalysisRun, MediaAnalysis, MediaGroup
from reviewer.store.models import Attachment

#: What ``reviewer analyse`` runs without flags: every kind this build has an engine for.
REQUESTABLE: tuple[Kind, ...] = ("ocr", "sexual", "similar")
#: What each kind of engine does, in progress reports ("analysing media (text in images)").
KIND_LABELS: dict[str, str] = {
    "ocr": "text in images",
    "sexual": "sexual-content score",
    "similar": "near-duplicates",
    "av": "duration and key frames",
}
#: Files below which worker processes are not worth starting.
POOL_MIN_FILES = 8
#: Pictures from which near-duplicate grouping runs in a worker process.
GROUP_IN_WORKER_FILES = 200


@dataclass(frozen=True, slots=True)
class AnalyseOptions:
    kinds: tuple[Kind, ...] = ()  # empty: all available (duration and key frames always)
    redo: bool = False
    workers: int | None = None  # None: one per core, at most two
    # every file in worker processes, however few: a GUI keeps the engines' ~210 MB of
    # models out of its own process and its interpreter to itself
    isolate: bool = False


@dataclass(slots=True)
class AnalyseReport:
    run_id: int
    engines: list[dict[str, str | None]]
    unavailable: list[Kind]
    todo: int = 0
    analysed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    groups: int | None = None
    cancelled: bool = False
    suggested: int = 0  # new sexual-content suggestions (scores at or above the threshold)

    def summary(self) -> str:
        """What the run did, in words: "15 analysed, 2 already done; 3 near-duplicate groups"
        (``reviewer analyse`` and the window's status bar)."""
        done, skipped = sum(self.analysed.values()), sum(self.skipped.values())
        failed = sum(self.failed.values())
        text = f"{done:,} analysed, {skipped:,} already done"
        if failed:
            text += f", {failed:,} could not be read"
        if self.groups is not None:
            text += f"; {self.groups:,} near-duplicate group{'' if self.groups == 1 else 's'}"
        if self.suggested:
            plural = "" if self.suggested == 1 else "s"
            text += f"; {self.suggested:,} new sexual-content suggestion{plural}"
        return text


@dataclass(frozen=True, slots=True)
class _Job:
    analyser: int
    sha256: str
    mime: str


def analyse(
    case: Case,
    actor: Actor,
    options: AnalyseOptions = AnalyseOptions(),
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> AnalyseReport:
    """Analyse every distinct attachment the selected engines read; see the module doc."""
    progress = progress or NullProgress()
    cancel = cancel or CancelToken()
    wanted = options.kinds or REQUESTABLE
    chosen: list[Analyser] = []
    unavailable: list[Kind] = []
    for kind in dict.fromkeys((*wanted, "av")):  # once each, "av" always, in order
        found = registry.available(kind, case.cache_dir)
        if not found and kind != "av" and options.kinds:
            unavailable.append(kind)
        chosen.extend(found)
    engines = [_describe(a) for a in chosen]
    with case.transaction() as session:
        files = _distinct_files(session)
        jobs: list[_Job] = []
        skipped: Counter[str] = Counter()
        for index, analyser in enumerate(chosen):
            done = _done(session, analyser)
            for sha256, mime in files:
                if not analyser.accepts(mime):
                    continue
                if sha256 in done and not options.redo:
                    skipped[analyser.kind] += 1
                else:
                    jobs.append(_Job(index, sha256, mime))
        run = AnalysisRun(
            started_utc=utc_now_iso(),
            reviewer=actor.name,
            engines=json.dumps(engines),
            status="running",
            analysed=0,
            skipped=sum(skipped.values()),
            failed=0,
        )
        session.add(run)
        session.flush()
        report = AnalyseReport(run.id, engines, unavailable, len(jobs), skipped=skipped)
        audit_log.append(
            session,
            actor,
            "analysis.started",
            f"analysis run {run.id}",
            {
                "run": run.id,
                "engines": engines,
                "to_do": dict(Counter(chosen[j.analyser].kind for j in jobs)),
                "skipped": dict(skipped),
                "redo": options.redo,
            },
        )
    if jobs:
        progress.report(_stage(chosen[jobs[0].analyser]), 0, len(jobs))
    try:
        results = _results(case, chosen, jobs, options.workers, cancel, options.isolate)
        for job, result in results:
            _store(case, report.run_id, chosen[job.analyser], job.sha256, result, options.redo)
            if isinstance(result, str):
                report.failed[chosen[job.analyser].kind] += 1
            else:
                report.analysed[chosen[job.analyser].kind] += 1
            progress.report(
                _stage(chosen[job.analyser]),
                sum(report.analysed.values()) + sum(report.failed.values()),
                len(jobs),
            )
            if cancel.cancelled:
                report.cancelled = True
                break
    except BaseException:
        report.cancelled = True
        _finish(case, actor, report, similar=None)
        raise
    similar = next((a for a in chosen if a.kind == "similar"), None)
    _finish(case, actor, report, similar=None if report.cancelled else similar)
    if not report.cancelled and any(a.kind == "sexual" for a in chosen):
        report.suggested = sexual_suggestions.suggest(case, actor, report.run_id)
    return report


def _stage(analyser: Analyser) -> str:
    return f"analysing media ({KIND_LABELS.get(analyser.kind, analyser.kind)})"


def _describe(analyser: Analyser) -> dict[str, str | None]:
    return {
        "kind": analyser.kind,
        "engine": analyser.engine,
        "version": analyser.version,
        "model": analyser.model,
    }


def _distinct_files(session: Session) -> list[tuple[str, str]]:
    """(SHA-256, MIME type) of every distinct present attachment, by SHA-256."""
    rows = session.execute(
        select(Attachment.sha256, Attachment.mime)
        .where(Attachment.present.is_(True), Attachment.sha256.is_not(None))
        .order_by(Attachment.id)
    )
    seen: dict[str, str] = {}
    for sha256, mime in rows:
        if sha256 is not None and sha256 not in seen:
            seen[sha256] = mime or "application/octet-stream"
    return list(seen.items())


def _done(session: Session, analyser: Analyser) -> set[str]:
    return set(
        session.scalars(
            select(MediaAnalysis.sha256).where(
                MediaAnalysis.kind == analyser.kind, MediaAnalysis.engine == analyser.engine
            )
        )
    )


def _results(
    case: Case,
    chosen: Sequence[Analyser],
    jobs: Sequence[_Job],
    workers: int | None,
    cancel: CancelToken,
    isolate: bool = False,
) -> Iterator[tuple[_Job, AnalysisResult | str]]:
    """Each job's result (or error text) as it completes, in this process or in a pool."""
    if not jobs:
        return
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    if isolate:
        count = max(1, min(count, len(jobs)))
    elif count <= 1 or len(jobs) < POOL_MIN_FILES:
        for job in jobs:
            if cancel.cancelled:
                return
            yield job, run_job(chosen[job.analyser], case.evidence.path_for(job.sha256), job.mime)
        return
    pending = iter(jobs)
    running: dict[Future[AnalysisResult | str], _Job] = {}
    with ProcessPoolExecutor(count, get_context("spawn"), initializer=_lower_priority) as pool:
        try:
            while True:
                while len(running) < count * 2 and not cancel.cancelled:
                    waiting = next(pending, None)
                    if waiting is None:
                        break
                    path = case.evidence.path_for(waiting.sha256)
                    future = pool.submit(run_job, chosen[waiting.analyser], path, waiting.mime)
                    running[future] = waiting
                if not running:
                    return
                finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield running.pop(future), future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def run_job(analyser: Analyser, path: Path, mime: str) -> AnalysisResult | str:
    """One analyser on one file (the body of a worker); an error becomes its text."""
    try:
        return analyser.analyse(path, mime)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _lower_priority() -> None:
    """Worker processes yield the cores to the GUI and other interactive work, and leave
    Ctrl-C to the parent (which cancels the run and keeps what was stored)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)


def _store(
    case: Case,
    run_id: int,
    analyser: Analyser,
    sha256: str,
    result: AnalysisResult | str,
    redo: bool,
) -> None:
    """One file's result, in its own transaction."""
    with case.transaction() as session:
        if redo:
            same = (
                MediaAnalysis.sha256 == sha256,
                MediaAnalysis.kind == analyser.kind,
                MediaAnalysis.engine == analyser.engine,
                MediaAnalysis.version == analyser.version,
            )
            for old_id, old_text in session.execute(
                select(MediaAnalysis.id, MediaAnalysis.text).where(*same)
            ):
                if analyser.kind == "ocr" and old_text:
                    image_fts.remove(session, old_id, old_text)
            session.execute(delete(MediaAnalysis).where(*same))
        row = MediaAnalysis(
            sha256=sha256,
            kind=analyser.kind,
            engine=analyser.engine,
            version=analyser.version,
            model=analyser.model,
            run_id=run_id,
            created_utc=utc_now_iso(),
        )
        if isinstance(result, str):
            row.status, row.error, row.data = "failed", result, "{}"
        else:
            row.status = "ok"
            row.data = json.dumps(result.data, ensure_ascii=False)
            row.text, row.confidence = result.text, result.confidence
            row.score, row.duration = result.score, result.duration
        session.add(row)
        if analyser.kind == "ocr" and row.status == "ok" and row.text:
            session.flush()
            image_fts.add(session, row.id, row.text)


def _finish(case: Case, actor: Actor, report: AnalyseReport, similar: Analyser | None) -> None:
    """Regroup near-duplicates (after a complete similarity run), close the run, audit it.

    Groups are computed from a read, outside the write transaction (comparing every pair of
    pictures takes seconds for thousands of them), so tagging elsewhere never waits on it."""
    groups: dict[str, int] | None = None
    if similar is not None:
        with case.reading() as session:
            if _groups_stale(session):
                groups = _groups(session, similar)
            else:
                report.groups = session.scalar(select(func.count(distinct(MediaGroup.group_no))))
    with case.transaction() as session:
        if groups is not None:
            session.execute(delete(MediaGroup))
            session.add_all(
                MediaGroup(sha256=sha256, group_no=number, run_id=report.run_id)
                for sha256, number in groups.items()
            )
            report.groups = len(set(groups.values()))
        run = session.get(AnalysisRun, report.run_id)
        assert run is not None
        run.finished_utc = utc_now_iso()
        run.status = "cancelled" if report.cancelled else "done"
        run.analysed = sum(report.analysed.values())
        run.failed = sum(report.failed.values())
        audit_log.append(
            session,
            actor,
            "analysis.run",
            f"analysis run {report.run_id}",
            {
                "run": report.run_id,
                "engines": report.engines,
                "analysed": dict(report.analysed),
                "skipped": dict(report.skipped),
                "failed": dict(report.failed),
                "similar_groups": report.groups,
                "status": run.status,
            },
        )


def _groups_stale(session: Session) -> bool:
    """Whether hashes were stored after the groups were last computed (every run that ends
    ``done`` with the similarity engine groups, or finds the groups current)."""
    hashed = session.scalar(
        select(func.max(MediaAnalysis.run_id)).where(MediaAnalysis.kind == "similar")
    )
    grouped = session.scalar(
        select(func.max(AnalysisRun.id)).where(
            AnalysisRun.status == "done", AnalysisRun.engines.contains('"kind": "similar"')
        )
    )
    return hashed is not None and (grouped is None or grouped < hashed)


def _groups(session: Session, similar: Analyser) -> dict[str, int]:
    """Near-duplicate group numbers from every file's latest hashes."""
    rows = session.execute(
        select(MediaAnalysis.sha256, MediaAnalysis.data)
        .where(
            MediaAnalysis.kind == "similar",
            MediaAnalysis.engine == similar.engine,
            MediaAnalysis.status == "ok",
        )
        .order_by(MediaAnalysis.id)
    )
    data = {sha256: text for sha256, text in rows}  # the latest result of each file wins
    previous = {
        sha: number
        for sha, number in session.execute(select(MediaGroup.sha256, MediaGroup.group_no))
    }
    if len(data) < GROUP_IN_WORKER_FILES:
        return group_data(data, previous)
    # Comparing pairs is seconds of pure Python for thousands of pictures: in a worker
    # process at low priority, so a GUI running this in a thread keeps its interpreter.
    with ProcessPoolExecutor(1, get_context("spawn"), initializer=_lower_priority) as pool:
        return pool.submit(group_data, data, previous).result()


def group_data(data: dict[str, str], previous: dict[str, int]) -> dict[str, int]:
    """Group numbers from each file's stored similarity result (JSON text)."""
    return group({sha: pictures_of(json.loads(text)) for sha, text in data.items()}, previous)
