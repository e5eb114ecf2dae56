"""Defects found in a fresh-eyes review of the multi-agency audit, each pinned by a test."""

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dataset import audit_results, audit_services
from dataset.audit_models import AuditJudgement, AuditRound
from neglect_portal.dates import long_date, today
from tests.dataset.audit_builders import audit_round, children_on_neglect_plans, running_round
from tests.dataset.test_audit_findings_pages import findings, health_plan, round  # noqa: F401
from tests.dataset.test_audit_results import G, audited

pytestmark = pytest.mark.django_db


def test_a_round_never_started_is_not_the_previous_round(administrator, csc_social_worker):
    # A round set up and abandoned while planning has no audits: comparing with it would
    # leave every criterion "not comparable" instead of measured against the last audit.
    day = today()
    children_on_neglect_plans(2, on=day - timedelta(days=14), cin_every=0)
    last = running_round(
        administrator,
        lead=csc_social_worker,
        size=2,
        title="Last year's",
        starts_on=day - timedelta(days=300),
    )
    for sample in last.samples.all():
        audited(sample, G, lead=csc_social_worker)
    audit_round(administrator, title="Abandoned", starts_on=day - timedelta(days=100))
    this = running_round(administrator, lead=csc_social_worker, size=2, title="This year's")

    assert audit_results.previous_round(this) == last
    travelled = audit_results.round_results(this).criteria[0].travelled
    assert travelled.previous_title == "Last year's"
    assert travelled.before == 100


def test_the_csv_writes_an_agreed_actions_due_date_as_people_read_it(
    client,
    round,  # noqa: F811
    findings,  # noqa: F811
    working_group_member,
):
    client.force_login(working_group_member)

    body = client.get(reverse("dataset:audit_results_csv", args=[round.pk])).content.decode()

    rows = list(csv.reader(io.StringIO(body)))
    due = rows[0].index("Due date")
    (action,) = [row for row in rows if row[0] == "Agreed action"]
    assert action[due] == long_date(today() + timedelta(days=90))


def test_the_round_page_gives_no_childs_record_id_to_those_who_may_not_see_them(
    client, administrator, working_group_member, csc_social_worker, health
):
    children_on_neglect_plans(2, on=today() - timedelta(days=14), agencies=[health])
    running = running_round(administrator, lead=csc_social_worker, size=2)
    client.force_login(working_group_member)  # voluntary sector, involved with neither

    page = client.get(reverse("dataset:audit_round", args=[running.pk])).content.decode()

    assert "Child 1" in page
    assert "data-child" not in page


@pytest.mark.parametrize("change", ["save", "moderate", "team"])
def test_a_change_to_a_childs_audit_locks_its_round_first(
    change, administrator, csc_social_worker, csc_team_manager
):
    # Closing the round locks the round's row; a change to one child's audit checked the
    # round was running without that lock, so on PostgreSQL a save typed as the round closed
    # could land after the close. SQLite runs one writer at a time, so this watches the lock.
    children_on_neglect_plans(1, on=today() - timedelta(days=14), cin_every=0)
    running = running_round(administrator, lead=csc_social_worker, size=1)
    sample = running.samples.get()
    if change == "moderate":
        sample = audited(sample, G, lead=csc_social_worker, moderate=False)
    locked = []
    real = audit_services._locked

    def spy(model, pk, version=None):
        locked.append(model)
        return real(model, pk, version)

    with mock.patch.object(audit_services, "_locked", side_effect=spy):
        if change == "save":
            audit_services.audit_save(
                sample=sample,
                user=csc_social_worker,
                version=sample.version,
                answers={},
                complete=False,
            )
        elif change == "moderate":
            audit_services.audit_moderate(
                sample=sample, user=csc_social_worker, version=sample.version, changes={}
            )
        else:
            audit_services.audit_team_set(
                sample=sample,
                user=administrator,
                version=sample.version,
                lead=csc_team_manager,
                auditors=[],
            )

    assert locked[0] is AuditRound


def test_answers_typed_while_a_colleague_completed_the_audit_are_not_lost(
    client, administrator, csc_social_worker, health_visitor, health
):
    # The health visitor types while the lead completes the audit in another browser: the
    # POST found the audit locked and redirected with "can no longer be changed", and what
    # was typed was gone (a stale draft, by contrast, comes back in a 409 with the answers).
    children_on_neglect_plans(1, on=today() - timedelta(days=14), agencies=[health])
    running = running_round(
        administrator, lead=csc_social_worker, auditors=[health_visitor], size=1
    )
    sample = running.samples.get()
    opened_at = sample.version
    audited(sample, G, lead=csc_social_worker, moderate=False)
    data = {"version": opened_at, "action": "draft"}
    for criterion in running.criteria.all():
        data[f"evidence_{criterion.pk}"] = "Health visits missed in the spring"
    client.force_login(health_visitor)

    response = client.post(reverse("dataset:audit_form", args=[running.pk, sample.pk]), data)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Health visits missed in the spring" in page
    assert "completed this audit after you opened it" in page
    assert not AuditJudgement.objects.filter(evidence__contains="Health visits").exists()


def test_a_second_click_on_complete_still_just_says_it_is_completed(
    client, administrator, csc_social_worker, health
):
    children_on_neglect_plans(1, on=today() - timedelta(days=14), agencies=[health])
    running = running_round(administrator, lead=csc_social_worker, size=1)
    sample = running.samples.get()
    opened_at = sample.version
    audited(sample, G, lead=csc_social_worker, moderate=False)
    client.force_login(csc_social_worker)

    response = client.post(
        reverse("dataset:audit_form", args=[running.pk, sample.pk]),
        {"version": opened_at, "action": "complete"},
    )

    assert response.status_code == 302


def test_a_round_drawn_at_random_cannot_be_picked_by_hand(administrator):
    # The draw refuses a round picked by hand; the pick took any round, so a POST to it
    # left a round saying "At random" with no seed and children chosen by a person.
    children = children_on_neglect_plans(3, on=today() - timedelta(days=14), cin_every=0)
    drawn = audit_round(administrator, size=2)

    with pytest.raises(ValidationError):
        audit_services.audit_sample_pick(
            round=drawn, user=administrator, version=drawn.version, children=children[:2]
        )

    assert not drawn.samples.exists()
