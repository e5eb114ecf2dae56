"""Query budgets of the case pages (issue 16): the child page, the children list and search at
most 10 queries, for a children's social care practitioner and for a partner practitioner,
whatever the number of records the child or the list has."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from neglect_portal.dates import today
from tests.dataset.builders import chronology_entry, chronology_reviewed, cp_plan, tool
from tests.factories import (
    AllocationFactory,
    AssessmentFactory,
    ChildFactory,
    CINPlanFactory,
    CINPlanReviewFactory,
    CPPlanFactory,
    CPReviewFactory,
    InvolvementFactory,
    NextStepFactory,
    NextStepsFactory,
    ReferralFactory,
    TeamFactory,
)
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    DayInMyLife,
    NextSteps,
    Oversight,
    ParentChildObservation,
    SDQNeed,
    ToolInformed,
)

pytestmark = pytest.mark.django_db

CASE_PAGE_QUERIES = 10


def full_case(*, worker, partner, manager=None, records: int = 1, child=None):
    """A child on a neglect plan allocated to `worker`, with `partner`'s agency involved (and
    `partner` its lead worker), and `records` of everything: episodes with assessments, plans and
    reviews, involvements, allocations, every kind of tool as a draft and completed (one
    reopened), chronology entries and a review, next steps, SDQ needs, oversight and the tools
    that informed a review. Calling it again for the same child adds `records` more."""
    child = child or ChildFactory(allocated_worker=worker)
    day = today()
    if not child.referrals.filter(cp_plans__end_date__isnull=True).exists():
        plan = cp_plan(child, day - timedelta(days=30))
        InvolvementFactory(child=child, agency=partner.agency, lead_worker=partner)
    plan = child.referrals.filter(cp_plans__end_date__isnull=True).get().cp_plans.get()
    base = child.referrals.count() * 40 + 400
    for n in range(records):
        start = day - timedelta(days=base + n * 40)
        referral = ReferralFactory(child=child, referral_date=start)
        AssessmentFactory(referral=referral)
        CINPlanReviewFactory(
            plan=CINPlanFactory(referral=referral, end_date=start + timedelta(days=20)),
            review_date=start + timedelta(days=10),
        )
        old = CPPlanFactory(referral=referral, end_date=start + timedelta(days=30))
        CPReviewFactory(plan=old, review_date=start + timedelta(days=25))
        review = CPReviewFactory(
            plan=plan, review_date=day - timedelta(days=plan.reviews.count() + 1)
        )
        InvolvementFactory(child=child, end_date=day - timedelta(days=1))
        AllocationFactory(
            child=child,
            started_on=start,
            ended_on=start + timedelta(days=10),
            worker__team=TeamFactory(agency=worker.agency),
        )
        for author in (worker, partner):
            done = day - timedelta(days=5 + n)
            for model in (DayInMyLife, AssessmentChecklist, ParentChildObservation):
                tool(model, child, author, None, status="draft")
                tool(model, child, author, done)
            tool(SDQ, child, author, None, status="draft", informant="parent")
            tool(SDQ, child, author, done, informant="parent")
            analysis = NextStepsFactory(child=child, author=author)
            NextStepFactory(
                analysis=analysis, owner=author, owner_name="", due_on=day - timedelta(days=2)
            )
            NextStepFactory(
                analysis=analysis, owner=author, owner_name="", due_on=day + timedelta(days=3)
            )
            tool(NextSteps, child, author, None, status="draft")
            chronology_entry(child, author, done)
            SDQNeed.objects.create(child=child, reason="Withdrawn", recorded_by=author)
        reopened = tool(
            DayInMyLife,
            child,
            worker,
            None,
            status="draft",
            reopened_by=manager or worker,
            reopened_on=day - timedelta(days=1),
            reopen_reason="Wrong date",
            previous_completed_on=day - timedelta(days=60),
        )
        completed = tool(AssessmentChecklist, child, worker, day - timedelta(days=4))
        ToolInformed.objects.create(
            child=child,
            tool_kind="checklist",
            tool_id=completed.pk,
            completed_on=completed.completed_on,
            cp_review=review,
            recorded_by=worker,
        )
        if manager is not None:
            Oversight.objects.create(
                child=child,
                tool_kind="checklist",
                tool_id=completed.pk,
                tool_version=completed.version,
                completed_on=completed.completed_on,
                judgement="good",
                reason="Clear",
                manager=manager,
                manager_agency=manager.agency,
            )
        assert reopened.pk
    chronology_reviewed(child, day - timedelta(days=2))
    return child


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


@pytest.fixture
def viewer(request, csc_social_worker, health_visitor):
    """A practitioner of children's social care, or of a partner agency (health)."""
    return {"csc": csc_social_worker, "health": health_visitor}[request.param]


def grows(client, child, url, *, worker, partner, manager=None) -> list[int]:
    """The page's queries with the child's records, then with three times more."""
    counts = [queries_of(client, url)]
    full_case(worker=worker, partner=partner, manager=manager, records=3, child=child)
    counts.append(queries_of(client, url))
    return counts


@pytest.mark.parametrize("viewer", ["csc", "health"], indirect=True)
def test_the_child_page_takes_at_most_10_queries_however_many_records(
    client, viewer, csc_social_worker, health_visitor, csc_team_manager
):
    people = {"worker": csc_social_worker, "partner": health_visitor, "manager": csc_team_manager}
    child = full_case(**people)
    client.force_login(viewer)
    counts = grows(client, child, reverse("cases:child_detail", args=[child.pk]), **people)
    assert counts[0] == counts[1] <= CASE_PAGE_QUERIES, counts


@pytest.mark.parametrize("viewer", ["csc", "health"], indirect=True)
def test_the_child_page_reads_its_records_in_one_query_and_still_shows_them(
    client, viewer, csc_social_worker, health_visitor, csc_team_manager
):
    child = full_case(
        worker=csc_social_worker, partner=health_visitor, manager=csc_team_manager, records=2
    )
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    unions = [q["sql"] for q in captured.captured_queries if "UNION" in q["sql"]]
    # The case record, and the toolkit's panel (status, tools, oversight, latest review).
    assert len(unions) == 2
    assert html.count("Referral of ") == child.referrals.count()
    assert (
        html.count('History<span class="govuk-visually-hidden"> of the allocation')
        == child.allocations.count()
    )
    assert "Mandatory neglect tools" in html
    assert "Community Health Trust" in html
    assert "Current" in html


@pytest.mark.parametrize("viewer", ["csc", "health"], indirect=True)
def test_the_children_list_and_search_take_at_most_10_queries_however_many_children(
    client, viewer, csc_social_worker, health_visitor
):
    client.force_login(viewer)
    list_url = reverse("cases:child_list")
    counts: dict[str, list[int]] = {"list": [], "search": [], "page 2": []}
    for more in (3, 30):
        for _ in range(more):
            child = ChildFactory(family_name="Searchable", allocated_worker=csc_social_worker)
            cp_plan(child, today() - timedelta(days=30))
            InvolvementFactory(
                child=child, agency=health_visitor.agency, lead_worker=health_visitor
            )
        client.post(list_url, {"clear": "1"})
        counts["list"].append(queries_of(client, list_url))
        counts["page 2"].append(queries_of(client, list_url + "?page=2"))
        client.post(list_url, {"query": "Searcha"})
        counts["search"].append(queries_of(client, list_url))
    for page, found in counts.items():
        assert found[0] == found[1] <= CASE_PAGE_QUERIES, (page, found)
