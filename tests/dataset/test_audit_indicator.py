"""AUDIT_GOOD_OR_BETTER against hand-built moderated audits: which judgements count (moderated
in the quarter, by the local day), the grade agreed at moderation, the breakdowns by criterion
and by the agencies involved, and the drill-down limited to the children the viewer may see."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dataset import audit_services, breakdown, results, selectors
from dataset.audit_models import AuditSample, Grade
from dataset.computation import compute
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter
from tests.dataset.audit_builders import children_on_neglect_plans, running_round

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024 (British Summer Time throughout)
GOOD, TOP, RI, LOW = Grade.GOOD, Grade.OUTSTANDING, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE


def london(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def audited(sample, grades, *, lead, changes=None, moderated_at=None):
    """Complete `sample`'s audit with `grades` (one per criterion, in order) and, when
    `moderated_at` is given, moderate it then (`changes`: {criterion index: (grade, why)})."""
    criteria = list(sample.round.criteria.all())
    answers = {
        c.pk: audit_services.Answer(grade=g, evidence="Read in the chronology", better="")
        for c, g in zip(criteria, grades, strict=True)
    }
    sample = audit_services.audit_save(
        sample=sample, user=lead, version=sample.version, answers=answers, complete=True
    )
    if moderated_at is None:
        return sample
    moderations = {
        criteria[n].pk: audit_services.Moderation(grade, why)
        for n, (grade, why) in (changes or {}).items()
    }
    sample = audit_services.audit_moderate(
        sample=sample, user=lead, version=sample.version, changes=moderations
    )
    AuditSample.objects.filter(pk=sample.pk).update(moderated_at=moderated_at)
    return sample


def moderated_audits(administrator, lead, agencies_of):
    """One round of four children, numbered in the order built:

    1. health and the voluntary sector involved; moderated 30 June 2024 at 23:30 (in Q1) with
       "impact" raised from requires improvement to good: 4 of 5 good or better;
    2. health; moderated 1 April 2024 at 00:10 (in Q1): all inadequate, 0 of 5;
    3. the voluntary sector; moderated 1 July 2024 at 00:30, 30 June in UTC (in Q2): 5 of 5;
    4. health; completed, all outstanding, never moderated: in no quarter.
    """
    on = today() - timedelta(days=14)
    for agencies in agencies_of:
        children_on_neglect_plans(1, on=on, agencies=agencies)
    round = running_round(administrator, lead=lead, size=len(agencies_of))
    one, two, three, four = round.samples.order_by("number")
    audited(
        one,
        [GOOD, TOP, RI, LOW, GOOD],
        lead=lead,
        changes={2: (GOOD, "The impact was analysed in the assessment")},
        moderated_at=london(2024, 6, 30, 23, 30),
    )
    audited(two, [LOW] * 5, lead=lead, moderated_at=london(2024, 4, 1, 0, 10))
    audited(three, [GOOD] * 5, lead=lead, moderated_at=london(2024, 7, 1, 0, 30))
    audited(four, [TOP] * 5, lead=lead)
    return round


@pytest.fixture
def audits(administrator, csc_social_worker, health, voluntary):
    return moderated_audits(
        administrator, csc_social_worker, [[health, voluntary], [health], [voluntary], [health]]
    )


def test_it_is_the_share_of_judgements_moderated_in_the_quarter_graded_good_or_better(audits):
    figure = compute(Q1, ["AUDIT_GOOD_OR_BETTER"])["AUDIT_GOOD_OR_BETTER"]
    # Child 1's five and child 2's five; the grade agreed at moderation counts.
    assert (figure.numerator, figure.denominator, figure.value) == (4, 10, Decimal("40.0"))
    later = compute(Q1.next(), ["AUDIT_GOOD_OR_BETTER"])["AUDIT_GOOD_OR_BETTER"]
    # Moderated at 00:30 on 1 July, London time: in Q2, though still 30 June in UTC.
    assert (later.numerator, later.denominator, later.value) == (5, 5, Decimal("100.0"))


def test_an_audit_not_yet_moderated_is_in_neither_number(audits):
    first, second = audits.samples.order_by("number")[:2]
    # Child 4 (completed, all outstanding) was never counted; child 2 now waits for
    # moderation too, and child 1 is left alone in Q1.
    AuditSample.objects.filter(pk=second.pk).update(
        status=AuditSample.Status.COMPLETED, moderated_at=None
    )
    figure = compute(Q1, ["AUDIT_GOOD_OR_BETTER"])["AUDIT_GOOD_OR_BETTER"]
    assert (figure.numerator, figure.denominator) == (4, 5)
    # A moderation time without the moderated status does not count either.
    AuditSample.objects.filter(pk=first.pk).update(status=AuditSample.Status.COMPLETED)
    figure = compute(Q1, ["AUDIT_GOOD_OR_BETTER"])["AUDIT_GOOD_OR_BETTER"]
    assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)


def test_a_quarter_with_no_moderated_audit_has_no_value(audits):
    figure = compute(Q1.previous(), ["AUDIT_GOOD_OR_BETTER"])["AUDIT_GOOD_OR_BETTER"]
    assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)


def test_it_breaks_down_by_criterion_under_the_default_titles(audits):
    rows = breakdown.audit_by_criterion(Q1)
    assert [(r.code, r.title, r.numerator, r.denominator, r.value_text) for r in rows] == [
        ("promptness", "Promptness of identification", 1, 2, "50.0%"),
        ("history", "Use of historical information", 1, 2, "50.0%"),
        ("impact", "Analysis of the impact of neglect on the child", 1, 2, "50.0%"),
        ("actions", "Robustness of actions to improve outcomes", 0, 2, "0.0%"),
        ("voice", "Voice of the child", 1, 2, "50.0%"),
    ]
    # Every default criterion keeps its row in an empty quarter.
    empty = breakdown.audit_by_criterion(Q1.previous())
    assert [(r.numerator, r.denominator, r.value_text) for r in empty] == [(0, 0, "no cases")] * 5


def test_a_renamed_criterion_is_grouped_by_its_code(audits):
    audits.criteria.filter(code="voice").update(title="The child's voice")
    rows = {r.code: r for r in breakdown.audit_by_criterion(Q1)}
    assert rows["voice"].title == "Voice of the child"
    assert (rows["voice"].numerator, rows["voice"].denominator) == (1, 2)


def test_it_breaks_down_by_the_agencies_involved_with_the_audited_child(
    audits, csc, health, voluntary
):
    rows = {
        row.agency: row
        for row in breakdown.agency_figures(
            "AUDIT_GOOD_OR_BETTER",
            Q1,
            "percentage",
            breakdown.by_agency("AUDIT_GOOD_OR_BETTER", Q1),
        )
    }
    # Child 1 counts for both its agencies; children's social care audited none of its own.
    assert (rows[health].numerator, rows[health].denominator, rows[health].value_text) == (
        4,
        10,
        "40.0%",
    )
    assert (rows[voluntary].numerator, rows[voluntary].denominator) == (4, 5)
    assert (rows[csc].numerator, rows[csc].denominator, rows[csc].value_text) == (0, 0, "no cases")


def test_the_drill_down_lists_the_judgements_of_children_the_viewer_may_see(
    audits, health_lead, working_group_member
):
    numerator = selectors.drill_down(
        "AUDIT_GOOD_OR_BETTER", "numerator", health_lead, results.shown_result(Q1)
    )
    denominator = selectors.drill_down(
        "AUDIT_GOOD_OR_BETTER", "denominator", health_lead, results.shown_result(Q1)
    )
    one, two = audits.samples.order_by("number")[:2]
    assert {j.sample_id for j in denominator} == {one.pk, two.pk}
    assert (numerator.count(), denominator.count()) == (4, 10)
    # The voluntary sector is involved with child 1 only (child 3 is another quarter's).
    assert selectors.visible_counts(
        "AUDIT_GOOD_OR_BETTER", working_group_member, results.shown_result(Q1)
    ) == (4, 5)


def test_the_indicator_page_shows_both_breakdowns_and_links_the_lists(
    client, audits, health_lead, django_assert_max_num_queries
):
    client.force_login(health_lead)
    url = reverse("dataset:indicator", args=[Q1.slug, "AUDIT_GOOD_OR_BETTER"])
    client.get(url)  # the worker has stored the figures
    # 15 measured: the stored figures, breakdown and records behind them; nothing computed.
    with django_assert_max_num_queries(15):
        response = client.get(url)
    html = response.content.decode()
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert response.status_code == 200
    assert "40.0%" in page and "4 of 10 audit judgements" in page
    assert 'id="criteria"' in html and "Robustness of actions to improve outcomes" in page
    assert "Agency involved with the audited child" in page
    assert "you may see 4 of 4" in page and "you may see 10 of 10" in page


def test_the_members_page_names_each_judgement_by_round_child_number_and_criterion(
    client, audits, health_lead, django_assert_max_num_queries
):
    client.force_login(health_lead)
    url = reverse("dataset:members", args=[Q1.slug, "AUDIT_GOOD_OR_BETTER", "denominator"])
    client.get(url)  # the worker has stored the figures
    # A page of ids from the stored members, then those judgements: 11 measured.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert response.status_code == 200
    assert "Audit judgement, Neglect audit (child 1): Promptness of identification, good" in page
    assert "moderated 30 June 2024" in page and "moderated 1 April 2024" in page
    assert len(re.findall(r'href="/children/\d+/"', response.content.decode())) == 10
    csv_url = reverse("dataset:members_csv", args=[Q1.slug, "AUDIT_GOOD_OR_BETTER", "numerator"])
    lines = client.get(csv_url).content.decode().splitlines()
    assert len(lines) == 1 + 4


def test_a_quarter_published_before_it_existed_says_so_rather_than_no_returns(
    client, audits, administrator, working_group_member
):
    from dataset.models import PublishedFigure
    from dataset.services import quarter_publish

    quarter_publish(quarter=Q1, user=administrator)
    # As a snapshot taken before AUDIT_GOOD_OR_BETTER was in the registry holds it.
    PublishedFigure.objects.filter(code="AUDIT_GOOD_OR_BETTER").delete()
    client.force_login(working_group_member)
    dashboard = client.get(reverse("dataset:dashboard", args=[Q1.slug])).content.decode()
    card = dashboard[dashboard.index('id="card-AUDIT_GOOD_OR_BETTER"') :]
    assert "Not in the figures published for this quarter" in card[: card.index("</div>")]
    impact = client.get(reverse("dataset:impact", args=[Q1.slug])).content.decode()
    audit = impact[impact.index('id="impact-audit-figure"') :]
    assert "Not in the figures published for this quarter" in audit[: audit.index("</p>")]
