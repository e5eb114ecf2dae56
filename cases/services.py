"""Writes to case records. Each is atomic; edits of versioned records refuse stale saves."""

import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from neglect_portal.models import User
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import record_update

from . import informed_by
from .duplicates import duplicates_flag
from .models import (
    AccessLog,
    Child,
    ChildInNeedPlan,
    ChildListAccess,
    ChildProtectionPlan,
    CINPlanReview,
    CPReview,
    Involvement,
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


def child_opened(*, child: Child, user: User) -> None:
    AccessLog.objects.create(child=child, user=user)


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
    """End the worker's allocations: as a child's allocated worker and as an agency's lead
    worker. Each record's history says why ("Allocation ended: the worker moved agency").
    Returns how many records changed."""
    why = f"Allocation ended: the worker {reason}"
    changed = 0
    for model, field in ((Child, "allocated_worker"), (Involvement, "lead_worker")):
        for record in model.objects.select_for_update().filter(**{field: worker}):
            setattr(record, field, None)
            record.version += 1
            attributed(record, reason=why)
            record.save(update_fields=[field, "version"])
            changed += 1
    return changed


@transaction.atomic
def cin_plan_start(
    *, plan: ChildInNeedPlan, informed_by_tools: Sequence[str] = (), user: User | None = None
) -> ChildInNeedPlan:
    plan.full_clean()
    plan.save()
    informed_by.record(plan, keys=informed_by_tools, on=plan.start_date, user=user)
    return plan


@transaction.atomic
def cp_review_record(
    *, review: CPReview, informed_by_tools: Sequence[str] = (), user: User | None = None
) -> CPReview:
    """A CP review, and the tools that informed it (each as it stood on the review date)."""
    review.full_clean()
    review.save()
    informed_by.record(review, keys=informed_by_tools, on=review.review_date, user=user)
    return review


@transaction.atomic
def cin_plan_review_record(
    *, review: CINPlanReview, informed_by_tools: Sequence[str] = (), user: User | None = None
) -> CINPlanReview:
    review.full_clean()
    review.save()
    informed_by.record(review, keys=informed_by_tools, on=review.review_date, user=user)
    return review
