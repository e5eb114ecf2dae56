from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases import census_runs
from cases.models import CensusImportRun

REASON_MAX_LENGTH = CensusImportRun._meta.get_field("reason").max_length


def _line(problem):
    rule = f"[{problem['rule']}] " if problem.get("rule") else ""
    where = f" (line {problem['line']})" if problem["line"] else ""
    return f"{problem['child']} / {problem['element']}: {rule}{problem['message']}{where}"


class Command(BaseCommand):
    help = (
        "Import a DfE Children in Need census XML file. All or nothing: when the file has any "
        "problem, every problem is listed and nothing is saved. Recorded as an import run, "
        "like an upload, but imported here and now rather than by the background worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the census XML file")
        parser.add_argument(
            "--user", metavar="USERNAME", help="the portal user to record in each record's history"
        )
        parser.add_argument(
            "--allow-older",
            action="store_true",
            help="import a file older than the newest one imported (needs --reason)",
        )
        parser.add_argument("--reason", default="", help="why an older file is imported")

    def handle(self, *args, file, user=None, allow_older=False, reason="", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}")
        reason = reason.strip()
        if allow_older and not reason:
            raise CommandError('Give the reason for importing an older file: --reason "…"')
        if len(reason) > REASON_MAX_LENGTH:
            raise CommandError(f"The reason must be {REASON_MAX_LENGTH} characters or fewer")
        run = census_runs.run_for_file(
            path, user=self._user(user), allow_older=allow_older, reason=reason
        )
        self.stdout.write(f"Import run {run.pk}")
        run = census_runs.perform(run, path, tell=self._progress)
        if run.identical_to_id:
            self.stdout.write(f"The file is identical to run {run.identical_to_id}.")
        if run.status == CensusImportRun.Status.FAILED:
            raise CommandError(run.failure)
        if run.status == CensusImportRun.Status.REFUSED:
            for problem in run.problems:
                self.stderr.write(_line(problem))
            count = run.problem_count
            if count > len(run.problems):
                self.stderr.write(f"… and {count - len(run.problems)} more.")
            raise CommandError(
                f"The file was not imported: {count} problem{'s' if count != 1 else ''}. "
                "Nothing was saved."
            )
        self.stdout.write(self.style.SUCCESS("The file was imported."))
        if run.query_count:
            self.stdout.write(
                f"DfE queries to check ({run.query_count}); they did not stop the import:"
            )
            for query in run.queries:
                self.stdout.write(_line(query))
        self.stdout.write(f"{'Record type':<26}{'Created':>9}{'Updated':>9}{'Unchanged':>11}")
        for label, created, updated, unchanged in census_runs.counts_rows(run):
            self.stdout.write(f"{label:<26}{created:>9}{updated:>9}{unchanged:>11}")

    def _progress(self, run):
        total = run.children_total if run.children_total is not None else "?"
        self.stdout.write(f"{run.get_stage_display()}: {run.children_read} of {total} children")

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user called {username}") from None
