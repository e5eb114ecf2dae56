"""The multi-agency case audit (domain.md §9): rounds, the sampled children, their audit team,
the judgements per criterion, and the learning that becomes agreed actions in agencies' plans.

Here, in the dataset app, because an audit reads the whole record (cases, toolkit) and writes
into action plans: only this app stands on all of them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from neglect_portal.limits import LINE_MAX_LENGTH, TEXT_MAX_LENGTH
from neglect_portal.records.versions import Versioned


class Grade(models.TextChoices):
    """Ofsted's four grades, best first."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


GOOD_OR_BETTER = (Grade.OUTSTANDING, Grade.GOOD)

# The four questions of domain.md §9 and the voice of the child judged beside them: a new
# round starts with these, in this order.
DEFAULT_CRITERIA = (
    (
        "promptness",
        "Promptness of identification",
        "Was neglect recognised and acted on early?",
    ),
    (
        "history",
        "Use of historical information",
        "Was the chronology used to see cumulative harm?",
    ),
    (
        "impact",
        "Analysis of the impact of neglect on the child",
        "Did the work analyse what neglect meant for this child's daily life and development?",
    ),
    (
        "actions",
        "Robustness of actions to improve outcomes",
        "Were the actions specific, followed through and making a difference?",
    ),
    (
        "voice",
        "Voice of the child",
        "Were the child's wishes, feelings and lived experience heard and acted on?",
    ),
)


class AuditRound(Versioned):
    """One multi-agency audit: its children are drawn from those on a neglect plan on
    `sample_date`; its auditors may read their children's records from `starts_on` until it
    closes (or `ends_on` passes, whichever is sooner)."""

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    class Method(models.TextChoices):
        RANDOM = "random", "At random"
        STRATIFIED = "stratified", "At random, stratified by plan and agency involvement"
        BY_HAND = "by_hand", "Picked by hand"

    title = models.CharField(max_length=LINE_MAX_LENGTH)
    starts_on = models.DateField("starts")
    ends_on = models.DateField("ends")
    sample_date = models.DateField("children on a neglect plan on")
    sample_size = models.PositiveIntegerField("number of children", default=10)
    method = models.CharField(
        "how the children are chosen", max_length=12, choices=Method.choices, default=Method.RANDOM
    )
    # The seed the sample was drawn with: the same seed, date and method give the same children.
    seed = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": "The end date must be the same as or after the start"}
            )
        if self.sample_size is not None and self.sample_size < 1:
            raise ValidationError({"sample_size": "Number of children must be 1 or more"})

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_in_progress(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def status_colour(self) -> str:
        return {"planning": "govuk-tag--grey", "in_progress": "govuk-tag--blue"}.get(
            self.status, "govuk-tag--green"
        )


class AuditCriterion(models.Model):
    """One question every child's audit in the round is graded on."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=30)
    title = models.CharField(max_length=LINE_MAX_LENGTH)
    question = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "order", "pk"]
        verbose_name_plural = "audit criteria"
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="audit_criterion_unique_code")
        ]

    def __str__(self):
        return self.title


class AuditSample(Versioned):
    """A child in a round's sample, and the state of their audit: drafted and completed by
    the audit team, then moderated by the lead auditor."""

    child_lookup = "child"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed, waiting for moderation"
        MODERATED = "moderated", "Moderated"

    class Plan(models.TextChoices):
        CP = "cp", "Child protection plan"
        CIN = "cin", "Child in need plan"

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="samples")
    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+")
    # Numbered within the round, so pages and exports can refer to a child without naming them.
    number = models.PositiveIntegerField()
    plan = models.CharField("neglect plan on the sample date", max_length=3, choices=Plan.choices)
    # The agencies involved on the sample date, fixed when drawn: the results' "by agency".
    agencies = models.ManyToManyField(
        "neglect_portal.Agency", related_name="+", verbose_name="agencies involved"
    )
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_audits",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "child"], name="audit_sample_child_once"),
            models.UniqueConstraint(fields=["round", "number"], name="audit_sample_number_once"),
            models.CheckConstraint(
                condition=~Q(status="moderated") | Q(moderated_at__isnull=False),
                name="audit_sample_moderated_when",
            ),
        ]

    def __str__(self):
        return f"{self.round}: child {self.number}"

    @property
    def label(self) -> str:
        """How a page that must not name the child refers to them."""
        return f"Child {self.number}"

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.MODERATED)

    @property
    def status_colour(self) -> str:
        return {
            "not_started": "govuk-tag--grey",
            "draft": "govuk-tag--yellow",
            "completed": "govuk-tag--blue",
        }.get(self.status, "govuk-tag--green")


class AuditAuditor(models.Model):
    """An auditor from another agency involved with the sampled child (the lead auditor, from
    children's social care, is on the sample itself)."""

    child_lookup = "sample__child"

    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="auditors")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["sample", "auditor__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "auditor"], name="audit_auditor_once")
        ]

    def __str__(self):
        return f"{self.auditor} on {self.sample}"


class AuditJudgement(models.Model):
    """One child × one criterion: the audit team's grade and evidence; moderation may change
    the grade, with a reason (the original and the change stay in history)."""

    child_lookup = "sample__child"

    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="judgements")
    criterion = models.ForeignKey(
        AuditCriterion, on_delete=models.PROTECT, related_name="judgements"
    )
    grade = models.CharField(max_length=25, choices=Grade.choices, blank=True)
    evidence = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    better = models.TextField(
        "what would have made it better", blank=True, max_length=TEXT_MAX_LENGTH
    )
    # Set when the lead auditor changed the team's grade at moderation.
    audited_grade = models.CharField(
        "grade before moderation", max_length=25, choices=Grade.choices, blank=True
    )
    moderation_reason = models.TextField(
        "why the grade was changed", blank=True, max_length=TEXT_MAX_LENGTH
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["sample", "criterion__order", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "criterion"], name="audit_judgement_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(audited_grade="") | ~Q(moderation_reason=""),
                name="audit_moderated_change_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.sample}: {self.criterion}"

    @property
    def is_good_or_better(self) -> bool:
        return self.grade in GOOD_OR_BETTER

    @property
    def changed_at_moderation(self) -> bool:
        return bool(self.audited_grade)


class AuditTheme(Versioned):
    """A theme the round's learning points are grouped under: the finding the Working Group
    turns into agreed actions in agencies' plans."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=LINE_MAX_LENGTH)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "title"], name="audit_theme_unique_title")
        ]

    def __str__(self):
        return self.title


class AuditLearningPoint(models.Model):
    """Free text from the round (about one child's audit or the round as a whole), grouped
    into a theme once the round's learning is read together. It names no child: the results
    and their export show it."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="learning")
    sample = models.ForeignKey(
        AuditSample, null=True, blank=True, on_delete=models.CASCADE, related_name="learning"
    )
    theme = models.ForeignKey(
        AuditTheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="points"
    )
    text = models.TextField("learning point", max_length=TEXT_MAX_LENGTH)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "written_at", "pk"]

    def __str__(self):
        return self.text[:80]


class AuditAgreedAction(models.Model):
    """An agreed action: a theme's finding made an action in an agency's plan. The action's
    page shows the finding it came from; the theme lists its actions."""

    theme = models.ForeignKey(AuditTheme, on_delete=models.PROTECT, related_name="agreed_actions")
    action = models.OneToOneField(
        "actionplans.Action", on_delete=models.PROTECT, related_name="audit_finding"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme", "agreed_at", "pk"]

    def __str__(self):
        return f"{self.theme}: {self.action}"
