"""Movement words, thresholds and targets: what emerging themes and the cards say."""

from decimal import Decimal

import pytest

from dataset import indicators
from dataset.charts import chart
from dataset.movements import (
    SMALL_BASE,
    change,
    format_target,
    format_value,
    small_base,
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
    target = {"before_target": d("20.0"), "after_target": d("20.0")}
    found = theme(REPEAT, d("20.5"), d("19.5"), "Q", **target)
    assert found.reasons == ("now meets its target (at most 20.0%)",)
    assert theme(REPEAT, d("19.5"), d("20.5"), "Q", **target).reasons == (
        "no longer meets its target (at most 20.0%)",
    )
    assert theme(REPEAT, d("19.5"), d("19.0"), "Q", **target) is None
    assert theme(REPEAT, d("20.5"), d("19.5"), "Q") is None  # no target: a small move


def test_each_side_of_a_move_is_judged_against_its_own_quarters_target():
    # 19.5% met "at most 20%" last quarter; this quarter's target is 15%, missed by 19.0%.
    found = theme(
        REPEAT, d("19.5"), d("19.0"), "Q", before_target=d("20.0"), after_target=d("15.0")
    )
    assert found.reasons == ("no longer meets its target (at most 15.0%)",)
    # A target only this quarter: nothing was crossed.
    assert theme(REPEAT, d("19.5"), d("19.0"), "Q", after_target=d("15.0")) is None


def test_status_against_target_says_met_or_not_met_in_words():
    assert target_status(SDQS, 50, d("50")).label == "Met target of 50"
    assert target_status(SDQS, 49, d("50")).label == "Not met: target 50"
    met = target_status(REPEAT, d("20.0"), d("20.0"))
    assert (met.met, met.label, met.colour) == (True, "Met target of 20.0%", "green")
    missed = target_status(REPEAT, d("20.1"), d("20.0"))
    assert (missed.met, missed.label, missed.colour) == (False, "Not met: target 20.0%", "red")
    assert target_status(WEEKLY, d("12.4"), d("12.5")).label == "Not met: target 12.5 a week"


def test_a_figure_with_no_value_is_no_figure_never_met_or_not_met():
    status = target_status(REPEAT, None, d("20.0"))
    assert (status.met, status.label) == (None, "No figure: target 20.0%")


def test_without_a_target_there_is_no_status():
    assert target_status(REPEAT, d("20.0"), None) is None
    assert format_target(REPEAT, None) is None


def test_a_target_is_written_with_the_side_that_meets_it():
    assert format_target(REPEAT, d("20.0")) == "at most 20.0%"
    assert format_target(SDQS, d("50")) == "at least 50"


@pytest.mark.parametrize(
    ("indicator", "denominator", "expected"),
    [
        (SHARE, 9, "fewer than 10 children: read with care"),
        (REPEAT, 3, "fewer than 10 CP plans: read with care"),
        (SHARE, 10, None),
        (SHARE, 0, None),  # no cases: nothing to read
        (SHARE, None, None),
        (SDQS, 3, None),  # a count has no base
    ],
)
def test_a_percentage_of_fewer_than_ten_is_marked_read_with_care(indicator, denominator, expected):
    assert SMALL_BASE == 10
    assert small_base(indicator, denominator) == expected


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
