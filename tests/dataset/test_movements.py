"""Movement words, thresholds and targets: what emerging themes and the cards say."""

from dataclasses import replace
from decimal import Decimal

import pytest

from dataset import indicators
from dataset.charts import chart
from dataset.movements import (
    change,
    format_value,
    target_status,
    theme,
)

SHARE = indicators.get("CP_NEGLECT_SHARE")  # a percentage, no better direction
REPEAT = indicators.get("CP_SECOND_OR_SUBSEQUENT")  # a percentage, lower is better
SDQS = indicators.get("SDQ_COMPLETED")  # a count, higher is better
WEEKLY = indicators.get("CHRONOLOGY_ENTRIES_WEEKLY")  # a mean


def d(text):
    return Decimal(text)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (d("62.5"), "percentage", "62.5%"),
        (d("0.0"), "percentage", "0.0%"),
        (None, "percentage", "no cases"),
        (d("12.5"), "mean", "12.5 a week"),
        (1234, "count", "1,234"),
        (0, "count", "0"),
    ],
)
def test_values_are_written_as_the_pages_show_them(value, unit, expected):
    assert format_value(value, unit) == expected


def test_a_percentage_moves_in_points_from_one_value_to_the_other():
    assert (
        change(REPEAT, d("18.0"), d("22.2"), "2023-24 Q4").words
        == "up 4.2 points from 18.0% to 22.2%"
    )
    assert (
        change(REPEAT, d("22.2"), d("21.2"), "2023-24 Q4").words
        == "down 1.0 point from 22.2% to 21.2%"
    )
    assert change(REPEAT, d("20.0"), d("20.0"), "2023-24 Q4").words == "no change from 20.0%"


def test_a_count_moves_by_its_difference_and_its_share_of_the_earlier_value():
    assert change(SDQS, 48, 60, "2023-24 Q4").words == "up 12 (25.0%) from 48 to 60"
    assert change(SDQS, 0, 5, "2023-24 Q4").words == "up 5 from 0 to 5"
    assert (
        change(WEEKLY, d("10.0"), d("9.0"), "Q").words
        == "down 1.0 (10.0%) from 10.0 a week to 9.0 a week"
    )


def test_no_cases_on_either_side_is_not_a_movement():
    moved = change(SHARE, None, d("50.0"), "2023-24 Q1")
    assert moved.words == "not comparable: no cases in 2023-24 Q1"
    assert not moved.beyond_threshold
    assert theme(SHARE, None, d("50.0"), "2023-24 Q1") is None


def test_whether_a_move_is_better_follows_the_indicator():
    assert change(REPEAT, d("20.0"), d("10.0"), "Q").better is True
    assert change(REPEAT, d("10.0"), d("20.0"), "Q").better is False
    assert change(SHARE, d("10.0"), d("20.0"), "Q").better is None
    assert change(SDQS, 10, 20, "Q").better is True


def test_a_percentage_is_a_theme_only_when_it_moves_more_than_the_threshold():
    assert theme(SHARE, d("50.0"), d("55.0"), "Q") is None
    assert theme(SHARE, d("50.0"), d("44.9"), "Q").reasons == (
        "moved more than 5.0 percentage points",
    )


def test_a_count_is_a_theme_when_it_moves_more_than_ten_per_cent_or_rises_from_zero():
    assert theme(SDQS, 100, 110, "Q") is None
    assert theme(SDQS, 100, 111, "Q").reasons == ("moved more than 10%",)
    assert theme(SDQS, 100, 89, "Q") is not None
    assert theme(SDQS, 0, 1, "Q") is not None
    assert theme(SDQS, 0, 0, "Q") is None


def test_crossing_a_target_is_a_theme_even_for_a_small_move():
    lower_better = replace(REPEAT, target=d("20.0"))
    found = theme(lower_better, d("20.5"), d("19.5"), "Q")
    assert found.reasons == ("now meets its target (at most 20.0%)",)
    assert theme(lower_better, d("19.5"), d("20.5"), "Q").reasons == (
        "no longer meets its target (at most 20.0%)",
    )
    assert theme(lower_better, d("19.5"), d("19.0"), "Q") is None


def test_status_against_target_follows_the_better_direction():
    higher_better = replace(SDQS, target=50)
    assert target_status(higher_better, 50).label == "Meets target"
    assert target_status(higher_better, 49).label == "Below target"
    lower_better = replace(REPEAT, target=d("20.0"))
    assert target_status(lower_better, d("20.1")).label == "Above target"
    assert target_status(lower_better, None) is None
    assert target_status(SHARE, d("20.0")) is None  # no target


def test_a_chart_breaks_its_line_where_a_quarter_has_no_cases():
    drawn = chart([d("10.0"), None, d("20.0"), d("30.0")], width=100, height=50)
    assert len(drawn.lines) == 2
    assert len(drawn.dots) == 3
    ys = [y for _, y in drawn.dots]
    assert ys[0] > ys[1] > ys[2]  # higher values are drawn higher up
    assert chart([None, None], width=100, height=50).lines == []


def test_a_relative_movement_rounds_half_up_as_the_definitions_ask():
    # 16 → 17 is a 6.25% rise: half up gives 6.3 (half to even would give 6.2).
    assert change(SDQS, 16, 17, "2024-25 Q1").relative == d("6.3")
