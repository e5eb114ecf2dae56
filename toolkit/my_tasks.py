"""*My tasks*: what each worker has to do next for their children, overdue first.

A worker's children are those allocated to them and those they lead on for their agency (an
open involvement with them as lead worker), as on *My children*. A team manager reads the same
for every worker they oversee, and a caseload line per worker. Each source reads every
worker's children at once, so the page costs the same queries for one worker or a team, for
five children or five hundred.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import timezone

from cases.models import Child, Involvement
from cases.selectors import case_flags, open_cp_plans
from neglect_portal import access
from neglect_portal.dates import long_date
from neglect_portal.models import Team, User

from . import tool_dates
from .models import CHRONOLOGY_KIND, NextStep, Tool
from .selectors import AwaitingOversight, awaiting_oversight_for, sdq_needs_open
from .status import (
    CURRENT_FOR,
    DUE_SOON_WITHIN,
    MANDATORY_TOOLS,
    State,
    ToolStatus,
    state_on,
)
from .tool_kinds import TOOL_KINDS

# Working Together to Safeguard Children: the first review conference within 3 months of the
# plan's start, then no more than 6 months apart. A review shows from 14 days before it is due.
FIRST_REVIEW_WITHIN = relativedelta(months=3)
REVIEWS_EVERY = relativedelta(months=6)
REVIEW_SHOWN_FROM = timedelta(days=14)
# A draft nobody has saved for this long has probably been forgotten.
DRAFT_UNTOUCHED_FOR = timedelta(days=14)
# A next step shows from this long before it is due.
STEP_SHOWN_FROM = timedelta(days=14)
# A manager's oversight tasks: the tools completed in this time. Older ones still count in
# MANAGER_OVERSIGHT, but a list of every one ever missed would bury this week's work.
OVERSIGHT_SHOWN_FOR = timedelta(days=90)
REOPEN_REASON_SHOWN = 80
# The most children of a caseload asked about by their ids (_linked_ids).
FEW_CHILDREN = 500


class Kind(models.TextChoices):
    TOOL = "tool", "Mandatory tool"
    SDQ_NEEDED = "sdq_needed", "SDQ needed"
    NEXT_STEP = "next_step", "Next step"
    CP_REVIEW = "cp_review", "Child protection review"
    REOPENED = "reopened", "Tool reopened"
    DRAFT = "draft", "Draft not touched"
    OVERSIGHT = "oversight", "Awaiting your oversight"


@dataclass(frozen=True)
class Task:
    kind: Kind
    what: str
    worker_id: int
    child: Child
    # None for what was never done (a mandatory tool never completed): it is due now.
    due: date | None
    overdue: bool
    # The link to act, as a URL name and its arguments: reversed only for the rows a page
    # shows, since reversing one for each of a caseload's hundreds of tasks cost more than the
    # queries did (bench/my_tasks.py).
    link: tuple[str, tuple]
    action: str
    anchor: str = ""

    @property
    def url(self) -> str:
        name, args = self.link
        return reverse(name, args=args) + self.anchor

    def sort_key(self) -> tuple:
        return (not self.overdue, self.due or date.min, self.worker_id, self.child.pk, self.what)


@dataclass
class WorkerLoad:
    """One worker's line on a team manager's caseload view."""

    worker: User
    children: int = 0
    on_cp_plan: int = 0
    on_cin_plan: int = 0
    overdue_tools: int = 0
    overdue_reviews: int = 0
    oldest_untouched_draft: date | None = None


@dataclass
class Workload:
    tasks: list[Task]
    loads: list[WorkerLoad] = field(default_factory=list)


def team_workers(manager: User) -> QuerySet[User]:
    """The workers a team manager may oversee: the active practitioners and team managers of
    their agency, the manager included, with their teams."""
    return (
        User.objects.filter(
            agency_id=manager.agency_id,
            is_active=True,
            role__in=[User.Role.PRACTITIONER, User.Role.TEAM_MANAGER],
        )
        .select_related("agency", "team")
        .order_by("last_name", "first_name", "username")
    )


def worker_teams(manager: User) -> list[Team]:
    """The teams of the workers a team manager may oversee, by name: read apart from the
    workers, since reading all 2,008 of an agency's workers for a team of eight took 35 ms
    (500,000 children), the teams and the team 4."""
    workers = team_workers(manager).order_by().values("team_id")
    return list(Team.objects.filter(pk__in=workers).order_by("name", "pk"))


def workers_of_team(manager: User, team_id: int | None) -> list[User]:
    """The workers a team manager may oversee in the team, or in every team for None."""
    workers = team_workers(manager)
    return list(workers if team_id is None else workers.filter(team_id=team_id))


def own_team(manager: User) -> list[User]:
    """The workers of the manager's own team (all of them when the manager has no team): what
    their tasks page and their digest show unless they choose otherwise."""
    return workers_of_team(manager, manager.team_id)


def workload(workers: Sequence[User], *, viewer: User, on: date) -> Workload:
    """Every task of `workers` on `on` among the children `viewer` may see, overdue first,
    and each worker's caseload line."""
    ids = [worker.pk for worker in workers]
    if not ids:
        return Workload([])
    links = list(_caseload_links(ids, on))
    linked = _linked_ids(links, ids, on)
    drafts = _drafts(ids, viewer)
    steps = _steps_due(ids, viewer, on)
    awaiting = _awaiting(viewer, ids, on)
    wanted = {draft["child_id"] for draft in drafts} | {step["child_id"] for step in steps}
    wanted |= {row.child_id for row in awaiting}
    children, workers_of = _children(linked, links, wanted, viewer, on)
    tasks = [
        *_tool_tasks(children, workers_of, on),
        *_sdq_tasks(linked, children, workers_of),
        *_step_tasks(steps, children, on),
        *_review_tasks(children, workers_of, on, _keep_the_record(workers)),
        *_draft_tasks(drafts, children, on),
        *_oversight_tasks(awaiting, children, viewer, ids),
    ]
    tasks.sort(key=Task.sort_key)
    return Workload(tasks, _loads(workers, children, workers_of, tasks, drafts))


def worker_loads(workers: Sequence[User], *, viewer: User, on: date) -> list[WorkerLoad]:
    """Each worker's caseload line, as workload() gives it, from only what the lines count:
    their children, overdue tools and reviews, and drafts (no next steps, SDQs or oversight)."""
    ids = [worker.pk for worker in workers]
    if not ids:
        return []
    drafts = _drafts(ids, viewer)
    links = list(_caseload_links(ids, on))
    children, workers_of = _children(_linked_ids(links, ids, on), links, set(), viewer, on)
    counted = [
        *_tool_tasks(children, workers_of, on),
        *_review_tasks(children, workers_of, on, set()),
    ]
    return _loads(workers, children, workers_of, counted, drafts)


def _children(
    linked: list[int] | QuerySet,
    links: list[tuple[int, int]],
    wanted: set[int],
    viewer: User,
    on: date,
) -> tuple[dict[int, Child], dict[int, set[int]]]:
    """The children of `links` (whose ids `linked` gives, _linked_ids) and `wanted` that
    `viewer` may see, with their plans and stored tool dates, and the workers of each linked
    one."""
    others = wanted - {child_id for child_id, _ in links}
    visible = access.children_visible_to(viewer, on=on)
    if isinstance(linked, list):
        # A team's few hundred: probed by id, flagged from their own plans alone (the only
        # ones whose tasks need the flags).
        flagged = visible.filter(pk__in=[*linked, *others]).annotate(
            **case_flags(on=on, among=linked)
        )
    else:
        # An agency's thousands: one set of ids (a UNION) joined to the children, flagged
        # against the whole sets of plans, which PostgreSQL hashes once. Asked as "in the
        # linked or in the others", it tested every child against both (a team's 386 among
        # 500,000: 287 ms, not 59); flagged from their own plans, 16,191 children among
        # 100,000 took 200 ms, not 110.
        if others:
            linked = linked.union(Child.objects.filter(pk__in=others).values("pk").order_by())
        flagged = visible.filter(pk__in=linked).annotate(**case_flags(on=on))
    children = {
        child.pk: child
        for child in tool_dates.with_stored_dates(flagged)
        .only("pk", "la_child_id", "given_name", "family_name")
        .order_by()
    }
    workers_of: dict[int, set[int]] = defaultdict(set)
    for child_id, worker_id in links:
        if child_id in children:
            workers_of[child_id].add(worker_id)
    return children, workers_of


def _linked_ids(
    links: list[tuple[int, int]], worker_ids: list[int], on: date
) -> list[int] | QuerySet:
    """The ids of the children of `links`, to ask other tables about them: a team's few hundred
    as a list, which PostgreSQL probes its indexes with (at 500,000 children a team's 386 were
    read with their flags in 26 ms so, 79 as a subquery, whose set it hashed against every
    child and every open plan); more as a subquery, since the list grows costly to build into
    the queries and to plan (at 100,000 children, 1,964 children took 106 ms as a list and 48
    as a subquery, 16,191 took 859 and 239)."""
    if len(links) <= FEW_CHILDREN:
        return sorted({child_id for child_id, _ in links})
    return _caseload_links(worker_ids, on, ids_only=True)


def _caseload_links(worker_ids: list[int], on: date, *, ids_only: bool = False) -> QuerySet:
    """(child id, worker id) for each child allocated to a worker or led on by them (the
    child's id alone when `ids_only`): from the allocations and lead involvements (both
    indexed), never the whole children table."""
    allocated = Child.objects.filter(allocated_worker_id__in=worker_ids)
    led = Involvement.objects.open_on(on).filter(lead_worker_id__in=worker_ids)
    if ids_only:
        return allocated.values("pk").order_by().union(led.values("child_id").order_by())
    return (
        allocated.values_list("pk", "allocated_worker_id")
        .order_by()
        .union(led.values_list("child_id", "lead_worker_id").order_by())
    )


def _drafts(worker_ids: list[int], viewer: User) -> list[dict]:
    """The workers' drafts of every kind, with when each was last saved: one UNION query."""
    visible = access.children_visible_to(viewer).values("pk")
    parts = []
    for slug, kind in TOOL_KINDS.items():
        history = kind.model.history.model  # type: ignore[attr-defined]
        # The latest save as an aggregate of the tool's own history rows (indexed by id):
        # asked as the newest row (ORDER BY, LIMIT 1), PostgreSQL walked the whole table's
        # history backwards by date for each draft (3 ms a draft at 100,000 children).
        touched = (
            history.objects.filter(id=OuterRef("pk"))
            .order_by()
            .values("id")
            .annotate(latest=Max("history_date"))
            .values("latest")
        )
        parts.append(
            kind.model._default_manager.filter(
                author_id__in=worker_ids, status=Tool.Status.DRAFT, child_id__in=visible
            )
            .annotate(
                kind=Value(slug),
                touched=Subquery(touched),
                worker_id=F("author_id"),
                by_first=F("reopened_by__first_name"),
                by_last=F("reopened_by__last_name"),
            )
            .values(
                "kind",
                "pk",
                "child_id",
                "worker_id",
                "reopen_reason",
                "reopened_on",
                "by_first",
                "by_last",
                "touched",
            )
            .order_by()
        )
    rows = parts[0].union(*parts[1:], all=True)
    return [
        {**row, "touched": row["touched"] and timezone.localdate(row["touched"])} for row in rows
    ]


_TOOL_STATE_WORDS = {
    State.NEVER: "never completed",
    State.OVERDUE: "overdue",
    State.DUE_SOON: "due soon",
}


def _tool_tasks(children: dict[int, Child], workers_of, on: date):
    on_plan = [child for child in children.values() if child.on_neglect_plan]
    # Completed after this (and by `on`), a tool is current and not yet due soon either: most
    # are, and testing that with one date spares state_on's month arithmetic for each of a
    # caseload's hundreds of tools.
    current_after = on + DUE_SOON_WITHIN - CURRENT_FOR
    for child_id, latest in tool_dates.latest_up_to(on_plan, on).items():
        child = children[child_id]
        for tool, label in MANDATORY_TOOLS.items():
            completed = latest[tool]
            if completed is not None and current_after < completed <= on:
                continue
            status = ToolStatus(tool, label, completed, state_on(completed, on))
            if status.state == State.CURRENT:
                continue
            due = (
                None
                if status.last_completed is None
                else status.last_completed + relativedelta(months=6)
            )
            if status.tool == "chronology":
                url, action = ("toolkit:chronology", (child_id,)), "Open the chronology"
            else:
                url, action = ("cases:child_detail", (child_id,)), "Open the child"
            for worker_id in sorted(workers_of[child_id]):
                yield Task(
                    Kind.TOOL,
                    f"{status.label}: {_TOOL_STATE_WORDS[status.state]}",
                    worker_id,
                    child,
                    due,
                    status.state != State.DUE_SOON,
                    url,
                    action,
                )


def review_due(start: date, latest_review: date | None) -> date:
    """When a CP plan's next review is due: 3 months after its start, then 6 after the last."""
    if latest_review is None:
        return start + FIRST_REVIEW_WITHIN
    return latest_review + REVIEWS_EVERY


def _keep_the_record(workers: Sequence[User]) -> set[int]:
    """The workers who record reviews (children's social care); a partner's link opens the
    plan instead."""
    return {worker.pk for worker in workers if access.can_change_case_records(worker)}


def _review_tasks(children: dict[int, Child], workers_of, on: date, recorders: set[int]):
    plans = (
        open_cp_plans(on)
        .filter(child_id__in=[pk for pk, child in children.items() if child.on_cp_plan])
        .annotate(latest=Max("reviews__review_date", filter=Q(reviews__review_date__lte=on)))
        .values_list("pk", "child_id", "start_date", "latest")
        .order_by()
    )
    for plan_id, child_id, start, latest in plans:
        due = review_due(start, latest)
        if due > on + REVIEW_SHOWN_FROM:
            continue
        what = "First child protection review" if latest is None else "Child protection review"
        for worker_id in sorted(workers_of[child_id]):
            yield Task(
                Kind.CP_REVIEW,
                f"{what}: {'overdue' if due < on else 'due'}",
                worker_id,
                children[child_id],
                due,
                due < on,
                ("cases:cp_review_add", (plan_id,))
                if worker_id in recorders
                else ("cases:plan", ("cp-plan", plan_id)),
                "Record the review" if worker_id in recorders else "Open the plan",
            )


def _draft_tasks(drafts: list[dict], children: dict[int, Child], on: date):
    for draft in drafts:
        child = children.get(draft["child_id"])
        if child is None:
            continue
        name = TOOL_KINDS[draft["kind"]].name
        url = ("toolkit:tool", (draft["kind"], draft["pk"]))
        touched = draft["touched"] or on
        if draft["reopened_on"] is not None:
            reason = draft["reopen_reason"]
            if len(reason) > REOPEN_REASON_SHOWN:
                reason = reason[: REOPEN_REASON_SHOWN - 1] + "…"
            by = f"{draft['by_first'] or ''} {draft['by_last'] or ''}".strip() or "a team manager"
            what = f"{name} reopened by {by}: {reason}"
            yield Task(
                Kind.REOPENED,
                what,
                draft["worker_id"],
                child,
                draft["reopened_on"],
                False,
                url,
                "Open it",
            )
        elif touched <= on - DRAFT_UNTOUCHED_FOR:
            yield Task(
                Kind.DRAFT,
                f"{name}: draft not saved since {long_date(touched)}",
                draft["worker_id"],
                child,
                touched + DRAFT_UNTOUCHED_FOR,
                False,
                url,
                "Carry on",
            )


def _sdq_tasks(linked: list[int] | QuerySet, children: dict[int, Child], workers_of):
    for need in sdq_needs_open(linked):
        if need.child_id not in children:
            continue  # a linked child the viewer may not see
        url = ("cases:child_detail", (need.child_id,))
        for worker_id in sorted(workers_of[need.child_id]):
            yield Task(
                Kind.SDQ_NEEDED,
                f"SDQ needed since {long_date(need.recorded_on)}",
                worker_id,
                children[need.child_id],
                need.recorded_on,
                False,
                url,
                "Start the SDQ",
            )


def _steps_due(worker_ids: list[int], viewer: User, on: date) -> list[dict]:
    """The workers' open next steps (of completed analyses) due within 14 days or overdue,
    of children the viewer may see: one query."""
    return list(
        NextStep.objects.filter(
            owner_id__in=worker_ids,
            status=NextStep.Status.OPEN,
            analysis__status=Tool.Status.COMPLETED,
            due_on__lte=on + STEP_SHOWN_FROM,
            analysis__child_id__in=access.children_visible_to(viewer).values("pk"),
        )
        .annotate(child_id=F("analysis__child_id"))
        .values("pk", "analysis_id", "child_id", "owner_id", "position", "due_on")
        .order_by()
    )


def _step_tasks(steps: list[dict], children: dict[int, Child], on: date):
    for step in steps:
        child = children.get(step["child_id"])
        if child is None:
            continue
        overdue = step["due_on"] < on
        yield Task(
            Kind.NEXT_STEP,
            f"Next step {step['position']}: {'overdue' if overdue else 'due'}",
            step["owner_id"],
            child,
            step["due_on"],
            overdue,
            ("toolkit:tool", ("next-steps", step["analysis_id"])),
            "Update it",
            f"#next-step-{step['pk']}",
        )


def _awaiting(viewer: User, worker_ids: list[int], on: date) -> list[AwaitingOversight]:
    """What awaits the viewer's oversight among the work of the workers shown: their team's by
    default, one worker's, another team's or the whole agency's as the manager chooses."""
    if not viewer.is_team_manager:
        return []
    return awaiting_oversight_for(viewer, since=on - OVERSIGHT_SHOWN_FOR, authors=worker_ids)


def _oversight_tasks(awaiting, children: dict[int, Child], manager: User, worker_ids: list[int]):
    for row in awaiting:
        child = children.get(row.child_id)
        if child is None:
            continue
        yield Task(
            Kind.OVERSIGHT,
            f"{row.name} by {row.author}: awaiting your oversight",
            # The manager's own task; shown against its author when the manager is not listed.
            manager.pk if manager.pk in worker_ids else row.author_id,
            child,
            row.completed_on,
            False,
            (
                ("toolkit:chronology", (row.child_id,))
                if row.kind == CHRONOLOGY_KIND
                else ("toolkit:tool", (row.kind, row.pk))
            ),
            "Record oversight",
        )


def _loads(workers, children, workers_of, tasks, drafts) -> list[WorkerLoad]:
    loads = {worker.pk: WorkerLoad(worker) for worker in workers}
    for child_id, worker_ids in workers_of.items():
        child = children[child_id]
        for worker_id in worker_ids:
            load = loads[worker_id]
            load.children += 1
            load.on_cp_plan += child.on_cp_plan
            load.on_cin_plan += child.on_cin_plan
    for task in tasks:
        load = loads[task.worker_id]
        load.overdue_tools += task.kind == Kind.TOOL and task.overdue
        load.overdue_reviews += task.kind == Kind.CP_REVIEW and task.overdue
    for draft in drafts:
        load, touched = loads[draft["worker_id"]], draft["touched"]
        if touched is not None:
            load.oldest_untouched_draft = min(touched, load.oldest_untouched_draft or touched)
    return list(loads.values())
