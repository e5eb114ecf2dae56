"""The Working Group's forms: raising, answering and closing a challenge; a meeting's date,
its decisions and their status."""

from django import forms
from django.db.models import Case, Value, When

from neglect_portal.forms import GovukDateField, GovukForm
from neglect_portal.limits import LINE_MAX_LENGTH, TEXT_MAX_LENGTH
from neglect_portal.models import Agency, User
from neglect_portal.records.versions import CarriesVersion

from .models import Action, Challenge, Decision, Objective
from .services import NewAction

DATE_HINT = "For example, 27 3 2027"


class ChallengeRaiseForm(GovukForm):
    """The agency is chosen for an indicator or a theme; a plan's challenge goes to its
    agency, so the form does not ask."""

    submit_label = "Raise the challenge"

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Which agency is it addressed to?",
        help_text="Their agency lead will see it on their home page and answer it",
        empty_label="Select an agency",
        error_messages={"required": "Select the agency the challenge is addressed to"},
    )
    text = forms.CharField(
        label="What is the challenge?",
        help_text="What the Working Group wants the agency to explain or do",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the challenge"},
    )

    def __init__(self, *args, due_default, asks_agency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if asks_agency:
            self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        else:
            del self.fields["agency"]
        self.fields["due_date"] = GovukDateField(
            label="Answer due by", help_text=f"{due_default.hint}. {DATE_HINT}"
        )
        if not self.is_bound:
            self.initial["due_date"] = due_default.day


class _InPageForm(GovukForm):
    """One of several forms on a page, which wraps each in its own <form> with a hidden
    `step` saying which was sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ChallengeAnswerForm(CarriesVersion, _InPageForm):
    submit_label = "Send the answer"
    out_of_date = "This page is out of date. Open the challenge again"

    answer = forms.CharField(
        label="Your agency's answer",
        help_text="What your agency has found, done or will do, and how you know",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter your agency's answer"},
    )

    def __init__(self, *args, challenge: Challenge, **kwargs):
        self.challenge = challenge
        super().__init__(*args, prefix="answer", **kwargs)
        if not self.is_bound:
            self.initial["answer"] = challenge.answer

    def version_started(self):
        return self.challenge.version, True


NEW_ACTION = ""


class ActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_objective_display()}: {obj.short}"


class ChallengeCloseForm(CarriesVersion, _InPageForm):
    """Answered, or needs action: an action already in the agency's active plan, or a new one
    described here."""

    submit_label = "Close the challenge"
    out_of_date = "This page is out of date. Open the challenge again"

    outcome = forms.ChoiceField(
        label="How is the challenge closed?",
        choices=Challenge.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the challenge is closed"},
    )
    note = forms.CharField(
        label="Closing note",
        help_text="Optional. Why the answer is enough, or what the action must achieve",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action = ActionChoiceField(
        queryset=Action.objects.none(),
        required=False,
        label="If it needs action: an action already in the plan",
        empty_label="None: add the new action described below",
    )
    objective = forms.ChoiceField(
        label="New action: strategic objective",
        choices=Objective.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    description = forms.CharField(
        label="New action: what will be done",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner_name = forms.CharField(
        label="New action: owner (name, team or post)", required=False, max_length=LINE_MAX_LENGTH
    )

    def __init__(self, *args, challenge: Challenge, plan=None, **kwargs):
        self.challenge = challenge
        super().__init__(*args, prefix="close", **kwargs)
        self.plan = plan
        if plan is not None:
            # In the strategy's order, as the plan page lists them.
            in_order = Case(
                *[When(objective=value, then=Value(n)) for n, value in enumerate(Objective.values)]
            )
            self.fields["action"].queryset = plan.actions.order_by(in_order, "due_date", "pk")
            self.fields["action"].help_text = f"From {plan.agency}'s active plan"
        self.fields["due_date"] = GovukDateField(
            label="New action: due date", required=False, help_text=DATE_HINT
        )

    def version_started(self):
        return self.challenge.version, True

    def clean(self):
        data = super().clean()
        if data.get("outcome") != Challenge.Outcome.NEEDS_ACTION or data.get("action"):
            return data
        if self.plan is None:
            self.add_error("outcome", f"{self.challenge.agency} has no active plan for an action")
            return data
        if not data.get("objective"):
            self.add_error("objective", "Select the new action's strategic objective")
        if not (data.get("description") or "").strip():
            self.add_error("description", "Enter what the new action will do, or select one")
        if not data.get("due_date") and "due_date" not in self.errors:
            self.add_error("due_date", "Enter the new action's due date")
        return data

    def new_action(self) -> NewAction | None:
        data = self.cleaned_data
        if data["outcome"] != Challenge.Outcome.NEEDS_ACTION or data.get("action"):
            return None
        return NewAction(
            objective=data["objective"],
            description=data["description"],
            owner_name=data["owner_name"],
            due_date=data["due_date"],
        )


class MeetingForm(CarriesVersion, _InPageForm):
    submit_label = "Save the meeting date"
    out_of_date = "Someone else changed the meeting's date. Open the page again"

    def __init__(self, *args, meeting, **kwargs):
        self.meeting = meeting
        super().__init__(*args, prefix="meeting", **kwargs)
        self.fields["date"] = GovukDateField(label="Date of the meeting", help_text=DATE_HINT)
        if not self.is_bound and meeting is not None:
            self.initial["date"] = meeting.date

    def version_started(self):
        return (self.meeting.version if self.meeting else 0), True


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username} ({obj.agency})"


class DecisionForm(_InPageForm):
    submit_label = "Add it to the record"

    kind = forms.ChoiceField(
        label="What is it?",
        choices=Decision.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it is a decision or a referral to the IPAG"},
    )
    text = forms.CharField(
        label="What was decided or referred",
        help_text="For a referral, the theme and the next steps the group agreed",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was decided or referred"},
    )
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label="Owning agency",
        help_text="An agency, a person, or both",
        empty_label="No agency",
    )
    owner_user = OwnerField(
        queryset=User.objects.none(),
        required=False,
        label="Owner with a portal account",
        empty_label="No one with an account",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="decision", **kwargs)
        self.fields["owner_agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.fields["owner_user"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(role=User.Role.PRACTITIONER)
            .select_related("agency")
            .order_by("last_name", "first_name")
        )
        self.fields["due_date"] = GovukDateField(label="Due date", help_text=DATE_HINT)

    def clean(self):
        data = super().clean()
        if not data.get("owner_agency") and not data.get("owner_user"):
            self.add_error("owner_agency", "Select the agency that owns it, or a person, or both")
        return data


class DecisionStatusForm(CarriesVersion, _InPageForm):
    submit_label = "Save the status"
    out_of_date = "Someone else changed this after you opened the page. Open it again"

    status = forms.ChoiceField(
        label="Status",
        choices=Decision.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status"},
    )
    reason = forms.CharField(
        label="If it was dropped, why",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, decision: Decision, **kwargs):
        self.decision = decision
        super().__init__(*args, prefix=f"decision-{decision.pk}", **kwargs)
        if not self.is_bound:
            self.initial.update({"status": decision.status, "reason": decision.reason})

    def version_started(self):
        return self.decision.version, True

    def clean(self):
        data = super().clean()
        if data.get("status") == Decision.Status.DROPPED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why it was dropped")
        return data
