"""The toolkit records that `generate_demo_data` makes for children on a neglect plan."""

from collections import Counter
from datetime import date

import pytest
from django.db import connection

from cases.demo_data import (
    HISTORY_CHANGE_REASON,
    DemoDataGenerator,
    demo_agency_ids,
    generate_demo_data,
)
from cases.models import Child
from cases.selectors import on_neglect_plan
from neglect_portal import access, dates
from neglect_portal.demo import AGENCIES, load_demo_people
from neglect_portal.models import User
from toolkit.content import DayVersion, suggested_day_version
from toolkit.demo_data import (
    PRACTITIONERS_PER_2000,
    ToolkitGenerator,
    demo_practitioners,
    neglect_spans,
)
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    NextSteps,
    ParentChildObservation,
    Tool,
    ToolDates,
    band_tables,
)
from toolkit.sdq import score
from toolkit.status import MANDATORY_TOOLS, State, latest_completions, tool_statuses

TOOL_MODELS = [DayInMyLife, AssessmentChecklist, ParentChildObservation, SDQ, NextSteps]
FAKE_AGENCY_IDS = {name: number for number, (name, _) in enumerate(AGENCIES, start=1)}
FAKE_AUTHORS = {pk: [pk * 100 + n for n in range(3)] for pk in FAKE_AGENCY_IDS.values()}
FIXED_TODAY = date(2025, 6, 15)


def generator(seed=1, *, authors=FAKE_AUTHORS):
    extensions = None
    if authors:
        extensions = {
            "toolkit": ToolkitGenerator(
                seed=seed, today=FIXED_TODAY, agency_ids=FAKE_AGENCY_IDS, authors=authors
            )
        }
    return DemoDataGenerator(
        seed=seed,
        agency_ids=FAKE_AGENCY_IDS,
        today=FIXED_TODAY,
        practitioner_id=99,
        extensions=extensions,
    )


def toolkit_of(generated):
    return generated.records.get("toolkit")


def with_toolkit(children):
    return [g for g in children if toolkit_of(g) is not None]


def describe_cases(children):
    return [
        (
            g.child.la_child_id,
            g.child.date_of_birth,
            [
                (
                    e.referral.referral_date,
                    e.referral.closure_date,
                    [(p.start_date, p.end_date, p.latest_category) for p, _ in e.cp_plans],
                    [(p.start_date, p.end_date) for p in e.cin_plans],
                )
                for e in g.episodes
            ],
            [(i.agency_id, i.start_date, i.end_date, i.lead_worker_id) for i in g.involvements],
            g.child.allocated_worker_id,
        )
        for g in children
    ]


def describe_toolkit(children):
    return [
        (
            g.child.la_child_id,
            [
                (e.event_date, e.recorded_on, e.author_id, e.what_happened)
                for e in toolkit_of(g).entries
            ],
            [
                (type(t).__name__, t.status, t.started_on, t.completed_on, t.author_id)
                for t in toolkit_of(g).tools()
            ],
        )
        for g in with_toolkit(children)
    ]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_people()


def toolkit_snapshot():
    """What two runs with the same seed must agree on, without database ids."""
    tools = [
        list(
            model.objects.order_by(
                "child__la_child_id", "started_on", "completed_on", "pk"
            ).values_list(
                "child__la_child_id",
                "status",
                "started_on",
                "completed_on",
                "author__username",
                "author_agency__name",
            )
        )
        for model in TOOL_MODELS
    ]
    entries = list(
        ChronologyEntry.objects.order_by("chronology__child__la_child_id", "pk").values_list(
            "chronology__child__la_child_id",
            "event_date",
            "recorded_on",
            "author__username",
            "source_agency__name",
            "what_happened",
        )
    )
    sdqs = list(
        SDQ.objects.order_by("child__la_child_id", "completed_on").values_list(
            "informant", "age", "responses", "total_difficulties", "total_band"
        )
    )
    return tools, entries, sdqs


# The generator alone (no database)


def test_the_toolkit_leaves_the_case_records_of_a_seed_unchanged():
    assert describe_cases(generator(authors=None).children(300)) == describe_cases(
        generator().children(300)
    )


def test_toolkit_records_are_the_same_for_a_seed_whatever_the_batch():
    in_two_batches = generator(seed=3)
    children = list(in_two_batches.children(120)) + list(in_two_batches.children(80))

    assert describe_toolkit(generator(seed=3).children(200)) == describe_toolkit(children)
    assert describe_toolkit(generator(seed=4).children(200)) != describe_toolkit(children)


def test_most_children_on_a_neglect_plan_get_the_toolkit_and_no_one_else_does():
    children = list(generator().children(1500))
    window_start = generator().window_start
    eligible = [
        g
        for g in children
        if any(end >= window_start for _, end in neglect_spans(g.episodes, FIXED_TODAY))
    ]

    assert all(g in eligible for g in with_toolkit(children))
    assert 0.75 <= len(with_toolkit(children)) / len(eligible) <= 0.95


def test_completed_tools_are_dated_while_the_child_was_on_a_neglect_plan():
    for g in with_toolkit(generator().children(1500)):
        spans = neglect_spans(g.episodes, FIXED_TODAY)
        for tool in toolkit_of(g).tools():
            assert any(
                start <= tool.started_on <= (tool.completed_on or tool.started_on) <= end
                for start, end in spans
            ), (g.child.la_child_id, tool)
            if g.child.date_of_birth and not isinstance(tool, AssessmentChecklist | NextSteps):
                assert tool.started_on >= g.child.date_of_birth


def test_day_in_my_life_version_follows_the_childs_age_or_disability():
    days = [
        (g.child, tool)
        for g in with_toolkit(generator().children(1500))
        for tool in toolkit_of(g).days
    ]

    assert days
    for child, tool in days:
        age_version = suggested_day_version(child.age_on(tool.completed_on or tool.started_on))
        assert tool.day_version in (age_version, DayVersion.DISABLED)
        if tool.day_version == DayVersion.DISABLED:
            assert set(child.disabilities) - {"NONE"}
    assert {tool.day_version for _, tool in days} == set(DayVersion.values)


def test_every_completed_demo_day_accounts_for_each_part_and_gives_the_childs_words():
    days = [
        tool
        for g in with_toolkit(generator().children(1500))
        for tool in toolkit_of(g).days
        if tool.status == Tool.Status.COMPLETED
    ]

    assert {tool.day_version for tool in days} == set(DayVersion.values)  # babies too
    assert [tool.completion_problems() for tool in days] == [{}] * len(days)


def test_chronology_entries_come_from_several_agencies_each_by_one_of_its_people():
    children = with_toolkit(generator().children(1500))
    people = {author: agency for agency, authors in FAKE_AUTHORS.items() for author in authors}
    people[99] = FAKE_AGENCY_IDS["Children's Social Care"]  # the demo practitioner

    entries = [e for g in children for e in toolkit_of(g).entries]
    assert all(people[e.author_id] == e.source_agency_id for e in entries)
    assert set(Counter(e.source_agency_id for e in entries)) == set(FAKE_AGENCY_IDS.values())
    assert (
        sum(len({e.source_agency_id for e in toolkit_of(g).entries}) > 1 for g in children)
        > len(children) / 3
    )
    tools = [t for g in children for t in toolkit_of(g).tools()]
    assert all(people[t.author_id] == t.author_agency_id for t in tools)
    # The allocated worker does the social care work on their children's open plans.
    assert any(t.author_id == 99 for t in tools)


# Written to the database


@pytest.mark.django_db
def test_every_toolkit_record_is_valid_and_completed_tools_lack_nothing(demo):
    generate_demo_data(300, seed=2)
    today = dates.today()

    statuses = set()
    for model in TOOL_MODELS:
        tools = list(model.objects.select_related("author"))
        assert any(tool.is_completed for tool in tools), f"no {model.__name__} completed"
        statuses |= {tool.status for tool in tools}
        for tool in tools:
            tool.full_clean()
            assert tool.author.agency_id == tool.author_agency_id
            assert tool.started_on <= today
            if tool.is_completed:
                assert tool.completion_problems() == {}, (model.__name__, tool.pk)
                assert tool.started_on <= tool.completed_on <= today
            else:
                assert tool.completed_on is None
    assert statuses == set(Tool.Status.values)
    entries = list(ChronologyEntry.objects.select_related("author"))
    assert entries
    for entry in entries:
        entry.full_clean()
        assert entry.event_date <= entry.recorded_on <= today
        assert entry.author.agency_id == entry.source_agency_id
    for chronology in Chronology.objects.select_related("reviewed_by"):
        chronology.full_clean()
        if chronology.reviewed_on:
            assert chronology.reviewed_on <= today
            assert chronology.reviewed_by.agency.is_childrens_social_care


@pytest.mark.django_db
def test_sdq_scores_are_what_completing_the_form_would_store(demo):
    generate_demo_data(400, seed=2)
    bands = band_tables()

    sdqs = list(SDQ.objects.all())
    assert sdqs
    for sdq in sdqs:
        result = score(
            {int(item): answer for item, answer in sdq.responses.items()},
            informant=sdq.informant,
            age=sdq.age,
            impact=sdq.impact or None,
            bands=bands,
        )
        assert (sdq.total_difficulties, sdq.total_band) == (result.total, result.total_band or "")
    assert {sdq.informant for sdq in sdqs} == set(SDQ.Informant.values)
    assert {sdq.total_band for sdq in sdqs} >= {"Close to average", "High", "Very high"}


@pytest.mark.django_db
def test_children_on_a_neglect_plan_today_show_every_tool_status(demo):
    today = FIXED_TODAY  # a fixed day and seed: the same mix every run
    generate_demo_data(600, seed=1, today=today)

    on_plan = list(Child.objects.filter(on_neglect_plan(today)).values_list("pk", flat=True))
    statuses = tool_statuses(on_plan, today)
    states = Counter(s.state for child in statuses.values() for s in child)
    assert set(states) == set(State.values), states
    all_current = sum(
        all(s.state in (State.CURRENT, State.DUE_SOON) for s in child)
        for child in statuses.values()
    )
    assert 0 < all_current < len(on_plan)
    assert DayInMyLife.objects.filter(status=Tool.Status.DRAFT).exists()
    assert NextSteps.objects.filter(status=Tool.Status.COMPLETED).exists()


@pytest.mark.django_db
def test_the_generated_childrens_stored_tool_dates_are_their_latest_completions(demo):
    generate_demo_data(300, seed=2, batch_size=120)  # written in bulk, in three batches
    children = list(Child.objects.values_list("pk", flat=True))
    stored = {
        row.pop("child_id"): row for row in ToolDates.objects.values("child_id", *MANDATORY_TOOLS)
    }
    assert stored == latest_completions(children, date.max)
    assert sum(any(row.values()) for row in stored.values()) > 20


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_toolkit_records(demo):
    generate_demo_data(150, seed=7)
    first = toolkit_snapshot()
    Child.objects.all().delete()
    generate_demo_data(150, seed=7)

    assert toolkit_snapshot() == first
    assert first[0][0] and first[1]
    Child.objects.all().delete()
    generate_demo_data(150, seed=8)
    assert toolkit_snapshot() != first


@pytest.mark.django_db
def test_generated_practitioners_are_made_once_per_agency_and_cannot_sign_in(demo):
    ids = demo_agency_ids()
    authors = demo_practitioners(ids, 2000)
    again = demo_practitioners(ids, 4000)

    assert {pk: len(people) for pk, people in authors.items()} == {
        ids[name]: count for name, count in PRACTITIONERS_PER_2000.items()
    }
    assert all(again[pk][: len(people)] == people for pk, people in authors.items())
    generated = User.objects.filter(username__startswith="generated-")
    assert generated.count() == 2 * sum(PRACTITIONERS_PER_2000.values())
    assert not any(user.has_usable_password() for user in generated)
    assert all(user.agency_id in again and user.pk in again[user.agency_id] for user in generated)


@pytest.mark.django_db
def test_toolkit_history_names_the_author_unless_history_is_off(demo):
    generate_demo_data(200, seed=2)

    tool = AssessmentChecklist.objects.filter(status=Tool.Status.COMPLETED).first()
    created = tool.history.get()
    assert created.history_user_id == tool.author_id
    assert created.history_change_reason == HISTORY_CHANGE_REASON
    assert ChronologyEntry.history.count() == ChronologyEntry.objects.count()

    before = AssessmentChecklist.history.count()
    generate_demo_data(200, seed=3, history=False)
    assert AssessmentChecklist.history.count() == before


@pytest.mark.django_db
def test_writing_a_batch_takes_a_few_queries_per_table_not_one_per_record(demo):
    generate_demo_data(1, seed=1)  # the generated practitioners exist from here on

    def queries_and_records(children, seed):
        # Counted as they run: the generator clears connection.queries after every batch,
        # which CaptureQueriesContext would read as no queries at all.
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            counts = generate_demo_data(children, seed=seed, history=False)
        return len(queries), sum(counts.values())

    few_queries, few_records = queries_and_records(100, seed=2)
    many_queries, many_records = queries_and_records(400, seed=3)

    assert many_records > 3 * few_records
    assert few_queries > 14  # an insert at least for every table written
    # SQLite takes at most 999 values a statement, so big tables go in a few inserts.
    assert many_queries <= few_queries + 40
    assert many_queries < many_records / 50


@pytest.mark.django_db
def test_the_demo_has_a_reopened_tool_and_an_open_sdq_need_that_the_pages_show(demo):
    from toolkit.models import SDQNeed
    from toolkit.selectors import sdq_needs_open

    today = FIXED_TODAY
    generate_demo_data(300, seed=1, today=today)
    manager = User.objects.get(username="manager")
    reopened = AssessmentChecklist.objects.filter(reopened_on__isnull=False)
    assert reopened.exists()
    for tool in reopened:
        tool.full_clean()
        assert tool.status == Tool.Status.DRAFT and tool.completed_on is None
        assert tool.reopened_by == manager and tool.reopen_reason
        assert tool.previous_completed_on < tool.reopened_on <= today
        status = {s.tool: s for s in tool_statuses([tool.child_id], today)[tool.child_id]}
        # Counted as it was: never "Never completed" while the earlier completion is current.
        assert status["checklist"].last_completed >= tool.previous_completed_on
        assert status["checklist"].state != State.NEVER
    needs = sdq_needs_open(Child.objects.values_list("pk", flat=True))
    assert needs
    for need in needs:
        need.full_clean()
        assert need.recorded_on <= today and need.reason
        assert not SDQ.objects.filter(
            child=need.child, status="completed", completed_on__gte=need.recorded_on
        ).exists()
    assert SDQNeed.objects.count() == len(needs)


@pytest.mark.django_db
def test_generated_next_steps_have_owners_and_due_dates_and_some_are_overdue_done_or_closed(demo):
    from toolkit.models import NextStep

    generate_demo_data(300, seed=2)
    today = dates.today()
    steps = list(NextStep.objects.select_related("analysis", "owner"))
    assert steps
    completed = [step for step in steps if step.analysis.is_completed]
    for step in completed:
        step.full_clean()
        assert step.due_on is not None and (step.owner_id is None) != (step.owner_name == "")
        assert step.analysis.completed_on <= step.due_on
        for day in (step.done_on, step.closed_on):
            assert day is None or step.analysis.completed_on <= day <= today
    assert any(step.owner_id for step in completed) and any(step.owner_name for step in completed)
    assert any(step.is_overdue for step in completed)
    assert {step.status for step in completed} == set(NextStep.Status.values)
    assert all(step.closed_reason for step in completed if step.status == "not_needed")
    # A portal owner could see the child when the analysis was written, to act on the step.
    for step in completed:
        if step.owner_id:
            visible = access.children_visible_to(step.owner, on=step.analysis.started_on)
            assert visible.filter(pk=step.analysis.child_id).exists(), step.pk
