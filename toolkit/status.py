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


def counted_completion_within(after: date, last: date) -> Q:
    """Tools whose completion counts in (after, last]: completed then, or reopened since and
    completed then before the reopening. The dataset's TOOLKIT_MANDATORY_COMPLETE filters with
    this too, so the indicator and the tool status cannot disagree."""
    return Q(status=Tool.Status.COMPLETED, completed_on__gt=after, completed_on__lte=last) | Q(
        previous_completed_on__gt=after, previous_completed_on__lte=last
    )


def _chronology_parts(child_ids, on):
    """The chronology's latest entry and review up to `on`, in the forms' columns."""
    none = Value(None, output_field=models.DateField())
    entries = (
        ChronologyEntry.objects.filter(chronology__child_id__in=child_ids, recorded_on__lte=on)
        .values("chronology__child_id")
        .annotate(tool=Value("chronology"), completed=Max("recorded_on"), earlier=none)
        .values_list("tool", "chronology__child_id", "completed", "earlier")
        .order_by()
    )
    reviews = (
        Chronology.objects.filter(child_id__in=child_ids, reviewed_on__lte=on)
        .values("child_id")
        .annotate(tool=Value("chronology"), completed=Max("reviewed_on"), earlier=none)
        .values_list("tool", "child_id", "completed", "earlier")
        .order_by()
    )
    return [entries, reviews]


def latest_completions(child_ids, on: date) -> dict[int, dict[str, date | None]]:
    """Each child's latest completion of each mandatory tool up to `on`, in one UNION query
    however many children: for a form, a completion or the earlier completion of a tool
    reopened since; for the chronology, the later of an entry recorded and a review."""
    counted = Q(status=Tool.Status.COMPLETED, completed_on__lte=on) | Q(
        previous_completed_on__lte=on
    )
    parts = [
        model.objects.filter(counted, child_id__in=child_ids)
        .values("child_id")
        .annotate(
            tool=Value(tool),
            completed=Max(
                Case(When(Q(status=Tool.Status.COMPLETED, completed_on__lte=on), F("completed_on")))
            ),
            earlier=Max(Case(When(previous_completed_on__lte=on, then=F("previous_completed_on")))),
        )
        .values_list("tool", "child_id", "completed", "earlier")
        .order_by()
        for tool, model in MANDATORY_FORMS.items()
    ] + _chronology_parts(child_ids, on)
    found: dict[int, dict[str, date | None]] = {
        child: dict.fromkeys(MANDATORY_TOOLS) for child in child_ids
    }
    for tool, child, completed, earlier in parts[0].union(*parts[1:], all=True):
        dates = [d for d in (found[child][tool], completed, earlier) if d]
        found[child][tool] = max(dates) if dates else None
    return found


def latest_reopenings(child_ids, on: date) -> dict[tuple[int, str], list[Reopening]]:
    """The mandatory forms reopened by `on` and not completed again, by (child, tool), latest
    reopening first: one query."""
    parts = [
        model.objects.filter(
            child_id__in=child_ids,
            status=Tool.Status.DRAFT,
            reopened_on__lte=on,
            previous_completed_on__isnull=False,
        )
        .annotate(
            tool=Value(tool),
            first=F("reopened_by__first_name"),
            last=F("reopened_by__last_name"),
            username=F("reopened_by__username"),
        )
        .values_list(
            "tool",
            "child_id",
            "pk",
            "reopened_on",
            "reopen_reason",
            "previous_completed_on",
            "first",
            "last",
            "username",
        )
        .order_by()
        for tool, model in MANDATORY_FORMS.items()
    ]
    found: dict[tuple[int, str], list[Reopening]] = {}
    for tool, child, pk, on_day, reason, earlier, first, last, username in parts[0].union(
        *parts[1:], all=True
    ):
        found.setdefault((child, tool), []).append(
            Reopening(
                kind=FORM_SLUGS[tool],
                pk=pk,
                by=f"{first or ''} {last or ''}".strip() or username or "a team manager",
                on=on_day,
                reason=reason,
                earlier_completed_on=earlier,
            )
        )
    for reopenings in found.values():
        reopenings.sort(key=lambda r: (r.on, r.pk), reverse=True)
    return found


def tool_statuses(child_ids, on: date) -> dict[int, list[ToolStatus]]:
    """Two queries (completions and reopenings, a UNION each), however many children."""
    reopenings = latest_reopenings(child_ids, on)

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
        for child, latest in latest_completions(child_ids, on).items()
    }


# From records already read -----------------------------------------------------------------
# The same rules as latest_completions() and latest_reopenings(), applied to one child's tools
# as records, for the child page, which reads them all anyway: its tool status then costs no
# query of its own (issue 16). tests/toolkit/test_case_page_budgets.py holds the two to the
# same answers.


def counted_completion(tool: Tool, on: date) -> date | None:
    """The completion of `tool` that counts on `on`: its completion, or the earlier completion
    of a tool reopened since (counted_completion_within's rule)."""
    dates = [
        d
        for d in (
            tool.completed_on if tool.status == Tool.Status.COMPLETED else None,
            tool.previous_completed_on,
        )
        if d is not None and d <= on
    ]
    return max(dates, default=None)


def reopening_of(tool: Tool, on: date) -> Reopening | None:
    """The reopening a status may name: reopened by `on` and not completed again."""
    if not (
        tool.status == Tool.Status.DRAFT
        and tool.reopened_on is not None
        and tool.reopened_on <= on
        and tool.previous_completed_on is not None
    ):
        return None
    by = tool.reopened_by
    name = f"{by.first_name or ''} {by.last_name or ''}".strip() or by.username if by else ""
    return Reopening(
        kind=next(
            slug for key, slug in FORM_SLUGS.items() if isinstance(tool, MANDATORY_FORMS[key])
        ),
        pk=tool.pk,
        by=name or "a team manager",
        on=tool.reopened_on,
        reason=tool.reopen_reason,
        earlier_completed_on=tool.previous_completed_on,
    )


def statuses_of_records(
    forms: dict[str, list[Tool]], chronology_dates: list[date | None], on: date
) -> list[ToolStatus]:
    """One child's statuses from their mandatory forms' records ({MANDATORY_FORMS key:
    records}) and the dates of the chronology's entries and review, as tool_statuses() gives
    them, without a query."""
    latest: dict[str, date | None] = {
        tool: max(
            (d for d in (counted_completion(t, on) for t in forms.get(tool, [])) if d),
            default=None,
        )
        for tool in MANDATORY_FORMS
    }
    latest["chronology"] = max((d for d in chronology_dates if d and d <= on), default=None)
    statuses = []
    for tool, label in MANDATORY_TOOLS.items():
        reopenings = sorted(
            (r for r in (reopening_of(t, on) for t in forms.get(tool, [])) if r),
            key=lambda r: (r.on, r.pk),
            reverse=True,
        )
        reopened = next((r for r in reopenings if r.earlier_completed_on == latest[tool]), None)
        statuses.append(ToolStatus(tool, label, latest[tool], state_on(latest[tool], on), reopened))
    return statuses
