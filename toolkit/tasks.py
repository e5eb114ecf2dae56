"""Background tasks (django-tasks; the worker is django-tasks-db's `db_worker` command)."""

from datetime import datetime, time

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from neglect_portal.dates import next_at, today

from .reminders import send_digests

# When the digest goes out each day, in the portal's time zone (Europe/London).
REMINDERS_AT = time(7, 0)


@task()
def send_daily_reminders() -> int:
    """Today's digests, then the next day's run queued: the worker keeps the schedule."""
    try:
        return send_digests(on=today(), say=lambda line: None)
    finally:
        schedule_next_reminders()


def next_run(now: datetime) -> datetime:
    """The next REMINDERS_AT after `now`, in the portal's time zone."""
    return next_at(now, REMINDERS_AT)


def schedule_next_reminders() -> datetime:
    """Queue the next run at 07:00, unless one is already waiting; when it is queued for."""
    waiting = DBTaskResult.objects.filter(
        task_path=send_daily_reminders.module_path, status=TaskResultStatus.READY
    ).order_by("run_after")
    queued = waiting.first()
    if queued is not None:
        return queued.run_after
    when = next_run(timezone.now())
    send_daily_reminders.using(run_after=when).enqueue()
    return when
