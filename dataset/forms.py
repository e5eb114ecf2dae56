"""Forms for the dataset's writes: an agency's quarterly return (its training figures and its
own indicators'), the indicators agencies submit, and republishing a quarter."""

from django import forms

from neglect_portal.forms import GovukForm
from neglect_portal.limits import too_long_message
from neglect_portal.models import Agency
from neglect_portal.records.versions import CarriesVersion

from .indicators import Kind, Unit
from .models import (
    PARTNER_CODE_PATTERN,
    AgencyReturn,
    PartnerFigure,
    PartnerIndicator,
    PublishedQuarter,
    partner_code_validator,
)

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

    def __init__(self, *args, current=None, optional=False, **kwargs):
        if current is not None:
            self.submit_label = "Save corrected return"
        self.current = current
        super().__init__(*args, **kwargs)
        # On a return with other parts, the training figures may be left for later, unless
        # they were submitted already (a submitted figure is corrected, never withdrawn).
        self.optional = optional and current is None
        if self.optional:
            for name in ("staff_trained", "target_workforce"):
                self.fields[name].required = False
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

    @property
    def left(self) -> bool:
        """Left blank on purpose: this part of the return is not submitted."""
        return self.optional and not any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("staff_trained", "target_workforce", "narrative")
        )

    def clean(self):
        cleaned = super().clean()
        trained, workforce = cleaned.get("staff_trained"), cleaned.get("target_workforce")
        if self.optional and not self.left:
            # Started: both numbers are needed, as on a return with no other part.
            if trained is None and "staff_trained" not in self.errors:
                self.add_error(
                    "staff_trained", "Enter the number of staff trained in neglect to date"
                )
            if workforce is None and "target_workforce" not in self.errors:
                self.add_error("target_workforce", "Enter the target workforce")
        if trained is not None and workforce is not None and trained > workforce:
            self.add_error(
                "staff_trained",
                "Staff trained in neglect to date must be the "
                "same as or fewer than the target workforce",
            )
        return cleaned


class RepublishForm(GovukForm):
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


# Indicators submitted by agencies ------------------------------------------------------------

FIGURE_MAX = 100_000_000


def _figure_number(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=FIGURE_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like 12",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be {FIGURE_MAX:,} or less",
        },
    )


class PartnerFigureForm(CarriesVersion, GovukForm):
    """One of the agency's own indicators on its quarterly return, with the numbers its unit
    asks for. Left blank, the indicator stays "not submitted" (never 0); once submitted it is
    corrected, never withdrawn."""

    numerator = _figure_number("Number")
    denominator = _figure_number("Denominator")
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=PartnerFigure._meta.get_field("note").max_length,
        help_text="Optional. Anything the Working Group should know about this figure.",
    )
    out_of_date = "This page is out of date. Go back to your agency's return and open it again"

    def __init__(self, *args, indicator: PartnerIndicator, current=None, **kwargs):
        self.indicator = indicator
        self.current = current
        kwargs.setdefault("prefix", indicator.code.lower())
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.inputs = []
        unit, counts = indicator.unit, indicator.counts
        numerator, denominator = self.fields["numerator"], self.fields["denominator"]
        if unit == Unit.PERCENTAGE:
            numerator.label = f"Numerator ({counts} counted)"
            denominator.label = f"Denominator (all {counts} it is out of)"
            numerator.help_text = "The percentage is the numerator divided by the denominator."
        elif unit == Unit.AVERAGE:
            numerator.label = "Total"
            denominator.label = f"Number of {counts} the total is divided by"
            numerator.help_text = "The mean is the total divided by this number."
        else:
            numerator.label = f"Number of {counts}"
            del self.fields["denominator"]
        for field in (numerator, self.fields.get("denominator")):
            if field is not None:
                label = str(field.label)
                field.error_messages.update(
                    {
                        "invalid": f"{label} must be a whole number, like 12",
                        "min_value": f"{label} must be 0 or more",
                        "max_value": f"{label} must be {FIGURE_MAX:,} or less",
                    }
                )
        if current is not None:
            self.initial.update(
                {
                    "numerator": current.numerator,
                    "denominator": current.denominator,
                    "note": current.note,
                }
            )

    def version_started(self):
        return (self.current.version if self.current else None), False

    @property
    def left(self) -> bool:
        """Left blank on purpose: not submitted this time (only before it ever was)."""
        return self.current is None and not any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in self.fields
            if name != "version"
        )

    def clean(self):
        cleaned = super().clean()
        if self.left:
            return cleaned
        numerator, denominator = cleaned.get("numerator"), cleaned.get("denominator")
        if numerator is None and "numerator" not in self.errors:
            self.add_error("numerator", f"Enter the {str(self.fields['numerator'].label).lower()}")
        if "denominator" in self.fields:
            if denominator is None and "denominator" not in self.errors:
                label = str(self.fields["denominator"].label)
                self.add_error("denominator", f"Enter the {label[0].lower()}{label[1:]}")
            elif (
                self.indicator.unit == Unit.PERCENTAGE
                and numerator is not None
                and denominator is not None
                and numerator > denominator
            ):
                self.add_error(
                    "numerator", "The numerator must be the same as or less than the denominator"
                )
        return cleaned


class PartnerIndicatorForm(GovukForm):
    """An administrator's definition of an indicator an agency submits. On an edit the code
    is shown, not changed: published quarters and exports know the figure by it."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        validators=[partner_code_validator],
        help_text="AG_ then capital letters, numbers and underscores, like "
        "AG_POLICE_NEGLECT_CRIMES. It cannot be changed later.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "pattern": PARTNER_CODE_PATTERN}),
        error_messages={"required": "Enter a code"},
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    definition = forms.CharField(
        label="Definition",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=PartnerIndicator._meta.get_field("definition").max_length,
        help_text="Exactly what is counted, as every page and export will show it.",
        error_messages={"required": "Enter the definition"},
    )
    agency = forms.ModelChoiceField(
        label="Owning agency",
        queryset=Agency.objects.filter(active=True).order_by("name"),
        help_text="Its agency lead submits the figures on the agency's quarterly return.",
        error_messages={"required": "Select the owning agency"},
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of figure"},
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=PartnerIndicator.PartnerUnit.choices,
        widget=forms.RadioSelect,
        help_text="A percentage is the submitted numerator divided by the submitted "
        "denominator; a mean is the submitted total divided by the submitted count.",
        error_messages={"required": "Select the unit"},
    )
    counts = forms.CharField(
        label="What is counted",
        max_length=60,
        help_text='In the plural, as the pages say "12 of 80 contacts": for example crimes, '
        "contacts, children.",
        error_messages={"required": "Enter what is counted"},
    )
    higher_is_better = forms.TypedChoiceField(
        label="Which direction is better?",
        choices=[("True", "Higher is better"), ("False", "Lower is better")],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": "Select which direction is better"},
    )
    active = forms.BooleanField(
        label="Active: the agency submits it each quarter",
        required=False,
        initial=True,
    )
    # The indicator's latest history row when the form was opened (edits only).
    mark = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, current: PartnerIndicator | None = None, **kwargs):
        self.current = current
        self.submit_label = "Save changes" if current else "Add indicator"
        super().__init__(*args, **kwargs)
        if current is not None:
            del self.fields["code"]
            # An agency switched off keeps its indicators until an administrator moves them.
            self.fields["agency"].queryset = Agency.objects.filter(
                pk=current.agency_id
            ) | Agency.objects.filter(active=True)
            self.initial.update(
                {
                    field: getattr(current, field)
                    for field in (
                        "title",
                        "definition",
                        "kind",
                        "unit",
                        "counts",
                        "active",
                    )
                }
            )
            self.initial["agency"] = current.agency_id
            self.initial["higher_is_better"] = str(current.higher_is_better)
        else:
            del self.fields["mark"]
            self.fields["kind"].initial = Kind.FLOW

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if PartnerIndicator.objects.filter(code=code).exists():
            raise forms.ValidationError("Another indicator already has this code")
        return code
