"""Writes to action plans: a quarter's ratings and report are saved and submitted together.

Every save checks the user may make it, so a view that forgot to ask still cannot write.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from neglect_portal import access
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import StaleEdit, record_update

from . import selectors
from .models import Action, ActionPlan, ActionUpdate, QuarterlyReport, Rag

REPORT_FIELDS = [
    "what_we_did",
    "difference_for_children",
    "how_we_know",
    "challenges",
    "next_steps",
]
REQUIRED_REPORT_FIELDS = {
    "what_we_did": "Enter what your agency did this quarter",
    "difference_for_children": "Enter what difference it made for children",
    "how_we_know": "Enter how you know",
    "next_steps": "Enter your next steps",
}


class QuarterLocked(Exception):
    """The quarter was submitted: it changes only after an administrator reopens it."""


@dataclass
class Rating:
    rag: str = ""
    narrative: str = ""
    evidence_of_impact: str = ""


@transaction.atomic
def action_plan_add(*, plan: ActionPlan, user: User) -> ActionPlan:
    if not access.can_add_action_plan(user, plan.agency):
        raise PermissionDenied
    plan.full_clean()
    attributed(plan, user=user).save()
    return plan


@transaction.atomic
def action_plan_update(plan: ActionPlan, *, user: User, expected_version: int) -> ActionPlan:
    if not access.can_change_action_plan(user, plan):
        raise PermissionDenied
    plan.full_clean()
    return record_update(attributed(plan, user=user), expected_version=expected_version)


@transaction.atomic
def action_add(*, action: Action, user: User) -> Action:
    if not access.can_change_action_plan(user, action.plan):
        raise PermissionDenied
    action.full_clean()
    attributed(action, user=user).save()
    return action


@transaction.atomic
def action_update(action: Action, *, user: User, expected_version: int) -> Action:
    if not access.can_change_action_plan(user, action.plan):
        raise PermissionDenied
    action.full_clean()
    return record_update(attributed(action, user=user), expected_version=expected_version)


def _locked_report(plan: ActionPlan, quarter: Quarter, expected_version: int) -> QuarterlyReport:
    """The quarter's report under a row lock (created as a draft on the first save)."""
    ActionPlan.objects.select_for_update().get(pk=plan.pk)  # one writer per plan at a time
    report = QuarterlyReport.objects.filter(plan=plan, quarter=quarter.slug).first()
    current = report.version if report else 0
    if current != expected_version:
        raise StaleEdit(report)
    if report is None:
        report = QuarterlyReport(plan=plan, quarter=quarter.slug, version=0)
    if report.is_submitted:
        raise QuarterLocked
    return report


@transaction.atomic
def quarter_save_draft(
    *,
    plan: ActionPlan,
    quarter: Quarter,
    ratings: dict[int, Rating],
    report_fields: dict[str, str],
    user: User,
    expected_version: int,
) -> QuarterlyReport:
    """Save whatever has been entered, complete or not. `expected_version` is the report's
    version when the page was opened (0 before the first save)."""
    if not access.can_change_action_plan(user, plan):
        raise PermissionDenied
    report = _locked_report(plan, quarter, expected_version)
    actions = set(plan.actions.values_list("pk", flat=True))
    existing = {
        u.action_id: u for u in ActionUpdate.objects.filter(action__plan=plan, quarter=quarter.slug)
    }
    for action_id, rating in ratings.items():
        if action_id not in actions:
            continue
        update = existing.get(action_id) or ActionUpdate(
            action_id=action_id, quarter=quarter.slug, version=0
        )
        values = (rating.rag, rating.narrative.strip(), rating.evidence_of_impact.strip())
        if update.pk and values == (update.rag, update.narrative, update.evidence_of_impact):
            continue  # unchanged: no new version, no history row
        update.rag, update.narrative, update.evidence_of_impact = values
        update.version += 1
        attributed(update, user=user).save()
    for name in REPORT_FIELDS:
        setattr(report, name, str(report_fields.get(name, "")).strip())
    report.version += 1
    attributed(report, user=user).save()
    return report


def quarter_problems(plan: ActionPlan, quarter: Quarter, report: QuarterlyReport) -> dict:
    """What stops the quarter being submitted, keyed by the update form's field names."""
    previous = selectors.previous_ratings(plan, quarter)
    updates = {
        u.action_id: u for u in ActionUpdate.objects.filter(action__plan=plan, quarter=quarter.slug)
    }
    problems = {}
    for action in plan.actions.order_by("pk"):
        update = updates.get(action.pk)
        if update is None or not update.rag:
            problems[f"rag_{action.pk}"] = f"Select a RAG rating for ‘{action.short}’"
        elif (
            action.pk in previous and previous[action.pk].rag != update.rag and not update.narrative
        ):
            problems[f"narrative_{action.pk}"] = (
                f"Enter the progress on ‘{action.short}’: its rating changed from "
                f"{_rag_label(previous[action.pk].rag)} to {_rag_label(update.rag)}"
            )
    for name, message in REQUIRED_REPORT_FIELDS.items():
        if not getattr(report, name):
            problems[name] = message
    return problems


def _rag_label(value: str) -> str:
    return Rag(value).label.lower()


@transaction.atomic
def quarter_submit(
    *, plan: ActionPlan, quarter: Quarter, user: User, expected_version: int
) -> QuarterlyReport:
    """Submit and lock the quarter. Raises ValidationError listing every gap."""
    if not access.can_change_action_plan(user, plan):
        raise PermissionDenied
    report = _locked_report(plan, quarter, expected_version)
    if report.pk is None:
        attributed(report, user=user).save()
    problems = quarter_problems(plan, quarter, report)
    if problems:
        raise ValidationError(problems)
    report.status = QuarterlyReport.Status.SUBMITTED
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.reopen_reason = ""
    return record_update(attributed(report, user=user), expected_version=report.version)


@transaction.atomic
def quarter_reopen(
    report: QuarterlyReport, *, user: User, reason: str, expected_version: int
) -> QuarterlyReport:
    if not access.can_reopen_quarter(user, report):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the quarter is being reopened"})
    report.status = QuarterlyReport.Status.DRAFT
    report.reopen_reason = reason.strip()
    attributed(report, user=user, reason=f"Reopened: {reason.strip()}")
    return record_update(report, expected_version=expected_version)
