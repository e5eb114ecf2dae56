from django import forms

from neglect_portal.forms import GovukDateField, GovukForm, GovukModelForm
from neglect_portal.models import Agency, User
from neglect_portal.records.versions import CarriesVersion

from .models import Action, ActionPlan, ActionUpdate, Objective, QuarterlyReport, Rag
from .services import REPORT_FIELDS, Rating

DATE_HINT = "For example, 31 3 2027"


class VersionedPlanForm(CarriesVersion, GovukModelForm):
    def _get_validation_exclusions(self):
        # The view sets the plan; checking it here keeps the model's rules in the form.
        return super()._get_validation_exclusions() - {"plan", "agency"}


class ActionPlanForm(VersionedPlanForm):
    submit_label = "Save plan"
    out_of_date = "This page is out of date. Open the plan again"
    period_start = GovukDateField(
        label="Start of the period the plan covers", help_text="For example, 1 4 2026"
    )
    period_end = GovukDateField(label="End of the period the plan covers", help_text=DATE_HINT)
    signed_off_on = GovukDateField(
        label="Date signed off",
        required=False,
        help_text="For example, 14 5 2026. Leave blank until the plan is signed off.",
    )

    class Meta:
        model = ActionPlan
        fields = [
            "agency",
            "title",
            "period_start",
            "period_end",
            "signed_off_by",
            "signed_off_role",
            "signed_off_on",
            "status",
        ]
        labels = {
            "title": "Title of the plan",
            "signed_off_by": "Signed off by (name)",
            "signed_off_role": "Their role",
            "status": "Status",
        }
        help_texts = {
            "signed_off_role": "For example, Director of Nursing",
            "status": "A draft is seen only by your agency. An active plan is read by the "
            "Working Group and the other agency leads.",
        }
        widgets = {"status": forms.RadioSelect}
        error_messages = {
            "title": {"required": "Enter a title for the plan"},
            "agency": {"required": "Select the agency"},
        }

    def __init__(self, *args, may_choose_agency: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if may_choose_agency and self.instance.pk is None:
            self.fields["agency"].queryset = Agency.objects.filter(active=True)
            self.fields["agency"].label = "Agency"
        else:
            del self.fields["agency"]

    def clean(self):
        data = super().clean()
        if data.get("status") == ActionPlan.Status.ACTIVE and not (
            data.get("signed_off_by") and data.get("signed_off_on")
        ):
            self.add_error(
                "signed_off_by", "Enter who signed the plan off and when before making it active"
            )
        return data

    def validate_unique(self):
        super().validate_unique()
        # The database also refuses a second active plan; this says so in words.
        plan = self.instance
        if (
            self.cleaned_data.get("status") == ActionPlan.Status.ACTIVE
            and plan.agency_id
            and ActionPlan.objects.filter(agency_id=plan.agency_id, status="active")
            .exclude(pk=plan.pk)
            .exists()
        ):
            self.add_error(
                "status",
                "Your agency already has an active plan. Close it before making this one active",
            )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class ActionForm(VersionedPlanForm):
    submit_label = "Save action"
    out_of_date = "This page is out of date. Open the action again"
    owner = OwnerChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Owner with a portal account",
        help_text="They will be able to read this plan",
        empty_label="No one with an account",
    )
    start_date = GovukDateField(label="Start date", required=False, help_text=DATE_HINT)
    due_date = GovukDateField(label="Due date", help_text=DATE_HINT)

    class Meta:
        model = Action
        fields = [
            "objective",
            "description",
            "owner",
            "owner_name",
            "start_date",
            "due_date",
            "success_measure",
            "baseline",
            "target",
        ]
        labels = {
            "objective": "Strategic objective",
            "description": "What will be done",
            "owner_name": "Owner (name, team or post)",
            "success_measure": "How success will be measured",
            "baseline": "Baseline",
            "target": "Target",
        }
        help_texts = {
            "owner_name": "Use this when the owner has no portal account, or to add a team",
            "baseline": "Where you are starting from, for example 180 of 800 staff trained. "
            "Leave blank if you are still setting it.",
            "target": "Where you mean to be, for example 800 of 800 staff trained",
        }
        widgets = {
            "objective": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "success_measure": forms.Textarea(attrs={"rows": 2}),
            "baseline": forms.Textarea(attrs={"rows": 2}),
            "target": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "objective": {"required": "Select the strategic objective"},
            "description": {"required": "Enter what will be done"},
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["objective"].choices = Objective.choices
        self.fields["owner"].queryset = User.objects.filter(
            agency_id=plan.agency_id, is_active=True
        ).order_by("last_name", "first_name")
        if self.instance.pk is None and not self.is_bound:
            self.initial["objective"] = None
        self.fields["due_date"].error_messages["required"] = "Enter the due date"


class QuarterForm(CarriesVersion, GovukForm):
    """One page for the quarter: every action's RAG, progress and evidence, then the summary
    report. Nothing is required to save a draft; the services check a submission."""

    out_of_date = "This page is out of date. Go back to the plan and open the quarter again"

    def __init__(self, *args, actions, updates, report, previous, quarter, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.inputs = []
        self.actions = actions
        for action in actions:
            update = updates.get(action.pk)
            before = previous.get(action.pk)
            self.fields[f"rag_{action.pk}"] = forms.ChoiceField(
                label=f"RAG rating: {action.short}",
                choices=Rag.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=update.rag if update else None,
                help_text=self._last_rating_hint(before, quarter),
            )
            self.fields[f"narrative_{action.pk}"] = forms.CharField(
                label=f"Progress: {action.short}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=ActionUpdate._meta.get_field("narrative").max_length,
                initial=update.narrative if update else "",
                help_text="Needed if the rating has changed since it was last rated",
            )
            self.fields[f"evidence_{action.pk}"] = forms.CharField(
                label=f"Evidence of impact: {action.short}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=ActionUpdate._meta.get_field("evidence_of_impact").max_length,
                initial=update.evidence_of_impact if update else "",
                help_text="What difference it made for children, and how you know",
            )
        labels = {
            "what_we_did": ("What we did", ""),
            "difference_for_children": ("What difference it made for children", ""),
            "how_we_know": (
                "How we know",
                "For example, audits, feedback from children "
                "and families, or a change in a measure",
            ),
            "challenges": ("Challenges", "Optional"),
            "next_steps": ("Next steps", ""),
        }
        for name in REPORT_FIELDS:
            label, hint = labels[name]
            self.fields[name] = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=QuarterlyReport._meta.get_field(name).max_length,
                initial=getattr(report, name) if report else "",
            )

    def version_started(self):
        # The report's version, 0 before its first save (which creates it).
        return (self.report.version if self.report else 0), False

    @staticmethod
    def _last_rating_hint(before, quarter) -> str:
        """The yardstick for a change: the last submitted rating, from whichever quarter."""
        if before is None:
            return "Not rated in a submitted quarter before"
        if before.quarter == quarter.previous().slug:
            return f"Last quarter: {Rag(before.rag).label}"
        return f"Last rated: {Rag(before.rag).label} in {before.quarter_label}"

    def action_fields(self):
        """(action, rag field, narrative field, evidence field) for the template."""
        return [
            (
                action,
                self[f"rag_{action.pk}"],
                self[f"narrative_{action.pk}"],
                self[f"evidence_{action.pk}"],
            )
            for action in self.actions
        ]

    def report_fields(self):
        return [self[name] for name in REPORT_FIELDS]

    def ratings(self) -> dict[int, Rating]:
        data = self.cleaned_data
        return {
            action.pk: Rating(
                data[f"rag_{action.pk}"],
                data[f"narrative_{action.pk}"],
                data[f"evidence_{action.pk}"],
            )
            for action in self.actions
        }

    def report_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}
