"""A round's results: each criterion's grades overall and by agency from moderated audits only,
and the distance travelled since the previous round."""

from datetime import timedelta
from decimal import Decimal

import pytest

from dataset import audit_results, audit_services
from dataset.audit_models import AuditRound, Grade
from neglect_portal.dates import today
from tests.dataset.audit_builders import audit_round, children_on_neglect_plans, running_round

pytestmark = pytest.mark.django_db

O, G, RI, I = (  # noqa: E741 - Ofsted's own initials
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
)


def audited(sample, grades, *, lead, moderate=True, changes=None):
    """Complete `sample`'s audit with `grades` (one grade for every criterion, or criterion
    code → grade) and, unless told not to, moderate it changing `changes` (code → (grade,
    reason))."""
    criteria = list(sample.round.criteria.all())
    answers = {
        c.pk: audit_services.Answer(
            grades if isinstance(grades, str) else grades[c.code], "Read the chronology", ""
        )
        for c in criteria
    }
    sample = audit_services.audit_save(
        sample=sample, user=lead, version=sample.version, answers=answers, complete=True
    )
    if moderate:
        by_code = {c.code: c.pk for c in criteria}
        sample = audit_services.audit_moderate(
            sample=sample,
            user=lead,
            version=sample.version,
            changes={
                by_code[code]: audit_services.Moderation(grade, reason)
                for code, (grade, reason) in (changes or {}).items()
            },
        )
    return sample


def four_agency_round(administrator, lead, health, voluntary, **kwargs):
    """Five children: three known to health only, two to health and the voluntary sector.
    Moderated: health only RI and inadequate, both agencies outstanding and good; the fifth
    (health only, outstanding) is completed but not moderated. At moderation the RI child's
    voice of the child is changed to good."""
    on = today() - timedelta(days=14)
    children_on_neglect_plans(3, on=on, agencies=[health])
    children_on_neglect_plans(2, on=on, agencies=[health, voluntary])
    round = running_round(administrator, lead=lead, size=5, **kwargs)
    samples = sorted(round.samples.prefetch_related("agencies"), key=lambda s: s.number)
    health_only = [s for s in samples if len(s.agencies.all()) == 1]
    both = [s for s in samples if len(s.agencies.all()) == 2]
    audited(health_only[0], RI, lead=lead, changes={"voice": (G, "The child's words recorded")})
    audited(health_only[1], I, lead=lead)
    audited(health_only[2], O, lead=lead, moderate=False)
    audited(both[0], O, lead=lead)
    audited(both[1], G, lead=lead)
    return round


def _by_code(results):
    return {result.criterion.code: result for result in results.criteria}


def test_only_moderated_audits_count_and_the_rest_are_not_yet_moderated(
    administrator, csc_social_worker, health, voluntary
):
    round = four_agency_round(administrator, csc_social_worker, health, voluntary)

    results = audit_results.round_results(round)

    assert (results.children, results.moderated, results.not_yet_moderated) == (5, 4, 1)
    promptness = _by_code(results)["promptness"].overall
    assert [(g.grade, g.count, g.percent) for g in promptness.grades] == [
        ("outstanding", 1, Decimal("25.0")),
        ("good", 1, Decimal("25.0")),
        ("requires_improvement", 1, Decimal("25.0")),
        ("inadequate", 1, Decimal("25.0")),
    ]
    assert (promptness.total, promptness.percent_good_or_better) == (4, Decimal("50.0"))


def test_a_grade_changed_at_moderation_counts_as_moderated(
    administrator, csc_social_worker, health, voluntary
):
    round = four_agency_round(administrator, csc_social_worker, health, voluntary)

    voice = _by_code(audit_results.round_results(round))["voice"].overall

    assert voice.counts == {"outstanding": 1, "good": 2, "inadequate": 1}
    assert voice.percent_good_or_better == Decimal("75.0")


def test_each_agency_involved_gets_its_own_row(administrator, csc_social_worker, health, voluntary):
    round = four_agency_round(administrator, csc_social_worker, health, voluntary)

    history = _by_code(audit_results.round_results(round))["history"]

    rows = {row.agency: row.distribution for row in history.by_agency}
    assert list(rows) == sorted([health.name, voluntary.name])
    assert rows[health.name].counts == {O: 1, G: 1, RI: 1, I: 1}
    assert rows[health.name].percent_good_or_better == Decimal("50.0")
    assert rows[voluntary.name].counts == {"outstanding": 1, "good": 1}
    assert rows[voluntary.name].percent_good_or_better == Decimal("100.0")


def test_the_previous_round_is_the_latest_to_start_before_closed_or_not(administrator):
    day = today()
    oldest = audit_round(administrator, title="Oldest", starts_on=day - timedelta(days=300))
    previous = audit_round(administrator, title="Previous", starts_on=day - timedelta(days=100))
    this = audit_round(administrator, title="This", starts_on=day - timedelta(days=7))
    audit_round(administrator, title="Later", starts_on=day + timedelta(days=10))
    AuditRound.objects.filter(pk=oldest.pk).update(status=AuditRound.Status.CLOSED)
    AuditRound.objects.filter(pk=previous.pk).update(status=AuditRound.Status.IN_PROGRESS)

    assert audit_results.previous_round(this) == previous
    assert audit_results.previous_round(previous) == oldest
    assert audit_results.previous_round(oldest) is None


def test_distance_travelled_is_the_change_in_good_or_better_since_the_previous_round(
    administrator, csc_social_worker, health, voluntary
):
    round = four_agency_round(administrator, csc_social_worker, health, voluntary)
    # Two of the same children, audited in a round that started earlier.
    before = running_round(
        administrator,
        lead=csc_social_worker,
        size=2,
        title="Last year's audit",
        starts_on=today() - timedelta(days=20),
    )
    first, second = before.samples.all()
    audited(
        first,
        {"promptness": G, "history": RI, "impact": RI, "actions": RI, "voice": RI},
        lead=csc_social_worker,
    )
    audited(second, RI, lead=csc_social_worker)
    before.refresh_from_db()
    audit_services.audit_round_close(round=before, user=administrator, version=before.version)

    results = audit_results.round_results(round)

    assert results.previous == before
    criteria = _by_code(results)
    promptness, history, voice = criteria["promptness"], criteria["history"], criteria["voice"]
    assert (promptness.travelled.before, promptness.travelled.after) == (
        Decimal("50.0"),
        Decimal("50.0"),
    )
    assert promptness.travelled.words == "no change from 50.0%"
    assert history.travelled.points == Decimal("50.0")
    assert history.travelled.words == "up 50.0 points from 0.0% to 50.0%"
    assert history.travelled.better is True
    assert voice.travelled.words == "up 75.0 points from 0.0% to 75.0%"


def test_a_round_with_nothing_before_it_says_so(
    administrator, csc_social_worker, health, voluntary
):
    round = four_agency_round(administrator, csc_social_worker, health, voluntary)

    travelled = _by_code(audit_results.round_results(round))["impact"].travelled

    assert travelled.before is None and travelled.points is None
    assert travelled.words == "no previous round to compare with"


def test_a_previous_round_with_nothing_moderated_is_not_comparable(
    administrator, csc_social_worker, health, voluntary
):
    spring = audit_round(
        administrator, title="Spring audit", starts_on=today() - timedelta(days=90)
    )
    AuditRound.objects.filter(pk=spring.pk).update(status=AuditRound.Status.CLOSED)
    round = four_agency_round(administrator, csc_social_worker, health, voluntary)

    travelled = _by_code(audit_results.round_results(round))["impact"].travelled

    assert travelled.words == "not comparable: no moderated audits in Spring audit"


def test_a_fall_is_worse_and_said_in_words():
    fall = audit_results.DistanceTravelled(Decimal("60.0"), Decimal("59.0"), "Autumn audit")
    assert fall.words == "down 1.0 point from 60.0% to 59.0%"
    assert fall.better is False


@pytest.mark.parametrize("size", [2, 8])
def test_the_results_take_the_same_queries_for_any_sample(
    administrator, csc_social_worker, health, django_assert_num_queries, size
):
    children_on_neglect_plans(size, on=today() - timedelta(days=14), agencies=[health])
    before = audit_round(administrator, title="Before", starts_on=today() - timedelta(days=60))
    AuditRound.objects.filter(pk=before.pk).update(status=AuditRound.Status.CLOSED)
    round = running_round(administrator, lead=csc_social_worker, size=size)
    for sample in round.samples.all():
        audited(sample, G, lead=csc_social_worker)

    # Criteria, overall, by agency, sample counts, the previous round and its figures.
    with django_assert_num_queries(6):
        audit_results.round_results(round)
