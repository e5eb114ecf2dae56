"""Reads for the toolkit pages."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value

from cases.models import Child, Involvement
from cases.selectors import on_neglect_plan
from neglect_portal import access
from neglect_portal.models import User

from .models import NextStep, SDQNeed, Tool
from .status import State, ToolStatus, tool_statuses
from .tool_kinds import TOOL_KINDS

# Worst first: what needs doing comes to the top of a caseload.
_URGENCY = {State.OVERDUE: 0, State.NEVER: 0, State.DUE_SOON: 1, State.CURRENT: 2}


def caseload(user: User, *, on: date) -> QuerySet[Child]:
    """Children on a neglect plan that the user is responsible for, among those they may see:
    a practitioner's allocated children and those they lead on for their agency; for a team
    manager, every child their agency is working with."""
    involvements = Involvement.objects.open_on(on).filter(child=OuterRef("pk"))
    if user.is_team_manager:
        ours = Exists(involvements.filter(agency_id=user.agency_id))
    else:
        ours = Exists(involvements.filter(lead_worker=user))
    return (
        access.children_visible_to(user, on=on)
        .filter(Q(allocated_worker=user) | ours)
        .filter(on_neglect_plan(on))
    )


def caseload_with_status(user: User, *, on: date) -> list[tuple[Child, list[ToolStatus]]]:
    """(child, tool statuses) for the caseload, children with overdue tools first."""
    children = list(caseload(user, on=on).only("pk", "la_child_id", "given_name", "family_name"))
    statuses = tool_statuses([child.pk for child in children], on)

    def urgency(child: Child) -> tuple:
        states = [status.state for status in statuses[child.pk]]
        return (
            min(_URGENCY[state] for state in states),
            -sum(_URGENCY[state] == 0 for state in states),
            child.family_name,
            child.given_name,
            child.pk,
        )

    return [(child, statuses[child.pk]) for child in sorted(children, key=urgency)]


@dataclass(frozen=True)
class ToolSummary:
    kind: str
    name: str
    pk: int
    started_on: date
    completed_on: date | None
    author: str

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None


def tools_for_child(child: Child) -> list[ToolSummary]:
    """Every tool started for the child, newest first, in one query."""
    parts = [
        kind.model._default_manager.filter(child=child)
        .annotate(
            kind=Value(slug),
            first=F("author__first_name"),
            last=F("author__last_name"),
            username=F("author__username"),
        )
        .values_list("kind", "pk", "started_on", "completed_on", "first", "last", "username")
        for slug, kind in TOOL_KINDS.items()
    ]
    rows = parts[0].union(*parts[1:], all=True)
    summaries = [
        ToolSummary(
            kind=slug,
            name=TOOL_KINDS[slug].name,
            pk=pk,
            started_on=started,
            completed_on=completed,
            author=f"{first} {last}".strip() or username,
        )
        for slug, pk, started, completed, first, last, username in rows
    ]
    return sorted(summaries, key=lambda tool: (tool.started_on, tool.pk), reverse=True)


def sdq_needs_open(child_ids: Iterable[int]) -> list[SDQNeed]:
    """The children's SDQ needs that no completed SDQ has met yet, oldest first, with who
    recorded each: one query, however many children (the tool status panel, My tasks)."""
    return list(
        SDQNeed.objects.filter(child_id__in=list(child_ids), met_on__isnull=True)
        .select_related("recorded_by")
        .order_by("recorded_on", "pk")
    )


def _open_next_steps() -> QuerySet[NextStep]:
    """Open steps of completed analyses (a draft's steps are not yet commitments), soonest due
    first, with what a list shows fetched alongside."""
    return (
        NextStep.objects.filter(status=NextStep.Status.OPEN, analysis__status=Tool.Status.COMPLETED)
        .select_related("analysis__child", "owner")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


def next_steps_for_owner(user: User) -> QuerySet[NextStep]:
    """The open steps `user` owns, of children they may see: one query."""
    return access.records_visible_to(user, _open_next_steps().filter(owner=user))


def open_next_steps(child_ids: Iterable[int]) -> QuerySet[NextStep]:
    """The open steps of these children, soonest due first: one query. Not limited to what a
    viewer may see: callers pass children they may see."""
    return _open_next_steps().filter(analysis__child_id__in=list(child_ids))


def overdue_next_steps(child_ids: Iterable[int], *, on: date) -> QuerySet[NextStep]:
    """Open steps due before `on`: one query."""
    return open_next_steps(child_ids).filter(due_on__lt=on)
