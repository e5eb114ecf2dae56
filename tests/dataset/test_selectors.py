"""The dataset's reads: one entry point for a quarter's figures, trends, and drill-down
limited to the children a viewer may see."""

from datetime import date

import pytest

from dataset import computation, indicators, results, selectors
from dataset.result_models import ResultMember
from neglect_portal.quarters import Quarter
from tests.dataset.builders import assessment, chronology_entry, cp_plan, referral, tool
from tests.factories import ChildFactory, InvolvementFactory, UserFactory
from toolkit.models import SDQ

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)


def test_figures_for_gives_every_single_figure_indicator_with_empty_snapshot_slots():
    figures = selectors.figures_for(Q1)
    assert list(figures) == [i.code for i in indicators.INDICATORS if i.code != "ACTIONS_BY_RAG"]
    assert all(f.published is None and f.restated is None for f in figures.values())
    assert figures["TRAINING_COVERAGE"].available is False
    assert figures["TRAINING_COVERAGE"].value is None


def test_figures_for_agrees_with_the_computation():
    child = ChildFactory()
    cp_plan(child, date(2024, 5, 1))
    computed = computation.compute(Q1)
    for code, shown in selectors.figures_for(Q1).items():
        if code in computed:
            figure = computed[code]
            assert (shown.numerator, shown.denominator, shown.value) == (
                figure.numerator,
                figure.denominator,
                figure.value,
            )


def test_a_trend_is_the_eight_quarters_ending_with_the_quarter_oldest_first():
    cp_plan(ChildFactory(), date(2023, 8, 1))
    series = selectors.trend("CP_NEGLECT_SHARE", Q1)
    assert [s.quarter.label for s in series] == [
        "2022-23 Q2",
        "2022-23 Q3",
        "2022-23 Q4",
        "2023-24 Q1",
        "2023-24 Q2",
        "2023-24 Q3",
        "2023-24 Q4",
        "2024-25 Q1",
    ]
    assert [s.denominator for s in series] == [0, 0, 0, 0, 1, 1, 1, 1]


def test_toolkit_records_in_a_drill_down_are_limited_to_children_the_viewer_sees(health):
    nurse = UserFactory(agency=health)
    known, unknown = ChildFactory(), ChildFactory()
    InvolvementFactory(child=known, agency=health, start_date=date(2024, 1, 1))
    for child in (known, unknown):
        tool(SDQ, child, nurse, date(2024, 5, 1), informant="parent")
        chronology_entry(child, nurse, date(2024, 5, 1))
    lead = UserFactory(agency=health, role="agency_lead")
    for code in ("SDQ_COMPLETED", "CHRONOLOGY_ENTRIES_WEEKLY"):
        records = selectors.drill_down(code, selectors.NUMERATOR, lead, results.shown_result(Q1))
        assert records.count() == 1, code
    assert selectors.visible_counts("SDQ_COMPLETED", lead, results.shown_result(Q1)) == (
        1,
        None,
    )
    assert list(
        selectors.drill_down(
            "TOOLKIT_CHILDREN", selectors.NUMERATOR, lead, results.shown_result(Q1)
        )
    ) == [known]
    assert (
        selectors.drill_down("SDQ_COMPLETED", selectors.DENOMINATOR, lead, results.shown_result(Q1))
        is None
    )


def test_records_reached_through_another_are_limited_by_their_child(health):
    known, unknown = ChildFactory(), ChildFactory()
    InvolvementFactory(child=known, agency=health, start_date=date(2024, 1, 1))
    made = {
        child: assessment(referral(child, date(2024, 4, 2)), date(2024, 5, 1), neglect=neglect)
        for child, neglect in ((known, True), (unknown, True))
    }
    assessment(referral(known, date(2024, 4, 9)), date(2024, 5, 2), neglect=False)
    lead = UserFactory(agency=health, role="agency_lead")
    result = results.shown_result(Q1)
    # Each assessment is stored with its child, reached through its referral.
    stored = ResultMember.objects.filter(result=result, code="ASSESSMENTS_NEGLECT")
    assert {(m.record_id, m.child_id) for m in stored.filter(which="numerator")} == {
        (record.pk, child.pk) for child, record in made.items()
    }
    assert selectors.visible_counts("ASSESSMENTS_NEGLECT", lead, result) == (1, 2)
    listed = selectors.drill_down("ASSESSMENTS_NEGLECT", selectors.NUMERATOR, lead, result)
    assert list(listed) == [made[known]]
