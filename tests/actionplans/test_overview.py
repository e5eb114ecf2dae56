"""The Working Group overview: matrix counts, changes, gaps, overdue actions and exports."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from actionplans.models import Action, QuarterlyReport
from actionplans.selectors import overdue_actions, overview, plan_actions_by_objective
from neglect_portal import dates
from neglect_portal.quarters import Quarter
from tests.actionplans.factories import (
    ActionFactory,
    ActionPlanFactory,
    ActionUpdateFactory,
    QuarterlyReportFactory,
)
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

Q1, Q2, Q3 = Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)


def _cell(result, agency, objective):
    row = next(r for r in result["rows"] if r.agency == agency)
    index = ["recognise", "respond", "quantify", "evaluate"].index(objective)
    return {c.rag: (c.n, c.change) for c in row.cells[index].counts}


def test_the_matrix_counts_actions_by_rag_and_the_change_since_last_quarter(plan):
    # Q1: every action green (the fixture). Q2: recognise turns red, respond stays green.
    recognise = plan.actions.get(objective="recognise")
    respond = plan.actions.get(objective="respond")
    ActionUpdateFactory(action=recognise, quarter=Q2.slug, rag="red")
    ActionUpdateFactory(action=respond, quarter=Q2.slug, rag="green")
    quantify = plan.actions.get(objective="quantify")
    ActionUpdateFactory(action=quantify, quarter=Q2.slug, rag="")  # in the report, unrated
    QuarterlyReportFactory(plan=plan, quarter=Q2.slug)
    result = overview(Q2)
    assert _cell(result, plan.agency, "recognise") == {
        "red": (1, 1),
        "amber": (0, 0),
        "green": (0, -1),
        "complete": (0, 0),
        "not_rated": (0, None),
    }
    assert _cell(result, plan.agency, "respond")["green"] == (1, 0)
    assert _cell(result, plan.agency, "quantify")["not_rated"] == (1, None)
    partnership = {c.rag: (c.n, c.change) for c in result["partnership"]}
    assert partnership["red"] == (1, 1)
    assert partnership["green"] == (1, -3)


def test_an_agency_has_no_change_unless_it_submitted_both_quarters(plan):
    # Q1 submitted all green (the fixture); Q2 not submitted: not "Green 0 (−1)".
    assert _cell(overview(Q2), plan.agency, "recognise")["green"] == (0, None)
    for action in plan.actions.all():
        ActionUpdateFactory(action=action, quarter=Q3.slug, rag="amber")
    QuarterlyReportFactory(plan=plan, quarter=Q3.slug)
    # Q3 submitted after a Q2 that never was: no comparison either.
    assert _cell(overview(Q3), plan.agency, "recognise")["amber"] == (1, None)


def test_the_partnership_change_counts_only_agencies_that_submitted_both_quarters(plan):
    police = ActionPlanFactory(agency=AgencyFactory(name="Police"))
    action = ActionFactory(plan=police)
    ActionUpdateFactory(action=action, quarter=Q1.slug, rag="red")
    ActionUpdateFactory(action=action, quarter=Q2.slug, rag="green")
    QuarterlyReportFactory(plan=police, quarter=Q1.slug)
    QuarterlyReportFactory(plan=police, quarter=Q2.slug)
    # Health's four Q1 greens are not compared with a Q2 it has not submitted.
    partnership = {c.rag: (c.n, c.change) for c in overview(Q2)["partnership"]}
    assert partnership["green"] == (1, 1)
    assert partnership["red"] == (0, -1)


def test_the_overview_page_says_a_change_is_not_comparable(client, plan, working_group_member):
    client.force_login(working_group_member)
    page = client.get(reverse("actionplans:overview", args=[Q2])).content.decode()
    assert "(−1" not in page
    assert "not comparable" in page
    assert "only agencies that submitted both" in page


def _total(result, agency, objective):
    row = next(r for r in result["rows"] if r.agency == agency)
    return row.cells[["recognise", "respond", "quantify", "evaluate"].index(objective)].total


def test_a_submitted_quarter_is_not_changed_by_actions_added_after_it(plan):
    ActionFactory(plan=plan, objective="recognise")  # added after Q1 was submitted
    result = overview(Q1)
    assert _total(result, plan.agency, "recognise") == 1
    assert _cell(result, plan.agency, "recognise")["not_rated"] == (0, None)


def test_an_unsubmitted_quarter_counts_only_actions_that_existed_by_its_end(plan):
    early = plan.actions.get(objective="recognise")
    Action.history.filter(id=early.pk, history_type="+").update(
        history_date=datetime(2026, 5, 1, tzinfo=UTC)
    )
    # The fixture's other actions were created today, after Q2 ended; Q2 is not submitted.
    result = overview(Q2)
    assert _total(result, plan.agency, "recognise") == 1
    assert _cell(result, plan.agency, "recognise")["not_rated"] == (1, None)
    assert _total(result, plan.agency, "respond") == 0


def test_ratings_of_a_quarter_not_yet_submitted_are_not_counted(plan):
    ActionUpdateFactory(action=plan.actions.first(), quarter=Q2.slug, rag="red")
    QuarterlyReportFactory(plan=plan, quarter=Q2.slug, status=QuarterlyReport.Status.DRAFT)
    result = overview(Q2)
    assert sum(c.n for c in result["partnership"]) == 0
    assert result["not_submitted"] == [plan.agency]


def test_agencies_without_a_published_plan_are_listed_apart(plan):
    draft_only = AgencyFactory(name="Education")
    ActionPlanFactory(agency=draft_only, status="draft")
    result = overview(Q1)
    assert result["without_plan"] == [draft_only]
    assert result["not_submitted"] == []


def test_overdue_actions_are_those_due_before_the_quarter_ended_and_not_complete(plan):
    late = ActionFactory(plan=plan, due_date=date(2026, 9, 1), description="Late")
    done = ActionFactory(plan=plan, due_date=date(2026, 8, 1), description="Done")
    ActionFactory(plan=plan, due_date=date(2026, 10, 15), description="Due after Q2")
    ActionUpdateFactory(action=done, quarter=Q2.slug, rag="complete")
    QuarterlyReportFactory(plan=plan, quarter=Q2.slug)
    assert list(overdue_actions(Q2, today=date(2026, 11, 25))) == [late]


def test_an_action_rated_complete_then_reopened_is_overdue_again(plan):
    reopened = ActionFactory(plan=plan, due_date=date(2026, 8, 1), description="Reopened")
    ActionUpdateFactory(action=reopened, quarter=Q1.slug, rag="complete")
    ActionUpdateFactory(action=reopened, quarter=Q2.slug, rag="red")
    QuarterlyReportFactory(plan=plan, quarter=Q2.slug)
    # Its latest submitted rating up to Q2 is red: it is not done, whatever Q1 said.
    assert list(overdue_actions(Q2, today=date(2026, 11, 25))) == [reopened]


def test_the_overview_and_the_plan_page_agree_on_what_is_overdue(plan):
    reopened = ActionFactory(plan=plan, due_date=date(2026, 8, 1), description="Reopened")
    done = ActionFactory(plan=plan, due_date=date(2026, 8, 1), description="Done")
    ActionUpdateFactory(action=reopened, quarter=Q1.slug, rag="complete")
    ActionUpdateFactory(action=reopened, quarter=Q2.slug, rag="amber")
    ActionUpdateFactory(action=done, quarter=Q1.slug, rag="red")
    ActionUpdateFactory(action=done, quarter=Q2.slug, rag="complete")
    QuarterlyReportFactory(plan=plan, quarter=Q2.slug)
    on = date(2026, 9, 30)  # the end of Q2: both pages look at the same moment
    on_plan_page = {
        row.action
        for group in plan_actions_by_objective(plan, on=on)
        for row in group.rows
        if row.overdue
    }
    assert on_plan_page == set(overdue_actions(Q2, today=on)) == {reopened}


def _many_agencies(n):
    for i in range(n):
        plan = ActionPlanFactory(agency=AgencyFactory(name=f"Agency {i:02d}"))
        for objective in ("recognise", "respond", "quantify", "evaluate"):
            action = ActionFactory(plan=plan, objective=objective, due_date=date(2026, 5, 1))
            ActionUpdateFactory(action=action, quarter=Q1.slug, rag="amber")
            ActionUpdateFactory(action=action, quarter=Q2.slug, rag="green")
        QuarterlyReportFactory(plan=plan, quarter=Q1.slug)
        if i % 2:
            QuarterlyReportFactory(plan=plan, quarter=Q2.slug)


# Session, user and the header's agency; the overview's three aggregate reads; the overdue
# actions (count and page, or the print page's list and the summary reports).
OVERVIEW_BUDGET = 8
# The overview page also lists the quarter's challenges and every open one, in one read.
CHALLENGES_BUDGET = 1


@pytest.mark.parametrize("agencies", [3, 12])
def test_the_overview_takes_the_same_number_of_queries_for_3_or_12_agencies(
    client, working_group_member, django_assert_max_num_queries, agencies
):
    _many_agencies(agencies)
    client.force_login(working_group_member)
    with django_assert_max_num_queries(OVERVIEW_BUDGET + CHALLENGES_BUDGET):
        response = client.get(reverse("actionplans:overview", args=[Q2]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == agencies + 1  # and the member's own agency


@pytest.mark.parametrize("agencies", [3, 12])
def test_the_print_page_takes_the_same_number_of_queries_for_3_or_12_agencies(
    client, working_group_member, django_assert_max_num_queries, agencies
):
    _many_agencies(agencies)
    client.force_login(working_group_member)
    with django_assert_max_num_queries(OVERVIEW_BUDGET):
        assert client.get(reverse("actionplans:overview_print", args=[Q2])).status_code == 200


def test_the_overview_page_shows_the_matrix_and_who_has_not_submitted(
    client, plan, working_group_member
):
    late = ActionPlanFactory(agency=AgencyFactory(name="Police"))
    ActionFactory(plan=late)
    client.force_login(working_group_member)
    page = client.get(reverse("actionplans:overview", args=[Q1])).content.decode()
    assert "Green 1" in page and "4 actions" in page
    assert f'href="{reverse("actionplans:plan_detail", args=[plan.pk])}"' in page
    not_submitted = page[page.index('id="not-submitted"') :]
    assert "Police" in not_submitted[:200]


def test_the_latest_overview_is_the_last_quarter_to_have_ended(client, working_group_member):
    client.force_login(working_group_member)
    response = client.get(reverse("actionplans:overview_latest"))
    expected = Quarter.containing(dates.today()).previous()
    assert response["Location"] == reverse("actionplans:overview", args=[expected])


def test_the_csv_export_has_every_submitted_rating_and_defuses_formulas(
    client, plan, working_group_member
):
    action = plan.actions.get(objective="recognise")
    action.description = '=HYPERLINK("http://evil")'
    action.save()
    client.force_login(working_group_member)
    response = client.get(reverse("actionplans:submissions_csv", args=[Q1]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Quarter", "Agency", "Objective"]
    assert len(rows) == 1 + 4
    assert ["2026-27 Q1", plan.agency.name, "Recognise", '\'=HYPERLINK("http://evil")'] == rows[1][
        :4
    ]
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="action-plan-submissions-2026-27-Q1.csv"'
    )


def test_the_xlsx_export_has_ratings_and_reports_and_no_formulas(
    client, plan, working_group_member
):
    from openpyxl import load_workbook

    report = plan.reports.get(quarter=Q1.slug)
    report.what_we_did = "=1+1"
    report.save()
    client.force_login(working_group_member)
    response = client.get(reverse("actionplans:submissions_xlsx", args=[Q1]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Ratings", "Summary reports"]
    ratings = list(workbook["Ratings"].values)
    assert len(ratings) == 1 + 4
    assert ratings[1][6] == date(2027, 3, 31) or ratings[1][6].date() == date(2027, 3, 31)
    reports = list(workbook["Summary reports"].values)
    assert reports[1][4] == "'=1+1"
    assert all(
        cell.data_type != "f" for row in workbook["Summary reports"].iter_rows() for cell in row
    )


def test_the_xlsx_export_gives_the_submission_date_in_uk_time(client, plan, working_group_member):
    from openpyxl import load_workbook

    # 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time.
    plan.reports.filter(quarter=Q1.slug).update(
        submitted_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    )
    client.force_login(working_group_member)
    response = client.get(reverse("actionplans:submissions_xlsx", args=[Q1]))
    reports = list(load_workbook(io.BytesIO(response.content))["Summary reports"].values)
    submitted_on = reports[1][3]
    assert (submitted_on.date() if isinstance(submitted_on, datetime) else submitted_on) == date(
        2026, 7, 1
    )
