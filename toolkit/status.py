"""Whether each child's mandatory tools are current (kpi-definitions.md, "current at E").

A tool is current at E when it was completed within the six months up to E:
E - 6 months < completed date <= E. For the chronology, "completed" is the latest of an entry
recorded and the chronology marked reviewed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Max, Value

from .models import (
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    ParentChildObservation,
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


@dataclass(frozen=True)
class ToolStatus:
    tool: str
    label: str
    last_completed: date | None
    state: State


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


def _latest(queryset, tool: str, child_field: str, date_field: str):
    return (
        queryset.values(child_field)
        .annotate(tool=Value(tool), latest=Max(date_field))
        .values_list(child_field, "tool", "latest")
        .order_by()
    )


def latest_completions(child_ids, on: date) -> dict[int, dict[str, date | None]]:
    """Each child's latest completion of each mandatory tool up to `on`, in one UNION query
    however many children."""
    completed = {"child_id__in": child_ids, "status": "completed", "completed_on__lte": on}
    parts = [
        _latest(
            DayInMyLife.objects.filter(**completed), "day_in_my_life", "child_id", "completed_on"
        ),
        _latest(
            AssessmentChecklist.objects.filter(**completed), "checklist", "child_id", "completed_on"
        ),
        _latest(
            ParentChildObservation.objects.filter(**completed),
            "observation",
            "child_id",
            "completed_on",
        ),
        _latest(
            ChronologyEntry.objects.filter(chronology__child_id__in=child_ids, recorded_on__lte=on),
            "chronology",
            "chronology__child_id",
            "recorded_on",
        ),
        _latest(
            Chronology.objects.filter(child_id__in=child_ids, reviewed_on__lte=on),
            "chronology",
            "child_id",
            "reviewed_on",
        ),
    ]
    found: dict[int, dict[str, date | None]] = {
        child: dict.fromkeys(MANDATORY_TOOLS) for child in child_ids
    }
    for child, tool, latest in parts[0].union(*parts[1:], all=True):
        if latest is None:
            continue
        before = found[child][tool]
        # The chronology's completion is the later of an entry recorded and a review.
        found[child][tool] = latest if before is None else max(before, latest)
    return found


def tool_statuses(child_ids, on: date) -> dict[int, list[ToolStatus]]:
    return {
        child: [
            ToolStatus(tool, label, latest[tool], state_on(latest[tool], on))
            for tool, label in MANDATORY_TOOLS.items()
        ]
        for child, latest in latest_completions(child_ids, on).items()
    }
