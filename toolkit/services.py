"""The life of a tool: drafts, completion (which locks it) and reopening with a reason."""

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases.models import Child
from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.models import User
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import StaleEdit, record_update

from .models import Chronology, ChronologyEntry, Oversight, Tool

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
    problems = tool.completion_problems()
    if problems:
        raise ValidationError(problems)
    tool.before_completion()
    tool.status = Tool.Status.COMPLETED
    tool.completed_on = on or today()
    tool.reopen_reason = ""
    return record_update(tool, expected_version=expected_version)


@transaction.atomic
def tool_reopen(tool: Tool, *, user: User, reason: str, expected_version: int) -> Tool:
    if not access.can_reopen_tool(user, tool):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reopen_reason": "Enter why the tool is being reopened"})
    tool.status = Tool.Status.DRAFT
    tool.completed_on = None
    tool.reopen_reason = reason.strip()
    attributed(tool, reason=f"Reopened: {reason.strip()}")
    return record_update(tool, expected_version=expected_version)


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
    chronology.version += 1
    chronology.save()
    return chronology


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
