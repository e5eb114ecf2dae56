from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.demo_data import add_demo_duplicate, generate_demo_data
from cases.models import Child
from neglect_portal.demo import load_demo_people


class Command(BaseCommand):
    help = (
        "Generate synthetic children and case records over the last three financial years "
        "and this one, for demonstrations and benchmarks (development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--children",
            type=int,
            default=2000,
            help="How many children to create (default 2000, county-like).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed: the same seed gives the same records (default 1).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any child already exists (for `make run`).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Children written per transaction (default 5000).",
        )
        parser.add_argument(
            "--no-history",
            action="store_false",
            dest="history",
            help="Skip simple-history rows (faster, for benchmarks).",
        )
        parser.add_argument(
            "--possible-duplicate",
            action="store_true",
            help="Then refer one generated child again as a partner would, under a new id, so "
            "the possible duplicates page has a pair to show (for `make run`).",
        )
        parser.add_argument(
            "--no-toolkit",
            action="store_false",
            dest="toolkit",
            help="Skip the records other apps add to each child, the toolkit's (the case "
            "records stay the same).",
        )

    def handle(
        self,
        *args,
        children,
        seed,
        if_empty,
        batch_size,
        history,
        toolkit,
        possible_duplicate,
        **options,
    ):
        if not settings.DEBUG:
            raise CommandError("Demo data is for development and benchmarks only; set DEBUG=True")
        if children < 0:
            raise CommandError("--children must be 0 or more")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if if_empty and Child.objects.exists():
            self.stdout.write("Children already exist: no demo data generated.")
            return
        load_demo_people()
        verbosity = options["verbosity"]

        def progress(done, total, seconds):
            if verbosity >= 1 and total > batch_size:
                self.stdout.write(f"  {done:,} of {total:,} children ({seconds:.0f}s)")

        counts = generate_demo_data(
            children,
            seed=seed,
            batch_size=batch_size,
            history=history,
            extensions=toolkit,
            progress=progress,
        )
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {summary or 'nothing'} (seed {seed}"
                f"{'' if history else ', no history rows'}{'' if toolkit else ', no toolkit'})."
            )
        )
        if possible_duplicate and add_demo_duplicate():
            self.stdout.write("One child referred again by a partner: a possible duplicate.")
