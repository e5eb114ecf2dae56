"""The impact chronology: hand-written entries merged with events from the case record."""

from dataclasses import dataclass
from datetime import date

from cases.models import Child
from cases.selectors import records_for_child
from cases.timeline import case_timeline

from .content import NeglectType
from .models import (
    SDQ,
    AssessmentChecklist,
    ChronologyEntry,
    DayInMyLife,
    NextSteps,
    ParentChildObservation,
    Tool,
)

CASE_RECORD = "Case record"
NEGLECT_TYPES = dict(NeglectType.choices)
_TOOLS = (DayInMyLife, AssessmentChecklist, ParentChildObservation, SDQ, NextSteps)


@dataclass(frozen=True)
class Item:
    day: date
    title: str
    detail: str
    agency: str
    agency_id: int | None
    entry: ChronologyEntry | None = None

    @property
    def is_entry(self):
        return self.entry is not None

    @property
    def neglect_types(self) -> list[str]:
        """The entry's ticked types of neglect, by their labels, in the controlled list's order."""
        if self.entry is None:
            return []
        ticked = set(self.entry.neglect_types)
        return [label for code, label in NEGLECT_TYPES.items() if code in ticked]


def _entries(child):
    entries = ChronologyEntry.objects.filter(chronology__child=child).select_related(
        "author", "source_agency"
    )
    return [
        Item(
            e.event_date,
            e.what_happened,
            e.impact_description,
            e.source_agency.name,
            e.source_agency_id,
            entry=e,
        )
        for e in entries
    ]


def _case_events(child):
    referrals = list(records_for_child(child))
    cp_plans = [plan for referral in referrals for plan in referral.cp_plans.all()]
    return [
        Item(event.day, event.title, event.detail, CASE_RECORD, None)
        for event in case_timeline(referrals, cp_plans)
    ]


def _tools_completed(child):
    items = []
    for model in _TOOLS:
        for tool in model.objects.filter(child=child, status=Tool.Status.COMPLETED).select_related(
            "author_agency"
        ):
            items.append(
                Item(
                    tool.completed_on,
                    f"{tool} completed",
                    "",
                    tool.author_agency.name,
                    tool.author_agency_id,
                )
            )
    return items


def merged_chronology(child: Child, *, agency_id=None, show="all", oldest_first=False):
    """Every item for the child, filtered by source agency and by kind of item.

    `show`: "all", "entries" (hand-written), "events" (from the record) or "significant".
    A fixed number of queries, however long the chronology.
    """
    items = []
    if show in ("all", "entries", "significant"):
        items += _entries(child)
    if show in ("all", "events"):
        items += _case_events(child) + _tools_completed(child)
    if show == "significant":
        items = [item for item in items if item.entry.significant]
    if agency_id is not None:
        items = [item for item in items if item.agency_id == agency_id]
    return sorted(items, key=lambda item: (item.day, item.is_entry), reverse=not oldest_first)
