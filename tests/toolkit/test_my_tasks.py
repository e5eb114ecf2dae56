"""*My tasks* and the caseload by worker: what is due, overdue first, for whom."""

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CPReview
from neglect_portal.dates import long_date, today
from neglect_portal.models import User
from tests.dataset.builders import chronology_entry, cp_plan, tool
from tests.factories import (
    ChildFactory,
    InvolvementFactory,
    NextStepFactory,
    NextStepsFactory,
    TeamFactory,
    UserFactory,
)
from toolkit import task_views
from toolkit.models import SDQ, AssessmentChecklist, DayInMyLife, ParentChildObservation
from toolkit.my_tasks import Kind, worker_loads, workload

pytestmark = pytest.mark.django_db

TASKS = reverse("toolkit:my_tasks")
CASELOAD = reverse("toolkit:caseload")


def rows(response) -> list[list[str]]:
    """The task table's rows as lists of their cells' words."""
    html = response.content.decode()
    if 'id="tasks"' not in html:
        return []
    table = html[html.index('id="tasks"') : html.index("</table>", html.index('id="tasks"'))]
    found = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, flags=re.S)[1:]
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S) for row in found)
    ]


def on_neglect_plan(worker, started=None, **names):
    child = ChildFactory(allocated_worker=worker, **names)
    cp_plan(child, started or today() - timedelta(days=20))
    return child


def all_tools_current(child, author):
    day = today() - timedelta(days=3)
    for model in (DayInMyLife, AssessmentChecklist, ParentChildObservation):
        tool(model, child, author, day)
    chronology_entry(child, author, day)


def test_overdue_tools_come_first_then_tools_due_soon(client, csc_social_worker):
    due_soon = on_neglect_plan(csc_social_worker, given_name="Soon", family_name="Child")
    all_tools_current(due_soon, csc_social_worker)
    day = DayInMyLife.objects.get(child=due_soon)
    day.completed_on = today() - relativedelta(months=6) + timedelta(days=10)
    day.save()
    never = on_neglect_plan(csc_social_worker, given_name="Never", family_name="Child")
    all_tools_current(never, csc_social_worker)
    AssessmentChecklist.objects.filter(child=never).delete()
    client.force_login(csc_social_worker)
    found = rows(client.get(TASKS))
    assert [(row[1], row[2]) for row in found] == [
        ("Never Child", "Assessment checklist: never completed"),
        ("Soon Child", "Day in my life: due soon"),
    ]
    assert found[0][0].startswith("Overdue")
    assert not found[1][0].startswith("Overdue")


def test_a_child_not_on_a_neglect_plan_or_with_current_tools_has_no_tool_task(
    client, csc_social_worker
):
    ChildFactory(allocated_worker=csc_social_worker)  # no plan
    current = on_neglect_plan(csc_social_worker)
    all_tools_current(current, csc_social_worker)
    client.force_login(csc_social_worker)
    assert rows(client.get(TASKS)) == []
    assert "Nothing is due" in client.get(TASKS).content.decode()


def test_completing_the_tool_takes_the_task_off_the_list(client, csc_social_worker):
    child = on_neglect_plan(csc_social_worker)
    all_tools_current(child, csc_social_worker)
    DayInMyLife.objects.filter(child=child).delete()
    client.force_login(csc_social_worker)
    assert [row[2] for row in rows(client.get(TASKS))] == ["Day in my life: never completed"]
    tool(DayInMyLife, child, csc_social_worker, today())
    assert rows(client.get(TASKS)) == []


def test_cp_reviews_show_from_14_days_before_they_are_due_and_when_overdue(csc_social_worker):
    on = today()
    first_overdue = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(first_overdue, on - relativedelta(months=3) - timedelta(days=1))
    due_in_10 = ChildFactory(allocated_worker=csc_social_worker)
    plan = cp_plan(due_in_10, on - relativedelta(months=9))
    CPReview.objects.create(
        plan=plan, review_date=on - relativedelta(months=6) + timedelta(days=10)
    )
    not_yet = ChildFactory(allocated_worker=csc_social_worker)
    plan = cp_plan(not_yet, on - relativedelta(months=9))
    CPReview.objects.create(plan=plan, review_date=on - relativedelta(months=1))
    ended = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(ended, on - relativedelta(months=8), on - timedelta(days=1))
    reviews = [
        (t.child, t.what, t.overdue)
        for t in workload([csc_social_worker], viewer=csc_social_worker, on=on).tasks
        if t.kind == Kind.CP_REVIEW
    ]
    assert reviews == [
        (first_overdue, "First child protection review: overdue", True),
        (due_in_10, "Child protection review: due", False),
    ]


def _last_saved(instance, days_ago):
    type(instance).history.filter(id=instance.pk).update(
        history_date=timezone.now() - timedelta(days=days_ago)
    )


def test_drafts_left_14_days_and_reopened_tools_are_tasks(client, csc_social_worker):
    child = ChildFactory(allocated_worker=csc_social_worker)
    old = tool(DayInMyLife, child, csc_social_worker, None, status="draft")
    _last_saved(old, 15)
    recent = tool(AssessmentChecklist, child, csc_social_worker, None, status="draft")
    _last_saved(recent, 13)
    manager = UserFactory(
        agency=csc_social_worker.agency,
        role=User.Role.TEAM_MANAGER,
        first_name="Ria",
        last_name="Lal",
    )
    reopened = tool(
        ParentChildObservation,
        child,
        csc_social_worker,
        None,
        status="draft",
        reopen_reason="Add the second visit",
        reopened_by=manager,
        reopened_on=today() - timedelta(days=2),
        previous_completed_on=today() - timedelta(days=20),
    )
    colleague = UserFactory(agency=csc_social_worker.agency)
    _last_saved(tool(DayInMyLife, child, colleague, None, status="draft"), 30)
    client.force_login(csc_social_worker)
    found = {row[2]: row for row in rows(client.get(TASKS))}
    assert set(found) == {
        f"Day in my life: draft not saved since {long_date(today() - timedelta(days=15))}",
        "Parent–child observation reopened by Ria Lal: Add the second visit",
    }
    html = client.get(TASKS).content.decode()
    assert reverse("toolkit:tool", args=["day", old.pk]) in html
    assert reverse("toolkit:tool", args=["observation", reopened.pk]) in html


def test_a_partner_sees_only_the_children_they_lead_on_and_may_see(client, health_visitor):
    led = ChildFactory()
    cp_plan(led, today() - timedelta(days=20))
    InvolvementFactory(child=led, agency=health_visitor.agency, lead_worker=health_visitor)
    ChildFactory()  # not theirs
    client.force_login(health_visitor)
    found = rows(client.get(TASKS))
    assert {row[1] for row in found} == {led.full_name}
    assert len(found) == 4  # the four mandatory tools, never completed


def test_a_team_manager_sees_each_workers_tasks_and_can_pick_one(
    client, csc, csc_team_manager, csc_social_worker
):
    other = UserFactory(agency=csc, role=User.Role.PRACTITIONER, first_name="Olu", last_name="Ade")
    elsewhere = UserFactory(role=User.Role.PRACTITIONER)  # another agency
    mine = on_neglect_plan(csc_social_worker)
    theirs = on_neglect_plan(other)
    on_neglect_plan(elsewhere)
    client.force_login(csc_team_manager)
    found = rows(client.get(TASKS))
    assert {row[1] for row in found} == {mine.full_name, theirs.full_name}
    assert "Olu Ade" in {row[3] for row in found}
    picked = rows(client.get(TASKS, {"worker": other.pk}))
    assert {row[1] for row in picked} == {theirs.full_name}
    # Someone outside the team is not a choice: the whole team is shown.
    assert {row[1] for row in rows(client.get(TASKS, {"worker": elsewhere.pk}))} == {
        mine.full_name,
        theirs.full_name,
    }


def test_the_caseload_counts_each_workers_children_plans_and_overdue_work(
    client, csc, csc_team_manager, csc_social_worker
):
    on_neglect_plan(csc_social_worker)
    reviewed_late = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(reviewed_late, today() - relativedelta(months=5))
    ChildFactory(allocated_worker=csc_social_worker)
    draft = tool(DayInMyLife, reviewed_late, csc_social_worker, None, status="draft")
    _last_saved(draft, 40)
    client.force_login(csc_team_manager)
    html = client.get(CASELOAD).content.decode()
    table = html[html.index('id="caseload"') :]
    row = next(
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).split()
        for r in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, flags=re.S)
        if csc_social_worker.get_full_name() in re.sub(r"<[^>]+>", " ", r)
    )
    name_words = len(csc_social_worker.get_full_name().split())
    assert row[name_words : name_words + 5] == ["3", "2", "0", "8", "1"]
    assert " ".join(row[name_words + 5 :]) == long_date(today() - timedelta(days=40))


def test_the_caseload_lines_are_those_of_the_whole_workload(
    csc, csc_team_manager, csc_social_worker, health_visitor
):
    on_neglect_plan(csc_social_worker)
    reviewed_late = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(reviewed_late, today() - relativedelta(months=5))
    current = on_neglect_plan(csc_team_manager)
    all_tools_current(current, csc_team_manager)
    led = on_neglect_plan(health_visitor)
    InvolvementFactory(child=led, agency=csc, lead_worker=csc_social_worker)
    _last_saved(tool(DayInMyLife, reviewed_late, csc_social_worker, None, status="draft"), 40)
    tool(SDQ, current, csc_team_manager, None, status="draft")
    workers = [csc_team_manager, csc_social_worker]

    loads = worker_loads(workers, viewer=csc_team_manager, on=today())
    assert loads == workload(workers, viewer=csc_team_manager, on=today()).loads
    assert [(load.children, load.overdue_tools, load.overdue_reviews) for load in loads] == [
        (1, 0, 0),
        (3, 12, 1),
    ]


def test_an_agencys_many_children_are_flagged_as_a_teams_few_are(
    monkeypatch, csc, csc_team_manager, csc_social_worker
):
    from tests.factories import AssessmentFactory, CINPlanFactory

    on_neglect_plan(csc_social_worker)  # CP, neglect
    cin = AssessmentFactory(factors=["16A"], referral__child__allocated_worker=csc_social_worker)
    CINPlanFactory(referral=cin.referral)  # CIN, neglect
    physical = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(physical, today() - timedelta(days=200), initial="PHY")
    review_due = ChildFactory(allocated_worker=csc_social_worker)
    cp_plan(review_due, today() - relativedelta(months=5))
    ChildFactory(allocated_worker=csc_social_worker)  # on no plan
    workers = [csc_team_manager, csc_social_worker]

    def read():
        work = workload(workers, viewer=csc_team_manager, on=today())
        return [(t.kind, t.what, t.worker_id, t.child.pk, t.due) for t in work.tasks], work.loads

    few = read()
    monkeypatch.setattr("toolkit.my_tasks.FEW_CHILDREN", 0)  # every caseload is "many"
    assert read() == few
    kinds = [kind for kind, *_ in few[0]]
    # Four tools for each of the three on a neglect plan; a review for each of the two CP plans
    # started over three months ago.
    assert kinds.count(Kind.TOOL) == 12 and kinds.count(Kind.CP_REVIEW) == 2


def test_the_caseload_reads_only_the_workers_on_its_page(
    client, csc, csc_team_manager, django_assert_max_num_queries, monkeypatch
):
    # 30 workers besides the manager, in name order: the last ones are on page 2.
    workers = [UserFactory(agency=csc, last_name=f"Worker{n:02d}") for n in range(30)]
    last = workers[-1]
    for _ in range(3):
        on_neglect_plan(last)
    client.force_login(csc_team_manager)
    html = client.get(CASELOAD).content.decode()
    first = html[html.index('id="caseload"') :]
    with django_assert_max_num_queries(12):
        html = client.get(CASELOAD, {"page": 2}).content.decode()
    second = html[html.index('id="caseload"') :]
    assert last.get_full_name() not in first and last.get_full_name() in second
    read = []
    monkeypatch.setattr(
        task_views,
        "worker_loads",
        lambda workers, **kw: read.append(workers) or worker_loads(workers, **kw),
    )
    client.get(CASELOAD, {"page": 2})
    assert [len(workers) for workers in read] == [6]  # 31 with the manager, 25 to a page
    row = next(
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).split()
        for r in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", second, flags=re.S)
        if last.get_full_name() in re.sub(r"<[^>]+>", " ", r)
    )
    name_words = len(last.get_full_name().split())
    # Three children, each on a CP plan with its four tools never completed.
    assert row[name_words : name_words + 4] == ["3", "3", "0", "12"]


def test_only_team_managers_read_the_caseload(client, csc_social_worker):
    client.force_login(csc_social_worker)
    assert client.get(CASELOAD).status_code == 403


def test_paging_keeps_the_chosen_worker(client, csc_team_manager, csc_social_worker):
    for _ in range(7):  # 4 tools each: 28 tasks, two pages
        on_neglect_plan(csc_social_worker)
    client.force_login(csc_team_manager)
    html = client.get(TASKS, {"worker": csc_social_worker.pk}).content.decode()
    assert f'href="?worker={csc_social_worker.pk}&amp;page=2"' in html


@pytest.mark.parametrize("role", [User.Role.PRACTITIONER, User.Role.TEAM_MANAGER])
def test_the_tasks_page_costs_the_same_queries_for_5_or_200_children(
    client, csc, role, django_assert_max_num_queries
):
    viewer = UserFactory(agency=csc, role=role)
    worker = viewer if role == User.Role.PRACTITIONER else UserFactory(agency=csc)
    client.force_login(viewer)
    from toolkit.models import SDQNeed

    counts = []
    for more in (5, 195):
        for _ in range(more):
            # Every kind of task: tools, a CP review, a draft, an SDQ needed, a next step and
            # (for the manager) a completed tool awaiting oversight.
            child = on_neglect_plan(worker, started=today() - relativedelta(months=4))
            tool(DayInMyLife, child, worker, None, status="draft")
            done = tool(AssessmentChecklist, child, worker, today() - timedelta(days=3))
            SDQNeed.objects.create(child=child, reason="Withdrawn", recorded_by=worker)
            NextStepFactory(
                analysis=NextStepsFactory(child=child, author=worker),
                owner=worker,
                owner_name="",
                due_on=today() - timedelta(days=2),
            )
            assert done.is_completed
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            response = client.get(TASKS)
        assert response.status_code == 200
        assert len(rows(response)) == 25
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_next_steps_they_own_show_when_due_within_14_days_or_overdue(client, csc_social_worker):
    child = ChildFactory(allocated_worker=csc_social_worker, given_name="Step", family_name="Child")
    analysis = NextStepsFactory(child=child, author=csc_social_worker)
    late = NextStepFactory(
        analysis=analysis, owner=csc_social_worker, owner_name="", due_on=today() - timedelta(1)
    )
    NextStepFactory(
        analysis=analysis, owner=csc_social_worker, owner_name="", due_on=today() + timedelta(10)
    )
    NextStepFactory(
        analysis=analysis, owner=csc_social_worker, owner_name="", due_on=today() + timedelta(20)
    )
    NextStepFactory(analysis=analysis, due_on=today() - timedelta(3))  # someone outside owns it
    client.force_login(csc_social_worker)
    found = [(row[1], row[2]) for row in rows(client.get(TASKS))]
    assert found == [
        ("Step Child", f"Next step {late.position}: overdue"),
        ("Step Child", f"Next step {late.position + 1}: due"),
    ]
    late.status, late.done_on = "done", today()
    late.save()
    assert [row[2] for row in rows(client.get(TASKS))] == [f"Next step {late.position + 1}: due"]


def test_an_sdq_recorded_as_needed_is_a_task_until_one_is_completed(client, csc_social_worker):
    from toolkit.models import SDQ, SDQNeed

    child = on_neglect_plan(csc_social_worker)
    all_tools_current(child, csc_social_worker)
    SDQNeed.objects.create(child=child, reason="Withdrawn", recorded_by=csc_social_worker)
    client.force_login(csc_social_worker)
    assert [row[2] for row in rows(client.get(TASKS))] == [f"SDQ needed since {long_date(today())}"]
    SDQNeed.objects.update(met_on=today())
    tool(SDQ, child, csc_social_worker, today(), informant="parent")
    assert rows(client.get(TASKS)) == []


def test_a_team_manager_sees_no_task_of_a_workers_child_they_may_not_see(
    client, health, health_visitor
):
    from toolkit.models import SDQNeed

    manager = UserFactory(agency=health, role=User.Role.TEAM_MANAGER, team=health_visitor.team)
    # Allocated to the health visitor with no open involvement of health: theirs alone to see.
    unseen = on_neglect_plan(health_visitor, given_name="Unseen")
    led = ChildFactory(given_name="Led")
    cp_plan(led, today() - timedelta(days=20))
    InvolvementFactory(child=led, agency=health, lead_worker=health_visitor)
    for child in (unseen, led):
        all_tools_current(child, health_visitor)
        SDQNeed.objects.create(child=child, reason="Withdrawn", recorded_by=health_visitor)
    client.force_login(manager)
    found = rows(client.get(TASKS))
    assert {row[1] for row in found} == {led.full_name}  # and its tools await oversight
    assert [row[1] for row in found if row[2].startswith("SDQ needed")] == [led.full_name]
    client.force_login(health_visitor)
    assert {row[1] for row in rows(client.get(TASKS))} == {unseen.full_name, led.full_name}


def test_a_team_manager_is_asked_for_oversight_of_their_workers_completed_tools(
    client, csc_team_manager, csc_social_worker
):
    from toolkit.models import Oversight

    child = ChildFactory(allocated_worker=csc_social_worker)
    done = tool(AssessmentChecklist, child, csc_social_worker, today() - timedelta(days=5))
    client.force_login(csc_team_manager)
    oversight = [row for row in rows(client.get(TASKS)) if "oversight" in row[2]]
    assert [row[2] for row in oversight] == [
        f"Assessment checklist by {csc_social_worker.get_full_name()}: awaiting your oversight"
    ]
    Oversight.objects.create(
        child=child,
        tool_kind="checklist",
        tool_id=done.pk,
        tool_version=done.version,
        completed_on=done.completed_on,
        judgement="agree",
        reason="Thorough",
        manager=csc_team_manager,
        manager_agency=csc_team_manager.agency,
    )
    assert not [row for row in rows(client.get(TASKS)) if "oversight" in row[2]]


def test_a_team_manager_who_picks_a_worker_sees_the_tools_that_worker_completed_awaiting_oversight(
    client, csc, csc_team_manager, csc_social_worker
):
    colleague = UserFactory(agency=csc, role=User.Role.PRACTITIONER)
    child = ChildFactory(allocated_worker=csc_social_worker)
    tool(AssessmentChecklist, child, csc_social_worker, today() - timedelta(days=5))
    tool(DayInMyLife, child, colleague, today() - timedelta(days=4))
    client.force_login(csc_team_manager)
    picked = rows(client.get(TASKS, {"team": "all", "worker": csc_social_worker.pk}))
    worker = csc_social_worker.get_full_name()
    # Only the picked worker's tool, shown against them: the colleague's waits on the full list.
    assert [(row[2], row[3]) for row in picked if "oversight" in row[2]] == [
        (f"Assessment checklist by {worker}: awaiting your oversight", worker)
    ]
    everyone = rows(client.get(TASKS, {"team": "all"}))
    assert len([row for row in everyone if "oversight" in row[2]]) == 2


def test_a_team_manager_sees_their_own_team_first_and_can_pick_another_or_all(
    client, csc, csc_team_manager, csc_social_worker
):
    north, south = TeamFactory(agency=csc, name="North"), TeamFactory(agency=csc, name="South")
    for user, team in ((csc_team_manager, north), (csc_social_worker, north)):
        user.team = team
        user.save()
    southern = UserFactory(agency=csc, role=User.Role.PRACTITIONER, team=south)
    ours, theirs = on_neglect_plan(csc_social_worker), on_neglect_plan(southern)
    client.force_login(csc_team_manager)
    assert {row[1] for row in rows(client.get(TASKS))} == {ours.full_name}
    assert {row[1] for row in rows(client.get(TASKS, {"team": south.pk}))} == {theirs.full_name}
    assert {row[1] for row in rows(client.get(TASKS, {"team": "all"}))} == {
        ours.full_name,
        theirs.full_name,
    }


def test_a_partners_cp_review_task_opens_the_plan_which_they_may_read(client, health_visitor):
    child = ChildFactory()
    plan = cp_plan(child, today() - relativedelta(months=4))
    InvolvementFactory(child=child, agency=health_visitor.agency, lead_worker=health_visitor)
    client.force_login(health_visitor)
    html = client.get(TASKS).content.decode()
    plan_url = reverse("cases:plan", args=["cp-plan", plan.pk])
    assert f'href="{plan_url}"' in html
    assert reverse("cases:cp_review_add", args=[plan.pk]) not in html
    assert client.get(plan_url).status_code == 200
