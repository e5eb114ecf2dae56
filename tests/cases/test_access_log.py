"""Every page that shows a child's record to someone writes who opened it, and when."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import AccessLog
from tests.factories import (
    AssessmentFactory,
    CINPlanFactory,
    CPPlanFactory,
    CPReviewFactory,
    InvolvementFactory,
    UserFactory,
)
from toolkit.models import AssessmentChecklist, ChronologyEntry
from toolkit.services import chronology_entry_add, tool_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(health, csc_social_worker):
    assessment = AssessmentFactory(referral__referral_date=date(2024, 5, 1))
    referral = assessment.referral
    child = referral.child
    cp_plan = CPPlanFactory(referral=referral, start_date=date(2024, 6, 1))
    entry = chronology_entry_add(
        child=child,
        entry=ChronologyEntry(
            author=csc_social_worker,
            source_agency=csc_social_worker.agency,
            event_date=date(2024, 6, 2),
            what_happened="Home visit",
            impact="neutral",
            impact_description="None seen",
        ),
    )
    return {
        "child": child,
        "referral": referral,
        "assessment": assessment,
        "cin_plan": CINPlanFactory(referral=referral, start_date=date(2024, 5, 3)),
        "cp_plan": cp_plan,
        "cp_review": CPReviewFactory(plan=cp_plan, review_date=date(2024, 9, 1)),
        "involvement": InvolvementFactory(child=child, agency=health),
        "entry": entry,
        "tool": tool_start(AssessmentChecklist, child=child, author=csc_social_worker),
    }


PAGES = [
    ("cases:child_detail", "child"),
    ("cases:child_edit", "child"),
    ("cases:referral_add", "child"),
    ("cases:involvement_add", "child"),
    ("cases:referral_edit", "referral"),
    ("cases:assessment_add", "referral"),
    ("cases:cin_plan_start", "referral"),
    ("cases:cp_plan_start", "referral"),
    ("cases:assessment_edit", "assessment"),
    ("cases:cin_plan_end", "cin_plan"),
    ("cases:cp_plan_end", "cp_plan"),
    ("cases:cp_plan_category", "cp_plan"),
    ("cases:cp_review_add", "cp_plan"),
    ("cases:involvement_end", "involvement"),
    ("toolkit:chronology", "child"),
    ("toolkit:chronology_print", "child"),
    ("toolkit:chronology_csv", "child"),
    ("toolkit:chronology_entry_change", "entry"),
]


@pytest.mark.parametrize(("name", "record"), PAGES)
def test_opening_a_page_of_the_childs_record_is_logged(
    client, csc_social_worker, case, name, record
):
    client.force_login(csc_social_worker)
    assert client.get(reverse(name, args=[case[record].pk])).status_code == 200
    assert list(AccessLog.objects.values_list("user", "child")) == [
        (csc_social_worker.pk, case["child"].pk)
    ]


@pytest.mark.parametrize("kind", ["child", "referral", "cp-plan", "involvement"])
def test_opening_a_records_history_is_logged(client, csc_social_worker, case, kind):
    record = case[kind.replace("-", "_")]
    client.force_login(csc_social_worker)
    assert client.get(reverse("cases:history", args=[kind, record.pk])).status_code == 200
    assert AccessLog.objects.filter(child=case["child"], user=csc_social_worker).count() == 1


def test_opening_a_tool_is_logged(client, csc_social_worker, case):
    client.force_login(csc_social_worker)
    client.get(reverse("toolkit:tool", args=["checklist", case["tool"].pk]))
    assert AccessLog.objects.filter(child=case["child"], user=csc_social_worker).count() == 1


def test_an_outsider_turned_away_leaves_no_entry(client, case, voluntary):
    client.force_login(UserFactory(agency=voluntary))
    assert client.get(reverse("cases:child_detail", args=[case["child"].pk])).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    "kind", ["child", "referral", "assessment", "cin-plan", "cp-plan", "cp-review", "involvement"]
)
def test_a_history_page_takes_the_same_few_queries_however_often_the_record_changed(
    client, csc_social_worker, case, kind, django_assert_max_num_queries
):
    record = case[kind.replace("-", "_")]
    for _ in range(5):
        record.save()  # a history row each
    client.force_login(csc_social_worker)
    # Session and user, the record with its child, the access log, the history rows and the
    # names they mention: the same for five changes as for fifty.
    with django_assert_max_num_queries(8):
        client.get(reverse("cases:history", args=[kind, record.pk]))
