"""The forms that turn a round's findings into action: learning points, themes, grouping a
point into a theme, and an agreed action in an agency's plan."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Submit
from django import forms

from actionplans.models import Objective
from neglect_portal.forms import GovukDateField, GovukForm
from neglect_portal.limits import LINE_MAX_LENGTH, TEXT_MAX_LENGTH
from neglect_portal.models import Agency

from .audit_models import AuditRound, AuditSample, AuditTheme


class _InPageForm(GovukForm):
    """One of several forms on a page, which wraps each in its own <form> with a hidden
    `step` saying which was sent; each form's button has its own id."""

    button_class = ""

    def __init__(self, *args: Any, button_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.inputs = [
            Submit("submit", self.submit_label, css_id=button_id, css_class=self.button_class)
        ]


class SampleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AuditSample) -> str:
        # A runner need not be entitled to the child's record: the label only.
        return obj.label


class LearningAddForm(_InPageForm):
    submit_label = "Add the learning point"

    text = forms.CharField(
        label="Learning point",
        help_text="What the audit found, in words that name no child",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the learning point"},
    )

    def __init__(self, *args: Any, round: AuditRound, **kwargs: Any) -> None:
        # Field names stay unprefixed (the submission token is read by its own name); the
        # ids are this form's, so the page's other forms cannot clash with them.
        super().__init__(*args, auto_id="learning-%s", button_id="learning-submit", **kwargs)
        self.fields["sample"] = SampleChoiceField(
            queryset=round.samples.order_by("number"),
            required=False,
            label="About one child (optional)",
            help_text="Leave blank for a point about the round as a whole",
            empty_label="The round as a whole",
        )


class ThemeAddForm(_InPageForm):
    submit_label = "Add the theme"

    title = forms.CharField(
        label="Theme",
        help_text="For example, Use of chronologies",
        max_length=LINE_MAX_LENGTH,
        error_messages={"required": "Enter the theme"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="theme-%s", button_id="theme-submit", **kwargs)


class LearningGroupForm(_InPageForm):
    """One point's theme, on the point's own row."""

    submit_label = "Save"
    button_class = "govuk-button--secondary govuk-!-margin-bottom-0"

    def __init__(
        self, *args: Any, point_id: int, themes: list[AuditTheme], theme_id: int | None, **kwargs
    ) -> None:
        super().__init__(
            *args, prefix=f"point-{point_id}", button_id=f"point-{point_id}-submit", **kwargs
        )
        self.fields["theme"] = forms.TypedChoiceField(
            label="Theme",
            choices=[("", "No theme")] + [(str(theme.pk), theme.title) for theme in themes],
            coerce=int,
            empty_value=None,
            required=False,
            error_messages={"invalid_choice": "Choose a theme from this round"},
        )
        if not self.is_bound:
            self.initial["theme"] = "" if theme_id is None else str(theme_id)


class AgreedActionForm(GovukForm):
    submit_label = "Add the agreed action"

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Which agency's plan is it added to?",
        help_text="It goes into the agency's active action plan",
        empty_label="Select an agency",
        error_messages={"required": "Select the agency whose plan the action goes into"},
    )
    objective = forms.ChoiceField(
        label="Objective",
        choices=Objective.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the objective the action is under"},
    )
    description = forms.CharField(
        label="What will be done",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what will be done"},
    )
    owner_name = forms.CharField(
        label="Owner",
        help_text="A name, team or post",
        max_length=LINE_MAX_LENGTH,
        error_messages={"required": "Enter who owns the action"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.fields["due_date"] = GovukDateField(
            label="Due date", help_text="For example, 27 3 2027"
        )
