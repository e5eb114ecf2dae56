"""Forms for the dataset's writes: an agency's quarterly return (its training figures and its
own indicators'), the indicators agencies submit, republishing a quarter and an indicator's
target."""

from django import forms

from neglect_portal.forms import GovukForm
from neglect_portal.limits import too_long_message
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter
from neglect_portal.records.versions import CarriesVersion

from . import targets
from .indicators import Kind, Unit
from .models import (
    PARTNER_CODE_PATTERN,
    AgencyReturn,
    PartnerFigure,
    PartnerIndicator,
    PublishedQuarter,
    Target,
    partner_code_validator,
)

REASON_MAX_LENGTH = PublishedQuarter._meta.get_field("reason").max_length
TARGET_REASON_MAX_LENGTH = Target._meta.get_field("reason").max_length

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


class TargetForm(CarriesVersion, GovukForm):
    """An indicator's target from a quarter on, or its withdrawal from then.

    Carries the version of the indicator's whole schedule of targets (targets.schedule_version),
    so a change someone else saved to any of them meanwhile is refused and shown.
    """

    SET, WITHDRAW = "set", "withdraw"
    submit_label = "Save target"
    out_of_date = "This page is out of date. Go back to the targets and open it again"

    applies_from = forms.TypedChoiceField(
        label="Applies from",
        coerce=Quarter.parse,
        help_text="The first quarter this target applies to. It stays in force until a later "
        "one replaces it.",
        error_messages={
            "required": "Select the quarter the target applies from",
            "invalid_choice": "Select the quarter the target applies from",
        },
    )
    action = forms.ChoiceField(
        label="Set or withdraw the target?",
        widget=forms.RadioSelect,
        choices=[(SET, "Set a target"), (WITHDRAW, "Withdraw the target from this quarter on")],
        initial=SET,
        # Not asked when the page was opened before any target was set: setting one, then.
        required=False,
    )
    value = forms.DecimalField(
        label="Target",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"invalid": "The target must be a number, like 60 or 62.5"},
    )
    reason = forms.CharField(
        label="Why is the target being set?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TARGET_REASON_MAX_LENGTH,
        help_text="For example, agreed by the Working Group on 3 June 2025. Kept with the "
        "target and in its history.",
        error_messages={
            "required": "Enter why the target is being set",
            "max_length": too_long_message("The reason", TARGET_REASON_MAX_LENGTH),
        },
    )

    def __init__(
        self,
        *args,
        indicator,
        schedule_version: int,
        quarters: list[Quarter],
        withdrawable: bool,
        **kwargs,
    ):
        self.indicator = indicator
        self.schedule_version = schedule_version
        super().__init__(*args, **kwargs)
        self.fields["applies_from"].choices = [(q.slug, q.label) for q in quarters]
        if not withdrawable:
            # Nothing has been set yet: there is nothing to withdraw.
            del self.fields["action"]
        better = "at least" if indicator.higher_is_better else "at most"
        side = "higher" if indicator.higher_is_better else "lower"
        unit = {
            Unit.PERCENTAGE: "a percentage from 0 to 100, like 60 or 62.5",
            Unit.COUNT: "a whole number",
            Unit.MEAN: "a number to one decimal place, like 12.5",
            Unit.AVERAGE: "a number to one decimal place, like 12.5",
        }[indicator.unit]
        self.fields["value"].label = "Target (%)" if indicator.unit == Unit.PERCENTAGE else "Target"
        self.fields[
            "value"
        ].help_text = (
            f"Met when the figure is {better} the target ({side} is better). Enter {unit}."
        )

    def version_started(self):
        return self.schedule_version, True

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the target is being set")
        return reason

    def clean(self):
        cleaned = super().clean()
        withdraw = cleaned.get("action") == self.WITHDRAW
        value = cleaned.get("value")
        if "value" in self.errors:
            return cleaned
        if withdraw and value is not None:
            self.add_error("value", "Leave the target empty to withdraw it, or choose to set one")
        elif not withdraw and value is None:
            self.add_error("value", "Enter the target")
        elif value is not None and (problem := targets.value_problem(self.indicator, value)):
            self.add_error("value", problem)
        return cleaned

    @property
    def target_value(self):
        """The value to save: None withdraws the target."""
        if self.cleaned_data.get("action") == self.WITHDRAW:
            return None
        return self.cleaned_data["value"]


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
