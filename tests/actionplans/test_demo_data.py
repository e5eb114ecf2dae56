from datetime import date

import pytest
from django.core.management import call_command

from actionplans.models import Action, ActionPlan, ActionUpdate, Objective, QuarterlyReport
from actionplans.selectors import overdue_actions, overview
from neglect_portal.demo import AGENCIES
from neglect_portal.quarters import Quarter

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    import actionplans.demo_data as demo_data

    real = demo_data.load_action_plan_demo
    monkeypatch.setattr(demo_data, "load_action_plan_demo", lambda: real(TODAY))
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
        assert ActionUpdate.objects.filter(quarter=quarter).count() == Action.objects.count()
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
