"""Reopened tools (who, when, why, and the earlier completion that tool status keeps counting)
and the history pages of tools and chronology entries."""

from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.urls import reverse

from dataset.computation import members
from neglect_portal import dates
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed
from tests.factories import ChildFactory, CPPlanFactory, InvolvementFactory, UserFactory
from toolkit.content import CHECKLIST_DOMAINS
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    ParentChildObservation,
    Tool,
)
from toolkit.services import chronology_entry_add, tool_complete, tool_reopen, tool_start
from toolkit.status import State, counted_completion_within, tool_statuses

pytestmark = pytest.mark.django_db
TODAY = dates.today()
E = date(2025, 6, 30)


@pytest.fixture
def health_manager(health):
    return UserFactory(
        role=User.Role.TEAM_MANAGER, agency=health, first_name="Tess", last_name="Manager"
    )


@pytest.fixture
def child(health):
    child = CPPlanFactory(
        referral__child__given_name="Rhea",
        referral__child__family_name="Trail",
        latest_category="NEG",
        referral__child__date_of_birth=TODAY - timedelta(days=9 * 365),
    ).referral.child
    InvolvementFactory(child=child, agency=health)
    return child


def _rate(checklist, concern="some_concern"):
    checklist.ratings = {
        key: {"concern": concern, "evidence": f"Seen at home ({key})"} for key in CHECKLIST_DOMAINS
    }
    checklist.overall_judgement = "Needs are not consistently met"
    return checklist


def completed_checklist(child, author, on):
    checklist = _rate(tool_start(AssessmentChecklist, child=child, author=author))
    checklist.save()
    return tool_complete(checklist, user=author, expected_version=1, on=on)


# Reopening -----------------------------------------------------------------------------------


def test_reopening_records_who_when_why_and_the_earlier_completion(
    child, health_visitor, health_manager
):
    checklist = completed_checklist(child, health_visitor, date(2025, 3, 1))
    tool_reopen(
        checklist,
        user=health_manager,
        reason="Evidence recorded against the wrong domain",
        expected_version=checklist.version,
        on=date(2025, 4, 2),
    )
    checklist.refresh_from_db()
    assert checklist.is_reopened and not checklist.is_completed
    assert (checklist.reopened_by, checklist.reopened_on) == (health_manager, date(2025, 4, 2))
    assert checklist.previous_completed_on == date(2025, 3, 1)
    assert checklist.reopen_reason == "Evidence recorded against the wrong domain"


def test_completing_again_ends_the_reopening_but_keeps_the_earlier_date(
    child, health_visitor, health_manager
):
    checklist = completed_checklist(child, health_visitor, date(2025, 3, 1))
    tool_reopen(checklist, user=health_manager, reason="Wrong domain", expected_version=2)
    tool_complete(checklist, user=health_visitor, expected_version=3, on=date(2025, 5, 1))
    checklist.refresh_from_db()
    assert checklist.is_completed and not checklist.is_reopened
    assert (checklist.reopened_by, checklist.reopened_on, checklist.reopen_reason) == (
        None,
        None,
        "",
    )
    assert checklist.completed_on == date(2025, 5, 1)
    assert checklist.previous_completed_on == date(2025, 3, 1)
    reasons = list(checklist.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == ["Completed again", "Reopened: Wrong domain"]


# Tool status counts a reopened tool as it was ------------------------------------------------


def _reopened(model, child, author, earlier, reopened_on=None, **fields):
    return model.objects.create(
        child=child,
        author=author,
        author_agency=author.agency,
        status="draft",
        previous_completed_on=earlier,
        reopened_on=reopened_on or earlier + timedelta(days=1),
        reopened_by=author,
        reopen_reason="To correct the evidence",
        **fields,
    )


@pytest.mark.parametrize(
    ("earlier", "state"),
    [
        (date(2024, 12, 30), State.OVERDUE),  # exactly six months before E: no longer current
        (date(2024, 12, 31), State.DUE_SOON),
        (date(2025, 1, 31), State.CURRENT),
        (E, State.CURRENT),
    ],
)
def test_a_reopened_tool_counts_by_its_earlier_completion_at_the_boundary(
    child, health_visitor, earlier, state
):
    _reopened(DayInMyLife, child, health_visitor, earlier, reopened_on=E, day_version="baby")
    status = {s.tool: s for s in tool_statuses([child.pk], E)[child.pk]}["day_in_my_life"]
    assert (status.last_completed, status.state) == (earlier, state)
    assert status.reopened.earlier_completed_on == earlier
    assert status.state != State.NEVER


def test_an_earlier_completion_after_the_day_asked_about_does_not_count(child, health_visitor):
    _reopened(AssessmentChecklist, child, health_visitor, E + timedelta(days=1))
    status = {s.tool: s for s in tool_statuses([child.pk], E)[child.pk]}["checklist"]
    assert (status.last_completed, status.state, status.reopened) == (None, State.NEVER, None)


def test_once_completed_again_the_new_date_counts_and_before_it_the_earlier_one(
    child, health_visitor, health_manager
):
    checklist = completed_checklist(child, health_visitor, date(2025, 1, 10))
    tool_reopen(checklist, user=health_manager, reason="Wrong domain", expected_version=2)
    tool_complete(checklist, user=health_visitor, expected_version=3, on=date(2025, 6, 1))

    def checklist_status(on):
        return {s.tool: s for s in tool_statuses([child.pk], on)[child.pk]}["checklist"]

    assert checklist_status(date(2025, 5, 31)).last_completed == date(2025, 1, 10)
    assert checklist_status(date(2025, 6, 1)).last_completed == date(2025, 6, 1)
    assert checklist_status(date(2025, 6, 1)).reopened is None


def test_a_reopening_is_not_shown_when_a_later_tool_was_completed_since(child, health_visitor):
    _reopened(AssessmentChecklist, child, health_visitor, date(2025, 2, 1))
    completed_checklist(child, health_visitor, date(2025, 5, 1))
    status = {s.tool: s for s in tool_statuses([child.pk], E)[child.pk]}["checklist"]
    assert (status.last_completed, status.reopened) == (date(2025, 5, 1), None)


def test_the_mandatory_complete_indicator_counts_a_reopened_tool_as_the_status_does(
    health_visitor,
):
    quarter = Quarter.parse("2024-25-Q4")  # ends 31 March 2025
    day = quarter.end
    children = []
    for earlier in (day - timedelta(days=10), date(2024, 9, 30), None):
        child = CPPlanFactory(latest_category="NEG", start_date=date(2024, 1, 1)).referral.child
        children.append(child)
        chronology = Chronology.objects.create(child=child, reviewed_on=day)
        assert chronology
        for model, extra in (
            (DayInMyLife, {"day_version": "baby"}),
            (ParentChildObservation, {}),
        ):
            model.objects.create(
                child=child,
                author=health_visitor,
                author_agency=health_visitor.agency,
                status="completed",
                completed_on=day - timedelta(days=5),
                **extra,
            )
        if earlier:
            _reopened(AssessmentChecklist, child, health_visitor, earlier)
    statuses = tool_statuses([c.pk for c in children], day)
    expected = {
        pk for pk, tools in statuses.items() if all(s.state != State.OVERDUE for s in tools)
    } - {pk for pk, tools in statuses.items() if any(s.state == State.NEVER for s in tools)}
    numerator, _ = members("TOOLKIT_MANDATORY_COMPLETE", quarter)
    assert set(numerator.values_list("pk", flat=True)) == expected == {children[0].pk}


def test_counted_completion_within_is_a_filter_on_each_tool(child, health_visitor):
    reopened = _reopened(AssessmentChecklist, child, health_visitor, date(2025, 3, 1))
    window = counted_completion_within(date(2025, 2, 28), date(2025, 3, 1))
    assert list(AssessmentChecklist.objects.filter(window)) == [reopened]
    assert not AssessmentChecklist.objects.filter(window & Q(pk=0)).exists()


# The pages say so ------------------------------------------------------------------------------


@pytest.fixture
def reopened_checklist(child, health, health_visitor, health_manager):
    child.allocated_worker = health_visitor
    child.save()
    checklist = completed_checklist(child, health_visitor, TODAY - timedelta(days=20))
    return tool_reopen(
        checklist,
        user=health_manager,
        reason="Evidence recorded against the wrong domain",
        expected_version=2,
    )


def _reopened_words(checklist):
    return (
        f"Reopened by Tess Manager on {dates.long_date(TODAY)}: "
        "Evidence recorded against the wrong domain"
    )


def test_the_tool_page_says_who_reopened_it_when_why_and_the_earlier_completion(
    client, reopened_checklist, health_visitor
):
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:tool", args=["checklist", reopened_checklist.pk]))
    html = html.content.decode()
    assert _reopened_words(reopened_checklist) in html
    earlier = dates.long_date(TODAY - timedelta(days=20))
    assert f"It was completed on {earlier}" in html
    assert "counts it as completed on that date" in html


def test_the_childs_tool_status_shows_the_reopening_not_never_completed(
    client, reopened_checklist, health_visitor, child
):
    client.force_login(health_visitor)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    row = html[html.index("Assessment checklist") :]
    row = row[: row.index("</li>")]
    assert _reopened_words(reopened_checklist) in row
    assert "Never completed" not in row and "Current" in row
    assert "counts as completed on its earlier date until it is completed again" in html


def test_my_children_shows_the_reopening_not_never_completed(
    client, reopened_checklist, health_visitor
):
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:my_children")).content.decode()
    assert _reopened_words(reopened_checklist) in html
    row = html[html.index("Rhea Trail") :]
    row = row[: row.index("</tr>")]
    # Three tools never completed; the reopened checklist is current by its earlier date.
    assert row.count("Never completed") == 3 and "Current" in row


# History pages ---------------------------------------------------------------------------------


def test_a_tools_history_shows_both_completions_and_the_reopen_reason(
    client, reopened_checklist, health_visitor
):
    reopened_checklist.ratings["nutrition"]["concern"] = "very_concerned"
    tool_complete(reopened_checklist, user=health_visitor, expected_version=3)
    client.force_login(health_visitor)
    url = reverse("toolkit:tool_history", args=["checklist", reopened_checklist.pk])
    html = client.get(url).content.decode()
    # Newest first: completed again, reopened with its reason, first completed.
    completed_again = html.index(">Completed again</p>")
    reopened = html.index(">Reopened: Evidence recorded against the wrong domain</p>")
    first = html.index(">Completed</p>")
    assert completed_again < reopened < first
    assert "Nutrition: level of concern" in html
    assert "Some concern" in html and "Very concerned" in html
    assert "{&#x27;" not in html and "{'" not in html  # no raw JSON


def test_the_tool_page_links_to_its_history(client, reopened_checklist, health_visitor):
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:tool", args=["checklist", reopened_checklist.pk]))
    assert reverse("toolkit:tool_history", args=["checklist", reopened_checklist.pk]) in (
        html.content.decode()
    )


@pytest.mark.parametrize("kind", ["day", "checklist", "observation", "sdq", "next-steps"])
def test_every_kind_of_tool_has_a_readable_history(client, child, health_visitor, kind):
    from toolkit.tool_kinds import TOOL_KINDS

    tool_kind = TOOL_KINDS[kind]
    tool = tool_start(
        tool_kind.model, child=child, author=health_visitor, **tool_kind.start_fields(child)
    )
    answers = {
        "day": ("sections", {"waking": {"parent": "Up at seven", "child": "Mum wakes me"}}),
        "checklist": ("ratings", {"nutrition": {"concern": "some_concern", "evidence": "Thin"}}),
        "observation": ("ratings", {"warmth": {"quality": "strength", "evidence": "Hugs"}}),
        "sdq": ("responses", {"1": 2, "2": 0}),
        "next-steps": ("strengths", "A warm home"),
    }[kind]
    setattr(tool, answers[0], answers[1])
    tool.version += 1
    tool.save()
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:tool_history", args=[kind, tool.pk])).content.decode()
    expected = {
        "day": ("Waking and getting up: the parent&#x27;s account", "Up at seven"),
        "checklist": ("Nutrition: level of concern", "Some concern"),
        "observation": ("Warmth and affection: what was observed", "A strength"),
        "sdq": ("Item 1. Consideration for others", "Certainly true"),
        "next-steps": ("Strengths", "A warm home"),
    }[kind]
    for text in expected:
        assert text in html, text
    assert "{&#x27;" not in html and "[{" not in html


def test_an_outsider_gets_404_for_a_tools_history(client, reopened_checklist, voluntary):
    client.force_login(UserFactory(agency=voluntary))
    url = reverse("toolkit:tool_history", args=["checklist", reopened_checklist.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("changes", [2, 20])
def test_a_tools_history_takes_the_same_queries_however_often_it_changed(
    client, child, health_visitor, changes, django_assert_max_num_queries
):
    tool = _rate(tool_start(AssessmentChecklist, child=child, author=health_visitor))
    for n in range(changes):
        tool.overall_judgement = f"Judgement {n}"
        tool.save()
    client.force_login(health_visitor)
    # Session and user, the tool with its people and child, the access log, the history
    # rows, and the names they mention (users, agencies, the child).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("toolkit:tool_history", args=["checklist", tool.pk]))
    assert response.status_code == 200


@pytest.fixture
def entry(child, health_visitor):
    return chronology_entry_add(
        child=child,
        entry=attributed(
            ChronologyEntry(
                author=health_visitor,
                source_agency=health_visitor.agency,
                event_date=TODAY - timedelta(days=3),
                what_happened="Missed health visit",
                impact="negative",
                impact_description="No weight check",
                neglect_types=["medical"],
            ),
            user=health_visitor,
        ),
    )


def test_a_chronology_entrys_history_shows_who_changed_what(client, entry, health_visitor):
    entry.what_happened = "Missed two health visits"
    entry.neglect_types = ["medical", "nutritional"]
    attributed(entry, user=health_visitor).save()
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:chronology_entry_history", args=[entry.pk]))
    html = html.content.decode()
    assert f"Changed by {health_visitor}" in html and f"Created by {health_visitor}" in html
    assert "Missed health visit" in html and "Missed two health visits" in html
    assert "Medical, Nutritional" in html


def test_the_chronology_links_each_entry_to_its_history(client, entry, health_visitor, child):
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    assert reverse("toolkit:chronology_entry_history", args=[entry.pk]) in html
    printed = client.get(reverse("toolkit:chronology_print", args=[child.pk])).content.decode()
    assert reverse("toolkit:chronology_entry_history", args=[entry.pk]) not in printed


def test_an_outsider_gets_404_for_an_entrys_history(client, entry, voluntary):
    client.force_login(UserFactory(agency=voluntary))
    url = reverse("toolkit:chronology_entry_history", args=[entry.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("changes", [2, 20])
def test_an_entrys_history_takes_the_same_queries_however_often_it_changed(
    client, entry, health_visitor, changes, django_assert_max_num_queries
):
    for n in range(changes):
        entry.analysis = f"Analysis {n}"
        entry.save()
    client.force_login(health_visitor)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("toolkit:chronology_entry_history", args=[entry.pk]))
    assert response.status_code == 200


def test_history_of_an_unknown_kind_is_404(client, health_visitor):
    client.force_login(health_visitor)
    assert client.get(reverse("toolkit:tool_history", args=["diary", 1])).status_code == 404


def test_reopened_sdq_and_other_kinds_share_the_reopen_fields():
    for model in (SDQ, DayInMyLife, AssessmentChecklist, ParentChildObservation):
        assert {"reopened_by", "reopened_on", "previous_completed_on"} <= {
            field.name for field in model._meta.fields
        }
    assert Tool._meta.abstract


def test_a_child_without_tools_still_never_completed(health_visitor):
    child = ChildFactory()
    statuses = tool_statuses([child.pk], E)[child.pk]
    assert {s.state for s in statuses} == {State.NEVER}


def test_tools_reopened_before_the_reopen_fields_get_them_from_their_history(
    child, health_visitor, health_manager
):
    from importlib import import_module

    from django.apps import apps

    checklist = completed_checklist(child, health_visitor, date(2025, 3, 1))
    # As reopening was recorded before: only the reason, and the history row that says so.
    checklist.status, checklist.completed_on = "draft", None
    checklist.reopen_reason = "Wrong domain"
    attributed(checklist, user=health_manager, reason="Reopened: Wrong domain").save()
    import_module("toolkit.migrations.0005_tool_reopening").backfill(apps, None)
    checklist.refresh_from_db()
    assert checklist.previous_completed_on == date(2025, 3, 1)
    assert (checklist.reopened_by, checklist.reopened_on) == (health_manager, TODAY)
    status = {s.tool: s for s in tool_statuses([child.pk], date(2025, 6, 30))[child.pk]}
    assert status["checklist"].last_completed == date(2025, 3, 1)
