"""The daily digest: counts and a link, never a child; only when something is overdue or new."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from neglect_portal.dates import today
from neglect_portal.models import User
from tests.dataset.builders import cp_plan, tool
from tests.factories import ChildFactory, UserFactory
from toolkit.models import (
    AssessmentChecklist,
    DayInMyLife,
    ParentChildObservation,
    ReminderSettings,
)
from toolkit.reminders import send_digests
from toolkit.tasks import next_run, schedule_next_reminders, send_daily_reminders

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def worker(csc):
    return UserFactory(
        username="worker", agency=csc, role=User.Role.PRACTITIONER, email="worker@example.org"
    )


def child_with_tools_due(worker, **names):
    """A child on a neglect plan with the day in my life tool never completed (overdue)."""
    child = ChildFactory(allocated_worker=worker, **names)
    cp_plan(child, today() - timedelta(days=30))
    for model in (AssessmentChecklist, ParentChildObservation):
        tool(model, child, worker, today())
    return child


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_lists_each_digest_with_counts_and_no_child(worker):
    child = child_with_tools_due(worker, given_name="Amara", family_name="Okafor")
    printed = run("--dry-run")
    assert "worker: 2 mandatory tools (2 overdue)" in printed  # day in my life, chronology
    assert "Dry run: nothing was sent." in printed
    for identifying in (child.given_name, child.family_name, child.la_child_id, str(child.pk)):
        assert identifying not in printed
    assert mail.outbox == []


def test_a_digest_holds_counts_and_a_link_and_never_a_childs_name_or_id(worker, settings):
    settings.PORTAL_URL = "https://neglect.example.org"
    child = child_with_tools_due(worker, given_name="Amara", family_name="Okafor")
    draft = tool(
        DayInMyLife,
        child,
        worker,
        None,
        status="draft",
        reopen_reason="Add the visit",
        reopened_on=today(),
        previous_completed_on=today() - timedelta(days=9),
    )
    assert "Sent 1 digest." in run()
    (sent,) = mail.outbox
    assert sent.to == ["worker@example.org"]
    assert sent.subject == "Neglect Portal: your tasks"
    # The reopened tool counts as it was (completed 9 days ago): only the chronology is overdue.
    assert "You have 2 tasks in the Neglect Portal, 1 overdue" in sent.body
    assert "- 1 reopened tool" in sent.body
    assert "https://neglect.example.org/tasks/" in sent.body
    message = sent.subject + sent.body
    for identifying in (
        child.given_name,
        child.family_name,
        child.la_child_id,
        f"/{child.pk}/",
        f"/{draft.pk}/",
        "Add the visit",
    ):
        assert identifying not in message


def test_nothing_new_and_nothing_overdue_sends_nothing_the_next_day(worker):
    child = ChildFactory(allocated_worker=worker)
    _tool_due_soon(child, worker)
    assert "Sent 1 digest." in run()
    assert "Sent 0 digests." in run()
    assert len(mail.outbox) == 1
    # Something new: a second child's tools fall due.
    _tool_due_soon(ChildFactory(allocated_worker=worker), worker)
    assert "Sent 1 digest." in run()


def _tool_due_soon(child, worker):
    from dateutil.relativedelta import relativedelta

    from tests.dataset.builders import chronology_entry

    cp_plan(child, today() - timedelta(days=30))
    soon = today() - relativedelta(months=6) + timedelta(days=5)
    for model in (AssessmentChecklist, ParentChildObservation):
        tool(model, child, worker, today())
    tool(DayInMyLife, child, worker, soon)
    chronology_entry(child, worker, today())


def test_overdue_tasks_are_told_every_day(worker):
    child_with_tools_due(worker)
    run()
    run()
    assert len(mail.outbox) == 2


def test_someone_who_turned_the_digest_off_gets_none(client, worker):
    child_with_tools_due(worker)
    client.force_login(worker)
    page = reverse("toolkit:reminder_settings")
    assert "It never names a child" in client.get(page).content.decode()
    response = client.post(page, {})  # the box unticked
    assert response.status_code == 302
    assert ReminderSettings.objects.get(user=worker).digest is False
    assert "worker" not in run("--dry-run")
    client.post(page, {"digest": "on"})
    assert "worker: " in run("--dry-run")


def test_a_team_managers_digest_counts_the_team(csc, worker):
    UserFactory(agency=csc, role=User.Role.TEAM_MANAGER, email="manager@example.org")
    child_with_tools_due(worker)
    colleague = UserFactory(agency=csc, role=User.Role.PRACTITIONER)
    child_with_tools_due(colleague)
    run()
    (to_manager,) = [m for m in mail.outbox if m.to == ["manager@example.org"]]
    assert to_manager.subject == "Neglect Portal: your team's tasks"
    # Each worker's chronology and day in my life, and their two tools completed today, which
    # await the manager's oversight.
    assert "Your team has 8 tasks in the Neglect Portal, 4 overdue" in to_manager.body
    assert "- 4 tools awaiting your oversight" in to_manager.body


def test_people_without_an_email_address_or_outside_casework_get_none(csc, worker):
    child_with_tools_due(UserFactory(agency=csc, role=User.Role.PRACTITIONER, email=""))
    lead = UserFactory(agency=csc, role=User.Role.AGENCY_LEAD, email="lead@example.org")
    child_with_tools_due(lead)
    assert send_digests(on=today(), say=lambda line: None) == 0


def test_the_next_run_is_seven_oclock_london_time_across_the_clocks_changing():
    before = datetime(2026, 3, 28, 8, 0, tzinfo=LONDON)  # Saturday; clocks go forward Sunday
    assert next_run(before) == datetime(2026, 3, 29, 7, 0, tzinfo=LONDON)
    assert next_run(datetime(2026, 3, 29, 6, 59, tzinfo=LONDON)).hour == 7


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_scheduling_queues_one_run_and_each_run_queues_the_next(database_tasks, worker):
    child_with_tools_due(worker)
    first = schedule_next_reminders()
    assert schedule_next_reminders() == first  # not queued twice
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert waiting.count() == 1 and waiting.get().run_after == first
    assert "queued for" in run("--schedule")
    waiting.update(status=TaskResultStatus.SUCCESSFUL)
    assert send_daily_reminders.call() == 1
    assert len(mail.outbox) == 1
    (queued,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert queued.run_after == next_run(queued.enqueued_at)


def test_one_address_that_fails_does_not_stop_the_others(csc, monkeypatch):
    from toolkit import reminders

    workers = [
        UserFactory(username=f"w{n}", agency=csc, role=User.Role.PRACTITIONER, email=f"w{n}@x.org")
        for n in range(3)
    ]
    for worker in workers:
        child_with_tools_due(worker)
    real = reminders.send_mail

    def refusing_w0(subject, body, sender, to):
        if to == ["w0@x.org"]:
            raise OSError("Connection refused")
        return real(subject, body, sender, to)

    monkeypatch.setattr(reminders, "send_mail", refusing_w0)
    said = []
    assert send_digests(on=today(), say=said.append) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["w1@x.org", "w2@x.org"]
    assert "w0: not sent (OSError); tried again tomorrow" in said
    # Not marked as told, so tomorrow's digest still goes.
    assert not ReminderSettings.objects.filter(user=workers[0]).exists()


def test_what_a_digest_keeps_of_its_tasks_names_no_words(worker):
    child = child_with_tools_due(worker, given_name="Amara", family_name="Okafor")
    tool(
        DayInMyLife,
        child,
        worker,
        None,
        status="draft",
        reopen_reason="Mum disclosed a new partner",
        reopened_on=today(),
        previous_completed_on=today() - timedelta(days=9),
    )
    run()
    kept = " ".join(ReminderSettings.objects.get(user=worker).last_tasks)
    for words in ("Mum disclosed", "Amara", "Okafor", "Day in my life", child.la_child_id):
        assert words not in kept
