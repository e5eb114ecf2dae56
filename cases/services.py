"""Writes to case records. Each is atomic; edits of versioned records refuse stale saves."""

import secrets

from django.db import IntegrityError, transaction

from neglect_portal.models import AccessLog

from .models import Child, ChildProtectionPlan, Referral, Versioned


class StaleEdit(Exception):
    """Someone saved the record after this user opened it; `current` is what they saved."""

    def __init__(self, current):
        super().__init__("The record changed after the form was opened.")
        self.current = current


@transaction.atomic
def record_update(instance: Versioned, *, expected_version: int) -> Versioned:
    """Save an edited record only if nobody else saved it since `expected_version` was read."""
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    instance.version = current.version + 1
    instance.save()
    return instance


@transaction.atomic
def cp_plan_start(*, plan: ChildProtectionPlan) -> ChildProtectionPlan:
    """Start a CP plan; the child's row is locked so two overlapping plans cannot both pass."""
    Child.objects.select_for_update().get(pk=plan.referral.child_id)
    plan.latest_category = plan.latest_category or plan.initial_category
    plan.full_clean()
    plan.save()
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
def referral_for_new_child(*, child: Child, referral: Referral, user) -> Referral:
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
    return referral


def child_opened(*, child: Child, user) -> None:
    AccessLog.objects.create(child=child, user=user)
