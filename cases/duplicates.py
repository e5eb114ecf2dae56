"""Possible duplicate children: flagged when children arrive (a census import, a partner's
referral of a new child, a child added or changed by children's social care) and decided by
children's social care, as "not the same child" (kept, so never flagged again) or a merge.

Two tests, under two LA child ids: the same name and date of birth (given and family names
compared trimmed, case- and accent-insensitively), or the same UPN (the DfE unique pupil
number, from the census). The census carries no names, so an imported child is matched by
name once the portal knows it, and by UPN at once.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from neglect_portal.dates import long_date, today
from neglect_portal.models import User
from neglect_portal.records.history import attributed

from .codes import Sex
from .models import AccessLog, Child, ChildMerge, ChildProtectionPlan, PossibleDuplicate

BATCH_SIZE = 1000
FOUND_REASON = "Possible duplicate found"
# The child's details the survivor takes from the other child when it has none of its own.
FILLED_FROM_OTHER = (
    "given_name",
    "family_name",
    "date_of_birth",
    "expected_date_of_birth",
    "sex",
    "ethnicity",
    "date_of_death",
    "allocated_worker",
    "upn",
)


class DecisionRefused(Exception):
    """A decision that cannot be made as asked; `message` says why, for the page. `gone`: the
    pair itself is no more, as another merge found it the same as one of the survivor's."""

    def __init__(self, message: str, *, gone: bool = False):
        super().__init__(message)
        self.message = message
        self.gone = gone


GONE = (
    "One of these children was merged with another child while you were deciding, so this "
    "pair is no longer listed"
)


def _locked_flag(flag_id: int) -> PossibleDuplicate:
    try:
        return PossibleDuplicate.objects.select_for_update().get(pk=flag_id)
    except PossibleDuplicate.DoesNotExist:
        raise DecisionRefused(GONE, gone=True) from None


# Letters that carry no accent to strip, written as people without them type them.
_LATIN = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "æ": "ae", "œ": "oe"}
)
_APOSTROPHES = "'\u2018\u2019\u02bc`"


def _plain(text: str) -> str:
    """A name as typed by different hands compares equal: case, accents, spacing, hyphens or
    dashes, apostrophes straight or curly, and invisible characters pasted in do not count."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for c in decomposed:
        category = unicodedata.category(c)
        if unicodedata.combining(c) or category == "Cf" or c in _APOSTROPHES:
            continue
        kept.append(" " if category == "Pd" else c)
    return " ".join("".join(kept).casefold().translate(_LATIN).split())


def name_key(given_name: str, family_name: str) -> tuple[str, str] | None:
    """The name as compared; None for a child without both names, who cannot be matched."""
    given, family = _plain(given_name or ""), _plain(family_name or "")
    return (given, family) if given and family else None


# Finding ---------------------------------------------------------------------------------


@transaction.atomic
def duplicates_flag(*, child_ids: Iterable[int]) -> list[PossibleDuplicate]:
    """Flag every child sharing a name and date of birth with one of `child_ids`; returns
    the new flags. A few queries per thousand children, whatever their number."""
    ids = sorted(set(child_ids))
    found: list[PossibleDuplicate] = []
    for start in range(0, len(ids), BATCH_SIZE):
        found += _flag_batch(ids[start : start + BATCH_SIZE])
    return found


def _flag_batch(ids: list[int]) -> list[PossibleDuplicate]:
    pairs = {pair: PossibleDuplicate.Reason.SAME_UPN for pair in _same_upn(ids)}
    for pair in _same_name_and_birth(ids):
        pairs.setdefault(pair, PossibleDuplicate.Reason.NAME_AND_BIRTH)
    if not pairs:
        return []
    known = set(
        PossibleDuplicate.objects.filter(
            child_a__in={a for a, _ in pairs}, child_b__in={b for _, b in pairs}
        ).values_list("child_a", "child_b")
    )
    new = [
        PossibleDuplicate(child_a_id=a, child_b_id=b, reason=pairs[(a, b)])
        for a, b in sorted(set(pairs) - known)
    ]
    if new:
        bulk_create_with_history(new, PossibleDuplicate, default_change_reason=FOUND_REASON)
    return new


def _pairs(groups: Iterable[list[int]], wanted: set[int]) -> set[tuple[int, int]]:
    """Each pair within a group that has one of `wanted` in it, lower id first."""
    return {
        pair
        for group in groups
        for pair in combinations(sorted(group), 2)
        if wanted.intersection(pair)
    }


def _same_name_and_birth(ids: list[int]) -> set[tuple[int, int]]:
    # Names are compared in Python, as accent-insensitive comparison differs between SQLite
    # and PostgreSQL; the indexed date of birth narrows the candidates to a few per child.
    # Children without both names cannot match; leaving them out in the database keeps a
    # census import (whose file has no names) from reading back every child it wrote.
    named = Child.objects.exclude(given_name="").exclude(family_name="")
    births = named.filter(pk__in=ids, date_of_birth__isnull=False).values("date_of_birth")
    rows = (
        named.filter(date_of_birth__in=births)
        .order_by()
        .values_list("pk", "given_name", "family_name", "date_of_birth")
    )
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, given, family, born in rows:
        key = name_key(given, family)
        if key is not None:
            groups[(key, born)].append(pk)
    return _pairs(groups.values(), set(ids))


def _same_upn(ids: list[int]) -> set[tuple[int, int]]:
    with_upn = Child.objects.exclude(upn="")
    rows = (
        with_upn.filter(upn__in=with_upn.filter(pk__in=ids).values("upn"))
        .order_by()
        .values_list("pk", "upn")
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for pk, upn in rows:
        groups[upn].append(pk)
    return _pairs(groups.values(), set(ids))


# Reading ---------------------------------------------------------------------------------


def open_duplicates(flags: QuerySet[PossibleDuplicate]) -> QuerySet[PossibleDuplicate]:
    """The flags still to decide, oldest last, with both children, for the list."""
    return flags.filter(status=PossibleDuplicate.Status.OPEN).select_related("child_a", "child_b")


def pair_children(flag: PossibleDuplicate) -> list[Child]:
    """The flag's children, with what the pair page compares, in one query."""
    return list(
        Child.objects.filter(pk__in=[flag.child_a_id, flag.child_b_id])
        .select_related("allocated_worker")
        .annotate(
            referral_count=models.Count("referrals", distinct=True),
            first_referral=models.Min("referrals__referral_date"),
            involvement_count=models.Count("involvements", distinct=True),
        )
        .order_by("pk")
    )


# Deciding --------------------------------------------------------------------------------


def decided_message(flag: PossibleDuplicate) -> str:
    """What a second decision on a decided pair is told (two people deciding at once)."""
    on = long_date(timezone.localdate(flag.decided_at))
    if flag.status == PossibleDuplicate.Status.MERGED:
        return f"These children were already merged, by {flag.decided_by} on {on}"
    return f"{flag.decided_by} already decided these are not the same child, on {on}"


def _refuse_unless_open(flag: PossibleDuplicate, expected_version: int) -> None:
    if not flag.is_open:
        raise DecisionRefused(decided_message(flag))
    if flag.version != expected_version:
        raise DecisionRefused(
            "The children in this pair changed after you opened this page. Check them again "
            "before you decide"
        )


def _decide(flag: PossibleDuplicate, status: str, user: User, reason: str) -> None:
    flag.status = status
    flag.decided_by = user
    flag.decided_at = timezone.now()
    flag.version += 1
    attributed(flag, user=user, reason=reason)
    flag.save()


@transaction.atomic
def duplicate_not_the_same(*, flag_id: int, expected_version: int, user: User) -> PossibleDuplicate:
    """Record that the two children are different children: the flag is kept, closed."""
    flag = _locked_flag(flag_id)
    _refuse_unless_open(flag, expected_version)
    _decide(flag, PossibleDuplicate.Status.NOT_THE_SAME, user, "Not the same child")
    return flag


@transaction.atomic
def duplicate_merge(*, flag_id: int, survivor_id: int, expected_version: int, user: User) -> Child:
    """Merge the pair into the surviving child: every record about the other child, and its
    records' history, moves to the survivor, which takes any details it lacks; the other child
    is then deleted. Both children's history says so. All or nothing."""
    pair = PossibleDuplicate.objects.values_list("child_a", "child_b").filter(pk=flag_id).first()
    if pair is None:
        raise DecisionRefused(GONE, gone=True)
    # Children first, then the flag, in one order for every merge: a merge also changes the
    # other flags of the child it deletes, so two merges sharing a child wait for each other
    # here rather than deadlock.
    children = {
        c.pk: c
        for c in Child.objects.select_for_update()
        .filter(pk__in=[p for p in pair if p])
        .order_by("pk")
    }
    flag = _locked_flag(flag_id)
    _refuse_unless_open(flag, expected_version)
    if len(children) != 2 or (flag.child_a_id, flag.child_b_id) != pair:
        raise DecisionRefused(
            "The children in this pair changed after you opened this page. Check them again "
            "before you decide"
        )
    if survivor_id not in children:
        raise DecisionRefused("Select the child whose record you keep")
    survivor = children.pop(survivor_id)
    merged = children.popitem()[1]
    _refuse_clashes(survivor, merged)
    _end_second_open_allocation(survivor, merged, user)
    moved_log = list(AccessLog.objects.filter(child=merged).values_list("pk", flat=True))
    _move_records(Child, keep=survivor, drop=merged, user=user, reason=_merged_into(survivor))
    _refuse_overlapping_cp_plans(survivor)
    _repoint_flags(survivor, merged, flag, user)
    flag.merged_away = merged.la_child_id
    _decide(flag, PossibleDuplicate.Status.MERGED, user, f"Merged into {survivor.la_child_id}")
    for name in FILLED_FROM_OTHER:
        if _missing(name, getattr(survivor, name)) and not _missing(name, getattr(merged, name)):
            setattr(survivor, name, getattr(merged, name))
    if not survivor.disabilities:
        survivor.disabilities = merged.disabilities
    survivor.version += 1
    attributed(survivor, user=user, reason=f"Merged with child {merged.la_child_id}")
    survivor.save()
    ChildMerge.objects.create(
        merged_la_child_id=merged.la_child_id,
        survivor=survivor,
        merged_by=user,
        access_log_moved=moved_log,
    )
    attributed(merged, user=user, reason=_merged_into(survivor))
    merged.delete()
    return survivor


def _end_second_open_allocation(survivor: Child, merged: Child, user: User) -> None:
    """A child has one allocated worker: the survivor keeps its own (as it keeps its other
    details), and the merged child's allocation ends today, its history kept."""
    if not survivor.allocations.filter(ended_on__isnull=True).exists():
        return
    why = _merged_into(survivor)
    for allocation in merged.allocations.select_for_update().filter(ended_on__isnull=True):
        allocation.ended_on = max(today(), allocation.started_on)
        allocation.end_note = why
        attributed(allocation, user=user, reason=why)
        allocation.save(update_fields=["ended_on", "end_note"])


def _missing(name: str, value: Any) -> bool:
    # Sex is never empty: "not known" is its default, and a known sex should win over it.
    return value in (None, "") or (name == "sex" and value == Sex.UNKNOWN)


def _merged_into(survivor: Child) -> str:
    return f"Merged into child {survivor.la_child_id}"


def _reverse_relations(model: type[models.Model]) -> list[Any]:
    """Every foreign key and one-to-one field pointing at `model`. Not
    `_meta.related_objects`: it leaves out relations named "+" (a plan's child, the
    toolkit's tools) and every historical table, whose rows must move too."""
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        # The flags are re-pointed by _repoint_flags, and their history keeps the pair as it was.
        and field.related_model not in (PossibleDuplicate, PossibleDuplicate.history.model)
    ]
    # One-to-one records first: deleting a merged one writes a history row, which must move.
    return sorted(relations, key=lambda field: not field.one_to_one)


def _refuse_clashes(survivor: Child, merged: Child) -> None:
    """Records the database would refuse to hold for one child, such as two referrals on one
    date, are named before anything moves."""
    for relation in _reverse_relations(Child):
        related, name = relation.related_model, relation.field.name
        unique_sets = [
            *(getattr(c, "fields", ()) for c in related._meta.constraints),
            *related._meta.unique_together,
        ]
        for fields in unique_sets:
            if name not in fields:
                continue
            others = [f for f in fields if f != name]
            manager = related._base_manager
            kept = set(manager.filter(**{name: survivor}).values_list(*others))
            if kept & set(manager.filter(**{name: merged}).values_list(*others)):
                what = " and ".join(str(related._meta.get_field(f).verbose_name) for f in others)
                raise DecisionRefused(
                    f"Both children have {related._meta.verbose_name_plural} with the same "
                    f"{what}. Change or remove one of them, then merge the children"
                )


def _move_records(
    model: type[models.Model], *, keep: models.Model, drop: models.Model, user: User, reason: str
) -> None:
    """Point every row that points at `drop` at `keep` instead: records and their historical
    rows, so each record's history stays whole under the survivor. A one-to-one record both
    have (the impact chronology) is merged the same way, and the dropped one deleted.

    Queryset updates, not saves: the access log refuses any save of a row it holds, and
    rightly, but a merge changes no entry (who opened the record, and when, stay as written);
    it says whose record it now is, so the survivor's log shows everyone who opened either."""
    for relation in _reverse_relations(model):
        related, name = relation.related_model, relation.field.name
        rows = related._base_manager.filter(**{name: drop})
        if relation.one_to_one:
            kept = related._base_manager.filter(**{name: keep}).first()
            dropped = rows.first()
            if kept is not None and dropped is not None:
                _move_records(related, keep=kept, drop=dropped, user=user, reason=reason)
                attributed(dropped, user=user, reason=reason).delete()
                continue
        rows.update(**{name: keep})


def _refuse_overlapping_cp_plans(survivor: Child) -> None:
    for plan in ChildProtectionPlan.objects.filter(child=survivor).select_related("referral"):
        if plan.overlapping_plans().exists():
            raise DecisionRefused(
                "Both children have child protection plans in the same dates. End or change "
                "one of them, then merge the children"
            )


def _repoint_flags(survivor: Child, merged: Child, decided: PossibleDuplicate, user: User) -> None:
    """The merged child's other flags become the survivor's. Where the survivor already has
    a flag with the same child, that one is kept, taking a "not the same child" decision."""
    flags = list(
        PossibleDuplicate.objects.select_for_update()
        .filter(Q(child_a__in=[survivor.pk, merged.pk]) | Q(child_b__in=[survivor.pk, merged.pk]))
        .exclude(pk=decided.pk)
    )
    theirs = {}
    for flag in flags:
        if survivor.pk in (flag.child_a_id, flag.child_b_id):
            other = flag.child_b_id if flag.child_a_id == survivor.pk else flag.child_a_id
            theirs[other] = flag
    reason = f"Child {merged.la_child_id} merged into {survivor.la_child_id}"
    for flag in flags:
        if survivor.pk in (flag.child_a_id, flag.child_b_id):
            continue
        other = flag.child_b_id if flag.child_a_id == merged.pk else flag.child_a_id
        twin = theirs.get(other) if other is not None else None
        if twin is not None:
            if flag.status == PossibleDuplicate.Status.NOT_THE_SAME and twin.is_open:
                twin.status, twin.decided_by_id, twin.decided_at = (
                    flag.status,
                    flag.decided_by_id,
                    flag.decided_at,
                )
                twin.version += 1
                attributed(twin, user=user, reason=reason).save()
            attributed(flag, user=user, reason=reason).delete()
            continue
        if other is None:
            # A pair merged before, in which the child now merged away had survived.
            flag.child_a_id, flag.child_b_id = (
                (survivor.pk, None) if flag.child_a_id == merged.pk else (None, survivor.pk)
            )
        else:
            flag.child_a_id, flag.child_b_id = sorted((survivor.pk, other))
        flag.version += 1
        attributed(flag, user=user, reason=reason).save()
