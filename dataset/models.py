"""Published quarters (the figures as the Working Group saw them) and agency returns."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from neglect_portal.limits import TEXT_MAX_LENGTH
from neglect_portal.records.versions import Versioned

from . import indicators
from .computation import Figure
from .fields import QuarterField
from .indicators import Unit


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
    published_quarter = models.ForeignKey(
        PublishedQuarter, on_delete=models.CASCADE, related_name="figures"
    )
    code = models.CharField(max_length=40)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    # The target in force for the quarter when it was published (dataset/targets.py), kept
    # so a target set later does not change what the Working Group saw; empty when none was.
    target_value = models.DecimalField(
        "target", max_digits=12, decimal_places=1, null=True, blank=True
    )
    target_applies_from = QuarterField("target applies from", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["published_quarter", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["published_quarter", "code"],
                name="published_figure_unique_per_quarter_and_code",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.value}"

    def as_figure(self) -> Figure:
        """The stored figure in the shape `compute()` gives, so they compare equal."""
        value = self.value
        # A code retired from the registry since publication still reads back, as stored.
        indicator = indicators.BY_CODE.get(self.code)
        if value is not None and indicator is not None and indicator.unit == Unit.COUNT:
            value = int(value)
        return Figure(self.code, self.numerator, self.denominator, value)

    @classmethod
    def from_figure(cls, figure: Figure, **fields) -> "PublishedFigure":
        value = None if figure.value is None else Decimal(figure.value)
        return cls(
            code=figure.code,
            numerator=figure.numerator,
            denominator=figure.denominator,
            value=value,
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
