from datetime import date
from decimal import Decimal

import pytest

from dataset.breakdown import BY_AGENCY, by_agency
from dataset.computation import compute
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from tests.dataset.builders import chronology_entry, tool
from tests.factories import AgencyFactory, ChildFactory
from toolkit.models import SDQ, AssessmentChecklist, DayInMyLife

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)
S, E = Q1.start, Q1.end


@pytest.fixture
def health_visitor():
    return User.objects.create(username="hv", agency=AgencyFactory(name="Health"))


@pytest.fixture
def teacher():
    return User.objects.create(username="teacher", agency=AgencyFactory(name="Education"))


def test_toolkit_children_count_once_per_agency_that_completed_a_form(health_visitor, teacher):
    shared, health_only = ChildFactory(), ChildFactory()
    tool(DayInMyLife, shared, health_visitor, S)
    tool(AssessmentChecklist, shared, health_visitor, E)
    tool(AssessmentChecklist, shared, teacher, E)
    tool(DayInMyLife, health_only, health_visitor, date(2024, 5, 5))
    tool(DayInMyLife, ChildFactory(), teacher, date(2024, 7, 1))  # after E
    figures = by_agency("TOOLKIT_CHILDREN", Q1)
    assert {agency: f.value for agency, f in figures.items()} == {
        health_visitor.agency_id: 2,
        teacher.agency_id: 1,
    }
    # The partnership figure counts each child once: agencies need not add up to it.
    assert compute(Q1, ["TOOLKIT_CHILDREN"])["TOOLKIT_CHILDREN"].value == 2


def test_chronology_entries_are_by_the_recording_agency(health_visitor, teacher):
    child = ChildFactory()
    for _ in range(13):
        chronology_entry(child, health_visitor, S)
    chronology_entry(child, teacher, E)
    figures = by_agency("CHRONOLOGY_ENTRIES_WEEKLY", Q1)
    assert figures[health_visitor.agency_id].value == Decimal("1.0")  # 13 over 13 weeks
    assert figures[teacher.agency_id].numerator == 1


def test_sdqs_by_agency_with_their_own_denominators(health_visitor, teacher):
    for user, band in (
        (health_visitor, "High"),
        (health_visitor, "Close to average"),
        (teacher, "Very high"),
    ):
        tool(
            SDQ, ChildFactory(), user, S, informant="parent", total_difficulties=20, total_band=band
        )
    raised = by_agency("SDQ_RAISED", Q1)
    assert raised[health_visitor.agency_id].value == Decimal("50.0")
    assert raised[teacher.agency_id].value == Decimal("100.0")
    assert by_agency("SDQ_COMPLETED", Q1)[health_visitor.agency_id].value == 2


def test_case_record_indicators_are_not_broken_down_by_agency():
    assert "CP_NEGLECT_SHARE" not in BY_AGENCY
    with pytest.raises(KeyError, match="CP_NEGLECT_SHARE"):
        by_agency("CP_NEGLECT_SHARE", Q1)


def test_a_breakdown_is_one_query_per_model_counted(health_visitor, django_assert_num_queries):
    tool(DayInMyLife, ChildFactory(), health_visitor, S)
    for code in BY_AGENCY:
        # MANAGER_OVERSIGHT counts three kinds of tool, each its own table.
        with django_assert_num_queries(3 if code == "MANAGER_OVERSIGHT" else 1):
            by_agency(code, Q1)
