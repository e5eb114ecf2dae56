"""The demo's audit rounds (issue 15): last year's closed, this year's in progress, on the
generated children, so every audit page has something true to show."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from actionplans.models import Action, ActionPlan
from dataset import audit_sampling
from dataset.audit_models import (
    GOOD_OR_BETTER,
    AuditAgreedAction,
    AuditJudgement,
    AuditLearningPoint,
    AuditRound,
    AuditSample,
    Grade,
)
from dataset.demo_audits import load_demo_audits
from neglect_portal import access, dates
from neglect_portal.demo import COMMUNITY_HEALTH, load_demo_data
from neglect_portal.models import User
from neglect_portal.quarters import Quarter

pytestmark = pytest.mark.django_db

SCORE = {Grade.OUTSTANDING: 4, Grade.GOOD: 3, Grade.REQUIRES_IMPROVEMENT: 2, Grade.INADEQUATE: 1}


@pytest.fixture
def demo(settings):
    """`make run`'s steps before the audits, with a small county."""
    settings.DEBUG = True
    # The demo sign-ins are checked on every run: a fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_data()
    call_command("generate_demo_data", children=400, stdout=StringIO())


@pytest.fixture
def audits(demo):
    said = load_demo_audits()
    assert said is not None
    last, this = AuditRound.objects.order_by("starts_on")
    return last, this


def _day(moment):
    return timezone.localtime(moment).date()


def _mean(round):
    grades = AuditJudgement.objects.filter(
        sample__round=round, sample__status__in=["completed", "moderated"]
    ).values_list("grade", flat=True)
    return sum(SCORE[grade] for grade in grades) / len(grades)


def test_last_years_round_is_closed_every_child_audited_and_moderated_last_year(audits):
    last, _ = audits
    year = Quarter.containing(dates.today()).start_year - 1
    previous_year = (Quarter(year, 1).start, Quarter(year, 4).end)
    assert last.status == AuditRound.Status.CLOSED
    assert last.method == AuditRound.Method.STRATIFIED and last.seed is not None
    assert previous_year[0] <= last.sample_date <= last.starts_on < last.ends_on
    assert last.ends_on <= _day(last.closed_at) <= previous_year[1]
    samples = list(last.samples.select_related("lead_auditor__agency"))
    assert len(samples) == 10
    # The seed gives the same children again, from those on a neglect plan on the date.
    again = audit_sampling.draw(
        audit_sampling.eligible_children(last.sample_date), size=10, seed=last.seed, stratified=True
    )
    assert {s.child_id for s in samples} == {one.child_id for one in again}
    assert {s.status for s in samples} == {AuditSample.Status.MODERATED}
    assert all(s.lead_auditor.agency.is_childrens_social_care for s in samples)
    assert {s.lead_auditor.username for s in samples} <= {"practitioner", "manager"}
    for sample in samples:
        assert last.starts_on <= _day(sample.completed_at) <= _day(sample.moderated_at)
        assert _day(sample.moderated_at) <= last.ends_on
        # Each auditor is from an agency involved with the child.
        involved = set(sample.agencies.values_list("pk", flat=True))
        assert set(sample.auditors.values_list("auditor__agency", flat=True)) <= involved
    # Moderated in two of last year's quarters: AUDIT_GOOD_OR_BETTER has a trend.
    assert len({Quarter.containing(_day(s.moderated_at)) for s in samples}) >= 2


def test_last_years_grades_are_mostly_requires_improvement_and_two_changed_at_moderation(audits):
    last, _ = audits
    judgements = AuditJudgement.objects.filter(sample__round=last)
    grades = Counter(judgements.values_list("grade", flat=True))
    assert sum(grades.values()) == 50 and "" not in grades
    assert grades.most_common(1)[0][0] == Grade.REQUIRES_IMPROVEMENT
    assert 0 < grades[Grade.OUTSTANDING] < grades[Grade.GOOD]
    assert 0 < grades[Grade.INADEQUATE] < grades[Grade.REQUIRES_IMPROVEMENT]
    changed = judgements.exclude(audited_grade="")
    assert changed.count() == 2
    assert all(j.moderation_reason and j.audited_grade != j.grade for j in changed)
    assert all(j.evidence for j in judgements)


def test_last_years_learning_is_grouped_into_themes_and_agreed_into_active_plans(audits):
    last, _ = audits
    assert 2 <= last.themes.count() <= 3
    assert not AuditLearningPoint.objects.filter(round=last, theme=None).exists()
    assert all(theme.points.exists() for theme in last.themes.all())
    agreed = AuditAgreedAction.objects.filter(theme__round=last).select_related("action__plan")
    assert 1 <= agreed.count() <= 2
    for link in agreed:
        assert link.action.plan.status == ActionPlan.Status.ACTIVE
        assert _day(link.agreed_at) >= _day(last.closed_at)


def test_this_years_round_is_in_progress_with_audits_at_every_stage(audits):
    last, this = audits
    today = dates.today()
    assert this.status == AuditRound.Status.IN_PROGRESS and this.seed is not None
    assert this.starts_on < today < this.ends_on
    assert this.sample_date <= this.starts_on and this.starts_on > last.ends_on
    stages = Counter(this.samples.values_list("status", flat=True))
    assert stages == {"moderated": 3, "completed": 3, "draft": 2, "not_started": 2}
    for sample in this.samples.exclude(completed_at=None):
        assert this.starts_on <= _day(sample.completed_at) < today
    moderated = this.samples.filter(status="moderated")
    assert all(this.starts_on <= _day(s.moderated_at) < today for s in moderated)
    # Sam Okafor has every audit waiting for moderation on his moderation page.
    practitioner = User.objects.get(username="practitioner")
    waiting = this.samples.filter(status="completed")
    assert all(access.can_moderate_audit(practitioner, sample) for sample in waiting)
    assert _mean(this) > _mean(last)
    assert AuditJudgement.objects.filter(sample__round=this, grade__in=GOOD_OR_BETTER).exists()


def test_the_health_practitioner_has_this_years_trust_children_to_audit(audits):
    _, this = audits
    health = User.objects.get(username="health-practitioner")
    mine = access.audit_samples_visible_to(health)
    assert mine.count() >= 2
    assert set(mine.values_list("round", flat=True)) == {this.pk}
    for sample in mine:
        assert COMMUNITY_HEALTH in set(sample.agencies.values_list("name", flat=True))
    assert {"completed", "draft"} <= set(mine.values_list("status", flat=True))
    assert mine.values("child").distinct().count() == mine.count()


def test_running_it_again_changes_nothing(audits, django_assert_max_num_queries):
    def counts():
        return (
            AuditRound.objects.count(),
            AuditSample.objects.count(),
            AuditJudgement.objects.count(),
            AuditLearningPoint.objects.count(),
            Action.objects.count(),
            AuditRound.history.count(),
            AuditSample.history.count(),
            list(AuditSample.objects.values_list("status", "moderated_at")),
        )

    before = counts()
    with django_assert_max_num_queries(10):
        assert load_demo_audits() is None
    assert counts() == before


def test_the_command_says_what_it_added_and_refuses_without_debug(demo, settings):
    out = StringIO()
    call_command("load_demo_audits", stdout=out)
    assert "2 agreed actions" in out.getvalue() and "3 waiting for moderation" in out.getvalue()
    out = StringIO()
    call_command("load_demo_audits", stdout=out)
    assert "nothing added" in out.getvalue()
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo_audits")


def test_nothing_is_added_before_the_children_are_generated(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_data()
    assert load_demo_audits() is None
    assert not AuditRound.objects.exists()


def test_history_agrees_with_the_story_dates(audits):
    last, this = audits
    now = timezone.now()
    for sample in last.samples.all():
        rows = sample.history.all()
        assert max(row.history_date for row in rows) == sample.moderated_at
        assert min(row.history_date for row in rows) > timezone.localtime(last.created_at)
    closing = last.history.get(history_change_reason="Round closed")
    assert closing.history_date == last.closed_at
    for link in AuditAgreedAction.objects.filter(theme__round=last):
        assert link.action.history.get().history_date == link.agreed_at
    # This year's records: nothing dated after now, nothing before the round was set up.
    for sample in this.samples.all():
        for row in sample.history.all():
            assert this.created_at < row.history_date <= now
        if sample.moderated_at:
            assert sample.history.get(history_change_reason="Moderated").history_date == (
                sample.moderated_at
            )
