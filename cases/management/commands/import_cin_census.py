from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases.census_import import import_census


class Command(BaseCommand):
    help = (
        "Import a DfE Children in Need census XML file. All or nothing: when the file has any "
        "problem, every problem is listed and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the census XML file")
        parser.add_argument(
            "--user", metavar="USERNAME", help="the portal user to record in each record's history"
        )

    def handle(self, *args, file, user=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}")
        result = import_census(path, user=self._user(user))
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            count = len(result.problems)
            raise CommandError(
                f"The file was not imported: {count} problem{'s' if count != 1 else ''}. "
                "Nothing was saved."
            )
        self.stdout.write(self.style.SUCCESS("The file was imported."))
        self.stdout.write(f"{'Record type':<26}{'Created':>9}{'Updated':>9}")
        for label, created, updated in result.rows():
            self.stdout.write(f"{label:<26}{created:>9}{updated:>9}")

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user called {username}") from None
