"""Next steps as rows: edited with the draft analysis (errors on their own row), their status
updated once the analysis is completed, overdue ones shown on the child's page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from neglect_portal import access, dates
from neglect_portal.models import User
from tests.factories import (
    InvolvementFactory,
    NextStepFactory,
    NextStepsFactory,
    TeamFactory,
    UserFactory,
)
from toolkit.models import NextStep, NextSteps, Tool
from toolkit.selectors import next_steps_for_owner, open_next_steps, overdue_next_steps

pytestmark = pytest.mark.django_db

TODAY = dates.today()
DAY = timedelta(days=1)


def _date(prefix, day):
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


@pytest.fixture
def child(health):
    return InvolvementFactory(agency=health).child


@pytest.fixture
def draft(child, health_visitor):
    return NextStepsFactory(
        child=child, author=health_visitor, status="draft", completed_on=None, strengths=""
    )


def url_of(analysis):
    return reverse("toolkit:tool", args=["next-steps", analysis.pk])


def answers(analysis, *rows, **overrides):
    """The analysis form's answers; each row a dict of what/owner/owner_name/owner_role/due."""
    data = {
        "version": analysis.version,
        "strengths": "Mum engages",
        "needs": "Routine",
        "risks": "Hunger",
        "impact_on_child": "Tired",
        "still_unknown": "Dad's role",
        "action": "draft",
    }
    for number, row in enumerate(rows, start=1):
        prefix = f"step_{number}"
        for part in ("id", "what", "owner", "owner_name", "owner_role"):
            data[f"{prefix}_{part}"] = row.get(part, "")
        if row.get("due"):
            data.update(_date(f"{prefix}_due", row["due"]))
    data.update(overrides)
    return data


STEP = {"what": "Book a GP check", "owner_name": "A Okafor", "owner_role": "Health visitor"}


# Editing the draft ---------------------------------------------------------------------------


def test_saving_the_draft_saves_each_next_step_as_a_row_in_order(client, draft, health_visitor):
    client.force_login(health_visitor)
    later = TODAY + 30 * DAY
    response = client.post(
        url_of(draft),
        answers(
            draft,
            {**STEP, "due": later},
            {"what": "Visit the home", "owner": str(health_visitor.pk), "due": TODAY},
        ),
    )
    assert response.status_code == 302
    steps = list(draft.steps.all())
    assert [(s.position, s.what, s.owner_id, s.owner_name, s.due_on) for s in steps] == [
        (1, "Book a GP check", None, "A Okafor", later),
        (2, "Visit the home", health_visitor.pk, "", TODAY),
    ]
    assert steps[0].owner_role == "Health visitor"
    assert steps[0].history.get().history_user == health_visitor


def test_a_step_has_one_owner_not_both(client, draft, health_visitor):
    client.force_login(health_visitor)
    html = client.post(
        url_of(draft),
        answers(draft, {**STEP, "owner": str(health_visitor.pk), "due": TODAY}),
    ).content.decode()
    assert "Choose someone in the portal or enter a name for next step 1, not both" in html
    assert 'href="#id_step_1_owner_name"' in html
    assert not draft.steps.exists()


def test_a_due_date_in_the_past_is_refused_on_that_rows_date_and_nothing_typed_is_lost(
    client, draft, health_visitor
):
    client.force_login(health_visitor)
    html = client.post(
        url_of(draft),
        answers(
            draft,
            {**STEP, "due": TODAY + DAY},
            {"what": "Dental check", "owner_name": "Mother", "due": TODAY.replace(year=2020)},
        ),
    ).content.decode()
    assert "The due date for next step 2 must be today or later" in html
    assert 'href="#id_step_2_due_0"' in html
    assert 'href="#id_step_1_due_0"' not in html
    assert "Dental check" in html and 'value="2020"' in html
    assert not draft.steps.exists()


def test_a_step_saved_before_its_due_date_passed_is_not_refused_on_an_unrelated_resave(
    client, draft, health_visitor
):
    past = TODAY - 10 * DAY
    step = NextStepFactory(analysis=draft, due_on=past)
    client.force_login(health_visitor)
    data = answers(draft, {**STEP, "id": str(step.pk), "due": past}, strengths="Mum is engaging")
    assert client.post(url_of(draft), data).status_code == 302
    step.refresh_from_db()
    draft.refresh_from_db()
    assert step.due_on == past and draft.strengths == "Mum is engaging"


def test_moving_a_saved_step_to_another_past_date_is_refused(client, draft, health_visitor):
    step = NextStepFactory(analysis=draft, due_on=TODAY - 10 * DAY)
    client.force_login(health_visitor)
    html = client.post(
        url_of(draft), answers(draft, {**STEP, "id": str(step.pk), "due": TODAY - 11 * DAY})
    ).content.decode()
    assert "The due date for next step 1 must be today or later" in html
    step.refresh_from_db()
    assert step.due_on == TODAY - 10 * DAY


def test_completion_puts_each_missing_owner_and_due_date_on_its_own_row(
    client, draft, health_visitor
):
    client.force_login(health_visitor)
    html = client.post(
        url_of(draft),
        answers(
            draft,
            {**STEP, "due": TODAY},
            {"what": "Dental check", "due": TODAY},  # no owner
            {},  # a blank row in between is skipped, and does not shift the rows after it
            {"what": "Breakfast club", "owner_name": "School"},  # no due date
            action="complete",
        ),
    ).content.decode()
    assert "Choose or enter who will do next step 2" in html
    assert 'href="#id_step_2_owner"' in html
    assert "Enter the due date for next step 3" in html
    assert 'href="#id_step_4_due_0"' in html
    assert 'href="#id_step_1_' not in html
    draft.refresh_from_db()
    assert draft.status == Tool.Status.DRAFT
    assert draft.steps.count() == 3  # saved first, so nothing typed is lost


def test_completing_with_no_next_step_points_to_the_first_row(client, draft, health_visitor):
    client.force_login(health_visitor)
    html = client.post(url_of(draft), answers(draft, action="complete")).content.decode()
    assert "Enter at least one next step" in html and 'href="#id_step_1_what"' in html


def test_completing_with_every_step_owned_and_dated_locks_the_analysis(
    client, draft, health_visitor
):
    client.force_login(health_visitor)
    client.post(url_of(draft), answers(draft, {**STEP, "due": TODAY}, action="complete"))
    draft.refresh_from_db()
    assert draft.status == Tool.Status.COMPLETED


def test_clearing_every_answer_of_a_row_removes_its_step(client, draft, health_visitor):
    keep, drop = NextStepFactory(analysis=draft), NextStepFactory(analysis=draft, what="Drop")
    client.force_login(health_visitor)
    data = answers(draft, {"id": str(drop.pk)}, {**STEP, "id": str(keep.pk), "due": keep.due_on})
    assert client.post(url_of(draft), data).status_code == 302
    assert [(s.pk, s.position) for s in draft.steps.all()] == [(keep.pk, 1)]
    assert NextStep.history.filter(id=drop.pk, history_type="-").get().history_user_id == (
        health_visitor.pk
    )


def test_a_row_naming_another_analysiss_step_adds_a_step_and_leaves_that_one(
    client, draft, health_visitor
):
    theirs = NextStepFactory(what="Someone else's")
    client.force_login(health_visitor)
    client.post(url_of(draft), answers(draft, {**STEP, "id": str(theirs.pk), "due": TODAY}))
    theirs.refresh_from_db()
    assert theirs.what == "Someone else's" and theirs.analysis_id != draft.pk
    assert draft.steps.get().what == "Book a GP check"


def test_the_owner_list_offers_only_people_who_may_see_the_child(
    client, draft, health_visitor, csc_social_worker, outsider
):
    client.force_login(health_visitor)
    html = client.get(url_of(draft)).content.decode()
    owner_select = html[html.index('name="step_1_owner"') :]
    owner_select = owner_select[: owner_select.index("</select>")]
    assert str(csc_social_worker) in owner_select  # children's social care sees every child
    assert str(health_visitor) in owner_select
    assert str(outsider) not in owner_select


# Status after completion ---------------------------------------------------------------------


@pytest.fixture
def completed(child, health_visitor):
    return NextStepsFactory(child=child, author=health_visitor)


def status_url(step):
    return reverse("toolkit:next_step_status", args=[step.pk])


def status_answers(step, status, *, done_on=None, reason="", version=None):
    prefix = f"step-{step.pk}"
    data = {
        f"{prefix}-version": step.version if version is None else version,
        f"{prefix}-status": status,
        f"{prefix}-closed_reason": reason,
    }
    if done_on:
        data.update(_date(f"{prefix}-done_on", done_on))
    return data


def test_the_owner_marks_a_step_done_without_reopening_the_analysis(
    client, completed, csc_social_worker
):
    step = NextStepFactory(analysis=completed, owner=csc_social_worker, owner_name="")
    client.force_login(csc_social_worker)
    response = client.post(status_url(step), status_answers(step, "done", done_on=TODAY))
    assert response["Location"] == url_of(completed)
    step.refresh_from_db()
    completed.refresh_from_db()
    assert (step.status, step.done_on, step.updated_by) == ("done", TODAY, csc_social_worker)
    assert completed.status == Tool.Status.COMPLETED
    latest = step.history.first()
    assert latest.history_user == csc_social_worker
    assert latest.history_change_reason == "Status: done"


def test_no_longer_needed_needs_a_reason_and_is_dated_today(client, completed, health_visitor):
    step = NextStepFactory(analysis=completed)
    client.force_login(health_visitor)
    html = client.post(status_url(step), status_answers(step, "not_needed")).content.decode()
    assert "Enter why it is no longer needed" in html
    assert f'href="#id_step-{step.pk}-closed_reason"' in html
    client.post(status_url(step), status_answers(step, "not_needed", reason="Family moved"))
    step.refresh_from_db()
    assert (step.status, step.closed_on, step.closed_reason) == (
        "not_needed",
        TODAY,
        "Family moved",
    )


def test_a_step_cannot_be_done_in_the_future_or_without_a_date(client, completed, health_visitor):
    step = NextStepFactory(analysis=completed)
    client.force_login(health_visitor)
    html = client.post(
        status_url(step), status_answers(step, "done", done_on=TODAY + DAY)
    ).content.decode()
    assert "The date it was done must be today or in the past" in html
    html = client.post(status_url(step), status_answers(step, "done")).content.decode()
    assert "Enter the date it was done" in html
    step.refresh_from_db()
    assert step.status == "open"


def test_reopening_a_done_step_clears_its_date(client, completed, health_visitor):
    step = NextStepFactory(analysis=completed, status="done", done_on=TODAY)
    client.force_login(health_visitor)
    client.post(status_url(step), status_answers(step, "open"))
    step.refresh_from_db()
    assert (step.status, step.done_on, step.closed_on) == ("open", None, None)


def test_a_stale_status_update_gets_the_stale_page_with_what_was_typed(
    client, completed, health_visitor
):
    step = NextStepFactory(analysis=completed)
    client.force_login(health_visitor)
    opened = status_answers(step, "not_needed", reason="Superseded by the plan")
    NextStep.objects.filter(pk=step.pk).update(version=step.version + 1)  # someone else saved
    response = client.post(status_url(step), opened)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this next step after you opened it" in html
    assert "Superseded by the plan" in html
    step.refresh_from_db()
    assert step.status == "open"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("author", True),
        ("owner", True),
        ("team_manager_of_the_authors_agency", True),
        ("in_the_authors_team", True),
        ("colleague_of_the_author", False),
        ("team_manager_of_another_agency", False),
    ],
)
def test_who_may_update_a_step(client, completed, health, csc, who, allowed):
    team = TeamFactory(agency=health)
    completed.author.team = team
    completed.author.save()
    owner = UserFactory(agency=csc)
    step = NextStepFactory(analysis=completed, owner=owner, owner_name="")
    people = {
        "author": completed.author,
        "owner": owner,
        "team_manager_of_the_authors_agency": UserFactory(
            agency=health, role=User.Role.TEAM_MANAGER
        ),
        "in_the_authors_team": UserFactory(agency=health, team=team),
        "colleague_of_the_author": UserFactory(agency=health),
        "team_manager_of_another_agency": UserFactory(agency=csc, role=User.Role.TEAM_MANAGER),
    }
    client.force_login(people[who])
    response = client.post(status_url(step), status_answers(step, "done", done_on=TODAY))
    assert response.status_code == (302 if allowed else 403)
    assert access.can_update_next_step(people[who], step) is allowed


def test_outsiders_get_404_for_a_step(client, completed, outsider):
    step = NextStepFactory(analysis=completed)
    client.force_login(outsider)
    assert client.get(status_url(step)).status_code == 404
    assert client.post(status_url(step), status_answers(step, "done")).status_code == 404


def test_a_draft_analysiss_steps_are_changed_on_its_form_not_by_status(
    client, draft, health_visitor
):
    step = NextStepFactory(analysis=draft)
    client.force_login(health_visitor)
    response = client.post(status_url(step), status_answers(step, "done", done_on=TODAY))
    assert response.status_code == 403
    assert not access.can_update_next_step(health_visitor, step)
    assert client.get(status_url(step)).status_code == 403


# Reading, and the child's page ---------------------------------------------------------------


def test_the_read_page_marks_overdue_steps_and_offers_the_status_form(
    client, completed, health_visitor, health_lead
):
    late = NextStepFactory(analysis=completed, position=1, what="Late", due_on=TODAY - DAY)
    due = NextStepFactory(analysis=completed, position=2, what="Due today", due_on=TODAY)
    client.force_login(health_visitor)
    html = client.get(url_of(completed)).content.decode()
    late_card = html[
        html.index(f'id="next-step-{late.pk}"') : html.index(f'id="next-step-{due.pk}"')
    ]
    due_card = html[html.index(f'id="next-step-{due.pk}"') :]
    assert "Overdue" in late_card and "Overdue" not in due_card
    assert html.count('action="/next-steps/') == 2
    client.force_login(health_lead)  # reads the analysis, may not update it
    html = client.get(url_of(completed)).content.decode()
    assert "Overdue" in html and 'action="/next-steps/' not in html


def test_the_read_page_takes_the_same_queries_for_one_step_or_many(
    client, completed, health_visitor, django_assert_max_num_queries
):
    NextStepFactory(analysis=completed)
    client.force_login(health_visitor)
    with CaptureQueriesContext(connection) as one:
        client.get(url_of(completed))
    for _ in range(5):
        NextStepFactory(
            analysis=completed, owner=UserFactory(agency=completed.author_agency), owner_name=""
        )
    with django_assert_max_num_queries(len(one)):
        assert client.get(url_of(completed)).status_code == 200


def test_the_child_page_lists_open_steps_of_completed_analyses_past_their_due_date(
    client, child, completed, draft, health_visitor
):
    NextStepFactory(analysis=completed, what="Late and open", due_on=TODAY - DAY)
    NextStepFactory(analysis=completed, what="Due today", due_on=TODAY)
    NextStepFactory(
        analysis=completed, what="Late but done", due_on=TODAY - DAY, status="done", done_on=TODAY
    )
    NextStepFactory(analysis=draft, what="Late in a draft", due_on=TODAY - DAY)
    client.force_login(health_visitor)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    panel = html[html.index("Overdue next steps") :]
    assert "Late and open" in panel
    for absent in ("Due today", "Late but done", "Late in a draft"):
        assert absent not in html


def test_the_child_page_takes_the_same_queries_for_one_overdue_step_or_many(
    client, child, completed, health_visitor, django_assert_max_num_queries
):
    NextStepFactory(analysis=completed, due_on=TODAY - DAY)
    url = reverse("cases:child_detail", args=[child.pk])
    client.force_login(health_visitor)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        NextStepFactory(
            analysis=completed, due_on=TODAY - 2 * DAY, owner=health_visitor, owner_name=""
        )
    with django_assert_max_num_queries(len(one)):
        html = client.get(url).content.decode()
    assert html.count('govuk-tag--red">Overdue') == 6


# Selectors for My tasks ----------------------------------------------------------------------


def test_next_steps_for_owner_are_their_open_steps_of_completed_analyses_in_one_query(
    completed, draft, health_visitor, csc_social_worker, django_assert_num_queries
):
    mine = NextStepFactory(analysis=completed, owner=health_visitor, owner_name="", due_on=TODAY)
    sooner = NextStepFactory(
        analysis=completed, owner=health_visitor, owner_name="", due_on=TODAY - DAY
    )
    NextStepFactory(
        analysis=completed, owner=health_visitor, owner_name="", status="done", done_on=TODAY
    )
    NextStepFactory(analysis=draft, owner=health_visitor, owner_name="")
    NextStepFactory(analysis=completed, owner=csc_social_worker, owner_name="")
    with django_assert_num_queries(1):
        steps = list(next_steps_for_owner(health_visitor))
        assert [step.analysis.child.pk for step in steps] == [completed.child_id] * 2
    assert steps == [sooner, mine]


def test_next_steps_for_owner_leave_out_children_they_may_no_longer_see(completed, outsider):
    NextStepFactory(analysis=completed, owner=outsider, owner_name="")
    assert list(next_steps_for_owner(outsider)) == []


def test_open_and_overdue_next_steps_of_children_take_one_query_each(
    completed, django_assert_num_queries
):
    late = NextStepFactory(analysis=completed, due_on=TODAY - DAY)
    due = NextStepFactory(analysis=completed, due_on=TODAY)
    other = NextStepFactory(due_on=TODAY - 2 * DAY)
    children = [completed.child_id, other.analysis.child_id]
    with django_assert_num_queries(1):
        assert list(open_next_steps([completed.child_id])) == [late, due]
    with django_assert_num_queries(1):
        assert list(overdue_next_steps(children, on=TODAY)) == [other, late]


def test_the_analysis_lists_missing_parts_by_step(child, health_visitor):
    analysis = NextSteps.objects.create(
        child=child, author=health_visitor, author_agency=health_visitor.agency
    )
    step = NextStep.objects.create(analysis=analysis, what="Health check")
    problems = analysis.completion_problems()
    assert problems[f"step:{step.pk}:owner"] == "Choose or enter who will do next step 1"
    assert problems[f"step:{step.pk}:due"] == "Enter the due date for next step 1"
    assert f"step:{step.pk}:what" not in problems


def test_the_draft_form_takes_the_same_queries_for_one_step_or_many(
    client, draft, health_visitor, django_assert_max_num_queries
):
    NextStepFactory(analysis=draft)
    client.force_login(health_visitor)
    with CaptureQueriesContext(connection) as one:
        client.get(url_of(draft))
    for _ in range(5):
        NextStepFactory(analysis=draft, owner=UserFactory(), owner_name="")
    with django_assert_max_num_queries(len(one)):
        html = client.get(url_of(draft)).content.decode()
    assert 'name="step_8_what"' in html  # six steps and two spare rows


def test_a_steps_history_shows_who_changed_its_status(
    client, completed, health_visitor, csc_social_worker, django_assert_max_num_queries
):
    step = NextStepFactory(analysis=completed, owner=csc_social_worker, owner_name="")
    client.force_login(csc_social_worker)
    client.post(status_url(step), status_answers(step, "done", done_on=TODAY))
    client.force_login(health_visitor)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("toolkit:next_step_history", args=[step.pk])).content.decode()
    changed = html[html.index(f"Changed by {csc_social_worker}") :]
    assert "Done" in changed and dates.long_date(TODAY) in changed


@pytest.mark.parametrize("role", [User.Role.AGENCY_LEAD, User.Role.WORKING_GROUP])
def test_an_owner_or_teammate_now_in_a_read_only_role_cannot_update_a_step(
    client, completed, health, role
):
    team = TeamFactory(agency=health)
    completed.author.team = team
    completed.author.save()
    owner = UserFactory(agency=health, role=role)
    teammate = UserFactory(agency=health, role=role, team=team)
    step = NextStepFactory(analysis=completed, owner=owner, owner_name="")
    for person in (owner, teammate):
        client.force_login(person)
        response = client.post(status_url(step), status_answers(step, "not_needed", reason="x"))
        assert response.status_code == 403
    step.refresh_from_db()
    assert step.status == "open"
