from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neglect_portal.quarters import FIRST_YEAR, LAST_YEAR, Quarter


def test_q1_runs_from_april_to_june():
    quarter = Quarter(2024, 1)
    assert (quarter.start, quarter.end) == (date(2024, 4, 1), date(2024, 6, 30))


def test_q4_is_january_to_march_of_the_next_calendar_year():
    quarter = Quarter(2024, 4)
    assert (quarter.start, quarter.end) == (date(2025, 1, 1), date(2025, 3, 31))


def test_labels_and_slugs_follow_the_kpi_definitions():
    assert Quarter(2024, 1).label == "2024-25 Q1"
    assert Quarter(2024, 1).slug == "2024-25-Q1"
    assert Quarter(1999, 3).label == "1999-00 Q3"
    assert str(Quarter(2026, 2)) == "2026-27 Q2"


def test_parse_reads_the_slug_and_the_label():
    assert Quarter.parse("2024-25-Q1") == Quarter(2024, 1)
    assert Quarter.parse("2024-25 Q4") == Quarter(2024, 4)


@pytest.mark.parametrize(
    "bad",
    [
        "2024-26-Q1",
        "2024-25-Q5",
        "2024-25-Q0",
        "2024-Q1",
        "",
        "24-25-Q1",
        "2024-25-q1x",
        "next quarter",
        "0001-02-Q1",
        "1989-90-Q4",
        "2101-02-Q1",
        "\u0662\u0660\u0662\u0664-\u0662\u0665-Q1",  # 2024-25 in Arabic-Indic digits
    ],
)
def test_parse_refuses_anything_that_is_not_a_quarter(bad):
    with pytest.raises(ValueError):
        Quarter.parse(bad)


def test_parse_accepts_the_first_and_last_named_years():
    assert Quarter.parse("1990-91-Q1") == Quarter(1990, 1)
    assert Quarter.parse("2100-01-Q4") == Quarter(2100, 4)


def test_containing_finds_the_financial_quarter_of_a_day():
    assert Quarter.containing(date(2026, 11, 25)) == Quarter(2026, 3)
    assert Quarter.containing(date(2026, 3, 31)) == Quarter(2025, 4)
    assert Quarter.containing(date(2026, 4, 1)) == Quarter(2026, 1)


def test_previous_and_next_cross_financial_years():
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)


def test_quarters_order_in_time():
    assert sorted([Quarter(2025, 1), Quarter(2024, 4), Quarter(2024, 1)]) == [
        Quarter(2024, 1),
        Quarter(2024, 4),
        Quarter(2025, 1),
    ]


def test_between_lists_every_overlapping_quarter():
    assert Quarter.between(date(2026, 5, 1), date(2026, 12, 1)) == [
        Quarter(2026, 1),
        Quarter(2026, 2),
        Quarter(2026, 3),
    ]


def test_a_quarter_numbered_outside_one_to_four_is_refused():
    with pytest.raises(ValueError):
        Quarter(2024, 5)


days = st.dates(min_value=date(1901, 1, 1), max_value=date(2998, 12, 31))
# The days of the financial years a person may name (Quarter.parse refuses the rest).
named_days = st.dates(min_value=date(FIRST_YEAR, 4, 1), max_value=date(LAST_YEAR + 1, 3, 31))


@given(days)
def test_every_day_lies_inside_the_quarter_containing_it(day):
    quarter = Quarter.containing(day)
    assert quarter.start <= day <= quarter.end


@given(days)
def test_quarters_tile_time_without_gaps(day):
    quarter = Quarter.containing(day)
    assert quarter.next().start == quarter.end + timedelta(days=1)
    assert quarter.next().previous() == quarter


@given(named_days)
def test_slugs_round_trip_and_sort_like_quarters(day):
    quarter, later = Quarter.containing(day), Quarter.containing(day + timedelta(days=100))
    assert Quarter.parse(quarter.slug) == quarter
    assert (quarter.slug < later.slug) == (quarter < later)
