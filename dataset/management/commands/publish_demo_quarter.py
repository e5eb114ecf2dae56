from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dataset.demo_data import publish_demo_quarter


class Command(BaseCommand):
    help = (
        "Publish the demo's quarter before the latest complete one (development only; "
        "`make run` runs it after generating the records). Does nothing once it is published."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only; DEBUG is False.")
        quarter = publish_demo_quarter()
        if quarter is not None:
            self.stdout.write(f"Demo dataset: {quarter} published.")
