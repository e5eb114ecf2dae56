"""Writes to the dataset: publishing quarters, agency returns, the indicators agencies submit
and targets. Each is atomic."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from neglect_portal import dates
from neglect_portal.dates import long_date
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import StaleEdit

from . import live, results, targets
from .computation import Figure
from .indicators import DEFINITIONS_VERSION, Unit
from .models import (
    AgencyReturn,
    PartnerFigure,
    PartnerIndicator,
    PublishedFigure,
    PublishedQuarter,
    Target,
)
from .selectors import indicators_by_code, live_figures


class PublishRefused(Exception):
    """The quarter cannot be published (or republished) as asked; the message says why."""


def _check_closed(quarter: Quarter, today: date) -> None:
    if quarter.end >= today:
        raise PublishRefused(
            f"{quarter} cannot be published until it has ended: its last day "
            f"is {long_date(quarter.end)}"
        )


def _published_result(published: PublishedQuarter) -> dict[str, Figure]:
    """The quarter's figures as last calculated, stored with their breakdowns and records as
    `published`'s: what the publishing page showed. Refused while they are being calculated
    (the page has asked the worker)."""
    result = results.publish(published)
    if result is None:
        raise PublishRefused(
            f"The figures for {published.quarter} are being calculated: publish them once "
            "this page shows them, in a minute or so"
        )
    # The quarter's live figures from now on: what later corrections make of it.
    live.request_refresh([published.quarter], settle=False)
    return results.figures(result)


@transaction.atomic
def quarter_publish(*, quarter: Quarter, user: User, today: date | None = None) -> PublishedQuarter:
    """Store a closed quarter's figures as published, with the definitions' version."""
    _check_closed(quarter, today or dates.today())
    if PublishedQuarter.objects.select_for_update().filter(quarter=quarter).exists():
        raise PublishRefused(f"{quarter} is already published: republish it to replace its figures")
    published = PublishedQuarter(
        quarter=quarter, definitions_version=DEFINITIONS_VERSION, published_by=user
    )
    try:
        # A savepoint: with no row yet the lock above held nothing, so a second "Publish"
        # sent at the same moment (a double click) meets the unique quarter here.
        with transaction.atomic():
            attributed(published, user=user).save()
    except IntegrityError:
        raise PublishRefused(
            f"{quarter} is already published: republish it to replace its figures"
        ) from None
    registry = indicators_by_code()
    book = targets.target_book(up_to=quarter)
    for figure in live_figures(quarter, _published_result(published)).values():
        row = PublishedFigure.from_figure(
            figure,
            registry.get(figure.code),
            published_quarter=published,
            **targets.published_fields(book, figure.code, quarter),
        )
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
    registry = indicators_by_code()
    book = targets.target_book(up_to=quarter)
    for code, figure in live_figures(quarter, _published_result(published)).items():
        fresh = PublishedFigure.from_figure(figure, registry.get(code))
        row = stored.pop(code, None) or PublishedFigure(published_quarter=published, code=code)
        # Published again, the figure takes the target in force now, as a first publication.
        target = targets.published_fields(book, code, quarter)
        same_target = all(getattr(row, name) == value for name, value in target.items())
        if (
            row.pk
            and row.as_figure() == figure
            and (row.title, row.definition_version) == (fresh.title, fresh.definition_version)
            and same_target
        ):
            continue
        row.numerator, row.denominator, row.value = fresh.numerator, fresh.denominator, fresh.value
        row.submitted = fresh.submitted
        row.title, row.definition_version = fresh.title, fresh.definition_version
        for name, value in target.items():
            setattr(row, name, value)
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


class TargetRefused(Exception):
    """The target cannot be set (or withdrawn) as asked; the message says why."""


@transaction.atomic
def target_set(
    *,
    code: str,
    applies_from: Quarter,
    value: Decimal | None,
    reason: str,
    user: User,
    expected_version: int,
) -> Target:
    """Set `code`'s target from `applies_from` on, or withdraw it from then (`value` None).

    Setting it again for the same quarter corrects that quarter's row; history keeps the
    earlier value, who set it and why. `expected_version` is the schedule the administrator
    looked at (targets.schedule_version): a change anyone saved to this indicator's targets
    since is refused (StaleEdit, with the row now deciding that quarter) rather than
    replaced unseen. KeyError for a code no indicator has.
    """
    indicator = targets.indicator_for(code)
    if not targets.can_have_target(indicator):
        raise TargetRefused(
            f"{indicator.title} describes need rather than practice, so it cannot have a target"
        )
    reason = reason.strip()
    if not reason:
        raise TargetRefused("Enter why the target is being set")
    if value is not None and (problem := targets.value_problem(indicator, value)):
        raise TargetRefused(problem)
    # Locking the schedule's rows serialises two changes to them; two first rows for the
    # same quarter meet the unique constraint below instead.
    schedule = list(Target.objects.select_for_update().filter(code=code).order_by("applies_from"))
    book = targets.TargetBook(schedule)
    if sum(row.version for row in schedule) != expected_version:
        raise StaleEdit(book.row_in_force(code, applies_from))
    if value is None and book.in_force(code, applies_from) is None:
        raise TargetRefused(f"There is no target in force for {applies_from} to withdraw")
    existing = next((row for row in schedule if row.applies_from == applies_from), None)
    row = existing or Target(code=code, applies_from=applies_from)
    row.value, row.reason = value, reason
    row.set_by, row.set_at = user, timezone.now()
    if existing is not None:
        row.version += 1
    row.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            attributed(row, user=user, reason=reason).save()
    except IntegrityError:
        # Someone saved the first row for this quarter at the same moment.
        raise StaleEdit(
            Target.objects.filter(code=code, applies_from=applies_from).first()
        ) from None
    return row


# Indicators submitted by agencies ------------------------------------------------------------


class IndicatorChangeRefused(Exception):
    """The definition cannot change as asked; the message says why, `field` what."""

    def __init__(self, message: str, field: str = "unit"):
        super().__init__(message)
        self.field = field


@transaction.atomic
def partner_indicator_add(
    *,
    code: str,
    title: str,
    definition: str,
    agency: Agency,
    kind: str,
    unit: str,
    counts: str,
    higher_is_better: bool,
    active: bool = True,
    user: User,
) -> PartnerIndicator:
    """Define an indicator an agency will submit each quarter, at version 1."""
    indicator = PartnerIndicator(
        code=code,
        title=title,
        definition=definition,
        agency=agency,
        kind=kind,
        unit=unit,
        counts=counts,
        higher_is_better=higher_is_better,
        active=active,
    )
    indicator.full_clean()
    attributed(indicator, user=user).save()
    return indicator


def partner_indicator_edit_mark(indicator: PartnerIndicator) -> int:
    """What an edit form carries to refuse a stale save: the latest history row's id. The
    definition's `version` counts changes of meaning only, so switching an indicator off
    would slip past it."""
    latest = indicator.history.order_by("-history_id").values_list("history_id", flat=True)
    return latest.first() or 0


@transaction.atomic
def partner_indicator_update(
    *,
    indicator: PartnerIndicator,
    user: User,
    expected_mark: int,
    changes: dict,
) -> PartnerIndicator:
    """Change a definition (not its code). A change of meaning (`MEANING_FIELDS`) is a new
    version; a unit cannot change once figures exist, as they were submitted for the old one.
    Refused (StaleEdit) when someone else saved it after `expected_mark` was read."""
    current = PartnerIndicator.objects.select_for_update().get(pk=indicator.pk)
    if partner_indicator_edit_mark(current) != expected_mark:
        raise StaleEdit(current)
    if changes.get("unit", current.unit) != current.unit and current.figures.exists():
        raise IndicatorChangeRefused(
            "The unit cannot change once figures have been submitted for it: switch this "
            "indicator off and define a new one"
        )
    if (
        changes.get("higher_is_better", current.higher_is_better) != current.higher_is_better
        and PublishedFigure.objects.filter(code=current.code, target_value__isnull=False).exists()
    ):
        # A published quarter keeps its target, and met / not met follows the direction.
        raise IndicatorChangeRefused(
            "Whether higher or lower is better cannot change once a quarter has been published "
            "with a target for this indicator, as that would change what was published: "
            "switch this indicator off and define a new one",
            field="higher_is_better",
        )
    meaning_changed = any(
        field in changes and changes[field] != getattr(current, field)
        for field in PartnerIndicator.MEANING_FIELDS
    )
    for field, value in changes.items():
        if field == "code":
            continue  # a code is what published quarters and exports know it by
        setattr(current, field, value)
    if meaning_changed:
        current.version += 1
    current.full_clean()
    attributed(current, user=user).save()
    return current


def _refuse_early(quarter: Quarter, today: date) -> None:
    if quarter.start > today:
        raise ValidationError(
            {
                "quarter": f"A return for {quarter} can be submitted once the "
                f"quarter starts on {long_date(quarter.start)}"
            }
        )


@transaction.atomic
def partner_figure_submit(
    *,
    indicator: PartnerIndicator,
    quarter: Quarter,
    numerator: int,
    denominator: int | None,
    note: str = "",
    user: User,
    expected_version: int | None = None,
    today: date | None = None,
) -> PartnerFigure:
    """Submit or correct an agency's figure for one of its indicators in a quarter that has
    started. A correction names the version it edits (`expected_version`); a stale one, or a
    first submission when someone else's already exists, is refused (StaleEdit)."""
    _refuse_early(quarter, today or dates.today())
    # Locking the definition serialises two first submissions for the same quarter.
    PartnerIndicator.objects.select_for_update().get(pk=indicator.pk)
    existing = PartnerFigure.objects.filter(indicator=indicator, quarter=quarter).first()
    if existing is not None and existing.version != expected_version:
        raise StaleEdit(existing)
    submitted = existing or PartnerFigure(indicator=indicator, quarter=quarter)
    submitted.numerator = numerator
    submitted.denominator = None if indicator.unit == Unit.COUNT else denominator
    submitted.note = note
    submitted.submitted_by = user
    submitted.submitted_at = timezone.now()
    submitted.full_clean()
    if existing is not None:
        submitted.version += 1
    attributed(submitted, user=user).save()
    return submitted


@dataclass(frozen=True)
class TrainingPart:
    staff_trained: int
    target_workforce: int
    narrative: str
    expected_version: int | None


@dataclass(frozen=True)
class FigurePart:
    indicator: PartnerIndicator
    numerator: int
    denominator: int | None
    note: str
    expected_version: int | None


class PartStale(StaleEdit):
    """One part of a quarterly return was saved by someone else meanwhile: `part` is the
    indicator's code, or None for the training figures. Nothing of the return was saved."""

    def __init__(self, current: AgencyReturn | PartnerFigure, part: str | None):
        super().__init__(current)
        self.part = part


@transaction.atomic
def quarterly_return_submit(
    *,
    agency: Agency,
    quarter: Quarter,
    user: User,
    training: TrainingPart | None = None,
    figures: tuple[FigurePart, ...] = (),
    today: date | None = None,
) -> list[str | None]:
    """Save the parts of an agency's quarterly return that were filled in (a part left out
    stays "not submitted"), all or none: the training figures and each of its indicators'.
    Returns which parts were saved (None for the training, else the code)."""
    saved: list[str | None] = []
    if training is not None:
        try:
            agency_return_submit(
                agency=agency,
                quarter=quarter,
                staff_trained=training.staff_trained,
                target_workforce=training.target_workforce,
                narrative=training.narrative,
                user=user,
                expected_version=training.expected_version,
                today=today,
            )
        except StaleEdit as stale:
            raise PartStale(stale.current, None) from None
        saved.append(None)
    for part in figures:
        if part.indicator.agency_id != agency.pk:
            raise ValidationError(f"{part.indicator.title} is not {agency}'s to submit")
        try:
            partner_figure_submit(
                indicator=part.indicator,
                quarter=quarter,
                numerator=part.numerator,
                denominator=part.denominator,
                note=part.note,
                user=user,
                expected_version=part.expected_version,
                today=today,
            )
        except StaleEdit as stale:
            raise PartStale(stale.current, part.indicator.code) from None
        saved.append(part.indicator.code)
    return saved
