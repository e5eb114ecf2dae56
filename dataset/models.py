"""Published quarters (the figures as the Working Group saw them), agency returns, and the
indicators agencies submit themselves."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from neglect_portal.limits import TEXT_MAX_LENGTH
from neglect_portal.records.versions import Versioned

from . import indicators
from .computation import Figure, not_submitted, submitted_figure
from .fields import QuarterField
from .indicators import Indicator, Kind, Source, Unit


def stored_figure(code: str, numerator, denominator, value: Decimal | None) -> Figure:
    """A figure read back from a stored row, in the shape `compute()` gives, so they compare
    equal: a count's value is its whole number, as the decimal column does not say."""
    # A code retired from the registry since it was stored still reads back, as stored.
    indicator = indicators.BY_CODE.get(code)
    is_count = indicator is not None and indicator.unit == Unit.COUNT
    # An agency's count has no denominator; its percentages and means always have one.
    partner_count = code.startswith(PARTNER_CODE_PREFIX) and denominator is None
    if value is not None and (is_count or partner_count):
        value = int(value)
    return Figure(code, numerator, denominator, value)


class PublishedQuarter(models.Model):
    """A closed quarter whose figures an administrator has published.

    One row per quarter: republishing replaces the figures and increments `publication`, and
    history keeps every earlier publication of both this row and its figures.
    """

    quarter = QuarterField(unique=True)
    definitions_version = models.CharField(max_length=20)
    publication = models.PositiveIntegerField(default=1, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    # Why it was published again; empty for a first publication.
    reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter"]

    def __str__(self):
        return f"{self.quarter} (published)"


class PublishedFigure(models.Model):
    """One indicator's figure as published.

    An indicator submitted by an agency keeps what it was when published: "not submitted" is
    a row with `submitted` False and every number empty (never 0), and `title` and
    `definition_version` say which definition it was published under, so a later edit of the
    definition or a late return (a restatement) leaves the published quarter as it was.
    Built-in indicators leave those two empty: their definitions are versioned together in
    `PublishedQuarter.definitions_version`.
    """

    published_quarter = models.ForeignKey(
        PublishedQuarter, on_delete=models.CASCADE, related_name="figures"
    )
    code = models.CharField(max_length=40)
    # Empty only for an agency's indicator that was not submitted.
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    # The target in force for the quarter when it was published (dataset/targets.py), kept
    # so a target set later does not change what the Working Group saw; empty when none was.
    target_value = models.DecimalField(
        "target", max_digits=12, decimal_places=1, null=True, blank=True
    )
    target_applies_from = QuarterField("target applies from", null=True, blank=True)
    submitted = models.BooleanField(default=True)
    title = models.CharField(max_length=200, blank=True)
    definition_version = models.PositiveIntegerField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["published_quarter", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["published_quarter", "code"],
                name="published_figure_unique_per_quarter_and_code",
            ),
            # A published figure has its numerator unless it was not submitted: never a 0
            # standing in for a gap, never a gap hiding a number.
            models.CheckConstraint(
                condition=Q(submitted=True, numerator__isnull=False)
                | Q(
                    submitted=False,
                    numerator__isnull=True,
                    denominator__isnull=True,
                    value__isnull=True,
                ),
                name="published_figure_numerator_unless_not_submitted",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.value if self.submitted else 'not submitted'}"

    def as_figure(self) -> Figure:
        """The stored figure in the shape `compute()` gives, so they compare equal."""
        if not self.submitted:
            return not_submitted(self.code)
        return stored_figure(self.code, self.numerator, self.denominator, self.value)

    @classmethod
    def from_figure(
        cls, figure: Figure, indicator: Indicator | None = None, **fields
    ) -> "PublishedFigure":
        value = None if figure.value is None else Decimal(figure.value)
        if indicator is not None and indicator.submitted_by_agency:
            fields.setdefault("title", indicator.title)
            fields.setdefault("definition_version", indicator.version)
        return cls(
            code=figure.code,
            numerator=figure.numerator,
            denominator=figure.denominator,
            value=value,
            submitted=figure.submitted,
            **fields,
        )


class AgencyReturn(Versioned):
    """An agency's quarterly figures that no case record holds (TRAINING_COVERAGE)."""

    agency = models.ForeignKey(
        "neglect_portal.Agency", on_delete=models.PROTECT, related_name="neglect_returns"
    )
    quarter = QuarterField()
    staff_trained = models.PositiveIntegerField("staff trained in neglect to date")
    target_workforce = models.PositiveIntegerField(
        "target workforce", help_text="The staff the agency plans to train in neglect"
    )
    narrative = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "quarter"],
                name="agency_return_unique_per_quarter",
                violation_error_message="This agency has already submitted a return for "
                "this quarter",
            ),
            # A coverage over no workforce would be a division by zero, not a figure.
            models.CheckConstraint(
                condition=Q(target_workforce__gte=1), name="agency_return_has_a_workforce"
            ),
        ]

    def __str__(self):
        return f"{self.agency} return for {self.quarter}"

    def clean(self):
        if self.target_workforce is not None and self.target_workforce < 1:
            raise ValidationError({"target_workforce": "Target workforce must be 1 or more"})


class Target(Versioned):
    """An administrator's target for one indicator (any code, built-in or an agency's), from
    the quarter it applies from onwards.

    The target in force for a quarter is the row with the latest `applies_from` on or before
    it (dataset/targets.py). A row with no value withdraws the target from its quarter on:
    earlier quarters keep theirs, and setting a value again later brings one back. Rows are
    never deleted, so the schedule and its history always say what applied when, and why.
    """

    code = models.CharField(max_length=40)
    applies_from = QuarterField("applies from")
    # Empty: the target is withdrawn from `applies_from` on.
    value = models.DecimalField("target", max_digits=12, decimal_places=1, null=True, blank=True)
    reason = models.TextField(max_length=TEXT_MAX_LENGTH)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "applies_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "applies_from"],
                name="target_unique_per_code_and_quarter",
                violation_error_message="This indicator already has a target from this quarter",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="target_has_a_reason"),
        ]

    def __str__(self):
        what = "withdrawn" if self.value is None else f"{self.value}"
        return f"{self.code} target from {self.applies_from}: {what}"

    @property
    def withdrawn(self) -> bool:
        return self.value is None


# Indicators submitted by agencies ------------------------------------------------------------

PARTNER_CODE_PREFIX = "AG_"
PARTNER_CODE_PATTERN = r"^AG_[A-Z0-9_]+$"
partner_code_validator = RegexValidator(
    PARTNER_CODE_PATTERN,
    "Enter a code that starts with AG_ followed by capital letters, numbers and underscores, "
    "like AG_POLICE_NEGLECT_CRIMES",
)


class PartnerIndicator(models.Model):
    """An indicator an agency submits each quarter (kpi-definitions.md "Indicators submitted
    by agencies"), defined by an administrator.

    `version` is the definition's own version, as DEFINITIONS_VERSION is the built-in ones':
    it goes up whenever what a figure means changes (`MEANING_FIELDS`), so a published quarter
    can say which definition its figure was published under. Switching one on or off is not a
    change of meaning. Targets are kept with every other indicator's (not here).
    """

    class PartnerUnit(models.TextChoices):
        COUNT = Unit.COUNT.value, "Count: the agency submits a number"
        PERCENTAGE = (
            Unit.PERCENTAGE.value,
            "Percentage: the agency submits a numerator and a denominator",
        )
        AVERAGE = Unit.AVERAGE.value, "Mean: the agency submits a total and a count to divide it by"

    # What a figure means: a change to any of these is a new version of the definition.
    MEANING_FIELDS = ("title", "definition", "kind", "unit", "counts", "higher_is_better")

    code = models.CharField(
        max_length=40,
        unique=True,
        validators=[partner_code_validator],
        error_messages={"unique": "Another indicator already has this code"},
    )
    title = models.CharField(max_length=200)
    definition = models.TextField(max_length=TEXT_MAX_LENGTH)
    agency = models.ForeignKey(
        "neglect_portal.Agency",
        on_delete=models.PROTECT,
        related_name="partner_indicators",
        verbose_name="owning agency",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FLOW)
    unit = models.CharField(max_length=20, choices=PartnerUnit.choices)
    # What one unit of the figure is ("crimes", "contacts", "children"), as the pages say
    # "12 of 80 contacts".
    counts = models.CharField("what is counted", max_length=60)
    higher_is_better = models.BooleanField()
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__startswith=PARTNER_CODE_PREFIX),
                name="partner_indicator_code_starts_ag",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.code})"

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)

    def as_indicator(self) -> Indicator:
        """The registry's shape for this definition, so pages treat it as any indicator."""
        return Indicator(
            self.code,
            self.title,
            self.definition,
            Kind(self.kind),
            Unit(self.unit),
            self.counts,
            self.higher_is_better,
            source=Source.AGENCY_RETURNS,
            owner=self.agency.name,
            version=self.version,
            owner_id=self.agency_id,
        )


class PartnerFigure(Versioned):
    """What the owning agency submitted for one quarter of a `PartnerIndicator`. No row is
    "not submitted", never 0.

    For a count, `numerator` is the count and `denominator` empty; for a percentage, the two
    submitted numbers; for a mean, the submitted total and the count it is divided by.
    """

    indicator = models.ForeignKey(
        PartnerIndicator, on_delete=models.PROTECT, related_name="figures"
    )
    quarter = QuarterField()
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "quarter"],
                name="partner_figure_unique_per_quarter",
                violation_error_message="This indicator already has a figure for this quarter",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} for {self.quarter}"

    def as_figure(self) -> Figure:
        return submitted_figure(
            self.indicator.code, self.indicator.unit, self.numerator, self.denominator
        )

    def clean(self):
        unit = self.indicator.unit
        if unit == Unit.COUNT:
            self.denominator = None
        elif self.denominator is None:
            raise ValidationError({"denominator": "Enter the denominator"})
        elif (
            unit == Unit.PERCENTAGE
            and self.numerator is not None
            and self.numerator > self.denominator
        ):
            raise ValidationError(
                {"numerator": "The numerator must be the same as or less than the denominator"}
            )


# The multi-agency case audit lives in its own module; imported here so Django finds it.
from .audit_models import (  # noqa: E402,F401
    AuditAgreedAction,
    AuditAuditor,
    AuditCriterion,
    AuditJudgement,
    AuditLearningPoint,
    AuditRound,
    AuditSample,
    AuditTheme,
)

# Each quarter's computed figures, stored (the live quarter's and each published one's).
from .result_models import QuarterResult, ResultFigure, ResultMember  # noqa: E402,F401
