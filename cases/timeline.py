"""The case timeline: dated events built from the records, newest first."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from .models import ChildProtectionPlan


@dataclass(frozen=True)
class Event:
    day: date
    title: str
    detail: str = ""


def _category_changes(cp_plans):
    """(date, old, new) for every change of a CP plan's latest category, from history."""
    if not cp_plans:
        return []
    rows = (
        ChildProtectionPlan.history.filter(id__in=[plan.pk for plan in cp_plans])
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "latest_category")
    )
    changes, previous = [], {}
    for plan_id, when, category in rows:
        if plan_id in previous and previous[plan_id] != category:
            changes.append((timezone.localdate(when), previous[plan_id], category))
        previous[plan_id] = category
    return changes


def case_timeline(referrals, cp_plans) -> list[Event]:
    labels = dict(ChildProtectionPlan._meta.get_field("latest_category").choices)
    events = []
    for referral in referrals:
        events.append(
            Event(referral.referral_date, "Referral", referral.get_primary_need_display() or "")
        )
        if referral.closure_date:
            events.append(
                Event(
                    referral.closure_date, "Episode closed", referral.get_closure_reason_display()
                )
            )
        for assessment in referral.assessments.all():
            if assessment.authorised_date:
                detail = "Neglect (16A) identified" if assessment.neglect_identified else ""
                events.append(Event(assessment.authorised_date, "Assessment completed", detail))
        for plan in referral.cin_plans.all():
            events.append(Event(plan.start_date, "Child in need plan started"))
            if plan.end_date:
                events.append(Event(plan.end_date, "Child in need plan ended"))
        for plan in referral.cp_plans.all():
            events.append(
                Event(
                    plan.start_date,
                    "Child protection plan started",
                    f"Category: {plan.get_initial_category_display()}",
                )
            )
            for review in plan.reviews.all():
                events.append(Event(review.review_date, "Child protection review"))
            if plan.end_date:
                events.append(Event(plan.end_date, "Child protection plan ended"))
    for day, old, new in _category_changes(cp_plans):
        change = f"{labels.get(old, old)} to {labels.get(new, new)}"
        events.append(Event(day, "Category of abuse changed", change))
    return sorted(events, key=lambda event: event.day, reverse=True)
