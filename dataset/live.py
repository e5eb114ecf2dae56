"""Keeping the stored figures of the quarters not yet published current, in the background
worker, so that no page computes a quarter while someone waits.

How stale a figure may be (README, "How current the figures are"):

- the quarter in progress and the one before it are recalculated after any change to the
  records they count (a tool completed, a plan changed, an audit moderated…): the worker
  waits `SETTLE` after a change for the others of its burst to join it, so a busy morning
  costs a calculation every few seconds at most rather than one per save;
- every quarter the pages offer (and the quarters their trends reach back to) is
  recalculated after each census import and every night at `NIGHTLY_AT`, which is when
  corrections to older records show;
- each page says when its figures were calculated ("figures as at 10:42"), and an
  administrator can ask for them to be recalculated now.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from neglect_portal.dates import next_at, today
from neglect_portal.quarters import FIRST_YEAR, LAST_YEAR, Quarter
from neglect_portal.signals import records_imported

from . import results
from .models import QuarterResult
from .quarters_shown import QUARTERS_OFFERED, TREND_LENGTH

# How long after a change the recalculation waits for more changes.
SETTLE = timedelta(seconds=10)
NIGHTLY_AT = time(1, 30)

# Every model whose rows a figure counts: a save or a delete of one asks for a recalculation.
COUNTED_MODELS = (
    "cases.Child",
    "cases.Referral",
    "cases.Assessment",
    "cases.ChildInNeedPlan",
    "cases.ChildProtectionPlan",
    "cases.CPReview",
    "cases.CINPlanReview",
    "cases.Involvement",
    "cases.Allocation",
    "cases.ChildMerge",
    "toolkit.Chronology",
    "toolkit.ChronologyEntry",
    "toolkit.DayInMyLife",
    "toolkit.AssessmentChecklist",
    "toolkit.ParentChildObservation",
    "toolkit.SDQ",
    "toolkit.NextSteps",
    "toolkit.NextStep",
    "toolkit.Oversight",
    "toolkit.ToolInformed",
    "neglect_portal.ConfidenceSurvey",
    "dataset.AuditRound",
    "dataset.AuditCriterion",
    "dataset.AuditSample",
    "dataset.AuditJudgement",
)


def recent_quarters(day) -> list[Quarter]:
    """What a change today most likely moves: the quarter in progress and the one before."""
    current = Quarter.containing(day)
    return [current.previous(), current]


def offered_quarters(day) -> list[Quarter]:
    """Every quarter a page may show from its stored result without asking: those offered,
    and those their trends reach back to; oldest first."""
    newest = Quarter.containing(day)
    return newest.last(QUARTERS_OFFERED + TREND_LENGTH - 1)


def storable(quarters: list[Quarter]) -> list[Quarter]:
    """Those a result can be stored for: a trend from the first quarter the portal knows
    reaches back before it, to quarters a slug cannot name."""
    return [quarter for quarter in quarters if FIRST_YEAR <= quarter.start_year <= LAST_YEAR]


def refresh(quarters: list[Quarter]) -> list[Quarter]:
    """Compute and store each quarter's live result. The quarters stored."""
    stored = []
    for quarter in storable(quarters):
        if results.store(quarter) is None:
            request_refresh([quarter], settle=False)  # overlapped by another: once more
        else:
            stored.append(quarter)
    return stored


# Asking the worker -----------------------------------------------------------------------


def _waiting(task_path: str):
    return DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY).order_by(
        "run_after"
    )


def request_refresh(quarters: list[Quarter] | None = None, *, settle: bool = True) -> None:
    """Ask the worker to recalculate `quarters` (default: the recent ones) once the current
    transaction has committed, unless a recalculation of them is already waiting to start
    (one that has started may have read the records before this change, so it does not
    count). `settle` False: as soon as the worker is free (an administrator's "refresh now").
    Asked many times in one transaction (a form saving several rows), it asks once."""
    slugs = sorted(quarter.slug for quarter in quarters) if quarters else None
    key = (tuple(slugs or ()), settle)
    connection = transaction.get_connection()
    if any(getattr(func, "live_figures", None) == key for _, func, _ in connection.run_on_commit):
        return

    def ask() -> None:
        from .tasks import refresh_live_figures

        waiting = [
            row
            for row in _waiting(refresh_live_figures.module_path)
            if _covers(row.args_kwargs["args"][0], slugs)
        ]
        if waiting:
            if not settle:
                DBTaskResult.objects.filter(
                    pk__in=[row.pk for row in waiting], run_after__gt=timezone.now()
                ).update(run_after=timezone.now())
            return
        task = refresh_live_figures
        if settle:
            task = task.using(run_after=timezone.now() + SETTLE)
        task.enqueue(slugs)

    ask.live_figures = key  # type: ignore[attr-defined]
    # Robust: the change is saved whatever happens to the asking.
    transaction.on_commit(ask, robust=True)


def _covers(waiting: list[str] | None, wanted: list[str] | None) -> bool:
    if waiting is None or wanted is None:
        return waiting == wanted
    return set(wanted) <= set(waiting)


def schedule_nightly() -> datetime:
    """Queue the next night's recalculation of every offered quarter unless one is waiting."""
    from .tasks import refresh_every_quarter

    queued = _waiting(refresh_every_quarter.module_path).first()
    if queued is not None:
        return queued.run_after
    when = next_at(timezone.now(), NIGHTLY_AT)
    refresh_every_quarter.using(run_after=when).enqueue()
    return when


def every_offered_quarter() -> list[Quarter]:
    """The quarters the pages offer, and any other a page has had stored (an old quarter
    opened by its address), so that none stays as it was first calculated."""
    offered = offered_quarters(today())
    others = (
        QuarterResult.objects.filter(published__isnull=True)
        .exclude(quarter__in=offered)
        .values_list("quarter", flat=True)
    )
    return sorted({*offered, *storable(list(others))})


# Noticing changes ------------------------------------------------------------------------


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures: nothing is counted yet
        return
    request_refresh()


def _records_imported(sender, **kwargs) -> None:
    # An import writes in bulk, which sends no signal per record, and may correct records of
    # any quarter: every quarter is recalculated once it has finished.
    request_refresh(every_offered_quarter(), settle=False)


def connect_signals() -> None:
    """Ask for a recalculation whenever a counted row is saved or deleted, and after records
    are imported in bulk."""
    for label in COUNTED_MODELS:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"live-figures-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"live-figures-delete-{label}")
    records_imported.connect(_records_imported, dispatch_uid="live-figures-records-imported")
