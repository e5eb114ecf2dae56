"""Reads for the toolkit pages."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.core.paginator import Page
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet, Value
from django.urls import reverse

from cases.models import Child, CINPlanReview, CPReview, Involvement
from cases.selectors import RowsPart, case_flags, neglect_plan_child_ids, rows_in_one_query
from neglect_portal import access
from neglect_portal.models import User
from neglect_portal.pagination import OneQueryPaginator

from .models import (
    CHRONOLOGY_KIND,
    TOOL_KIND_CHOICES,
    Chronology,
    NextStep,
    Oversight,
    SDQNeed,
    Tool,
    ToolInformed,
)
from .status import State, ToolStatus, status_parts, statuses_from, tool_statuses
from .tool_dates import most_urgent_first
from .tool_kinds import TOOL_KINDS

CASELOAD_PAGE_SIZE = 25


def caseload(user: User, *, on: date) -> QuerySet[Child]:
    """Children on a neglect plan that the user is responsible for, among those they may see:
    a practitioner's allocated children and those they lead on for their agency; for a team
    manager, every child their agency is working with."""
    involvements = Involvement.objects.open_on(on)
    visible = access.children_visible_to(user, on=on)
    if user.is_team_manager:
        # Started from the children on neglect plans, each probed for an open involvement of
        # the agency (indexed): an agency works with thousands of children, and hashing its
        # open involvements against every child took 120 of 170 ms at 100,000 children.
        ours = Exists(involvements.filter(agency_id=user.agency_id, child=OuterRef("pk")))
        on_plan = visible.filter(pk__in=neglect_plan_child_ids(on))
        return on_plan.filter(Q(allocated_worker=user) | ours)
    # Started from the caseload's ids (allocations and involvements, both indexed): tested
    # child by child, PostgreSQL walked the whole name index to find a caseload's few children
    # (issue 16: 450 ms at 100,000 children). Each is then probed for a neglect plan
    # (case_flags): against the whole set of plans PostgreSQL costed the hashed sets once per
    # child and compiled the query (JIT, 25 of 34 ms).
    ids = (
        Child.objects.filter(allocated_worker=user)
        .values("pk")
        .order_by()
        .union(involvements.filter(lead_worker=user).values("child_id").order_by())
    )
    return visible.filter(pk__in=ids).filter(case_flags(on=on)["on_neglect_plan"])


def caseload_page(user: User, *, on: date, number: str | int | None) -> Page:
    """Page `number` of the caseload, children with overdue tools first, as (child, tool
    statuses): ordered by the stored dates (toolkit.tool_dates), so only the page's children
    are read in full, however many the caseload holds, and counted in the same query."""
    children = caseload(user, on=on).only("pk", "la_child_id", "given_name", "family_name")
    page = OneQueryPaginator(most_urgent_first(children, on), CASELOAD_PAGE_SIZE).get_page(number)
    statuses = tool_statuses([child.pk for child in page], on)
    rows = [(child, statuses[child.pk]) for child in page]
    page.object_list = rows  # the page's children with statuses
    return page


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


def _tool_parts(child: Child) -> list[RowsPart]:
    """Every tool started for the child, for rows_in_one_query(); _tools_from() reads them."""
    return [
        RowsPart(
            "tools",
            kind.model._default_manager.filter(child=child),
            {
                "kind": Value(slug),
                "pk": F("pk"),
                "started_on": F("started_on"),
                "completed_on": F("completed_on"),
                "first": F("author__first_name"),
                "last": F("author__last_name"),
                "username": F("author__username"),
            },
        )
        for slug, kind in TOOL_KINDS.items()
    ]


def _tools_from(rows: list[dict[str, Any]]) -> list[ToolSummary]:
    summaries = [
        ToolSummary(
            kind=row["kind"],
            name=TOOL_KINDS[row["kind"]].name,
            pk=row["pk"],
            started_on=row["started_on"],
            completed_on=row["completed_on"],
            author=f"{row['first']} {row['last']}".strip() or row["username"],
        )
        for row in rows
    ]
    # Newest first; tools started the same day in the toolkit's own order, since their ids
    # come from different tables and say nothing about which was started first.
    order = {slug: n for n, slug in enumerate(TOOL_KINDS)}
    return sorted(
        summaries, key=lambda tool: (-tool.started_on.toordinal(), order[tool.kind], -tool.pk)
    )


def tools_for_child(child: Child) -> list[ToolSummary]:
    """Every tool started for the child, newest first, in one query."""
    return _tools_from(rows_in_one_query(_tool_parts(child))["tools"])


def sdq_needs_open(child_ids: Iterable[int] | QuerySet) -> list[SDQNeed]:
    """The children's SDQ needs (their ids, or a subquery of them) that no completed SDQ has
    met yet, oldest first, with who recorded each: one query, however many children (the tool
    status panel, My tasks)."""
    ids = child_ids if isinstance(child_ids, QuerySet) else list(child_ids)
    return list(
        SDQNeed.objects.filter(child_id__in=ids, met_on__isnull=True)
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


# Management oversight ----------------------------------------------------------------------


def _overseen(kind: str) -> Exists:
    """Oversight of the completion a tool (or chronology) row stands at now."""
    return Exists(
        Oversight.objects.filter(
            tool_kind=kind, tool_id=OuterRef("pk"), tool_version=OuterRef("version")
        )
    )


def oversight_of(kind: str, tool: Model) -> list[Oversight]:
    """Every comment on the tool, newest first, with who made it: one query."""
    return list(
        Oversight.objects.filter(tool_kind=kind, tool_id=tool.pk).select_related(
            "manager", "manager_agency"
        )
    )


def awaits_oversight(tool: Any, comments: list[Oversight]) -> bool:
    """Completed (or reviewed) and no comment yet on this completion."""
    return tool.ready_for_oversight and not any(c.tool_version == tool.version for c in comments)


# The filters that say which rows are ready for oversight: Tool.ready_for_oversight and
# Chronology.ready_for_oversight, which neglect_portal.access.can_record_oversight reads, as
# SQL. A chronology marked reviewed with no reviewer recorded cannot be overseen (there is no
# practitioner whose work it is), so nothing may say it awaits oversight.
_TOOL_READY_FOR_OVERSIGHT = Q(status=Tool.Status.COMPLETED)
_CHRONOLOGY_READY_FOR_OVERSIGHT = Q(reviewed_on__isnull=False, reviewed_by__isnull=False)


def _awaiting_parts(child: Child) -> list[RowsPart]:
    """awaiting_oversight_of_child()'s rows, for rows_in_one_query()."""
    parts = [
        RowsPart(
            "awaiting",
            kind.model._default_manager.filter(_TOOL_READY_FOR_OVERSIGHT, child=child).filter(
                ~_overseen(slug)
            ),
            {"kind": Value(slug), "pk": F("pk")},
        )
        for slug, kind in TOOL_KINDS.items()
    ]
    parts.append(
        RowsPart(
            "awaiting",
            Chronology.objects.filter(_CHRONOLOGY_READY_FOR_OVERSIGHT, child=child).filter(
                ~_overseen(CHRONOLOGY_KIND)
            ),
            {"kind": Value(CHRONOLOGY_KIND), "pk": F("pk")},
        )
    )
    return parts


def _awaiting_from(rows: list[dict[str, Any]]) -> set[str]:
    return {f"{row['kind']}:{row['pk']}" for row in rows}


def awaiting_oversight_of_child(child: Child) -> set[str]:
    """The "<kind>:<id>" of the child's completed tools, and of its chronology once reviewed
    (by someone recorded), with no oversight of their latest completion (or review): one
    query."""
    return _awaiting_from(rows_in_one_query(_awaiting_parts(child))["awaiting"])


@dataclass(frozen=True)
class AwaitingOversight:
    """A completed tool or chronology review waiting for a team manager's oversight."""

    kind: str
    name: str
    pk: int
    child_id: int
    child: str
    completed_on: date
    author: str
    author_id: int

    @property
    def url(self) -> str:
        if self.kind == CHRONOLOGY_KIND:
            return reverse("toolkit:chronology", args=[self.child_id])
        return reverse("toolkit:tool", args=[self.kind, self.pk])


_AWAITING_COLUMNS = (
    *("kind", "pk", "child_id", "done_on", "given", "family"),
    *("la_id", "by_id", "first", "last", "username"),
)


def _awaiting_part(
    manager: User,
    rows: QuerySet,
    kind: str,
    *,
    by: str,
    done: str,
    since: date | None,
    authors: Collection[int] | None,
) -> QuerySet:
    """One kind's completed work (a tool's author, a chronology's reviewer: `by`, dated by
    `done`) by others of the manager's agency, unoverseen, in the UNION's columns."""
    rows = rows.exclude(**{by: manager})
    if since is not None:
        rows = rows.filter(**{f"{done}__gte": since})
    if authors is not None:
        rows = rows.filter(**{f"{by}_id__in": authors})
    return (
        access.records_visible_to(manager, rows)
        .filter(~_overseen(kind))
        .annotate(
            kind=Value(kind),
            done_on=F(done),
            by_id=F(f"{by}_id"),
            first=F(f"{by}__first_name"),
            last=F(f"{by}__last_name"),
            username=F(f"{by}__username"),
            given=F("child__given_name"),
            family=F("child__family_name"),
            la_id=F("child__la_child_id"),
        )
        .values_list(*_AWAITING_COLUMNS)
        .order_by()
    )


def awaiting_oversight_for(
    manager: User, *, since: date | None = None, authors: Collection[int] | None = None
) -> list[AwaitingOversight]:
    """What `manager` may oversee and nobody has yet, oldest first: tools completed (and
    chronologies reviewed) by other practitioners of their agency (by `authors` alone, if
    given), for children they may see, since `since` if given. One UNION query, whatever the
    number of tools."""
    if not manager.is_team_manager:
        return []
    parts = [
        _awaiting_part(
            manager,
            kind.model._default_manager.filter(
                _TOOL_READY_FOR_OVERSIGHT, author_agency_id=manager.agency_id
            ),
            slug,
            by="author",
            done="completed_on",
            since=since,
            authors=authors,
        )
        for slug, kind in TOOL_KINDS.items()
    ]
    reviews = Chronology.objects.filter(
        _CHRONOLOGY_READY_FOR_OVERSIGHT, reviewed_by_agency_id=manager.agency_id
    )
    parts.append(
        _awaiting_part(
            manager,
            reviews,
            CHRONOLOGY_KIND,
            by="reviewed_by",
            done="reviewed_on",
            since=since,
            authors=authors,
        )
    )
    names = dict(TOOL_KIND_CHOICES)
    found = parts[0].union(*parts[1:], all=True)
    rows = [
        AwaitingOversight(
            kind=kind,
            name=names[kind],
            pk=pk,
            child_id=child_id,
            child=f"{given} {family}".strip() or la_id,
            completed_on=done_on,
            author=f"{first} {last}".strip() or username,
            author_id=by_id,
        )
        for kind, pk, child_id, done_on, given, family, la_id, by_id, first, last, username in found
    ]
    return sorted(rows, key=lambda row: (row.completed_on, row.kind, row.pk))


# The tools that informed the latest review ---------------------------------------------

# The mandatory tools of toolkit.status by the kinds ToolInformed records.
_STATUS_KINDS = {
    "chronology": CHRONOLOGY_KIND,
    "day_in_my_life": "day",
    "checklist": "checklist",
    "observation": "observation",
}


@dataclass(frozen=True)
class InformedLatest:
    label: str
    informed: bool
    # Completed after the review, so it could not have informed it.
    since: bool


@dataclass(frozen=True)
class LatestReview:
    name: str
    review_date: date
    url: str
    tools: list[InformedLatest]


def _latest_review(reviews: Iterable[CPReview | CINPlanReview]) -> CPReview | CINPlanReview | None:
    """The latest CP review, or the latest CIN plan review if later."""
    reviews = list(reviews)
    latest = [
        max(group, key=lambda r: (r.review_date, r.pk))
        for group in (
            [r for r in reviews if isinstance(r, CPReview)],
            [r for r in reviews if isinstance(r, CINPlanReview)],
        )
        if group
    ]
    return (
        cast(CPReview | CINPlanReview, max(latest, key=lambda r: r.review_date)) if latest else None
    )


def _informed_part(review: CPReview | CINPlanReview) -> RowsPart:
    """The (tool kind, completion date) that informed the review, for rows_in_one_query()."""
    field = "cp_review" if isinstance(review, CPReview) else "cin_review"
    return RowsPart(
        "informed",
        ToolInformed.objects.filter(**{field: review}),
        {"tool_kind": F("tool_kind"), "completed_on": F("completed_on")},
    )


def latest_review_informed(child: Child, statuses: list[ToolStatus]) -> LatestReview | None:
    """The child's latest CP or CIN plan review and, for each mandatory tool current today,
    whether its latest completion informed it: three queries (none without current tools)."""
    if not any(s.state in (State.CURRENT, State.DUE_SOON) for s in statuses):
        return None
    review = _latest_review(
        [
            *CPReview.objects.filter(plan__child=child),
            *CINPlanReview.objects.filter(plan__child=child),
        ]
    )
    if review is None:
        return None
    rows = rows_in_one_query([_informed_part(review)])["informed"]
    return _review_informed(review, _links_from(rows), statuses)


def _links_from(rows: list[dict[str, Any]]) -> set[tuple[str, date]]:
    return {(row["tool_kind"], row["completed_on"]) for row in rows}


def _review_informed(
    review: CPReview | CINPlanReview, links: set[tuple[str, date]], statuses: list[ToolStatus]
) -> LatestReview | None:
    """`review` and whether each current tool's latest completion informed it, from the
    (tool kind, completion date) the review was informed by."""
    current = [s for s in statuses if s.state in (State.CURRENT, State.DUE_SOON)]
    if not current:
        return None
    kind, name = (
        ("cp-review", "Child protection review")
        if isinstance(review, CPReview)
        else ("cin-review", "Child in need plan review")
    )
    return LatestReview(
        name=name,
        review_date=review.review_date,
        url=reverse("cases:review", args=[kind, review.pk]),
        tools=[
            InformedLatest(
                label=status.label,
                informed=(_STATUS_KINDS[status.tool], status.last_completed) in links,
                since=status.last_completed is not None
                and status.last_completed > review.review_date,
            )
            for status in current
        ],
    )


# The child page's panel in one query -------------------------------------------------------


@dataclass(frozen=True)
class ChildPanel:
    """What the toolkit's panel on the child page reads, from child_panel()."""

    statuses: list[ToolStatus]
    tools: list[ToolSummary]
    awaiting_oversight: set[str]
    latest_review: LatestReview | None


def child_panel(
    child: Child, *, on: date, neglect_plan: bool, reviews: Iterable[CPReview | CINPlanReview]
) -> ChildPanel:
    """The panel's tool status (for a child on a neglect plan), every tool started, those
    awaiting oversight and whether the current tools informed the latest of `reviews` (the
    child's CP and CIN plan reviews, which the child page has read already): what
    tool_statuses(), tools_for_child(), awaiting_oversight_of_child() and
    latest_review_informed() answer, from the same parts, in one UNION query rather than one
    or more each."""
    review = _latest_review(reviews)
    parts = [*_tool_parts(child), *_awaiting_parts(child)]
    if neglect_plan:
        parts += status_parts([child.pk], on)
    if review is not None:
        parts.append(_informed_part(review))
    rows = rows_in_one_query(parts)
    statuses = statuses_from(rows, [child.pk], on)[child.pk] if neglect_plan else []
    return ChildPanel(
        statuses=statuses,
        tools=_tools_from(rows["tools"]),
        awaiting_oversight=_awaiting_from(rows["awaiting"]),
        latest_review=_review_informed(review, _links_from(rows["informed"]), statuses)
        if review is not None
        else None,
    )
