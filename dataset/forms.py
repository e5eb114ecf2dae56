"""Forms for the dataset's writes: an agency's quarterly return and republishing a quarter."""

from django import forms

from neglect_portal.forms import GovukForm
from neglect_portal.limits import too_long_message
from neglect_portal.records.versions import CarriesVersion

from .models import AgencyReturn, PublishedQuarter

REASON_MAX_LENGTH = PublishedQuarter._meta.get_field("reason").max_length

# A PositiveIntegerField holds up to 2,147,483,647; no agency has a millionth member of staff.
MOST_STAFF = 1_000_000


def _whole_number(label: str, minimum: int, *, required: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=MOST_STAFF,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": required,
            "invalid": f"{label} must be a whole number, like 120",
            "min_value": f"{label} must be {minimum} or more",
            "max_value": f"{label} must be {MOST_STAFF:,} or fewer",
        },
    )


class AgencyReturnForm(CarriesVersion, GovukForm):
    """An agency's TRAINING_COVERAGE figures for one quarter.

    Staff trained may not exceed the target workforce: coverage over 100% would hide other
    agencies' gaps in the partnership total, and "to date" counts only the staff the agency
    means to train, so a larger number means one of the two figures is wrong.
    """

    submit_label = "Submit return"

    staff_trained = _whole_number(
        "Staff trained in neglect to date",
        0,
        required="Enter the number of staff trained in neglect to date",
    )
    target_workforce = _whole_number("Target workforce", 1, required="Enter the target workforce")
    narrative = forms.CharField(
        label="Narrative",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=AgencyReturn._meta.get_field("narrative").max_length,
        help_text="Optional. What the figures do not say: training planned, staff changes.",
    )
    out_of_date = "This page is out of date. Go back to the training coverage and open it again"

    def __init__(self, *args, current=None, **kwargs):
        if current is not None:
            self.submit_label = "Save corrected return"
        self.current = current
        super().__init__(*args, **kwargs)
        self.fields[
            "target_workforce"
        ].help_text = "The staff your agency plans to train in neglect; at least 1"
        if current is not None:
            self.initial.update(
                {
                    "staff_trained": current.staff_trained,
                    "target_workforce": current.target_workforce,
                    "narrative": current.narrative,
                }
            )

    def version_started(self):
        # None before the first return: a return saved by someone else meanwhile is refused.
        return (self.current.version if self.current else None), False

    def clean(self):
        cleaned = super().clean()
        trained, workforce = cleaned.get("staff_trained"), cleaned.get("target_workforce")
        if trained is not None and workforce is not None and trained > workforce:
            self.add_error(
                "staff_trained",
                "Staff trained in neglect to date must be the "
                "same as or fewer than the target workforce",
            )
        return cleaned


class ConfirmsGaps(forms.Form):
    """Publishing with returns missing or challenges open is allowed, but only once the
    administrator has read the list and ticked to say so."""

    confirm = forms.BooleanField(
        required=False,
        label="I have read what is missing and want to publish the quarter as it stands",
    )

    def __init__(self, *args, readiness=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.readiness = readiness
        if readiness is None or readiness.complete:
            del self.fields["confirm"]

    def clean_confirm(self):
        if not self.cleaned_data["confirm"]:
            raise forms.ValidationError(
                f"Confirm that you want to publish with {self.readiness.summary}"
            )
        return True


class PublishForm(ConfirmsGaps, GovukForm):
    submit_label = "Publish quarter"
    # The page's own button: a refusal with nothing to tick points there.
    non_field_anchor = "publish"


class RepublishForm(ConfirmsGaps, GovukForm):
    submit_label = "Republish quarter"

    reason = forms.CharField(
        label="Why is the quarter being published again?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_LENGTH,
        help_text="For example, records corrected after publication. Kept in the quarter's "
        "history.",
        error_messages={
            "required": "Enter why the quarter is being published again",
            "max_length": too_long_message("The reason", REASON_MAX_LENGTH),
        },
    )
    # The publication the administrator looked at: a republish by someone else in between
    # is refused rather than replaced unseen.
    publication = forms.IntegerField(widget=forms.HiddenInput)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the quarter is being published again")
        return reason
