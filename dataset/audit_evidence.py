"""The audit form's evidence pane: what the record says about the sampled child, read from cases
and the toolkit in a fixed number of queries however long the record is.

The auditor is entitled to read the record for the round's duration (access.audit_samples_
visible_to); the view looks the sample up through that before calling anything here, so these
selectors take the child as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max

from cases.models import Child, ChildInNeedPlan, ChildProtectionPlan, Referral
from toolkit.models import Chronology, ChronologyEntry, NextStep, Tool
from toolkit.my_tasks import review_due
from toolkit.status import ToolStatus, tool_statuses

REREFERRAL_WITHIN = relativedelta(months=12)


@dataclass(frozen=True)
class ChronologySummary:
    entries: int
    last_entry: ChronologyEntry | None
    reviewed_on: date | None


@dataclass(frozen=True)
class PlanRow:
    kind: str  # "Child protection plan" or "Child in need plan"
    start_date: date
    end_date: date | None
    duration: str
    category: str = ""


@dataclass(frozen=True)
class ReferralRow:
    referral_date: date
    closure_date: date | None
    neglect: bool
    rereferral: bool  # within 12 months of an earlier referral


@dataclass(frozen=True)
class ReviewRow:
    due: date
    held: date | None
    on_time: bool
    first: bool


@dataclass(frozen=True)
class CPReviews:
    start_date: date
    end_date: date | None
    reviews: list[ReviewRow]

    @property
    def all_on_time(self) -> bool:
        return all(row.on_time for row in self.reviews)


@dataclass(frozen=True)
class StepRow:
    what: str
    owner: str
    due_on: date | None
    state: str
    overdue: bool


@dataclass(frozen=True)
class Evidence:
    chronology: ChronologySummary
    tools: list[ToolStatus]
    plans: list[PlanRow]
    referrals: list[ReferralRow]
    cp_reviews: list[CPReviews]
    next_steps: list[StepRow]


def duration(start: date, end: date) -> str:
    """How long a plan lasted (or has lasted), in words: "1 year 2 months", "3 weeks"."""
    gap = relativedelta(end, start)
    parts = []
    if gap.years:
        parts.append(f"{gap.years} year{'s' if gap.years != 1 else ''}")
    if gap.months:
        parts.append(f"{gap.months} month{'s' if gap.months != 1 else ''}")
    if parts:
        return " ".join(parts)
    weeks = (end - start).days // 7
    if weeks:
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    days = (end - start).days
    return f"{days} day{'s' if days != 1 else ''}"


def chronology_summary(child: Child) -> ChronologySummary:
    """Two queries."""
    chronology = (
        Chronology.objects.filter(child=child)
        .annotate(n=Count("entries"), last=Max("entries__event_date"))
        .values("reviewed_on", "n")
        .first()
    )
    if chronology is None:
        return ChronologySummary(0, None, None)
    last = (
        ChronologyEntry.objects.filter(chronology__child=child)
        .select_related("source_agency")
        .order_by("-event_date", "-pk")
        .first()
    )
    return ChronologySummary(chronology["n"], last, chronology["reviewed_on"])


def plans_of(child: Child, *, on: date) -> list[PlanRow]:
    """Two queries: CP and CIN plans, oldest first, with how long each lasted to `on`."""
    rows = [
        PlanRow(
            "Child protection plan",
            plan.start_date,
            plan.end_date,
            duration(plan.start_date, plan.end_date or on),
            plan.get_latest_category_display(),
        )
        for plan in ChildProtectionPlan.objects.filter(child=child)
    ] + [
        PlanRow(
            "Child in need plan",
            plan.start_date,
            plan.end_date,
            duration(plan.start_date, plan.end_date or on),
        )
        for plan in ChildInNeedPlan.objects.filter(child=child)
    ]
    return sorted(rows, key=lambda row: row.start_date)


def referrals_of(child: Child) -> list[ReferralRow]:
    """One query. A re-referral is one within 12 months of an earlier referral (REREFERRALS_12M)."""
    referrals = list(
        Referral.objects.filter(child=child)
        .order_by("referral_date", "pk")
        .values_list("referral_date", "closure_date", "neglect_presenting")
    )
    rows = []
    for n, (when, closed, neglect) in enumerate(referrals):
        earlier = [d for d, _, _ in referrals[:n] if d < when]
        rereferral = any(d >= when - REREFERRAL_WITHIN for d in earlier)
        rows.append(ReferralRow(when, closed, neglect, rereferral))
    return rows


def cp_review_timeliness(child: Child, *, on: date) -> list[CPReviews]:
    """Two queries. Working Together: the first review within 3 months of the initial
    conference (the plan's start), then at most 6 months apart (toolkit.my_tasks.review_due);
    a review still due is listed as late once `on` has passed its date while the plan is open."""
    found = []
    plans = ChildProtectionPlan.objects.filter(child=child).prefetch_related("reviews")
    for plan in plans.order_by("start_date", "pk"):
        rows: list[ReviewRow] = []
        latest = None
        for review in sorted(plan.reviews.all(), key=lambda r: (r.review_date, r.pk)):
            due = review_due(plan.start_date, latest)
            rows.append(
                ReviewRow(due, review.review_date, review.review_date <= due, latest is None)
            )
            latest = review.review_date
        if plan.is_open_on(on):
            due = review_due(plan.start_date, latest)
            if due < on:
                rows.append(ReviewRow(due, None, False, latest is None))
        found.append(CPReviews(plan.start_date, plan.end_date, rows))
    return found


def next_steps_of(child: Child, *, on: date) -> list[StepRow]:
    """One query: every step of the child's completed analyses, with its owner and state."""
    steps = (
        NextStep.objects.filter(analysis__child=child, analysis__status=Tool.Status.COMPLETED)
        .select_related("owner")
        .order_by("analysis__completed_on", "position", "pk")
    )
    return [
        StepRow(
            step.what,
            step.owner_display,
            step.due_on,
            step.get_status_display(),
            step.status == NextStep.Status.OPEN and step.due_on is not None and step.due_on < on,
        )
        for step in steps
    ]


def evidence_for(child: Child, *, on: date) -> Evidence:
    """The whole pane: about a dozen queries, however long the child's record."""
    return Evidence(
        chronology=chronology_summary(child),
        tools=tool_statuses([child.pk], on).get(child.pk, []),
        plans=plans_of(child, on=on),
        referrals=referrals_of(child),
        cp_reviews=cp_review_timeliness(child, on=on),
        next_steps=next_steps_of(child, on=on),
    )
