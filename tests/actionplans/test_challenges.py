"""The Working Group's challenges: raised by a member on an indicator, a theme, a plan or a
quarterly report; answered by the addressed agency's lead; closed by whoever raised it or
the chair, as answered or as needing an action in the agency's plan."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actionplans import selectors, services
from actionplans.models import Action, Challenge, Meeting
from neglect_portal import access, dates
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed
from neglect_portal.records.once import new_token
from tests.actionplans.factories import ActionFactory, ActionPlanFactory, QuarterlyReportFactory
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2026, 1)
CODE = "CP_NEGLECT_SHARE"
TITLE = "Child protection plans for neglect"


@pytest.fixture
def chair(voluntary):
    return UserFactory(
        username="the-chair", agency=voluntary, role=User.Role.WORKING_GROUP, is_chair=True
    )


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _due():
    return dates.today() + timedelta(days=30)


def _raise_indicator(client, agency, *, code=CODE, token=None, text="Why did it rise?"):
    url = reverse("dataset:challenge_indicator", args=[Q1, code])
    data = {"agency": agency.pk, "text": text, **_date("due_date", _due())}
    if token:
        data["submission_token"] = token
    return client.post(url, data)


def _challenge(raised_by, agency, **fields):
    values = {
        "subject": Challenge.Subject.INDICATOR,
        "quarter": Q1.slug,
        "indicator_code": CODE,
        "subject_label": f"{TITLE}, {Q1.label}",
        "text": "Why did it rise?",
        "due_date": _due(),
    } | fields
    challenge = Challenge(raised_by=raised_by, agency=agency, **values)
    attributed(challenge, user=raised_by).save()
    return challenge


def _detail(challenge):
    return reverse("actionplans:challenge_detail", args=[challenge.pk])


def _answer(client, challenge, text="We looked into it", version=None):
    return client.post(
        _detail(challenge),
        {
            "step": "answer",
            "answer-answer": text,
            "answer-version": challenge.version if version is None else version,
        },
    )


def _close(client, challenge, version=None, **fields):
    data = {"step": "close", "close-version": challenge.version if version is None else version}
    data.update({f"close-{name}": value for name, value in fields.items()})
    return client.post(_detail(challenge), data)


NEW_ACTION = {
    "outcome": "needs_action",
    "note": "Needs a plan",
    "objective": "respond",
    "description": "Retrain health visitors in the SDQ",
    "owner_name": "Named nurse",
    **_date("due_date", dates.today() + timedelta(days=90)),
}


# The Independent Chair ---------------------------------------------------------------------


def test_only_a_working_group_member_may_be_the_independent_chair(health_lead, chair):
    health_lead.is_chair = True
    with pytest.raises(ValidationError, match="Only a Working Group member"):
        health_lead.full_clean()
    chair.full_clean()
    assert access.chairs_working_group(chair)


def test_a_chair_moved_to_another_role_no_longer_chairs(chair):
    chair.role = User.Role.AGENCY_LEAD
    assert not access.chairs_working_group(chair)


def test_the_admin_user_form_shows_the_chair_flag(client, administrator, chair):
    client.force_login(administrator)
    page = client.get(reverse("admin:neglect_portal_user_change", args=[chair.pk]))
    assert b'name="is_chair"' in page.content and b"Independent Chair" in page.content


# Raising -----------------------------------------------------------------------------------


def test_a_member_raises_a_challenge_on_an_indicator_labelled_from_the_registry(
    client, working_group_member, health
):
    client.force_login(working_group_member)
    response = _raise_indicator(client, health)
    challenge = Challenge.objects.get()
    assert response["Location"] == _detail(challenge)
    assert challenge.subject_label == f"{TITLE}, {Q1.label}"
    assert (challenge.indicator_code, challenge.quarter) == (CODE, Q1.slug)
    assert (challenge.agency, challenge.raised_by) == (health, working_group_member)
    assert challenge.status == "open"


def test_a_label_in_the_address_is_ignored(client, working_group_member, health):
    client.force_login(working_group_member)
    url = reverse("dataset:challenge_indicator", args=[Q1, CODE]) + "?label=Made+up"
    client.post(url, {"agency": health.pk, "text": "Why?", **_date("due_date", _due())})
    assert Challenge.objects.get().subject_label == f"{TITLE}, {Q1.label}"


def test_an_unknown_indicator_code_is_not_found(client, working_group_member):
    client.force_login(working_group_member)
    for name in ("dataset:challenge_indicator", "dataset:challenge_theme"):
        assert client.get(reverse(name, args=[Q1, "NOT_A_CODE"])).status_code == 404


def test_a_theme_challenge_says_it_is_an_emerging_theme(client, working_group_member, health):
    client.force_login(working_group_member)
    url = reverse("dataset:challenge_theme", args=[Q1, CODE])
    client.post(url, {"agency": health.pk, "text": "Why?", **_date("due_date", _due())})
    challenge = Challenge.objects.get()
    assert challenge.subject == "theme"
    assert challenge.subject_label == f"Emerging theme: {TITLE}, {Q1.label}"


@pytest.mark.parametrize("persona", ["health_lead", "administrator", "health_visitor"])
def test_only_working_group_members_raise_challenges(client, request, persona, health):
    client.force_login(request.getfixturevalue(persona))
    assert _raise_indicator(client, health).status_code == 403
    assert not Challenge.objects.exists()
    with pytest.raises(PermissionDenied):
        services.challenge_raise(
            user=request.getfixturevalue(persona),
            subject="indicator",
            agency=health,
            text="Why?",
            due_date=_due(),
            quarter=Q1,
            subject_label="A label",
            indicator_code=CODE,
        )


def test_the_chair_raises_challenges_too(client, chair, health):
    client.force_login(chair)
    assert _raise_indicator(client, health).status_code == 302


def test_sending_the_raise_form_twice_makes_one_challenge(client, working_group_member, health):
    client.force_login(working_group_member)
    token = new_token()
    first = _raise_indicator(client, health, token=token)
    again = _raise_indicator(client, health, token=token)
    assert Challenge.objects.count() == 1
    assert again["Location"] == first["Location"]
    assert "This was already saved" in [str(m) for m in again.wsgi_request._messages]


def test_only_active_agencies_can_be_addressed(client, working_group_member):
    gone = AgencyFactory(name="Disbanded agency", active=False)
    client.force_login(working_group_member)
    page = client.get(reverse("dataset:challenge_indicator", args=[Q1, CODE]))
    assert b"Disbanded agency" not in page.content
    response = _raise_indicator(client, gone)
    assert response.status_code == 200 and not Challenge.objects.exists()
    with pytest.raises(ValidationError):
        services.challenge_raise(
            user=working_group_member,
            subject="indicator",
            agency=gone,
            text="Why?",
            due_date=_due(),
            quarter=Q1,
            subject_label="A label",
            indicator_code=CODE,
        )


def test_an_empty_challenge_is_refused_with_an_error_summary(client, working_group_member, health):
    client.force_login(working_group_member)
    response = _raise_indicator(client, health, text="")
    assert b"govuk-error-summary" in response.content and b"Enter the challenge" in response.content
    assert not Challenge.objects.exists()


def test_the_due_date_is_the_next_recorded_meeting_after_today(client, working_group_member):
    meeting_day = dates.today() + timedelta(days=40)
    Meeting.objects.create(quarter="2026-27-Q3", date=meeting_day)
    Meeting.objects.create(quarter="2026-27-Q1", date=dates.today() - timedelta(days=60))
    client.force_login(working_group_member)
    page = client.get(reverse("dataset:challenge_indicator", args=[Q1, CODE]))
    form = page.context["form"]
    assert form["due_date"].value() == meeting_day
    assert "next Working Group meeting (2026-27 Q3)" in form.fields["due_date"].help_text


def test_without_a_later_meeting_the_due_date_is_13_weeks_on(client, working_group_member):
    client.force_login(working_group_member)
    form = client.get(reverse("dataset:challenge_indicator", args=[Q1, CODE])).context["form"]
    assert form["due_date"].value() == dates.today() + timedelta(weeks=13)
    assert "13 weeks from today" in form.fields["due_date"].help_text


def test_a_plan_challenge_goes_to_the_plans_agency(client, working_group_member, plan, voluntary):
    client.force_login(working_group_member)
    url = reverse("actionplans:challenge_raise") + f"?subject=plan&plan={plan.pk}"
    page = client.get(url)
    assert "agency" not in page.context["form"].fields
    client.post(url, {"agency": voluntary.pk, "text": "Overdue?", **_date("due_date", _due())})
    challenge = Challenge.objects.get()
    assert (challenge.plan, challenge.agency, challenge.subject) == (plan, plan.agency, "plan")
    assert (
        challenge.subject_label == f"{plan.agency}'s action plan, {Quarter.latest_complete().label}"
    )


def test_a_report_challenge_names_the_quarter(client, working_group_member, plan):
    client.force_login(working_group_member)
    url = reverse("actionplans:challenge_raise") + f"?subject=report&plan={plan.pk}&quarter={Q1}"
    client.post(url, {"text": "How do you know?", **_date("due_date", _due())})
    challenge = Challenge.objects.get()
    assert (challenge.subject, challenge.quarter) == ("report", Q1.slug)
    assert challenge.subject_label == f"{plan.agency}'s quarterly report, {Q1.label}"


def test_an_unsubmitted_report_cannot_be_challenged(client, working_group_member, plan):
    QuarterlyReportFactory(plan=plan, quarter="2026-27-Q2", status="draft")
    client.force_login(working_group_member)
    url = (
        reverse("actionplans:challenge_raise")
        + f"?subject=report&plan={plan.pk}&quarter=2026-27-Q2"
    )
    assert client.get(url).status_code == 404


def test_a_draft_plan_cannot_be_challenged(client, working_group_member, health):
    draft = ActionPlanFactory(agency=health, status="draft")
    client.force_login(working_group_member)
    url = reverse("actionplans:challenge_raise") + f"?subject=plan&plan={draft.pk}"
    assert client.get(url).status_code == 404


# Answering ---------------------------------------------------------------------------------


def test_the_addressed_lead_sees_open_challenges_on_their_home_page(
    client, working_group_member, health_lead, health, voluntary
):
    mine = _challenge(working_group_member, health, subject_label="Ours to answer")
    _challenge(working_group_member, voluntary, subject_label="Someone else's")
    closed = _challenge(working_group_member, health, subject_label="Long closed")
    Challenge.objects.filter(pk=closed.pk).update(status="closed", outcome="answered")
    client.force_login(health_lead)
    html = client.get(reverse("home")).content.decode()
    assert "Ours to answer" in html and _detail(mine) in html
    assert "Someone else&#x27;s" not in html and "Long closed" not in html


def test_the_addressed_lead_answers(client, working_group_member, health_lead, health):
    challenge = _challenge(working_group_member, health)
    client.force_login(health_lead)
    assert b"Answer the challenge" in client.get(_detail(challenge)).content
    response = _answer(client, challenge)
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert (challenge.status, challenge.answer, challenge.answered_by) == (
        "answered",
        "We looked into it",
        health_lead,
    )


def test_another_agencys_lead_reads_the_challenge_but_cannot_answer_it(
    client, working_group_member, other_lead, health
):
    challenge = _challenge(working_group_member, health)
    client.force_login(other_lead)
    response = client.get(_detail(challenge))
    assert response.status_code == 200 and b"Answer the challenge" not in response.content
    assert _answer(client, challenge).status_code == 403
    challenge.refresh_from_db()
    assert challenge.status == "open" and not challenge.answer


def test_someone_who_reads_no_plan_cannot_see_a_challenge(
    client, working_group_member, health_visitor, health
):
    challenge = _challenge(working_group_member, health)
    client.force_login(health_visitor)
    assert client.get(_detail(challenge)).status_code == 404


@pytest.mark.parametrize("persona", ["working_group_member", "chair"])
def test_the_working_group_reads_but_does_not_answer(client, request, persona, health):
    challenge = _challenge(UserFactory(role=User.Role.WORKING_GROUP), health)
    client.force_login(request.getfixturevalue(persona))
    assert b"Answer the challenge" not in client.get(_detail(challenge)).content
    assert _answer(client, challenge).status_code == 403
    challenge.refresh_from_db()
    assert challenge.answer == ""


def test_an_administrator_may_answer_for_an_agency(
    client, working_group_member, administrator, health
):
    challenge = _challenge(working_group_member, health)
    client.force_login(administrator)
    assert _answer(client, challenge).status_code == 302


def test_sending_an_answer_twice_saves_it_once(client, working_group_member, health_lead, health):
    challenge = _challenge(working_group_member, health)
    client.force_login(health_lead)
    _answer(client, challenge, version=1)
    again = _answer(client, challenge, version=1)
    assert again.status_code == 302
    assert "This was already saved" in [str(m) for m in again.wsgi_request._messages]
    assert challenge.history.count() == 2  # raised, answered once


def test_an_answer_saved_by_someone_else_meanwhile_is_refused_keeping_what_was_typed(
    client, working_group_member, health_lead, administrator, health
):
    challenge = _challenge(working_group_member, health)
    services.challenge_answer(challenge=challenge, user=administrator, answer="Theirs", version=1)
    client.force_login(health_lead)
    response = _answer(client, challenge, text="Mine", version=1)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this challenge" in html and "Theirs" in html and "Mine" in html
    challenge.refresh_from_db()
    assert challenge.answer == "Theirs"


# Closing -----------------------------------------------------------------------------------


def test_the_chair_closes_as_needing_a_new_action_in_the_agencys_active_plan(
    client, working_group_member, health_lead, chair, plan, health
):
    challenge = _challenge(working_group_member, health)
    services.challenge_answer(challenge=challenge, user=health_lead, answer="Staff left", version=1)
    client.force_login(chair)
    response = _close(client, challenge, version=2, **NEW_ACTION)
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert (challenge.status, challenge.outcome, challenge.closed_by) == (
        "closed",
        "needs_action",
        chair,
    )
    action = challenge.action
    assert action.plan == plan and action.description == "Retrain health visitors in the SDQ"
    assert action.history.get().history_user == chair
    page = client.get(_detail(challenge)).content.decode()
    assert "Retrain health visitors in the SDQ" in page
    # The agency's plan page lists the challenge with its status.
    plan_page = client.get(reverse("actionplans:plan_detail", args=[plan.pk])).content.decode()
    assert "Retrain health visitors in the SDQ" in plan_page
    assert f'Needed by the Working Group\'s <a class="govuk-link" href="{_detail(challenge)}"' in (
        plan_page
    )


def test_closing_twice_adds_one_action(client, working_group_member, chair, plan, health):
    challenge = _challenge(working_group_member, health)
    client.force_login(chair)
    actions = Action.objects.count()
    _close(client, challenge, version=1, **NEW_ACTION)
    again = _close(client, challenge, version=1, **NEW_ACTION)
    assert again.status_code == 302
    assert "This was already saved" in [str(m) for m in again.wsgi_request._messages]
    assert Action.objects.count() == actions + 1


def test_closing_links_an_existing_action_of_the_agencys_plan_only(
    client, working_group_member, plan, health, other_lead
):
    challenge = _challenge(working_group_member, health)
    existing = plan.actions.first()
    elsewhere = ActionFactory(plan=ActionPlanFactory(agency=other_lead.agency))
    with pytest.raises(ValidationError):
        services.challenge_close(
            challenge=challenge,
            user=working_group_member,
            outcome="needs_action",
            note="",
            action=elsewhere,
            version=1,
        )
    client.force_login(working_group_member)
    _close(client, challenge, outcome="needs_action", action=existing.pk)
    challenge.refresh_from_db()
    assert challenge.action == existing and challenge.is_closed


def test_needs_action_without_an_action_is_refused(client, working_group_member, plan, health):
    challenge = _challenge(working_group_member, health)
    client.force_login(working_group_member)
    response = _close(client, challenge, outcome="needs_action")
    assert b"Enter what the new action will do" in response.content
    challenge.refresh_from_db()
    assert not challenge.is_closed


def test_closing_as_answered_needs_an_answer(working_group_member, health):
    challenge = _challenge(working_group_member, health)
    with pytest.raises(ValidationError, match="not been answered"):
        services.challenge_close(
            challenge=challenge, user=working_group_member, outcome="answered", note="", version=1
        )


def test_whoever_raised_it_closes_it_but_not_another_member(
    client, working_group_member, health_lead, health
):
    challenge = _challenge(working_group_member, health)
    services.challenge_answer(challenge=challenge, user=health_lead, answer="Done", version=1)
    client.force_login(UserFactory(role=User.Role.WORKING_GROUP))
    assert b"Close the challenge" not in client.get(_detail(challenge)).content
    assert _close(client, challenge, version=2, outcome="answered").status_code == 403
    client.force_login(health_lead)
    assert _close(client, challenge, version=2, outcome="answered").status_code == 403
    client.force_login(working_group_member)
    assert _close(client, challenge, version=2, outcome="answered").status_code == 302
    challenge.refresh_from_db()
    assert (challenge.status, challenge.outcome) == ("closed", "answered")


def test_an_answer_sent_after_the_challenge_was_closed_is_told_so_and_kept(
    client, working_group_member, health_lead, health
):
    challenge = _challenge(working_group_member, health)
    services.challenge_answer(challenge=challenge, user=health_lead, answer="First", version=1)
    services.challenge_close(
        challenge=challenge, user=working_group_member, outcome="answered", note="", version=2
    )
    client.force_login(health_lead)
    response = _answer(client, challenge, text="A late second thought", version=2)
    assert response.status_code == 409
    html = response.content.decode()
    assert "closed this challenge after you opened the page" in html
    assert "A late second thought" in html


def test_the_history_shows_who_raised_answered_and_closed_it(
    client, working_group_member, health_lead, chair, plan, health
):
    challenge = _challenge(working_group_member, health)
    services.challenge_answer(challenge=challenge, user=health_lead, answer="Staff left", version=1)
    client.force_login(chair)
    _close(client, challenge, version=2, **NEW_ACTION)
    page = client.get(reverse("actionplans:challenge_history", args=[challenge.pk]))
    names = [entry.who for entry in page.context["entries"]]
    assert names == [str(chair), str(health_lead), str(working_group_member)]
    assert "Staff left" in page.content.decode()


# Listings ----------------------------------------------------------------------------------


def test_the_list_shows_open_or_closed_challenges_a_viewer_may_read(
    client, working_group_member, health_lead, health, voluntary
):
    ours = _challenge(working_group_member, health, subject_label="Open for health")
    theirs = _challenge(working_group_member, voluntary, subject_label="Open for voluntary")
    done = _challenge(working_group_member, health, subject_label="Closed for health")
    Challenge.objects.filter(pk=done.pk).update(status="closed", outcome="answered")
    client.force_login(health_lead)
    listed = client.get(reverse("actionplans:challenge_list")).context["challenges"]
    assert set(listed) == {ours, theirs}  # other agencies' challenges are read too
    closed = client.get(reverse("actionplans:challenge_list") + "?status=closed")
    assert list(closed.context["challenges"]) == [done]
    client.force_login(working_group_member)
    listed = client.get(reverse("actionplans:challenge_list")).context["challenges"]
    assert set(listed) == {ours, theirs}


def test_the_list_is_paginated(client, working_group_member, health):
    for _ in range(30):
        _challenge(working_group_member, health)
    client.force_login(working_group_member)
    page = client.get(reverse("actionplans:challenge_list"))
    assert len(page.context["challenges"]) == 25
    assert b"govuk-pagination" in page.content


def test_the_indicator_page_lists_its_challenges_and_offers_members_to_raise_one(
    client, working_group_member, health_lead, health
):
    _challenge(working_group_member, health, subject_label="On this indicator")
    _challenge(working_group_member, health, subject_label="Another quarter", quarter="2025-26-Q4")
    raise_url = reverse("dataset:challenge_indicator", args=[Q1, CODE])
    client.force_login(working_group_member)
    html = client.get(reverse("dataset:indicator", args=[Q1, CODE])).content.decode()
    assert "On this indicator" in html and "Another quarter" not in html
    assert raise_url in html
    client.force_login(health_lead)
    html = client.get(reverse("dataset:indicator", args=[Q1, CODE])).content.decode()
    assert "On this indicator" in html and raise_url not in html


def test_the_overview_lists_the_quarters_challenges_and_every_open_one(
    client, working_group_member, health
):
    _challenge(working_group_member, health, subject_label="This quarter's")
    _challenge(
        working_group_member, health, subject_label="Older, still open", quarter="2025-26-Q4"
    )
    client.force_login(working_group_member)
    page = client.get(reverse("actionplans:overview", args=[Q1]))
    round_ = page.context["challenge_round"]
    assert [c.subject_label for c in round_.raised] == ["This quarter's"]
    assert {c.subject_label for c in round_.open} == {"This quarter's", "Older, still open"}
    assert reverse("actionplans:meeting", args=[Q1]) in page.content.decode()


def test_the_plan_and_report_pages_offer_members_a_challenge(
    client, working_group_member, health_lead, plan
):
    client.force_login(working_group_member)
    raise_url = reverse("actionplans:challenge_raise")
    assert (
        raise_url in client.get(reverse("actionplans:plan_detail", args=[plan.pk])).content.decode()
    )
    report = client.get(reverse("actionplans:quarter", args=[plan.pk, Q1])).content.decode()
    assert f"{raise_url}?subject=report&amp;plan={plan.pk}&amp;quarter={Q1.slug}" in report
    client.force_login(health_lead)
    assert (
        raise_url
        not in client.get(reverse("actionplans:plan_detail", args=[plan.pk])).content.decode()
    )


def test_challenges_for_quarter_gives_the_pack_raised_answered_and_open(
    working_group_member, health_lead, health
):
    answered = _challenge(working_group_member, health)
    services.challenge_answer(challenge=answered, user=health_lead, answer="Yes", version=1)
    waiting = _challenge(working_group_member, health)
    older = _challenge(working_group_member, health, quarter="2025-26-Q4")
    round_ = selectors.challenges_for_quarter(Q1)
    assert {c.pk for c in round_.raised} == {answered.pk, waiting.pk}
    assert [c.pk for c in round_.answered] == [answered.pk]
    assert {c.pk for c in round_.open} == {answered.pk, waiting.pk, older.pk}


# Query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 15])
def test_the_list_takes_the_same_queries_however_many_challenges(
    client, working_group_member, health, django_assert_max_num_queries, count
):
    for _ in range(count):
        _challenge(working_group_member, health)
    client.force_login(working_group_member)
    # Session, user, header agency, count, page of challenges with agency, raiser and plan.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("actionplans:challenge_list")).status_code == 200


def test_the_challenge_page_for_the_chair_has_a_fixed_budget(
    client, working_group_member, health_lead, chair, plan, health, django_assert_max_num_queries
):
    challenge = _challenge(working_group_member, health)
    services.challenge_answer(challenge=challenge, user=health_lead, answer="Yes", version=1)
    client.force_login(chair)
    # Session, user, header agency, the challenge with its people, the agency's plan, its
    # actions for the close form's select.
    with django_assert_max_num_queries(7):
        assert client.get(_detail(challenge)).status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_the_leads_home_page_takes_the_same_queries_however_many_challenges(
    client, working_group_member, health_lead, health, django_assert_max_num_queries, count
):
    for _ in range(count):
        _challenge(working_group_member, health)
    client.force_login(health_lead)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_the_meeting_pages_challenges_take_the_same_queries(
    client, working_group_member, health, django_assert_max_num_queries, count
):
    for _ in range(count):
        _challenge(working_group_member, health)
    client.force_login(working_group_member)
    # Session, user, header agency, the meeting, decisions, the quarter's and the open
    # challenges.
    with django_assert_max_num_queries(7):
        assert client.get(reverse("actionplans:meeting", args=[Q1])).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?subject=plan",
        "?subject=plan&plan=abc",
        "?subject=other&plan=1",
        "?subject=plan&plan=1&quarter=2026-Q9",
    ],
)
def test_a_raise_address_that_names_no_plan_is_not_found(client, working_group_member, query):
    client.force_login(working_group_member)
    assert client.get(reverse("actionplans:challenge_raise") + query).status_code == 404


def test_an_unknown_form_on_the_challenge_page_is_a_bad_request(
    client, working_group_member, health
):
    challenge = _challenge(working_group_member, health)
    client.force_login(working_group_member)
    assert client.post(_detail(challenge), {"step": "other"}).status_code == 400


def test_closing_after_an_answer_arrived_meanwhile_asks_to_read_it_first(
    client, working_group_member, health_lead, chair, plan, health
):
    challenge = _challenge(working_group_member, health)
    services.challenge_answer(challenge=challenge, user=health_lead, answer="Just in", version=1)
    client.force_login(chair)
    response = _close(client, challenge, version=1, **NEW_ACTION)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this challenge" in html and "Just in" in html
    assert "Retrain health visitors in the SDQ" in html  # what was typed is kept
    challenge.refresh_from_db()
    assert not challenge.is_closed
    assert response.context["close_form"]["version"].value() == 2
    assert _close(client, challenge, version=2, **NEW_ACTION).status_code == 302


@pytest.mark.parametrize("name", ["dataset:challenge_indicator", "dataset:challenge_theme"])
def test_an_agencys_own_indicator_can_be_challenged_labelled_from_its_definition(
    client, working_group_member, health, name
):
    from dataset.services import partner_indicator_add

    partner_indicator_add(
        code="AG_HV_WAS_NOT_BROUGHT",
        agency=health,
        unit="count",
        user=UserFactory(role=User.Role.ADMINISTRATOR),
        title="Health visitor contacts missed",
        definition="Contacts missed because the child was not brought.",
        kind="flow",
        counts="contacts",
        higher_is_better=False,
    )
    client.force_login(working_group_member)
    url = reverse(name, args=[Q1, "AG_HV_WAS_NOT_BROUGHT"])
    assert client.get(url).status_code == 200
    client.post(url, {"agency": health.pk, "text": "Why?", **_date("due_date", _due())})
    assert Challenge.objects.get().subject_label.endswith(
        f"Health visitor contacts missed, {Q1.label}"
    )


def test_a_quarter_not_begun_cannot_be_challenged_whatever_the_address_says(
    client, working_group_member, plan, health
):
    # The quarter names the challenge ("..., 2031-32 Q1") and puts it on that meeting's pack.
    later = Quarter.containing(dates.today()).next()
    client.force_login(working_group_member)
    for url in (
        reverse("dataset:challenge_indicator", args=[later, CODE]),
        reverse("dataset:challenge_theme", args=[later, CODE]),
        reverse("actionplans:challenge_raise") + f"?subject=plan&plan={plan.pk}&quarter={later}",
    ):
        assert client.get(url).status_code == 404
        data = {"agency": health.pk, "text": "Why?", **_date("due_date", _due())}
        assert client.post(url, data).status_code == 404
    assert not Challenge.objects.exists()
