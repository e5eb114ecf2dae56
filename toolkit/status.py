"""Whether each child's mandatory tools are current (kpi-definitions.md, "current at E").

A tool is current at E when it was completed within the six months up to E:
E - 6 months < completed date <= E. For the chronology, "completed" is the latest of an entry
recorded and the chronology marked reviewed.

A tool that a team manager reopens counts as it was, by its earlier completion, until it is
completed again: reopening to correct a tool does not make a child's tools overdue overnight.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Case, F, Max, Q, Value, When

from cases.selectors import RowsPart, rows_in_one_query

from .models import (
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    ParentChildObservation,
    Tool,
)

CURRENT_FOR = relativedelta(months=6)
DUE_SOON_WITHIN = timedelta(days=30)


class State(models.TextChoices):
    CURRENT = "current", "Current"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    NEVER = "never", "Never completed"


MANDATORY_TOOLS = {
    "chronology": "Impact chronology",
    "day_in_my_life": "Day in my life",
    "checklist": "Assessment checklist",
    "observation": "Parent–child observation",
}
# The mandatory tools that are forms, with a completed state (the chronology has none).
MANDATORY_FORMS = {
    "day_in_my_life": DayInMyLife,
    "checklist": AssessmentChecklist,
    "observation": ParentChildObservation,
}
# Their slugs in the tools' URLs (toolkit/tool_kinds.py).
FORM_SLUGS = {"day_in_my_life": "day", "checklist": "checklist", "observation": "observation"}


@dataclass(frozen=True)
class Reopening:
    """A reopened tool whose earlier completion is the one a status counts."""

    kind: str  # the tool's slug, for its URL
    pk: int
    by: str
    on: date
    reason: str
    earlier_completed_on: date


@dataclass(frozen=True)
class ToolStatus:
    tool: str
    label: str
    last_completed: date | None
    state: State
    reopened: Reopening | None = None


def is_current(completed: date | None, on: date) -> bool:
    return completed is not None and on - CURRENT_FOR < completed <= on


def state_on(completed: date | None, on: date) -> State:
    if completed is None:
        return State.NEVER
    if not is_current(completed, on):
        return State.OVERDUE
    if not is_current(completed, on + DUE_SOON_WITHIN):
        return State.DUE_SOON
    return State.CURRENT


def _counted_completions(after: date | None, last: date) -> tuple[Q, Q]:
    """The two ways a tool's completion counts in (after, last] (no lower bound for None):
    completed then; or reopened since, and completed then before the reopening."""
    now = Q(status=Tool.Status.COMPLETED, completed_on__lte=last)
    earlier = Q(previous_completed_on__lte=last)
    if after is not None:
        now &= Q(completed_on__gt=after)
        earlier &= Q(previous_completed_on__gt=after)
    return now, earlier


def counted_completion_within(after: date, last: date) -> Q:
    """Tools whose completion counts in (after, last]: completed then, or reopened since and
    completed then before the reopening. The dataset's TOOLKIT_MANDATORY_COMPLETE filters with
    this too, so the indicator and the tool status cannot disagree."""
    now, earlier = _counted_completions(after, last)
    return now | earlier


def _chronology_parts(child_ids, on: date) -> list[RowsPart]:
    """The chronology's latest entry and review up to `on`, as the forms' completions."""
    return [
        RowsPart(
            "completions",
            ChronologyEntry.objects.filter(
                chronology__child_id__in=child_ids, recorded_on__lte=on
            ).values("chronology__child_id"),
            {
                "tool": Value("chronology"),
                "child": F("chronology__child_id"),
                "completed": Max("recorded_on"),
            },
        ),
        RowsPart(
            "completions",
            Chronology.objects.filter(child_id__in=child_ids, reviewed_on__lte=on).values(
                "child_id"
            ),
            {"tool": Value("chronology"), "child": F("child_id"), "completed": Max("reviewed_on")},
        ),
    ]


def completion_parts(child_ids, on: date) -> list[RowsPart]:
    """latest_completions()' rows, for rows_in_one_query() (with other parts, for a page that
    reads them in the same query): for a form, the latest completion and the latest earlier
    completion of a tool reopened since; for the chronology, an entry recorded and a review."""
    now, earlier = _counted_completions(None, on)
    return [
        RowsPart(
            "completions",
            model.objects.filter(now | earlier, child_id__in=child_ids).values("child_id"),
            {
                "tool": Value(tool),
                "child": F("child_id"),
                "completed": Max(Case(When(now, then=F("completed_on")))),
                "earlier": Max(Case(When(earlier, then=F("previous_completed_on")))),
            },
        )
        for tool, model in MANDATORY_FORMS.items()
    ] + _chronology_parts(child_ids, on)


def completions_from(rows: list[dict], child_ids) -> dict[int, dict[str, date | None]]:
    """latest_completions()' answer from the rows of completion_parts()."""
    found: dict[int, dict[str, date | None]] = {
        child: dict.fromkeys(MANDATORY_TOOLS) for child in child_ids
    }
    for row in rows:
        latest = found[row["child"]]
        dates = [d for d in (latest[row["tool"]], row["completed"], row.get("earlier")) if d]
        latest[row["tool"]] = max(dates) if dates else None
    return found


def latest_completions(child_ids, on: date) -> dict[int, dict[str, date | None]]:
    """Each child's latest completion of each mandatory tool up to `on`, in one UNION query
    however many children: for a form, a completion or the earlier completion of a tool
    reopened since; for the chronology, the later of an entry recorded and a review."""
    rows = rows_in_one_query(completion_parts(child_ids, on))
    return completions_from(rows["completions"], child_ids)


def reopening_parts(child_ids, on: date) -> list[RowsPart]:
    """The rows of the mandatory forms reopened by `on` and not completed again, for
    rows_in_one_query(); reopenings_from() reads them."""
    return [
        RowsPart(
            "reopenings",
            model.objects.filter(
                child_id__in=child_ids,
                status=Tool.Status.DRAFT,
                reopened_on__lte=on,
                previous_completed_on__isnull=False,
            ),
            {
                "tool": Value(tool),
                "child": F("child_id"),
                "pk": F("pk"),
                "on": F("reopened_on"),
                "reason": F("reopen_reason"),
                "earlier": F("previous_completed_on"),
                "first": F("reopened_by__first_name"),
                "last": F("reopened_by__last_name"),
                "username": F("reopened_by__username"),
            },
        )
        for tool, model in MANDATORY_FORMS.items()
    ]


def reopenings_from(rows: list[dict]) -> dict[tuple[int, str], list[Reopening]]:
    """The reopenings by (child, tool), latest reopening first, from reopening_parts()' rows."""
    found: dict[tuple[int, str], list[Reopening]] = {}
    for row in rows:
        by = f"{row['first'] or ''} {row['last'] or ''}".strip() or row["username"]
        found.setdefault((row["child"], row["tool"]), []).append(
            Reopening(
                kind=FORM_SLUGS[row["tool"]],
                pk=row["pk"],
                by=by or "a team manager",
                on=row["on"],
                reason=row["reason"],
                earlier_completed_on=row["earlier"],
            )
        )
    for reopenings in found.values():
        reopenings.sort(key=lambda r: (r.on, r.pk), reverse=True)
    return found


def latest_reopenings(child_ids, on: date) -> dict[tuple[int, str], list[Reopening]]:
    """The mandatory forms reopened by `on` and not completed again, by (child, tool), latest
    reopening first: one query."""
    return reopenings_from(rows_in_one_query(reopening_parts(child_ids, on))["reopenings"])


def status_parts(child_ids, on: date) -> list[RowsPart]:
    """tool_statuses()' rows, for rows_in_one_query(); statuses_from() reads them."""
    return completion_parts(child_ids, on) + reopening_parts(child_ids, on)


def statuses_from(rows: dict[str, list[dict]], child_ids, on: date) -> dict[int, list[ToolStatus]]:
    """tool_statuses()' answer from the rows of status_parts()."""
    reopenings = reopenings_from(rows["reopenings"])

    def reopened(child, tool, counted):
        # Only the reopening whose earlier completion is the one counted is worth saying: a
        # tool completed since stands on its own.
        return next(
            (r for r in reopenings.get((child, tool), []) if r.earlier_completed_on == counted),
            None,
        )

    return {
        child: [
            ToolStatus(
                tool,
                label,
                latest[tool],
                state_on(latest[tool], on),
                reopened(child, tool, latest[tool]),
            )
            for tool, label in MANDATORY_TOOLS.items()
        ]
        for child, latest in completions_from(rows["completions"], child_ids).items()
    }


def tool_statuses(child_ids, on: date) -> dict[int, list[ToolStatus]]:
    """One query (completions and reopenings in one UNION), however many children."""
    child_ids = list(child_ids)
    return statuses_from(rows_in_one_query(status_parts(child_ids, on)), child_ids, on)
