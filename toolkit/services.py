"""The life of a tool: drafts, completion (which locks it) and reopening with a reason."""

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases.models import Child
from neglect_portal import access
from neglect_portal.dates import long_date, not_in_future, today
from neglect_portal.models import User
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import StaleEdit, record_update

from .models import (
    SDQ,
    Chronology,
    ChronologyEntry,
    NextStep,
    NextSteps,
    Oversight,
    SDQNeed,
    Tool,
)

T = TypeVar("T", bound=Tool)


def tool_start(model: type[T], *, child: Child, author: User, **fields: Any) -> T:
    return model._default_manager.create(
        child=child, author=author, author_agency=author.agency, **fields
    )


def tool_save_draft(tool: Tool, *, user: User, expected_version: int) -> Tool:
    if not access.can_edit_tool(user, tool):
        raise PermissionDenied
    return record_update(tool, expected_version=expected_version)


@transaction.atomic
def tool_complete(tool: Tool, *, user: User, expected_version: int, on: date | None = None) -> Tool:
    """Validate the whole tool, then lock it. Raises ValidationError listing every gap."""
    if not access.can_edit_tool(user, tool):
        raise PermissionDenied
    day = on or today()
    problems = tool.completion_problems_on(day)
    if problems:
        raise ValidationError(problems)
    tool.before_completion()
    again = tool.is_reopened
    tool.status = Tool.Status.COMPLETED
    tool.completed_on = day
    # The reopening is over; its who, when and why stay in the tool's history, and the earlier
    # completion date stays so that status on a day before this one still counts it.
    tool.reopen_reason = ""
    tool.reopened_by = None
    tool.reopened_on = None
    attributed(tool, user=user, reason="Completed again" if again else "Completed")
    tool = record_update(tool, expected_version=expected_version)
    if isinstance(tool, SDQ):
        _sdq_needs_meet(sdq=tool, user=user)
    return tool


@transaction.atomic
def tool_reopen(
    tool: Tool, *, user: User, reason: str, expected_version: int, on: date | None = None
) -> Tool:
    if not access.can_reopen_tool(user, tool):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reopen_reason": "Enter why the tool is being reopened"})
    tool.previous_completed_on = tool.completed_on
    tool.status = Tool.Status.DRAFT
    tool.completed_on = None
    tool.reopen_reason = reason.strip()
    tool.reopened_by = user
    tool.reopened_on = on or today()
    attributed(tool, user=user, reason=f"Reopened: {reason.strip()}")
    return record_update(tool, expected_version=expected_version)


@transaction.atomic
def sdq_need_record(*, child: Child, user: User, reason: str, on: date | None = None) -> SDQNeed:
    """Record that the child needs an SDQ, and why; it is open until one is completed."""
    if not access.can_record_sdq_need(user, child):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the child needs an SDQ"})
    need = SDQNeed(child=child, reason=reason.strip(), recorded_by=user, recorded_on=on or today())
    need.full_clean()
    attributed(need, user=user).save()
    return need


def _sdq_needs_meet(*, sdq: SDQ, user: User) -> None:
    """An SDQ completed for the child meets every need recorded on or before its completion."""
    assert sdq.completed_on is not None
    needs = SDQNeed.objects.select_for_update().filter(
        child_id=sdq.child_id, met_on__isnull=True, recorded_on__lte=sdq.completed_on
    )
    for need in needs:
        need.met_by = sdq
        need.met_on = sdq.completed_on
        attributed(need, user=user, reason="Met by a completed SDQ").save()


def _chronology_of(child: Child) -> Chronology:
    chronology, _ = Chronology.objects.get_or_create(child=child)
    return chronology


@transaction.atomic
def chronology_entry_add(*, child: Child, entry: ChronologyEntry) -> ChronologyEntry:
    """Anyone who can see the child adds to its one shared chronology."""
    entry.chronology = _chronology_of(child)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def chronology_mark_reviewed(*, child: Child, user: User, on: date | None = None) -> Chronology:
    chronology = Chronology.objects.select_for_update().get(pk=_chronology_of(child).pk)
    chronology.reviewed_on = on or today()
    chronology.reviewed_by = user
    # As a tool keeps its author's agency: oversight of the review stays with that agency's
    # managers if the reviewer later moves.
    chronology.reviewed_by_agency_id = user.agency_id
    chronology.version += 1
    chronology.save()
    return chronology


@dataclass(frozen=True)
class StepAnswer:
    """One row of the analysis's form: `step_id` is the saved step it edits (None: a new one)."""

    step_id: int | None
    what: str
    owner_id: int | None
    owner_name: str
    owner_role: str
    due_on: date | None


_ANSWERED = ("what", "owner_id", "owner_name", "owner_role", "due_on")


@transaction.atomic
def next_steps_save_draft(
    analysis: NextSteps, *, user: User, expected_version: int, steps: list[StepAnswer]
) -> NextSteps:
    """Save the draft analysis and make its steps the rows given, in order: a row naming one
    of its saved steps changes that step, a row naming none adds one, and a saved step no row
    names is removed. The analysis's version guards them all, since only its form edits them
    while it is a draft."""
    tool_save_draft(analysis, user=user, expected_version=expected_version)
    saved = {
        step.pk: step for step in NextStep.objects.select_for_update().filter(analysis=analysis)
    }
    kept = set()
    for position, answer in enumerate(steps, start=1):
        # An id that is not one of this analysis's steps is a new row, never another's step.
        step = saved.get(answer.step_id) if answer.step_id is not None else None
        if step is None:
            step = NextStep(analysis=analysis)
        changed = step.pk is None or step.position != position
        for name in _ANSWERED:
            if getattr(step, name) != getattr(answer, name):
                setattr(step, name, getattr(answer, name))
                changed = True
        if changed:
            if step.pk is not None:
                step.version += 1
            step.position = position
            step.updated_by = user
            attributed(step, user=user).save()
        kept.add(step.pk)
    for pk, step in saved.items():
        if pk not in kept:
            attributed(step, user=user, reason="Removed from the draft analysis").delete()
    return analysis


@transaction.atomic
def next_step_update_status(
    step: NextStep,
    *,
    user: User,
    status: str,
    expected_version: int,
    done_on: date | None = None,
    reason: str = "",
) -> NextStep:
    """Mark a step of a completed analysis done (on a date not in the future), no longer
    needed (today, with a reason) or open again. Raises ValidationError keyed by field."""
    if not access.can_update_next_step(user, step):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if status == NextStep.Status.DONE:
        if done_on is None:
            errors["done_on"] = "Enter the date it was done"
        else:
            try:
                not_in_future(done_on, "The date it was done")
            except ValidationError as error:
                errors["done_on"] = error.messages[0]
            started = step.analysis.started_on
            if done_on < started and "done_on" not in errors:
                errors["done_on"] = (
                    f"The date it was done must be on or after {long_date(started)}, when the "
                    "analysis was started"
                )
    elif status == NextStep.Status.NOT_NEEDED:
        if not reason.strip():
            errors["closed_reason"] = "Enter why it is no longer needed"
    elif status != NextStep.Status.OPEN:
        errors["status"] = "Select whether the step is done, no longer needed or still open"
    if errors:
        raise ValidationError(errors)
    was_closed = step.status == NextStep.Status.NOT_NEEDED
    step.status = status
    step.done_on = done_on if status == NextStep.Status.DONE else None
    if status == NextStep.Status.NOT_NEEDED:
        # The day it was decided, not the day a reason was later reworded.
        step.closed_on = step.closed_on if was_closed and step.closed_on else today()
        step.closed_reason = reason.strip()
    else:
        step.closed_on = None
        step.closed_reason = ""
    step.updated_by = user
    attributed(step, user=user, reason=f"Status: {step.get_status_display().lower()}")
    return record_update(step, expected_version=expected_version)


# Management oversight --------------------------------------------------------------------


@transaction.atomic
def oversight_record(
    *,
    kind: str,
    tool: Tool | Chronology,
    manager: User,
    judgement: str,
    reason: str,
    actions: str = "",
    expected_version: int,
    on: date | None = None,
) -> Oversight:
    """A team manager's comment on the completion (or chronology review) they read: refused
    as stale if the tool was reopened or completed again since they opened it."""
    current = type(tool)._default_manager.select_for_update().get(pk=tool.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    if not access.can_record_oversight(manager, current):
        raise PermissionDenied
    # Under the tool's row lock: a second post of the same form (a double click, a resend)
    # finds the first comment and is refused, rather than adding it twice.
    if Oversight.objects.filter(
        tool_kind=kind, tool_id=current.pk, tool_version=current.version, manager=manager
    ).exists():
        raise ValidationError(
            {"judgement": "You have already recorded oversight of this completion"}
        )
    if judgement == Oversight.Judgement.AGREE_WITH_ACTIONS and not actions.strip():
        raise ValidationError({"actions": "Enter the actions required"})
    completed_on = current.reviewed_on if isinstance(current, Chronology) else current.completed_on
    assert completed_on is not None  # can_record_oversight: completed, or reviewed
    oversight = Oversight(
        child_id=current.child_id,
        tool_kind=kind,
        tool_id=current.pk,
        tool_version=current.version,
        completed_on=completed_on,
        judgement=judgement,
        reason=reason.strip(),
        actions=actions.strip() if judgement == Oversight.Judgement.AGREE_WITH_ACTIONS else "",
        recorded_on=on or today(),
        manager=manager,
        manager_agency_id=manager.agency_id,
    )
    oversight.full_clean()
    attributed(oversight, user=manager).save()
    return oversight
