from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from simple_history.models import HistoricalRecords

from . import confidence
from .dates import dates_in_future
from .signals import person_moved


class Agency(models.Model):
    class Kind(models.TextChoices):
        CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
        EARLY_HELP = "early_help", "Early help"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        VOLUNTARY = "voluntary", "Voluntary and community"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name

    @property
    def is_childrens_social_care(self) -> bool:
        return self.kind == self.Kind.CHILDRENS_SOCIAL_CARE


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # Admin rights follow the role (see User.save), so a superuser is an administrator.
        extra_fields["role"] = User.Role.ADMINISTRATOR
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", "Practitioner"
        TEAM_MANAGER = "team_manager", "Team manager"
        AGENCY_LEAD = "agency_lead", "Agency lead"
        WORKING_GROUP = "working_group", "Working Group member"
        ADMINISTRATOR = "administrator", "Administrator"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    # The Working Group's Independent Chair closes challenges and records the group's
    # decisions (domain.md §8): a flag on a member rather than a role, since the chair reads
    # and raises challenges like every other member.
    is_chair = models.BooleanField(
        "Independent Chair",
        default=False,
        help_text="Only a Working Group member may chair the Working Group.",
    )
    # Managers see caseloads by team, and the Working Group figures by locality. A team is
    # its agency's, so a person's team is one of their own agency's teams (clean()).
    team = models.ForeignKey(
        "Team", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    sessions_ended_at = models.DateTimeField(
        "sessions ended",
        null=True,
        blank=True,
        editable=False,
        help_text="When an administrator last ended every session, as resetting "
        "two-factor authentication does.",
    )
    # Password hashes and sign-in times are not history worth keeping.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = PortalUserManager()
    REQUIRED_FIELDS = ["email", "agency"]

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if (
            self.team_id is not None
            and self.agency_id is not None
            and (self.team.agency_id != self.agency_id)
        ):
            raise ValidationError({"team": f"Select a team of {self.agency}, or no team"})
        if self.is_chair and self.role != self.Role.WORKING_GROUP:
            raise ValidationError(
                {"is_chair": "Only a Working Group member can be the Independent Chair"}
            )

    def save(self, *args, **kwargs):
        # The role is the single source of truth for Django admin rights.
        self.is_staff = self.is_superuser = self.role == self.Role.ADMINISTRATOR
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            self.skip_history_when_saving = True
            moves = []
        else:
            moves = self._moves()
        # Saved without clean() (a command, a script): leaving the agency leaves its team,
        # rather than keeping a membership the admin would refuse.
        if (
            "moved agency" in moves
            and self.team_id is not None
            and Team.objects.filter(pk=self.team_id).exclude(agency_id=self.agency_id).exists()
        ):
            self.team = None
        # One transaction: a move and the allocations it ends are saved together or not at all.
        with transaction.atomic():
            try:
                super().save(*args, **kwargs)
            finally:
                self.__dict__.pop("skip_history_when_saving", None)
            if moves:
                person_moved.send(sender=type(self), user=self, reason=" and ".join(moves))

    def _moves(self) -> list[str]:
        """How this save changes what the person may see: their agency, role or being active."""
        if self.pk is None:
            return []
        before = type(self).objects.filter(pk=self.pk).values("agency_id", "role", "is_active")
        saved = before.first()
        if saved is None:
            return []
        moves = []
        if saved["agency_id"] != self.agency_id:
            moves.append("moved agency")
        if saved["role"] != self.role:
            moves.append("changed role")
        if saved["is_active"] and not self.is_active:
            moves.append("was deactivated")
        return moves

    # Signing in is bound to the agency and role the person had then, so changing either ends
    # every session they have (as a password change does), on any session backend; so does
    # an administrator's ending them (sessions_ended_at).
    def get_session_auth_hash(self) -> str:
        return self._bound_session_hash(None)

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._bound_session_hash(secret)

    def _bound_session_hash(self, secret) -> str:
        return salted_hmac(
            "neglect_portal.User.get_session_auth_hash",
            f"{self.password}|{self.agency_id}|{self.role}|{self.sessions_ended_at}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_practitioner(self) -> bool:
        return self.role == self.Role.PRACTITIONER

    @property
    def is_team_manager(self) -> bool:
        return self.role == self.Role.TEAM_MANAGER

    @property
    def is_agency_lead(self) -> bool:
        return self.role == self.Role.AGENCY_LEAD

    @property
    def is_working_group_member(self) -> bool:
        return self.role == self.Role.WORKING_GROUP

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR


class SubmissionToken(models.Model):
    """A create form's one-time token once it has been used, and where its record is, so
    that the form sent again (a double click, a resend) creates nothing and lands there
    (neglect_portal.records.once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token = models.CharField(max_length=64)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            # Two posts of one form at once: the second insert fails, so only one record stays.
            models.UniqueConstraint(fields=["user", "token"], name="one_use_per_submission_token"),
        ]

    def __str__(self):
        return f"Submission by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"


class Team(models.Model):
    """A team of one agency (children's social care's Family Support and Protection North),
    working in a locality: managers read caseloads by team, the Working Group by locality."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    locality = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="team_name_unique_per_agency",
                violation_error_message="This agency already has a team with this name",
            ),
        ]

    def __str__(self):
        return self.name


SURVEY_ALREADY_SAVED = "A survey at this stage has already been saved for this person on this date"


def _score(question: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        question,
        validators=[
            MinValueValidator(confidence.LOWEST),
            MaxValueValidator(confidence.HIGHEST),
        ],
    )


class ConfidenceSurvey(models.Model):
    """A practitioner's confidence before or after neglect training (domain.md §9), 1 to 10
    on each of neglect_portal.confidence.QUESTIONS. Only its respondent reads it (access.py): every
    other view of the answers is an anonymous aggregate. Not changed once saved."""

    class Stage(models.TextChoices):
        BEFORE = "before", "Before training"
        AFTER = "after", "After training"

    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="confidence_surveys"
    )
    # Where they worked when they answered: a later move leaves the survey with that agency's
    # figures (access follows the person; the figures follow the training).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField("before or after training", max_length=10, choices=Stage.choices)
    completed_on = models.DateField("date completed")
    recognising = _score(confidence.QUESTIONS["recognising"])
    responding = _score(confidence.QUESTIONS["responding"])
    using_tools = _score(confidence.QUESTIONS["using_tools"])
    # The respondent, or the agency lead who typed in their paper survey.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        constraints = [
            # A repeat of the same survey (a paper copy typed in after the online one, a form
            # sent twice) is refused rather than counted twice.
            models.UniqueConstraint(
                fields=["respondent", "stage", "completed_on"],
                name="confidence_survey_one_per_stage_and_day",
                violation_error_message=SURVEY_ALREADY_SAVED,
            ),
            *(
                models.CheckConstraint(
                    condition=Q(
                        **{f"{name}__gte": confidence.LOWEST, f"{name}__lte": confidence.HIGHEST}
                    ),
                    name=f"confidence_survey_{name}_1_to_10",
                )
                for name in confidence.SCORE_FIELDS
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} survey of {self.completed_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.agency_id is None and self.respondent_id is not None:
            self.agency_id = self.respondent.agency_id
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = dates_in_future(self, ["completed_on"])
        if errors:
            raise ValidationError(errors)

    @property
    def score_total(self) -> int:
        return sum(getattr(self, name) for name in confidence.SCORE_FIELDS)

    @property
    def mean_score(self) -> Decimal:
        """The rule the dataset's CONFIDENCE_CHANGE uses (neglect_portal.confidence)."""
        return confidence.mean_score(self.score_total)

    @property
    def on_paper(self) -> bool:
        return self.entered_by_id != self.respondent_id
