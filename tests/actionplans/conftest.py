import pytest

from neglect_portal.models import User
from tests.actionplans.factories import (
    ActionFactory,
    ActionPlanFactory,
    ActionUpdateFactory,
    QuarterlyReportFactory,
)
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def plan(health):
    """Community Health Trust's active plan: one action per objective; 2026-27 Q1 submitted
    with every action green."""
    plan = ActionPlanFactory(agency=health)
    for objective in ("recognise", "respond", "quantify", "evaluate"):
        action = ActionFactory(
            plan=plan, objective=objective, description=f"Do the {objective} work"
        )
        ActionUpdateFactory(action=action, quarter="2026-27-Q1", rag="green")
    QuarterlyReportFactory(plan=plan, quarter="2026-27-Q1")
    return plan


@pytest.fixture
def other_lead(db):
    police = AgencyFactory(name="Police")
    return UserFactory(username="police-lead", agency=police, role=User.Role.AGENCY_LEAD)


@pytest.fixture
def owner(health):
    return UserFactory(username="action-owner", agency=health, role=User.Role.PRACTITIONER)
