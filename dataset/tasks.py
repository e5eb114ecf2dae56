"""Background tasks (django-tasks; the worker is django-tasks-db's `db_worker` command)."""

from django_tasks import task

from neglect_portal.dates import today
from neglect_portal.quarters import Quarter

from . import live, results

# Below the census imports and reminders: a recalculation is asked for again after every
# burst of changes, and must never keep an import waiting.
RECALCULATION_PRIORITY = -10


@task(priority=RECALCULATION_PRIORITY)
def refresh_live_figures(quarters: list[str] | None = None) -> list[str]:
    """Recalculate the stored figures of `quarters` (slugs; default: the quarter in progress
    and the one before it). The quarters stored."""
    wanted = (
        [Quarter.parse(slug) for slug in quarters] if quarters else live.recent_quarters(today())
    )
    # A worker stopped in the middle of a nightly run leaves none queued: any recalculation
    # queues it again.
    live.schedule_nightly()
    return [quarter.slug for quarter in live.refresh(wanted)]


@task(priority=RECALCULATION_PRIORITY)
def refresh_every_quarter() -> list[str]:
    """Every quarter the pages offer, recalculated, and the published quarters' counts of the
    records each agency may see counted again; then the next night's run queued."""
    try:
        stored = [quarter.slug for quarter in live.refresh(live.every_offered_quarter())]
        results.count_published_by_agency(today())
        return stored
    finally:
        live.schedule_nightly()
