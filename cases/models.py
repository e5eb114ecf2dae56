from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Min, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from neglect_portal.dates import (
    OLDEST_CHILD_YEARS,
    PREGNANCY_MONTHS,
    add_months,
    dates_in_future,
    earliest_birth,
    earliest_pre_birth_work,
    latest_expected_birth,
    long_date,
    not_after,
    not_before,
)
from neglect_portal.limits import TEXT_MAX_LENGTH
from neglect_portal.records.versions import Versioned

from .codes import (
    ASSESSMENT_FACTOR_CHOICES,
    ASSESSMENT_FACTORS,
    NEGLECT_FACTOR,
    ClosureReason,
    CPCategory,
    Disability,
    Ethnicity,
    PresentingFactor,
    PrimaryNeed,
    ReferralSource,
    Sex,
    VoiceAnswer,
)

# LA child ids are letters, digits and hyphens (DfEX0000001): no markup, spaces or invisible
# controls such as a right-to-left override, which would make one id display as another.
# On the model field, so the portal's forms, the admin and the census import all apply it.
la_child_id_characters = RegexValidator(
    r"\A[A-Za-z0-9-]+\Z",
    "LA child ID must only include letters a to z, numbers 0 to 9 and hyphens",
    code="la_child_id_characters",
)


def _codes_valid(codes, allowed, label):
    unknown = sorted(set(codes) - set(allowed))
    if unknown:
        raise ValidationError(f"{label} has unknown codes: {', '.join(unknown)}")


class Child(Versioned):
    # How each record reaches its child, for neglect_portal.access.records_visible_to.
    child_lookup = "pk"
    code_labels = {"disabilities": dict(Disability.choices)}

    la_child_id = models.CharField(
        "LA child ID", max_length=20, unique=True, validators=[la_child_id_characters]
    )
    # The DfE unique pupil number, from the census: one child under two LA child ids shows
    # by it (cases.duplicates). Blank when the census has none (UPNunknown).
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    given_name = models.CharField("given name", max_length=100, blank=True)
    family_name = models.CharField("family name", max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    disabilities = models.JSONField(default=list, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocated_children",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "la_child_id"]
        verbose_name_plural = "children"
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(expected_date_of_birth__isnull=False),
                name="child_has_birth_or_expected_date",
            ),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=F("date_of_birth")),
                name="child_death_not_before_birth",
            ),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self):
        return self.full_name or self.la_child_id

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day):
        """Whole years on `day`, or None for an unborn child."""
        born = self.date_of_birth
        if born is None or day < born:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def earliest_record_date(self) -> date | None:
        """The earliest a case record about the child may be dated: the birth (or, for an
        unborn child, the expected birth) less a pregnancy, since pre-birth work starts before
        the birth. None while neither date is known."""
        birth = self.date_of_birth or self.expected_date_of_birth
        return None if birth is None else earliest_pre_birth_work(birth)

    def check_record_date(self, day, label, errors, field):
        """Records about the child are not dated before it was born, except pre-birth work."""
        earliest = self.earliest_record_date
        if day is None or earliest is None or field in errors:
            return
        try:
            not_before(day, earliest, label, why=f", {PREGNANCY_MONTHS} months before the birth")
        except ValidationError as error:
            errors[field] = error

    def _plausible_birth_dates(self, errors):
        ago = f", {OLDEST_CHILD_YEARS} years ago"
        checks = (
            ("date_of_birth", "Date of birth", not_before, earliest_birth(), ago),
            ("expected_date_of_birth", "Expected date of birth", not_before, earliest_birth(), ago),
            (
                "expected_date_of_birth",
                "Expected date of birth",
                not_after,
                latest_expected_birth(),
                f", {PREGNANCY_MONTHS} months from today",
            ),
        )
        for field, label, rule, limit, why in checks:
            if field in errors:
                continue
            try:
                rule(getattr(self, field), limit, label, why)
            except ValidationError as error:
                errors[field] = error

    def _birth_before_records(self, errors):
        """A corrected birth date may not leave the child's records dated before it."""
        field = "date_of_birth" if self.date_of_birth else "expected_date_of_birth"
        earliest = self.earliest_record_date
        if self.pk is None or earliest is None or field in errors:
            return
        firsts = [
            self.referrals.aggregate(first=Min("referral_date"))["first"],
            self.involvements.aggregate(first=Min("start_date"))["first"],
        ]
        first = min((day for day in firsts if day is not None), default=None)
        if first is not None and first < earliest:
            label = self._meta.get_field(field).verbose_name
            errors[field] = (
                f"{label[:1].upper()}{label[1:]} must be on or before "
                f"{long_date(add_months(first, PREGNANCY_MONTHS))}, {PREGNANCY_MONTHS} months "
                f"after the child's first record"
            )

    def clean(self):
        errors = dates_in_future(self, ("date_of_birth", "date_of_death"))
        self._plausible_birth_dates(errors)
        self._birth_before_records(errors)
        if not self.date_of_birth and not self.expected_date_of_birth:
            errors["date_of_birth"] = "Enter a date of birth, or an expected date of birth"
        if self.date_of_death and self.date_of_birth and self.date_of_death < self.date_of_birth:
            errors["date_of_death"] = "Date of death must be on or after the date of birth"
        try:
            _codes_valid(self.disabilities, Disability.values, "Disabilities")
        except ValidationError as e:
            errors["disabilities"] = e
        if errors:
            raise ValidationError(errors)


class Referral(Versioned):
    """An episode of need (census CINdetails), opened by a referral."""

    child_lookup = "child"
    code_labels = {"presenting_factors": dict(PresentingFactor.choices)}

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="referrals")
    referral_date = models.DateField()
    source = models.CharField(
        "referral source", max_length=2, choices=ReferralSource.choices, blank=True
    )
    presenting_factors = models.JSONField(default=list, blank=True)
    # Derived from presenting_factors on save: an indexed flag for filters and indicators,
    # since JSON containment cannot be queried the same way on SQLite and PostgreSQL.
    neglect_presenting = models.BooleanField(default=False, editable=False)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ClosureReason.choices, blank=True)
    no_further_action = models.BooleanField("no further action", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referral_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "referral_date"],
                name="referral_unique_per_child_and_date",
                violation_error_message="This child already has a referral on this date",
            ),
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True) | Q(closure_date__gte=F("referral_date")),
                name="referral_closed_on_or_after_referral",
            ),
        ]
        indexes = [models.Index(fields=["referral_date"])]

    def __str__(self):
        return f"Referral of {long_date(self.referral_date)}"

    def save(self, *args, **kwargs):
        self.derive_flags()
        super().save(*args, **kwargs)

    def derive_flags(self):
        self.neglect_presenting = PresentingFactor.NEGLECT in self.presenting_factors

    @property
    def is_open(self):
        return self.closure_date is None

    def _plans_open_after(self, day):
        still_open = Q(end_date__isnull=True) | Q(end_date__gt=day)
        return (
            self.cin_plans.filter(still_open).exists() or self.cp_plans.filter(still_open).exists()
        )

    def check_within_episode(self, day, label, errors, field):
        """Records of an episode fall between its referral and its closure."""
        if day is None or self.referral_date is None:
            return
        if day < self.referral_date:
            errors[field] = (
                f"{label} must be on or after the referral date, {long_date(self.referral_date)}"
            )
        elif self.closure_date and day > self.closure_date:
            errors[field] = (
                f"{label} must be on or before the episode's closure date, "
                f"{long_date(self.closure_date)}"
            )

    def clean(self):
        errors = dates_in_future(self, ("referral_date", "closure_date"))
        if self.child_id:
            self.child.check_record_date(
                self.referral_date, "Referral date", errors, "referral_date"
            )
        if self.closure_date and self.referral_date and self.closure_date < self.referral_date:
            errors["closure_date"] = "Closure date must be on or after the referral date"
        if self.closure_date and not self.closure_reason:
            errors["closure_reason"] = "Select the reason for closure"
        if self.closure_date and self.pk and self._plans_open_after(self.closure_date):
            errors["closure_date"] = "End the episode's plans before closing it"
        try:
            _codes_valid(self.presenting_factors, PresentingFactor.values, "Presenting factors")
        except ValidationError as e:
            errors["presenting_factors"] = e
        if errors:
            raise ValidationError(errors)


class Assessment(Versioned):
    child_lookup = "referral__child"
    code_labels = {
        "factors": {code: f"{code} {label}" for code, label in ASSESSMENT_FACTORS.items()}
    }

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assessments")
    start_date = models.DateField()
    authorised_date = models.DateField("authorised date", null=True, blank=True)
    factors = models.JSONField(default=list, blank=True)
    # Derived from factors on save (factor 16A): see Referral.neglect_presenting.
    neglect_identified = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "start_date"],
                name="assessment_unique_per_referral_and_start",
                violation_error_message="This episode already has an assessment starting on "
                "this date",
            ),
            models.CheckConstraint(
                condition=Q(authorised_date__isnull=True) | Q(authorised_date__gte=F("start_date")),
                name="assessment_authorised_on_or_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["authorised_date"]),
            # Finds the episodes where neglect was identified without reading the rest.
            models.Index(
                fields=["referral"],
                condition=Q(neglect_identified=True),
                name="assessment_neglect_idx",
            ),
        ]

    def __str__(self):
        return f"Assessment started {long_date(self.start_date)}"

    def save(self, *args, **kwargs):
        self.derive_flags()
        super().save(*args, **kwargs)

    def derive_flags(self):
        self.neglect_identified = NEGLECT_FACTOR in self.factors

    def clean(self):
        errors = dates_in_future(self, ("start_date", "authorised_date"))
        if self.authorised_date and self.start_date and self.authorised_date < self.start_date:
            errors["authorised_date"] = "Authorised date must be on or after the start date"
        if self.referral_id and "start_date" not in errors:
            self.referral.check_within_episode(self.start_date, "Start date", errors, "start_date")
        try:
            _codes_valid(self.factors, dict(ASSESSMENT_FACTOR_CHOICES), "Factors")
        except ValidationError as e:
            errors["factors"] = e
        if errors:
            raise ValidationError(errors)


class Plan(Versioned):
    """What CIN and CP plans share: an episode, its child, a start and an optional end.

    `child` is always the episode's child, copied on validation and save: plans are counted per
    child by the filters and the quarterly indicators, which would otherwise join every plan
    to its episode.
    """

    child_lookup = "child"
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", editable=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._copy_child()
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        self._copy_child()
        super().full_clean(*args, **kwargs)

    def _copy_child(self):
        referral = getattr(self, "referral", None)
        if referral is not None:
            self.child = referral.child

    def is_open_on(self, day):
        """Open at the end of `day`: started by then and not ended on or before it."""
        return self.start_date <= day and (self.end_date is None or self.end_date > day)

    def clean(self):
        errors = dates_in_future(self, ("start_date", "end_date"))
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "End date must be on or after the start date"
        if getattr(self, "referral", None) is not None and "start_date" not in errors:
            self.referral.check_within_episode(self.start_date, "Start date", errors, "start_date")
        if errors:
            raise ValidationError(errors)


def _end_after_start(name):
    return models.CheckConstraint(
        condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name=name
    )


class ChildInNeedPlan(Plan):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="cin_plans")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = "child in need plan"
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "start_date"],
                name="cin_plan_unique_per_referral_and_start",
                violation_error_message="This episode already has a child in need plan "
                "starting on this date",
            ),
            _end_after_start("cin_plan_ends_on_or_after_start"),
        ]

    def __str__(self):
        return f"CIN plan from {long_date(self.start_date)}"


class ChildProtectionPlan(Plan):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="cp_plans")
    initial_category = models.CharField(max_length=3, choices=CPCategory.choices)
    latest_category = models.CharField(max_length=3, choices=CPCategory.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = "child protection plan"
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "start_date"],
                name="cp_plan_unique_per_referral_and_start",
                violation_error_message="This episode already has a child protection plan "
                "starting on this date",
            ),
            _end_after_start("cp_plan_ends_on_or_after_start"),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self):
        return f"CP plan from {long_date(self.start_date)}"

    def overlapping_plans(self):
        """The child's other CP plans whose dates overlap this one's.

        As everywhere (`is_open_on`), a plan is no longer open on its end date, so a new plan
        may start on the day the last one ended.
        """
        others = ChildProtectionPlan.objects.filter(child_id=self.referral.child_id).exclude(
            pk=self.pk
        )
        starts_before_this_ends = Q() if self.end_date is None else Q(start_date__lt=self.end_date)
        ends_after_this_starts = Q(end_date__isnull=True) | Q(end_date__gt=self.start_date)
        return others.filter(
            Q(start_date=self.start_date) | (starts_before_this_ends & ends_after_this_starts)
        )

    def clean(self):
        super().clean()
        if self.start_date and self.referral_id and self.overlapping_plans().exists():
            raise ValidationError(
                {"start_date": "This child already has a child protection plan in these dates"}
            )


class PlanReview(models.Model):
    """A review of a plan, on a day within the plan (a CP review conference, a CIN review)."""

    child_lookup = "plan__child"
    review_date = models.DateField()

    class Meta:
        abstract = True
        ordering = ["review_date"]

    def __str__(self):
        return f"Review on {long_date(self.review_date)}"

    def clean(self):
        errors = dates_in_future(self, ("review_date",))
        if errors:
            raise ValidationError(errors)
        if self.review_date and self.plan_id:
            if self.review_date < self.plan.start_date:
                raise ValidationError(
                    {"review_date": "Review date must be on or after the plan's start date"}
                )
            if self.plan.end_date and self.review_date > self.plan.end_date:
                raise ValidationError(
                    {"review_date": "Review date must be on or before the plan's end date"}
                )


def _one_review_a_day(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["plan", "review_date"],
        name=name,
        violation_error_message="A review on this date is already recorded for this plan",
    )


def _voice_answer(question: str) -> models.CharField:
    return models.CharField(
        question, max_length=20, choices=VoiceAnswer.choices, blank=True, default=""
    )


class CPReview(PlanReview):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="reviews")
    # The voice of the child (shared/domain.md §9): blank is "not recorded", as on every
    # review the census imported; VOICE_KNOWS_PLAN and VOICE_SAFETY_PLANNING leave it out.
    knows_plan = _voice_answer("does the child know they are on a plan?")
    took_part_in_safety_planning = _voice_answer("did the child take part in safety planning?")
    knows_social_worker_name = _voice_answer("does the child know their social worker's name?")
    child_view = models.TextField(
        "the child's view in their own words", max_length=TEXT_MAX_LENGTH, blank=True
    )
    history = HistoricalRecords()

    # The three questions, in the order the form asks them.
    VOICE_QUESTIONS = ("knows_plan", "took_part_in_safety_planning", "knows_social_worker_name")

    class Meta(PlanReview.Meta):
        verbose_name = "child protection review"
        constraints = [_one_review_a_day("cp_review_unique_per_plan_and_date")]

    @property
    def voice_recorded(self) -> bool:
        return any(getattr(self, name) for name in self.VOICE_QUESTIONS) or bool(self.child_view)


class InvolvementQuerySet(models.QuerySet):
    def open_on(self, day: date) -> "InvolvementQuerySet":
        """Involvements open on `day` (the last day of one still counts): the filter form of
        Involvement.is_open_on."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class Involvement(Versioned):
    """An agency working with a child: it is what lets that agency's staff see the child."""

    child_lookup = "child"
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(
        "neglect_portal.Agency", on_delete=models.PROTECT, related_name="involvements"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [_end_after_start("involvement_ends_on_or_after_start")]
        # Covers the visibility check (agency, child, dates) without reading the table.
        indexes = [
            models.Index(
                fields=["agency", "child", "start_date", "end_date"],
                name="involvement_visibility_idx",
            )
        ]

    def __str__(self):
        return f"{self.agency} from {long_date(self.start_date)}"

    def is_open_on(self, day):
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self):
        errors = dates_in_future(self, ("start_date", "end_date"))
        if self.child_id:
            self.child.check_record_date(self.start_date, "Start date", errors, "start_date")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "End date must be on or after the start date"
        if errors:
            raise ValidationError(errors)


class AppendOnly(models.Model):
    """A log: rows are added, never changed or deleted, or it would no longer be evidence."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class AccessLog(AppendOnly):
    """Append-only: who opened which child's record, and when. Rows are never changed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="access_log")
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Why someone who could not otherwise see the child opened it ("Audit: Neglect audit
    # spring 2026"); blank for ordinary access by the visibility rule.
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["child", "-opened_at"], name="accesslog_child_opened_idx")]

    def __str__(self):
        return f"{self.user} opened child {self.child_id} at {self.opened_at:%Y-%m-%d %H:%M}"


class ChildListAccess(AppendOnly):
    """Append-only: who was shown or sent a list of named children (a search, a drill-down
    page, a drill-down export), when, which one and how many children were in it. Beside
    AccessLog rather than in it, because a list names many children and opens none of them;
    the per-child access log stays the record of whose file was opened."""

    class Kind(models.TextChoices):
        CHILD_SEARCH = "child_search", "Children search"
        DRILL_DOWN = "drill_down", "Drill-down page"
        DRILL_DOWN_CSV = "drill_down_csv", "Drill-down CSV export"
        POSSIBLE_DUPLICATES = "possible_duplicates", "Possible duplicates"

    WHAT_LENGTH = 200

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    what = models.CharField(max_length=WHAT_LENGTH)
    children = models.PositiveIntegerField("children listed")

    class Meta:
        ordering = ["-at"]
        verbose_name = "list or export of children"
        verbose_name_plural = "lists and exports of children"

    def __str__(self):
        return f"{self.user} {self.get_kind_display().lower()} at {self.at:%Y-%m-%d %H:%M}"


class PossibleDuplicate(Versioned):
    """Two children who may be one (cases.duplicates), until children's social care decides.

    The pair is ordered (child_a has the lower id), so flagging it again finds the same row. A
    pair found "not the same child" is kept, so it is never flagged again. A merge deletes one
    child, which empties its side here; `merged_away` and the history keep who it was.
    """

    class Reason(models.TextChoices):
        NAME_AND_BIRTH = "name_and_birth", "Same name and date of birth"
        SAME_UPN = "same_upn", "Same unique pupil number"

    class Status(models.TextChoices):
        OPEN = "open", "To decide"
        NOT_THE_SAME = "not_the_same", "Not the same child"
        MERGED = "merged", "Merged"

    child_a = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    child_b = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    found_at = models.DateTimeField("found", auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("decided", null=True, blank=True)
    merged_away = models.CharField("LA child ID merged away", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = "possible duplicate"
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="possible_duplicate_pair"),
            models.CheckConstraint(
                condition=Q(child_a__lt=F("child_b")), name="possible_duplicate_ordered_pair"
            ),
        ]
        indexes = [models.Index(fields=["status", "-found_at"], name="possible_duplicate_open_idx")]

    def __str__(self):
        return f"Possible duplicate {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ChildMerge(AppendOnly):
    """A child record merged into another: its LA child ID, which child now holds its records,
    who merged them and when, and which access-log entries moved with it. The census import
    refuses a file that still uses a merged LA child ID, which would otherwise bring the merged
    child back with a second copy of every record."""

    merged_la_child_id = models.CharField("merged LA child ID", max_length=20, unique=True)
    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merged_from")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    # The access log says who opened which child's record: the entries that now read as the
    # survivor's are named here, so the evidence of which record was opened is kept.
    access_log_moved = models.JSONField(default=list)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.merged_la_child_id} merged into child {self.survivor_id}"


class CensusImportRun(models.Model):
    """One census import, from upload (or command) to its result: the import history.

    No simple-history of its own, unlike the records: nobody edits a run. Only the import
    writes it, as the run moves from queued to its result, and its progress is written many
    times a minute, which history would copy into a row each time. It is never deleted, so
    the history rows naming it ("CIN census import, run 12") always lead back to it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed"

    class Stage(models.TextChoices):
        SCANNING = "scanning", "Counting the children in the file"
        CHECKING = "checking", "Checking the file"
        SAVING = "saving", "Saving the records"

    FINISHED = (Status.IMPORTED, Status.REFUSED, Status.FAILED)
    PROBLEMS_KEPT = 1000
    # Checking writes progress at least every 1,000 children, a second or two apart: ten
    # silent minutes mean the worker stopped (killed, or its machine restarted). Saving is one
    # transaction whose progress nobody else can see, so it gets no such warning.
    STALLED_AFTER = timedelta(minutes=10)

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    size = models.BigIntegerField("size in bytes", null=True)
    # From the file's header (cases.census_header).
    reference_date = models.DateField(null=True, blank=True)
    lea = models.CharField("LEA", max_length=3, blank=True)
    # An older file than the newest imported, imported on purpose, and why.
    allow_older = models.BooleanField(default=False)
    reason = models.TextField(max_length=2000, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    children_total = models.PositiveIntegerField(null=True)
    children_read = models.PositiveIntegerField(default=0)
    # When a running import last moved on: a run silent for STALLED_AFTER has lost its worker.
    progress_at = models.DateTimeField(null=True)
    # {record type: {"created": n, "updated": n, "unchanged": n}} (census_import.RECORD_TYPES)
    counts = models.JSONField(default=dict)
    # The first PROBLEMS_KEPT errors as {child, element, rule, message, line}; all are
    # counted. DfE queries alike: they are listed, but do not stop the import.
    problems = models.JSONField(default=list)
    problem_count = models.PositiveIntegerField(default=0)
    queries = models.JSONField(default=list)
    query_count = models.PositiveIntegerField(default=0)
    # Why a failed run stopped, in words with no personal data in them.
    failure = models.CharField(max_length=200, blank=True)
    identical_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="+")
    # The kept upload, for the worker; emptied once the file is deleted after the import.
    upload_path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]

    def __str__(self):
        return f"Census import run {self.pk}"

    @property
    def change_reason(self) -> str:
        """Every history row this run writes says so: the run page finds its changes by it."""
        return f"CIN census import, run {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_stalled(self) -> bool:
        return (
            self.status == self.Status.RUNNING
            and self.stage != self.Stage.SAVING
            and self.progress_at is not None
            and self.progress_at < timezone.now() - self.STALLED_AFTER
        )


class Allocation(models.Model):
    """One worker's allocation to a child, from a date to a date (open while it lasts), and
    why it began. `Child.allocated_worker` is the open one's worker, kept beside it for the
    pages and the access rules that read it; cases.services.allocation_change writes both."""

    class Reason(models.TextChoices):
        # Why the allocation began: the reason for the change from the one before (§7).
        FIRST = "first", "First allocation"
        WORKER_LEFT = "worker_left", "Worker left"
        MOVED_TEAM = "moved_team", "Worker moved team"
        TRANSFERRED = "transferred", "Case transferred"
        STEP_DOWN = "step_down", "Step down or step across"
        OTHER = "other", "Other"

    child_lookup = "child"
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    # The worker's team when allocated: the history reads as it was, after people move team.
    team = models.ForeignKey(
        "neglect_portal.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField("start date")
    ended_on = models.DateField("end date", null=True, blank=True)
    reason = models.CharField("reason for change", max_length=20, choices=Reason.choices)
    note = models.TextField("more about the reason", max_length=500, blank=True)
    # Why it ended when nothing followed it: the worker moved agency, or the case closed.
    end_note = models.CharField("why it ended", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            # Two changes at once (two managers, a double submit): the second insert fails
            # rather than leave a child with two current workers.
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ended_on__isnull=True),
                name="one_open_allocation_per_child",
                violation_error_message="This child already has an allocated worker",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="allocation_ends_on_or_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["child", "started_on"], name="allocation_child_start_idx"),
            models.Index(fields=["started_on"], name="allocation_started_idx"),
        ]

    def __str__(self):
        return f"Allocation from {long_date(self.started_on)}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def clean(self):
        errors = dates_in_future(self, ("started_on", "ended_on"))
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = "End date must be on or after the start date"
        if self.child_id and "started_on" not in errors:
            self.child.check_record_date(self.started_on, "Start date", errors, "started_on")
        if self.reason == self.Reason.OTHER and not self.note.strip():
            errors["note"] = "Say why the allocated worker changed"
        if errors:
            raise ValidationError(errors)


class CINPlanReview(PlanReview):
    """A review of a child in need plan: when it met, so that the tools that informed it can be
    recorded beside it (toolkit.ToolInformed)."""

    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.CASCADE, related_name="reviews")
    history = HistoricalRecords()

    class Meta(PlanReview.Meta):
        verbose_name = "child in need plan review"
        constraints = [_one_review_a_day("cin_review_unique_per_plan_and_date")]
