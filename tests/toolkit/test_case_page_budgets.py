"""Query budgets of the toolkit's case pages (issue 16): the chronology and *My children* at
most 10 queries, *My tasks* at most 12, for a children's social care practitioner and a partner
(health) practitioner, whatever the number of records; and what the child page's panel shows,
read in one query."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.selectors import case_record_for_child
from neglect_portal import access
from neglect_portal.dates import today
from tests.cases.test_case_page_budgets import CASE_PAGE_QUERIES, full_case, grows, queries_of
from tests.dataset.builders import cp_plan, tool
from tests.factories import ChildFactory, InvolvementFactory
from toolkit.models import SDQ, AssessmentChecklist, Chronology, DayInMyLife
from toolkit.selectors import (
    awaiting_oversight_for,
    awaiting_oversight_of_child,
    child_panel,
    tools_for_child,
)
from toolkit.status import State, tool_statuses

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


def test_the_child_page_shows_the_status_tools_oversight_and_latest_review_in_one_query(
    client, people
):
    child = full_case(**people, records=2)
    # Completed again after its reopening, a tool is counted by its new completion.
    tool(AssessmentChecklist, child, people["worker"], today() - timedelta(days=1))
    record = case_record_for_child(child)
    reviews = [r for plan in [*record.cp_plans, *record.cin_plans] for r in plan.reviews.all()]
    with CaptureQueriesContext(connection) as captured:
        panel = child_panel(child, on=today(), neglect_plan=True, reviews=reviews)
    assert len(captured.captured_queries) == 1
    assert {s.tool: s.state for s in panel.statuses} == dict.fromkeys(
        ["chronology", "day_in_my_life", "checklist", "observation"], State.CURRENT
    )
    checklist = {s.tool: s for s in panel.statuses}["checklist"]
    assert (checklist.last_completed, checklist.reopened) == (today() - timedelta(days=1), None)
    assert len(panel.tools) == len(tools_for_child(child)) > 0
    assert panel.awaiting_oversight == awaiting_oversight_of_child(child) != set()
    assert panel.latest_review is not None
    informed = {t.label: t.informed for t in panel.latest_review.tools}
    assert informed["Assessment checklist"] is False  # completed again since the review
    # Not on a neglect plan: no status, the rest as before.
    plain = child_panel(child, on=today(), neglect_plan=False, reviews=reviews)
    assert plain.statuses == [] and plain.tools == panel.tools and plain.latest_review is None


def test_a_chronology_review_with_no_reviewer_recorded_awaits_no_oversight(
    client, csc_social_worker, csc_team_manager
):
    # Nobody can oversee it (can_record_oversight: no practitioner's work to oversee), so the
    # child page, the child's list and the manager's list all leave it out; it still counts
    # for the chronology's status.
    child = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(child, today() - timedelta(days=30))
    chronology = Chronology.objects.create(
        child=child,
        reviewed_on=today() - timedelta(days=2),
        reviewed_by=None,
        reviewed_by_agency=csc_team_manager.agency,
    )
    assert not access.can_record_oversight(csc_team_manager, chronology)
    assert awaiting_oversight_of_child(child) == set()
    assert [a for a in awaiting_oversight_for(csc_team_manager) if a.child_id == child.pk] == []
    client.force_login(csc_team_manager)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Review awaiting manager oversight" not in html
    statuses = tool_statuses([child.pk], today())[child.pk]
    assert {s.tool: s.state for s in statuses}["chronology"] == State.CURRENT
    # Reviewed by someone, it awaits oversight everywhere.
    chronology.reviewed_by = csc_social_worker
    chronology.save()
    assert awaiting_oversight_of_child(child) == {f"chronology:{chronology.pk}"}
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Review awaiting manager oversight" in html


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
