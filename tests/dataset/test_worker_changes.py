"""WORKER_CHANGES_12M at its boundaries (kpi-definitions.md, definitions version 2): of the
children with a CP or CIN plan open at E, those with three or more changes of allocated worker
dated in (E - 12 months, E]; the first allocation is not a change."""

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from dataset.computation import compute, members
from neglect_portal.quarters import Quarter
from tests.dataset.builders import cin_plan, cp_plan
from tests.factories import AllocationFactory, ChildFactory

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024
E = Q1.end
YEAR_BEFORE = E - relativedelta(months=12)  # 30 June 2023: not inside the window
DAY = timedelta(days=1)
CODE = "WORKER_CHANGES_12M"

pytestmark = pytest.mark.django_db


def fraction(quarter=Q1):
    """(numerator, denominator), after checking the drill-down lists hold what is counted."""
    result = compute(quarter, codes=[CODE])[CODE]
    numerator, denominator = members(CODE, quarter)
    assert numerator.count() == result.numerator
    assert denominator.count() == result.denominator
    return result.numerator, result.denominator


def allocations(child, *starts):
    """One allocation per start date, each ending as the next begins (the last left open)."""
    starts = sorted(starts)
    for start, following in zip(starts, [*starts[1:], None][: len(starts)], strict=True):
        AllocationFactory(child=child, started_on=start, ended_on=following)


def on_plan(**child):
    child = ChildFactory(**child)
    cp_plan(child, date(2022, 1, 1))
    return child


def test_three_changes_in_the_year_count_and_the_first_allocation_does_not():
    counted, first_is_not_a_change = on_plan(), on_plan()
    allocations(counted, date(2022, 1, 1), E - 200 * DAY, E - 100 * DAY, E - 10 * DAY)
    # Three allocations in the year, but the first is the child's first: two changes.
    allocations(first_is_not_a_change, E - 300 * DAY, E - 200 * DAY, E - 100 * DAY)
    assert fraction() == (1, 2)


def test_a_change_exactly_twelve_months_before_e_is_outside_and_the_next_day_inside():
    outside, inside = on_plan(), on_plan()
    allocations(outside, date(2022, 1, 1), YEAR_BEFORE, E - 100 * DAY, E - 10 * DAY)
    allocations(inside, date(2022, 1, 1), YEAR_BEFORE + DAY, E - 100 * DAY, E - 10 * DAY)
    assert fraction() == (1, 2)
    assert list(members(CODE, Q1)[0]) == [inside]


def test_a_change_on_e_counts_and_one_the_day_after_does_not():
    on_e, after_e = on_plan(), on_plan()
    allocations(on_e, date(2022, 1, 1), E - 100 * DAY, E - 10 * DAY, E)
    allocations(after_e, date(2022, 1, 1), E - 100 * DAY, E - 10 * DAY, E + DAY)
    assert fraction() == (1, 2)
    assert list(members(CODE, Q1)[0]) == [on_e]


def test_two_allocations_begun_on_one_day_are_a_change_but_only_after_the_first():
    child = on_plan()
    first = AllocationFactory(child=child, started_on=E - 50 * DAY, ended_on=E - 50 * DAY)
    AllocationFactory(child=child, started_on=E - 50 * DAY, ended_on=E - 20 * DAY)
    AllocationFactory(child=child, started_on=E - 20 * DAY, ended_on=E - 5 * DAY)
    AllocationFactory(child=child, started_on=E - 5 * DAY)
    assert first.started_on == E - 50 * DAY
    assert fraction() == (1, 1)  # three changes after the first allocation, all in the year


def test_children_on_cin_plans_count_and_children_off_plans_do_not():
    on_cin, closed_plan, never = ChildFactory(), ChildFactory(), ChildFactory()
    cin_plan(on_cin, date(2023, 1, 1), neglect=False)  # any CIN plan, not only neglect ones
    cp_plan(closed_plan, date(2023, 1, 1), E)  # ended on E: not open at E
    for child in (on_cin, closed_plan, never):
        allocations(child, date(2022, 1, 1), E - 90 * DAY, E - 60 * DAY, E - 30 * DAY)
    assert fraction() == (1, 1)


def test_a_child_on_both_plans_is_counted_once():
    child = ChildFactory()
    cp_plan(child, date(2023, 1, 1))
    cin_plan(child, date(2023, 2, 1))
    allocations(child, date(2022, 1, 1), E - 90 * DAY, E - 60 * DAY, E - 30 * DAY)
    assert fraction() == (1, 1)


def test_no_children_on_plans_gives_no_value_rather_than_zero():
    figure = compute(Q1, codes=[CODE])[CODE]
    assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)


def test_a_fourth_quarters_year_runs_from_the_first_of_april():
    """E = 31 March 2024; 12 months before is 31 March 2023, so 1 April 2023 is inside."""
    quarter = Quarter(2023, 4)
    child = on_plan()
    allocations(child, date(2022, 1, 1), date(2023, 4, 1), date(2023, 9, 1), date(2024, 3, 31))
    assert fraction(quarter) == (1, 1)


def test_the_indicator_page_and_drill_down_list_the_children_behind_it(client, csc, administrator):
    often = on_plan(given_name="Oft", family_name="Changed")
    seldom = on_plan(given_name="Rare", family_name="Changed")
    allocations(often, date(2022, 1, 1), E - 90 * DAY, E - 60 * DAY, E - 30 * DAY)
    allocations(seldom, date(2022, 1, 1), E - 30 * DAY)
    client.force_login(administrator)  # children's social care: may see every child

    page = client.get(reverse("dataset:indicator", args=[Q1.slug, CODE])).content.decode()
    assert "the first allocation is not a change" in page

    def names(which):
        response = client.get(reverse("dataset:members", args=[Q1.slug, CODE, which]))
        assert response.status_code == 200
        return sorted(re.findall(r'href="/children/\d+/">([^<]+)</a>', response.content.decode()))

    assert names("numerator") == ["Oft Changed"]
    assert names("denominator") == ["Oft Changed", "Rare Changed"]
