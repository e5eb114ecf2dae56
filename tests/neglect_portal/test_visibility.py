from datetime import timedelta

import pytest

from neglect_portal import dates
from neglect_portal.access import children_visible_to, sees_any_child
from tests.factories import ChildFactory, InvolvementFactory

pytestmark = pytest.mark.django_db
TODAY = dates.today()


def test_childrens_social_care_sees_every_child(csc_social_worker):
    children = ChildFactory.create_batch(3)
    assert set(children_visible_to(csc_social_worker)) == set(children)


def test_other_agencies_see_only_children_they_are_involved_with(health_visitor, health):
    ours = InvolvementFactory(agency=health).child
    ended = InvolvementFactory(
        agency=health, start_date=TODAY - timedelta(days=90), end_date=TODAY - timedelta(days=1)
    ).child
    InvolvementFactory()  # another agency's child
    assert list(children_visible_to(health_visitor)) == [ours]
    assert ended not in children_visible_to(health_visitor)


def test_an_involvement_ending_today_still_counts(health_visitor, health):
    child = InvolvementFactory(
        agency=health, start_date=TODAY - timedelta(days=9), end_date=TODAY
    ).child
    assert child in children_visible_to(health_visitor)


def test_an_involvement_starting_in_the_future_does_not_count_yet(health_visitor, health):
    InvolvementFactory(agency=health, start_date=TODAY + timedelta(days=1))
    assert not children_visible_to(health_visitor).exists()


def test_the_allocated_worker_sees_their_child(health_visitor):
    child = ChildFactory(allocated_worker=health_visitor)
    assert list(children_visible_to(health_visitor)) == [child]


def test_a_child_with_two_involvements_is_listed_once(health_visitor, health):
    child = InvolvementFactory(agency=health).child
    InvolvementFactory(agency=health, child=child)
    assert list(children_visible_to(health_visitor)) == [child]


def test_agency_leads_and_working_group_see_children_by_the_same_rule(
    health_lead, working_group_member, health
):
    child = InvolvementFactory(agency=health).child
    assert list(children_visible_to(health_lead)) == [child]
    assert not children_visible_to(working_group_member).exists()


def test_inactive_users_see_nobody(csc_social_worker):
    ChildFactory()
    csc_social_worker.is_active = False
    assert not children_visible_to(csc_social_worker).exists()


def test_on_a_neglect_plan_means_an_open_neglect_cp_plan_or_neglect_cin_plan(csc_social_worker):
    from cases.models import Child
    from cases.selectors import on_neglect_plan
    from tests.factories import AssessmentFactory, CINPlanFactory, CPPlanFactory

    cp_neglect = CPPlanFactory(latest_category="NEG").referral.child
    CPPlanFactory(initial_category="NEG", latest_category="PHY")  # category moved on
    CPPlanFactory(end_date=TODAY - timedelta(days=1))  # ended yesterday
    cin_neglect = CINPlanFactory(referral=AssessmentFactory(factors=["16A"]).referral)
    CINPlanFactory(referral=AssessmentFactory(factors=["3B"]).referral)  # not neglect
    assert set(Child.objects.filter(on_neglect_plan(TODAY))) == {
        cp_neglect,
        cin_neglect.referral.child,
    }


def test_a_plan_ending_today_is_not_open_today():
    from cases.models import Child
    from cases.selectors import on_neglect_plan
    from tests.factories import CPPlanFactory

    CPPlanFactory(start_date=TODAY - timedelta(days=30), end_date=TODAY)
    assert not Child.objects.filter(on_neglect_plan(TODAY)).exists()
    assert Child.objects.filter(on_neglect_plan(TODAY - timedelta(days=1))).exists()


def test_only_those_who_may_see_no_child_get_counts_only(
    health_lead, working_group_member, administrator, health
):
    assert sees_any_child(administrator)  # children's social care, by rule
    assert not sees_any_child(health_lead)
    InvolvementFactory(agency=health)
    assert sees_any_child(health_lead)
    assert not sees_any_child(working_group_member)


def test_a_child_allocated_to_them_or_an_involvement_open_today_is_what_counts(
    health_visitor, health, django_assert_num_queries
):
    from datetime import timedelta

    InvolvementFactory(
        agency=health, start_date=TODAY - timedelta(days=90), end_date=TODAY - timedelta(days=1)
    )
    with django_assert_num_queries(1):
        assert not sees_any_child(health_visitor)  # the involvement has ended
    ChildFactory(allocated_worker=health_visitor)
    assert sees_any_child(health_visitor)


def test_the_filter_for_stored_ids_keeps_exactly_what_the_visibility_rule_does(
    csc_social_worker, health_visitor, health, outsider
):
    from datetime import timedelta

    from cases.models import Child, ChildProtectionPlan
    from neglect_portal.access import ids_visible_to, records_visible_to
    from tests.dataset.builders import cp_plan

    involved, allocated, ended, unknown = ChildFactory.create_batch(4)
    InvolvementFactory(child=involved, agency=health, start_date=TODAY - timedelta(days=9))
    InvolvementFactory(
        child=ended,
        agency=health,
        start_date=TODAY - timedelta(days=90),
        end_date=TODAY - timedelta(days=1),
    )
    allocated.allocated_worker = outsider
    allocated.save()
    for child in (involved, allocated, ended, unknown):
        cp_plan(child, TODAY - timedelta(days=30))

    for user in (csc_social_worker, health_visitor, outsider):
        for model in (Child, ChildProtectionPlan):
            # The ids are the records' own here ("pk"); stored ones are in `record_id`.
            kept = set(model.objects.filter(ids_visible_to(user, model, "pk")))
            assert kept == set(records_visible_to(user, model)), (user, model)
    assert set(Child.objects.filter(ids_visible_to(health_visitor, Child, "pk"))) == {involved}
    assert set(Child.objects.filter(ids_visible_to(outsider, Child, "pk"))) == {allocated}
