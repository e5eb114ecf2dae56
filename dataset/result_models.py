"""Each quarter's computed figures, stored, so that no page computes a quarter while someone
waits (issue 16).

A result is one computation of one quarter: its figures, each agency's figure where the
indicator is broken down by agency, and the ids of the records behind every numerator and
denominator (what the drill-down lists). A quarter has one *live* result, replaced by the
background worker after the records change (dataset/live.py), and a published quarter has its
own result besides, frozen when it was published (dataset/services.py).

Derived rows, so no history of their own: they are rebuilt from records that keep theirs, and
a published quarter's figures keep their history in PublishedFigure.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .computation import Figure
from .fields import QuarterField
from .models import PublishedQuarter, stored_figure


class QuarterResult(models.Model):
    quarter = QuarterField()
    # Empty for the live result.
    published = models.OneToOneField(
        PublishedQuarter, null=True, blank=True, on_delete=models.CASCADE, related_name="result"
    )
    computed_at = models.DateTimeField(default=timezone.now)
    definitions_version = models.CharField(max_length=20)
    # What indicator pages show beside a figure, counted with it (dataset/results.py
    # `series`): empty in results stored before it was.
    series = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quarter"],
                condition=Q(published__isnull=True),
                name="quarter_result_one_live_per_quarter",  # results.ONE_LIVE_PER_QUARTER
            )
        ]

    def __str__(self):
        return (
            f"{self.quarter} ({'published' if self.published_id else 'live'}: {self.computed_at})"
        )


class ResultFigure(models.Model):
    """A figure of a result: the partnership's (no agency) or one agency's."""

    result = models.ForeignKey(QuarterResult, on_delete=models.CASCADE, related_name="figures")
    code = models.CharField(max_length=40)
    # PROTECT: a published breakdown keeps its agencies.
    agency = models.ForeignKey(
        "neglect_portal.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["result", "code"],
                condition=Q(agency__isnull=True),
                name="result_figure_one_partnership_figure",
            ),
            models.UniqueConstraint(
                fields=["result", "code", "agency"],
                condition=Q(agency__isnull=False),
                name="result_figure_one_per_agency",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.value}"

    def as_figure(self) -> Figure:
        return stored_figure(self.code, self.numerator, self.denominator, self.value)


class ResultMember(models.Model):
    """One record counted in a figure's numerator or denominator (for a count or a mean, in
    its "numerator"). `model` is the record's model label: MANAGER_OVERSIGHT counts the rows
    of several tool tables."""

    # Indexed by result_member_list, which starts with it: no index of its own to rewrite.
    result = models.ForeignKey(
        QuarterResult, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    code = models.CharField(max_length=40)
    which = models.CharField(max_length=11)
    model = models.CharField(max_length=60)
    record_id = models.BigIntegerField()
    # The record's child, stored with it so that who may see it is asked of the child alone,
    # whatever the record (a review, a tool, a referral's assessment).
    child_id = models.BigIntegerField()

    class Meta:
        indexes = [
            # The drill-down reads one list in record order, and counts it (the viewer's
            # children among it too, on PostgreSQL), from this alone.
            models.Index(
                fields=["result", "code", "which", "model", "record_id"],
                include=["child_id"],
                name="result_member_list",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.which}: {self.model} {self.record_id}"


class ResultAgencyCount(models.Model):
    """How many of the records behind a figure's numerator and denominator each agency's
    staff may see through its involvements (open on the day they were counted), and all of
    them (no agency), so a page asks only of the few children allocated to the viewer besides
    (dataset/results.py `visible_member_counts`). Counted with the result, and a published
    result's again every night."""

    result = models.ForeignKey(QuarterResult, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    agency = models.ForeignKey(
        "neglect_portal.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    counted_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["result", "code"],
                condition=Q(agency__isnull=True),
                name="result_agency_count_one_total",
            ),
            models.UniqueConstraint(
                fields=["result", "code", "agency"],
                condition=Q(agency__isnull=False),
                name="result_agency_count_one_each",
            ),
        ]

    def __str__(self):
        return f"{self.code} for agency {self.agency_id}: {self.numerator}/{self.denominator}"
