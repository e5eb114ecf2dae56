"""The daily digest of *My tasks* (`manage.py send_reminders`).

One email per worker who has overdue tasks or tasks the previous digest did not count: counts
of each kind of task and a link, and never a child's name or identifier (domain.md §7). A team
manager's digest counts their team's tasks. Sent through Django's email backend: the console
in development, SMTP or GOV.UK Notify in production.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from neglect_portal import access
from neglect_portal.models import User

from .models import ReminderSettings
from .my_tasks import Kind, Task, own_team, workload

logger = logging.getLogger(__name__)

SUBJECT = "Neglect Portal: your tasks"
TEAM_SUBJECT = "Neglect Portal: your team's tasks"

_WORDS = {
    Kind.TOOL: ("mandatory tool", "mandatory tools"),
    Kind.SDQ_NEEDED: ("SDQ needed", "SDQs needed"),
    Kind.NEXT_STEP: ("next step", "next steps"),
    Kind.CP_REVIEW: ("child protection review", "child protection reviews"),
    Kind.REOPENED: ("reopened tool", "reopened tools"),
    Kind.DRAFT: ("draft not saved for 14 days", "drafts not saved for 14 days"),
    Kind.OVERSIGHT: ("tool awaiting your oversight", "tools awaiting your oversight"),
}


@dataclass(frozen=True)
class Digest:
    user: User
    for_team: bool
    # {kind: (tasks, of which overdue)}
    counts: dict[Kind, tuple[int, int]]
    keys: list[str]

    @property
    def total(self) -> int:
        return sum(n for n, _ in self.counts.values())

    @property
    def overdue(self) -> int:
        return sum(late for _, late in self.counts.values())

    def summary(self) -> str:
        """The counts in words: the dry run's line and the email's list."""
        parts = []
        for kind, (n, late) in self.counts.items():
            one, many = _WORDS[kind]
            parts.append(f"{n} {one if n == 1 else many}" + (f" ({late} overdue)" if late else ""))
        return ", ".join(parts)

    def body(self) -> str:
        url = settings.PORTAL_URL.rstrip("/") + reverse("toolkit:my_tasks")
        whose = "Your team has" if self.for_team else "You have"
        lines = [
            f"{whose} {self.total} task{'s' if self.total != 1 else ''} in the Neglect Portal, "
            f"{self.overdue} overdue:",
            "",
            *(f"- {part}" for part in self.summary().split(", ")),
            "",
            f"See them and act on them: {url}",
            "",
            "You can turn this email off on the same page.",
        ]
        return "\n".join(lines)


def _key(task: Task) -> str:
    """The task, by kind and record ids only: never its words (a reopen reason, a name)."""
    name, args = task.link
    late = "overdue" if task.overdue else "due"
    return f"{task.kind}:{task.worker_id}:{task.child.pk}:{name}:{':'.join(map(str, args))}:{late}"


def digest_for(user: User, *, on: date) -> Digest | None:
    """The user's digest, or None when there is nothing overdue and nothing new."""
    for_team = access.oversees_workers(user)
    workers = own_team(user) if for_team else [user]
    tasks = workload(workers, viewer=user, on=on).tasks
    if not tasks:
        return None
    keys = sorted({_key(task) for task in tasks})
    told = set(_settings(user).last_tasks)
    if not any(task.overdue for task in tasks) and told.issuperset(keys):
        return None
    counted = Counter(task.kind for task in tasks)
    late = Counter(task.kind for task in tasks if task.overdue)
    counts = {kind: (counted[kind], late[kind]) for kind in Kind if counted[kind]}
    return Digest(user, for_team, counts, keys)


def _settings(user: User) -> ReminderSettings:
    try:
        return user.reminder_settings  # type: ignore[attr-defined]
    except ReminderSettings.DoesNotExist:
        return ReminderSettings(user=user)


def recipients() -> Iterable[User]:
    """Everyone who works cases and has not turned the digest off, with an email address."""
    return (
        User.objects.filter(
            is_active=True, role__in=[User.Role.PRACTITIONER, User.Role.TEAM_MANAGER]
        )
        .exclude(email="")
        .exclude(reminder_settings__digest=False)
        .select_related("agency", "reminder_settings")
        .order_by("username")
    )


def send_digests(*, on: date, dry_run: bool = False, say: Callable[[str], None] = print) -> int:
    """Send (or with `dry_run` only describe) each recipient's digest; the number sent."""
    sent = 0
    for user in recipients():
        digest = digest_for(user, on=on)
        if digest is None:
            continue
        say(f"{user.username}: {digest.summary()}")
        if dry_run:
            continue
        try:
            with transaction.atomic():
                send_mail(
                    TEAM_SUBJECT if digest.for_team else SUBJECT,
                    digest.body(),
                    None,
                    [user.email],
                )
                record = _settings(user)
                record.last_sent_on, record.last_tasks = on, digest.keys
                record.save()
        except Exception as error:  # one bad address must not stop the others
            # The username only: the error may quote the address or the message.
            logger.warning(
                "Reminder digest for %s not sent (%s)", user.username, type(error).__name__
            )
            say(f"{user.username}: not sent ({type(error).__name__}); tried again tomorrow")
            continue
        sent += 1
    return sent
