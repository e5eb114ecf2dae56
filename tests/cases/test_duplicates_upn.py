"""Possible duplicates by unique pupil number: one child under two LA child ids."""

import pytest

from cases.census_import import import_census
from cases.duplicates import duplicates_flag
from cases.models import Child, PossibleDuplicate
from tests.cases.census_xml import census_xml, child_xml
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


UPN = "A123456789012"  # its check letter is right (DfE rule 1510)


def census(tmp_path, children):
    path = tmp_path / "census.xml"
    path.write_text(census_xml(children))
    return path


def test_a_census_child_with_the_upn_of_a_child_already_known_is_flagged(tmp_path):
    known = ChildFactory(la_child_id="OLD1", upn=UPN)

    assert import_census(census(tmp_path, child_xml("NEW1", upn=UPN))).ok

    arrived = Child.objects.get(la_child_id="NEW1")
    assert arrived.upn == UPN
    assert reasons() == [(known.pk, arrived.pk, Reason.SAME_UPN)]


def test_two_children_with_one_upn_in_a_file_break_rule_1520(tmp_path):
    result = import_census(census(tmp_path, child_xml("U1", upn=UPN) + child_xml("U2", upn=UPN)))

    assert [(p.child, p.element, p.rule) for p in result.problems] == [("U2", "UPN", "1520")]


@pytest.mark.parametrize(
    ("upn", "rules"),
    [("B123456789012", ["1510"]), ("A1234567X9012", ["1540"]), ("A12345678901I", ["1550"])],
)
def test_a_upn_in_the_wrong_format_breaks_the_dfe_rules_and_is_not_kept(tmp_path, upn, rules):
    result = import_census(census(tmp_path, child_xml("U1", upn=upn)))

    assert [(p.element, p.rule) for p in result.problems] == [("UPN", rule) for rule in rules]
