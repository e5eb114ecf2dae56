"""Send each worker their daily digest of *My tasks* (toolkit/reminders.py).

Run it daily from cron, or let the background worker run it: `--schedule` queues the next
day's run, and each run queues the one after (see README, "Reminders").
"""

from django.core.management.base import BaseCommand

from neglect_portal.dates import today
from toolkit.reminders import send_digests
from toolkit.tasks import schedule_next_reminders


class Command(BaseCommand):
    help = "Email each worker a digest of their tasks: counts and a link, no child named."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="send nothing: print each digest's user and counts",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="send nothing now: queue the daily run in the background worker",
        )

    def handle(self, *args, dry_run=False, schedule=False, **options):
        if schedule:
            when = schedule_next_reminders()
            self.stdout.write(f"Reminders are queued for {when:%Y-%m-%d %H:%M %Z}.")
            return
        sent = send_digests(on=today(), dry_run=dry_run, say=self.stdout.write)
        if dry_run:
            self.stdout.write("Dry run: nothing was sent.")
        else:
            self.stdout.write(f"Sent {sent} digest{'s' if sent != 1 else ''}.")
