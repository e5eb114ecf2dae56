"""Writes to action plans: a quarter's ratings and report are saved and submitted together.

Every save checks the user may make it, so a view that forgot to ask still cannot write.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from neglect_portal import access, dates
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import StaleEdit, record_update

from . import selectors
from .models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Challenge,
    Decision,
    Meeting,
    QuarterlyReport,
    Rag,
)

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


# The Working Group's challenges, meetings and decisions ---------------------------------------


class ChallengeClosed(Exception):
    """The challenge was closed meanwhile: nothing more is answered or closed on it."""


@dataclass(frozen=True)
class NewAction:
    """An action added to the addressed agency's active plan when a challenge needs one."""

    objective: str
    description: str
    owner_name: str
    due_date: date


@transaction.atomic
def challenge_raise(
    *,
    user: User,
    subject: str,
    agency: Agency,
    text: str,
    due_date: date,
    quarter: Quarter,
    subject_label: str,
    indicator_code: str = "",
    plan: ActionPlan | None = None,
) -> Challenge:
    """Raise a challenge to `agency`. An indicator or a theme names its code; a plan or a
    quarterly report names the plan, whose agency is the one addressed."""
    if not access.raises_challenges(user):
        raise PermissionDenied
    problems: dict[str, str] = {}
    if not agency.active:
        problems["agency"] = "Select an agency that is still part of the partnership"
    if plan is not None and plan.agency_id != agency.pk:
        problems["agency"] = f"A challenge on {plan.agency}'s plan is addressed to {plan.agency}"
    if not text.strip():
        problems["text"] = "Enter the challenge"
    if due_date < dates.today():
        problems["due_date"] = "The date the answer is due must be today or in the future"
    if problems:
        raise ValidationError(problems)
    challenge = Challenge(
        subject=subject,
        quarter=quarter.slug,
        indicator_code=indicator_code,
        plan=plan,
        subject_label=subject_label,
        agency=agency,
        text=text.strip(),
        due_date=due_date,
        raised_by=user,
    )
    challenge.full_clean()
    attributed(challenge, user=user).save()
    return challenge


def _locked_challenge(challenge: Challenge, version: int) -> Challenge:
    """The challenge as saved, under a row lock, if nobody changed it since `version`."""
    current = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if current.is_closed:
        raise ChallengeClosed
    if current.version != version:
        raise StaleEdit(current)
    return current


@transaction.atomic
def challenge_answer(*, challenge: Challenge, user: User, answer: str, version: int) -> Challenge:
    """The addressed agency's answer (a later answer replaces it until it is closed)."""
    current = _locked_challenge(challenge, version)
    if not access.can_answer_challenge(user, current):
        raise PermissionDenied
    if not answer.strip():
        raise ValidationError({"answer": "Enter your agency's answer"})
    current.answer = answer.strip()
    current.answered_by = user
    current.answered_at = timezone.now()
    current.status = Challenge.Status.ANSWERED
    current.version += 1
    attributed(current, user=user).save()
    return current


@transaction.atomic
def challenge_close(
    *,
    challenge: Challenge,
    user: User,
    outcome: str,
    note: str,
    action: Action | None = None,
    new_action: NewAction | None = None,
    version: int,
) -> Challenge:
    """Close as answered, or as needing action: linked to `action` (already in the addressed
    agency's active plan) or to `new_action`, added to that plan in the same transaction, so
    a repeated close adds nothing (the version has moved on)."""
    current = _locked_challenge(challenge, version)
    if not access.can_close_challenge(user, current):
        raise PermissionDenied
    if outcome == Challenge.Outcome.ANSWERED:
        if not current.answer:
            raise ValidationError(
                {"outcome": "It has not been answered yet: close it as needing action, or wait"}
            )
        linked = None
    elif outcome == Challenge.Outcome.NEEDS_ACTION:
        linked = _action_for(current, user=user, action=action, new_action=new_action)
    else:
        raise ValidationError({"outcome": "Select how the challenge is closed"})
    current.status = Challenge.Status.CLOSED
    current.outcome = outcome
    current.action = linked
    current.closing_note = note.strip()
    current.closed_by = user
    current.closed_at = timezone.now()
    current.version += 1
    attributed(current, user=user).save()
    return current


def _action_for(
    challenge: Challenge, *, user: User, action: Action | None, new_action: NewAction | None
) -> Action:
    plan = selectors.current_plan_of(challenge.agency)
    if plan is None or plan.status != ActionPlan.Status.ACTIVE:
        raise ValidationError(
            {"action": f"{challenge.agency} has no active plan to add the action to"}
        )
    if (action is None) == (new_action is None):
        raise ValidationError({"action": "Select an action in the plan, or describe a new one"})
    if action is not None:
        if action.plan_id != plan.pk:
            raise ValidationError({"action": f"Select an action in {plan.agency}'s active plan"})
        return action
    assert new_action is not None
    created = Action(
        plan=plan,
        objective=new_action.objective,
        description=new_action.description.strip(),
        owner_name=new_action.owner_name.strip(),
        due_date=new_action.due_date,
    )
    created.full_clean()
    attributed(created, user=user, reason=f"Added on closing challenge {challenge.pk}").save()
    return created


@transaction.atomic
def meeting_record(*, quarter: Quarter, date: date, user: User, version: int) -> Meeting:
    """Record (or correct) the date of the quarter's meeting. `version` is the meeting's
    version the page showed, 0 when none was recorded."""
    if not access.records_decisions(user):
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().filter(quarter=quarter.slug).first()
    if (meeting.version if meeting else 0) != version:
        raise StaleEdit(meeting)
    if meeting is None:
        meeting = Meeting(quarter=quarter.slug, version=0)
    meeting.date = date
    meeting.recorded_by = user
    meeting.version += 1
    try:
        # A savepoint: with no row yet there was nothing to lock, so two first dates can race
        # here; the later is then stale against the one saved, as if it had been read.
        with transaction.atomic():
            attributed(meeting, user=user).save()
    except IntegrityError:
        raise StaleEdit(Meeting.objects.get(quarter=quarter.slug)) from None
    return meeting


@transaction.atomic
def decision_add(
    *,
    quarter: Quarter,
    kind: str,
    text: str,
    due_date: date,
    user: User,
    owner_agency: Agency | None = None,
    owner_user: User | None = None,
) -> Decision:
    if not access.records_decisions(user):
        raise PermissionDenied
    decision = Decision(
        quarter=quarter.slug,
        kind=kind,
        text=text.strip(),
        owner_agency=owner_agency,
        owner_user=owner_user,
        due_date=due_date,
        recorded_by=user,
    )
    decision.full_clean()
    attributed(decision, user=user).save()
    return decision


@transaction.atomic
def decision_update_status(
    *, decision: Decision, user: User, status: str, reason: str, version: int
) -> Decision:
    """Mark a decision done, dropped (with the reason) or open again."""
    if not access.records_decisions(user):
        raise PermissionDenied
    decision.status = status
    decision.reason = reason.strip() if status == Decision.Status.DROPPED else ""
    decision.full_clean()
    return record_update(
        attributed(decision, user=user, reason=decision.reason or None), expected_version=version
    )
