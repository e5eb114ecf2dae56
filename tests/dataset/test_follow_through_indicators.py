"""TOOLS_INFORMED_REVIEW, MANAGER_OVERSIGHT, VOICE_KNOWS_PLAN and VOICE_SAFETY_PLANNING
(kpi-definitions.md, definitions version 2) against hand-built records at their boundaries,
with the drill-down lists checked to hold exactly what each figure counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import CPReview
from dataset import breakdown, results, selectors
from dataset.computation import compute, members
from dataset.indicators import get as indicators_get
from neglect_portal.quarters import Quarter
from tests.dataset.builders import cin_plan, cp_plan, tool
from tests.factories import AgencyFactory, ChildFactory, InvolvementFactory, UserFactory
from toolkit.models import (
    AssessmentChecklist,
    DayInMyLife,
    NextSteps,
    Oversight,
    ParentChildObservation,
    ToolInformed,
)

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024
S, E = Q1.start, Q1.end
DAY = timedelta(days=1)
MANDATORY = ("chronology", "day", "checklist", "observation")

pytestmark = pytest.mark.django_db


def fraction(code):
    result = compute(Q1, codes=[code])[code]
    numerator, denominator = members(code, Q1)
    assert numerator.count() == result.numerator
    assert denominator.count() == result.denominator
    return result.numerator, result.denominator


@pytest.fixture
def author():
    return UserFactory()


# TOOLS_INFORMED_REVIEW ---------------------------------------------------------------------


def review(plan, on, informed=None):
    """A CP review recorded as informed by tools of each kind in `informed` ({kind: the
    tool's completion}); by default all four, completed on the review date."""
    cp_review = CPReview.objects.create(plan=plan, review_date=on)
    for kind, completed in (informed or dict.fromkeys(MANDATORY, on)).items():
        ToolInformed.objects.create(
            child=plan.child, tool_kind=kind, tool_id=1, completed_on=completed, cp_review=cp_review
        )
    return cp_review


def test_reviews_dated_s_to_e_of_children_on_a_neglect_plan_count():
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    review(plan, S - DAY)  # the quarter before
    first = review(plan, S)
    last = review(plan, E)
    review(plan, E + DAY)  # the quarter after
    assert fraction("TOOLS_INFORMED_REVIEW") == (2, 2)
    numerator, _ = members("TOOLS_INFORMED_REVIEW", Q1)
    assert set(numerator) == {first, last}


def test_a_review_counts_only_if_the_child_was_on_a_neglect_plan_on_its_date():
    physical = cp_plan(ChildFactory(), date(2023, 1, 1), initial="PHY")
    review(physical, S)
    # A CP plan for another category, but a neglect CIN plan open on the review date.
    also_cin = cp_plan(ChildFactory(), date(2023, 1, 1), initial="PHY")
    cin_plan(also_cin.child, date(2023, 6, 1))
    review(also_cin, S)
    # The neglect CIN plan ended on the review date: no longer open on it.
    ended_cin = cp_plan(ChildFactory(), date(2023, 1, 1), initial="PHY")
    cin_plan(ended_cin.child, date(2023, 6, 1), end=S)
    review(ended_cin, S)
    # A CIN plan in an episode without neglect identified.
    other_cin = cp_plan(ChildFactory(), date(2023, 1, 1), initial="PHY")
    cin_plan(other_cin.child, date(2023, 6, 1), neglect=False)
    review(other_cin, S)
    assert fraction("TOOLS_INFORMED_REVIEW") == (1, 1)


def test_each_of_the_four_tools_must_have_informed_the_review():
    for missing in MANDATORY:
        plan = cp_plan(ChildFactory(), date(2023, 1, 1))
        review(plan, E, {kind: E for kind in MANDATORY if kind != missing})
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    review(plan, E, {"next-steps": E, "sdq": E, **dict.fromkeys(MANDATORY, E)})
    assert fraction("TOOLS_INFORMED_REVIEW") == (1, 5)


def test_each_tool_must_be_current_on_the_review_date():
    # The review on 30 June 2024: current means completed after 30 December 2023 and on or
    # before 30 June.
    counted = set()
    for completed, current in (
        (date(2023, 12, 30), False),
        (date(2023, 12, 31), True),
        (E, True),
        (E + DAY, False),
    ):
        plan = cp_plan(ChildFactory(), date(2023, 1, 1))
        informed = dict.fromkeys(MANDATORY, E)
        informed["observation"] = completed
        if review(plan, E, informed) and current:
            counted.add(completed)
    assert fraction("TOOLS_INFORMED_REVIEW") == (2, 4)
    numerator, _ = members("TOOLS_INFORMED_REVIEW", Q1)
    observed = ToolInformed.objects.filter(cp_review__in=numerator, tool_kind="observation")
    assert set(observed.values_list("completed_on", flat=True)) == counted


def test_the_window_follows_calendar_months_from_each_reviews_date():
    # 31 August 2024 less six months is 29 February 2024 (a leap year): not current.
    q2 = Quarter(2024, 2)
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    informed = dict.fromkeys(MANDATORY, date(2024, 8, 31))
    review(plan, date(2024, 8, 31), {**informed, "day": date(2024, 2, 29)})
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    review(plan, date(2024, 8, 31), {**informed, "day": date(2024, 3, 1)})
    figure = compute(q2, codes=["TOOLS_INFORMED_REVIEW"])["TOOLS_INFORMED_REVIEW"]
    assert (figure.numerator, figure.denominator) == (1, 2)


def test_no_reviews_is_no_cases_not_zero():
    figure = compute(Q1, codes=["TOOLS_INFORMED_REVIEW"])["TOOLS_INFORMED_REVIEW"]
    assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)


# MANAGER_OVERSIGHT ---------------------------------------------------------------------------


def oversee(form, on, *, kind, version=None):
    manager = UserFactory(role="team_manager", agency=form.author_agency)
    return Oversight.objects.create(
        child=form.child,
        tool_kind=kind,
        tool_id=form.pk,
        tool_version=form.version if version is None else version,
        completed_on=form.completed_on,
        judgement="agree",
        reason="Analysis supported by the evidence",
        recorded_on=on,
        manager=manager,
        manager_agency=manager.agency,
    )


def test_mandatory_tools_completed_s_to_e_are_counted(author):
    child = ChildFactory()
    tool(DayInMyLife, child, author, S - DAY)
    first = tool(DayInMyLife, child, author, S)
    checklist = tool(AssessmentChecklist, child, author, E)
    observation = tool(ParentChildObservation, child, author, E)
    tool(ParentChildObservation, child, author, E + DAY)
    tool(DayInMyLife, child, author, None, status="draft")
    tool(NextSteps, child, author, E)  # not a mandatory tool
    oversee(first, S, kind="day")
    oversee(observation, E, kind="observation")
    assert fraction("MANAGER_OVERSIGHT") == (2, 3)
    numerator, denominator = members("MANAGER_OVERSIGHT", Q1)
    assert set(numerator) == {first, observation}
    assert set(denominator) == {first, checklist, observation}


def test_oversight_after_e_does_not_count_for_the_quarter(author):
    child = ChildFactory()
    on_e = tool(AssessmentChecklist, child, author, E)
    after_e = tool(AssessmentChecklist, child, author, E)
    oversee(on_e, E, kind="checklist")
    oversee(after_e, E + DAY, kind="checklist")
    assert fraction("MANAGER_OVERSIGHT") == (1, 2)


def test_oversight_of_an_earlier_completion_does_not_count(author):
    # Reopened and completed again: the comment read the earlier completion.
    form = tool(DayInMyLife, ChildFactory(), author, E, version=3)
    oversee(form, E, kind="day", version=1)
    assert fraction("MANAGER_OVERSIGHT") == (0, 1)
    oversee(form, E, kind="day")
    assert fraction("MANAGER_OVERSIGHT") == (1, 1)


def test_oversight_of_another_kind_of_tool_with_the_same_id_does_not_count(author):
    day = tool(DayInMyLife, ChildFactory(), author, E)
    checklist = tool(AssessmentChecklist, ChildFactory(), author, E + DAY)
    Oversight.objects.create(
        child=checklist.child,
        tool_kind="checklist",
        tool_id=day.pk,
        tool_version=day.version,
        completed_on=E,
        judgement="agree",
        reason="x",
        recorded_on=E,
        manager=author,
        manager_agency=author.agency,
    )
    assert fraction("MANAGER_OVERSIGHT") == (0, 1)


def test_manager_oversight_is_broken_down_by_the_authors_agency():
    health, police = AgencyFactory(name="Health"), AgencyFactory(name="Police")
    nurse, officer = UserFactory(agency=health), UserFactory(agency=police)
    overseen = tool(DayInMyLife, ChildFactory(), nurse, S)
    oversee(overseen, S, kind="day")
    tool(AssessmentChecklist, ChildFactory(), nurse, S)
    tool(ParentChildObservation, ChildFactory(), officer, S)
    figures = breakdown.by_agency("MANAGER_OVERSIGHT", Q1)
    assert (figures[health.pk].numerator, figures[health.pk].denominator) == (1, 2)
    assert (figures[police.pk].numerator, figures[police.pk].denominator) == (0, 1)


def test_the_drill_down_lists_tools_of_every_kind_page_by_page(author, csc_team_manager):
    child = ChildFactory()
    made = [tool(DayInMyLife, child, author, S + DAY * i) for i in range(3)]
    made += [tool(AssessmentChecklist, child, author, S + DAY * i) for i in range(2)]
    made += [tool(ParentChildObservation, child, author, S)]
    records = selectors.drill_down(
        "MANAGER_OVERSIGHT", "denominator", csc_team_manager, results.shown_result(Q1)
    )
    assert records.count() == 6
    pages = [records[0:4], records[4:8]]
    assert [len(page) for page in pages] == [4, 2]
    assert pages[0] + pages[1] == made
    assert list(records.iterator(chunk_size=2)) == made


def test_the_drill_down_shows_only_tools_of_children_the_viewer_may_see(author, health_lead):
    tool(DayInMyLife, ChildFactory(), author, S)
    records = selectors.drill_down(
        "MANAGER_OVERSIGHT", "denominator", health_lead, results.shown_result(Q1)
    )
    assert records.count() == 0
    assert list(records[0:25]) == []


def test_the_page_counts_the_tools_of_every_kind_the_viewer_may_see(author, health, health_lead):
    known, unknown = ChildFactory(), ChildFactory()
    InvolvementFactory(child=known, agency=health, start_date=S - DAY)
    overseen = tool(DayInMyLife, known, author, S)
    oversee(overseen, S + DAY, kind="day")
    tool(AssessmentChecklist, known, author, S)
    tool(ParentChildObservation, unknown, author, S)
    tool(DayInMyLife, unknown, author, S)
    result = results.shown_result(Q1)
    # Counted in one query over every kind, as each kind's drill-down counts them.
    assert selectors.visible_counts("MANAGER_OVERSIGHT", health_lead, result) == (1, 2)
    assert [
        selectors.drill_down("MANAGER_OVERSIGHT", which, health_lead, result).count()
        for which in ("numerator", "denominator")
    ] == [1, 2]


# VOICE_KNOWS_PLAN and VOICE_SAFETY_PLANNING ---------------------------------------------------

VOICE = {"VOICE_KNOWS_PLAN": "knows_plan", "VOICE_SAFETY_PLANNING": "took_part_in_safety_planning"}


def voiced(plan, on, **answers):
    return CPReview.objects.create(plan=plan, review_date=on, **answers)


@pytest.mark.parametrize("code", VOICE)
def test_voice_counts_reviews_dated_s_to_e_and_those_answered_yes(code):
    question = VOICE[code]
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    voiced(plan, S - DAY, **{question: "yes"})  # the quarter before
    first = voiced(plan, S, **{question: "yes"})
    last = voiced(plan, E, **{question: "no"})
    voiced(plan, E + DAY, **{question: "yes"})  # the quarter after
    assert fraction(code) == (1, 2)
    numerator, denominator = members(code, Q1)
    assert set(numerator) == {first}
    assert set(denominator) == {first, last}
    assert compute(Q1, codes=[code])[code].value == Decimal("50.0")


@pytest.mark.parametrize("code", VOICE)
def test_voice_leaves_empty_and_not_appropriate_answers_out_of_both_numbers(code):
    question = VOICE[code]
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    voiced(plan, S)  # not recorded, as every review the census imports
    voiced(plan, S + DAY, **{question: "not_appropriate"})
    answered = voiced(plan, E, **{question: "yes"})
    assert fraction(code) == (1, 1)
    numerator, denominator = members(code, Q1)
    assert list(numerator) == list(denominator) == [answered]


@pytest.mark.parametrize("code", VOICE)
def test_voice_with_no_answered_review_is_no_cases_not_zero(code):
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    voiced(plan, S, **{VOICE[code]: "not_appropriate"})
    voiced(plan, E)
    figure = compute(Q1, codes=[code])[code]
    assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)


def test_each_voice_indicator_reads_its_own_question():
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    voiced(plan, S, knows_plan="yes", took_part_in_safety_planning="no")
    voiced(plan, E, knows_plan="no", knows_social_worker_name="yes")
    assert fraction("VOICE_KNOWS_PLAN") == (1, 2)
    assert fraction("VOICE_SAFETY_PLANNING") == (0, 1)


def test_voice_counts_reviews_of_every_category_and_ended_plans():
    # Not limited to neglect plans or to plans still open: the definition says neither.
    physical = cp_plan(ChildFactory(), date(2023, 1, 1), initial="PHY")
    voiced(physical, S, knows_plan="yes")
    ended = cp_plan(ChildFactory(), date(2023, 1, 1), S + DAY)
    voiced(ended, S + DAY, knows_plan="yes")
    assert fraction("VOICE_KNOWS_PLAN") == (2, 2)


def test_the_voice_figures_share_the_reviews_aggregate_query(django_assert_num_queries):
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    voiced(plan, S, knows_plan="yes", took_part_in_safety_planning="yes")
    review(plan, E)
    codes = ["TOOLS_INFORMED_REVIEW", *VOICE]
    with django_assert_num_queries(1):
        figures = compute(Q1, codes=codes)
    # Both reviews are of a child on a neglect plan; only the one on E was informed.
    assert [(figures[c].numerator, figures[c].denominator) for c in codes] == [
        (1, 2),
        (1, 1),
        (1, 1),
    ]


@pytest.mark.parametrize("code", VOICE)
def test_the_voice_drill_down_shows_only_reviews_of_children_the_viewer_may_see(
    code, working_group_member
):
    seen = InvolvementFactory(agency=working_group_member.agency, start_date=S).child
    shown = voiced(cp_plan(seen, date(2023, 1, 1)), S, **{VOICE[code]: "yes"})
    voiced(cp_plan(ChildFactory(), date(2023, 1, 1)), S, **{VOICE[code]: "yes"})
    for which in ("numerator", "denominator"):
        records = selectors.drill_down(code, which, working_group_member, results.shown_result(Q1))
        assert list(records) == [shown]
    assert fraction(code) == (2, 2)  # the figure still counts every review


@pytest.mark.parametrize("code", VOICE)
def test_the_voice_drill_down_page_and_csv_list_the_reviews(client, working_group_member, code):
    child = InvolvementFactory(agency=working_group_member.agency, start_date=S).child
    plan = cp_plan(child, date(2023, 1, 1))
    voiced(plan, S, **{VOICE[code]: "yes"})
    voiced(plan, E, **{VOICE[code]: "no"})
    client.force_login(working_group_member)
    for which, reviews in (("numerator", 1), ("denominator", 2)):
        args = [Q1.slug, code, which]
        html = client.get(reverse("dataset:members", args=args)).content.decode()
        assert html.count("Child protection review (plan from 1 January 2023)") == reviews
        csv = client.get(reverse("dataset:members_csv", args=args)).content.decode()
        assert csv.count(child.la_child_id) == reviews


@pytest.mark.parametrize("code", VOICE)
def test_each_voice_indicator_page_shows_its_definition_and_figure(
    client, working_group_member, code
):
    plan = cp_plan(ChildFactory(), date(2023, 1, 1))
    voiced(plan, S, **{VOICE[code]: "yes"})
    voiced(plan, S + DAY, **{VOICE[code]: "yes"})
    voiced(plan, E, **{VOICE[code]: "no"})
    client.force_login(working_group_member)
    html = client.get(reverse("dataset:indicator", args=[Q1.slug, code])).content.decode()
    assert indicators_get(code).definition[:60] in html.replace("&quot;", '"')
    assert "66.7%" in html


# Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["numerator", "denominator"])
def test_the_drill_down_page_and_csv_list_the_tools(client, working_group_member, author, which):
    # The Working Group member is in the voluntary sector: they see the children their agency
    # works with, so this child is involved with it.
    child = InvolvementFactory(agency=working_group_member.agency, start_date=S).child
    overseen = tool(DayInMyLife, child, author, S)
    oversee(overseen, S, kind="day")
    tool(ParentChildObservation, child, author, E)
    client.force_login(working_group_member)
    args = [Q1.slug, "MANAGER_OVERSIGHT", which]
    html = client.get(reverse("dataset:members", args=args)).content.decode()
    assert "Day in my life" in html
    assert ("Parent–child observation" in html) == (which == "denominator")
    csv = client.get(reverse("dataset:members_csv", args=args)).content.decode()
    assert csv.count(child.la_child_id) == (1 if which == "numerator" else 2)


def test_the_reviews_drill_down_names_each_review(client, working_group_member):
    child = InvolvementFactory(agency=working_group_member.agency, start_date=S).child
    review(cp_plan(child, date(2023, 1, 1)), S)
    client.force_login(working_group_member)
    url = reverse("dataset:members", args=[Q1.slug, "TOOLS_INFORMED_REVIEW", "numerator"])
    html = client.get(url).content.decode()
    assert "Child protection review (plan from 1 January 2023)" in html
    assert "1 April 2024" in html


@pytest.mark.parametrize("code", ["TOOLS_INFORMED_REVIEW", "MANAGER_OVERSIGHT"])
def test_each_indicator_page_shows_its_definition_and_figure(
    client, working_group_member, author, code
):
    form = tool(DayInMyLife, ChildFactory(), author, S)
    oversee(form, S, kind="day")
    review(cp_plan(ChildFactory(), date(2023, 1, 1)), S)
    client.force_login(working_group_member)
    html = client.get(reverse("dataset:indicator", args=[Q1.slug, code])).content.decode()
    assert indicators_get(code).definition[:60] in html
    assert "100.0%" in html
