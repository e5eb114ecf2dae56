"""Teams, and allocation as a dated record: every change of a child's allocated worker goes
through cases.services.allocation_change, which ends the open allocation and starts the next."""

import re
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import Allocation, Child
from cases.services import allocation_change, allocations_end
from neglect_portal import dates
from neglect_portal.models import Team
from tests.factories import (
    AllocationFactory,
    ChildFactory,
    InvolvementFactory,
    TeamFactory,
    UserFactory,
)
from tests.neglect_portal.test_security_submissions import at_once, signed_in

pytestmark = pytest.mark.django_db
TODAY = dates.today()
DAY = timedelta(days=1)
REASON = Allocation.Reason


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def north(csc):
    return TeamFactory(agency=csc, name="Family Support and Protection North", locality="North")


@pytest.fixture
def south(csc):
    return TeamFactory(agency=csc, name="Family Support and Protection South", locality="South")


@pytest.fixture
def first_worker(csc, north):
    return UserFactory(first_name="Ada", last_name="First", agency=csc, team=north)


@pytest.fixture
def second_worker(csc, south):
    return UserFactory(first_name="Bea", last_name="Second", agency=csc, team=south)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def allocated(child, worker, day, reason=REASON.TRANSFERRED, **kwargs):
    return allocation_change(child=child, worker=worker, started_on=day, reason=reason, **kwargs)


# Teams ---------------------------------------------------------------------------------------


def test_a_team_name_is_unique_within_its_agency_only(csc, health):
    TeamFactory(agency=csc, name="Locality East")
    TeamFactory(agency=health, name="Locality East")  # another agency may use the name
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(agency=csc, name="Locality East")


def test_a_persons_team_must_be_one_of_their_agencys(csc, health):
    health_team = TeamFactory(agency=health, name="Health Visiting East")
    worker = UserFactory(agency=csc, team=health_team)
    with pytest.raises(ValidationError) as refused:
        worker.full_clean()
    assert "team" in refused.value.message_dict


def test_the_admin_refuses_a_team_of_another_agency(admin_client, csc_social_worker, health):
    health_team = TeamFactory(agency=health, name="Health Visiting East")
    user = csc_social_worker
    response = admin_client.post(
        reverse("admin:neglect_portal_user_change", args=[user.pk]),
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "agency": user.agency_id,
            "team": health_team.pk,
            "role": user.role,
            "is_active": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert "Select a team of Children" in response.content.decode()
    user.refresh_from_db()
    assert user.team is None


def test_moving_agency_leaves_the_old_agencys_team(first_worker, health):
    first_worker.agency = health
    first_worker.save()
    first_worker.refresh_from_db()
    assert first_worker.team is None
    assert first_worker.history.first().team_id is None


# The service ---------------------------------------------------------------------------------


def test_the_first_allocation_is_recorded_as_first_whatever_reason_is_given(first_worker, north):
    child = ChildFactory()
    allocation = allocated(child, first_worker, TODAY - 30 * DAY, REASON.WORKER_LEFT)
    assert (allocation.reason, allocation.team, allocation.ended_on) == (REASON.FIRST, north, None)
    assert Child.objects.get(pk=child.pk).allocated_worker == first_worker


def test_a_change_ends_the_open_allocation_on_the_day_the_next_begins(
    first_worker, second_worker, csc_team_manager, south
):
    child = ChildFactory()
    first = allocated(child, first_worker, TODAY - 60 * DAY)
    version = Child.objects.get(pk=child.pk).version
    second = allocated(
        child, second_worker, TODAY - 10 * DAY, REASON.MOVED_TEAM, by=csc_team_manager
    )
    first.refresh_from_db()
    assert first.ended_on == TODAY - 10 * DAY
    assert (second.started_on, second.ended_on, second.reason, second.team) == (
        TODAY - 10 * DAY,
        None,
        REASON.MOVED_TEAM,
        south,
    )
    child.refresh_from_db()
    assert child.allocated_worker == second_worker
    # A child's details form opened before the change is now out of date.
    assert child.version == version + 1
    assert Allocation.objects.filter(child=child, ended_on__isnull=True).get() == second


def test_each_change_is_in_the_history_with_who_made_it(
    first_worker, second_worker, csc_team_manager
):
    child = ChildFactory()
    first = allocated(child, first_worker, TODAY - 60 * DAY, by=csc_team_manager)
    allocated(child, second_worker, TODAY, REASON.WORKER_LEFT, by=csc_team_manager)
    rows = list(first.history.order_by("history_id"))
    assert [(row.ended_on, row.history_user) for row in rows] == [
        (None, csc_team_manager),
        (TODAY, csc_team_manager),
    ]
    assert rows[-1].history_change_reason == "Allocation ended: worker left"
    assert child.history.first().history_change_reason == "Allocated worker changed: worker left"


def test_nobody_ends_the_allocation_and_leaves_the_child_unallocated(first_worker):
    child = ChildFactory()
    first = allocated(child, first_worker, TODAY - 60 * DAY)
    assert allocated(child, None, TODAY, REASON.STEP_DOWN) is None
    first.refresh_from_db()
    assert (first.ended_on, first.end_note) == (TODAY, "Step down or step across")
    assert Child.objects.get(pk=child.pk).allocated_worker is None


@pytest.mark.parametrize(
    ("worker", "day", "reason", "field"),
    [
        ("first", TODAY, REASON.TRANSFERRED, "worker"),  # already allocated
        ("second", TODAY - 61 * DAY, REASON.TRANSFERRED, "started_on"),  # before the current
        ("second", TODAY + DAY, REASON.TRANSFERRED, "started_on"),  # in the future
        ("second", TODAY, REASON.FIRST, "reason"),  # not the first any more
        ("second", TODAY, REASON.OTHER, "note"),  # other, with no word why
    ],
)
def test_a_change_that_cannot_be_is_refused_and_nothing_changes(
    first_worker, second_worker, worker, day, reason, field
):
    child = ChildFactory()
    allocated(child, first_worker, TODAY - 60 * DAY)
    worker = {"first": first_worker, "second": second_worker}[worker]
    with pytest.raises(ValidationError) as refused:
        allocated(child, worker, day, reason)
    assert field in refused.value.message_dict
    assert list(child.allocations.values_list("worker", "ended_on")) == [(first_worker.pk, None)]
    assert Child.objects.get(pk=child.pk).allocated_worker == first_worker


def test_only_an_active_worker_in_childrens_social_care_can_be_allocated(
    first_worker, health_visitor, csc
):
    child = ChildFactory()
    gone = UserFactory(agency=csc, is_active=False)
    for worker in (health_visitor, gone):
        with pytest.raises(ValidationError) as refused:
            allocated(child, worker, TODAY)
        assert refused.value.message_dict == {
            "worker": ["Select a worker in children's social care"]
        }
    assert not child.allocations.exists()


def test_a_change_made_by_someone_else_meanwhile_is_not_overwritten(
    first_worker, second_worker, csc_team_manager
):
    """Two managers open the page with the same allocation; the second to save is told."""
    child = ChildFactory()
    seen = allocated(child, first_worker, TODAY - 60 * DAY).pk
    allocated(child, second_worker, TODAY - DAY, expected_open=seen)
    third = UserFactory(agency=first_worker.agency)
    with pytest.raises(ValidationError, match="Someone changed the allocated worker") as refused:
        allocated(child, third, TODAY, expected_open=seen)
    assert "now Bea Second since" in str(refused.value)
    assert Child.objects.get(pk=child.pk).allocated_worker == second_worker
    assert child.allocations.count() == 2


def test_the_database_holds_one_open_allocation_per_child(first_worker, second_worker):
    """The last guard if anything wrote around the service: the second insert fails."""
    child = ChildFactory()
    AllocationFactory(child=child, worker=first_worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationFactory(child=child, worker=second_worker)
    AllocationFactory(child=child, worker=second_worker, ended_on=TODAY)  # an ended one is fine


# Access follows the person ------------------------------------------------------------------


def test_a_worker_who_moves_agency_has_their_allocations_ended_today(first_worker, health):
    child = ChildFactory()
    allocation = allocated(child, first_worker, TODAY - 60 * DAY)
    first_worker.agency = health
    first_worker.save()
    allocation.refresh_from_db()
    assert allocation.ended_on == TODAY
    assert allocation.end_note == "Allocation ended: the worker moved agency"
    assert allocation.history.first().history_change_reason == allocation.end_note
    assert Child.objects.get(pk=child.pk).allocated_worker is None


def test_allocations_end_leaves_other_workers_allocations_alone(first_worker, second_worker):
    theirs, others = ChildFactory(), ChildFactory()
    allocated(theirs, first_worker, TODAY - 5 * DAY)
    kept = allocated(others, second_worker, TODAY - 5 * DAY)
    allocations_end(worker=first_worker, reason="was deactivated")
    kept.refresh_from_db()
    assert kept.ended_on is None
    assert not Allocation.objects.filter(worker=first_worker, ended_on__isnull=True).exists()


# The child's page -------------------------------------------------------------------------


def test_the_child_page_shows_the_allocation_history(
    client, csc_social_worker, first_worker, second_worker
):
    child = ChildFactory()
    allocated(child, first_worker, TODAY - 60 * DAY)
    allocated(child, second_worker, TODAY - 10 * DAY, REASON.MOVED_TEAM)
    client.force_login(csc_social_worker)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    section = html[html.index('id="allocations"') :]
    section = section[: section.index("</table>")]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", section, re.S)[1:]
    cells = [re.findall(r"<td class=\"govuk-table__cell\">(.*?)</td>", row, re.S) for row in rows]
    assert [c[:5] for c in cells] == [
        [
            "Bea Second",
            "Family Support and Protection South (South)",
            dates.long_date(TODAY - 10 * DAY),
            "Now",
            "Worker moved team",
        ],
        [
            "Ada First",
            "Family Support and Protection North (North)",
            dates.long_date(TODAY - 60 * DAY),
            dates.long_date(TODAY - 10 * DAY),
            "First allocation",
        ],
    ]
    assert reverse("cases:allocation_change", args=[child.pk]) in html


def test_a_partner_sees_the_history_but_not_the_change_link(client, health_visitor, first_worker):
    child = ChildFactory()
    InvolvementFactory(child=child, agency=health_visitor.agency)
    allocated(child, first_worker, TODAY - 60 * DAY)
    client.force_login(health_visitor)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Ada First" in html
    assert reverse("cases:allocation_change", args=[child.pk]) not in html
    response = client.post(reverse("cases:allocation_change", args=[child.pk]), {})
    assert response.status_code == 403


def _form(client, child):
    html = client.get(reverse("cases:allocation_change", args=[child.pk])).content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    seen = re.search(r'name="expected_open"(?: value="([^"]*)")?', html).group(1) or ""
    return html, {"submission_token": token, "expected_open": seen}


def test_a_manager_changes_the_worker_and_says_why(
    client, csc_team_manager, first_worker, second_worker
):
    child = ChildFactory()
    allocated(child, first_worker, TODAY - 60 * DAY)
    client.force_login(csc_team_manager)
    html, hidden = _form(client, child)
    assert "Now Ada First, Family Support and Protection North, since" in html
    assert 'value="first"' not in html  # the first allocation is not a reason for a change
    response = client.post(
        reverse("cases:allocation_change", args=[child.pk]),
        {
            **hidden,
            "worker": second_worker.pk,
            **date_fields("started_on", TODAY),
            "reason": REASON.TRANSFERRED,
        },
    )
    assert response["Location"] == reverse("cases:child_detail", args=[child.pk])
    child.refresh_from_db()
    assert child.allocated_worker == second_worker
    latest = child.allocations.get(ended_on__isnull=True)
    assert (latest.reason, latest.recorded_by) == ("transferred", csc_team_manager)
    assert latest.history.get().history_user == csc_team_manager


def test_the_form_asks_for_a_reason_and_keeps_what_was_typed(
    client, csc_team_manager, first_worker, second_worker
):
    child = ChildFactory()
    allocated(child, first_worker, TODAY - 60 * DAY)
    client.force_login(csc_team_manager)
    _, hidden = _form(client, child)
    response = client.post(
        reverse("cases:allocation_change", args=[child.pk]),
        {**hidden, "worker": second_worker.pk, **date_fields("started_on", TODAY - 3 * DAY)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Select the reason for the change" in html
    assert f'value="{second_worker.pk}" selected' in html
    assert f'value="{(TODAY - 3 * DAY).day}"' in html
    assert Child.objects.get(pk=child.pk).allocated_worker == first_worker


def test_the_same_form_sent_twice_changes_the_worker_once(
    client, csc_team_manager, first_worker, second_worker
):
    child = ChildFactory()
    allocated(child, first_worker, TODAY - 60 * DAY)
    client.force_login(csc_team_manager)
    _, hidden = _form(client, child)
    data = {
        **hidden,
        "worker": second_worker.pk,
        **date_fields("started_on", TODAY),
        "reason": "worker_left",
    }
    url = reverse("cases:allocation_change", args=[child.pk])
    first, again = client.post(url, data), client.post(url, data)
    assert first["Location"] == again["Location"] == reverse("cases:child_detail", args=[child.pk])
    assert child.allocations.count() == 2


def test_a_form_opened_before_someone_elses_change_is_refused_with_what_changed(
    client, csc_team_manager, first_worker, second_worker
):
    child = ChildFactory()
    allocated(child, first_worker, TODAY - 60 * DAY)
    client.force_login(csc_team_manager)
    _, hidden = _form(client, child)
    allocated(child, second_worker, TODAY - DAY)  # someone else, meanwhile
    response = client.post(
        reverse("cases:allocation_change", args=[child.pk]),
        {
            **hidden,
            "worker": first_worker.pk,
            **date_fields("started_on", TODAY),
            "reason": "other",
            "note": "Back",
        },
    )
    html = response.content.decode()
    assert "Someone changed the allocated worker after you opened this page" in html
    assert "Back</textarea>" in html
    assert Child.objects.get(pk=child.pk).allocated_worker == second_worker


def test_only_childrens_social_care_staff_can_be_allocated(
    client, csc_team_manager, health_visitor
):
    client.force_login(csc_team_manager)
    html, _ = _form(client, ChildFactory())
    assert str(health_visitor) not in html
    assert 'name="reason"' not in html  # nobody allocated yet: nothing changed to explain


def test_the_allocation_history_page_names_who_changed_it(client, csc_team_manager, first_worker):
    child = ChildFactory()
    allocation = allocated(child, first_worker, TODAY - 60 * DAY, by=csc_team_manager)
    client.force_login(csc_team_manager)
    response = client.get(reverse("cases:history", args=["allocation", allocation.pk]))
    assert response.status_code == 200
    assert str(csc_team_manager) in response.content.decode()


def test_an_outsider_gets_404_for_an_allocation(client, outsider, first_worker):
    allocation = allocated(ChildFactory(), first_worker, TODAY)
    client.force_login(outsider)
    assert (
        client.get(reverse("cases:history", args=["allocation", allocation.pk])).status_code == 404
    )


# Merging two records of one child ------------------------------------------------------------


def test_a_merge_keeps_the_survivors_worker_and_ends_the_others(
    client, csc_team_manager, first_worker, second_worker
):
    from cases.duplicates import duplicates_flag

    survivor = ChildFactory(given_name="Alfie", family_name="Ward")
    merged = ChildFactory(
        given_name="Alfie", family_name="Ward", date_of_birth=survivor.date_of_birth
    )
    kept = allocated(survivor, first_worker, TODAY - 30 * DAY)
    ended = allocated(merged, second_worker, TODAY - 20 * DAY)
    flag = duplicates_flag(child_ids=[merged.pk])[0]
    client.force_login(csc_team_manager)
    response = client.post(
        reverse("cases:duplicate_merge", args=[flag.pk]),
        {"survivor": survivor.pk, "version": flag.version},
    )
    assert response.status_code == 302
    ended.refresh_from_db()
    kept.refresh_from_db()
    assert (ended.child_id, ended.ended_on, kept.ended_on) == (survivor.pk, TODAY, None)
    assert Child.objects.get(pk=survivor.pk).allocated_worker == first_worker


# At the same moment ---------------------------------------------------------------------------


@pytest.fixture
def slow_saves(monkeypatch):
    """Hold each save of `model` open a moment inside its transaction, so two posts overlap."""

    def slow(model):
        save = model.save

        def held(self, *args, **kwargs):
            time.sleep(0.3)
            return save(self, *args, **kwargs)

        monkeypatch.setattr(model, "save", held)

    return slow


def _change_form(client, child, worker, reason="transferred"):
    _, hidden = _form(client, child)
    return {**hidden, "worker": worker.pk, **date_fields("started_on", TODAY), "reason": reason}


@pytest.mark.django_db(transaction=True)
def test_two_managers_changing_one_child_at_once_save_one_change_and_tell_the_other(
    csc, first_worker, second_worker, slow_saves
):
    child = ChildFactory()
    allocated(child, UserFactory(agency=csc), TODAY - 60 * DAY)
    managers = [signed_in(UserFactory(agency=csc, role="team_manager")) for _ in range(2)]
    url = reverse("cases:allocation_change", args=[child.pk])
    forms = [
        _change_form(client, child, worker)
        for client, worker in zip(managers, [first_worker, second_worker], strict=True)
    ]
    slow_saves(Allocation)

    responses = at_once(
        *(
            lambda client=client, form=form: client.post(url, form)
            for client, form in zip(managers, forms, strict=True)
        )
    )

    assert sorted(getattr(r, "status_code", r) for r in responses) == [200, 302], responses
    refused = next(r for r in responses if r.status_code == 200).content.decode()
    assert "Someone changed the allocated worker after you opened this page" in refused
    assert child.allocations.count() == 2
    assert child.allocations.filter(ended_on__isnull=True).count() == 1
    saved = Child.objects.get(pk=child.pk).allocated_worker
    assert saved == child.allocations.get(ended_on__isnull=True).worker


@pytest.mark.django_db(transaction=True)
def test_one_form_sent_twice_at_once_changes_the_worker_once(
    csc, csc_team_manager, first_worker, slow_saves
):
    child = ChildFactory()
    allocated(child, UserFactory(agency=csc), TODAY - 60 * DAY)
    clients = signed_in(csc_team_manager), signed_in(csc_team_manager)
    form = _change_form(clients[0], child, first_worker)
    url = reverse("cases:allocation_change", args=[child.pk])
    slow_saves(Allocation)

    responses = at_once(*(lambda client=client: client.post(url, form) for client in clients))

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302], responses
    assert {r["Location"] for r in responses} == {reverse("cases:child_detail", args=[child.pk])}
    assert child.allocations.count() == 2
