"""Issue 13's "Done when", end to end in Chromium: a practitioner acts on each overdue task on
*My tasks* and sees it leave the list; a team manager reads the caseload by worker, records
oversight on a tool the worker completed and sees that task go; the daily email can be turned
off and on; the reminders' dry run names no child; *My tasks* fits a phone's screen."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.models import Agency, User
from tests.dataset.builders import tool
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    CPPlanFactory,
    NextStepFactory,
    NextStepsFactory,
    TeamFactory,
    UserFactory,
)
from toolkit.models import (
    AssessmentChecklist,
    ChronologyEntry,
    DayInMyLife,
    NextStep,
    Oversight,
    ParentChildObservation,
    ReminderSettings,
    ToolInformed,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHRONOLOGY_TASK = "Impact chronology: never completed"
STEP_TASK = "Next step 1: overdue"
REVIEW_TASK = "First child protection review: overdue"
PHONE = {"width": 375, "height": 812}
WIDTHS = "[document.documentElement.scrollWidth, window.innerWidth]"
# Far from any count the digest prints, so finding it in the output means the child leaked.
CHILD_PK = 480_213


@pytest.fixture
def team(transactional_db):
    csc = AgencyFactory(name="Children's Social Care", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
    team = TeamFactory(agency=csc, name="Safeguarding North", locality="North")
    worker = UserFactory(
        username="sam",
        first_name="Sam",
        last_name="Carter",
        agency=csc,
        team=team,
        role=User.Role.PRACTITIONER,
    )
    manager = UserFactory(
        username="priya",
        first_name="Priya",
        last_name="Shah",
        agency=csc,
        team=team,
        role=User.Role.TEAM_MANAGER,
    )
    return worker, manager


def _child_on_a_neglect_plan(worker, *, started_days_ago=100):
    """Allocated to `worker`, on a CP plan (neglect) whose first review, due 3 months after
    its start, is overdue."""
    start = dates.today() - timedelta(days=started_days_ago)
    return CPPlanFactory(
        latest_category="NEG",
        start_date=start,
        referral__referral_date=start - timedelta(days=10),
        referral__child__pk=CHILD_PK,
        referral__child__given_name="Ruby",
        referral__child__family_name="Follow",
        referral__child__la_child_id="LA0480213",
        referral__child__allocated_worker=worker,
    ).referral.child


@pytest.fixture
def practitioners_tasks(team):
    """The worker's child with three overdue tasks: the chronology never started (the other
    mandatory tools completed 10 days ago), a next step they own due a week ago, and the first
    CP review."""
    worker, _ = team
    child = _child_on_a_neglect_plan(worker)
    ten_days_ago = dates.today() - timedelta(days=10)
    tool(DayInMyLife, child, worker, ten_days_ago, day_version="school_age")
    tool(AssessmentChecklist, child, worker, ten_days_ago)
    tool(ParentChildObservation, child, worker, ten_days_ago)
    analysis = NextStepsFactory(child=child, author=worker)
    step = NextStepFactory(
        analysis=analysis,
        position=1,
        what="Family group conference",
        owner=worker,
        owner_name="",
        owner_role="",
        due_on=dates.today() - timedelta(days=7),
    )
    return child, step


@pytest.fixture
def awaiting_oversight(team):
    """The worker's child whose only completed tool, an assessment checklist of 3 days ago,
    nobody has overseen yet."""
    worker, _ = team
    child = _child_on_a_neglect_plan(worker)
    checklist = tool(AssessmentChecklist, child, worker, dates.today() - timedelta(days=3))
    return child, checklist


def _task_row(page, what):
    return page.locator("#tasks tbody tr").filter(has_text=what)


def _open_my_tasks_from_home(page, live_server, name="My tasks"):
    page.goto(f"{live_server.url}/")
    page.locator("main").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _fill_date(scope, day):
    scope.get_by_label("Day", exact=True).fill(str(day.day))
    scope.get_by_label("Month").fill(str(day.month))
    scope.get_by_label("Year").fill(str(day.year))


def test_a_practitioner_acts_on_each_overdue_task_and_sees_it_leave_my_tasks(
    page, live_server, team, practitioners_tasks, sign_in, assert_accessible
):
    worker, _ = team
    child, step = practitioners_tasks
    today = dates.today()
    sign_in("sam", PASSWORD)
    _open_my_tasks_from_home(page, live_server)
    expect(page.locator("#task-count")).to_have_text("3 tasks, 3 overdue.")
    for what in (CHRONOLOGY_TASK, STEP_TASK, REVIEW_TASK):
        row = _task_row(page, what)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Ruby Follow")
        expect(row.locator(".govuk-tag")).to_have_text("Overdue")
    assert_accessible(page)

    # The review, recorded with the tools current today ticked as having informed it.
    _task_row(page, REVIEW_TASK).get_by_role("link", name="Record the review").click()
    expect(page.get_by_role("heading", name="Record a child protection review")).to_be_visible()
    informing = page.get_by_role("group", name="Which completed tools informed the review?")
    expect(informing.get_by_role("checkbox")).to_have_count(4)
    for label in ("Day in my life", "Assessment checklist", "Parent–child observation"):
        expect(informing.get_by_label(f"{label}, completed")).to_be_checked()
    assert_accessible(page)
    _fill_date(page, today)
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_role("heading", name="Child protection review")).to_be_visible()
    informed = set(ToolInformed.objects.filter(cp_review__isnull=False).values_list("tool_kind"))
    assert {("day",), ("checklist",), ("observation",)} <= informed
    page.goto(f"{live_server.url}/tasks/")
    expect(_task_row(page, REVIEW_TASK)).to_have_count(0)
    expect(page.locator("#task-count")).to_have_text("2 tasks, 2 overdue.")

    # The next step, marked done on the completed analysis without reopening it.
    _task_row(page, STEP_TASK).get_by_role("link", name="Update it").click()
    card = page.locator(f"#next-step-{step.pk}")
    expect(card.locator(".govuk-tag")).to_have_text("Overdue")
    assert_accessible(page)
    card.get_by_text("Update next step 1").click()
    card.get_by_label("Done").check()
    _fill_date(card.get_by_role("group", name="If it is done, the date it was done"), today)
    card.get_by_role("button", name="Save the status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Next step updated")
    page.goto(f"{live_server.url}/tasks/")
    expect(_task_row(page, STEP_TASK)).to_have_count(0)
    expect(page.locator("#task-count")).to_have_text("1 task, 1 overdue.")

    # The chronology, started with its first entry.
    _task_row(page, CHRONOLOGY_TASK).get_by_role("link", name="Open the chronology").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("chronology")
    assert_accessible(page)
    page.get_by_role("link", name="Add to the chronology").click()
    _fill_date(page.get_by_role("group", name="Date of the event"), today - timedelta(days=2))
    page.get_by_label("What happened").fill("Not brought to the dentist")
    page.get_by_label("Negative").check()
    page.get_by_label("How it affected the child").fill("Toothache for a week")
    assert_accessible(page)
    page.get_by_role("button", name="Add to chronology").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Entry added to the chronology"
    )
    page.goto(f"{live_server.url}/tasks/")
    expect(page.locator("#tasks")).to_have_count(0)
    expect(page.locator("#no-tasks")).to_have_text("Nothing is due.")
    assert_accessible(page)

    step.refresh_from_db()
    assert step.status == NextStep.Status.DONE
    assert ChronologyEntry.objects.get().author == worker


def test_a_team_manager_reads_the_caseload_records_oversight_and_sees_the_task_go(
    page, live_server, team, awaiting_oversight, sign_in, assert_accessible
):
    worker, manager = team
    child, checklist = awaiting_oversight
    sign_in("priya", PASSWORD)
    _open_my_tasks_from_home(page, live_server, name="Your team's tasks")
    page.get_by_role("link", name="Caseload by worker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload by worker")
    line = page.locator("#caseload tbody tr").filter(has_text="Sam Carter")
    cells = line.locator("td")
    # Children, on a CP plan, on a CIN plan, overdue tools (the chronology, day in my life
    # and observation never completed), overdue CP reviews, oldest draft.
    expect(cells).to_have_text(["1", "1", "0", "3", "1", "No drafts"])
    expect(
        page.locator("#caseload tbody tr").filter(has_text="Priya Shah").locator("td")
    ).to_have_text(["0", "0", "0", "0", "0", "No drafts"])
    assert_accessible(page)

    line.get_by_role("link", name="Sam Carter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team's tasks")
    expect(page.get_by_label("Worker")).to_have_value(str(worker.pk))
    workers_tasks = page.url
    expect(_task_row(page, REVIEW_TASK)).to_contain_text("Sam Carter")
    expect(_task_row(page, CHRONOLOGY_TASK)).to_have_count(1)
    oversight = "Assessment checklist by Sam Carter: awaiting your oversight"
    row = _task_row(page, oversight)
    expect(row).to_have_count(1)
    assert_accessible(page)

    row.get_by_role("link", name="Record oversight").click()
    expect(page.get_by_text("Awaiting manager oversight")).to_be_visible()
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Why?").fill("The ratings fit what the home visits found")
    page.get_by_role("button", name="Record oversight").click()
    expect(page.get_by_text("Management oversight recorded")).to_be_visible()
    assert_accessible(page)

    page.goto(workers_tasks)
    expect(_task_row(page, REVIEW_TASK)).to_have_count(1)
    expect(_task_row(page, oversight)).to_have_count(0)
    page.goto(f"{live_server.url}/tasks/")
    expect(_task_row(page, REVIEW_TASK)).to_have_count(1)
    expect(_task_row(page, oversight)).to_have_count(0)
    recorded = Oversight.objects.get()
    assert (recorded.tool_kind, recorded.tool_id, recorded.manager) == (
        "checklist",
        checklist.pk,
        manager,
    )


def test_a_practitioner_turns_the_daily_email_off_and_on(
    page, live_server, team, sign_in, assert_accessible
):
    worker, _ = team
    sign_in("sam", PASSWORD)
    page.goto(f"{live_server.url}/tasks/")
    page.get_by_role("link", name="Daily email of your tasks").click()
    box = page.get_by_label("Send me a daily email of my tasks")
    expect(box).to_be_checked()  # on until turned off
    assert_accessible(page)

    box.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Emails turned off")
    assert_accessible(page)
    assert ReminderSettings.objects.get(user=worker).digest is False

    page.goto(f"{live_server.url}/tasks/email/")
    box = page.get_by_label("Send me a daily email of my tasks")
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You will get the daily email"
    )
    assert ReminderSettings.objects.get(user=worker).digest is True


def test_the_reminders_dry_run_lists_each_digest_with_counts_and_names_no_child(
    team, practitioners_tasks, mailoutbox
):
    child, _ = practitioners_tasks
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()

    assert (
        "sam: 1 mandatory tool (1 overdue), 1 next step (1 overdue), "
        "1 child protection review (1 overdue)"
    ) in lines
    # The manager's digest counts the team: the worker's three, and the four tools the worker
    # completed that await the manager's oversight.
    manager_line = next(line for line in lines if line.startswith("priya: "))
    assert "1 mandatory tool (1 overdue)" in manager_line
    assert "4 tools awaiting your oversight" in manager_line
    assert lines[-1] == "Dry run: nothing was sent."
    output = out.getvalue()
    for identifier in (child.given_name, child.family_name, child.full_name, child.la_child_id):
        assert identifier not in output
    assert not re.search(rf"\b{child.pk}\b", output)
    assert mailoutbox == []


def test_my_tasks_does_not_scroll_sideways_on_a_phone(
    page, live_server, team, practitioners_tasks, sign_in, assert_accessible
):
    page.set_viewport_size(PHONE)
    sign_in("sam", PASSWORD)
    page.goto(f"{live_server.url}/tasks/")
    expect(_task_row(page, REVIEW_TASK)).to_have_count(1)
    width, screen = page.evaluate(WIDTHS)
    assert width <= screen, f"My tasks is {width} px wide on a {screen} px screen"
    assert_accessible(page)


def test_a_next_steps_history_and_the_plan_page_read_as_they_should(
    page, live_server, team, practitioners_tasks, sign_in, assert_accessible
):
    child, step = practitioners_tasks
    sign_in("sam", PASSWORD)
    page.goto(f"{live_server.url}/tools/next-steps/{step.analysis_id}/")
    page.get_by_role("link", name="History of next step 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("next step")
    expect(page.locator("main")).to_contain_text("Family group conference")
    assert_accessible(page)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_role("link", name=re.compile(r"^Child protection plan ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Child protection plan")
    assert_accessible(page)
