"""Possible duplicates by unique pupil number: one child under two LA child ids."""

import pytest

from cases.duplicates import duplicates_flag
from cases.models import PossibleDuplicate
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
Reason = PossibleDuplicate.Reason


def reasons():
    return list(PossibleDuplicate.objects.values_list("child_a", "child_b", "reason"))


def test_children_with_the_same_upn_are_flagged_whatever_their_names():
    first = ChildFactory(upn="A123456789012", given_name="Alfie", family_name="Ward")
    second = ChildFactory(upn="A123456789012", given_name="", family_name="")

    duplicates_flag(child_ids=[second.pk])

    assert reasons() == [(first.pk, second.pk, Reason.SAME_UPN)]


def test_children_without_a_upn_or_with_different_ones_are_not_flagged():
    ChildFactory(upn="")
    ChildFactory(upn="A123456789012")
    others = [ChildFactory(upn=""), ChildFactory(upn="B123456789012")]

    duplicates_flag(child_ids=[child.pk for child in others])

    assert reasons() == []


def test_a_pair_matching_on_upn_and_name_is_flagged_once():
    first = ChildFactory(upn="A123456789012", given_name="Alfie", family_name="Ward")
    second = ChildFactory(
        upn="A123456789012",
        given_name="Alfie",
        family_name="Ward",
        date_of_birth=first.date_of_birth,
    )

    duplicates_flag(child_ids=[first.pk, second.pk])
    duplicates_flag(child_ids=[second.pk])

    assert reasons() == [(first.pk, second.pk, Reason.SAME_UPN)]
