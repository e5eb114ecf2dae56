"""The Working Group's meetings: the date, the decisions and IPAG referrals recorded by the
chair or an administrator, open ones carried forward to the next meeting, read by everyone
who reads plans."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from actionplans import selectors, services
from actionplans.models import Decision, Meeting
from neglect_portal import dates
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed
from neglect_portal.records.once import new_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Q1, Q2 = Quarter(2026, 1), Quarter(2026, 2)


@pytest.fixture
def chair(voluntary):
    return UserFactory(
        username="the-chair", agency=voluntary, role=User.Role.WORKING_GROUP, is_chair=True
    )


def _meeting(quarter=Q2):
    return reverse("actionplans:meeting", args=[quarter])


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _decision(quarter=Q1, *, owner_agency=None, status="open", text="Audit ten cases", **more):
    decision = Decision(
        quarter=quarter.slug,
        text=text,
        owner_agency=owner_agency,
        due_date=dates.today() + timedelta(days=60),
        status=status,
        **more,
    )
    attributed(decision).save()
    return decision


def _add(client, agency, *, token=None, kind="decision", text="Audit ten neglect cases"):
    data = {
        "step": "decision",
        "decision-kind": kind,
        "decision-text": text,
        "decision-owner_agency": agency.pk if agency else "",
        "decision-owner_user": "",
        **_date("decision-due_date", dates.today() + timedelta(days=60)),
    }
    if token:
        data["submission_token"] = token
    return client.post(_meeting(), data)


def _status(client, decision, status, reason="", version=None):
    prefix = f"decision-{decision.pk}"
    return client.post(
        _meeting(),
        {
            "step": "status",
            "decision": decision.pk,
            f"{prefix}-status": status,
            f"{prefix}-reason": reason,
            f"{prefix}-version": decision.version if version is None else version,
        },
    )


def _record_date(client, day, version=0):
    return client.post(
        _meeting(), {"step": "meeting", "meeting-version": version, **_date("meeting-date", day)}
    )


# The meeting's date --------------------------------------------------------------------------


def test_the_chair_records_the_meeting_date(client, chair):
    client.force_login(chair)
    day = date(2026, 11, 4)
    assert _record_date(client, day).status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.quarter, meeting.date, meeting.recorded_by) == (Q2.slug, day, chair)
    assert "4 November 2026" in client.get(_meeting()).content.decode()


def test_sending_the_date_twice_records_one_meeting(client, chair):
    client.force_login(chair)
    _record_date(client, date(2026, 11, 4))
    again = _record_date(client, date(2026, 11, 4))
    assert again.status_code == 302
    assert Meeting.objects.count() == 1 and Meeting.history.count() == 1


def test_a_date_changed_meanwhile_is_refused_keeping_what_was_typed(client, chair, administrator):
    services.meeting_record(quarter=Q2, date=date(2026, 11, 4), user=administrator, version=0)
    client.force_login(chair)
    response = _record_date(client, date(2026, 11, 11), version=0)
    assert response.status_code == 409
    assert Meeting.objects.get().date == date(2026, 11, 4)
    assert response.context["meeting_form"]["date"].value() is not None
    # Sent again knowingly (the page now carries the saved version), it is saved.
    assert _record_date(client, date(2026, 11, 11), version=1).status_code == 302
    assert Meeting.objects.get().date == date(2026, 11, 11)


def test_two_first_dates_sent_at_once_refuse_the_later_as_stale_not_a_500(
    client, chair, administrator, monkeypatch
):
    # Both looked for the quarter's meeting before either saved: the lock had no row to hold.
    services.meeting_record(quarter=Q2, date=date(2026, 11, 4), user=administrator, version=0)
    from django.db.models.query import QuerySet

    first = QuerySet.first
    monkeypatch.setattr(QuerySet, "first", lambda qs: None if qs.model is Meeting else first(qs))
    client.force_login(chair)
    response = _record_date(client, date(2026, 11, 11), version=0)
    assert response.status_code == 409
    assert Meeting.objects.get().date == date(2026, 11, 4)
    # The same date sent twice at once is simply the one already saved.
    assert _record_date(client, date(2026, 11, 4), version=0).status_code == 302
    assert Meeting.objects.count() == 1


def test_a_quarter_not_begun_has_no_meeting_page(client, chair):
    client.force_login(chair)
    later = Quarter.containing(dates.today()).next()
    assert client.get(_meeting(later)).status_code == 404


# Decisions and referrals ---------------------------------------------------------------------


def test_the_chair_adds_a_decision_with_an_owning_agency(client, chair, health):
    client.force_login(chair)
    response = _add(client, health)
    decision = Decision.objects.get()
    assert response["Location"] == f"{_meeting()}#decision-{decision.pk}"
    assert (decision.quarter, decision.kind, decision.owner_agency) == (Q2.slug, "decision", health)
    assert decision.recorded_by == chair and decision.history.get().history_user == chair


def test_an_administrator_records_an_ipag_referral(client, administrator, health):
    client.force_login(administrator)
    _add(client, health, kind="ipag")
    html = client.get(_meeting()).content.decode()
    assert "IPAG referral" in html and Decision.objects.get().is_ipag


def test_a_decision_needs_an_owner(client, chair, health_lead):
    client.force_login(chair)
    response = _add(client, None)
    assert b"Select the agency that owns it, or a person" in response.content
    assert not Decision.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(quarter=Q2.slug, text="No one", due_date=dates.today())


def test_sending_a_decision_twice_records_it_once(client, chair, health):
    client.force_login(chair)
    token = new_token()
    first = _add(client, health, token=token)
    again = _add(client, health, token=token)
    assert Decision.objects.count() == 1
    assert again["Location"] == first["Location"]


@pytest.mark.parametrize("persona", ["working_group_member", "health_lead"])
def test_other_members_and_leads_read_the_record_but_do_not_change_it(
    client, request, persona, health
):
    decision = _decision(owner_agency=health, quarter=Q2)
    client.force_login(request.getfixturevalue(persona))
    page = client.get(_meeting())
    assert page.status_code == 200 and "Audit ten cases" in page.content.decode()
    assert b"Add a decision" not in page.content and b"Update the status" not in page.content
    assert _add(client, health).status_code == 403
    assert _status(client, decision, "done").status_code == 403
    assert Decision.objects.get().status == "open"


def test_a_decision_is_marked_done(client, chair, health):
    decision = _decision(owner_agency=health, quarter=Q2)
    client.force_login(chair)
    assert _status(client, decision, "done").status_code == 302
    assert Decision.objects.get().status == "done"


def test_dropping_a_decision_needs_the_reason(client, chair, health):
    decision = _decision(owner_agency=health, quarter=Q2)
    client.force_login(chair)
    response = _status(client, decision, "dropped")
    assert b"Enter why it was dropped" in response.content
    assert Decision.objects.get().status == "open"
    _status(client, decision, "dropped", reason="Covered by the annual conference")
    dropped = Decision.objects.get()
    assert (dropped.status, dropped.reason) == ("dropped", "Covered by the annual conference")
    history = client.get(reverse("actionplans:decision_history", args=[decision.pk]))
    assert "Covered by the annual conference" in history.content.decode()
    assert history.context["entries"][0].who == str(chair)


def test_a_status_changed_meanwhile_is_refused(client, chair, administrator, health):
    decision = _decision(owner_agency=health, quarter=Q2)
    services.decision_update_status(
        decision=decision, user=administrator, status="done", reason="", version=1
    )
    client.force_login(chair)
    response = _status(client, decision, "dropped", reason="No longer needed", version=1)
    assert response.status_code == 409
    assert b"Someone else marked it done" in response.content
    assert Decision.objects.get().status == "done"


def test_sending_a_status_twice_saves_it_once(client, chair, health):
    decision = _decision(owner_agency=health, quarter=Q2)
    client.force_login(chair)
    _status(client, decision, "done", version=1)
    again = _status(client, decision, "done", version=1)
    assert again.status_code == 302
    assert decision.history.count() == 2


# Carried forward -----------------------------------------------------------------------------


def test_open_decisions_of_earlier_meetings_are_carried_forward(health):
    open_earlier = _decision(Q1, owner_agency=health, text="Still open")
    _decision(Q1, owner_agency=health, status="done", text="Done already")
    _decision(Q1, owner_agency=health, status="dropped", reason="Not needed", text="Dropped")
    this_one = _decision(Q2, owner_agency=health, status="done", text="This meeting's")
    _decision(Quarter(2026, 3), owner_agency=health, text="A later meeting's")
    due = selectors.decisions_due(Q2)
    assert [d.pk for d in due] == [this_one.pk, open_earlier.pk]
    assert [d.carried_forward for d in due] == [False, True]


def test_the_meeting_page_marks_what_is_carried_forward(client, working_group_member, health):
    _decision(Q1, owner_agency=health, text="Still open from before")
    client.force_login(working_group_member)
    html = client.get(_meeting()).content.decode()
    assert "Still open from before" in html and "Carried forward from 2026-27 Q1" in html


def test_the_overview_and_the_working_group_home_page_link_the_meeting(
    client, working_group_member
):
    client.force_login(working_group_member)
    assert _meeting(Q2) in client.get(reverse("actionplans:overview", args=[Q2])).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert reverse("actionplans:meeting_latest") in home


@pytest.mark.parametrize("count", [1, 12])
def test_the_meeting_page_for_the_chair_takes_the_same_queries_however_many_decisions(
    client, chair, health, django_assert_max_num_queries, count
):
    for n in range(count):
        _decision(Q1 if n % 2 else Q2, owner_agency=health, owner_user=chair)
    client.force_login(chair)
    # Session, user, header agency, the meeting, decisions with owners, the quarter's and the
    # open challenges, and the add form's agencies and people.
    with django_assert_max_num_queries(9):
        assert client.get(_meeting()).status_code == 200


def test_the_decision_history_page_has_a_fixed_budget(
    client, working_group_member, health, django_assert_max_num_queries
):
    decision = _decision(Q2, owner_agency=health)
    client.force_login(working_group_member)
    with django_assert_max_num_queries(7):
        assert (
            client.get(reverse("actionplans:decision_history", args=[decision.pk])).status_code
            == 200
        )


@pytest.mark.parametrize("sent", ["", "abc", "٣", "99999"])
def test_a_status_for_no_such_decision_is_not_found(client, chair, sent):
    client.force_login(chair)
    response = client.post(_meeting(), {"step": "status", "decision": sent})
    assert response.status_code == 404


def test_an_unknown_form_on_the_meeting_page_is_a_bad_request(client, chair):
    client.force_login(chair)
    assert client.post(_meeting(), {"step": "other"}).status_code == 400
