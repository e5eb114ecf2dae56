"""Access follows the person: moving agency or role, or being deactivated, ends a worker's
allocations (with the reason in each record's history) and every session they have."""

import pytest
from django.urls import reverse

from cases.models import Child, Involvement
from neglect_portal.models import User
from tests.factories import CPPlanFactory, InvolvementFactory, UserFactory

pytestmark = pytest.mark.django_db


def neglect_plan_child(**child):
    return CPPlanFactory(
        referral__child__given_name="Maisie",
        referral__child__family_name="Example",
        latest_category="NEG",
        **child,
    ).referral.child


def move(admin_client, user, **changes):
    """Change a user through the admin's own form, as an administrator does."""
    fields = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "agency": user.agency_id,
        "role": user.role,
        "is_active": "on",
        **changes,
    }
    if fields["is_active"] is False:
        del fields["is_active"]
    url = reverse("admin:neglect_portal_user_change", args=[user.pk])
    response = admin_client.post(url, {**fields, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_a_health_practitioner_moved_to_another_agency_no_longer_has_the_child_on_my_children(
    client, admin_client, health_visitor, health, voluntary
):
    child = neglect_plan_child()
    involvement = InvolvementFactory(child=child, agency=health, lead_worker=health_visitor)
    visitor = client.__class__()
    visitor.force_login(health_visitor)
    assert "Maisie Example" in visitor.get(reverse("toolkit:my_children")).content.decode()

    move(admin_client, health_visitor, agency=voluntary.pk)

    visitor.force_login(health_visitor)  # their old session ended (tested below)
    page = visitor.get(reverse("toolkit:my_children")).content.decode()
    assert "Maisie Example" not in page
    assert visitor.get(reverse("cases:child_detail", args=[child.pk])).status_code == 404
    involvement.refresh_from_db()
    assert involvement.lead_worker is None
    assert (
        involvement.history.first().history_change_reason
        == "Allocation ended: the worker moved agency"
    )


def test_my_children_lists_only_children_the_person_may_see(
    client, health_visitor, health, voluntary
):
    # Even a lead-worker link left behind (written around the model) shows no child whose
    # page the person cannot open.
    child = neglect_plan_child()
    InvolvementFactory(child=child, agency=health, lead_worker=health_visitor)
    User.objects.filter(pk=health_visitor.pk).update(agency=voluntary)
    health_visitor.refresh_from_db()
    client.force_login(health_visitor)
    assert "Maisie Example" not in client.get(reverse("toolkit:my_children")).content.decode()
    assert client.get(reverse("cases:child_detail", args=[child.pk])).status_code == 404


def test_an_allocated_social_worker_moved_to_the_police_no_longer_opens_the_childs_record(
    client, admin_client, csc_social_worker
):
    police = UserFactory(role=User.Role.PRACTITIONER).agency  # an agency with no involvement
    child = neglect_plan_child(referral__child__allocated_worker=csc_social_worker)
    worker = client.__class__()
    worker.force_login(csc_social_worker)
    assert worker.get(reverse("cases:child_detail", args=[child.pk])).status_code == 200

    move(admin_client, csc_social_worker, agency=police.pk)

    worker.force_login(csc_social_worker)
    assert worker.get(reverse("cases:child_detail", args=[child.pk])).status_code == 404
    child.refresh_from_db()
    assert child.allocated_worker is None
    latest = child.history.first()
    assert latest.history_change_reason == "Allocation ended: the worker moved agency"
    assert latest.history_user.username == "administrator"
    history = admin_client.get(reverse("cases:history", args=["child", child.pk])).content.decode()
    change = history[history.index("Allocated worker") :]
    assert change.index(str(csc_social_worker)) < change.index("Not recorded")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"role": User.Role.AGENCY_LEAD}, "changed role"),
        ({"is_active": False}, "was deactivated"),
    ],
)
def test_a_change_of_role_or_deactivation_ends_allocations_too(
    admin_client, csc_social_worker, changes, reason
):
    child = neglect_plan_child(referral__child__allocated_worker=csc_social_worker)
    move(admin_client, csc_social_worker, **changes)
    child.refresh_from_db()
    assert child.allocated_worker is None
    assert child.history.first().history_change_reason == f"Allocation ended: the worker {reason}"


def test_other_changes_to_a_user_leave_their_allocations_alone(admin_client, csc_social_worker):
    child = neglect_plan_child(referral__child__allocated_worker=csc_social_worker)
    move(admin_client, csc_social_worker, last_name="Renamed")
    child.refresh_from_db()
    assert child.allocated_worker == csc_social_worker


@pytest.mark.parametrize(
    "changes",
    [{"agency": "other"}, {"role": User.Role.TEAM_MANAGER}, {"is_active": False}],
)
def test_moving_or_deactivating_a_person_ends_their_sessions(
    client, admin_client, health_visitor, voluntary, changes
):
    if changes.get("agency") == "other":
        changes = {"agency": voluntary.pk}
    signed_in = client.__class__()
    signed_in.force_login(health_visitor)
    assert signed_in.get(reverse("home")).status_code == 200
    move(admin_client, health_visitor, **changes)
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_renamed_person_stays_signed_in(client, admin_client, health_visitor):
    signed_in = client.__class__()
    signed_in.force_login(health_visitor)
    move(admin_client, health_visitor, first_name="Renamed")
    assert signed_in.get(reverse("home")).status_code == 200


def test_the_involvement_and_child_keep_their_versions_moving(csc_social_worker, health):
    child = neglect_plan_child(referral__child__allocated_worker=csc_social_worker)
    involvement = InvolvementFactory(child=child, agency=health, lead_worker=csc_social_worker)
    versions = (child.version, involvement.version)
    csc_social_worker.role = User.Role.WORKING_GROUP
    csc_social_worker.save()
    # A form opened before the move is refused rather than saved over the ended allocation.
    assert (
        Child.objects.get(pk=child.pk).version,
        Involvement.objects.get(pk=involvement.pk).version,
    ) == (versions[0] + 1, versions[1] + 1)


def test_an_author_who_moved_agency_no_longer_changes_what_they_wrote_for_the_old_one(
    health_visitor, health, voluntary
):
    from datetime import date

    from neglect_portal import access
    from toolkit.models import AssessmentChecklist, ChronologyEntry
    from toolkit.services import chronology_entry_add, tool_start

    child = neglect_plan_child()
    draft = tool_start(AssessmentChecklist, child=child, author=health_visitor)
    entry = chronology_entry_add(
        child=child,
        entry=ChronologyEntry(
            author=health_visitor,
            source_agency=health,
            event_date=date(2024, 6, 1),
            what_happened="Missed appointment",
            impact="negative",
            impact_description="Weight not checked",
        ),
    )
    assert access.can_edit_tool(health_visitor, draft)
    assert access.can_change_chronology_entry(health_visitor, entry)
    health_visitor.agency = voluntary
    health_visitor.save()
    assert not access.can_edit_tool(health_visitor, draft)
    assert not access.can_change_chronology_entry(health_visitor, entry)
    manager = UserFactory(role=User.Role.TEAM_MANAGER, agency=health)
    assert access.can_edit_tool(manager, draft)  # the agency's work stays the agency's
    assert access.can_change_chronology_entry(manager, entry)
