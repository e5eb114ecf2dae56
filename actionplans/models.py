"""Agency neglect action plans, their actions and each quarter's RAG ratings and report.

Quarters are stored as their slug ("2026-27-Q1", see neglect_portal.quarters): readable in
the database and in exports, and it sorts in time order as text.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from neglect_portal.limits import LINE_MAX_LENGTH, TEXT_MAX_LENGTH
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter
from neglect_portal.records.versions import Versioned


class Objective(models.TextChoices):
    """The four strategic objectives of the neglect strategy, in the strategy's order."""

    RECOGNISE = "recognise", "Recognise"
    RESPOND = "respond", "Respond"
    QUANTIFY = "quantify", "Quantify"
    EVALUATE = "evaluate", "Evaluate"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"


class ActionPlan(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="action_plans")
    title = models.CharField(max_length=LINE_MAX_LENGTH)
    period_start = models.DateField("start of the period the plan covers")
    period_end = models.DateField("end of the period the plan covers")
    signed_off_by = models.CharField("signed off by", max_length=LINE_MAX_LENGTH, blank=True)
    signed_off_role = models.CharField(
        "role of the person who signed it off", max_length=LINE_MAX_LENGTH, blank=True
    )
    signed_off_on = models.DateField("date signed off", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="action_plan_period_in_order",
            ),
            # The Working Group reads one live plan per agency.
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(status="active"),
                name="one_active_action_plan_per_agency",
            ),
        ]

    def __str__(self):
        return f"{self.agency}: {self.title}"

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": "The end of the period must be the same as or after the start"}
            )

    @property
    def quarters(self) -> list[Quarter]:
        return Quarter.between(self.period_start, self.period_end)


class Action(Versioned):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    objective = models.CharField(max_length=10, choices=Objective.choices)
    description = models.TextField("what will be done", max_length=TEXT_MAX_LENGTH)
    # A named user may open the plan to see their action; the free text covers owners with
    # no account, such as a board or a post.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    owner_name = models.CharField(
        "owner (name, team or post)", max_length=LINE_MAX_LENGTH, blank=True
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField()
    success_measure = models.TextField(
        "how success will be measured", blank=True, max_length=TEXT_MAX_LENGTH
    )
    baseline = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    target = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "objective", "due_date", "pk"]
        indexes = [models.Index(fields=["plan", "objective"]), models.Index(fields=["due_date"])]

    def __str__(self):
        return self.description[:80]

    def clean(self):
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValidationError(
                {"due_date": "The due date must be the same as or after the start date"}
            )

    @property
    def short(self) -> str:
        """The first line, cut to fit in a label or an error message."""
        lines = self.description.strip().splitlines()
        text = lines[0] if lines else ""
        return text if len(text) <= 60 else text[:57].rstrip() + "…"

    @property
    def owner_display(self) -> str:
        names = [str(self.owner)] if self.owner_id else []
        if self.owner_name:
            names.append(self.owner_name)
        return ", ".join(names) or "No owner named"


class ActionUpdate(Versioned):
    """One action's RAG rating and progress for one quarter."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    quarter = models.CharField(max_length=10)  # Quarter.slug
    rag = models.CharField("RAG rating", max_length=10, choices=Rag.choices, blank=True)
    narrative = models.TextField("progress", blank=True, max_length=TEXT_MAX_LENGTH)
    evidence_of_impact = models.TextField(
        "evidence of impact", blank=True, max_length=TEXT_MAX_LENGTH
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "quarter"], name="one_update_per_action_per_quarter"
            )
        ]
        indexes = [models.Index(fields=["quarter", "rag"])]

    def __str__(self):
        return f"{self.action} – {self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label


class QuarterlyReport(Versioned):
    """The agency's impact-based summary for a quarter; submitting it locks the quarter."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reports")
    quarter = models.CharField(max_length=10)  # Quarter.slug
    what_we_did = models.TextField("what we did", blank=True, max_length=TEXT_MAX_LENGTH)
    difference_for_children = models.TextField(
        "what difference it made for children", blank=True, max_length=TEXT_MAX_LENGTH
    )
    how_we_know = models.TextField("how we know", blank=True, max_length=TEXT_MAX_LENGTH)
    challenges = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    next_steps = models.TextField("next steps", blank=True, max_length=TEXT_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "quarter"], name="one_report_per_plan_per_quarter"
            )
        ]
        indexes = [models.Index(fields=["quarter", "status"])]

    def __str__(self):
        return f"{self.plan.agency} – {self.quarter_label} report"

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED
