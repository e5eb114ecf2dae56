import json
from datetime import date

import pytest

from tests.factories import ChildFactory, UserFactory
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    SDQBandTable,
    band_tables,
)
from toolkit.sdq import score
from toolkit.status import State, latest_completions, state_on, tool_statuses

E = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("completed", "state"),
    [
        (None, State.NEVER),
        (date(2024, 12, 30), State.OVERDUE),  # exactly six months before E: no longer current
        (date(2024, 12, 31), State.DUE_SOON),  # current, but out of date within 30 days
        (date(2025, 1, 30), State.DUE_SOON),
        (date(2025, 1, 31), State.CURRENT),  # still current 30 days after E
        (E, State.CURRENT),
    ],
)
def test_tool_state_at_the_six_month_boundary(completed, state):
    assert state_on(completed, E) == state


def test_six_months_before_a_month_end_uses_the_shorter_month():
    # 31 August less six months is 28 February (2025 is not a leap year).
    assert state_on(date(2025, 2, 28), date(2025, 8, 31)) == State.OVERDUE
    assert state_on(date(2025, 3, 1), date(2025, 8, 31)) == State.DUE_SOON


@pytest.fixture
def author(db):
    return UserFactory()


def _tool(model, child, author, completed_on, status="completed", **extra):
    return model.objects.create(
        child=child,
        author=author,
        author_agency=author.agency,
        status=status,
        completed_on=completed_on,
        **extra,
    )


def test_latest_completions_ignore_drafts_and_later_completions(author):
    child = ChildFactory()
    _tool(DayInMyLife, child, author, date(2025, 3, 1), day_version="baby")
    _tool(DayInMyLife, child, author, date(2025, 5, 1), day_version="baby")
    _tool(DayInMyLife, child, author, date(2025, 7, 1), day_version="baby")  # after E
    _tool(AssessmentChecklist, child, author, None, status="draft")
    latest = latest_completions([child.pk], E)[child.pk]
    assert latest["day_in_my_life"] == date(2025, 5, 1)
    assert latest["checklist"] is None


def test_the_chronology_counts_as_completed_when_an_entry_is_recorded_or_it_is_reviewed(author):
    recorded, reviewed = ChildFactory(), ChildFactory()
    entry_chronology = Chronology.objects.create(child=recorded)
    ChronologyEntry.objects.create(
        chronology=entry_chronology,
        event_date=date(2025, 4, 1),
        recorded_on=date(2025, 4, 2),
        what_happened="Missed health visit",
        author=author,
        source_agency=author.agency,
        impact="negative",
        impact_description="Weight not checked",
    )
    Chronology.objects.create(child=reviewed, reviewed_on=date(2025, 5, 5), reviewed_by=author)
    latest = latest_completions([recorded.pk, reviewed.pk], E)
    assert latest[recorded.pk]["chronology"] == date(2025, 4, 2)
    assert latest[reviewed.pk]["chronology"] == date(2025, 5, 5)


@pytest.mark.parametrize("children", [3, 30])
def test_statuses_take_one_query_however_many_children(author, children, django_assert_num_queries):
    ids = [ChildFactory().pk for _ in range(children)]
    for pk in ids:
        _tool(DayInMyLife, ChildFactory.build(pk=pk), author, date(2025, 6, 1), day_version="baby")
    with django_assert_num_queries(1):
        statuses = tool_statuses(ids, E)
    assert {s.tool: s.state for s in statuses[ids[0]]}["day_in_my_life"] == State.CURRENT
    assert {s.tool: s.state for s in statuses[ids[0]]}["checklist"] == State.NEVER


def test_band_tables_are_seeded_and_an_administrators_correction_is_used(db):
    assert SDQBandTable.objects.count() == 5
    table = SDQBandTable.objects.get(informant="parent", form_version="4-17")
    assert table.provisional is False
    assert SDQBandTable.objects.get(informant="self", form_version="11-17").provisional
    all_ones = {item: 1 for item in range(1, 26)}  # total difficulties 20
    assert score(all_ones, informant="parent", age=9, bands=band_tables()).total_band == "Very high"
    table.scales["total"] = [
        [0, 20, "Close to average"],
        [21, 22, "Slightly raised"],
        [23, 25, "High"],
        [26, 40, "Very high"],
    ]
    table.save()
    assert (
        score(all_ones, informant="parent", age=9, bands=band_tables()).total_band
        == "Close to average"
    )


def test_a_completed_tool_needs_a_completion_date(author):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        _tool(SDQ, ChildFactory(), author, None, informant="parent")


def test_an_administrator_cannot_save_a_band_table_with_a_gap(client, administrator):
    table = SDQBandTable.objects.get(informant="teacher", form_version="4-17")
    scales = {
        **table.scales,
        "total": [
            [0, 11, "Close to average"],
            [13, 15, "Slightly raised"],
            [16, 18, "High"],
            [19, 40, "Very high"],
        ],
    }
    client.force_login(administrator)
    response = client.post(
        f"/admin/toolkit/sdqbandtable/{table.pk}/change/",
        {"informant": "teacher", "form_version": "4-17", "scales": json.dumps(scales)},
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    table.refresh_from_db()
    assert table.scales["total"][1][0] == 12
