"""Each case-record indicator against hand-built records at its boundaries
(shared/kpi-definitions.md). Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases.models import ChildProtectionPlan, CPReview
from cases.selectors import (
    children_flagged,
    neglect_cin_plans,
    open_cin_plans,
    open_cp_plans,
)
from dataset.computation import compute, members, percentage, rounded_ratio, weekly_mean
from dataset.indicators import COMPUTED_CODES
from neglect_portal.quarters import Quarter
from tests.dataset.builders import (
    assessment,
    chronology_entry,
    chronology_reviewed,
    cin_plan,
    cp_plan,
    referral,
    tool,
)
from tests.factories import ChildFactory, UserFactory
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    Chronology,
    DayInMyLife,
    NextStep,
    NextSteps,
    ParentChildObservation,
)
from toolkit.status import tool_statuses

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024
S, E = Q1.start, Q1.end
LEAP_Q4 = Quarter(2023, 4)  # 1 January to 31 March 2024, with 29 February
DAY = timedelta(days=1)

pytestmark = pytest.mark.django_db


def figure(code, quarter=Q1):
    """The computed figure, after checking the drill-down lists hold exactly what it counts."""
    result = compute(quarter, codes=[code])[code]
    numerator, denominator = members(code, quarter)
    assert numerator.count() == result.numerator
    assert (denominator.count() if denominator is not None else None) == result.denominator
    return result


def fraction(code, quarter=Q1):
    result = figure(code, quarter)
    return result.numerator, result.denominator


@pytest.fixture
def author():
    return UserFactory()


# Rounding and empty denominators


@pytest.mark.parametrize(
    ("numerator", "denominator", "value"),
    [
        (1, 16, Decimal("6.3")),  # 6.25: half up, where half-even would give 6.2
        (1, 8, Decimal("12.5")),
        (10, 16, Decimal("62.5")),
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 1, Decimal("100.0")),
        (0, 5, Decimal("0.0")),
        (5, 2000, Decimal("0.3")),  # 0.25
        (1, 400, Decimal("0.3")),  # 0.25
        (1, 4000, Decimal("0.0")),  # 0.025
    ],
)
def test_percentages_round_half_up_to_one_decimal(numerator, denominator, value):
    assert percentage(numerator, denominator) == value


def test_a_zero_denominator_gives_no_value_not_zero():
    assert percentage(0, 0) is None


def test_weekly_means_divide_by_days_over_seven():
    assert weekly_mean(13, 91) == Decimal("1.0")
    assert weekly_mean(0, 91) == Decimal("0.0")
    assert rounded_ratio(5, 4, 1) == Decimal("1.3")  # 1.25 rounds up


def test_with_no_records_every_percentage_is_empty_and_every_count_zero():
    figures = compute(Q1)
    assert list(figures) == list(COMPUTED_CODES)
    for code, result in figures.items():
        if code == "CONFIDENCE_CHANGE":  # a mean of no practitioners' changes: no value
            assert (result.numerator, result.denominator, result.value) == (0, None, None)
        elif result.denominator is None:
            assert result.numerator == 0 and result.value in (0, Decimal("0.0")), code
        else:
            assert (result.numerator, result.denominator, result.value) == (0, 0, None), code


def test_a_round_half_value_reaches_the_figure():
    for day in range(16):
        referral(ChildFactory(), S + timedelta(days=day), neglect=day == 0)
    result = figure("REFERRALS_NEGLECT")
    assert (result.numerator, result.denominator, result.value) == (1, 16, Decimal("6.3"))


# CP_NEGLECT_SHARE and CP_OPEN_15M: children with a CP plan open at E


def test_a_plan_ending_on_e_is_not_open_at_e_and_one_ending_the_day_after_is():
    cp_plan(ChildFactory(), date(2024, 1, 10), E)
    assert fraction("CP_NEGLECT_SHARE") == (0, 0)
    assert figure("CP_NEGLECT_SHARE").value is None
    cp_plan(ChildFactory(), date(2024, 1, 10), E + DAY)
    assert fraction("CP_NEGLECT_SHARE") == (1, 1)


def test_a_plan_starting_on_e_is_open_and_one_starting_after_e_is_not():
    cp_plan(ChildFactory(), E, initial="PHY")
    cp_plan(ChildFactory(), E + DAY)
    assert fraction("CP_NEGLECT_SHARE") == (0, 1)


def test_the_latest_category_counts_not_the_initial_one():
    cp_plan(ChildFactory(), date(2024, 1, 1), initial="PHY", latest="NEG")
    cp_plan(ChildFactory(), date(2024, 1, 1), initial="NEG", latest="EMO")
    cp_plan(ChildFactory(), date(2024, 1, 1), initial="MUL")
    assert fraction("CP_NEGLECT_SHARE") == (1, 3)


def test_a_category_change_after_e_restates_the_quarter():
    # "Latest category" is the plan's category as recorded now (see dataset/computation.py):
    # recomputing a past quarter after a change gives the new answer, which published
    # quarters then show as a restatement.
    plan = cp_plan(ChildFactory(), date(2024, 1, 1), initial="NEG")
    assert fraction("CP_NEGLECT_SHARE") == (1, 1)
    plan.latest_category = "EMO"
    plan.save()
    assert fraction("CP_NEGLECT_SHARE") == (0, 1)
    assert ChildProtectionPlan.history.filter(id=plan.pk).count() == 2


def test_children_are_counted_once_and_closed_episodes_plans_count():
    child = ChildFactory()
    cp_plan(child, date(2022, 1, 1), date(2023, 1, 1), initial="PHY")
    cp_plan(child, date(2024, 2, 1))
    closed = referral(ChildFactory(), date(2023, 5, 1), nfa=True)
    ChildProtectionPlan.objects.create(
        referral=closed,
        start_date=date(2023, 5, 2),
        end_date=date(2024, 8, 1),
        initial_category="NEG",
        latest_category="NEG",
    )
    assert fraction("CP_NEGLECT_SHARE") == (2, 2)


def test_the_denominator_is_the_children_open_cp_plans_selector_finds():
    for start, end in [
        (date(2023, 1, 1), None),
        (date(2023, 1, 1), E),
        (E, None),
        (date(2024, 5, 5), E + DAY),
        (E + DAY, None),
    ]:
        cp_plan(ChildFactory(), start, end)
    _, denominator = members("CP_NEGLECT_SHARE", Q1)
    assert set(denominator.values_list("pk", flat=True)) == set(
        open_cp_plans(E).values_list("child_id", flat=True)
    )
    assert denominator.count() == 3


def test_open_15_months_counts_a_start_exactly_15_months_before_e():
    assert E - timedelta(days=0) == date(2024, 6, 30)  # E - 15 months is 30 March 2023
    cp_plan(ChildFactory(), date(2023, 3, 30))
    cp_plan(ChildFactory(), date(2023, 3, 31))
    cp_plan(ChildFactory(), date(2023, 3, 29), E)  # ends on E: not open
    assert fraction("CP_OPEN_15M") == (1, 2)


def test_open_15_months_from_the_end_of_december_is_the_end_of_september():
    q3 = Quarter(2024, 3)  # E = 31 December 2024
    cp_plan(ChildFactory(), date(2023, 9, 30))
    cp_plan(ChildFactory(), date(2023, 10, 1))
    assert fraction("CP_OPEN_15M", q3) == (1, 2)


# CIN_NEGLECT_OVER_12M


def test_neglect_cin_plans_open_over_12_months_need_a_start_strictly_before():
    cin_plan(ChildFactory(), date(2023, 6, 29))  # before E - 12 months (30 June 2023)
    cin_plan(ChildFactory(), date(2023, 6, 30))  # exactly 12 months: not over
    cin_plan(ChildFactory(), date(2023, 1, 1), E)  # ends on E: not open
    cin_plan(ChildFactory(), date(2022, 1, 1), neglect=False)  # no 16A in its episode
    assert fraction("CIN_NEGLECT_OVER_12M") == (1, 2)


def test_a_cin_plan_is_neglect_only_through_its_own_episodes_assessment():
    child = ChildFactory()
    other = referral(child, date(2022, 1, 1))
    assessment(other, date(2022, 1, 5), neglect=True)
    cin_plan(child, date(2022, 6, 1), neglect=False)
    assert fraction("CIN_NEGLECT_OVER_12M") == (0, 0)
    # An unauthorised assessment identifying neglect makes the plan a neglect plan too.
    plan = cin_plan(ChildFactory(), date(2022, 6, 1), neglect=False)
    assessment(plan.referral, None, neglect=True, started=date(2022, 7, 1))
    assert fraction("CIN_NEGLECT_OVER_12M") == (1, 1)


def test_the_cin_denominator_matches_the_neglect_cin_plans_selector():
    for start, end, neglect in [
        (date(2022, 1, 1), None, True),
        (date(2024, 6, 1), None, True),
        (date(2022, 1, 1), None, False),
        (date(2022, 1, 1), E, True),
    ]:
        cin_plan(ChildFactory(), start, end, neglect=neglect)
    _, denominator = members("CIN_NEGLECT_OVER_12M", Q1)
    assert set(denominator.values_list("pk", flat=True)) == set(
        neglect_cin_plans(open_cin_plans(E)).values_list("child_id", flat=True)
    )


# CP_NEGLECT_REPEAT_3Y


def test_a_repeat_needs_a_previous_plan_ending_within_three_years_of_the_start():
    start = date(2024, 5, 15)
    exactly, day_too_early, on_start = ChildFactory(), ChildFactory(), ChildFactory()
    cp_plan(exactly, date(2020, 1, 1), date(2021, 5, 15), initial="EMO")
    cp_plan(exactly, start)
    cp_plan(day_too_early, date(2020, 1, 1), date(2021, 5, 14))
    cp_plan(day_too_early, start)
    cp_plan(on_start, date(2023, 1, 1), start, initial="PHY")
    cp_plan(on_start, start)
    assert fraction("CP_NEGLECT_REPEAT_3Y") == (2, 3)


def test_only_plans_starting_in_the_quarter_with_initial_category_neglect_are_counted():
    child = ChildFactory()
    cp_plan(child, date(2023, 1, 1), date(2023, 6, 1))
    cp_plan(child, S, date(2024, 5, 1), initial="PHY", latest="NEG")  # not initial NEG
    cp_plan(child, E, initial="NEG")
    other = ChildFactory()
    cp_plan(other, date(2023, 1, 1), date(2023, 6, 1))
    cp_plan(other, S - DAY)  # started before the quarter
    assert fraction("CP_NEGLECT_REPEAT_3Y") == (1, 1)


def test_a_later_plan_of_the_child_does_not_make_a_repeat():
    child = ChildFactory()
    cp_plan(child, S, date(2024, 5, 1))
    cp_plan(child, date(2024, 9, 1))
    assert fraction("CP_NEGLECT_REPEAT_3Y") == (0, 1)


def test_three_years_before_29_february_is_28_february():
    child, too_early = ChildFactory(), ChildFactory()
    cp_plan(child, date(2020, 1, 1), date(2021, 2, 28))
    cp_plan(child, date(2024, 2, 29))
    cp_plan(too_early, date(2020, 1, 1), date(2021, 2, 27))
    cp_plan(too_early, date(2024, 2, 29))
    assert fraction("CP_NEGLECT_REPEAT_3Y", LEAP_Q4) == (1, 2)


def test_three_years_before_1_march_after_a_leap_day_is_1_march():
    child = ChildFactory()
    cp_plan(child, date(2020, 1, 1), date(2021, 2, 28))  # 3 years and a day before
    cp_plan(child, date(2024, 3, 1))
    assert fraction("CP_NEGLECT_REPEAT_3Y", LEAP_Q4) == (0, 1)


# CP_SECOND_OR_SUBSEQUENT


def test_a_plan_is_subsequent_when_the_child_had_any_earlier_plan():
    repeat, first = ChildFactory(), ChildFactory()
    cp_plan(repeat, date(2012, 1, 1), date(2013, 1, 1), initial="SAB")
    cp_plan(repeat, E, initial="PHY")
    cp_plan(first, S, date(2024, 5, 1))
    cp_plan(first, date(2024, 9, 1))  # later, outside the quarter
    assert fraction("CP_SECOND_OR_SUBSEQUENT") == (1, 2)


# CP_ENDED_2Y


def test_a_plan_ended_in_the_quarter_counts_when_it_lasted_two_years_to_the_day():
    cp_plan(ChildFactory(), date(2022, 5, 10), date(2024, 5, 10))
    cp_plan(ChildFactory(), date(2022, 5, 10), date(2024, 5, 9))
    cp_plan(ChildFactory(), date(2022, 1, 1), E)  # ending on E is ending in the quarter
    cp_plan(ChildFactory(), date(2022, 1, 1), S)
    cp_plan(ChildFactory(), date(2020, 1, 1), S - DAY)
    cp_plan(ChildFactory(), date(2020, 1, 1), E + DAY)
    assert fraction("CP_ENDED_2Y") == (3, 4)


def test_two_years_after_29_february_is_28_february():
    cp_plan(ChildFactory(), date(2020, 2, 29), date(2022, 2, 28))
    cp_plan(ChildFactory(), date(2020, 2, 29), date(2022, 2, 27))
    assert fraction("CP_ENDED_2Y", Quarter(2021, 4)) == (1, 2)


# REFERRALS_NEGLECT and REREFERRALS_12M


def test_referrals_on_s_and_e_count_and_nfa_and_closed_referrals_are_not_excluded():
    referral(ChildFactory(), S, neglect=True, nfa=True, closed=S)
    referral(ChildFactory(), E)
    referral(ChildFactory(), S - DAY, neglect=True)
    referral(ChildFactory(), E + DAY, neglect=True)
    assert fraction("REFERRALS_NEGLECT") == (1, 2)


def test_a_rereferral_has_another_referral_in_the_12_months_before_it():
    exactly, too_early, same_quarter = ChildFactory(), ChildFactory(), ChildFactory()
    referral(exactly, date(2023, 5, 20), nfa=True, closed=date(2023, 5, 21))
    referral(exactly, date(2024, 5, 20))
    referral(too_early, date(2023, 5, 19))
    referral(too_early, date(2024, 5, 20))
    referral(same_quarter, S)
    referral(same_quarter, E)
    # A later referral does not make an earlier one a re-referral; another child's does not.
    referral(ChildFactory(), date(2024, 4, 4))
    assert fraction("REREFERRALS_12M") == (2, 5)


@pytest.mark.parametrize(
    ("earlier", "later", "counted"),
    [
        (date(2023, 2, 28), date(2024, 2, 29), True),  # 29 Feb less 12 months is 28 Feb
        (date(2023, 2, 27), date(2024, 2, 29), False),
        (date(2023, 3, 1), date(2024, 2, 29), True),
    ],
)
def test_twelve_months_before_29_february(earlier, later, counted):
    child = ChildFactory()
    referral(child, earlier)
    referral(child, later)
    assert fraction("REREFERRALS_12M", LEAP_Q4) == (int(counted), 1)


@pytest.mark.parametrize(
    ("earlier", "later", "counted"),
    [
        (date(2024, 2, 29), date(2025, 2, 28), True),
        (date(2024, 2, 29), date(2025, 3, 1), False),  # 1 March less 12 months is 1 March
        (date(2024, 3, 1), date(2025, 3, 1), True),
    ],
)
def test_twelve_months_after_a_leap_day(earlier, later, counted):
    child = ChildFactory()
    referral(child, earlier)
    referral(child, later)
    assert fraction("REREFERRALS_12M", Quarter(2024, 4)) == (int(counted), 1)


# ASSESSMENTS_NEGLECT


def test_assessments_count_by_authorisation_date():
    started_before = referral(ChildFactory(), date(2024, 3, 1))
    assessment(started_before, S, neglect=True)
    assessment(referral(ChildFactory(), date(2024, 4, 2)), E, neglect=False)
    assessment(referral(ChildFactory(), date(2024, 4, 3)), None, neglect=True)  # not authorised
    assessment(referral(ChildFactory(), date(2024, 4, 4)), E + DAY, neglect=True)
    assert fraction("ASSESSMENTS_NEGLECT") == (1, 2)


# TOOLKIT_CHILDREN


@pytest.mark.parametrize(
    "model", [DayInMyLife, AssessmentChecklist, ParentChildObservation, SDQ, NextSteps]
)
def test_any_completed_toolkit_form_in_the_quarter_counts_the_child(author, model):
    extra = {"informant": "parent"} if model is SDQ else {}
    tool(model, ChildFactory(), author, S, **extra)
    tool(model, ChildFactory(), author, S - DAY, **extra)
    tool(model, ChildFactory(), author, E + DAY, **extra)
    tool(model, ChildFactory(), author, None, status="draft", **extra)
    result = figure("TOOLKIT_CHILDREN")
    assert (result.numerator, result.denominator, result.value) == (1, None, 1)


def test_a_child_with_several_forms_is_counted_once_and_chronology_entries_do_not_count(author):
    child = ChildFactory()
    tool(DayInMyLife, child, author, S)
    tool(AssessmentChecklist, child, author, E)
    tool(DayInMyLife, child, author, date(2024, 5, 1))
    chronology_entry(ChildFactory(), author, date(2024, 5, 1))
    assert figure("TOOLKIT_CHILDREN").value == 1


# TOOLKIT_MANDATORY_COMPLETE


def _all_four(child, author, on, *, chronology="entry"):
    tool(DayInMyLife, child, author, on)
    tool(AssessmentChecklist, child, author, on)
    tool(ParentChildObservation, child, author, on)
    if chronology == "entry":
        chronology_entry(child, author, on)
    elif chronology == "review":
        chronology_reviewed(child, on)


def test_mandatory_tools_are_current_within_six_months_up_to_e(author):
    # E - 6 months is 30 December 2023 (30 June less six months): completion that day is no
    # longer current, the day after it is.
    current, stale, missing_one, reviewed = (ChildFactory() for _ in range(4))
    for child in (current, stale, missing_one, reviewed):
        cp_plan(child, date(2023, 1, 1))
    _all_four(current, author, date(2023, 12, 31))
    _all_four(stale, author, date(2023, 12, 31))
    ParentChildObservation.objects.filter(child=stale).update(completed_on=date(2023, 12, 30))
    _all_four(missing_one, author, E, chronology=None)
    _all_four(reviewed, author, E, chronology="review")
    assert fraction("TOOLKIT_MANDATORY_COMPLETE") == (2, 4)


def test_tools_completed_after_e_or_left_as_drafts_do_not_count(author):
    later, draft = ChildFactory(), ChildFactory()
    cp_plan(later, date(2023, 1, 1))
    cp_plan(draft, date(2023, 1, 1))
    _all_four(later, author, E)
    DayInMyLife.objects.filter(child=later).update(completed_on=E + DAY)
    _all_four(draft, author, E)
    AssessmentChecklist.objects.filter(child=draft).update(status="draft", completed_on=None)
    assert fraction("TOOLKIT_MANDATORY_COMPLETE") == (0, 2)


def test_only_children_on_a_neglect_plan_at_e_are_in_the_denominator(author):
    neglect_cp, other_cp, neglect_cin, other_cin, ended = (ChildFactory() for _ in range(5))
    cp_plan(neglect_cp, date(2023, 1, 1), initial="PHY", latest="NEG")
    cp_plan(other_cp, date(2023, 1, 1), initial="NEG", latest="PHY")
    cin_plan(neglect_cin, date(2023, 1, 1))
    cin_plan(other_cin, date(2023, 1, 1), neglect=False)
    cp_plan(ended, date(2023, 1, 1), E)
    for child in (neglect_cp, other_cp, neglect_cin, other_cin, ended):
        _all_four(child, author, date(2024, 6, 1))
    _, denominator = members("TOOLKIT_MANDATORY_COMPLETE", Q1)
    assert set(denominator) == {neglect_cp, neglect_cin}
    assert set(denominator) == set(
        ChildFactory._meta.model.objects.filter(children_flagged(on=E)["on_neglect_plan"])
    )
    assert fraction("TOOLKIT_MANDATORY_COMPLETE") == (2, 2)


def test_the_numerator_agrees_with_the_toolkit_status_of_each_child(author):
    days = [date(2023, 12, 30), date(2023, 12, 31), date(2024, 3, 3), E, E + DAY, None]
    children = []
    for i, day in enumerate(days * 2):
        child = ChildFactory()
        children.append(child)
        cp_plan(child, date(2023, 1, 1))
        _all_four(child, author, date(2024, 4, 1), chronology="entry" if i % 2 else "review")
        if day is None:
            DayInMyLife.objects.filter(child=child).delete()
        elif i % 3 == 0:
            Chronology.objects.filter(child=child).update(reviewed_on=day)
            child.chronology.entries.all().delete()
        else:
            AssessmentChecklist.objects.filter(child=child).update(completed_on=day)
    statuses = tool_statuses([child.pk for child in children], E)
    expected = {
        pk
        for pk, tools in statuses.items()
        if all(status.state in ("current", "due_soon") for status in tools)
    }
    numerator, _ = members("TOOLKIT_MANDATORY_COMPLETE", Q1)
    assert set(numerator.values_list("pk", flat=True)) == expected
    assert 0 < len(expected) < len(children)


# CHRONOLOGY_ENTRIES_WEEKLY


def test_chronology_entries_per_week_is_a_mean_over_the_quarters_weeks(author):
    child = ChildFactory()
    for i in range(20):
        chronology_entry(child, author, S + timedelta(days=i * 4))
    chronology_entry(child, author, S - DAY)
    chronology_entry(child, author, E + DAY)
    result = figure("CHRONOLOGY_ENTRIES_WEEKLY")
    # 20 entries over 91 days (13 weeks): 1.538...
    assert (result.numerator, result.denominator, result.value) == (20, None, Decimal("1.5"))


def test_the_weekly_series_runs_monday_to_sunday_and_adds_up_to_the_quarter(author):
    from dataset.computation import weekly_chronology_entries

    # 1 April 2024 is a Monday; 30 June 2024 a Sunday: 13 whole weeks.
    child = ChildFactory()
    for day in (S, S + 6 * DAY, S + 7 * DAY, E, E + DAY):
        chronology_entry(child, author, day)
    weeks = weekly_chronology_entries(Q1)
    assert len(weeks) == 13 and all(w.whole for w in weeks)
    assert (weeks[0].first, weeks[0].last, weeks[0].entries) == (S, S + 6 * DAY, 2)
    assert (weeks[1].first, weeks[1].entries) == (S + 7 * DAY, 1)
    assert (weeks[-1].last, weeks[-1].entries) == (E, 1)
    assert sum(w.entries for w in weeks) == figure("CHRONOLOGY_ENTRIES_WEEKLY").numerator


def test_weeks_cut_at_the_quarter_start_and_end_are_parts_of_weeks(author):
    from dataset.computation import weekly_chronology_entries

    q3 = Quarter(2024, 3)  # Tuesday 1 October to Tuesday 31 December 2024
    child = ChildFactory()
    chronology_entry(child, author, date(2024, 9, 30))  # the Monday before: not in Q3
    chronology_entry(child, author, date(2024, 10, 6))  # Sunday: the first, cut week
    chronology_entry(child, author, date(2024, 12, 31))  # Tuesday: a two-day last week
    weeks = weekly_chronology_entries(q3)
    assert (weeks[0].first, weeks[0].last, weeks[0].entries, weeks[0].whole) == (
        date(2024, 10, 1),
        date(2024, 10, 6),
        1,
        False,
    )
    assert (weeks[-1].first, weeks[-1].last, weeks[-1].entries, weeks[-1].whole) == (
        date(2024, 12, 30),
        date(2024, 12, 31),
        1,
        False,
    )
    assert all(w.first.weekday() == 0 for w in weeks[1:])
    assert sum(w.entries for w in weeks) == 2


def test_the_toolkit_running_total_counts_each_child_once_up_to_the_day(author):
    from dataset.computation import toolkit_children_to_date

    early, twice, later = ChildFactory(), ChildFactory(), ChildFactory()
    tool(DayInMyLife, early, author, date(2023, 1, 5))
    tool(SDQ, twice, author, date(2024, 4, 2))
    tool(NextSteps, twice, author, date(2024, 5, 2))
    tool(AssessmentChecklist, later, author, E + DAY)
    tool(ParentChildObservation, ChildFactory(), author, None, status="draft")
    assert toolkit_children_to_date(E) == 2
    assert toolkit_children_to_date(E + DAY) == 3


# SDQ_COMPLETED and SDQ_RAISED


def test_sdqs_completed_and_raised(author):
    def sdq(completed_on, total=None, band="", status="completed"):
        tool(
            SDQ,
            ChildFactory(),
            author,
            completed_on,
            status=status,
            informant="parent",
            total_difficulties=total,
            total_band=band,
        )

    sdq(S, 18, "High")
    sdq(E, 25, "Very high")
    sdq(date(2024, 5, 1), 15, "Slightly raised")
    sdq(date(2024, 5, 1), 5, "Close to average")
    sdq(date(2024, 5, 2))  # no total difficulties: completed, but not in SDQ_RAISED
    sdq(S - DAY, 30, "Very high")
    sdq(None, 30, "Very high", status="draft")
    assert figure("SDQ_COMPLETED").value == 5
    assert fraction("SDQ_RAISED") == (2, 4)
    assert figure("SDQ_RAISED").value == Decimal("50.0")


def test_sdq_raised_with_no_scored_questionnaires_has_no_value(author):
    tool(SDQ, ChildFactory(), author, S, informant="parent")
    assert fraction("SDQ_RAISED") == (0, 0)
    assert figure("SDQ_RAISED").value is None


# The computation as a whole


def test_all_indicators_take_one_query_per_model(author, django_assert_num_queries):
    child = ChildFactory()
    cp_plan(child, date(2023, 1, 1))
    referral(child, date(2024, 5, 1), neglect=True)
    _all_four(child, author, date(2024, 5, 1))
    # One per model (four counting children, WORKER_CHANGES_12M's two); MANAGER_OVERSIGHT
    # counts three kinds of tool, each its own table; one for the audit judgements
    # (AUDIT_GOOD_OR_BETTER) and one for the confidence surveys (CONFIDENCE_CHANGE).
    with django_assert_num_queries(17):
        compute(Q1)


def test_the_number_of_queries_does_not_grow_with_the_records(author, django_assert_num_queries):
    for i in range(30):
        child = ChildFactory()
        cp_plan(child, date(2023, 1, 1) + timedelta(days=i))
        referral(child, S + timedelta(days=i), neglect=i % 2 == 0)
        cin_plan(child, date(2022, 1, 1) + timedelta(days=i))
        step(author, due_on=S + timedelta(days=i))
    # 15 on case records, 1 on audit judgements, 1 on confidence surveys
    with django_assert_num_queries(17):
        compute(Q1)


def test_members_of_an_unknown_or_non_case_record_code_is_a_key_error():
    with pytest.raises(KeyError, match="NOPE"):
        members("NOPE", Q1)
    with pytest.raises(KeyError, match="TRAINING_COVERAGE"):
        members("TRAINING_COVERAGE", Q1)
    with pytest.raises(KeyError, match="TRAINING_COVERAGE"):
        compute(Q1, codes=["TRAINING_COVERAGE"])
    # Anonymous: computed, but nothing behind it is listed.
    with pytest.raises(KeyError, match="CONFIDENCE_CHANGE"):
        members("CONFIDENCE_CHANGE", Q1)


# CP_REVIEW_OVERDUE: the first review within 3 months of the start, then every 6 months


def _plan_reviewed(start, *reviews, end=None):
    plan = cp_plan(ChildFactory(), start, end)
    for day in reviews:
        CPReview.objects.create(plan=plan, review_date=day)
    return plan


def test_a_plan_is_in_the_review_denominator_from_three_months_after_its_start():
    _plan_reviewed(date(2024, 3, 30))  # E - 3 months: in
    _plan_reviewed(date(2024, 3, 31))  # a day later: not yet
    _plan_reviewed(date(2023, 1, 1), end=E)  # ends on E: not open
    assert fraction("CP_REVIEW_OVERDUE")[1] == 1


def test_no_first_review_is_overdue_only_once_three_months_have_passed():
    q3 = Quarter(2024, 3)  # E = 31 December 2024
    _plan_reviewed(date(2024, 9, 30))  # + 3 months is 30 December, before E: overdue
    _plan_reviewed(date(2024, 9, 29), date(2024, 12, 31))  # reviewed on E: not overdue
    _plan_reviewed(date(2024, 9, 28), date(2025, 1, 2))  # reviewed only after E: overdue
    assert fraction("CP_REVIEW_OVERDUE", q3) == (2, 3)


def test_a_review_more_than_six_months_before_e_is_overdue():
    q3 = Quarter(2024, 3)  # E = 31 December 2024
    # 30 June + 6 months is 30 December, before E: overdue (E - 6 months would say not).
    _plan_reviewed(date(2024, 1, 1), date(2024, 3, 1), date(2024, 6, 30))
    # 1 July + 6 months is 1 January: not overdue; only the latest review counts.
    _plan_reviewed(date(2024, 1, 1), date(2024, 3, 1), date(2024, 7, 1))
    assert fraction("CP_REVIEW_OVERDUE", q3) == (1, 2)


def test_a_review_after_e_does_not_stop_a_plan_being_overdue_at_e():
    _plan_reviewed(date(2023, 6, 1), date(2023, 8, 1), E + DAY)
    assert fraction("CP_REVIEW_OVERDUE") == (1, 1)


# NEXT_STEPS_OVERDUE: next steps of completed analyses open at E, due before E


def step(author, *, due_on, completed_on=S, status="completed", done_on=None, closed_on=None):
    analysis = tool(NextSteps, ChildFactory(), author, completed_on, status=status)
    state = "done" if done_on else "not_needed" if closed_on else "open"
    return NextStep.objects.create(
        analysis=analysis,
        what="GP check",
        owner_name="Dr A",
        due_on=due_on,
        status=state,
        done_on=done_on,
        closed_on=closed_on,
        closed_reason="Moved" if closed_on else "",
    )


def test_a_step_due_on_e_is_open_but_not_overdue_and_one_due_the_day_before_is(author):
    step(author, due_on=E)
    assert fraction("NEXT_STEPS_OVERDUE") == (0, 1)
    step(author, due_on=E - DAY)
    assert fraction("NEXT_STEPS_OVERDUE") == (1, 2)
    assert figure("NEXT_STEPS_OVERDUE").value == Decimal("50.0")


def test_a_step_done_on_e_is_not_open_at_e_and_one_done_after_e_still_is(author):
    step(author, due_on=S, done_on=E)
    assert fraction("NEXT_STEPS_OVERDUE") == (0, 0)
    assert figure("NEXT_STEPS_OVERDUE").value is None
    step(author, due_on=S, done_on=E + DAY)
    assert fraction("NEXT_STEPS_OVERDUE") == (1, 1)


def test_a_step_closed_before_or_on_e_is_not_open_and_one_closed_after_e_is(author):
    step(author, due_on=S, closed_on=E - DAY)
    step(author, due_on=S, closed_on=E)
    assert fraction("NEXT_STEPS_OVERDUE") == (0, 0)
    step(author, due_on=S, closed_on=E + DAY)
    assert fraction("NEXT_STEPS_OVERDUE") == (1, 1)


def test_only_steps_of_analyses_completed_by_e_count(author):
    step(author, due_on=S, completed_on=E)
    step(author, due_on=S, completed_on=E + DAY)
    step(author, due_on=S, completed_on=None, status="draft")
    assert fraction("NEXT_STEPS_OVERDUE") == (1, 1)


def test_a_step_with_no_due_date_is_open_but_never_overdue(author):
    step(author, due_on=None)
    assert fraction("NEXT_STEPS_OVERDUE") == (0, 1)


def test_overdue_next_steps_drill_down_to_the_steps(author):
    late = step(author, due_on=S)
    on_time = step(author, due_on=E)
    numerator, denominator = members("NEXT_STEPS_OVERDUE", Q1)
    assert list(numerator) == [late]
    assert set(denominator) == {late, on_time}
