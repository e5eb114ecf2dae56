"""Forms for completing the tools. Nothing is required to save a draft: what completion needs
comes from each model's completion_problems(), keyed by these forms' field names (or mapped to
one by `problem_fields`)."""

from datetime import date

from django import forms
from django.db.models import Q

from neglect_portal import access
from neglect_portal.dates import not_in_future, today
from neglect_portal.forms import GovukDateField, GovukForm, GovukModelForm
from neglect_portal.limits import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, too_long_message
from neglect_portal.models import User
from neglect_portal.records.versions import CarriesVersion

from .content import (
    CHECKLIST_DOMAINS,
    DAY_SECTIONS,
    OBSERVATION_DOMAINS,
    Concern,
    DayVersion,
    ObservedQuality,
)
from .models import SDQ, NextStep
from .sdq import DIFFICULTIES, IMPACT_ITEMS, ITEM_LABELS, ITEM_LABELS_2_4, form_version
from .services import StepAnswer, next_steps_save_draft, tool_save_draft


def _text(label, initial="", *, rows=4, help_text="", too_long_label=None):
    """A free-text answer; `too_long_label` names it in the too-long message when the label
    alone would not say which answer is meant."""
    field = forms.CharField(
        label=label,
        required=False,
        initial=initial,
        help_text=help_text,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
    )
    if too_long_label:
        field.error_messages["max_length"] = too_long_message(too_long_label, TEXT_MAX_LENGTH)
    return field


def _radios(label, choices, initial=None):
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, required=False, initial=initial
    )


class ToolForm(CarriesVersion, GovukForm):
    """The page supplies the buttons (save as draft, complete), so the helper adds none."""

    out_of_date = "This page is out of date. Go back to the child's record and open the tool again"
    # Completion problems that are about a group of fields, and the field the summary links to.
    problem_fields: dict[str, str] = {}

    def __init__(self, *args, tool, **kwargs):
        self.tool = tool
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.inputs = []

    def version_started(self):
        return self.tool.version, True

    def field_for_problem(self, key):
        key = self.problem_fields.get(key, key)
        return key if key in self.fields else None

    def apply(self, tool):
        """Copy the answers onto the tool (unsaved)."""
        raise NotImplementedError

    def save_draft(self, tool, *, user, expected_version):
        """Save the answers as a draft: the tool's own fields, and any rows it owns."""
        return tool_save_draft(self.apply(tool), user=user, expected_version=expected_version)

    def saved_rows(self, tool) -> dict[str, str]:
        """What the page must carry after a save to find saved rows again (their ids)."""
        return {}

    def _copy_text(self, tool, names):
        for name in names:
            setattr(tool, name, self.cleaned_data[name])


class _RatedDomainsForm(ToolForm):
    """A rating and its evidence for each domain, stored as {domain: {rating_key, evidence}}."""

    domains: dict[str, str]
    rating_key: str
    rating_choices: list
    evidence_help = ""

    def _add_domain_fields(self, ratings):
        for key, label in self.domains.items():
            rating = ratings.get(key, {})
            self.fields[f"{key}_{self.rating_key}"] = _radios(
                label, self.rating_choices, rating.get(self.rating_key)
            )
            self.fields[f"{key}_evidence"] = _text(
                f"Evidence about {label.lower()}",
                rating.get("evidence", ""),
                rows=3,
                help_text=self.evidence_help,
            )

    def _domain_answers(self):
        data = self.cleaned_data
        return {
            key: {
                self.rating_key: data[f"{key}_{self.rating_key}"],
                "evidence": data[f"{key}_evidence"],
            }
            for key in self.domains
        }


class ChecklistForm(_RatedDomainsForm):
    domains = CHECKLIST_DOMAINS
    rating_key = "concern"
    rating_choices = Concern.choices
    evidence_help = "Needed for any level of concern: what you saw or were told, and when"

    def __init__(self, *args, tool, **kwargs):
        super().__init__(*args, tool=tool, **kwargs)
        self._add_domain_fields(tool.ratings)
        self.fields["overall_judgement"] = _text(
            "Overall judgement", tool.overall_judgement, rows=5
        )

    def apply(self, tool):
        tool.ratings = self._domain_answers()
        tool.overall_judgement = self.cleaned_data["overall_judgement"]
        return tool


class ObservationForm(_RatedDomainsForm):
    domains = OBSERVATION_DOMAINS
    rating_key = "quality"
    rating_choices = ObservedQuality.choices
    evidence_help = "What you saw and heard that supports the rating"
    TEXT = ("setting", "who_was_present", "activity", "analysis")

    def __init__(self, *args, tool, **kwargs):
        super().__init__(*args, tool=tool, **kwargs)
        self.fields["observed_on"] = GovukDateField(
            label="Date of the observation",
            required=False,
            initial=tool.observed_on,
            help_text="For example, 27 3 2026",
        )
        self.fields["setting"] = forms.CharField(
            label="Setting",
            required=False,
            initial=tool.setting,
            max_length=LINE_MAX_LENGTH,
            help_text="For example, the family home or a contact centre",
        )
        self.fields["who_was_present"] = _text("Who was present", tool.who_was_present, rows=2)
        self.fields["activity"] = _text("Activity observed", tool.activity, rows=3)
        self._add_domain_fields(tool.ratings)
        self.fields["analysis"] = _text("Your analysis", tool.analysis, rows=6)

    def clean_observed_on(self):
        observed_on = self.cleaned_data["observed_on"]
        not_in_future(observed_on, "Date of the observation")
        errors: dict = {}
        self.tool.child.check_record_date(observed_on, "Date of the observation", errors, "date")
        if errors:
            raise errors["date"]
        return observed_on

    def apply(self, tool):
        tool.observed_on = self.cleaned_data["observed_on"]
        self._copy_text(tool, self.TEXT)
        tool.ratings = self._domain_answers()
        return tool


class DayInMyLifeForm(ToolForm):
    TEXT = ("childs_words", "strengths", "worries", "impact_on_child")

    def __init__(self, *args, tool, **kwargs):
        super().__init__(*args, tool=tool, **kwargs)
        self.fields["day_version"] = forms.ChoiceField(
            label="Which version fits the child?",
            choices=DayVersion.choices,
            widget=forms.RadioSelect,
            initial=tool.day_version,
            help_text="Suggested from the child's age. If you change it, save the draft to see "
            "the times of day for that version",
            error_messages={"required": "Select the version that fits the child"},
        )
        self.sections = DAY_SECTIONS[tool.day_version]
        for key, section in self.sections.items():
            answer = tool.sections.get(key, {})
            # The time of day is the legend of the pair's fieldset.
            for who, whose in (("parent", "The parent's"), ("child", "The child's")):
                self.fields[f"{key}_{who}"] = _text(
                    f"{whose} account",
                    answer.get(who, ""),
                    too_long_label=f"{whose} account of {section[:1].lower()}{section[1:]}",
                )
            self.fields[f"{key}_not_known"] = forms.BooleanField(
                label="Not known",
                required=False,
                initial=bool(answer.get("not_known")),
                help_text="Neither the parent nor the child could tell you about this part of "
                "the day",
            )
        self.fields["childs_words"] = _text(
            "The child's own words",
            tool.childs_words,
            help_text="What the child said, in their words, and how they said it. For a baby "
            "or a child who does not speak, what they showed you",
        )
        self.fields["strengths"] = _text("Strengths", tool.strengths)
        self.fields["worries"] = _text("Worries", tool.worries)
        self.fields["impact_on_child"] = _text("Impact on the child", tool.impact_on_child)

    def section_rows(self):
        """(time of day, parent's field, child's field, not known) for the side-by-side
        layout."""
        return [
            (label, self[f"{key}_parent"], self[f"{key}_child"], self[f"{key}_not_known"])
            for key, label in self.sections.items()
        ]

    def apply(self, tool):
        data = self.cleaned_data
        # Sections of another version stay stored, so switching back loses nothing typed.
        tool.sections = {
            **tool.sections,
            **{
                key: {
                    "parent": data[f"{key}_parent"],
                    "child": data[f"{key}_child"],
                    "not_known": data[f"{key}_not_known"],
                }
                for key in self.sections
            },
        }
        tool.day_version = data["day_version"]
        self._copy_text(tool, self.TEXT)
        return tool


ANSWERS = [("0", "Not true"), ("1", "Somewhat true"), ("2", "Certainly true")]
IMPACT_ANSWERS = [
    ("0", "Not at all"),
    ("1", "Only a little"),
    ("2", "Quite a lot"),
    ("3", "A great deal"),
]
DIFFICULTY_CHOICES = list(
    zip(
        DIFFICULTIES,
        ("No", "Yes, minor difficulties", "Yes, definite difficulties", "Yes, severe difficulties"),
        strict=True,
    )
)
IMPACT_LABELS = {
    "distress": "Upset or distressed by the difficulties",
    "home_life": "Interference with home life",
    "friendships": "Interference with friendships",
    "classroom_learning": "Interference with classroom learning",
    "leisure": "Interference with leisure activities",
    "peer_relationships": "Interference with peer relationships",
}


def _iso_date(value):
    return date.fromisoformat(value) if value else None


def _as_int(value):
    return int(value) if value not in (None, "") else None


def _sdq_age_hint(tool):
    hint = "It decides which form and which bands are used"
    if tool.child.date_of_birth is None:
        return f"{hint}. The child's date of birth is not recorded, so the age you enter is used"
    age = tool.child.age_on(today())
    return f"{hint}. It must be the child's age on the day you complete it: {age} today"


class SDQForm(ToolForm):
    problem_fields = {"responses": "item_1"}

    def __init__(self, *args, tool, **kwargs):
        super().__init__(*args, tool=tool, **kwargs)
        self.fields["informant"] = forms.ChoiceField(
            label="Who filled in the questionnaire?",
            choices=SDQ.Informant.choices,
            widget=forms.RadioSelect,
            initial=tool.informant,
            error_messages={"required": "Select who filled in the questionnaire"},
        )
        self.fields["age"] = forms.IntegerField(
            label="The child's age in years when it was filled in",
            required=False,
            initial=tool.age,
            min_value=2,
            max_value=17,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            help_text=_sdq_age_hint(tool),
            error_messages={
                "invalid": "Age must be a whole number of years",
                "min_value": "Age must be between 2 and 17",
                "max_value": "Age must be between 2 and 17",
            },
        )
        labels = ITEM_LABELS_2_4 if tool.age is not None and tool.age <= 4 else ITEM_LABELS
        for item, label in labels.items():
            answer = tool.responses.get(str(item))
            self.fields[f"item_{item}"] = _radios(
                f"{item}. {label}", ANSWERS, None if answer is None else str(answer)
            )
        self.fields["impact_difficulties"] = _radios(
            "Overall, are there difficulties with emotions, concentration, behaviour or "
            "getting on with other people?",
            DIFFICULTY_CHOICES,
            tool.impact.get("difficulties"),
        )
        self.impact_items = IMPACT_ITEMS[tool.informant]
        for item in self.impact_items:
            answer = tool.impact.get(item)
            self.fields[f"impact_{item}"] = _radios(
                IMPACT_LABELS[item], IMPACT_ANSWERS, None if answer is None else str(answer)
            )

    def item_fields(self):
        return [self[f"item_{item}"] for item in range(1, 26)]

    def impact_fields(self):
        return [
            self["impact_difficulties"],
            *(self[f"impact_{item}"] for item in self.impact_items),
        ]

    def clean(self):
        data = super().clean()
        informant, age = data.get("informant"), data.get("age")
        if informant and age is not None and "age" not in self.errors:
            try:
                form_version(informant, age)
            except ValueError:
                self.add_error("age", "The self-report questionnaire is for ages 11 to 17")
        return data

    def apply(self, tool):
        data = self.cleaned_data
        tool.informant = data["informant"]
        tool.age = data["age"]
        tool.responses = {
            str(item): _as_int(data[f"item_{item}"])
            for item in range(1, 26)
            if data[f"item_{item}"] not in (None, "")
        }
        impact = {
            "difficulties": data["impact_difficulties"] or None,
            **{item: _as_int(data[f"impact_{item}"]) for item in self.impact_items},
        }
        # Only the questions of the informant's form may be kept: score() refuses others.
        tool.impact = {
            key: value
            for key, value in impact.items()
            if value is not None and key in {"difficulties", *IMPACT_ITEMS[tool.informant]}
        }
        return tool


STEP_ROWS_SPARE = 2
NOBODY_IN_THE_PORTAL = ("", "Nobody in the portal: enter a name below")


def _line(label, initial="", *, help_text="", too_long_label=None):
    return forms.CharField(
        label=label,
        required=False,
        initial=initial,
        help_text=help_text,
        max_length=LINE_MAX_LENGTH,
        error_messages={"max_length": too_long_message(too_long_label or label, LINE_MAX_LENGTH)},
    )


def _owner_choices(tool) -> list:
    """Who in the portal may own a step: those who may see the child (so they can act on it),
    grouped by agency, and anyone already owning one of its steps. One query."""
    may_see = access.people_who_may_see(tool.child).filter(
        role__in=[User.Role.PRACTITIONER, User.Role.TEAM_MANAGER]
    )
    people = Q(pk__in=may_see.values("pk"))
    if tool.pk is not None:
        owning = NextStep.objects.filter(analysis=tool, owner__isnull=False).values("owner_id")
        people |= Q(pk__in=owning)
    rows = User.objects.filter(people)
    by_agency: dict[str, list] = {}
    for person in rows.select_related("agency").order_by(
        "agency__name", "last_name", "first_name", "username"
    ):
        by_agency.setdefault(person.agency.name, []).append((str(person.pk), str(person)))
    return [NOBODY_IN_THE_PORTAL, *by_agency.items()]


class NextStepsForm(ToolForm):
    TEXT = ("strengths", "needs", "risks", "impact_on_child", "still_unknown")
    PARTS = ("what", "owner", "owner_name", "owner_role", "due")
    problem_fields = {"next_steps": "step_1_what"}

    def __init__(self, *args, tool, **kwargs):
        super().__init__(*args, tool=tool, **kwargs)
        self.fields["strengths"] = _text(
            "Strengths", tool.strengths, help_text="What is going well for the child"
        )
        self.fields["needs"] = _text("Needs", tool.needs)
        self.fields["risks"] = _text("Risks", tool.risks)
        self.fields["impact_on_child"] = _text("Impact on the child", tool.impact_on_child)
        self.fields["still_unknown"] = _text("What we still do not know", tool.still_unknown)
        saved = list(tool.steps.all()) if tool.pk else []
        self.saved_steps = {step.pk: step for step in saved}
        posted = self._posted_rows() if self.is_bound else 0
        self.step_count = max(len(saved) + STEP_ROWS_SPARE, posted)
        owners = _owner_choices(tool)
        for number in range(1, self.step_count + 1):
            step = saved[number - 1] if number <= len(saved) else NextStep()
            self._add_step_fields(number, step, owners)

    def _add_step_fields(self, number, step, owners):
        name = f"step_{number}"
        self.fields[f"{name}_id"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=step.pk
        )
        self.fields[f"{name}_what"] = _text(
            f"Next step {number}: what will be done",
            step.what,
            rows=2,
            too_long_label=f"Next step {number}",
        )
        self.fields[f"{name}_owner"] = forms.ChoiceField(
            label=f"Who in the portal will do next step {number}",
            choices=owners,
            required=False,
            initial=str(step.owner_id) if step.owner_id else "",
            error_messages={"invalid_choice": f"Choose who will do next step {number}"},
        )
        self.fields[f"{name}_owner_name"] = _line(
            f"Or the name of someone outside the portal who will do next step {number}",
            step.owner_name,
            too_long_label=f"The owner of next step {number}",
        )
        self.fields[f"{name}_owner_role"] = _line(
            "Their role or agency",
            step.owner_role,
            help_text="For example, GP at Riverside Surgery",
            too_long_label=f"The role of the owner of next step {number}",
        )
        self.fields[f"{name}_due"] = GovukDateField(
            label=f"Due date for next step {number}",
            required=False,
            initial=step.due_on,
            help_text="For example, 27 3 2027",
        )

    def _posted_rows(self):
        numbers = [
            int(key.split("_")[1])
            for key in self.data
            if key.startswith("step_") and key.endswith("_what") and key.split("_")[1].isdigit()
        ]
        return min(max(numbers, default=0), 50)

    def step_rows(self):
        return [
            (number, *(self[f"step_{number}_{part}"] for part in ("id", *self.PARTS)))
            for number in range(1, self.step_count + 1)
        ]

    def clean(self):
        data = super().clean()
        for number in range(1, self.step_count + 1):
            name = f"step_{number}"
            if data.get(f"{name}_owner") and (data.get(f"{name}_owner_name") or "").strip():
                self.add_error(
                    f"{name}_owner_name",
                    f"Choose someone in the portal or enter a name for next step {number}, "
                    "not both",
                )
            due = data.get(f"{name}_due")
            saved = self.saved_steps.get(data.get(f"{name}_id"))
            # Checked when set: a date saved before it passed is not refused on a re-save.
            if due and due < today() and not (saved and saved.due_on == due):
                self.add_error(
                    f"{name}_due", f"The due date for next step {number} must be today or later"
                )
        return data

    def _filled_rows(self) -> list[int]:
        data = self.cleaned_data
        return [
            number
            for number in range(1, self.step_count + 1)
            if (data[f"step_{number}_what"] or "").strip()
            or data[f"step_{number}_owner"]
            or (data[f"step_{number}_owner_name"] or "").strip()
            or (data[f"step_{number}_owner_role"] or "").strip()
            or data[f"step_{number}_due"]
        ]

    def step_answers(self) -> list[StepAnswer]:
        data = self.cleaned_data
        return [
            StepAnswer(
                step_id=data[f"step_{number}_id"],
                what=data[f"step_{number}_what"].strip(),
                owner_id=int(data[f"step_{number}_owner"])
                if data[f"step_{number}_owner"]
                else None,
                owner_name=data[f"step_{number}_owner_name"].strip(),
                owner_role=data[f"step_{number}_owner_role"].strip(),
                due_on=data[f"step_{number}_due"],
            )
            for number in self._filled_rows()
        ]

    def apply(self, tool):
        self._copy_text(tool, self.TEXT)
        return tool

    def save_draft(self, tool, *, user, expected_version):
        return next_steps_save_draft(
            self.apply(tool),
            user=user,
            expected_version=expected_version,
            steps=self.step_answers(),
        )

    def saved_rows(self, tool) -> dict[str, str]:
        """Each filled row's new step id, so completion's problems find their rows."""
        steps = list(tool.steps.order_by("position", "pk").values_list("pk", flat=True))
        return {
            f"step_{number}_id": str(pk)
            for number, pk in zip(self._filled_rows(), steps, strict=False)
        }

    def field_for_problem(self, key):
        if key.startswith("step:"):
            _, pk, part = key.split(":")
            for number in range(1, self.step_count + 1):
                if str(self.data.get(f"step_{number}_id")) == pk:
                    return f"step_{number}_{part}"
            return None
        return super().field_for_problem(key)


class NextStepStatusForm(CarriesVersion, GovukModelForm):
    """A completed analysis's step: done (when), no longer needed (why) or still open."""

    submit_label = "Save the status"
    out_of_date = "This page is out of date. Go back to the analysis and open it again"

    class Meta:
        model = NextStep
        fields = ["status", "done_on", "closed_reason"]
        widgets = {"status": forms.RadioSelect, "closed_reason": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "status": "What is the status of this step?",
            "closed_reason": "If it is no longer needed, why not",
        }
        error_messages = {"status": {"required": "Select the status of the step"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"] = GovukDateField(
            label="If it is done, the date it was done",
            required=False,
            initial=self.instance.done_on,
            help_text="For example, 27 3 2027",
        )
        self.fields["closed_reason"].max_length = TEXT_MAX_LENGTH


class SDQNeedForm(GovukForm):
    submit_label = "Record the need"

    reason = forms.CharField(
        label="Why does the child need an SDQ?",
        help_text="What you have seen or been told that makes an SDQ needed. It shows in the "
        "child's tool status until an SDQ is completed",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the child needs an SDQ",
            "max_length": too_long_message("The reason", TEXT_MAX_LENGTH),
        },
    )
