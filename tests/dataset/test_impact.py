"""The Impact Framework page for a quarter: a section per source of evidence, each linked to
its page, printable on A4, in a constant number of queries, and naming no child."""

import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Child, CPReview
from dataset import impact
from dataset.models import AgencyReturn
from neglect_portal.models import ConfidenceSurvey
from neglect_portal.quarters import Quarter
from tests.actionplans.factories import (
    ActionFactory,
    ActionPlanFactory,
    ActionUpdateFactory,
    QuarterlyReportFactory,
)
from tests.dataset.builders import cp_plan, tool
from tests.dataset.test_audit_indicator import moderated_audits
from tests.factories import ChildFactory, UserFactory
from toolkit.models import ParentChildObservation

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(response, anchor: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{anchor}"')
    end = html.find("<section", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : end if end > 0 else None]))


def page(client, quarter=Q1):
    return client.get(reverse("dataset:impact", args=[quarter.slug]))


@pytest.fixture
def wg_client(client, working_group_member):
    client.force_login(working_group_member)
    return client


def action_plans(health, voluntary):
    """Health submitted Q1: Recognise red and green, Respond amber, Evaluate left unrated in
    the report. The voluntary sector's plan has a Quantify action (there since March 2024)
    and no Q1 report, so it is not rated."""
    from actionplans.models import Action

    plan = ActionPlanFactory(
        agency=health, period_start=date(2024, 4, 1), period_end=date(2026, 3, 31)
    )
    QuarterlyReportFactory(plan=plan, quarter=Q1.slug)
    for objective, rag in [
        ("recognise", "red"),
        ("recognise", "green"),
        ("respond", "amber"),
        ("evaluate", ""),
    ]:
        action = ActionFactory(plan=plan, objective=objective)
        ActionUpdateFactory(action=action, quarter=Q1.slug, rag=rag)
    other = ActionPlanFactory(
        agency=voluntary, period_start=date(2024, 4, 1), period_end=date(2026, 3, 31)
    )
    added = ActionFactory(plan=other, objective="quantify")
    Action.history.filter(id=added.pk).update(
        history_date=timezone.make_aware(datetime(2024, 3, 1))
    )


def voice(plan):
    """Q1's reviews: knows the plan 2 of 3, took part 1 of 2, knows the social worker 1 of 2."""
    answers = [
        ("yes", "yes", "yes"),
        ("yes", "no", "no"),
        ("no", "not_appropriate", ""),
    ]
    for day, (knows, took_part, worker) in zip((5, 6, 7), answers, strict=True):
        CPReview.objects.create(
            plan=plan,
            review_date=date(2024, 5, day),
            knows_plan=knows,
            took_part_in_safety_planning=took_part,
            knows_social_worker_name=worker,
        )
    # Another quarter's review is not counted.
    CPReview.objects.create(plan=plan, review_date=date(2024, 7, 1), knows_social_worker_name="yes")


def surveys(agency, people=5):
    """`people` practitioners of `agency` trained in Q1, each 4 before and 6 after: +2.0."""
    for _ in range(people):
        person = UserFactory(agency=agency)
        for stage, day, score in [("before", date(2024, 3, 1), 4), ("after", date(2024, 5, 1), 6)]:
            ConfidenceSurvey.objects.create(
                respondent=person,
                agency=agency,
                entered_by=person,
                stage=stage,
                completed_on=day,
                recognising=score,
                responding=score,
                using_tools=score,
            )


def observations(author, children):
    """Three observations completed in April, one on 28 June; one in July and one draft that
    are not counted."""
    for child, day in zip(children, [3, 10, 10], strict=False):
        tool(ParentChildObservation, child, author, date(2024, 4, day))
    tool(ParentChildObservation, children[0], author, date(2024, 6, 28))
    tool(ParentChildObservation, children[0], author, date(2024, 7, 2))
    tool(ParentChildObservation, children[0], author, None, status="draft")


@pytest.fixture
def evidence(administrator, csc_social_worker, health, voluntary, csc, health_visitor):
    named = [ChildFactory(given_name=f"Zebedee{n}", family_name="Quartermaine") for n in range(3)]
    plans = [cp_plan(child, date(2024, 1, 10)) for child in named]
    voice(plans[0])
    action_plans(health, voluntary)
    moderated_audits(
        administrator, csc_social_worker, [[health, voluntary], [health], [voluntary], [health]]
    )
    surveys(health)
    AgencyReturn.objects.create(
        agency=health,
        quarter=Q1,
        staff_trained=30,
        target_workforce=40,
        submitted_by=administrator,
    )
    observations(health_visitor, named)
    return named


def test_each_section_gives_its_sources_figures_for_the_quarter(wg_client, evidence):
    response = page(wg_client)
    assert response.status_code == 200
    data = section(response, "data")
    assert "Child protection plans for neglect" in data and "Since 2023-24 Q4" in data

    plans = section(response, "plans")
    # Red, amber, green, complete, not rated, then all actions.
    assert "Recognise 1 0 1 0 0 2" in plans and "Respond 0 1 0 0 0 1" in plans
    assert "Quantify 0 0 0 0 1 1" in plans and "Evaluate 0 0 0 0 1 1" in plans
    assert "Not submitted for 2024-25 Q1: Voluntary and Community Sector." in plans

    audit = section(response, "audit")
    assert "40.0%" in audit and "4 of 10 audit judgements" in audit
    assert "Robustness of actions to improve outcomes 0 2 0.0%" in audit
    assert "Neglect audit 2" in audit  # child 1 and child 2 moderated in Q1

    voiced = section(response, "voice")
    assert "66.7% (2 of 3 CP reviews" in voiced
    assert "50.0% (1 of 2 CP reviews" in voiced
    assert "knows their social worker's name 50.0% (1 of 2 CP reviews)" in voiced

    practitioners = section(response, "practitioners")
    assert "+2.0 points (5 practitioners)" in practitioners
    assert "75.0% (30 of 40 staff)" in practitioners
    assert "Voluntary and Community Sector Not submitted a gap, not zero" in practitioners

    seen = section(response, "observation")
    assert "4 parent–child observations completed in 2024-25 Q1" in seen
    assert "from 3 April 2024 to 28 June 2024" in seen
    assert "April 2024 3" in seen and "May 2024 0" in seen and "June 2024 1" in seen


def test_each_section_links_to_its_page(wg_client, evidence):
    html = page(wg_client).content.decode()
    for url in [
        reverse("dataset:dashboard", args=[Q1.slug]),
        reverse("actionplans:overview", args=[Q1.slug]),
        reverse("dataset:indicator", args=[Q1.slug, "AUDIT_GOOD_OR_BETTER"]),
        reverse("dataset:indicator", args=[Q1.slug, "VOICE_KNOWS_PLAN"]),
        reverse("dataset:indicator", args=[Q1.slug, "VOICE_SAFETY_PLANNING"]),
        reverse("dataset:indicator", args=[Q1.slug, "CONFIDENCE_CHANGE"]),
        reverse("dataset:training_coverage", args=[Q1.slug]),
        reverse("dataset:indicator", args=[Q1.slug, "TOOLKIT_CHILDREN"]),
    ]:
        assert f'href="{url}"' in html, url


def test_it_names_no_child(wg_client, evidence):
    # Names no word on the page could be (a made-up "Green" is also a RAG rating's heading).
    for child in Child.objects.exclude(pk__in=[c.pk for c in evidence]):
        Child.objects.filter(pk=child.pk).update(
            given_name=f"Xanthippe{child.pk}", family_name=f"Oyelaran{child.pk}"
        )
    html = page(wg_client).content.decode()
    children = list(Child.objects.all())
    assert len(children) > 3  # the named ones and the audited ones
    for child in children:
        for name in {child.given_name, child.family_name, child.full_name, child.la_child_id}:
            assert name and name not in html, name
    assert not re.search(r'href="/children/\d+/', html)


def test_it_prints_on_a4_with_a_print_button(wg_client, evidence):
    html = page(wg_client).content.decode()
    assert "data-portal-print" in html and "Print or save as PDF" in html
    assert "portal-print-only" in html and "This page names no child." in html
    assert 'class="portal-pack portal-impact"' in html


def test_the_latest_address_goes_to_the_latest_complete_quarter(wg_client):
    response = wg_client.get(reverse("dataset:impact_latest"))
    assert response.status_code == 302
    assert response.url == reverse("dataset:impact", args=[Quarter.latest_complete().slug])


def test_the_dashboard_and_the_meeting_pack_link_to_it(wg_client):
    url = reverse("dataset:impact", args=[Q1.slug])
    for name in ("dataset:dashboard", "dataset:pack"):
        assert f'href="{url}"' in wg_client.get(reverse(name, args=[Q1.slug])).content.decode()


def test_an_empty_quarter_says_so_in_every_section(wg_client):
    response = page(wg_client)
    assert response.status_code == 200
    assert "No audit was moderated in 2024-25 Q1." in text(response)
    assert "No parent–child observation was completed in 2024-25 Q1." in text(response)
    assert "no reviews" in section(response, "voice")


def test_a_published_quarter_shows_its_published_figures(wg_client, evidence, administrator):
    from dataset.services import quarter_publish

    quarter_publish(quarter=Q1, user=administrator)
    response = page(wg_client)
    assert "Published on" in text(response)
    assert "The headline figure is as published" in section(response, "audit")


def test_the_selector_keeps_the_spread_by_month_adding_up(evidence):
    found = impact.observations(Q1)
    assert found.total == sum(month.observations for month in found.months) == 4
    assert [month.first for month in found.months] == [
        date(2024, 4, 1),
        date(2024, 5, 1),
        date(2024, 6, 1),
    ]
    assert (found.earliest, found.latest) == (date(2024, 4, 3), date(2024, 6, 28))


@pytest.mark.parametrize("more", [0, 1])
def test_the_page_needs_the_same_queries_however_many_records(
    client,
    working_group_member,
    administrator,
    csc_social_worker,
    health,
    voluntary,
    health_visitor,
    more,
    django_assert_max_num_queries,
):
    client.force_login(working_group_member)
    action_plans(health, voluntary)
    moderated_audits(
        administrator, csc_social_worker, [[health, voluntary], [health], [voluntary], [health]]
    )
    counts = []
    for batch in (1, 3 + more):
        for _ in range(batch):
            child = ChildFactory()
            plan = cp_plan(child, date(2024, 1, 10))
            voice(plan)
            observations(health_visitor, [child])
        surveys(health, people=batch * 3)
        # Two quarters' figures as the meeting pack reads them (the agency returns, which
        # training coverage counts too, the agencies' indicators, the snapshots, the stored
        # results and their figures, the targets), the plans' overview (3, whose agencies
        # training coverage and the confidence table list), the audit's criteria and rounds
        # with the observations (1), the social worker question (1), the confidence surveys
        # (1), the session, the user and their agency: 14 measured on SQLite.
        page(client)  # the worker has stored the figures
        with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as queries:
            assert page(client).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
