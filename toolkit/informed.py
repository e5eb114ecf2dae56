"""The toolkit's side of cases.informed_by: which of a child's tools may inform a plan or
review, recording the ones ticked (ToolInformed), and reading them back. Registered in
toolkit.apps, so the cases app asks for tools without importing this one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Model, Q, Value
from django.urls import reverse

from cases.informed_by import InformingTool, key_of
from cases.models import Child, ChildInNeedPlan, ChildProtectionPlan, CINPlanReview, CPReview
from neglect_portal import access

from .models import (
    CHRONOLOGY_KIND,
    TOOL_KIND_CHOICES,
    Chronology,
    ChronologyEntry,
    Tool,
    ToolInformed,
)
from .status import is_current
from .tool_kinds import TOOL_KINDS

NAMES = dict(TOOL_KIND_CHOICES)
# The ToolInformed field that names each kind of informed record.
FIELDS: dict[type[Model], str] = {
    CPReview: "cp_review",
    CINPlanReview: "cin_review",
    ChildProtectionPlan: "cp_plan",
    ChildInNeedPlan: "cin_plan",
}


def _url(kind: str, pk: int, child_id: int) -> str:
    if kind == CHRONOLOGY_KIND:
        return reverse("toolkit:chronology", args=[child_id])
    return reverse("toolkit:tool", args=[kind, pk])


def _date_of(record: Model) -> date:
    """The day a review met or a plan started: what "current" is judged on."""
    return getattr(record, "review_date", None) or getattr(record, "start_date")  # noqa: B009


def _chronology_completed(child: Child, on: date) -> tuple[int, date] | None:
    """(the chronology's id, its latest entry recorded or review on or before `on`)."""
    chronology = Chronology.objects.filter(child=child).first()
    if chronology is None:
        return None
    latest = ChronologyEntry.objects.filter(chronology=chronology, recorded_on__lte=on).aggregate(
        latest=Max("recorded_on")
    )["latest"]
    reviewed = (
        chronology.reviewed_on if chronology.reviewed_on and chronology.reviewed_on <= on else None
    )
    days = [day for day in (latest, reviewed) if day]
    return (chronology.pk, max(days)) if days else None


def tools_on(child: Child, on: date) -> list[InformingTool]:
    """The child's tools completed on or before `on`, newest first, the chronology first of
    all: three queries."""
    parts = [
        kind.model._default_manager.filter(
            child=child, status=Tool.Status.COMPLETED, completed_on__lte=on
        )
        .annotate(kind=Value(slug))
        .values_list("kind", "pk", "completed_on")
        .order_by()
        for slug, kind in TOOL_KINDS.items()
    ]
    rows = sorted(
        parts[0].union(*parts[1:], all=True), key=lambda row: (row[2], row[1]), reverse=True
    )
    chronology = _chronology_completed(child, on)
    if chronology is not None:
        rows.insert(0, (CHRONOLOGY_KIND, *chronology))
    return [
        InformingTool(
            key=f"{kind}:{pk}",
            name=NAMES[kind],
            completed_on=completed,
            current=is_current(completed, on),
            url=_url(kind, pk, child.pk),
        )
        for kind, pk, completed in rows
    ]


def record(informed: Model, *, keys: Sequence[str], on: date, user: Any) -> None:
    """One ToolInformed per key, with the tool's completion as it stood on `on`."""
    if not keys:
        return
    child = access.child_of(informed)
    offered = {tool.key: tool for tool in tools_on(child, on)}
    unknown = [key for key in keys if key not in offered]
    if unknown:
        raise ValidationError(
            {"informed_by": "Select only tools completed for this child on or before that date"}
        )
    field = FIELDS[type(informed)]
    for key in dict.fromkeys(keys):
        kind, pk = key.split(":")
        ToolInformed.objects.create(
            child=child,
            tool_kind=kind,
            tool_id=int(pk),
            completed_on=offered[key].completed_on,
            recorded_by=user,
            **{field: informed},
        )


def informing(records: Sequence[Model]) -> dict[tuple[str, int], list[InformingTool]]:
    """{key_of(record): the tools that informed it}, in one query."""
    by_field: dict[str, dict[int, Model]] = {}
    for informed in records:
        by_field.setdefault(FIELDS[type(informed)], {})[informed.pk] = informed
    condition = Q()
    for field, found in by_field.items():
        condition |= Q(**{f"{field}__in": list(found)})
    found_tools: dict[tuple[str, int], list[InformingTool]] = {}
    for link in ToolInformed.objects.filter(condition).order_by("tool_kind", "-completed_on"):
        for field, found in by_field.items():
            informed = found.get(getattr(link, f"{field}_id"))
            if informed is None:
                continue
            found_tools.setdefault(key_of(informed), []).append(
                InformingTool(
                    key=f"{link.tool_kind}:{link.tool_id}",
                    name=NAMES[link.tool_kind],
                    completed_on=link.completed_on,
                    current=is_current(link.completed_on, _date_of(informed)),
                    url=_url(link.tool_kind, link.tool_id, link.child_id),
                )
            )
    return found_tools
