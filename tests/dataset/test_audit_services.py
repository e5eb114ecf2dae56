"""The audit round's rules: a reproducible sample, access only while the round runs, and an
audit completed then moderated with reasons kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from dataset import audit_sampling, audit_services
from dataset.audit_models import AuditJudgement, AuditRound, AuditSample, Grade
from neglect_portal import access
from neglect_portal.dates import today
from tests.dataset.audit_builders import audit_round, children_on_neglect_plans, running_round
from tests.factories import ChildFactory, InvolvementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _audited(user, **on):
    """The children `user` may read as an auditor."""
    return [s.child for s in access.audit_samples_visible_to(user, **on).select_related("child")]


def _drawn(round, seed):
    round.refresh_from_db()
    samples = audit_services.audit_sample_draw(
        round=round, user=round.created_by, version=round.version, seed=seed
    )
    return [s.child_id for s in samples]


def test_the_same_seed_draws_the_same_children_and_another_seed_others(administrator, health):
    children_on_neglect_plans(30, on=today() - timedelta(days=14), agencies=[health])
    ChildFactory()  # on no plan: never sampled
    round = audit_round(administrator, size=10)

    first = _drawn(round, 1234)
    again = _drawn(round, 1234)
    other = _drawn(round, 99)

    assert len(first) == 10 and first == again
    assert other != first
    round.refresh_from_db()
    assert round.seed == 99
    assert round.samples.count() == 10
    assert list(round.samples.values_list("number", flat=True)) == list(range(1, 11))


def test_a_stratified_draw_keeps_each_group_in_proportion(administrator, health):
    on = today() - timedelta(days=14)
    children_on_neglect_plans(20, on=on, agencies=[health], cin_every=2)  # 10 CIN, 10 CP
    round = audit_round(administrator, size=6, method=AuditRound.Method.STRATIFIED)

    _drawn(round, 5)

    plans = list(round.samples.values_list("plan", flat=True))
    assert plans.count("cp") == 3 and plans.count("cin") == 3


def test_draw_takes_everyone_when_fewer_are_eligible():
    pool = [audit_sampling.Eligible(n, "cp", frozenset()) for n in range(4)]
    assert audit_sampling.draw(pool, size=10, seed=1, stratified=False) == pool


def test_the_sample_records_the_agencies_involved_on_the_sample_date(administrator, health):
    children_on_neglect_plans(3, on=today() - timedelta(days=14), agencies=[health])
    round = audit_round(administrator, size=3)
    _drawn(round, 1)
    assert all(list(s.agencies.all()) == [health] for s in round.samples.all())


def test_a_health_auditor_reads_the_child_only_while_the_round_runs(
    administrator, csc_social_worker, health_visitor, health
):
    sample_date = today() - timedelta(days=14)
    children = children_on_neglect_plans(2, on=sample_date, agencies=[], cin_every=0)
    # Health worked with both on the sample date and has since closed its involvement, so
    # only the audit lets its auditor read them now.
    for child in children:
        InvolvementFactory(
            child=child,
            agency=health,
            start_date=sample_date - timedelta(days=30),
            end_date=sample_date + timedelta(days=7),
        )
    round = audit_round(administrator, size=2)
    _drawn(round, 3)
    sample = round.samples.first()
    assert not _audited(health_visitor)
    audit_services.audit_team_set(
        sample=sample,
        user=administrator,
        version=sample.version,
        lead=csc_social_worker,
        auditors=[health_visitor],
    )
    other = round.samples.exclude(pk=sample.pk).get()
    audit_services.audit_team_set(
        sample=other, user=administrator, version=other.version, lead=csc_social_worker, auditors=[]
    )
    # Named but not started: no access yet.
    assert not _audited(health_visitor)
    round.refresh_from_db()
    audit_services.audit_round_start(round=round, user=administrator, version=round.version)

    assert _audited(health_visitor) == [sample.child]
    assert sample.child in children
    assert not access.children_visible_to(health_visitor).filter(pk=sample.child_id).exists()
    # After the end date, or once closed, the access has gone.
    after = round.ends_on + timedelta(days=1)
    assert not _audited(health_visitor, on=after)
    round.refresh_from_db()
    audit_services.audit_round_close(round=round, user=administrator, version=round.version)
    assert not _audited(health_visitor)


def test_a_round_cannot_start_without_a_lead_auditor_for_every_child(administrator, health):
    children_on_neglect_plans(2, on=today() - timedelta(days=14))
    round = audit_round(administrator, size=2)
    _drawn(round, 3)
    round.refresh_from_db()
    with pytest.raises(ValidationError, match="lead auditor"):
        audit_services.audit_round_start(round=round, user=administrator, version=round.version)


def test_a_partner_cannot_be_the_lead_auditor(administrator, health_visitor):
    children_on_neglect_plans(1, on=today() - timedelta(days=14))
    round = audit_round(administrator, size=1)
    _drawn(round, 3)
    sample = round.samples.get()
    with pytest.raises(ValidationError, match="children's social care"):
        audit_services.audit_team_set(
            sample=sample,
            user=administrator,
            version=sample.version,
            lead=health_visitor,
            auditors=[],
        )


def test_an_auditor_must_come_from_an_agency_involved_with_the_child(
    administrator, csc_social_worker, health_visitor, health, voluntary
):
    children_on_neglect_plans(1, on=today() - timedelta(days=14), agencies=[health])
    round = audit_round(administrator, size=1)
    _drawn(round, 3)
    sample = round.samples.get()
    stranger = UserFactory(agency=voluntary)
    with pytest.raises(ValidationError, match="not from an agency involved"):
        audit_services.audit_team_set(
            sample=sample,
            user=administrator,
            version=sample.version,
            lead=csc_social_worker,
            auditors=[health_visitor, stranger],
        )
    audit_services.audit_team_set(
        sample=sample,
        user=administrator,
        version=sample.version,
        lead=csc_social_worker,
        auditors=[health_visitor],
    )
    assert list(sample.auditors.values_list("auditor", flat=True)) == [health_visitor.pk]


def _answers(round, grade):
    return {
        c.pk: audit_services.Answer(grade=grade, evidence="Seen in the chronology", better="")
        for c in round.criteria.all()
    }


def test_an_audit_is_drafted_completed_and_moderated_with_a_reason_kept(
    administrator, csc_social_worker, health_visitor, health
):
    children_on_neglect_plans(1, on=today() - timedelta(days=14), agencies=[health])
    round = running_round(administrator, lead=csc_social_worker, auditors=[health_visitor], size=1)
    sample = round.samples.get()
    criteria = list(round.criteria.all())
    assert [c.code for c in criteria] == ["promptness", "history", "impact", "actions", "voice"]

    partial = {criteria[0].pk: audit_services.Answer("good", "Early help offered", "")}
    sample = audit_services.audit_save(
        sample=sample, user=health_visitor, version=sample.version, answers=partial, complete=False
    )
    assert sample.status == AuditSample.Status.DRAFT
    with pytest.raises(ValidationError) as refused:
        audit_services.audit_save(
            sample=sample, user=health_visitor, version=sample.version, answers={}, complete=True
        )
    assert f"grade_{criteria[1].pk}" in refused.value.message_dict
    assert AuditJudgement.objects.get(sample=sample, criterion=criteria[0]).grade == "good"

    sample = audit_services.audit_save(
        sample=sample,
        user=health_visitor,
        version=sample.version,
        answers=_answers(round, Grade.GOOD),
        complete=True,
    )
    assert sample.status == AuditSample.Status.COMPLETED
    assert not access.can_edit_audit(health_visitor, sample)
    assert not access.can_moderate_audit(health_visitor, sample)
    assert access.can_moderate_audit(csc_social_worker, sample)

    change = {criteria[2].pk: audit_services.Moderation(Grade.REQUIRES_IMPROVEMENT, "")}
    with pytest.raises(ValidationError, match="why"):
        audit_services.audit_moderate(
            sample=sample, user=csc_social_worker, version=sample.version, changes=change
        )
    change = {criteria[2].pk: audit_services.Moderation(Grade.REQUIRES_IMPROVEMENT, "No analysis")}
    sample = audit_services.audit_moderate(
        sample=sample, user=csc_social_worker, version=sample.version, changes=change
    )
    assert sample.status == AuditSample.Status.MODERATED and sample.moderated_at
    changed = AuditJudgement.objects.get(sample=sample, criterion=criteria[2])
    assert (changed.grade, changed.audited_grade) == ("requires_improvement", "good")
    assert changed.history.first().history_change_reason == "Moderated: No analysis"
    assert AuditJudgement.objects.get(sample=sample, criterion=criteria[0]).audited_grade == ""


def test_an_agreed_action_lands_in_the_agencys_active_plan(administrator, health, health_lead):
    from actionplans.models import ActionPlan, Objective

    plan = ActionPlan.objects.create(
        agency=health,
        title="Health neglect plan",
        period_start=today() - timedelta(days=100),
        period_end=today() + timedelta(days=265),
        status=ActionPlan.Status.ACTIVE,
    )
    round = audit_round(administrator)
    theme = audit_services.theme_add(round=round, user=administrator, title="Chronologies")
    link = audit_services.agreed_action_add(
        theme=theme,
        user=administrator,
        new=audit_services.NewAgreedAction(
            agency=health,
            objective=Objective.choices[0][0],
            description="Health visitors add to the chronology after every visit",
            owner_name="Named nurse",
            due_date=today() + timedelta(days=90),
        ),
    )
    assert link.action.plan == plan
    assert link.action.audit_finding.theme == theme


def test_a_reason_for_a_grade_kept_as_it_was_is_refused_not_dropped(
    administrator, csc_social_worker, health_visitor, health
):
    children_on_neglect_plans(1, on=today() - timedelta(days=14), agencies=[health])
    round = running_round(administrator, lead=csc_social_worker, auditors=[health_visitor], size=1)
    sample = round.samples.get()
    sample = audit_services.audit_save(
        sample=sample,
        user=health_visitor,
        version=sample.version,
        answers=_answers(round, Grade.GOOD),
        complete=True,
    )
    first = round.criteria.first()
    with pytest.raises(ValidationError) as refused:
        audit_services.audit_moderate(
            sample=sample,
            user=csc_social_worker,
            version=sample.version,
            changes={first.pk: audit_services.Moderation(Grade.GOOD, "Agreed after discussion")},
        )
    assert "kept its grade" in refused.value.message_dict[f"reason_{first.pk}"][0]
    sample.refresh_from_db()
    assert sample.status == AuditSample.Status.COMPLETED
