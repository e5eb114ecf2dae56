from django import forms

from neglect_portal.forms import GovukDateField, GovukModelForm
from neglect_portal.records.versions import CarriesVersion

from .content import NeglectType
from .models import ChronologyEntry


class ChronologyEntryForm(GovukModelForm):
    submit_label = "Add to chronology"
    event_date = GovukDateField(label="Date of the event", help_text="For example, 27 3 2025")
    neglect_types = forms.MultipleChoiceField(
        label="Types of neglect this shows",
        choices=NeglectType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )

    class Meta:
        model = ChronologyEntry
        fields = [
            "event_date",
            "what_happened",
            "who_was_involved",
            "impact",
            "impact_description",
            "action",
            "analysis",
            "significant",
            "neglect_types",
        ]
        labels = {
            "what_happened": "What happened",
            "impact": "Was the impact on the child positive, negative or neutral?",
            "significant": "This is a significant event",
        }
        help_texts = {
            "what_happened": "Brief and factual. Keep case notes elsewhere.",
            "impact_description": "What difference it made to the child, in plain words",
        }
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 3}),
            "who_was_involved": forms.Textarea(attrs={"rows": 2}),
            "impact": forms.RadioSelect,
            "impact_description": forms.Textarea(attrs={"rows": 3}),
            "action": forms.Textarea(attrs={"rows": 2}),
            "analysis": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "what_happened": {"required": "Enter what happened"},
            "impact": {"required": "Select the impact on the child"},
            "impact_description": {"required": "Enter how it affected the child"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["impact"].choices = [c for c in self.fields["impact"].choices if c[0]]


class ChronologyEntryChangeForm(CarriesVersion, ChronologyEntryForm):
    submit_label = "Save changes"
    out_of_date = "This page is out of date. Go back to the chronology and open the entry again"
