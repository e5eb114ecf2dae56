"""The impact chronology: hand-written entries merged with events from the case record."""

from dataclasses import dataclass
from datetime import date

from cases.models import Child
from cases.selectors import PERSON_FIELDS, RecordsPart, case_record_for_child, records_in_one_query
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


def _entry_item(e: ChronologyEntry) -> Item:
    return Item(
        e.event_date,
        e.what_happened,
        e.impact_description,
        e.source_agency.name,
        e.source_agency_id,
        entry=e,
    )


def _tool_item(tool: Tool) -> Item:
    return Item(
        tool.completed_on,
        f"{tool} completed",
        "",
        tool.author_agency.name,
        tool.author_agency_id,
    )


def _toolkit_items(child, *, entries: bool, tools: bool) -> list[Item]:
    """The hand-written entries and the completed tools, in one UNION query (issue 16) rather
    than one per tool table."""
    parts = []
    if entries:
        parts.append(
            RecordsPart(
                "entries",
                ChronologyEntry.objects.filter(chronology__child=child),
                {"author": PERSON_FIELDS, "source_agency": None},
            )
        )
    if tools:
        parts += [
            RecordsPart(
                model._meta.label,
                model.objects.filter(child=child, status=Tool.Status.COMPLETED),
                {"author_agency": None},
            )
            for model in _TOOLS
        ]
    if not parts:
        return []
    found = records_in_one_query(parts)
    return [_entry_item(e) for e in found.get("entries", [])] + [
        _tool_item(tool) for model in _TOOLS if tools for tool in found[model._meta.label]
    ]


def _case_events(child):
    record = case_record_for_child(child)
    return [
        Item(event.day, event.title, event.detail, CASE_RECORD, None)
        for event in case_timeline(record.referrals, record.cp_plans)
    ]


def merged_chronology(child: Child, *, agency_id=None, show="all", oldest_first=False):
    """Every item for the child, filtered by source agency and by kind of item.

    `show`: "all", "entries" (hand-written), "events" (from the record) or "significant".
    A fixed number of queries, however long the chronology.
    """
    events = show in ("all", "events")
    items = _toolkit_items(child, entries=show in ("all", "entries", "significant"), tools=events)
    if events:
        items += _case_events(child)
    if show == "significant":
        items = [item for item in items if item.entry.significant]
    if agency_id is not None:
        items = [item for item in items if item.agency_id == agency_id]
    return sorted(items, key=lambda item: (item.day, item.is_entry), reverse=not oldest_first)
