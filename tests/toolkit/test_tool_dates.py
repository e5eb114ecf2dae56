"""The stored tool dates (toolkit/tool_dates.py) agree with toolkit.status after every kind of
change, and order a caseload as the statuses it shows would."""

import importlib
import io
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.management import call_command

from cases.models import Child
from neglect_portal import dates
from tests.dataset.builders import chronology_entry, tool
from tests.factories import ChildFactory, CPPlanFactory
from toolkit.models import (
    AssessmentChecklist,
    Chronology,
    DayInMyLife,
    ParentChildObservation,
    ToolDates,
)
from toolkit.selectors import caseload, caseload_page
from toolkit.status import MANDATORY_TOOLS, State, latest_completions, tool_statuses

pytestmark = pytest.mark.django_db
TODAY = dates.today()


def stored(child: Child) -> dict[str, date | None]:
    row = ToolDates.objects.filter(child=child).values(*MANDATORY_TOOLS).first()
    return row or dict.fromkeys(MANDATORY_TOOLS)


def live(child: Child) -> dict[str, date | None]:
    return latest_completions([child.pk], date.max)[child.pk]


def day_in_my_life(child, author, completed_on):
    return tool(DayInMyLife, child, author, completed_on)


def entry(chronology, author, recorded_on):
    return chronology_entry(chronology.child, author, recorded_on)


def test_every_kind_of_change_rewrites_the_childs_dates(csc_social_worker):
    child = ChildFactory()
    day = day_in_my_life(child, csc_social_worker, TODAY - timedelta(days=40))
    assert stored(child)["day_in_my_life"] == TODAY - timedelta(days=40)

    # Reopened: it still counts by its earlier completion.
    day.previous_completed_on, day.completed_on, day.status = day.completed_on, None, "draft"
    day.save()
    assert stored(child)["day_in_my_life"] == TODAY - timedelta(days=40)
    day.status, day.completed_on = "completed", TODAY
    day.save()
    assert stored(child)["day_in_my_life"] == TODAY

    chronology = Chronology.objects.create(child=child)
    first = entry(chronology, csc_social_worker, TODAY - timedelta(days=90))
    later = entry(chronology, csc_social_worker, TODAY - timedelta(days=3))
    assert stored(child)["chronology"] == TODAY - timedelta(days=3)
    later.delete()
    assert stored(child)["chronology"] == TODAY - timedelta(days=90)
    chronology.reviewed_on, chronology.reviewed_by = TODAY - timedelta(days=10), csc_social_worker
    chronology.save()
    assert stored(child)["chronology"] == TODAY - timedelta(days=10)
    first.delete()

    checklist = AssessmentChecklist.objects.create(
        child=child,
        author=csc_social_worker,
        author_agency=csc_social_worker.agency,
        status="completed",
        completed_on=TODAY - timedelta(days=200),
    )
    ParentChildObservation.objects.filter(child=child).delete()
    assert stored(child) == live(child)
    assert stored(child)["checklist"] == TODAY - timedelta(days=200)
    checklist.delete()
    assert stored(child)["checklist"] is None
    assert stored(child) == live(child)


def test_a_child_with_tools_can_be_deleted(csc_social_worker):
    child = ChildFactory()
    day_in_my_life(child, csc_social_worker, TODAY)
    entry(Chronology.objects.create(child=child), csc_social_worker, TODAY)
    child.delete()
    assert not ToolDates.objects.exists()


def test_rebuilding_writes_what_saving_wrote(csc_social_worker):
    children = [ChildFactory() for _ in range(3)]
    day_in_my_life(children[0], csc_social_worker, TODAY - timedelta(days=5))
    entry(
        Chronology.objects.create(child=children[1]), csc_social_worker, TODAY - timedelta(days=7)
    )
    before = {child.pk: stored(child) for child in children}
    ToolDates.objects.all().delete()
    out = io.StringIO()
    call_command("refresh_tool_dates", stdout=out)
    assert out.getvalue() == "Rewrote the tool dates of 3 children.\n"
    assert {child.pk: stored(child) for child in children} == before


def test_the_migration_fills_the_same_dates(csc_social_worker):
    children = [ChildFactory() for _ in range(3)]
    day = day_in_my_life(children[0], csc_social_worker, TODAY - timedelta(days=300))
    day.previous_completed_on, day.completed_on, day.status = day.completed_on, None, "draft"
    day.save()
    day_in_my_life(children[1], csc_social_worker, TODAY - timedelta(days=9))
    chronology = Chronology.objects.create(
        child=children[2], reviewed_on=TODAY - timedelta(days=2), reviewed_by=csc_social_worker
    )
    entry(chronology, csc_social_worker, TODAY - timedelta(days=20))
    before = {child.pk: stored(child) for child in children}
    ToolDates.objects.all().delete()
    importlib.import_module("toolkit.migrations.0011_tool_dates").fill(apps, None)
    assert {child.pk: stored(child) for child in children} == before


# Boundaries of toolkit.status.state_on: current while completed after six months before,
# due soon within 30 days of that ending.
ALIVE_FROM = TODAY - relativedelta(months=6)
SOON_FROM = TODAY + timedelta(days=30) - relativedelta(months=6)
COMPLETIONS = [
    None,
    ALIVE_FROM - timedelta(days=1),
    ALIVE_FROM,
    ALIVE_FROM + timedelta(days=1),
    SOON_FROM,
    SOON_FROM + timedelta(days=1),
    TODAY,
]


def test_the_caseload_is_ordered_as_its_statuses_say(csc_social_worker):
    """Every pair of a day in my life and a chronology completion at each boundary: the
    database's order is the one the statuses shown give, worst first, then by name."""
    children = []
    for n, day in enumerate(COMPLETIONS):
        for m, chronology_day in enumerate(COMPLETIONS):
            child = CPPlanFactory(
                latest_category="NEG",
                referral__child__given_name=f"Child{n}{m}",
                referral__child__family_name="Test",
                referral__child__allocated_worker=csc_social_worker,
            ).referral.child
            if day is not None:
                day_in_my_life(child, csc_social_worker, day)
            if chronology_day is not None:
                entry(Chronology.objects.create(child=child), csc_social_worker, chronology_day)
            children.append(child)
    statuses = tool_statuses([child.pk for child in children], TODAY)
    rank = {State.OVERDUE: 0, State.NEVER: 0, State.DUE_SOON: 1, State.CURRENT: 2}

    def expected(child):
        states = [rank[status.state] for status in statuses[child.pk]]
        return (min(states), -states.count(0), child.family_name, child.given_name, child.pk)

    shown = []
    page = caseload_page(csc_social_worker, on=TODAY, number=1)
    while True:
        shown += [child.pk for child, _ in page.object_list]
        if not page.has_next():
            break
        page = caseload_page(csc_social_worker, on=TODAY, number=page.next_page_number())
    assert shown == [child.pk for child in sorted(children, key=expected)]
    assert caseload(csc_social_worker, on=TODAY).count() == len(COMPLETIONS) ** 2


def test_a_page_reads_the_statuses_of_its_own_children_only(
    csc_social_worker, django_assert_num_queries
):
    for n in range(30):
        CPPlanFactory(
            latest_category="NEG",
            referral__child__given_name=f"Child{n:02d}",
            referral__child__allocated_worker=csc_social_worker,
        )
    # The page of children with their count (one query), and their statuses.
    with django_assert_num_queries(2):
        page = caseload_page(csc_social_worker, on=TODAY, number=2)
    assert len(page.object_list) == 5
    assert all(len(statuses) == len(MANDATORY_TOOLS) for _, statuses in page.object_list)
    assert page.paginator.count == 30


def test_the_latest_up_to_a_day_is_read_from_the_stored_dates_unless_a_later_one_is_stored(
    csc_social_worker, django_assert_num_queries
):
    from toolkit.tool_dates import latest_up_to, with_stored_dates

    earlier, later = ChildFactory(), ChildFactory()
    day_in_my_life(earlier, csc_social_worker, TODAY - timedelta(days=100))
    day_in_my_life(later, csc_social_worker, TODAY - timedelta(days=100))
    day_in_my_life(later, csc_social_worker, TODAY - timedelta(days=10))
    untouched = ChildFactory()
    on = TODAY - timedelta(days=50)
    children = list(with_stored_dates(Child.objects.filter(pk__in=[earlier.pk, untouched.pk])))

    with django_assert_num_queries(0):
        found = latest_up_to(children, on)
    assert found == latest_completions([earlier.pk, untouched.pk], on)
    assert found[earlier.pk]["day_in_my_life"] == TODAY - timedelta(days=100)
    assert found[untouched.pk] == dict.fromkeys(MANDATORY_TOOLS)
    # Its stored date is after the day asked about: the day's answer comes from its tools.
    [child] = with_stored_dates(Child.objects.filter(pk=later.pk))
    assert latest_up_to([child], on)[later.pk]["day_in_my_life"] == TODAY - timedelta(days=100)
