"""Census import runs: each import, from upload to result, kept as a CensusImportRun.

The upload page keeps the file and queues a run for the background worker (cases.tasks); the
command runs one at once. Either way `perform` does the import, writing its progress to the
run as it goes and its result at the end, and every history row the import writes names the
run (CensusImportRun.change_reason), so the run page can show what it changed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from neglect_portal.records.history import Change, changes_between, people_fields, related_names
from neglect_portal.signals import records_imported

from .census_import import CHECKING, RECORD_TYPES, SAVING, ImportResult, Problem, import_census
from .models import (
    Assessment,
    CensusImportRun,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Referral,
)

logger = logging.getLogger(__name__)

Status = CensusImportRun.Status
ABANDONED_MESSAGE = (
    "The import stopped before it finished (the background worker stopped), so nothing was "
    "saved. Import the file again."
)
FAILED_MESSAGE = (
    "The import stopped because of an unexpected error, so nothing was saved. Import the file "
    "again, and if it stops again, contact the portal's support team."
)
# A Child start tag, with or without a namespace prefix; not ChildIdentifiers or Children.
_CHILD_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Child[\s>/]")
_SCAN_CHUNK = 1024 * 1024
_TAIL = 64  # longer than any Child start tag the pattern matches, prefix included


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size: int
    children: int


def scan(path: Path) -> FileFacts:
    """The file's SHA-256, size and number of Child elements, in one fast pass over its
    bytes (no parsing), so the progress page can say "N of M" from the start."""
    digest = hashlib.sha256()
    size = children = 0
    tail = b""
    with open(path, "rb") as file:
        while chunk := file.read(_SCAN_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            # A tag cut by the chunk boundary is found in the next window, with the end of
            # this one; only tags reaching into the new chunk are new.
            window = tail + chunk
            children += sum(1 for m in _CHILD_TAG.finditer(window) if m.end() > len(tail))
            tail = window[-_TAIL:]
    return FileFacts(digest.hexdigest(), size, children)


def upload_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.CENSUS_UPLOAD_DIR)


def keep_upload(
    upload: UploadedFile, *, user, allow_older: bool = False, reason: str = ""
) -> CensusImportRun:
    """Keep the uploaded file for the worker and record a queued run for it.

    Django deletes its own temporary copy after the request, so the storage moves it (or, for
    a small upload held in memory, writes it) into CENSUS_UPLOAD_DIR, under a random name: the
    file's own name may say whose data it is.
    """
    stored = upload_storage().save(f"{uuid.uuid4().hex}.xml", upload)
    return CensusImportRun.objects.create(
        file_name=(upload.name or "")[:255],
        size=upload.size,
        run_by=user,
        upload_path=upload_storage().path(stored),
        allow_older=allow_older,
        reason=reason if allow_older else "",
    )


def queue(run: CensusImportRun) -> None:
    from .tasks import import_census_run

    import_census_run.enqueue(run.pk)


def run_for_file(
    path: Path, *, user, allow_older: bool = False, reason: str = ""
) -> CensusImportRun:
    """A run for the command, which imports a file of its own in place (never deleted)."""
    return CensusImportRun.objects.create(
        file_name=path.name[:255],
        run_by=user,
        allow_older=allow_older,
        reason=reason if allow_older else "",
    )


def perform(
    run: CensusImportRun, path: Path, *, tell: Callable[[CensusImportRun], None] | None = None
) -> CensusImportRun:
    """Import `path` as `run`, recording its progress and result. Never raises: an
    unexpected error marks the run failed, with a message that names nothing in the file."""
    try:
        return _perform(run, path, tell=tell)
    except Exception as error:
        # The error's own text may quote the file; only its kind and the run are logged.
        logger.error("Census import run %s failed: %s", run.pk, type(error).__name__)
        CensusImportRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, failure=FAILED_MESSAGE, finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run


def _perform(
    run: CensusImportRun, path: Path, *, tell: Callable[[CensusImportRun], None] | None
) -> CensusImportRun:
    runs = CensusImportRun.objects.filter(pk=run.pk)
    run.status, run.stage, run.started_at = Status.RUNNING, "scanning", timezone.now()
    runs.update(
        status=run.status, stage=run.stage, started_at=run.started_at, progress_at=run.started_at
    )
    facts = scan(path)
    run.sha256, run.size, run.children_total = facts.sha256, facts.size, facts.children
    run.identical_to = (
        CensusImportRun.objects.filter(sha256=facts.sha256, status=Status.IMPORTED)
        .exclude(pk=run.pk)
        .order_by("-pk")
        .first()
    )
    runs.update(
        sha256=run.sha256,
        size=run.size,
        children_total=run.children_total,
        identical_to=run.identical_to,
        progress_at=timezone.now(),
    )

    def progress(stage: str, children: int) -> None:
        run.stage, run.children_read = stage, children
        # Saving is one transaction: a row written inside it would stay unseen (and locked)
        # until the end, so the run records only that saving has begun.
        if stage != SAVING or children == 0:
            # A plain UPDATE of three columns, not a save: cheap enough every 1,000 children.
            runs.update(stage=stage, children_read=children, progress_at=timezone.now())
        if tell is not None:
            tell(run)

    import_census(
        path,
        user=run.run_by,
        progress=progress,
        change_reason=run.change_reason,
        allow_older=run.allow_older,
        on_start=lambda: end_abandoned_runs(but=run),
        on_finish=lambda result: _record_result(run, result),
    )
    return run


def _record_result(run: CensusImportRun, result: ImportResult) -> None:
    run.status = Status.IMPORTED if result.ok else Status.REFUSED
    run.counts = {
        kind: {
            "created": result.counts[kind].created,
            "updated": result.counts[kind].updated,
            "unchanged": result.counts[kind].unchanged,
        }
        for kind in RECORD_TYPES
    }
    run.problems = _stored(result.problems)
    run.problem_count = result.problem_count
    run.queries = _stored(result.queries)
    run.query_count = result.query_count
    if result.header is not None:
        run.reference_date = result.header.reference_date
        run.lea = (result.header.lea or "")[: CensusImportRun._meta.get_field("lea").max_length]
    run.finished_at = timezone.now()
    CensusImportRun.objects.filter(pk=run.pk).update(
        status=run.status,
        counts=run.counts,
        problems=run.problems,
        problem_count=run.problem_count,
        queries=run.queries,
        query_count=run.query_count,
        reference_date=run.reference_date,
        lea=run.lea,
        # Saving's own count was kept out of its transaction: the final one is written here.
        children_read=run.children_read,
        finished_at=run.finished_at,
    )
    if result.ok:
        records_imported.send(sender=CensusImportRun, run=run)


def _stored(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "child": p.child,
            "element": p.element,
            "rule": p.rule,
            "message": p.message,
            "line": p.line,
        }
        for p in problems[: CensusImportRun.PROBLEMS_KEPT]
    ]


def end_abandoned_runs(*, but: CensusImportRun) -> int:
    """Mark failed the runs whose worker stopped mid-import; called holding the import lock.

    A live run checking or saving holds the lock, so with it in hand any other run at those
    stages has lost its worker. Its writes were one transaction, rolled back when its
    connection ended, so nothing of it was saved."""
    return (
        CensusImportRun.objects.filter(status=Status.RUNNING, stage__in=[CHECKING, SAVING])
        .exclude(pk=but.pk)
        .update(status=Status.FAILED, failure=ABANDONED_MESSAGE, finished_at=timezone.now())
    )


def import_kept_upload(run_id: int) -> None:
    """The worker's part: import the kept upload, then delete it whatever happened."""
    run = CensusImportRun.objects.select_related("run_by").get(pk=run_id)
    if run.status != Status.QUEUED:
        return  # already done: a task run twice must not import twice
    path = Path(run.upload_path)
    try:
        perform(run, path)
    finally:
        path.unlink(missing_ok=True)
        CensusImportRun.objects.filter(pk=run.pk).update(upload_path="")


def counts_rows(run: CensusImportRun) -> list[tuple[str, int, int, int]]:
    """(label, created, updated, unchanged) per record type, in a fixed order for tables."""
    zero = {"created": 0, "updated": 0, "unchanged": 0}
    rows = []
    for kind, label in RECORD_TYPES.items():
        counts = run.counts.get(kind, zero)
        rows.append((label, counts["created"], counts["updated"], counts["unchanged"]))
    return rows


def progress_percent(run: CensusImportRun) -> int:
    """Checking and saving each read every child: half the bar each."""
    if run.is_finished:
        return 100
    if not run.children_total or run.stage not in (CHECKING, SAVING):
        return 0
    done = min(run.children_read, run.children_total) / run.children_total
    return round(50 * done) + (50 if run.stage == SAVING else 0)


# What a run changed ------------------------------------------------------------------------
# Found from the history rows the run wrote (their change reason names it), a fixed number of
# queries a page however many children the run touched.

# Each record type the import writes, and the way from its history row to the child.
_RUN_MODELS = [
    (Child, "Child", "id"),
    (Referral, "Referral", "child_id"),
    (Assessment, "Assessment", "referral__child_id"),
    (ChildInNeedPlan, "Child in need plan", "child_id"),
    (ChildProtectionPlan, "Child protection plan", "child_id"),
    (CPReview, "Child protection review", "plan__child_id"),
]
CHILDREN_PER_PAGE = 25


@dataclass
class RecordChange:
    record_type: str
    action: str
    changes: list[Change]


@dataclass
class ChildChanges:
    child_id: int
    la_child_id: str
    records: list[RecordChange] = field(default_factory=list)


def _run_rows(model, run: CensusImportRun) -> QuerySet:
    history: Any = model.history  # simple_history's manager
    if run.started_at is None:
        return history.none()
    # The date narrows the search to the run's time on history_date's index.
    return history.filter(history_change_reason=run.change_reason, history_date__gte=run.started_at)


def children_changed(run: CensusImportRun) -> QuerySet:
    """Every child the run created or changed, or any of whose records it did."""
    touched = Q(pk__in=[])
    for model, _, path in _RUN_MODELS:
        touched |= Q(pk__in=_run_rows(model, run).values(path))
    return Child.objects.filter(touched).only("pk", "la_child_id").order_by("la_child_id", "pk")


def changes_for(run: CensusImportRun, children: list[Child]) -> list[ChildChanges]:
    """What the run did to each of `children`, with each field's old and new value."""
    by_child = {child.pk: ChildChanges(child.pk, child.la_child_id) for child in children}
    for model, label, path in _RUN_MODELS:
        history: Any = model.history
        earlier = (
            history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        rows = list(
            _run_rows(model, run)
            .annotate(child_key=F(path), previous_id=Subquery(earlier))
            .filter(child_key__in=list(by_child))
            .order_by("history_id")
        )
        if not rows:
            continue
        previous = history.in_bulk(
            [row.previous_id for row in rows if row.previous_id], field_name="history_id"
        )
        fields = people_fields(model)
        related = related_names(fields, [*rows, *previous.values()])
        for row in rows:
            before = previous.get(row.previous_id)
            by_child[row.child_key].records.append(
                RecordChange(
                    label,
                    "Created" if before is None else "Changed",
                    changes_between(fields, before, row, related),
                )
            )
    return list(by_child.values())
