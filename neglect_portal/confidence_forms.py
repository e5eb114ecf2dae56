"""The confidence survey: completed online by the practitioner, or typed in from paper by
their agency lead."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from . import access
from .confidence import HIGHEST, LOWEST, QUESTIONS, SCALE_HINT
from .dates import not_in_future
from .forms import GovukDateField, GovukForm
from .models import ConfidenceSurvey, User
from .records import once

SCALE = [(n, str(n)) for n in range(LOWEST, HIGHEST + 1)]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display().lower()})"


class ConfidenceSurveyForm(GovukForm):
    """The stage and the three scores; the survey is dated the day it is sent."""

    submit_label = "Save survey"
    paper = False

    stage = forms.ChoiceField(
        label="Is this before or after neglect training?",
        choices=ConfidenceSurvey.Stage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select before or after training"},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, question in QUESTIONS.items():
            what = question.removeprefix("How confident are you in ").rstrip("?")
            self.fields[name] = forms.TypedChoiceField(
                label=question,
                help_text=SCALE_HINT,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select how confident you are in {what}"},
            )
        once.carry_token(self)
        self.helper.layout = Layout(
            *self._leading_fields(),
            Field.radios("stage", legend_size=Size.MEDIUM),
            *(Field.radios(name, legend_size=Size.MEDIUM, inline=True) for name in QUESTIONS),
        )
        # The one-time token (a hidden field) is in no layout.
        self.helper.render_unmentioned_fields = True

    def _leading_fields(self) -> list:
        return []

    @property
    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in QUESTIONS}


class PaperSurveyForm(ConfidenceSurveyForm):
    """An agency lead types in a practitioner's paper survey: whose it is and the date on it
    come first."""

    paper = True

    def __init__(self, *args: Any, lead: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["stage"].label = "Was it completed before or after neglect training?"
        respondent = PersonChoiceField(
            queryset=access.paper_survey_respondents(lead).order_by(
                "last_name", "first_name", "username"
            ),
            label="Whose survey is it?",
            help_text=f"Practitioners and team managers of {lead.agency}",
            empty_label="Select a person",
            error_messages={
                "required": "Select whose survey it is",
                "invalid_choice": "Select someone from your agency",
            },
        )
        completed_on = GovukDateField(
            label="Date the survey was completed", help_text="For example, 27 3 2026"
        )
        # Whose and when first, then the answers as the paper has them.
        self.fields = {
            "respondent": respondent,
            "completed_on": completed_on,
            **self.fields,
        }

    def _leading_fields(self) -> list:
        return [
            Field.select("respondent", legend_size=Size.MEDIUM),
            Field("completed_on"),
        ]

    def clean_completed_on(self) -> Any:
        day = self.cleaned_data["completed_on"]
        not_in_future(day, "Date the survey was completed")
        return day
