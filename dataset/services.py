"""Writes to the dataset: publishing quarters and agency returns. Each is atomic."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from neglect_portal import dates
from neglect_portal.dates import long_date
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import StaleEdit

from .indicators import DEFINITIONS_VERSION
from .models import AgencyReturn, PublishedFigure, PublishedQuarter
from .selectors import live_figures


class PublishRefused(Exception):
    """The quarter cannot be published (or republished) as asked; the message says why."""


def _check_closed(quarter: Quarter, today: date) -> None:
    if quarter.end >= today:
        raise PublishRefused(
            f"{quarter} cannot be published until it has ended: its last day "
            f"is {long_date(quarter.end)}"
        )


@transaction.atomic
def quarter_publish(*, quarter: Quarter, user: User, today: date | None = None) -> PublishedQuarter:
    """Store a closed quarter's figures as published, with the definitions' version."""
    _check_closed(quarter, today or dates.today())
    if PublishedQuarter.objects.select_for_update().filter(quarter=quarter).exists():
        raise PublishRefused(f"{quarter} is already published: republish it to replace its figures")
    published = PublishedQuarter(
        quarter=quarter, definitions_version=DEFINITIONS_VERSION, published_by=user
    )
    attributed(published, user=user).save()
    for figure in live_figures(quarter).values():
        row = PublishedFigure.from_figure(figure, published_quarter=published)
        attributed(row, user=user).save()
    return published


@transaction.atomic
def quarter_republish(
    *,
    quarter: Quarter,
    user: User,
    reason: str,
    expected_publication: int,
    today: date | None = None,
) -> PublishedQuarter:
    """Replace a published quarter's figures with a fresh computation.

    Explicit (a reason is required) and kept: history holds the earlier figures, who
    published them and when. `expected_publication` is the publication the user looked at, so
    two administrators cannot republish over each other unseen.
    """
    _check_closed(quarter, today or dates.today())
    if not reason.strip():
        raise PublishRefused("Enter why the quarter is being published again")
    try:
        published = PublishedQuarter.objects.select_for_update().get(quarter=quarter)
    except PublishedQuarter.DoesNotExist:
        raise PublishRefused(f"{quarter} has not been published yet") from None
    if published.publication != expected_publication:
        raise StaleEdit(published)
    stored = {row.code: row for row in published.figures.all()}
    for code, figure in live_figures(quarter).items():
        row = stored.pop(code, None) or PublishedFigure(published_quarter=published, code=code)
        if row.pk and row.as_figure() == figure:
            continue
        row.numerator, row.denominator = figure.numerator, figure.denominator
        row.value = PublishedFigure.from_figure(figure).value
        attributed(row, user=user, reason=reason).save()
    for row in stored.values():  # an indicator no longer computed
        attributed(row, user=user, reason=reason).delete()
    published.publication += 1
    published.definitions_version = DEFINITIONS_VERSION
    published.published_by = user
    published.published_at = timezone.now()
    published.reason = reason
    attributed(published, user=user, reason=reason).save()
    return published


@transaction.atomic
def agency_return_submit(
    *,
    agency: Agency,
    quarter: Quarter,
    staff_trained: int,
    target_workforce: int,
    narrative: str = "",
    user: User,
    expected_version: int | None = None,
    today: date | None = None,
) -> AgencyReturn:
    """Submit or correct an agency's return for a quarter that has started.

    A correction must name the version it edits (`expected_version`), so a stale form is
    refused (StaleEdit) rather than saved over someone else's figures.
    """
    today = today or dates.today()
    if quarter.start > today:
        raise ValidationError(
            {
                "quarter": f"A return for {quarter} can be submitted once the "
                f"quarter starts on {long_date(quarter.start)}"
            }
        )
    # Locking the agency serialises two first submissions for the same quarter.
    Agency.objects.select_for_update().get(pk=agency.pk)
    existing = AgencyReturn.objects.filter(agency=agency, quarter=quarter).first()
    if existing is not None and existing.version != expected_version:
        raise StaleEdit(existing)
    submitted = existing or AgencyReturn(agency=agency, quarter=quarter)
    submitted.staff_trained = staff_trained
    submitted.target_workforce = target_workforce
    submitted.narrative = narrative
    submitted.submitted_by = user
    submitted.submitted_at = timezone.now()
    submitted.full_clean()
    if existing is not None:
        submitted.version += 1
    attributed(submitted, user=user).save()
    return submitted
