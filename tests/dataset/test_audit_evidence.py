"""The audit form's evidence pane: what the record says, read in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CPReview
from dataset import audit_evidence
from tests.dataset.builders import (
    chronology_entry,
    chronology_reviewed,
    cin_plan,
    cp_plan,
    referral,
)
from tests.factories import ChildFactory, NextStepFactory, NextStepsFactory

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 30)


def test_a_plan_says_how_long_it_lasted():
    assert audit_evidence.duration(date(2024, 1, 10), date(2025, 3, 10)) == "1 year 2 months"
    assert audit_evidence.duration(date(2025, 1, 1), date(2025, 1, 22)) == "3 weeks"
    assert audit_evidence.duration(date(2025, 1, 1), date(2025, 1, 2)) == "1 day"


def test_a_referral_within_12_months_of_an_earlier_one_is_a_re_referral():
    child = ChildFactory(date_of_birth=date(2015, 1, 1))
    referral(child, date(2022, 1, 10))
    referral(child, date(2023, 6, 1))  # 17 months later: not a re-referral
    referral(child, date(2024, 3, 1))  # 9 months after the last
    rows = audit_evidence.referrals_of(child)
    assert [row.rereferral for row in rows] == [False, False, True]


def test_cp_reviews_are_on_time_within_3_months_then_6_months_apart():
    child = ChildFactory(date_of_birth=date(2015, 1, 1))
    plan = cp_plan(child, date(2024, 1, 10))
    CPReview.objects.create(plan=plan, review_date=date(2024, 4, 5))  # within 3 months
    CPReview.objects.create(plan=plan, review_date=date(2024, 11, 1))  # more than 6 after
    [reviews] = audit_evidence.cp_review_timeliness(child, on=ON)
    on_time = [(row.due, row.held, row.on_time) for row in reviews.reviews]
    assert on_time[0] == (date(2024, 4, 10), date(2024, 4, 5), True)
    assert on_time[1] == (date(2024, 10, 5), date(2024, 11, 1), False)
    # The plan is still open and its next review (1 May 2025) has not been held: late.
    assert on_time[2] == (date(2025, 5, 1), None, False)
    assert not reviews.all_on_time


def test_the_chronology_plans_and_next_steps_are_summarised(csc_social_worker):
    child = ChildFactory(date_of_birth=date(2015, 1, 1))
    chronology_entry(child, csc_social_worker, date(2025, 1, 5))
    chronology_entry(child, csc_social_worker, date(2025, 3, 5))
    chronology_reviewed(child, date(2025, 4, 1))
    cin_plan(child, date(2023, 1, 1), date(2023, 7, 1))
    cp_plan(child, date(2024, 1, 10))
    analysis = NextStepsFactory(
        child=child, author=csc_social_worker, completed_on=date(2025, 2, 1)
    )
    NextStepFactory(analysis=analysis, due_on=date(2025, 5, 1), what="Book a GP check")

    evidence = audit_evidence.evidence_for(child, on=ON)

    assert evidence.chronology.entries == 2
    assert evidence.chronology.last_entry.event_date == date(2025, 3, 5)
    assert evidence.chronology.reviewed_on == date(2025, 4, 1)
    assert [(p.kind, p.duration) for p in evidence.plans] == [
        ("Child in need plan", "6 months"),
        ("Child protection plan", "1 year 5 months"),
    ]
    [step] = evidence.next_steps
    assert (step.what, step.owner, step.state, step.overdue) == (
        "Book a GP check",
        "A Okafor (Health visitor)",
        "Open",
        True,
    )
    assert [status.tool for status in evidence.tools] == [
        "chronology",
        "day_in_my_life",
        "checklist",
        "observation",
    ]
    assert evidence.tools[0].last_completed == date(2025, 4, 1)


def _queries(child):
    with CaptureQueriesContext(connection) as queries:
        audit_evidence.evidence_for(child, on=ON)
    return len(queries)


def test_the_pane_reads_a_fixed_number_of_queries_however_long_the_record(csc_social_worker):
    short, long = (ChildFactory(date_of_birth=date(2012, 1, 1)) for _ in range(2))
    cp_plan(short, date(2024, 1, 10))
    chronology_entry(short, csc_social_worker, date(2025, 1, 5))
    for n in range(5):
        start = date(2019 + n, 1, 10)
        plan = cp_plan(long, start, start + timedelta(days=300))
        CPReview.objects.create(plan=plan, review_date=start + timedelta(days=80))
        cin_plan(long, start + timedelta(days=310), start + timedelta(days=360))
        chronology_entry(long, csc_social_worker, start)
        analysis = NextStepsFactory(child=long, author=csc_social_worker, completed_on=start)
        NextStepFactory(analysis=analysis)
        NextStepFactory(analysis=analysis)
    assert _queries(long) == _queries(short)
    assert _queries(long) <= 12
