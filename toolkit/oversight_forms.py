"""The team manager's oversight comment on a completed tool or a chronology review."""

from django import forms

from neglect_portal import access
from neglect_portal.forms import GovukForm
from neglect_portal.limits import TEXT_MAX_LENGTH
from neglect_portal.records.versions import CarriesVersion

from .models import Oversight
from .selectors import awaits_oversight, oversight_of


class OversightForm(CarriesVersion, GovukForm):
    submit_label = "Record oversight"
    out_of_date = "This page is out of date. Open the tool again to see what changed"

    judgement = forms.ChoiceField(
        label="Your judgement",
        choices=Oversight.Judgement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you agree with the tool"},
    )
    reason = forms.CharField(
        label="Why?",
        help_text="What you read and why you reached your judgement",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for your judgement"},
    )
    actions = forms.CharField(
        label="Actions required",
        help_text="Needed if you agree with actions: what must be done, by whom",
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, tool, **kwargs):
        self.tool = tool
        super().__init__(*args, **kwargs)
        # The page's own <form> posts it to the oversight URL, beside the tool's answers.
        self.helper.form_tag = False

    def version_started(self):
        return self.tool.version, True

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("judgement") == Oversight.Judgement.AGREE_WITH_ACTIONS
            and not (cleaned.get("actions") or "").strip()
        ):
            self.add_error("actions", "Enter the actions required")
        return cleaned


def oversight_context(user, kind, tool, form=None) -> dict:
    """What a tool's or the chronology's page shows of its oversight: the comments, whether it
    awaits one, and the form for a manager who may record it. `form` is a bound form being
    shown again with its errors (it is `form` on the page, for the error summary)."""
    comments = oversight_of(kind, tool) if tool is not None else []
    may_record = tool is not None and access.can_record_oversight(user, tool)
    context = {
        "oversight_comments": comments,
        "awaiting_oversight": tool is not None and awaits_oversight(tool, comments),
        "oversight_form": form or (OversightForm(tool=tool) if may_record else None),
        "oversight_kind": kind,
        "oversight_version": tool.version if tool is not None else None,
    }
    if form is not None:
        context["form"] = form
    return context
