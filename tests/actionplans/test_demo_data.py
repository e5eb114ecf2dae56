from datetime import date

import pytest
from django.core.management import call_command

from actionplans.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Challenge,
    Decision,
    Meeting,
    Objective,
    QuarterlyReport,
)
from actionplans.selectors import (
    challenge_due_default,
    challenges_for_quarter,
    decisions_due,
    overdue_actions,
    overview,
)
from neglect_portal.demo import AGENCIES, COMMUNITY_HEALTH
from neglect_portal.models import User
from neglect_portal.quarters import Quarter

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    import actionplans.demo_challenges as demo_challenges
    import actionplans.demo_data as demo_data

    real = demo_data.load_action_plan_demo
    monkeypatch.setattr(demo_data, "load_action_plan_demo", lambda: real(TODAY))
    round_ = demo_challenges.load_challenge_round
    monkeypatch.setattr(demo_challenges, "load_challenge_round", lambda today: round_(TODAY))
    call_command("load_demo_data")


def test_every_demo_agency_has_an_active_plan_under_all_four_objectives(demo):
    plans = ActionPlan.objects.filter(status="active")
    assert sorted(plans.values_list("agency__name", flat=True)) == sorted(
        name for name, _ in AGENCIES
    )
    for plan in plans:
        assert set(plan.actions.values_list("objective", flat=True)) == set(Objective.values)


def test_the_two_quarters_before_the_current_one_are_submitted_by_every_agency(demo):
    for quarter in ("2026-27-Q1", "2026-27-Q2"):
        assert QuarterlyReport.objects.filter(quarter=quarter, status="submitted").count() == len(
            AGENCIES
        )
        # Every action but the one a challenge added after both quarters were submitted.
        rated = Action.objects.filter(challenges__isnull=True)
        assert ActionUpdate.objects.filter(quarter=quarter).count() == rated.count()
    assert not QuarterlyReport.objects.filter(quarter="2026-27-Q3").exists()


def test_the_overview_shows_rag_changes_and_overdue_actions(demo):
    result = overview(Quarter(2026, 2))
    assert result["not_submitted"] == []
    changes = [
        count.change
        for row in result["rows"]
        for cell in row.cells
        for count in cell.counts
        if count.change
    ]
    assert changes, "some ratings moved between the two quarters"
    overdue = overdue_actions(Quarter(2026, 2), today=TODAY)
    assert overdue.count() == 2 * len(AGENCIES)


def test_loading_the_demo_twice_adds_no_second_plan(demo):
    counts = (
        ActionPlan.objects.count(),
        Action.objects.count(),
        ActionUpdate.objects.count(),
        ActionPlan.history.count(),
    )
    call_command("load_demo_data")
    assert (
        ActionPlan.objects.count(),
        Action.objects.count(),
        ActionUpdate.objects.count(),
        ActionPlan.history.count(),
    ) == counts


def test_the_demo_has_an_independent_chair_in_the_working_group(demo):
    chair = User.objects.get(username="chair")
    assert chair.is_chair and chair.role == User.Role.WORKING_GROUP
    chair.full_clean()  # a chair who is a Working Group member is valid


def test_the_demo_round_challenges_the_latest_complete_quarter_on_each_kind_of_subject(demo):
    latest = Quarter(2026, 2)
    round_ = challenges_for_quarter(latest)
    by_subject = {c.subject: c for c in round_.raised}
    assert set(by_subject) == set(Challenge.Subject.values)
    indicator = by_subject["indicator"]
    assert indicator.agency.name == COMMUNITY_HEALTH
    assert (indicator.status, indicator.outcome) == ("closed", "needs_action")
    assert indicator.action.plan.agency.name == COMMUNITY_HEALTH
    assert indicator.action.plan.status == "active"
    assert indicator.answered_by.is_agency_lead and indicator.closed_by.is_chair
    assert (by_subject["report"].status, by_subject["report"].outcome) == ("closed", "answered")
    assert by_subject["plan"].status == by_subject["theme"].status == "open"
    # Open on the plan until the next meeting, which is already in the diary.
    assert by_subject["plan"].due_date == challenge_due_default(TODAY).day
    assert {c.pk for c in round_.open} == {by_subject["plan"].pk, by_subject["theme"].pk}
    assert {c.pk for c in round_.answered} == {indicator.pk, by_subject["report"].pk}


def test_the_demo_meetings_carry_open_decisions_forward(demo):
    assert set(Meeting.objects.values_list("quarter", flat=True)) == {
        "2026-27-Q1",
        "2026-27-Q2",
        "2026-27-Q3",
    }
    due = decisions_due(Quarter(2026, 2))
    carried = [d for d in due if d.carried_forward]
    assert [d.kind for d in carried] == ["ipag"]  # only the open one of the earlier meeting
    assert {d.kind for d in due if not d.carried_forward} == {"decision", "ipag"}
    earlier = Decision.objects.filter(quarter="2026-27-Q1")
    assert set(earlier.values_list("status", flat=True)) == {"open", "done", "dropped"}
    assert earlier.get(status="dropped").reason


def test_loading_the_demo_twice_adds_no_second_round(demo):
    counts = (Challenge.objects.count(), Decision.objects.count(), Meeting.objects.count())
    actions = Action.objects.count()
    call_command("load_demo_data")
    assert (
        (
            Challenge.objects.count(),
            Decision.objects.count(),
            Meeting.objects.count(),
        )
        == counts
        == (4, 5, 3)
    )
    assert Action.objects.count() == actions
