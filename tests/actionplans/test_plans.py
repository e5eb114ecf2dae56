"""Plan and action pages, and who may see and change them."""

from datetime import timedelta

import pytest
from django.urls import reverse

from actionplans.models import Action, ActionPlan
from neglect_portal import dates
from neglect_portal.quarters import Quarter
from tests.actionplans.factories import (
    ActionFactory,
    ActionPlanFactory,
    ActionUpdateFactory,
    QuarterlyReportFactory,
)

pytestmark = pytest.mark.django_db

Q1, Q2 = Quarter(2026, 1), Quarter(2026, 2)


def _detail(plan):
    return reverse("actionplans:plan_detail", args=[plan.pk])


def _changes(plan, action):
    return [
        reverse("actionplans:plan_edit", args=[plan.pk]),
        reverse("actionplans:action_add", args=[plan.pk]),
        reverse("actionplans:action_edit", args=[action.pk]),
        reverse("actionplans:quarter", args=[plan.pk, Q1]),
    ]  # submitted


PLAN_DATA = {
    "title": "Our plan",
    "period_start_0": "1",
    "period_start_1": "4",
    "period_start_2": "2026",
    "period_end_0": "31",
    "period_end_1": "3",
    "period_end_2": "2028",
    "signed_off_by": "",
    "signed_off_role": "",
    "signed_off_on_0": "",
    "signed_off_on_1": "",
    "signed_off_on_2": "",
    "status": "draft",
}


def test_my_plan_takes_a_lead_to_their_agencys_plan(client, plan, health_lead):
    client.force_login(health_lead)
    assert client.get(reverse("actionplans:my_plan"))["Location"] == _detail(plan)


def test_a_lead_without_a_plan_adds_one_for_their_own_agency(client, health_lead):
    client.force_login(health_lead)
    assert b"Add an action plan" in client.get(reverse("actionplans:my_plan")).content
    response = client.post(reverse("actionplans:plan_add"), {**PLAN_DATA, "agency": 999})
    plan = ActionPlan.objects.get()
    assert response["Location"] == _detail(plan)
    assert plan.agency == health_lead.agency and plan.status == "draft"


def test_an_administrator_adds_a_plan_for_any_agency(client, administrator, health):
    client.force_login(administrator)
    client.post(reverse("actionplans:plan_add"), {**PLAN_DATA, "agency": health.pk})
    assert ActionPlan.objects.get().agency == health


def test_a_plan_is_made_active_only_once_signed_off(client, health_lead):
    client.force_login(health_lead)
    response = client.post(reverse("actionplans:plan_add"), {**PLAN_DATA, "status": "active"})
    assert b"Enter who signed the plan off and when" in response.content
    assert not ActionPlan.objects.exists()


def test_an_agency_has_one_active_plan_at_a_time(client, plan, health_lead):
    client.force_login(health_lead)
    response = client.post(
        reverse("actionplans:plan_add"),
        {
            **PLAN_DATA,
            "status": "active",
            "signed_off_by": "Dr Byrne",
            "signed_off_on_0": "1",
            "signed_off_on_1": "4",
            "signed_off_on_2": "2026",
        },
    )
    assert b"already has an active plan" in response.content
    assert ActionPlan.objects.count() == 1


def test_a_lead_adds_an_action_and_sees_it_under_its_objective(client, plan, health_lead):
    client.force_login(health_lead)
    response = client.post(
        reverse("actionplans:action_add", args=[plan.pk]),
        {
            "objective": "quantify",
            "description": "Count staff trained",
            "owner": "",
            "owner_name": "Learning team",
            "start_date_0": "",
            "start_date_1": "",
            "start_date_2": "",
            "due_date_0": "1",
            "due_date_1": "3",
            "due_date_2": "2027",
            "success_measure": "",
            "baseline": "180 of 800",
            "target": "800 of 800",
            "version": "",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(description="Count staff trained")
    assert action.plan == plan and action.owner_name == "Learning team"
    page = client.get(_detail(plan)).content.decode()
    quantify = page[page.index('id="objective-quantify"') : page.index('id="objective-evaluate"')]
    assert "Count staff trained" in quantify and "180 of 800" in quantify


def test_an_action_owner_may_only_be_someone_from_the_plans_agency(
    client, plan, health_lead, other_lead
):
    client.force_login(health_lead)
    response = client.post(
        reverse("actionplans:action_add", args=[plan.pk]),
        {
            "objective": "quantify",
            "description": "X",
            "owner": other_lead.pk,
            "due_date_0": "1",
            "due_date_1": "3",
            "due_date_2": "2027",
        },
    )
    assert b"Select a valid choice" in response.content


def test_a_stale_action_edit_is_refused_and_keeps_what_was_typed(client, plan, health_lead):
    action = plan.actions.first()
    client.force_login(health_lead)
    data = {
        "objective": action.objective,
        "description": "My wording",
        "due_date_0": "1",
        "due_date_1": "3",
        "due_date_2": "2027",
        "version": action.version,
    }
    action.description = "Their wording"
    action.version += 1
    action.save()
    response = client.post(reverse("actionplans:action_edit", args=[action.pk]), data)
    assert response.status_code == 409
    assert b"Someone else saved this action after you opened it" in response.content
    assert b"Their wording" in response.content  # what they saved, under "What is different"
    assert b"My wording" in response.content
    action.refresh_from_db()
    assert action.description == "Their wording"


def test_the_plan_page_flags_overdue_actions_and_shows_latest_rag_and_history(
    client, plan, working_group_member
):
    late = ActionFactory(
        plan=plan,
        objective="respond",
        description="Late action",
        due_date=dates.today() - timedelta(days=1),
    )
    ActionUpdateFactory(action=late, quarter=Q1.slug, rag="red")
    ActionUpdateFactory(action=late, quarter=Q2.slug, rag="amber")
    QuarterlyReportFactory(plan=plan, quarter=Q2.slug)
    client.force_login(working_group_member)
    page = client.get(_detail(plan)).content.decode()
    row = page[page.index("Late action") :]
    row = row[: row.index("</tr>")]
    assert "Overdue" in row
    assert row.count("govuk-tag--orange") == 2  # latest (Q2 amber) and Q2 in the history
    assert 'govuk-tag--red">Red' in row  # Q1 in the history
    assert "Edit" not in row  # the Working Group reads only


def test_a_draft_quarters_ratings_are_not_shown_to_peers(client, plan, other_lead):
    action = plan.actions.first()
    ActionUpdateFactory(action=action, quarter=Q2.slug, rag="red")
    QuarterlyReportFactory(plan=plan, quarter=Q2.slug, status="draft")
    client.force_login(other_lead)
    page = client.get(_detail(plan)).content.decode()
    assert "govuk-tag--red" not in page
    assert client.get(reverse("actionplans:quarter", args=[plan.pk, Q2])).status_code == 404
    assert client.get(reverse("actionplans:quarter", args=[plan.pk, Q1])).status_code == 200


@pytest.mark.parametrize("actions", [4, 20])
def test_the_plan_page_takes_the_same_number_of_queries_for_any_number_of_actions(
    client, plan, health_lead, django_assert_max_num_queries, actions
):
    for _ in range(actions - 4):
        action = ActionFactory(plan=plan, objective="evaluate", owner=health_lead)
        ActionUpdateFactory(action=action, quarter=Q1.slug, rag="amber")
    client.force_login(health_lead)
    # Session, user, plan, header agency, reports, ratings, actions with owners, challenges on
    # the plan and those behind its actions.
    with django_assert_max_num_queries(10):
        assert client.get(_detail(plan)).status_code == 200


@pytest.mark.parametrize("actions", [4, 20])
def test_the_quarter_page_takes_the_same_number_of_queries_for_any_number_of_actions(
    client, plan, health_lead, django_assert_max_num_queries, actions
):
    for _ in range(actions - 4):
        ActionFactory(plan=plan, objective="evaluate", owner=health_lead)
    client.force_login(health_lead)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("actionplans:quarter", args=[plan.pk, Q2])).status_code == 200


# Who may see and change a plan -------------------------------------------------------------


def test_another_agencys_lead_reads_the_plan_but_every_change_is_forbidden(
    client, plan, other_lead
):
    client.force_login(other_lead)
    page = client.get(_detail(plan)).content.decode()
    assert "Do the recognise work" in page
    assert "Add an action" not in page and "Edit the plan" not in page
    for url in _changes(plan, plan.actions.first()):
        assert client.post(url, {}).status_code == 403, url


def test_the_working_group_reads_but_may_not_change(client, plan, working_group_member):
    client.force_login(working_group_member)
    assert client.get(_detail(plan)).status_code == 200
    for url in _changes(plan, plan.actions.first()):
        assert client.post(url, {}).status_code == 403, url


def test_an_administrator_may_change_any_plan(client, plan, administrator):
    client.force_login(administrator)
    for url in _changes(plan, plan.actions.first())[:3]:
        assert client.get(url).status_code == 200, url


def test_a_practitioner_who_owns_an_action_sees_the_plan_and_nothing_more(client, plan, owner):
    action = plan.actions.first()
    action.owner = owner
    action.save()
    client.force_login(owner)
    assert [p.pk for p in client.get(reverse("actionplans:plan_list")).context["page"]] == [plan.pk]
    assert client.get(_detail(plan)).status_code == 200
    for url in _changes(plan, action):
        assert client.post(url, {}).status_code == 403, url
    assert client.get(reverse("actionplans:overview", args=[Q1])).status_code == 403


def test_a_practitioner_who_owns_nothing_cannot_find_the_plan(client, plan, health_visitor):
    client.force_login(health_visitor)  # same agency, owns no action
    assert list(client.get(reverse("actionplans:plan_list")).context["page"]) == []
    assert client.get(_detail(plan)).status_code == 404
    for url in _changes(plan, plan.actions.first()):
        assert client.post(url, {}).status_code == 404, url


def test_a_draft_plan_is_seen_by_its_own_lead_and_administrators_only(
    client, health, health_lead, other_lead, working_group_member, administrator
):
    draft = ActionPlanFactory(agency=health, status="draft")
    for user, status in [
        (health_lead, 200),
        (administrator, 200),
        (other_lead, 404),
        (working_group_member, 404),
    ]:
        client.force_login(user)
        assert client.get(_detail(draft)).status_code == status, user


def test_plan_owners_see_their_plan_listed_once_however_many_actions_they_own(client, plan, owner):
    for action in plan.actions.all():
        action.owner = owner
        action.save()
    client.force_login(owner)
    assert len(client.get(reverse("actionplans:plan_list")).context["page"]) == 1


@pytest.mark.parametrize(
    ("persona_name", "shown"),
    [
        ("health_lead", True),
        ("working_group_member", True),
        ("administrator", True),
        ("csc_social_worker", False),
        ("csc_team_manager", False),
    ],
)
def test_the_navigation_offers_action_plans_to_those_who_read_them(
    client, request, persona_name, shown
):
    client.force_login(request.getfixturevalue(persona_name))
    navigation = client.get(reverse("home")).context["service_navigation"]
    assert ("Action plans" in [item["label"] for item in navigation]) is shown


def test_every_model_keeps_history(plan, health_lead):
    from actionplans import services

    action = plan.actions.first()
    action.description = "Reworded"
    services.action_update(action, user=health_lead, expected_version=action.version)
    assert action.history.count() == 2
    assert plan.history.exists()
    assert action.updates.first().history.exists()
    assert plan.reports.first().history.exists()


def test_the_history_pages_say_who_changed_what(client, plan, health_lead, other_lead):
    from actionplans import services

    action = plan.actions.get(objective="recognise")
    action.baseline = "180 of 800 staff trained"
    services.action_update(action, user=health_lead, expected_version=action.version)
    client.force_login(other_lead)  # peers read the history too
    page = client.get(reverse("actionplans:action_history", args=[action.pk])).content.decode()
    assert f"Changed by {health_lead}" in page and "180 of 800 staff trained" in page
    response = client.get(reverse("actionplans:plan_history", args=[plan.pk]))
    assert b"Created by" in response.content
