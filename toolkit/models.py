"""The mandatory neglect tools (shared/domain.md §3) and the SDQ's band tables."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from neglect_portal.dates import EARLIEST_HISTORY, dates_in_future, long_date, not_before, today
from neglect_portal.limits import LINE_MAX_LENGTH, TEXT_MAX_LENGTH
from neglect_portal.records.versions import Versioned

from .content import (
    CHECKLIST_DOMAINS,
    DAY_SECTIONS,
    OBSERVATION_DOMAINS,
    Concern,
    DayVersion,
    Impact,
    NeglectType,
    ObservedQuality,
)
from .sdq import SCALE_ITEMS, SDQResult, form_version, score
from .sdq_bands import BAND_TABLES

# What each SDQ scale asks about, for completion messages.
SCALE_TOPICS = {
    "emotional": "emotions",
    "conduct": "conduct",
    "hyperactivity": "attention and activity",
    "peer": "getting on with other children",
    "prosocial": "kindness and helping",
}


class Tool(Versioned):
    """What every completed-by-a-practitioner tool shares.

    A tool is a draft until completed; completing validates it fully and locks it. A team
    manager of the author's agency can reopen it with a reason, which history keeps.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    child_lookup = "child"
    child = models.ForeignKey("cases.Child", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The agency at the time of writing: it decides who may reopen, and the indicators'
    # breakdown by agency, even if the author later moves agency.
    author_agency = models.ForeignKey(
        "neglect_portal.Agency", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_on = models.DateField(default=today)
    completed_on = models.DateField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    # A reopened tool keeps the completion it had: tool status counts it as it was until the
    # tool is completed again, and the page says who reopened it, when and why.
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="reopened by",
    )
    reopened_on = models.DateField("reopened on", null=True, blank=True)
    previous_completed_on = models.DateField("earlier completion date", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_completed(self):
        return self.status == self.Status.COMPLETED

    @property
    def is_reopened(self):
        """A completed tool a team manager has reopened, not yet completed again."""
        return not self.is_completed and self.reopened_on is not None

    def completion_problems_on(self, day) -> dict[str, str]:
        """completion_problems() for a completion dated `day` (the SDQ's form follows the
        child's age on that day)."""
        return self.completion_problems()

    # What management oversight reads (neglect_portal.access.can_record_oversight).
    @property
    def ready_for_oversight(self) -> bool:
        return self.is_completed

    @property
    def done_by(self) -> tuple[int, int]:
        """(the practitioner whose work is overseen, their agency then)."""
        return self.author_id, self.author_agency_id

    def completion_problems(self) -> dict[str, str]:
        """What must be filled in before the tool can be completed: {field: message}.

        Drafts may be saved with anything missing; completing checks the whole tool.
        """
        return {}

    def before_completion(self) -> None:
        """What completing fixes on the tool besides its state (the SDQ keeps its totals)."""

    def _blank(self, questions) -> dict[str, str]:
        """{field: "Enter …"} for each (field, what it asks for) left blank."""
        return {
            field: f"Enter {what}" for field, what in questions if not getattr(self, field).strip()
        }


def _completed_has_date(name):
    return models.CheckConstraint(
        condition=Q(status=Tool.Status.DRAFT) | Q(completed_on__isnull=False), name=name
    )


def _tool_meta_indexes(prefix):
    return [
        models.Index(fields=["child", "status", "completed_on"], name=f"{prefix}_status_idx"),
        models.Index(fields=["completed_on"], name=f"{prefix}_completed_idx"),
    ]


class Chronology(Versioned):
    """One impact chronology per child, shared by every agency that can see the child."""

    child_lookup = "child"
    child = models.OneToOneField("cases.Child", on_delete=models.CASCADE, related_name="chronology")
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reviewer's agency at the time (chronology_mark_reviewed), as Tool.author_agency.
    reviewed_by_agency = models.ForeignKey(
        "neglect_portal.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "chronologies"

    def __str__(self):
        return f"Chronology for child {self.child_id}"

    # A chronology review is overseen like a completed tool (neglect_portal.access).
    @property
    def ready_for_oversight(self) -> bool:
        return self.reviewed_on is not None and self.reviewed_by_id is not None

    @property
    def done_by(self) -> tuple[int | None, int | None]:
        return self.reviewed_by_id, self.reviewed_by_agency_id


class ChronologyEntry(Versioned):
    child_lookup = "chronology__child"
    code_labels = {"neglect_types": dict(NeglectType.choices)}

    chronology = models.ForeignKey(Chronology, on_delete=models.CASCADE, related_name="entries")
    event_date = models.DateField("date of the event")
    recorded_on = models.DateField(default=today)
    what_happened = models.TextField(max_length=TEXT_MAX_LENGTH)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source_agency = models.ForeignKey(
        "neglect_portal.Agency", on_delete=models.PROTECT, related_name="+"
    )
    who_was_involved = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    impact = models.CharField("impact on the child", max_length=10, choices=Impact.choices)
    impact_description = models.TextField("how it affected the child", max_length=TEXT_MAX_LENGTH)
    action = models.TextField("action or outcome", blank=True, max_length=TEXT_MAX_LENGTH)
    analysis = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    significant = models.BooleanField("significant event", default=False)
    neglect_types = models.JSONField(default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-event_date", "-pk"]
        verbose_name_plural = "chronology entries"
        indexes = [
            models.Index(fields=["chronology", "event_date"]),
            models.Index(fields=["recorded_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recorded_on__gte=F("event_date")),
                name="chronology_entry_recorded_after_event",
            )
        ]

    def __str__(self):
        return f"Chronology entry of {long_date(self.event_date)}"

    @property
    def child(self):
        return self.chronology.child

    def clean(self):
        errors = dates_in_future(self, ("event_date",))
        # Family history before the child's birth belongs here too, but not before 1950.
        try:
            not_before(self.event_date, EARLIEST_HISTORY, "Date of the event")
        except ValidationError as error:
            errors.setdefault("event_date", error)
        unknown = sorted(set(self.neglect_types) - set(NeglectType.values))
        if unknown:
            errors["neglect_types"] = f"Unknown types of neglect: {', '.join(unknown)}"
        if errors:
            raise ValidationError(errors)


class DayInMyLife(Tool):
    day_version = models.CharField("version", max_length=12, choices=DayVersion.choices)
    # {section key: {"parent": account, "child": account, "not_known": bool}}, keys from
    # content.DAY_SECTIONS.
    sections = models.JSONField(default=dict, blank=True)
    childs_words = models.TextField("the child's own words", blank=True, max_length=TEXT_MAX_LENGTH)
    strengths = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    worries = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    impact_on_child = models.TextField(
        "impact on the child", blank=True, max_length=TEXT_MAX_LENGTH
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "day in my life"
        verbose_name_plural = "day in my life tools"
        indexes = _tool_meta_indexes("day")
        constraints = [_completed_has_date("day_completed_has_date")]

    def __str__(self):
        return f"Day in my life ({self.get_day_version_display()})"

    def completion_problems(self):
        # Every part of the day is accounted for: an account from either side, or marked not
        # known, so that a blank part is a decision and not a gap (issue 13). Each problem is
        # keyed by that section's first field, so the summary links to the right part.
        problems = {}
        for key, label in DAY_SECTIONS.get(self.day_version, {}).items():
            answer = self.sections.get(key, {})
            if not (
                (answer.get("parent") or "").strip()
                or (answer.get("child") or "").strip()
                or answer.get("not_known")
            ):
                problems[f"{key}_parent"] = (
                    f"Record the parent's or the child's account of {label[:1].lower()}"
                    f"{label[1:]}, or select not known"
                )
        problems.update(
            self._blank(
                (
                    ("childs_words", "the child's own words"),
                    ("strengths", "the strengths"),
                    ("worries", "the worries"),
                    ("impact_on_child", "the impact on the child"),
                )
            )
        )
        return problems


class AssessmentChecklist(Tool):
    # {domain key: {"concern": Concern value, "evidence": text}}, keys from CHECKLIST_DOMAINS.
    ratings = models.JSONField(default=dict, blank=True)
    overall_judgement = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    history = HistoricalRecords()

    class Meta:
        indexes = _tool_meta_indexes("checklist")
        constraints = [_completed_has_date("checklist_completed_has_date")]

    def __str__(self):
        return "Assessment checklist"

    def completion_problems(self):
        problems = {}
        for key, label in CHECKLIST_DOMAINS.items():
            rating = self.ratings.get(key, {})
            if rating.get("concern") not in Concern.values:
                problems[f"{key}_concern"] = f"Select a level of concern for {label.lower()}"
            elif (
                rating["concern"] != Concern.NOT_CONCERNED
                and not (rating.get("evidence") or "").strip()
            ):
                problems[f"{key}_evidence"] = (
                    f"Enter the evidence for your concern about {label.lower()}"
                )
        if not self.overall_judgement.strip():
            problems["overall_judgement"] = "Enter your overall judgement"
        return problems


class ParentChildObservation(Tool):
    observed_on = models.DateField(null=True, blank=True)
    setting = models.CharField(max_length=LINE_MAX_LENGTH, blank=True)
    who_was_present = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    activity = models.TextField("activity observed", blank=True, max_length=TEXT_MAX_LENGTH)
    # {domain key: {"quality": ObservedQuality value, "evidence": text}}.
    ratings = models.JSONField(default=dict, blank=True)
    analysis = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    history = HistoricalRecords()

    class Meta:
        indexes = _tool_meta_indexes("observation")
        constraints = [_completed_has_date("observation_completed_has_date")]

    def __str__(self):
        return "Parent–child observation"

    def completion_problems(self):
        problems = {}
        if self.observed_on is None:
            problems["observed_on"] = "Enter the date of the observation"
        problems.update(
            self._blank(
                (
                    ("setting", "the setting"),
                    ("who_was_present", "who was present"),
                    ("activity", "the activity observed"),
                    ("analysis", "your analysis"),
                )
            )
        )
        for key, label in OBSERVATION_DOMAINS.items():
            rating = self.ratings.get(key, {})
            if rating.get("quality") not in ObservedQuality.values:
                problems[f"{key}_quality"] = f"Select what you observed for {label.lower()}"
            elif not (rating.get("evidence") or "").strip():
                problems[f"{key}_evidence"] = f"Enter the evidence for {label.lower()}"
        return problems


class SDQ(Tool):
    class Informant(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        TEACHER = "teacher", "Teacher"
        SELF = "self", "Young person (self-report)"

    informant = models.CharField(max_length=10, choices=Informant.choices)
    # The child's age in years when the questionnaire was filled in: it picks the form.
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    # {"1": 0|1|2, ...}: raw answers by item number, before any reverse scoring.
    responses = models.JSONField(default=dict, blank=True)
    impact = models.JSONField(default=dict, blank=True)
    # Scored on completion with the band tables then in force, so a later correction of a
    # table shows as a difference rather than silently rewriting what was reported.
    total_difficulties = models.PositiveSmallIntegerField(null=True, blank=True)
    total_band = models.CharField(max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "SDQ"
        verbose_name_plural = "SDQs"
        indexes = _tool_meta_indexes("sdq")
        constraints = [_completed_has_date("sdq_completed_has_date")]

    def __str__(self):
        return f"SDQ ({self.get_informant_display()})"

    def scores(self, bands: dict | None = None) -> SDQResult:
        """The answers so far, scored with `bands` (by default the tables in force)."""
        return score(
            {int(item): answer for item, answer in self.responses.items()},
            informant=self.informant,
            age=self.age,
            impact=self.impact or None,
            bands=band_tables() if bands is None else bands,
        )

    def before_completion(self, bands: dict | None = None) -> None:
        result = self.scores(bands)
        self.total_difficulties = result.total
        self.total_band = result.total_band or ""

    def completion_problems_on(self, day):
        problems = self.completion_problems()
        if self.child.date_of_birth is not None:
            # The age the date of birth gives says more than "enter an age" can.
            problems.pop("age", None)
        problems.update(self.age_problems(day))
        return problems

    def age_problems(self, day) -> dict[str, str]:
        """The form follows the child's age on the day the SDQ is completed, so the recorded
        age must be that age (and the informant's form must cover it).

        Without a date of birth (an unborn child's record, a partner's referral still waiting
        for it) the portal cannot know the age, so the practitioner's recorded age stands:
        refusing would stop an SDQ that the child's difficulties may urgently need."""
        born = self.child.date_of_birth
        if born is None:
            return {}
        age = self.child.age_on(day)
        on = f"on {long_date(day)}, the day it is completed"
        try:
            version = form_version(self.informant, age)
        except ValueError:
            if self.informant == self.Informant.SELF and age is not None and 2 <= age < 11:
                return {
                    "informant": f"The self-report questionnaire is for young people aged 11 "
                    f"to 17, and the child is {age} {on}: select who filled it in"
                }
            return {"age": f"The SDQ is for children aged 2 to 17, and the child is {age} {on}"}
        if self.age != age:
            return {
                "age": f"Enter {age}: the child is {age} {on} (born {long_date(born)}), so "
                f"the {version.replace('-', '–')} form and its bands apply"
            }
        return {}

    def completion_problems(self):
        problems = {}
        try:
            form_version(self.informant, self.age)
        except ValueError:
            problems["age"] = (
                "Enter the child's age in years: 2 to 17 for a parent or "
                "teacher form, 11 to 17 for self-report"
            )
        if not self.responses:
            problems["responses"] = "Record the answers to the questionnaire"
            return problems
        answered = {int(item) for item, answer in self.responses.items() if answer is not None}
        for scale, items in SCALE_ITEMS.items():
            if len(answered & set(items)) < 3:
                # A scale needs 3 of its 5 items to be scored (domain.md §4).
                missing = next(item for item in items if item not in answered)
                problems[f"item_{missing}"] = (
                    f"Answer at least 3 of the 5 items about {SCALE_TOPICS[scale]} "
                    f"(items {', '.join(map(str, items))})"
                )
        return problems


class NextSteps(Tool):
    """ "So what do we know? Next steps": the analysis of what the tools gathered."""

    strengths = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    needs = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    risks = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    impact_on_child = models.TextField(
        "impact on the child", blank=True, max_length=TEXT_MAX_LENGTH
    )
    still_unknown = models.TextField(
        "what we still do not know", blank=True, max_length=TEXT_MAX_LENGTH
    )
    # The next steps themselves are rows of NextStep (analysis.steps).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "so what do we know? next steps"
        verbose_name_plural = "so what do we know? next steps"
        indexes = _tool_meta_indexes("nextsteps")
        constraints = [_completed_has_date("nextsteps_completed_has_date")]

    def __str__(self):
        return "So what do we know? Next steps"

    def completion_problems(self):
        problems = self._blank(
            (
                ("strengths", "the strengths"),
                ("needs", "the needs"),
                ("risks", "the risks"),
                ("impact_on_child", "the impact on the child"),
                ("still_unknown", "what we still do not know"),
            )
        )
        steps = list(self.steps.all())
        if not steps:
            problems["next_steps"] = "Enter at least one next step"
        for number, step in enumerate(steps, start=1):
            # Keyed by the step, so the form puts each message on that step's own row.
            problems.update(
                {f"step:{step.pk}:{part}": message for part, message in step.gaps(number).items()}
            )
        return problems


class SDQBandTable(models.Model):
    """One informant and form's bands, correctable by an administrator (see toolkit/sdq.py)."""

    informant = models.CharField(max_length=10, choices=SDQ.Informant.choices)
    form_version = models.CharField(max_length=5)
    provisional = models.BooleanField(default=True)
    # {scale: [[low, high, label], ...]}, checked by sdq.validate_band_table.
    scales = models.JSONField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "SDQ band table"
        constraints = [
            models.UniqueConstraint(
                fields=["informant", "form_version"], name="sdq_band_table_unique"
            )
        ]

    def __str__(self):
        marker = " (provisional)" if self.provisional else ""
        return f"SDQ bands: {self.get_informant_display()} {self.form_version}{marker}"


def band_tables() -> dict:
    """The band tables in force, in the shape sdq.score() takes: the database's (which an
    administrator may have corrected) over the built-in defaults."""
    tables = dict(BAND_TABLES)
    for row in SDQBandTable.objects.all():
        tables[(row.informant, row.form_version)] = {
            "provisional": row.provisional,
            "scales": {
                scale: [tuple(band) for band in bands] for scale, bands in row.scales.items()
            },
        }
    return tables


class SDQNeed(models.Model):
    """A practitioner's record that a child needs an SDQ, and why (domain.md §3: "where the need
    is identified"). It stays open, in the child's tool status and tasks, until an SDQ is
    completed for the child on or after the day it was recorded."""

    child_lookup = "child"
    child = models.ForeignKey("cases.Child", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField("why an SDQ is needed", max_length=TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_on = models.DateField(default=today)
    met_by = models.ForeignKey(
        SDQ,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs_met",
        verbose_name="met by the SDQ",
    )
    met_on = models.DateField("met on", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "SDQ need"
        ordering = ["recorded_on", "pk"]
        indexes = [models.Index(fields=["child", "met_on"], name="sdqneed_open_idx")]

    def __str__(self):
        return f"SDQ needed since {long_date(self.recorded_on)}"

    @property
    def is_open(self):
        return self.met_on is None


class ReminderSettings(models.Model):
    """A worker's daily digest of their tasks: whether they want it, and what the last one
    counted, so that tasks already told about are not news the next day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    digest = models.BooleanField("send me a daily email of my tasks", default=True)
    last_sent_on = models.DateField(null=True, blank=True)
    # Opaque keys of the tasks the last digest counted (kind, record ids): never sent anywhere.
    last_tasks = models.JSONField(default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"

    def __str__(self):
        return f"Reminders for {self.user}"


class NextStep(Versioned):
    """One commitment of a "So what do we know? Next steps" analysis (domain.md §7): what will
    be done, by whom (a portal user, or a named person outside the portal) and by when; later
    done (dated) or no longer needed (dated, with a reason). Its status is updated after the
    analysis is completed, without reopening it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        NOT_NEEDED = "not_needed", "No longer needed"

    child_lookup = "analysis__child"

    analysis = models.ForeignKey(NextSteps, on_delete=models.CASCADE, related_name="steps")
    # Its place on the analysis's form, from 1.
    position = models.PositiveSmallIntegerField(default=1)
    what = models.TextField("next step", blank=True, max_length=TEXT_MAX_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_steps_owned",
        verbose_name="owner in the portal",
    )
    owner_name = models.CharField(
        "owner outside the portal", max_length=LINE_MAX_LENGTH, blank=True
    )
    owner_role = models.CharField("their role or agency", max_length=LINE_MAX_LENGTH, blank=True)
    due_on = models.DateField("due date", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField("date done", null=True, blank=True)
    # The day it was marked no longer needed: NEXT_STEPS_OVERDUE reads a step's position at E.
    closed_on = models.DateField("date marked no longer needed", null=True, blank=True)
    closed_reason = models.TextField(
        "why it is no longer needed", blank=True, max_length=TEXT_MAX_LENGTH
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["analysis", "position", "pk"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="nextstep_owner_idx"),
            models.Index(fields=["status", "due_on"], name="nextstep_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(owner_name=""),
                name="nextstep_one_owner",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="open", done_on__isnull=True, closed_on__isnull=True)
                    | Q(status="done", done_on__isnull=False, closed_on__isnull=True)
                    | Q(status="not_needed", done_on__isnull=True, closed_on__isnull=False)
                ),
                name="nextstep_status_dates",
            ),
        ]

    def __str__(self):
        return f"Next step {self.position}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today()

    @property
    def owner_display(self) -> str:
        if self.owner_id is not None:
            return str(self.owner)
        if self.owner_role:
            return f"{self.owner_name} ({self.owner_role})"
        return self.owner_name

    def gaps(self, number: int) -> dict[str, str]:
        """What completing the analysis needs of this step: {part: message}."""
        gaps = {}
        if not self.what.strip():
            gaps["what"] = f"Enter what next step {number} is"
        if self.owner_id is None and not self.owner_name.strip():
            gaps["owner"] = f"Choose or enter who will do next step {number}"
        if self.due_on is None:
            gaps["due"] = f"Enter the due date for next step {number}"
        return gaps


# Management oversight and the tools that informed plans (shared/domain.md §7) ---------------

# The tools a manager oversees and a plan is informed by, by the slugs in their URLs
# (toolkit.tool_kinds), and the chronology, whose review is overseen.
CHRONOLOGY_KIND = "chronology"
TOOL_KIND_CHOICES = [
    ("day", "Day in my life"),
    ("checklist", "Assessment checklist"),
    ("observation", "Parent–child observation"),
    ("sdq", "Strengths and Difficulties Questionnaire (SDQ)"),
    ("next-steps", "So what do we know? Next steps"),
    (CHRONOLOGY_KIND, "Impact chronology"),
]


class Oversight(models.Model):
    """A team manager's dated comment on a completed tool or a chronology review.

    It is about one completion: `tool_version` is the tool's version when the manager read it.
    Reopening a tool and completing it again changes its version, so the new completion awaits
    fresh oversight; the earlier comment stays, shown as about an earlier completion.
    """

    class Judgement(models.TextChoices):
        AGREE = "agree", "Agree"
        AGREE_WITH_ACTIONS = "agree_with_actions", "Agree with actions"
        DISAGREE = "disagree", "Disagree"

    child_lookup = "child"
    child = models.ForeignKey("cases.Child", on_delete=models.CASCADE, related_name="+")
    tool_kind = models.CharField(max_length=12, choices=TOOL_KIND_CHOICES)
    tool_id = models.PositiveIntegerField()
    tool_version = models.PositiveIntegerField()
    # When the tool read was completed (for the chronology, reviewed).
    completed_on = models.DateField()
    judgement = models.CharField(max_length=20, choices=Judgement.choices)
    reason = models.TextField(max_length=TEXT_MAX_LENGTH)
    actions = models.TextField("actions required", blank=True, max_length=TEXT_MAX_LENGTH)
    recorded_on = models.DateField(default=today)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    manager_agency = models.ForeignKey(
        "neglect_portal.Agency", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        verbose_name = "management oversight"
        verbose_name_plural = "management oversight"
        indexes = [models.Index(fields=["tool_kind", "tool_id", "tool_version"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(judgement="agree_with_actions") | ~Q(actions=""),
                name="oversight_actions_when_agreed_with_actions",
            )
        ]

    def __str__(self):
        return f"Management oversight of {long_date(self.recorded_on)}"


class ToolInformed(models.Model):
    """A completed tool that informed a CP review, a CIN plan review or a new plan.

    `completed_on` is the tool's completion as it stood on the plan's or review's date (for the
    chronology, its latest entry or review), so a tool reopened later does not change what
    informed the review.
    """

    child_lookup = "child"
    child = models.ForeignKey("cases.Child", on_delete=models.CASCADE, related_name="+")
    tool_kind = models.CharField(max_length=12, choices=TOOL_KIND_CHOICES)
    tool_id = models.PositiveIntegerField()
    completed_on = models.DateField()
    cp_review = models.ForeignKey(
        "cases.CPReview", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cin_review = models.ForeignKey(
        "cases.CINPlanReview", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cp_plan = models.ForeignKey(
        "cases.ChildProtectionPlan",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    cin_plan = models.ForeignKey(
        "cases.ChildInNeedPlan", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    INFORMED_FIELDS = ("cp_review", "cin_review", "cp_plan", "cin_plan")

    class Meta:
        verbose_name = "tool that informed a plan or review"
        verbose_name_plural = "tools that informed plans or reviews"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(cp_review__isnull=False, cin_review=None, cp_plan=None, cin_plan=None)
                    | Q(cp_review=None, cin_review__isnull=False, cp_plan=None, cin_plan=None)
                    | Q(cp_review=None, cin_review=None, cp_plan__isnull=False, cin_plan=None)
                    | Q(cp_review=None, cin_review=None, cp_plan=None, cin_plan__isnull=False)
                ),
                name="tool_informed_one_record",
            )
        ]
        indexes = [models.Index(fields=["tool_kind", "tool_id"])]

    def __str__(self):
        return f"{self.get_tool_kind_display()} completed {long_date(self.completed_on)}"


class ToolDates(models.Model):
    """Each child's latest counted completion of each mandatory tool (toolkit.status), kept by
    toolkit.tool_dates whenever a tool, chronology or entry is saved or deleted, so a caseload
    of thousands is put in order of urgency in SQL. Derived from records that keep their own
    history, so it keeps none: `manage.py refresh_tool_dates` rebuilds it from them."""

    child = models.OneToOneField(
        "cases.Child", primary_key=True, on_delete=models.CASCADE, related_name="tool_dates"
    )
    chronology = models.DateField(null=True)
    day_in_my_life = models.DateField(null=True)
    checklist = models.DateField(null=True)
    observation = models.DateField(null=True)

    class Meta:
        verbose_name = "latest completions of a child's tools"
        verbose_name_plural = "latest completions of children's tools"

    def __str__(self):
        return f"Tool dates of child {self.child_id}"
