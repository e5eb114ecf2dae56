from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Child, ChildProtectionPlan
from neglect_portal import dates
from tests.factories import (
    AssessmentFactory,
    ChildFactory,
    CPPlanFactory,
    InvolvementFactory,
    ReferralFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dates.today()


def _violates_constraint(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_la_child_id_is_unique_in_the_database():
    ChildFactory(la_child_id="DfEX0000001")
    _violates_constraint(lambda: ChildFactory.create(la_child_id="DfEX0000001"))


def test_a_plan_cannot_end_before_it_starts_in_the_database():
    referral = ReferralFactory(referral_date=date(2024, 1, 10))
    _violates_constraint(
        lambda: CPPlanFactory(
            referral=referral, start_date=date(2024, 2, 1), end_date=date(2024, 1, 31)
        )
    )


def test_a_plan_may_end_on_the_day_it_starts():
    plan = CPPlanFactory(start_date=date(2024, 2, 1), end_date=date(2024, 2, 1))
    assert plan.pk


def test_an_episode_cannot_close_before_its_referral_in_the_database():
    _violates_constraint(
        lambda: ReferralFactory(referral_date=date(2024, 3, 1), closure_date=date(2024, 2, 28))
    )


def test_a_child_needs_a_birth_or_expected_birth_date_in_the_database():
    _violates_constraint(lambda: ChildFactory(date_of_birth=None, expected_date_of_birth=None))


def test_dates_in_the_future_are_refused_except_expected_birth():
    child = ChildFactory.build(
        date_of_birth=None, expected_date_of_birth=TODAY + timedelta(days=60)
    )
    child.full_clean()
    child.date_of_birth = TODAY + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert error.value.message_dict["date_of_birth"] == [
        "Date of birth must be today or in the past"
    ]


def test_codes_must_come_from_the_census_lists():
    referral = ReferralFactory.build(
        child=ChildFactory(), primary_need="N11", presenting_factors=["neglect", "made-up"]
    )
    with pytest.raises(ValidationError) as error:
        referral.full_clean()
    assert "primary_need" in error.value.message_dict
    assert "made-up" in error.value.message_dict["presenting_factors"][0]


def test_a_childs_cp_plans_may_not_overlap():
    first = CPPlanFactory(start_date=date(2024, 1, 10), end_date=date(2024, 6, 30))
    child = first.referral.child
    later = ReferralFactory(child=child, referral_date=date(2024, 6, 1))
    overlapping = ChildProtectionPlan(
        referral=later, start_date=date(2024, 6, 29), initial_category="NEG", latest_category="NEG"
    )
    with pytest.raises(ValidationError, match="already has a child protection plan"):
        overlapping.full_clean()
    overlapping.start_date = date(2024, 6, 30)  # the day the first plan ended
    overlapping.full_clean()


def test_another_childs_plans_do_not_count_as_overlapping():
    CPPlanFactory(start_date=date(2024, 1, 10))
    other = CPPlanFactory.build(
        referral=ReferralFactory(referral_date=date(2024, 1, 10)), start_date=date(2024, 1, 10)
    )
    other.full_clean()


def test_neglect_flags_follow_the_codes():
    referral = ReferralFactory(presenting_factors=["domestic_abuse"])
    assert referral.neglect_presenting is False
    referral.presenting_factors = ["neglect"]
    referral.save()
    assert referral.neglect_presenting is True
    assessment = AssessmentFactory(factors=["3B", "16A"])
    assert assessment.neglect_identified is True


def test_plan_open_at_a_day_excludes_a_plan_ending_that_day():
    plan = CPPlanFactory.build(start_date=date(2024, 4, 1), end_date=date(2024, 6, 30))
    assert plan.is_open_on(date(2024, 6, 29))
    assert not plan.is_open_on(date(2024, 6, 30))


def test_age_counts_whole_years_including_29_february():
    child = Child(date_of_birth=date(2016, 2, 29))
    assert child.age_on(date(2025, 2, 28)) == 8
    assert child.age_on(date(2025, 3, 1)) == 9


def test_every_case_record_keeps_history_with_the_acting_user(client, csc_social_worker):
    involvement = InvolvementFactory()
    assert involvement.history.count() == 1
    assert involvement.child.history.count() == 1
