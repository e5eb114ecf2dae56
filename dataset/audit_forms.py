"""Forms of the audit's working pages: a new round, drawing or picking its sample, a child's
audit team, the audit form (one fieldset per criterion) and its moderation."""

from __future__ import annotations

from typing import Any

from django import forms

from neglect_portal.forms import GovukDateField, GovukForm, GovukModelForm
from neglect_portal.records.versions import CarriesVersion

from .audit_models import AuditJudgement, AuditRound, Grade
from .audit_services import SEED_LIMIT, Answer, Moderation

DATE_HINT = "For example, 27 3 2026"
TEXT_MAX = AuditJudgement._meta.get_field("evidence").max_length


class AuditRoundForm(GovukModelForm):
    submit_label = "Create the round"
    starts_on = GovukDateField(label="Start date", help_text=DATE_HINT)
    ends_on = GovukDateField(
        label="End date",
        help_text="Auditors may read their children's records until this date or until the "
        "round is closed, whichever is sooner",
    )
    sample_date = GovukDateField(
        label="Sample date", help_text="Children on a neglect plan on this date can be sampled"
    )

    class Meta:
        model = AuditRound
        fields = ["title", "starts_on", "ends_on", "sample_date", "sample_size", "method"]
        labels = {
            "title": "Title of the round",
            "sample_size": "Number of children",
            "method": "How the children are chosen",
        }
        help_texts = {"sample_size": "For a round picked by hand, the children you pick count"}
        widgets = {
            "method": forms.RadioSelect,
            "sample_size": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}
            ),
        }
        error_messages = {
            "title": {"required": "Enter a title for the round"},
            "sample_size": {
                "required": "Enter the number of children",
                "invalid": "Number of children must be a whole number, like 10",
            },
            "method": {"required": "Select how the children are chosen"},
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        method: Any = self.fields["method"]
        method.choices = AuditRound.Method.choices  # radios, so no blank choice


class RoundVersionForm(CarriesVersion, GovukForm):
    """A POST that changes the round (start, close): only its version."""

    out_of_date = "Someone changed this round after you opened it. Check the round and try again"
    non_field_anchor = "round-actions"

    def __init__(self, *args: Any, round: AuditRound, **kwargs: Any):
        self.round = round
        super().__init__(*args, **kwargs)

    def version_started(self) -> tuple[int | None, bool]:
        return self.round.version, True


class DrawForm(RoundVersionForm):
    submit_label = "Draw the sample"
    non_field_anchor = "id_seed"
    seed = forms.IntegerField(
        label="Seed (optional)",
        required=False,
        min_value=0,
        max_value=SEED_LIMIT,
        help_text="Leave blank for a new random seed. Enter a recorded seed to draw the same "
        "children again and check a sample.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
        error_messages={
            "invalid": "Seed must be a whole number, like 1234",
            "min_value": f"Seed must be a whole number from 0 to {SEED_LIMIT}",
            "max_value": f"Seed must be a whole number from 0 to {SEED_LIMIT}",
        },
    )


class CriterionAddForm(RoundVersionForm):
    submit_label = "Add the criterion"
    non_field_anchor = "id_title"
    title = forms.CharField(
        label="Criterion",
        max_length=200,
        error_messages={"required": "Enter the criterion, like Work with fathers"},
    )
    question = forms.CharField(
        label="Question the auditors answer (optional)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PickForm(RoundVersionForm):
    submit_label = "Save the sample"
    non_field_anchor = "id_children_1"

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["children"] = forms.TypedMultipleChoiceField(
            label="Children to audit",
            choices=choices,
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select the children to audit"},
        )


class TeamForm(CarriesVersion, GovukForm):
    submit_label = "Save the audit team"
    out_of_date = "Someone changed this child's audit team after you opened it. Check it again"

    def __init__(self, *args: Any, sample: Any, leads: Any, auditors: Any, **kwargs: Any):
        self.sample = sample
        super().__init__(*args, **kwargs)
        self.fields["lead_auditor"] = forms.ModelChoiceField(
            label="Lead auditor (children's social care)",
            queryset=leads,
            initial=sample.lead_auditor_id,
            empty_label="Select a lead auditor",
            error_messages={"required": "Select the lead auditor"},
        )
        self.fields["auditors"] = forms.ModelMultipleChoiceField(
            label="Auditors from the other agencies involved",
            queryset=auditors,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=[a.auditor_id for a in sample.auditors.all()],
            help_text="Practitioners and managers of the agencies involved with the child on "
            "the sample date",
        )

    def version_started(self) -> tuple[int | None, bool]:
        return self.sample.version, True


class _PerCriterion(CarriesVersion, GovukForm):
    """A grade for each of the round's criteria (and what the subclass adds beside it in
    `add_fields`), for a sampled child's audit; the page lays out its own fieldsets."""

    grade_label = "Grade"

    def __init__(self, *args: Any, sample: Any, criteria: list, judgements: dict, **kwargs: Any):
        self.sample = sample
        self.criteria = criteria
        self.judgements = judgements
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.inputs = []
        for criterion in criteria:
            judgement = judgements.get(criterion.pk)
            self.fields[f"grade_{criterion.pk}"] = forms.ChoiceField(
                label=f"{self.grade_label}: {criterion.title}",
                choices=Grade.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=judgement.grade if judgement else None,
            )
            self.add_fields(criterion, judgement)

    def add_fields(self, criterion: Any, judgement: Any) -> None:
        raise NotImplementedError

    def version_started(self) -> tuple[int | None, bool]:
        return self.sample.version, True


class AuditForm(_PerCriterion):
    """One fieldset per criterion. Nothing is required to save a draft; completing checks
    every criterion (the service says which gaps)."""

    out_of_date = "Someone saved this audit after you opened it"

    def add_fields(self, criterion: Any, judgement: Any) -> None:
        self.fields[f"evidence_{criterion.pk}"] = forms.CharField(
            label=f"Evidence: {criterion.title}",
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            max_length=TEXT_MAX,
            initial=judgement.evidence if judgement else "",
            help_text="What in the record supports the grade",
        )
        self.fields[f"better_{criterion.pk}"] = forms.CharField(
            label=f"What would have made it better: {criterion.title}",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=TEXT_MAX,
            initial=judgement.better if judgement else "",
        )

    def sections(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (c, self[f"grade_{c.pk}"], self[f"evidence_{c.pk}"], self[f"better_{c.pk}"])
            for c in self.criteria
        ]

    def answers(self) -> dict[int, Answer]:
        data = self.cleaned_data
        return {
            c.pk: Answer(
                grade=data.get(f"grade_{c.pk}") or "",
                evidence=data.get(f"evidence_{c.pk}") or "",
                better=data.get(f"better_{c.pk}") or "",
            )
            for c in self.criteria
        }


class ModerateForm(_PerCriterion):
    """The lead auditor's grade per criterion (the team's, unless changed) and why it changed."""

    out_of_date = "Someone changed this audit after you opened it"
    grade_label = "Moderated grade"

    def add_fields(self, criterion: Any, judgement: Any) -> None:
        self.fields[f"reason_{criterion.pk}"] = forms.CharField(
            label=f"Why the grade is changed: {criterion.title}",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            max_length=TEXT_MAX,
            help_text="Needed only if you change the grade",
        )

    def sections(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (c, self.judgements.get(c.pk), self[f"grade_{c.pk}"], self[f"reason_{c.pk}"])
            for c in self.criteria
        ]

    def changes(self) -> dict[int, Moderation]:
        data = self.cleaned_data
        return {
            c.pk: Moderation(
                grade=data.get(f"grade_{c.pk}") or "", reason=data.get(f"reason_{c.pk}") or ""
            )
            for c in self.criteria
        }
