"""Background tasks (django-tasks; the worker is django-tasks-db's `db_worker` command)."""

from django_tasks import task

from .census_runs import import_kept_upload


@task()
def import_census_run(run_id: int) -> None:
    """Import an uploaded census file (cases.census_runs); the result is on the run."""
    import_kept_upload(run_id)
