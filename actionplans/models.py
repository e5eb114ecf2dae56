"""Agency neglect action plans, their actions and each quarter's RAG ratings and report.

Quarters are stored as their slug ("2026-27-Q1", see neglect_portal.quarters): readable in
the database and in exports, and it sorts in time order as text.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


# The Working Group's scrutiny (domain.md §8) -------------------------------------------------


class Challenge(Versioned):
    """The Working Group's challenge to an agency on a quarter's indicator, an emerging theme,
    the agency's plan or its quarterly report: answered by the agency's lead, then closed by
    whoever raised it or the chair, as answered or as needing an action in the agency's plan.
    """

    class Subject(models.TextChoices):
        INDICATOR = "indicator", "A quarter's indicator"
        THEME = "theme", "An emerging theme"
        PLAN = "plan", "An agency's action plan"
        REPORT = "report", "An agency's quarterly report"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "Answered"
        NEEDS_ACTION = "needs_action", "Needs action"

    subject = models.CharField("what is challenged", max_length=10, choices=Subject.choices)
    quarter = models.CharField(max_length=10)  # Quarter.slug
    indicator_code = models.CharField("indicator code", max_length=50, blank=True)
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="challenges"
    )
    # Given by the caller when it is raised ("Child protection plans for neglect, 2026-27
    # Q2"): this app may not read the dataset's titles, and the label should read as it did.
    subject_label = models.CharField("subject", max_length=LINE_MAX_LENGTH)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name="addressed to",
    )
    text = models.TextField("challenge", max_length=TEXT_MAX_LENGTH)
    due_date = models.DateField("answer due by")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now, editable=False)
    answer = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    action = models.ForeignKey(
        Action,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name="action in the agency's plan",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closing_note = models.TextField("closing note", blank=True, max_length=TEXT_MAX_LENGTH)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "agency"]),
            models.Index(fields=["quarter", "status"]),
            models.Index(fields=["indicator_code", "quarter"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject__in=["indicator", "theme"], plan__isnull=True) & ~Q(indicator_code="")
                )
                | (Q(subject__in=["plan", "report"], plan__isnull=False) & Q(indicator_code="")),
                name="challenge_names_its_subject",
            ),
            # Closed and only closed challenges have an outcome; needing action names it.
            models.CheckConstraint(
                condition=(Q(status="closed") & ~Q(outcome=""))
                | (~Q(status="closed") & Q(outcome="")),
                name="challenge_outcome_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="needs_action") | Q(action__isnull=False),
                name="challenge_needing_action_names_it",
            ),
        ]

    def __str__(self):
        return f"Challenge to {self.agency}: {self.subject_label}"

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_open(self) -> bool:
        """Not yet closed: waiting for an answer or for the challenger to close it."""
        return not self.is_closed

    @property
    def status_colour(self) -> str:
        return {"open": "govuk-tag--red", "answered": "govuk-tag--yellow"}.get(
            self.status, "govuk-tag--grey"
        )


class Meeting(Versioned):
    """The Working Group's meeting for a quarter (it reads that quarter's pack)."""

    quarter = models.CharField(max_length=10, unique=True)  # Quarter.slug
    date = models.DateField("date of the meeting")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"Working Group meeting for {self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label


class Decision(Versioned):
    """A decision of a quarter's meeting, or a theme referred to the Improving Practice and
    Governance sub-group: owned by an agency or a person, due by a date, open until done or
    dropped (with the reason). Open ones carry forward to the next meeting."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        IPAG = "ipag", "Referred to the Improving Practice and Governance sub-group"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    quarter = models.CharField("meeting quarter", max_length=10)  # Quarter.slug
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DECISION)
    text = models.TextField("decision", max_length=TEXT_MAX_LENGTH)
    owner_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name="owning agency",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_decisions",
        verbose_name="owner",
    )
    due_date = models.DateField("due date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField("why it was dropped", blank=True, max_length=TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["quarter", "kind", "due_date", "pk"]
        indexes = [models.Index(fields=["quarter", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_agency__isnull=False) | Q(owner_user__isnull=False),
                name="decision_has_an_owner",
            ),
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(reason=""),
                name="decision_dropped_with_a_reason",
            ),
        ]

    def __str__(self):
        return self.short

    def clean(self):
        problems = {}
        if self.owner_agency_id is None and self.owner_user_id is None:
            problems["owner_agency"] = "Select the agency that owns it, or a person, or both"
        if self.status == self.Status.DROPPED and not self.reason.strip():
            problems["reason"] = "Enter why it was dropped"
        if problems:
            raise ValidationError(problems)

    @property
    def short(self) -> str:
        lines = self.text.strip().splitlines()
        text = lines[0] if lines else ""
        return text if len(text) <= 60 else text[:57].rstrip() + "…"

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label

    @property
    def owner_display(self) -> str:
        names = [str(n) for n in (self.owner_user, self.owner_agency) if n is not None]
        return ", ".join(names)

    @property
    def is_ipag(self) -> bool:
        return self.kind == self.Kind.IPAG

    @property
    def status_colour(self) -> str:
        return {"open": "govuk-tag--yellow", "done": "govuk-tag--green"}.get(
            self.status, "govuk-tag--grey"
        )
