"""Query budgets of the toolkit's case pages (issue 16): the chronology and *My children* at
most 10 queries, *My tasks* at most 12, for a children's social care practitioner and a partner
(health) practitioner, whatever the number of records; and the child page's one-query panel
answering as the functions it stands in for."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases.selectors import case_record_for_child
from neglect_portal.dates import today
from tests.cases.test_case_page_budgets import CASE_PAGE_QUERIES, full_case, grows, queries_of
from tests.dataset.builders import cp_plan, tool
from tests.factories import ChildFactory, InvolvementFactory
from toolkit.models import SDQ, AssessmentChecklist, DayInMyLife
from toolkit.selectors import (
    awaiting_oversight_of_child,
    child_panel,
    latest_review_informed,
    tools_for_child,
)
from toolkit.status import tool_statuses

pytestmark = pytest.mark.django_db

TASK_PAGE_QUERIES = 12


@pytest.fixture
def viewer(request, csc_social_worker, health_visitor):
    return {"csc": csc_social_worker, "health": health_visitor}[request.param]


@pytest.fixture
def people(csc_social_worker, health_visitor, csc_team_manager):
    return {"worker": csc_social_worker, "partner": health_visitor, "manager": csc_team_manager}


@pytest.mark.parametrize("name", ["toolkit:chronology", "toolkit:chronology_print"])
@pytest.mark.parametrize("viewer", ["csc", "health"], indirect=True)
def test_the_chronology_takes_at_most_10_queries_however_many_records(client, viewer, people, name):
    child = full_case(**people)
    client.force_login(viewer)
    counts = grows(client, child, reverse(name, args=[child.pk]), **people)
    assert counts[0] == counts[1] <= CASE_PAGE_QUERIES, counts


@pytest.mark.parametrize("viewer", ["csc", "health"], indirect=True)
def test_the_chronology_still_shows_entries_events_and_completed_tools(client, viewer, people):
    child = full_case(**people, records=2)
    client.force_login(viewer)
    html = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    assert "Missed health visit" in html
    assert "Child protection plan started" in html
    assert "Assessment checklist completed" in html
    assert f"{SDQ.objects.filter(child=child, status='completed').first()} completed" in html


def caseload_of(viewer, people, children: int) -> None:
    """`children` more on a neglect plan on the viewer's caseload (allocated to the CSC
    worker, led on by the health visitor), each with tools of every kind; and as many again
    that are not theirs."""
    for _ in range(children):
        child = full_case(**people)
        other = ChildFactory()
        cp_plan(other, today() - timedelta(days=20))
        InvolvementFactory(child=other, agency=viewer.agency)
        tool(DayInMyLife, other, viewer, None, status="draft")
    assert child.pk


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [("toolkit:my_children", CASE_PAGE_QUERIES), ("toolkit:my_tasks", TASK_PAGE_QUERIES)],
)
@pytest.mark.parametrize("viewer", ["csc", "health"], indirect=True)
def test_my_children_and_my_tasks_stay_within_budget_as_the_caseload_grows(
    client, viewer, people, url_name, budget
):
    client.force_login(viewer)
    counts = []
    for more in (2, 8):
        caseload_of(viewer, people, more)
        counts.append(queries_of(client, reverse(url_name)))
    assert counts[0] == counts[1] <= budget, counts


def test_my_children_lists_the_caseload_only(client, people):
    worker, partner = people["worker"], people["partner"]
    allocated = full_case(**people)
    led = ChildFactory()
    cp_plan(led, today() - timedelta(days=20))
    InvolvementFactory(child=led, agency=partner.agency, lead_worker=partner)
    not_theirs = ChildFactory()
    cp_plan(not_theirs, today() - timedelta(days=20))
    InvolvementFactory(child=not_theirs, agency=partner.agency)
    client.force_login(partner)
    html = client.get(reverse("toolkit:my_children")).content.decode()
    assert str(allocated) in html and str(led) in html
    assert str(not_theirs) not in html
    client.force_login(worker)
    html = client.get(reverse("toolkit:my_children")).content.decode()
    assert str(allocated) in html and str(led) not in html


@pytest.mark.parametrize("records", [1, 3])
def test_the_one_query_panel_answers_as_the_functions_it_stands_in_for(people, records):
    child = full_case(**people, records=records)
    # Completed again after its reopening, a tool is counted by its new completion.
    tool(AssessmentChecklist, child, people["worker"], today() - timedelta(days=1))
    day = today()
    record = case_record_for_child(child)
    reviews = [r for plan in [*record.cp_plans, *record.cin_plans] for r in plan.reviews.all()]
    panel = child_panel(child, on=day, neglect_plan=True, reviews=reviews)
    statuses = tool_statuses([child.pk], day)[child.pk]
    assert panel.statuses == statuses
    assert panel.tools == tools_for_child(child)
    assert panel.awaiting_oversight == awaiting_oversight_of_child(child)
    assert panel.latest_review == latest_review_informed(child, statuses)
    assert panel.latest_review is not None
    # And on an earlier day, when other completions count.
    earlier = day - timedelta(days=3)
    assert (
        child_panel(child, on=earlier, neglect_plan=True, reviews=reviews).statuses
        == tool_statuses([child.pk], earlier)[child.pk]
    )


def test_the_panel_of_a_child_with_no_tools(people):
    child = ChildFactory()
    panel = child_panel(child, on=today(), neglect_plan=True, reviews=[])
    assert panel.statuses == tool_statuses([child.pk], today())[child.pk]
    assert panel.tools == [] and panel.awaiting_oversight == set()
    assert panel.latest_review is None


def test_the_child_page_names_a_reopened_tool_counted_by_its_earlier_completion(
    client, csc_social_worker, csc_team_manager
):
    child = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(child, today() - timedelta(days=30))
    tool(
        DayInMyLife,
        child,
        csc_social_worker,
        None,
        status="draft",
        reopened_by=csc_team_manager,
        reopened_on=today() - timedelta(days=1),
        reopen_reason="Wrong date of the visit",
        previous_completed_on=today() - timedelta(days=20),
    )
    client.force_login(csc_social_worker)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Wrong date of the visit" in html
    assert str(csc_team_manager) in html
