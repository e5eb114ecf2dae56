from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neglect_portal.quarters import FIRST_YEAR, LAST_YEAR, Quarter


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (Quarter(2024, 1), date(2024, 4, 1), date(2024, 6, 30)),
        (Quarter(2024, 2), date(2024, 7, 1), date(2024, 9, 30)),
        (Quarter(2024, 3), date(2024, 10, 1), date(2024, 12, 31)),
        (Quarter(2024, 4), date(2025, 1, 1), date(2025, 3, 31)),
    ],
)
def test_financial_quarters_run_april_to_march(quarter, start, end):
    assert (quarter.start, quarter.end) == (start, end)


def test_labels_and_slugs_name_the_financial_year():
    quarter = Quarter(2024, 1)
    assert quarter.label == "2024-25 Q1" == str(quarter)
    assert quarter.slug == "2024-25-Q1"
    assert Quarter(1999, 4).label == "1999-00 Q4"


@pytest.mark.parametrize("slug", ["2024-25-Q1", "2024-25-Q4", "1999-00-Q2"])
def test_a_slug_parses_back_to_its_quarter(slug):
    assert Quarter.parse(slug).slug == slug


@pytest.mark.parametrize(
    "bad",
    [
        # The label ("2024-25 Q1") and surrounding spaces are accepted: see
        # tests/neglect_portal/test_quarters.py.
        "",
        "2024-25",
        "2024-25-Q5",
        "2024-25-Q0",
        "2024-26-Q1",
        "2024-24-Q1",
        "24-25-Q1",
        "2024-25-q1",
        None,
        2024,
    ],
)
def test_anything_else_is_refused_with_a_value_error(bad):
    with pytest.raises(ValueError, match="not a quarter"):
        Quarter.parse(bad)


@pytest.mark.parametrize(("year", "number"), [(2024, 0), (2024, 5), (0, 1), ("2024", 1)])
def test_impossible_quarters_cannot_be_made(year, number):
    with pytest.raises(ValueError):
        Quarter(year, number)


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2024, 4, 1), Quarter(2024, 1)),
        (date(2024, 3, 31), Quarter(2023, 4)),
        (date(2024, 2, 29), Quarter(2023, 4)),
        (date(2024, 6, 30), Quarter(2024, 1)),
        (date(2024, 7, 1), Quarter(2024, 2)),
        (date(2024, 12, 31), Quarter(2024, 3)),
        (date(2025, 1, 1), Quarter(2024, 4)),
    ],
)
def test_containing_finds_the_quarter_of_a_day(day, quarter):
    assert Quarter.containing(day) == quarter


def test_previous_and_next_cross_financial_years():
    assert Quarter(2024, 1).previous() == Quarter(2023, 4)
    assert Quarter(2023, 4).next() == Quarter(2024, 1)
    assert Quarter(2024, 2).next() == Quarter(2024, 3)
    assert Quarter(2024, 1).same_quarter_last_year() == Quarter(2023, 1)


def test_quarters_order_chronologically():
    assert Quarter(2023, 4) < Quarter(2024, 1) < Quarter(2024, 2)
    assert sorted([Quarter(2024, 1), Quarter(2023, 4), Quarter(2023, 1)]) == [
        Quarter(2023, 1),
        Quarter(2023, 4),
        Quarter(2024, 1),
    ]
    assert Quarter(2024, 1).last(3) == [Quarter(2023, 3), Quarter(2023, 4), Quarter(2024, 1)]


def test_a_leap_year_q4_has_29_february():
    assert Quarter(2023, 4).days == 31 + 29 + 31
    assert Quarter(2024, 4).days == 31 + 28 + 31


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (date(2024, 7, 1), Quarter(2024, 1)),  # the day after E: Q1 is complete
        (date(2024, 6, 30), Quarter(2023, 4)),  # on E itself the quarter is still running
        (date(2024, 4, 1), Quarter(2023, 4)),
        (date(2025, 1, 15), Quarter(2024, 3)),
    ],
)
def test_latest_complete_is_the_last_quarter_whose_end_has_passed(today, quarter):
    assert Quarter.latest_complete(today) == quarter


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9990, 12, 31)))
def test_every_day_is_in_exactly_one_quarter_and_quarters_tile_the_calendar(day):
    quarter = Quarter.containing(day)
    assert quarter.start <= day <= quarter.end
    assert quarter.next().start == quarter.end + timedelta(days=1)
    assert quarter.previous().next() == quarter
    if FIRST_YEAR <= quarter.start_year <= LAST_YEAR:
        assert Quarter.parse(quarter.slug) == quarter
    else:  # a year nobody may name in an address, a form or a command
        with pytest.raises(ValueError):
            Quarter.parse(quarter.slug)
