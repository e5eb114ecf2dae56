from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dataset.demo_audits import load_demo_audits


class Command(BaseCommand):
    help = (
        "Add the demo's audit rounds, last year's closed and this year's in progress "
        "(development only; `make run` runs it after generating the children it samples). "
        "Does nothing once they are there."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only; DEBUG is False.")
        said = load_demo_audits()
        self.stdout.write(said or "Demo audits already there: nothing added.")
