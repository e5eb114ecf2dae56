"""Reads for the action plan pages. Every plan lookup starts from `plans_visible_to`."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from neglect_portal import access, dates
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter

from .models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Challenge,
    Decision,
    Meeting,
    Objective,
    QuarterlyReport,
    Rag,
)


def plans_visible_to(user: User) -> QuerySet[ActionPlan]:
    # distinct(): an owner of several actions in one plan would otherwise see it twice.
    return (
        ActionPlan.objects.filter(access.action_plans_visible_q(user))
        .distinct()
        .select_related("agency")
    )


def plan_or_404(user: User, pk: int) -> ActionPlan:
    """The plan, if the user may see it; 404 otherwise, so an outsider learns nothing."""
    return get_object_or_404(plans_visible_to(user), pk=pk)


def actions_visible_to(user: User) -> QuerySet[Action]:
    """Actions of the plans the user may see, with their plan and its agency."""
    return Action.objects.filter(plan__in=plans_visible_to(user).values("pk")).select_related(
        "plan__agency"
    )


def current_plan_of(agency: Agency) -> ActionPlan | None:
    """The agency's active plan, else its newest draft."""
    return (
        ActionPlan.objects.filter(agency=agency, status__in=["active", "draft"])
        .order_by("status", "-period_start")
        .first()
    )


def submitted_updates() -> QuerySet[ActionUpdate]:
    """Ratings in quarters the agency has submitted: the published position."""
    return ActionUpdate.objects.filter(
        Exists(
            QuarterlyReport.objects.filter(
                plan_id=OuterRef("action__plan_id"),
                quarter=OuterRef("quarter"),
                status=QuarterlyReport.Status.SUBMITTED,
            )
        )
    )


def latest_submitted_ratings(
    *, up_to: Quarter | None = None, before: Quarter | None = None
) -> QuerySet[ActionUpdate]:
    """For an Action subquery (OuterRef "pk"): its submitted ratings, latest quarter first,
    up to and including `up_to` or only those before `before`."""
    updates = submitted_updates().filter(action_id=OuterRef("pk")).exclude(rag="")
    if up_to is not None:
        updates = updates.filter(quarter__lte=up_to.slug)
    if before is not None:
        updates = updates.filter(quarter__lt=before.slug)
    return updates.order_by("-quarter")


def latest_submitted_rag(*, up_to: Quarter | None = None) -> Subquery:
    """An action's rating in the latest quarter its agency submitted (up to `up_to`)."""
    return Subquery(latest_submitted_ratings(up_to=up_to).values("rag")[:1])


class LastRating(NamedTuple):
    rag: str
    quarter: str  # Quarter.slug

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label


def previous_ratings(plan: ActionPlan, quarter: Quarter) -> dict[int, LastRating]:
    """action id → its latest rating submitted in any quarter before this one: the yardstick
    for a change. Not just the quarter before, which may never have been submitted. One query.
    """
    latest = latest_submitted_ratings(before=quarter)
    rows = (
        plan.actions.annotate(
            last_rag=Subquery(latest.values("rag")[:1]),
            last_quarter=Subquery(latest.values("quarter")[:1]),
        )
        .filter(last_rag__isnull=False)
        .values_list("pk", "last_rag", "last_quarter")
    )
    return {pk: LastRating(rag, slug) for pk, rag, slug in rows}


def with_overdue(
    actions: QuerySet[Action], *, on: date, up_to: Quarter | None = None
) -> QuerySet[Any]:
    """Annotates `overdue`: past its due date on `on` and its latest submitted rating is not
    complete. The one definition, so the plan page and the overview cannot disagree (an
    action rated complete and then red again is overdue on both)."""
    return actions.annotate(latest_submitted_rag=latest_submitted_rag(up_to=up_to)).annotate(
        overdue=Case(
            When(
                Q(due_date__lt=on)
                & (Q(latest_submitted_rag__isnull=True) | ~Q(latest_submitted_rag=Rag.COMPLETE)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def rag_history(plan: ActionPlan) -> dict[int, dict[str, ActionUpdate]]:
    """action id → {quarter slug → submitted update}, in one query."""
    history: dict[int, dict[str, ActionUpdate]] = defaultdict(dict)
    for update in submitted_updates().filter(action__plan=plan).exclude(rag=""):
        history[update.action_id][update.quarter] = update
    return history


@dataclass
class ActionRow:
    action: Action
    latest: ActionUpdate | None
    history: dict
    overdue: bool


@dataclass
class ObjectiveGroup:
    value: str
    label: str
    rows: list = field(default_factory=list)


def plan_actions_by_objective(plan: ActionPlan, *, on: date | None = None) -> list[ObjectiveGroup]:
    """Every action under its objective with its latest published RAG. Two queries."""
    history = rag_history(plan)
    groups = {value: ObjectiveGroup(value, label) for value, label in Objective.choices}
    for action in with_overdue(plan.actions.select_related("owner"), on=on or dates.today()):
        by_quarter = history.get(action.pk, {})
        latest = by_quarter[max(by_quarter)] if by_quarter else None
        overdue = action.overdue  # annotated by with_overdue
        groups[action.objective].rows.append(ActionRow(action, latest, by_quarter, overdue))
    return list(groups.values())


def reports_by_quarter(plan: ActionPlan) -> dict[str, QuarterlyReport]:
    return {report.quarter: report for report in plan.reports.select_related("submitted_by")}


# The Working Group overview ------------------------------------------------------------------

RAG_ORDER = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE]
NOT_RATED = "not_rated"


def plans_in_quarter(quarter: Quarter) -> QuerySet[ActionPlan]:
    """Published plans whose period overlaps the quarter."""
    return ActionPlan.objects.exclude(status=ActionPlan.Status.DRAFT).filter(
        period_start__lte=quarter.end, period_end__gte=quarter.start
    )


@dataclass
class Count_:
    rag: str
    label: str
    n: int
    change: int | None  # since the previous quarter; None where it means nothing


@dataclass
class Cell:
    counts: list  # Count_ for red, amber, green, complete, then not rated
    total: int


@dataclass
class AgencyRow:
    agency: Agency
    plan_id: int | None
    submitted: bool
    comparable: bool  # submitted this quarter and the one before, so a change means something
    cells: list  # one Cell per objective


RAG_LABELS = dict(Rag.choices)


def _rag_counts(
    quarter: Quarter, plans: QuerySet[ActionPlan], previous_plans: QuerySet[ActionPlan]
) -> dict[str, dict[tuple, int]]:
    """quarter slug → (agency id, objective, rag) → number of actions rated so in it
    (submitted), for the quarter's plans and the previous quarter's: one query."""
    previous = quarter.previous()
    rows = (
        submitted_updates()
        .filter(
            Q(quarter=quarter.slug, action__plan__in=plans)
            | Q(quarter=previous.slug, action__plan__in=previous_plans)
        )
        .exclude(rag="")
        .values_list("quarter", "action__plan__agency_id", "action__objective", "rag")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[tuple, int]] = {quarter.slug: {}, previous.slug: {}}
    for slug, agency, objective, rag, n in rows:
        counts[slug][(agency, objective, rag)] = n
    return counts


class _Standing(NamedTuple):
    agency: Agency
    plan_id: int | None  # its plan overlapping the quarter that started last
    submitted: bool  # the quarter
    submitted_before: bool  # the previous quarter


def _standings(
    quarter: Quarter, plans: QuerySet[ActionPlan], previous_plans: QuerySet[ActionPlan]
) -> list[_Standing]:
    """The active agencies by name, and any other that submitted the quarter and the one
    before (its ratings count in the partnership's change), each with its plan and what it
    submitted: one query."""

    def submitted(in_plans: QuerySet[ActionPlan], slug: str) -> Exists:
        return Exists(
            QuarterlyReport.objects.filter(
                plan__in=in_plans,
                plan__agency=OuterRef("pk"),
                quarter=slug,
                status=QuarterlyReport.Status.SUBMITTED,
            )
        )

    latest_plan = plans.filter(agency=OuterRef("pk")).order_by("-period_start", "-pk")
    found = Agency.objects.annotate(
        plan_in_quarter=Subquery(latest_plan.values("pk")[:1]),
        submitted_now=submitted(plans, quarter.slug),
        submitted_before=submitted(previous_plans, quarter.previous().slug),
    ).filter(Q(active=True) | Q(submitted_now=True, submitted_before=True))
    return [
        _Standing(agency, agency.plan_in_quarter, agency.submitted_now, agency.submitted_before)
        for agency in found
    ]


def actions_in_quarter(quarter: Quarter, plans: QuerySet[ActionPlan]) -> QuerySet[Action]:
    """The actions a quarter's matrix counts, so a submitted quarter stays as submitted.

    Submitted: the actions its report rated (those with an update row in the quarter), not
    ones added since. Not submitted: the actions that existed by the quarter's end, told by
    the history's creation row (an action with none predates history and counts).
    Why a limitation remains: an action is counted under its objective as it is now, since
    a later edit of the objective is not read back from the history here.
    """
    ended = datetime.combine(
        quarter.end + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )
    report_submitted = Exists(
        QuarterlyReport.objects.filter(
            plan_id=OuterRef("plan_id"),
            quarter=quarter.slug,
            status=QuarterlyReport.Status.SUBMITTED,
        )
    )
    in_report = Exists(ActionUpdate.objects.filter(action_id=OuterRef("pk"), quarter=quarter.slug))
    created_later = Exists(
        Action.history.filter(id=OuterRef("pk"), history_type="+", history_date__gte=ended)
    )
    return Action.objects.filter(plan__in=plans).filter(
        (report_submitted & in_report) | (~report_submitted & ~created_later)
    )


def overview(quarter: Quarter) -> dict:
    """The partnership at a glance for one quarter, in three queries whatever its size."""
    plans = plans_in_quarter(quarter)
    previous_plans = plans_in_quarter(quarter.previous())
    standings = _standings(quarter, plans, previous_plans)
    agencies = [each.agency for each in standings if each.agency.active]
    plan_of = {each.agency.pk: each.plan_id for each in standings}
    submitted = {each.agency.pk for each in standings if each.submitted}
    # A change means something only for an agency that submitted both quarters, else it
    # would be measured against zero.
    comparable = {each.agency.pk for each in standings if each.submitted and each.submitted_before}
    rated = _rag_counts(quarter, plans, previous_plans)
    now, before = rated[quarter.slug], rated[quarter.previous().slug]
    totals = {
        (agency, objective): n
        for agency, objective, n in actions_in_quarter(quarter, plans)
        .values_list("plan__agency_id", "objective")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = []
    for agency in agencies:
        cells = []
        for objective in Objective.values:
            counts = []
            for rag in RAG_ORDER:
                n = now.get((agency.pk, objective, rag), 0)
                change = (
                    n - before.get((agency.pk, objective, rag), 0)
                    if agency.pk in comparable
                    else None
                )
                counts.append(Count_(rag, RAG_LABELS[rag], n, change))
            total = totals.get((agency.pk, objective), 0)
            counts.append(
                Count_(NOT_RATED, "Not rated", max(total - sum(c.n for c in counts), 0), None)
            )
            cells.append(Cell(counts, total))
        rows.append(
            AgencyRow(
                agency,
                plan_of.get(agency.pk),
                agency.pk in submitted,
                agency.pk in comparable,
                cells,
            )
        )
    partnership = []
    for rag in RAG_ORDER:
        n = sum(count for (_, _, r), count in now.items() if r == rag)
        change = (
            sum(c for (a, _, r), c in now.items() if r == rag and a in comparable)
            - sum(c for (a, _, r), c in before.items() if r == rag and a in comparable)
            if comparable
            else None
        )
        partnership.append(Count_(rag, RAG_LABELS[rag], n, change))
    return {
        "rows": rows,
        "objectives": Objective.choices,
        "partnership": partnership,
        "not_submitted": [
            row.agency for row in rows if not row.submitted and row.plan_id is not None
        ],
        "without_plan": [row.agency for row in rows if row.plan_id is None],
    }


def overdue_actions(quarter: Quarter, *, today: date | None = None) -> QuerySet[Action]:
    """Actions in the quarter's plans that were due before the quarter ended (or today, if
    sooner) and whose latest submitted rating up to that quarter is not complete."""
    on = min(today or dates.today(), quarter.end)
    return (
        with_overdue(
            Action.objects.filter(plan__in=plans_in_quarter(quarter)), on=on, up_to=quarter
        )
        .filter(overdue=True)
        .select_related("plan__agency", "owner")
        .order_by("due_date", "plan__agency__name", "pk")
    )


def _strategy_order(field: str) -> Case:
    """Objectives in the strategy's order (Recognise, Respond, Quantify, Evaluate)."""
    return Case(
        *[When(**{field: value}, then=Value(rank)) for rank, value in enumerate(Objective.values)]
    )


def submissions(quarter: Quarter) -> QuerySet[ActionUpdate]:
    """Every submitted rating of the quarter, for the exports."""
    return (
        submitted_updates()
        .filter(quarter=quarter.slug)
        .select_related("action__plan__agency", "action__owner")
        .order_by(
            "action__plan__agency__name",
            _strategy_order("action__objective"),
            "action__due_date",
            "action__pk",
        )
    )


def submitted_reports(quarter: Quarter) -> QuerySet[QuarterlyReport]:
    return (
        QuarterlyReport.objects.filter(
            quarter=quarter.slug, status=QuarterlyReport.Status.SUBMITTED
        )
        .select_related("plan__agency", "submitted_by")
        .order_by("plan__agency__name")
    )


# The Working Group's challenges, meetings and decisions ---------------------------------------

UNCLOSED = [Challenge.Status.OPEN, Challenge.Status.ANSWERED]


def challenges_visible_to(user: User) -> QuerySet[Challenge]:
    """Challenges the user may read, with what a listing shows beside each."""
    return Challenge.objects.filter(access.challenges_visible_q(user)).select_related(
        "agency", "raised_by", "plan"
    )


def challenge_or_404(user: User, pk: int) -> Challenge:
    return get_object_or_404(
        challenges_visible_to(user).select_related(
            "answered_by", "closed_by", "action__plan__agency"
        ),
        pk=pk,
    )


def challenges_on_indicator(code: str, quarter: Quarter, user: User) -> QuerySet[Challenge]:
    """Challenges on an indicator, or on it as an emerging theme, in a quarter."""
    return challenges_visible_to(user).filter(
        subject__in=[Challenge.Subject.INDICATOR, Challenge.Subject.THEME],
        indicator_code=code,
        quarter=quarter.slug,
    )


def challenges_on_plan(plan: ActionPlan, user: User) -> QuerySet[Challenge]:
    """Challenges on the plan itself and on its quarterly reports."""
    return challenges_visible_to(user).filter(plan=plan)


def challenges_behind_actions(plan: ActionPlan, user: User) -> dict[int, Challenge]:
    """action id → the challenge (the user may read) that was closed needing it. One query."""
    found = challenges_visible_to(user).filter(action__plan=plan).order_by("closed_at")
    return {challenge.action_id: challenge for challenge in found if challenge.action_id}


def open_challenges(user: User | None = None) -> QuerySet[Challenge]:
    """Every challenge not yet closed (open, or answered and waiting to be closed), oldest
    due first; only those `user` may read when given."""
    challenges = (
        challenges_visible_to(user)
        if user is not None
        else Challenge.objects.select_related("agency", "raised_by", "plan")
    )
    return challenges.filter(status__in=UNCLOSED).order_by("due_date", "pk")


@dataclass
class ChallengeRound:
    """A quarter's challenges for its meeting and pack.

    raised: challenges on this quarter (their `quarter` is this quarter), newest first;
    answered: those of `raised` with an answer (answered or closed since);
    open: every challenge not yet closed, of any quarter, oldest due first.
    """

    quarter: Quarter
    raised: list[Challenge]
    answered: list[Challenge]
    open: list[Challenge]


def challenges_for_quarter(quarter: Quarter, *, user: User | None = None) -> ChallengeRound:
    """One query. `user` limits it to what they may read (None: all, for the pack)."""
    challenges = (
        challenges_visible_to(user)
        if user is not None
        else Challenge.objects.select_related("agency", "raised_by", "plan", "action")
    )
    found = list(
        challenges.filter(Q(quarter=quarter.slug) | Q(status__in=UNCLOSED)).order_by(
            "due_date", "pk"
        )
    )
    # Newest first, as Challenge.Meta.ordering lists them.
    raised = sorted(
        (c for c in found if c.quarter == quarter.slug),
        key=lambda c: (c.raised_at, c.pk),
        reverse=True,
    )
    return ChallengeRound(
        quarter=quarter,
        raised=raised,
        answered=[c for c in raised if c.answered_at is not None],
        open=[c for c in found if c.status in UNCLOSED],
    )


def meeting_for(quarter: Quarter) -> Meeting | None:
    return Meeting.objects.filter(quarter=quarter.slug).first()


def next_meeting_after(day: date) -> Meeting | None:
    """The first meeting recorded for a date after `day`."""
    return Meeting.objects.filter(date__gt=day).order_by("date").first()


# Without a recorded meeting, an answer is due a quarter (13 weeks) on: the next meeting's
# usual distance.
DEFAULT_ANSWER_TIME = timedelta(weeks=13)


class DueDefault(NamedTuple):
    day: date
    hint: str  # says where the date comes from


def challenge_due_default(on: date | None = None) -> DueDefault:
    """A challenge's due date unless the challenger sets another: the next recorded
    meeting's date, or 13 weeks from `on` (today)."""
    day = on or dates.today()
    meeting = next_meeting_after(day)
    if meeting is not None:
        return DueDefault(
            meeting.date,
            f"Set to the next Working Group meeting ({meeting.quarter_label}). You can change it",
        )
    return DueDefault(
        day + DEFAULT_ANSWER_TIME,
        "No later Working Group meeting is recorded, so this is 13 weeks from today. You can "
        "change it",
    )


def decisions_due(quarter: Quarter) -> list[Decision]:
    """The quarter's decisions and IPAG referrals, then open ones carried forward from
    earlier quarters (oldest first). Each has `carried_forward` (bool) set. One query."""
    found = list(
        Decision.objects.filter(
            Q(quarter=quarter.slug) | Q(quarter__lt=quarter.slug, status=Decision.Status.OPEN)
        )
        .select_related("owner_agency", "owner_user")
        .order_by(
            Case(When(quarter=quarter.slug, then=Value(0)), default=Value(1)),
            "quarter",
            "kind",
            "due_date",
            "pk",
        )
    )
    for decision in found:
        decision.carried_forward = decision.quarter != quarter.slug  # type: ignore[attr-defined]
    return found
