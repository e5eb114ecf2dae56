"""Calculate and store the figures of every quarter the dataset pages offer, now, without the
worker (after loading data, or to see how long it takes); `--schedule` also queues the
worker's nightly recalculation."""

import time

from django.core.management.base import BaseCommand

from dataset import live


class Command(BaseCommand):
    help = "Calculate the stored figures of every quarter the dataset pages offer."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", action="store_true", help="Also queue the nightly recalculation."
        )

    def handle(self, *args, schedule=False, **options):
        started = time.monotonic()
        stored = live.refresh(live.every_offered_quarter())
        self.stdout.write(
            f"Figures stored for {len(stored)} quarters in {time.monotonic() - started:.1f} s"
        )
        if schedule:
            when = live.schedule_nightly()
            self.stdout.write(f"Next nightly recalculation: {when:%Y-%m-%d %H:%M}")
