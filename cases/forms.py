from crispy_forms_gds.layout import HTML, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from neglect_portal.dates import long_date, today
from neglect_portal.forms import GovukDateField, GovukModelForm
from neglect_portal.models import Agency, User
from neglect_portal.records.versions import CarriesVersion

from . import informed_by
from .codes import (
    ASSESSMENT_FACTOR_CHOICES,
    CPCategory,
    Disability,
    PresentingFactor,
    ReferralSource,
    VoiceAnswer,
)
from .models import (
    Allocation,
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINPlanReview,
    CPReview,
    Involvement,
    Referral,
)

DATE_HINT = "For example, 27 3 2024"


def _date(label, *, required=True, hint=DATE_HINT):
    return GovukDateField(label=label, required=required, help_text=hint)


class CaseRecordForm(GovukModelForm):
    """A case record form that also checks the constraints involving the record's parent.

    The view sets the parent (child, referral or plan), which is not a form field, so a
    ModelForm would leave it out of validation and a duplicate would reach the database.
    """

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - {"child", "referral", "plan"}

    def _update_errors(self, errors):
        # A model rule may name a field this form does not show (ending a plan can make it
        # overlap another, a rule reported against the start date): show it above the form.
        if hasattr(errors, "error_dict"):
            for name in list(errors.error_dict):
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                        errors.error_dict.pop(name)
                    )
        super()._update_errors(errors)


class VersionedForm(CarriesVersion, CaseRecordForm):
    out_of_date = "This page is out of date. Go back to the child's record and open it again"


def _staff_choices(agencies=None):
    staff = (
        User.objects.filter(
            is_active=True, role__in=[User.Role.PRACTITIONER, User.Role.TEAM_MANAGER]
        )
        .select_related("agency")
        .order_by("last_name", "first_name")
    )
    return staff if agencies is None else staff.filter(agency__in=agencies)


def _csc_staff():
    # Allocation grants sight of the child, so only the statutory service's staff are offered.
    return _staff_choices(Agency.objects.filter(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE))


def _no_preselected_radio(form, name, message):
    """GOV.UK radios start unselected, even where the model has a default."""
    if form.instance.pk is None and not form.is_bound:
        form.initial[name] = None
    form.fields[name].error_messages["required"] = message


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username} ({obj.agency})"


class ChildForm(VersionedForm):
    submit_label = "Save child"
    date_of_birth = _date(
        "Date of birth",
        required=False,
        hint="For example, 27 3 2018. Leave blank for an unborn child.",
    )
    expected_date_of_birth = _date(
        "Expected date of birth",
        required=False,
        hint="Only for an unborn child. For example, 27 3 2027",
    )
    date_of_death = _date("Date of death", required=False)
    disabilities = forms.MultipleChoiceField(
        choices=Disability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )

    class Meta:
        model = Child
        fields = [
            "la_child_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "expected_date_of_birth",
            "sex",
            "ethnicity",
            "disabilities",
            "date_of_death",
        ]
        widgets = {"sex": forms.RadioSelect}
        error_messages = {
            "la_child_id": {
                "required": "Enter the LA child ID",
                "unique": "A child with this LA child ID already exists",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = [
            ("", "Not recorded"),
            *self.fields["ethnicity"].choices[1:],
        ]
        _no_preselected_radio(self, "sex", "Select the child's sex")


class ReferralForm(VersionedForm):
    submit_label = "Save referral"
    referral_date = _date("Referral date")
    presenting_factors = forms.MultipleChoiceField(
        choices=PresentingFactor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    closure_date = _date(
        "Closure date", required=False, hint="Leave blank while the episode is open. " + DATE_HINT
    )

    class Meta:
        model = Referral
        fields = [
            "referral_date",
            "source",
            "presenting_factors",
            "primary_need",
            "closure_date",
            "closure_reason",
            "no_further_action",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source", "primary_need", "closure_reason"):
            if name in self.fields:
                self.fields[name].choices = [("", "Not recorded"), *self.fields[name].choices[1:]]


class AssessmentForm(VersionedForm):
    submit_label = "Save assessment"
    start_date = _date("Start date")
    authorised_date = _date(
        "Authorised date",
        required=False,
        hint="The date the assessment was completed. " + DATE_HINT,
    )
    factors = forms.MultipleChoiceField(
        label="Factors identified at assessment",
        choices=ASSESSMENT_FACTOR_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. 16A is neglect.",
    )

    class Meta:
        model = Assessment
        fields = ["start_date", "authorised_date", "factors"]


class CINPlanStartForm(CaseRecordForm):
    submit_label = "Start CIN plan"
    start_date = _date("Start date")

    class Meta:
        model = ChildInNeedPlan
        fields = ["start_date"]


class PlanEndForm(VersionedForm):
    submit_label = "End plan"
    end_date = _date("End date")


class CINPlanEndForm(PlanEndForm):
    class Meta:
        model = ChildInNeedPlan
        fields = ["end_date"]


class CPPlanStartForm(CaseRecordForm):
    submit_label = "Start CP plan"
    start_date = _date("Start date")

    class Meta:
        model = ChildProtectionPlan
        fields = ["start_date", "initial_category"]
        labels = {"initial_category": "Category of abuse"}
        widgets = {"initial_category": forms.RadioSelect}
        error_messages = {"initial_category": {"required": "Select the category of abuse"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initial_category"].choices = CPCategory.choices


class CPPlanEndForm(PlanEndForm):
    class Meta:
        model = ChildProtectionPlan
        fields = ["end_date"]


class CPCategoryForm(VersionedForm):
    submit_label = "Change category"

    class Meta:
        model = ChildProtectionPlan
        fields = ["latest_category"]
        labels = {"latest_category": "Latest category of abuse"}
        widgets = {"latest_category": forms.RadioSelect}
        error_messages = {"latest_category": {"required": "Select the latest category of abuse"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["latest_category"].choices = CPCategory.choices


VOICE_HINT = (
    "Ask the child each question. If a question does not suit the child's age or "
    "understanding, choose that answer. A question may be left unanswered only because "
    "reviews imported from the CIN census have no answers: an unanswered question is not "
    "recorded, and is left out of the voice of the child figures."
)

VOICE_INVALID = {
    "knows_plan": "Select whether the child knows they are on a plan",
    "took_part_in_safety_planning": "Select whether the child took part in safety planning",
    "knows_social_worker_name": "Select whether the child knows their social worker's name",
}


class CPReviewForm(CaseRecordForm):
    submit_label = "Record review"
    review_date = _date("Review date")

    class Meta:
        model = CPReview
        fields = ["review_date", *CPReview.VOICE_QUESTIONS, "child_view"]
        widgets = dict.fromkeys(CPReview.VOICE_QUESTIONS, forms.RadioSelect)
        help_texts = {
            "child_view": "What the child said about their life and their plan, in their own "
            "words as far as you can"
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CPReview.VOICE_QUESTIONS:
            field = self.fields[name]
            # Yes, no or not appropriate: "not recorded" is what the census leaves, not an
            # answer anyone gives.
            field.choices = VoiceAnswer.choices
            field.error_messages["invalid_choice"] = VOICE_INVALID[name]
        self.helper.layout = Layout(
            "review_date",
            Fieldset(
                HTML(f'<div id="voice-hint" class="govuk-hint">{VOICE_HINT}</div>'),
                *CPReview.VOICE_QUESTIONS,
                "child_view",
                legend="Voice of the child",
                legend_size=Size.MEDIUM,
                aria_describedby="voice-hint",
            ),
        )
        # The fields others add after this (the tools that informed it, the one-time token)
        # follow the fieldset.
        self.helper.render_unmentioned_fields = True


class InvolvementForm(CaseRecordForm):
    submit_label = "Add agency"
    start_date = _date("Start date")
    lead_worker = StaffChoiceField(
        queryset=_staff_choices(), required=False, empty_label="Not known"
    )

    class Meta:
        model = Involvement
        fields = ["agency", "start_date", "lead_worker"]
        error_messages = {"agency": {"required": "Select the agency"}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(active=True)
        if not user.agency.is_childrens_social_care:
            agencies = agencies.filter(pk=user.agency_id)
        self.fields["agency"].queryset = agencies
        self.fields["lead_worker"].queryset = _staff_choices(agencies)

    def clean(self):
        cleaned = super().clean()
        agency, lead = cleaned.get("agency"), cleaned.get("lead_worker")
        if agency and lead and lead.agency_id != agency.pk:
            self.add_error("lead_worker", f"The lead worker must work for {agency}")
        return cleaned


class InvolvementEndForm(VersionedForm):
    submit_label = "End involvement"
    end_date = _date("End date")

    class Meta:
        model = Involvement
        fields = ["end_date"]


class NewChildReferralForm(GovukModelForm):
    """A partner's referral of a child children's social care does not yet know: the child
    and the referral in one form."""

    submit_label = "Send referral"
    date_of_birth = _date(
        "Date of birth",
        required=False,
        hint="For example, 27 3 2018. Leave blank for an unborn child.",
    )
    expected_date_of_birth = _date(
        "Expected date of birth",
        required=False,
        hint="Only for an unborn child. For example, 27 3 2027",
    )
    referral_date = _date("Referral date")
    source = forms.ChoiceField(
        label="Referral source",
        choices=[("", "Select the referral source"), *ReferralSource.choices],
        error_messages={"required": "Select the referral source"},
    )
    presenting_factors = forms.MultipleChoiceField(
        label="What are you worried about?",
        choices=PresentingFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Select what you are worried about"},
    )

    class Meta:
        model = Child
        fields = ["given_name", "family_name", "date_of_birth", "expected_date_of_birth", "sex"]
        widgets = {"sex": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, what in (("given_name", "given name"), ("family_name", "family name")):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"Enter the child's {what}"
        _no_preselected_radio(self, "sex", "Select the child's sex")
        self.referral = Referral()

    def _post_clean(self):
        super()._post_clean()
        for field in ("referral_date", "source", "presenting_factors"):
            if field in self.cleaned_data:
                setattr(self.referral, field, self.cleaned_data[field])
        try:
            self.referral.full_clean(exclude=["child"], validate_unique=False)
        except forms.ValidationError as e:
            self._update_errors(e)
        # The child is not saved yet, so the referral's own clean() cannot ask it.
        errors: dict = {}
        self.instance.check_record_date(
            self.referral.referral_date, "Referral date", errors, "referral_date"
        )
        if errors and "referral_date" not in self.errors:
            self._update_errors(forms.ValidationError(errors))


class AllocationChangeForm(GovukModelForm):
    """A change of the child's allocated worker: who, from when and why. The allocation it
    replaces travels with the form, so a change someone else made meanwhile is not
    overwritten (cases.services.allocation_change)."""

    submit_label = "Change allocated worker"
    worker = StaffChoiceField(
        queryset=_csc_staff(),
        required=False,
        label="New allocated worker",
        empty_label="Nobody: end the current allocation",
    )
    started_on = _date("Date of the change", hint="For example, 27 3 2024")
    expected_open = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Allocation
        fields = ["worker", "started_on", "reason", "note"]
        widgets = {"reason": forms.RadioSelect}
        labels = {"reason": "Reason for the change", "note": "More about the reason"}
        help_texts = {"note": "Needed when the reason is other"}

    def __init__(self, *args, current: Allocation | None = None, first: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = _csc_staff()
        self.fields["expected_open"].initial = current.pk if current else None
        if current is not None:
            team = f", {current.team}" if current.team else ""
            self.fields[
                "worker"
            ].help_text = f"Now {current.worker}{team}, since {long_date(current.started_on)}"
        reasons = [
            (value, label)
            for value, label in Allocation.Reason.choices
            if value != Allocation.Reason.FIRST
        ]
        if first:
            # Nobody was allocated before: there is no change to explain.
            del self.fields["reason"]
        else:
            self.fields["reason"].choices = reasons
            _no_preselected_radio(self, "reason", "Select the reason for the change")
        self.fields["started_on"].error_messages["required"] = "Enter the date of the change"


class InformedByForm(CaseRecordForm):
    """A plan or review form that also asks which completed tools informed it (domain.md §7).

    The child's tools come from `cases.informed_by`, which the toolkit fills, so this app never
    imports it. The tools current today are ticked to begin with (a review is usually recorded
    on the day); a tool completed after the date entered is refused.
    """

    date_field = "review_date"
    informed_by_label = "Which completed tools informed it?"
    # The second button: tick instead the tools current on the date entered, saving nothing.
    TICK_FOR_DATE = "tick_for_date"

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.helper.add_input(
            Submit(
                self.TICK_FOR_DATE,
                "Tick the tools current on the date entered",
                css_class="govuk-button--secondary",
            )
        )
        self.informing_tools = {tool.key: tool for tool in informed_by.tools_on(child, today())}
        self.fields["informed_by"] = forms.MultipleChoiceField(
            label=self.informed_by_label,
            choices=[(tool.key, tool.label) for tool in self.informing_tools.values()],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Ticked to begin with: the tools current today (completed in the last "
            "six months). Untick any that did not inform it."
            if self.informing_tools
            else "No tools have been completed for this child yet.",
            initial=[key for key, tool in self.informing_tools.items() if tool.current],
        )

    def ticked_on(self, day) -> list[str]:
        """The tools current on `day`, among those offered."""
        return [tool.key for tool in informed_by.tools_on(self.child, day) if tool.current]

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get(self.date_field)
        ticked = cleaned.get("informed_by", [])
        # Judged as the tools stood on that day (the chronology's latest entry then, not now).
        then = {tool.key: tool for tool in informed_by.tools_on(self.child, day)} if day else {}
        later = [
            self.informing_tools[key]
            for key in ticked
            if day and (key not in then or then[key].completed_on > day)
        ]
        if later:
            self.add_error(
                "informed_by",
                f"{later[0].name} was completed after {long_date(day)}: untick it or "
                "check the date",
            )
        return cleaned


class CPReviewInformedForm(InformedByForm, CPReviewForm):
    informed_by_label = "Which completed tools informed the review?"

    class Meta(CPReviewForm.Meta):
        pass


class CINPlanReviewForm(InformedByForm):
    submit_label = "Record review"
    review_date = _date("Review date")
    informed_by_label = "Which completed tools informed the review?"

    class Meta:
        model = CINPlanReview
        fields = ["review_date"]


class CPPlanStartInformedForm(InformedByForm, CPPlanStartForm):
    date_field = "start_date"
    informed_by_label = "Which completed tools informed the plan?"

    class Meta(CPPlanStartForm.Meta):
        pass


class CINPlanStartInformedForm(InformedByForm, CINPlanStartForm):
    date_field = "start_date"
    informed_by_label = "Which completed tools informed the plan?"

    class Meta(CINPlanStartForm.Meta):
        pass
