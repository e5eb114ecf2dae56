"""Whether each child's mandatory tools are current (kpi-definitions.md, "current at E").

A tool is current at E when it was completed within the six months up to E:
E - 6 months < completed date <= E. For the chronology, "completed" is the latest of an entry
recorded and the chronology marked reviewed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Max

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


def _latest(model, child_ids, on, *, child_field="child_id", date_field="completed_on", **filters):
    rows = (
        model.objects.filter(
            **{f"{child_field}__in": child_ids, f"{date_field}__lte": on}, **filters
        )
        .values(child_field)
        .annotate(latest=Max(date_field))
        .order_by()
    )
    return {row[child_field]: row["latest"] for row in rows}


def latest_completions(child_ids, on: date) -> dict[int, dict[str, date | None]]:
    """Each child's latest completion of each mandatory tool up to `on`: five queries, however
    many children."""
    completed = {"status": "completed"}
    found = {
        "day_in_my_life": _latest(DayInMyLife, child_ids, on, **completed),
        "checklist": _latest(AssessmentChecklist, child_ids, on, **completed),
        "observation": _latest(ParentChildObservation, child_ids, on, **completed),
    }
    entries = _latest(
        ChronologyEntry, child_ids, on, child_field="chronology__child_id", date_field="recorded_on"
    )
    reviews = _latest(Chronology, child_ids, on, date_field="reviewed_on")
    found["chronology"] = {
        child: max(d for d in (entries.get(child), reviews.get(child)) if d)
        for child in set(entries) | set(reviews)
    }
    return {
        child: {tool: found[tool].get(child) for tool in MANDATORY_TOOLS} for child in child_ids
    }


def tool_statuses(child_ids, on: date) -> dict[int, list[ToolStatus]]:
    return {
        child: [
            ToolStatus(tool, label, latest[tool], state_on(latest[tool], on))
            for tool, label in MANDATORY_TOOLS.items()
        ]
        for child, latest in latest_completions(child_ids, on).items()
    }
