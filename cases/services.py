"""Writes to case records. Each is atomic; edits of versioned records refuse stale saves."""

import secrets
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from neglect_portal.dates import long_date, today
from neglect_portal.models import User
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import record_update

from . import informed_by
from .duplicates import duplicates_flag
from .models import (
    AccessLog,
    Allocation,
    Child,
    ChildInNeedPlan,
    ChildListAccess,
    ChildProtectionPlan,
    Involvement,
    PlanReview,
    Referral,
)


@transaction.atomic
def cp_plan_start(
    *,
    plan: ChildProtectionPlan,
    informed_by_tools: Sequence[str] = (),
    user: User | None = None,
) -> ChildProtectionPlan:
    """Start a CP plan; the child's row is locked so two overlapping plans cannot both pass.
    `informed_by_tools` are the keys (cases.informed_by) of the tools that informed it."""
    Child.objects.select_for_update().get(pk=plan.referral.child_id)
    plan.latest_category = plan.latest_category or plan.initial_category
    plan.full_clean()
    plan.save()
    informed_by.record(plan, keys=informed_by_tools, on=plan.start_date, user=user)
    return plan


@transaction.atomic
def cp_plan_update(plan: ChildProtectionPlan, *, expected_version: int) -> ChildProtectionPlan:
    Child.objects.select_for_update().get(pk=plan.referral.child_id)
    plan.full_clean()
    return record_update(plan, expected_version=expected_version)


def _provisional_la_child_id() -> str:
    # Partners do not know the LA's id; CSC replaces this one when it accepts the referral.
    return "NP" + secrets.token_hex(4).upper()


@transaction.atomic
def referral_for_new_child(*, child: Child, referral: Referral, user: User) -> Referral:
    """A partner agency refers a child not yet known to children's social care."""
    for _ in range(5):
        child.la_child_id = _provisional_la_child_id()
        try:
            with transaction.atomic():
                child.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 5 collisions in a 4-billion space
        raise RuntimeError("Could not allocate a provisional LA child id")
    referral.child = child
    referral.recorded_by = user
    referral.save()
    duplicates_flag(child_ids=[child.pk])
    return referral


@transaction.atomic
def child_add(*, child: Child) -> Child:
    """Children's social care adds a child: flagged if it may already be in the portal."""
    child.save()
    duplicates_flag(child_ids=[child.pk])
    return child


@transaction.atomic
def child_update(child: Child, *, expected_version: int) -> Child:
    """A corrected name or date of birth may show the child was already in the portal."""
    record_update(child, expected_version=expected_version)
    duplicates_flag(child_ids=[child.pk])
    return child


def child_opened(*, child: Child, user: User, reason: str = "") -> None:
    AccessLog.objects.create(child=child, user=user, reason=reason[:200])


def children_listed(*, user: User, kind: ChildListAccess.Kind, what: str, children: int) -> None:
    """Log one list of named children shown or exported: one insert, however long the list.
    `what` names the list (an indicator and quarter, the kinds of search term), never a child
    or the words searched for. A list that names no one discloses nothing and is not logged."""
    if children:
        ChildListAccess.objects.create(
            user=user, kind=kind, what=what[: ChildListAccess.WHAT_LENGTH], children=children
        )


@transaction.atomic
def allocations_end(*, worker: User, reason: str) -> int:
    """End the worker's allocations: as a child's allocated worker (the open Allocation ends
    today, and the child is unallocated) and as an agency's lead worker. Each record's history
    says why ("Allocation ended: the worker moved agency"). Returns how many records changed."""
    why = f"Allocation ended: the worker {reason}"
    day = today()
    changed = 0
    # Children first, as allocation_change locks them, so the two wait rather than deadlock.
    children = list(
        Child.objects.select_for_update().filter(allocated_worker=worker).order_by("pk")
    )
    open_allocations = Allocation.objects.select_for_update().filter(
        worker=worker, ended_on__isnull=True
    )
    for allocation in open_allocations:
        allocation.ended_on = max(day, allocation.started_on)
        allocation.end_note = why
        attributed(allocation, reason=why)
        allocation.save(update_fields=["ended_on", "end_note"])
    for child in children:
        child.allocated_worker = None
        child.version += 1
        attributed(child, reason=why)
        child.save(update_fields=["allocated_worker", "version"])
        changed += 1
    for involvement in Involvement.objects.select_for_update().filter(lead_worker=worker):
        involvement.lead_worker = None
        involvement.version += 1
        attributed(involvement, reason=why)
        involvement.save(update_fields=["lead_worker", "version"])
        changed += 1
    return changed


# The allocation the form was opened with is not checked (a command, the demo data).
UNCHECKED = object()


@transaction.atomic
def allocation_change(
    *,
    child: Child,
    worker: User | None,
    started_on: date,
    reason: str,
    by: User | None = None,
    note: str = "",
    expected_open: int | None | object = UNCHECKED,
) -> Allocation | None:
    """The one way a child's allocated worker changes: the open allocation ends on
    `started_on` and `worker`'s begins (none when `worker` is None: the child is then
    unallocated), and `child.allocated_worker` follows, in one transaction.

    The child's row is locked first, so two changes of one child run one after the other.
    `expected_open` is the open allocation's id (or None) the person saw when they chose:
    if someone changed it since, nothing is saved and the ValidationError says who is
    allocated now (a double submit of one form is caught before this, by its one-time
    token). The database's one-open-allocation constraint stands behind both."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    current = locked.allocations.filter(ended_on__isnull=True).select_related("worker").first()
    if expected_open is not UNCHECKED and (current.pk if current else None) != expected_open:
        now = (
            f"{current.worker} since {long_date(current.started_on)}"
            if current
            else "nobody is allocated"
        )
        raise ValidationError(
            "Someone changed the allocated worker after you opened this page: now "
            f"{now}. Check this is still the change to make"
        )
    if worker is not None and not (worker.is_active and worker.agency.is_childrens_social_care):
        # Allocation gives sight of the child: only the statutory service's staff hold one.
        raise ValidationError({"worker": "Select a worker in children's social care"})
    if worker is None and current is None:
        raise ValidationError({"worker": "This child has no allocated worker to end"})
    if worker is not None and current is not None and current.worker_id == worker.pk:
        raise ValidationError({"worker": f"{worker} is already the allocated worker"})
    if started_on > today():
        raise ValidationError({"started_on": "Date of the change must be today or in the past"})
    if current is not None and started_on < current.started_on:
        raise ValidationError(
            {
                "started_on": "Date of the change must be on or after "
                f"{long_date(current.started_on)}, when the current allocation began"
            }
        )
    if not locked.allocations.exists():
        reason = Allocation.Reason.FIRST  # nothing changed from: the child's first worker
    elif reason == Allocation.Reason.FIRST:
        raise ValidationError(
            {"reason": "This child has had an allocated worker before: select why it changed"}
        )
    label = Allocation.Reason(reason).label
    if current is not None:
        current.ended_on = started_on
        if worker is None:
            current.end_note = label
        attributed(current, user=by, reason=f"Allocation ended: {label.lower()}")
        current.save(update_fields=["ended_on", "end_note"])
    allocation = None
    if worker is not None:
        allocation = Allocation(
            child=locked,
            worker=worker,
            team_id=worker.team_id,
            started_on=started_on,
            reason=reason,
            note=note,
            recorded_by=by,
        )
        allocation.full_clean()
        attributed(allocation, user=by, reason=label)
        allocation.save()
    locked.allocated_worker = worker
    locked.version += 1
    attributed(locked, user=by, reason=f"Allocated worker changed: {label.lower()}")
    locked.save(update_fields=["allocated_worker", "version"])
    child.allocated_worker, child.version = worker, locked.version
    return allocation


@transaction.atomic
def cin_plan_start(
    *, plan: ChildInNeedPlan, informed_by_tools: Sequence[str] = (), user: User | None = None
) -> ChildInNeedPlan:
    plan.full_clean()
    plan.save()
    informed_by.record(plan, keys=informed_by_tools, on=plan.start_date, user=user)
    return plan


R = TypeVar("R", bound=PlanReview)


@transaction.atomic
def plan_review_record(
    *, review: R, informed_by_tools: Sequence[str] = (), user: User | None = None
) -> R:
    """A CP or CIN plan review, and the tools that informed it (each as it stood on the review
    date)."""
    review.full_clean()
    review.save()
    informed_by.record(review, keys=informed_by_tools, on=review.review_date, user=user)
    return review
