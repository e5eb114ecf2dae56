import pytest
from django.contrib.auth import get_user_model

from neglect_portal import access
from neglect_portal.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_custom_user_model_is_in_use():
    assert get_user_model() is User


@pytest.mark.parametrize("role", User.Role.values)
def test_admin_rights_follow_the_role(role):
    user = UserFactory(role=role)
    is_admin = role == User.Role.ADMINISTRATOR
    assert user.is_staff is is_admin
    assert user.is_superuser is is_admin
    assert access.can_use_admin(user) is is_admin


def test_demoting_an_administrator_removes_admin_rights():
    user = UserFactory(role=User.Role.ADMINISTRATOR)
    user.role = User.Role.PRACTITIONER
    user.save()
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_createsuperuser_makes_an_administrator(csc):
    user = User.objects.create_superuser("root", "root@example.org", "pw-long-enough", agency=csc)
    assert user.is_administrator and user.is_superuser


@pytest.mark.parametrize(
    ("role", "helper"),
    [
        (User.Role.PRACTITIONER, "is_practitioner"),
        (User.Role.TEAM_MANAGER, "is_team_manager"),
        (User.Role.AGENCY_LEAD, "is_agency_lead"),
        (User.Role.WORKING_GROUP, "is_working_group_member"),
        (User.Role.ADMINISTRATOR, "is_administrator"),
    ],
)
def test_each_role_has_exactly_one_helper(role, helper):
    user = UserFactory.build(role=role)
    helpers = [
        "is_practitioner",
        "is_team_manager",
        "is_agency_lead",
        "is_working_group_member",
        "is_administrator",
    ]
    assert [h for h in helpers if getattr(user, h)] == [helper]


def test_access_predicates(
    csc_social_worker,
    csc_team_manager,
    health_visitor,
    health_lead,
    working_group_member,
    administrator,
):
    assert access.sees_every_child(csc_social_worker)
    assert not access.sees_every_child(health_visitor)
    assert access.works_with_children(health_visitor)
    assert access.works_with_children(csc_team_manager)
    assert not access.works_with_children(health_lead)
    assert access.reads_partnership_aggregates(health_lead)
    assert access.reads_partnership_aggregates(working_group_member)
    assert not access.reads_partnership_aggregates(health_visitor)
    assert access.leads_agency_plan(health_lead)
    assert not access.leads_agency_plan(working_group_member)


def test_inactive_users_pass_no_predicate(health_lead):
    health_lead.is_active = False
    assert not access.reads_partnership_aggregates(health_lead)
    assert not access.leads_agency_plan(health_lead)


def test_agency_changes_are_kept_in_history_with_who_made_them(client, administrator, health):
    client.force_login(administrator)
    response = client.post(
        f"/admin/neglect_portal/agency/{health.pk}/change/",
        {
            "name": "Community Health NHS Trust",
            "kind": health.kind,
            "active": "on",
        },
    )
    assert response.status_code == 302
    latest = health.history.first()
    assert latest.name == "Community Health NHS Trust"
    assert latest.history_user == administrator
    assert health.history.count() == 2


def test_signing_in_does_not_add_user_history(client, health_visitor, password):
    before = health_visitor.history.count()
    client.post("/sign-in/", {"username": "health-visitor", "password": password})
    health_visitor.refresh_from_db()
    assert health_visitor.last_login is not None
    assert health_visitor.history.count() == before


def test_user_history_never_stores_password_hashes(health_visitor):
    field_names = {f.name for f in health_visitor.history.model._meta.fields}
    assert "password" not in field_names
