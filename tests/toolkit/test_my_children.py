from datetime import timedelta

import pytest
from django.urls import reverse

from neglect_portal import dates
from neglect_portal.models import User
from tests.factories import (
    AssessmentFactory,
    CINPlanFactory,
    CPPlanFactory,
    InvolvementFactory,
    UserFactory,
)
from toolkit.models import DayInMyLife

pytestmark = pytest.mark.django_db
TODAY = dates.today()


def neglect_plan_child(name, **child):
    return CPPlanFactory(
        referral__child__given_name=name,
        referral__child__family_name="Test",
        latest_category="NEG",
        **child,
    ).referral.child


def completed_day(child, author, days_ago):
    DayInMyLife.objects.create(
        child=child,
        author=author,
        author_agency=author.agency,
        status="completed",
        day_version="baby",
        completed_on=TODAY - timedelta(days=days_ago),
    )


def test_a_practitioner_sees_allocated_and_led_children_on_a_neglect_plan(
    client, health_visitor, health
):
    neglect_plan_child("Allocated", referral__child__allocated_worker=health_visitor)
    led = neglect_plan_child("Led")
    InvolvementFactory(child=led, agency=health, lead_worker=health_visitor)
    colleagues = neglect_plan_child("Colleagues")
    InvolvementFactory(child=colleagues, agency=health)
    not_neglect = CPPlanFactory(
        latest_category="PHY", referral__child__allocated_worker=health_visitor
    )
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:my_children")).content.decode()
    assert "Allocated Test" in html and "Led Test" in html
    assert "Colleagues Test" not in html
    assert str(not_neglect.referral.child) not in html


def test_a_team_manager_sees_the_agencys_children(client, health):
    manager = UserFactory(role=User.Role.TEAM_MANAGER, agency=health)
    child = neglect_plan_child("Agency")
    InvolvementFactory(child=child, agency=health)
    client.force_login(manager)
    html = client.get(reverse("toolkit:my_children")).content.decode()
    assert "Your agency's children" in html and "Agency Test" in html


def test_a_team_managers_children_are_those_on_a_neglect_plan_the_agency_works_with(
    client, csc_team_manager, csc, health
):
    # Children's social care sees every child, so only the caseload's own rule leaves out
    # those it no longer works with or never did.
    manager = csc_team_manager
    shown = [neglect_plan_child("Involved"), neglect_plan_child("Ending")]
    InvolvementFactory(child=shown[0], agency=csc)
    InvolvementFactory(child=shown[1], agency=csc, end_date=TODAY)  # its last day counts
    shown.append(neglect_plan_child("Allocated", referral__child__allocated_worker=manager))
    cin = AssessmentFactory(factors=["16A"]).referral
    CINPlanFactory(referral=cin)
    cin.child.given_name, cin.child.family_name = "Neglect", "CIN"
    cin.child.save()
    InvolvementFactory(child=cin.child, agency=csc)
    ended, other_agency = neglect_plan_child("Ended"), neglect_plan_child("Health")
    InvolvementFactory(child=ended, agency=csc, end_date=TODAY - timedelta(days=1))
    InvolvementFactory(child=other_agency, agency=health)
    not_neglect = CPPlanFactory(latest_category="PHY").referral.child
    InvolvementFactory(child=not_neglect, agency=csc)
    client.force_login(manager)
    page = client.get(reverse("toolkit:my_children")).context["page"]
    listed = {child.pk for child, _ in page}
    assert listed == {child.pk for child in shown} | {cin.child.pk}
    assert page.paginator.count == 4


def test_children_with_overdue_tools_come_first(client, health_visitor):
    up_to_date = neglect_plan_child("Aaron", referral__child__allocated_worker=health_visitor)
    overdue = neglect_plan_child("Zed", referral__child__allocated_worker=health_visitor)
    completed_day(up_to_date, health_visitor, 10)
    completed_day(overdue, health_visitor, 400)
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:my_children")).content.decode()
    # Both have three tools never completed; Zed's fourth is overdue, Aaron's current.
    assert html.index("Zed Test") < html.index("Aaron Test")


@pytest.mark.parametrize("children", [3, 30])
def test_my_children_takes_a_fixed_number_of_queries(
    client, health_visitor, children, django_assert_max_num_queries
):
    for n in range(children):
        neglect_plan_child(f"Child{n}", referral__child__allocated_worker=health_visitor)
    client.force_login(health_visitor)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("toolkit:my_children"))
    assert response.status_code == 200
