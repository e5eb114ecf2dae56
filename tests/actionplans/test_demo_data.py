from datetime import date

import pytest
from django.core.management import call_command

from actionplans.demo_data import PLANS, load_action_plan_demo
from actionplans.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Challenge,
    Decision,
    Meeting,
    Objective,
    QuarterlyReport,
    Rag,
)
from actionplans.selectors import (
    challenge_due_default,
    challenges_for_quarter,
    decisions_due,
    overdue_actions,
    overview,
)
from neglect_portal.demo import AGENCIES, COMMUNITY_HEALTH, VOLUNTARY, load_demo_people
from neglect_portal.models import User
from neglect_portal.quarters import Quarter

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # in 2026-27 Q3: the demo rates Q1 and Q2
OLDER, LATEST = Quarter(2026, 1), Quarter(2026, 2)


def planned(actions):
    """The actions of the plans as written, not the one a demo challenge added later."""
    return actions.filter(challenges__isnull=True)


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


def test_every_demo_agency_has_its_own_plan_title_and_sign_off(demo):
    plans = ActionPlan.objects.filter(status="active")
    assert sorted(plans.values_list("agency__name", flat=True)) == sorted(
        name for name, _ in AGENCIES
    )
    assert len(set(plans.values_list("title", flat=True))) == len(AGENCIES)
    assert len(set(plans.values_list("signed_off_by", "signed_off_role"))) == len(AGENCIES)
    assert all(plan.signed_off_by and plan.signed_off_role for plan in plans)


def test_every_agency_has_six_to_nine_actions_with_at_least_one_under_each_objective(demo):
    for plan in ActionPlan.objects.all():
        objectives = list(planned(plan.actions).values_list("objective", flat=True))
        assert set(objectives) == set(Objective.values), plan.agency.name
        assert 6 <= len(objectives) <= 9, plan.agency.name


def test_agencies_have_different_actions_each_with_a_baseline_target_and_due_date(demo):
    descriptions = list(planned(Action.objects).values_list("description", flat=True))
    assert len(set(descriptions)) == len(descriptions), "no two agencies share an action"
    for action in planned(Action.objects).select_related("plan"):
        assert action.baseline and action.target and action.baseline != action.target
        assert action.plan.period_start <= action.due_date <= action.plan.period_end


def test_each_rating_has_its_own_progress_note_and_every_change_is_explained(demo):
    updates = ActionUpdate.objects.select_related("action")
    narratives = [update.narrative for update in updates]
    assert all(narratives)
    assert len(set(narratives)) == len(narratives), "notes are about their own action"
    reports = QuarterlyReport.objects.filter(status="submitted")
    assert len(set(reports.values_list("what_we_did", flat=True))) == reports.count()


def test_the_voluntary_sector_has_not_submitted_the_latest_quarter_so_the_overview_shows_a_gap(
    demo,
):
    latest = overview(LATEST)
    assert [agency.name for agency in latest["not_submitted"]] == [VOLUNTARY]
    voluntary = next(row for row in latest["rows"] if row.agency.name == VOLUNTARY)
    assert not voluntary.submitted
    rated = [c.n for cell in voluntary.cells for c in cell.counts if c.rag != "not_rated"]
    assert sum(rated) == 0, "the draft's ratings are not published"
    assert sum(cell.total for cell in voluntary.cells) == len(PLANS[VOLUNTARY].actions)
    assert all(row.submitted and row.comparable for row in latest["rows"] if row != voluntary)
    draft = QuarterlyReport.objects.get(plan__agency__name=VOLUNTARY, quarter=LATEST.slug)
    assert draft.status == "draft" and draft.submitted_at is None
    assert overview(OLDER)["not_submitted"] == []


def test_only_the_two_quarters_before_the_current_one_are_rated(demo):
    assert QuarterlyReport.objects.filter(quarter=OLDER.slug, status="submitted").count() == 7
    assert QuarterlyReport.objects.filter(quarter=LATEST.slug, status="submitted").count() == 6
    assert (
        ActionUpdate.objects.filter(quarter=OLDER.slug).count() == planned(Action.objects).count()
    )
    assert not QuarterlyReport.objects.filter(quarter=LATEST.next().slug).exists()
    assert not ActionUpdate.objects.filter(quarter=LATEST.next().slug).exists()


def test_the_overview_shows_every_rating_and_changes_since_the_quarter_before(demo):
    result = overview(LATEST)
    assert all(count.n > 0 for count in result["partnership"]), [
        (c.rag, c.n) for c in result["partnership"]
    ]
    changes = [
        count.change
        for row in result["rows"]
        for cell in row.cells
        for count in cell.counts
        if count.change
    ]
    assert any(change > 0 for change in changes) and any(change < 0 for change in changes)
    reds = {
        row.agency.name
        for row in result["rows"]
        for cell in row.cells
        for count in cell.counts
        if count.rag == Rag.RED and count.n
    }
    assert 1 < len(reds) < len(AGENCIES), "some agencies have red actions, not all"


def test_each_agency_has_an_overdue_action_and_none_is_complete(demo):
    overdue = list(overdue_actions(LATEST, today=TODAY))
    assert sorted(action.plan.agency.name for action in overdue) == sorted(
        name for name, _ in AGENCIES
    )
    assert all(action.latest_submitted_rag != Rag.COMPLETE for action in overdue)
    assert all(action.due_date < LATEST.end for action in overdue)


def test_loading_the_demo_twice_changes_nothing(demo):
    def counts():
        return (
            ActionPlan.objects.count(),
            Action.objects.count(),
            ActionUpdate.objects.count(),
            QuarterlyReport.objects.count(),
            ActionPlan.history.count(),
            Action.history.count(),
            ActionUpdate.history.count(),
            QuarterlyReport.history.count(),
        )

    before = counts()
    call_command("load_demo_data")
    assert counts() == before


def test_loaded_early_in_a_quarter_nothing_is_dated_after_the_day_it_was_loaded(settings):
    settings.DEBUG = True
    load_demo_people()
    loaded = date(2026, 10, 2)  # the second day of 2026-27 Q3
    assert load_action_plan_demo(loaded) == len(AGENCIES)
    latest = QuarterlyReport.objects.filter(quarter=LATEST.slug, status="submitted")
    assert {report.submitted_at.date() for report in latest} == {loaded}
    for model in (ActionPlan, Action, ActionUpdate, QuarterlyReport):
        assert max(row.history_date.date() for row in model.history.all()) <= loaded


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
