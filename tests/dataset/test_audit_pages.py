"""The audit's working pages: a round drawn and started through the views, the audit team's
form open only while the round runs (with the access log saying why), drafted, completed and
moderated by POSTs, and nothing typed lost to a mistake, a stale form or a session that ran out."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases.models import AccessLog
from dataset import audit_services
from dataset.audit_models import AuditJudgement, AuditRound, AuditSample
from neglect_portal.dates import today
from tests.dataset.audit_builders import audit_round, children_on_neglect_plans, running_round
from tests.factories import ChildFactory, InvolvementFactory

pytestmark = pytest.mark.django_db

SAMPLE_DATE = today() - timedelta(days=14)


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _round_url(round):
    return reverse("dataset:audit_round", args=[round.pk])


def _form_url(sample):
    return reverse("dataset:audit_form", args=[sample.round_id, sample.pk])


def _drawn_children(round):
    return list(round.samples.order_by("child_id").values_list("child_id", flat=True))


def _answers(sample, *, version=None, grade="good", evidence="Seen in the chronology", **extra):
    data = {"version": sample.version if version is None else version}
    for criterion in sample.round.criteria.all():
        data[f"grade_{criterion.pk}"] = grade
        data[f"evidence_{criterion.pk}"] = evidence
        data[f"better_{criterion.pk}"] = ""
    data.update(extra)
    return data


@pytest.fixture
def audited(administrator, csc_social_worker, health_visitor, health):
    """A running round of one child known to health, led by CSC's social worker with the health
    visitor as auditor."""
    children_on_neglect_plans(1, on=SAMPLE_DATE, agencies=[health])
    round = running_round(administrator, lead=csc_social_worker, auditors=[health_visitor], size=1)
    return round.samples.select_related("round", "child").get()


# Rounds ------------------------------------------------------------------------------------


def test_a_round_is_created_drawn_with_a_seed_and_drawn_again_to_the_same_children(
    client, administrator, health
):
    children_on_neglect_plans(20, on=SAMPLE_DATE, agencies=[health])
    client.force_login(administrator)
    response = client.post(
        reverse("dataset:audit_round_add"),
        {
            "title": "Spring neglect audit",
            **_date("starts_on", today()),
            **_date("ends_on", today() + timedelta(days=30)),
            **_date("sample_date", SAMPLE_DATE),
            "sample_size": "6",
            "method": "random",
        },
    )
    round = AuditRound.objects.get(title="Spring neglect audit")
    assert response.status_code == 302 and response["Location"] == _round_url(round)
    assert round.criteria.count() == 5

    client.post(
        reverse("dataset:audit_sample_draw", args=[round.pk]),
        {"version": round.version, "seed": "1234"},
    )
    round.refresh_from_db()
    first = _drawn_children(round)
    assert len(first) == 6 and round.seed == 1234
    page = client.get(_round_url(round)).content.decode()
    assert 'id="seed">1234' in page and "Child 6" in page

    client.post(
        reverse("dataset:audit_sample_draw", args=[round.pk]),
        {"version": round.version, "seed": "1234"},
    )
    round.refresh_from_db()
    assert _drawn_children(round) == first
    client.post(reverse("dataset:audit_sample_draw", args=[round.pk]), {"version": round.version})
    round.refresh_from_db()
    assert round.seed is not None and round.version == 4  # a new random seed, recorded


def test_a_new_round_with_mistakes_keeps_what_was_typed(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("dataset:audit_round_add"),
        {
            "title": "Autumn audit",
            **_date("starts_on", today()),
            **_date("ends_on", today() - timedelta(days=3)),
            **_date("sample_date", SAMPLE_DATE),
            "sample_size": "ten",
            "method": "random",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Number of children must be a whole number, like 10" in page
    assert 'value="Autumn audit"' in page
    assert not AuditRound.objects.exists()


def test_a_stale_draw_is_refused_with_a_clear_message(client, administrator, health):
    children_on_neglect_plans(4, on=SAMPLE_DATE, agencies=[health])
    round = audit_round(administrator, size=2)
    client.force_login(administrator)
    old = round.version
    client.post(reverse("dataset:audit_sample_draw", args=[round.pk]), {"version": old, "seed": 1})
    response = client.post(
        reverse("dataset:audit_sample_draw", args=[round.pk]),
        {"version": old, "seed": 2},
        follow=True,
    )
    assert "Someone changed this round after you opened it" in response.content.decode()
    round.refresh_from_db()
    assert round.seed == 1


def test_a_by_hand_round_lists_only_eligible_children_and_saves_the_pick(
    client, administrator, health
):
    wanted, other = children_on_neglect_plans(2, on=SAMPLE_DATE, agencies=[health])
    ChildFactory()  # on no plan: never listed
    round = audit_round(administrator, method=AuditRound.Method.BY_HAND)
    client.force_login(administrator)
    page = client.get(_round_url(round)).content.decode()
    assert "Pick the children" in page and wanted.la_child_id in page
    client.post(
        reverse("dataset:audit_sample_pick", args=[round.pk]),
        {"version": round.version, "children": [wanted.pk]},
    )
    assert _drawn_children(round) == [wanted.pk]
    round.refresh_from_db()
    response = client.post(
        reverse("dataset:audit_sample_pick", args=[round.pk]), {"version": round.version}
    )
    assert "Select the children to audit" in response.content.decode()


def test_the_round_page_names_a_child_only_to_those_who_may_see_them(
    client, administrator, working_group_member, csc_social_worker, health
):
    children = children_on_neglect_plans(2, on=SAMPLE_DATE, agencies=[health])
    round = running_round(administrator, lead=csc_social_worker, size=2)
    client.force_login(administrator)  # children's social care: sees every child
    assert str(children[0]) in client.get(_round_url(round)).content.decode()
    client.force_login(working_group_member)  # voluntary sector, involved with neither
    page = client.get(_round_url(round)).content.decode()
    assert "Child 1" in page and "Child 2" in page
    assert str(children[0]) not in page and str(children[1]) not in page
    assert "Close the round" in page  # the Working Group runs audits


def test_practitioners_use_my_audits_not_the_rounds(client, csc_social_worker):
    client.force_login(csc_social_worker)
    assert client.get(reverse("dataset:audit_rounds")).status_code == 403
    assert client.get(reverse("dataset:my_audits")).status_code == 200


def test_the_team_is_named_from_csc_and_the_agencies_involved(
    client, administrator, csc_social_worker, health_visitor, outsider, health
):
    children_on_neglect_plans(1, on=SAMPLE_DATE, agencies=[health])
    round = audit_round(administrator, size=1)
    audit_services.audit_sample_draw(round=round, user=administrator, version=round.version, seed=1)
    sample = round.samples.get()
    url = reverse("dataset:audit_team", args=[round.pk, sample.pk])
    client.force_login(administrator)
    page = client.get(url).content.decode()
    assert str(health_visitor) in page and str(outsider) not in page
    client.post(
        url,
        {
            "version": sample.version,
            "lead_auditor": csc_social_worker.pk,
            "auditors": [health_visitor.pk],
        },
    )
    sample.refresh_from_db()
    assert sample.lead_auditor == csc_social_worker
    assert list(sample.auditors.values_list("auditor_id", flat=True)) == [health_visitor.pk]
    stale = client.post(url, {"version": 1, "lead_auditor": csc_social_worker.pk})
    assert (
        stale.status_code == 409 and "Someone else saved this audit team" in stale.content.decode()
    )


def test_starting_and_closing_the_round_through_the_pages(
    client, administrator, csc_social_worker, health
):
    children_on_neglect_plans(1, on=SAMPLE_DATE, agencies=[health])
    round = audit_round(administrator, size=1)
    client.force_login(administrator)
    start = reverse("dataset:audit_round_start", args=[round.pk])
    client.post(reverse("dataset:audit_sample_draw", args=[round.pk]), {"version": 1, "seed": 3})
    round.refresh_from_db()
    refused = client.post(start, {"version": round.version})
    assert "Name a lead auditor for every child" in refused.content.decode()
    sample = round.samples.get()
    audit_services.audit_team_set(
        sample=sample,
        user=administrator,
        version=sample.version,
        lead=csc_social_worker,
        auditors=[],
    )
    client.post(start, {"version": round.version})
    round.refresh_from_db()
    assert round.status == AuditRound.Status.IN_PROGRESS
    again = client.post(start, {"version": round.version - 1}, follow=True)
    assert "The round has already started" in again.content.decode()

    close = reverse("dataset:audit_round_close", args=[round.pk])
    assert "Are you sure you want to close this round?" in client.get(close).content.decode()
    client.post(close, {"version": round.version})
    round.refresh_from_db()
    assert round.status == AuditRound.Status.CLOSED


# The audit team's pages --------------------------------------------------------------------


def test_a_health_auditor_opens_the_form_only_while_the_round_runs(
    client, administrator, csc_social_worker, health_visitor, health, outsider
):
    (child,) = children_on_neglect_plans(1, on=SAMPLE_DATE, agencies=[])
    # Health worked with the child on the sample date and has since closed its involvement:
    # only the audit lets its auditor read the record now.
    InvolvementFactory(
        child=child,
        agency=health,
        start_date=SAMPLE_DATE - timedelta(days=30),
        end_date=SAMPLE_DATE + timedelta(days=7),
    )
    round = audit_round(administrator, size=1)
    audit_services.audit_sample_draw(round=round, user=administrator, version=round.version, seed=1)
    sample = round.samples.get()
    audit_services.audit_team_set(
        sample=sample,
        user=administrator,
        version=sample.version,
        lead=csc_social_worker,
        auditors=[health_visitor],
    )
    client.force_login(health_visitor)
    assert client.get(_form_url(sample)).status_code == 404  # not started
    round.refresh_from_db()
    audit_services.audit_round_start(round=round, user=administrator, version=round.version)

    page = client.get(_form_url(sample)).content.decode()
    assert str(sample.child) in page and sample.child.la_child_id in page
    assert "Evidence from the record" in page
    # The record's own pages stay closed to her: she reads the evidence here.
    assert f'href="{reverse("cases:child_detail", args=[sample.child_id])}"' not in page
    log = AccessLog.objects.get(child=sample.child, user=health_visitor)
    assert log.reason == f"Audit: {round.title}"
    assert sample.child.given_name in client.get(reverse("dataset:my_audits")).content.decode()
    client.force_login(outsider)
    assert client.get(_form_url(sample)).status_code == 404

    client.force_login(health_visitor)
    AuditRound.objects.filter(pk=round.pk).update(ends_on=today() - timedelta(days=1))
    assert client.get(_form_url(sample)).status_code == 404  # the end date has passed
    AuditRound.objects.filter(pk=round.pk).update(ends_on=today() + timedelta(days=5))
    round.refresh_from_db()
    audit_services.audit_round_close(round=round, user=administrator, version=round.version)
    assert client.get(_form_url(sample)).status_code == 404  # closed
    assert "no audits" in client.get(reverse("dataset:my_audits")).content.decode()


def test_a_draft_keeps_partial_answers_and_completing_with_gaps_keeps_everything_typed(
    client, audited, health_visitor
):
    client.force_login(health_visitor)
    first = audited.round.criteria.first()
    client.post(
        _form_url(audited),
        {
            "version": audited.version,
            f"grade_{first.pk}": "good",
            f"evidence_{first.pk}": "Early help within a week",
            "action": "draft",
        },
    )
    audited.refresh_from_db()
    assert audited.status == AuditSample.Status.DRAFT
    assert AuditJudgement.objects.get(sample=audited, criterion=first).evidence == (
        "Early help within a week"
    )
    data = _answers(audited, action="complete")
    last = audited.round.criteria.last()
    data[f"evidence_{last.pk}"] = ""
    data[f"better_{last.pk}"] = "Ask the child directly"
    response = client.post(_form_url(audited), data)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert f"Enter the evidence for {last.title}" in page
    assert "Ask the child directly" in page and "Seen in the chronology" in page
    assert 'govuk-tag--yellow">Draft</strong>' in page
    audited.refresh_from_db()
    assert audited.status == AuditSample.Status.DRAFT  # saved as a draft, not completed


def test_an_audit_is_completed_then_moderated_with_a_changed_grade_and_its_reason(
    client, audited, health_visitor, csc_social_worker
):
    client.force_login(health_visitor)
    client.post(_form_url(audited), _answers(audited, action="complete"))
    audited.refresh_from_db()
    assert audited.status == AuditSample.Status.COMPLETED
    page = client.get(_form_url(audited)).content.decode()
    assert "Save as draft" not in page and "Seen in the chronology" in page
    again = client.post(_form_url(audited), _answers(audited, action="complete"), follow=True)
    assert "can no longer be changed" in again.content.decode()
    moderate = reverse("dataset:audit_moderate", args=[audited.round_id, audited.pk])
    assert client.get(moderate).status_code == 403  # not the lead

    client.force_login(csc_social_worker)
    criteria = list(audited.round.criteria.all())
    changed = criteria[2]
    no_reason = client.post(
        moderate, {"version": audited.version, f"grade_{changed.pk}": "inadequate"}
    )
    page = no_reason.content.decode()
    assert "There is a problem" in page and "is changed" in page
    client.post(
        moderate,
        {
            "version": audited.version,
            **{f"grade_{c.pk}": "good" for c in criteria},
            f"grade_{changed.pk}": "inadequate",
            f"reason_{changed.pk}": "No analysis of the impact",
        },
    )
    audited.refresh_from_db()
    assert audited.status == AuditSample.Status.MODERATED
    judgement = AuditJudgement.objects.get(sample=audited, criterion=changed)
    assert (judgement.grade, judgement.audited_grade) == ("inadequate", "good")
    history = client.get(
        reverse("dataset:audit_history", args=[audited.round_id, audited.pk])
    ).content.decode()
    assert "Moderated: No analysis of the impact" in history


def test_a_stale_audit_is_refused_and_keeps_what_was_typed(client, audited, health_visitor):
    client.force_login(health_visitor)
    old = audited.version
    client.post(_form_url(audited), _answers(audited, evidence="Mine first", action="draft"))
    response = client.post(
        _form_url(audited), _answers(audited, version=old, evidence="Typed later", action="draft")
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this audit after you opened it" in page and "Typed later" in page
    assert AuditJudgement.objects.filter(evidence="Typed later").count() == 0


def test_an_audit_typed_after_the_session_ran_out_comes_back_after_signing_in(
    client, audited, health_visitor
):
    client.force_login(health_visitor)
    client.post(reverse("logout"))
    response = client.post(_form_url(audited), _answers(audited, evidence="Typed late at night"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(health_visitor)
    page = client.get(_form_url(audited)).content.decode()
    assert "You were signed out before your audit was saved" in page
    assert "Typed late at night" in page


def test_the_history_is_for_the_team_only(client, audited, administrator, health_visitor):
    url = reverse("dataset:audit_history", args=[audited.round_id, audited.pk])
    client.force_login(administrator)
    assert client.get(url).status_code == 404  # runners read no evidence text
    client.force_login(health_visitor)
    assert client.get(url).status_code == 200


def test_an_auditor_is_linked_to_their_audits_from_home(client, audited, health_visitor, outsider):
    client.force_login(health_visitor)
    assert reverse("dataset:my_audits") in client.get(reverse("home")).content.decode()
    client.force_login(outsider)
    assert reverse("dataset:my_audits") not in client.get(reverse("home")).content.decode()


# Query budgets -----------------------------------------------------------------------------


def _grow(administrator, lead, auditors, health, count):
    children_on_neglect_plans(count, on=SAMPLE_DATE, agencies=[health])
    return running_round(administrator, lead=lead, auditors=auditors, size=count, seed=count)


@pytest.mark.parametrize("count", [1, 8])
def test_the_round_page_and_my_audits_use_the_same_queries_however_many_children(
    client,
    administrator,
    csc_social_worker,
    health_visitor,
    health,
    count,
    django_assert_max_num_queries,
):
    round = _grow(administrator, csc_social_worker, [health_visitor], health, count)
    client.force_login(administrator)
    with django_assert_max_num_queries(9):
        assert client.get(_round_url(round)).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("dataset:audit_rounds")).status_code == 200
    sample = round.samples.first()
    with django_assert_max_num_queries(13):
        assert (
            client.get(reverse("dataset:audit_team", args=[round.pk, sample.pk])).status_code == 200
        )
    client.force_login(health_visitor)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("dataset:my_audits")).status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_the_audit_form_uses_the_same_queries_however_long_the_record(
    client, audited, health_visitor, count, django_assert_max_num_queries
):
    from tests.dataset.builders import cp_plan

    for n in range(count):
        cp_plan(
            audited.child,
            SAMPLE_DATE - timedelta(days=400 * (n + 1)),
            SAMPLE_DATE - timedelta(days=400 * n + 300),
        )
    client.force_login(health_visitor)
    with django_assert_max_num_queries(16):
        assert client.get(_form_url(audited)).status_code == 200
    client.post(_form_url(audited), _answers(audited, action="draft"))
    # Each criterion's history is read on its own: constant for a round's five criteria.
    with django_assert_max_num_queries(30):
        assert (
            client.get(
                reverse("dataset:audit_history", args=[audited.round_id, audited.pk])
            ).status_code
            == 200
        )


def test_a_new_round_typed_after_the_session_ran_out_comes_back_after_signing_in(
    client, administrator
):
    client.force_login(administrator)
    client.post(reverse("logout"))
    url = reverse("dataset:audit_round_add")
    client.post(url, {"title": "Winter audit", "sample_size": "12", "method": "stratified"})
    assert not AuditRound.objects.exists()
    client.force_login(administrator)
    page = client.get(url).content.decode()
    assert "You were signed out before the round was saved" in page
    assert 'value="Winter audit"' in page and 'value="12"' in page


def test_the_criteria_change_until_the_round_starts(client, administrator, csc_social_worker):
    children_on_neglect_plans(1, on=SAMPLE_DATE)
    round = audit_round(administrator, size=1)
    client.force_login(administrator)
    add = reverse("dataset:audit_criterion_add", args=[round.pk])

    refused = client.post(add, {"version": round.version, "title": "", "question": "Kept"})
    assert "Enter the criterion" in refused.content.decode()
    assert "Kept" in refused.content.decode()
    client.post(add, {"version": round.version, "title": "Work with fathers", "question": "Seen?"})
    round.refresh_from_db()
    again = client.post(add, {"version": round.version, "title": "work with fathers"})
    assert "already has a criterion with that title" in again.content.decode()
    voice = round.criteria.get(code="voice")
    client.post(
        reverse("dataset:audit_criterion_remove", args=[round.pk, voice.pk]),
        {"version": round.version},
    )
    assert [c.code for c in round.criteria.all()] == [
        "promptness",
        "history",
        "impact",
        "actions",
        "work-with-fathers",
    ]
    assert round.criteria.get(code="work-with-fathers").history.first().history_user == (
        administrator
    )

    round.refresh_from_db()
    audit_services.audit_sample_draw(round=round, user=administrator, version=round.version, seed=1)
    sample = round.samples.get()
    audit_services.audit_team_set(
        sample=sample,
        user=administrator,
        version=sample.version,
        lead=csc_social_worker,
        auditors=[],
    )
    round.refresh_from_db()
    audit_services.audit_round_start(round=round, user=administrator, version=round.version)
    round.refresh_from_db()
    late = client.post(add, {"version": round.version, "title": "Too late"}, follow=True)
    assert "can no longer change" in late.content.decode()
    assert not round.criteria.filter(title="Too late").exists()
    assert "Add a criterion" not in client.get(_round_url(round)).content.decode()


def test_an_audit_sent_after_the_round_closed_is_refused_and_gives_back_what_was_typed(
    client, audited, administrator, health_visitor, outsider
):
    round, sample = audited.round, audited
    criterion = round.criteria.first()
    round.refresh_from_db()
    audit_services.audit_round_close(round=round, user=administrator, version=round.version)
    client.force_login(health_visitor)
    typed = {"version": sample.version, f"evidence_{criterion.pk}": "Typed while it closed"}

    response = client.post(_form_url(sample), typed)

    assert response.status_code == 409
    page = response.content.decode()
    assert "This round has ended" in page and "Typed while it closed" in page
    assert sample.child.full_name not in page and sample.child.la_child_id not in page
    assert not AuditJudgement.objects.filter(evidence="Typed while it closed").exists()
    # Anyone who was never on the team learns nothing.
    client.force_login(outsider)
    assert client.post(_form_url(sample), typed).status_code == 404
