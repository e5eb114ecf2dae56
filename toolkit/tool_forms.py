"""Forms for completing the tools. Nothing is required to save a draft: what completion needs
comes from each model's completion_problems(), keyed by these forms' field names."""

from django import forms

from neglect_portal.forms import GovukForm

from .content import CHECKLIST_DOMAINS, Concern


class ToolForm(GovukForm):
    """The page supplies the buttons (save as draft, complete), so the helper adds none."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, tool, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.inputs = []
        self.fields["version"].initial = tool.version

    def apply(self, tool):
        """Copy the answers onto the tool (unsaved)."""
        raise NotImplementedError


class ChecklistForm(ToolForm):
    def __init__(self, *args, tool, **kwargs):
        super().__init__(*args, tool=tool, **kwargs)
        for key, label in CHECKLIST_DOMAINS.items():
            rating = tool.ratings.get(key, {})
            self.fields[f"{key}_concern"] = forms.ChoiceField(
                label=label, choices=Concern.choices, widget=forms.RadioSelect,
                required=False, initial=rating.get("concern"))
            self.fields[f"{key}_evidence"] = forms.CharField(
                label=f"Evidence about {label.lower()}", required=False,
                widget=forms.Textarea(attrs={"rows": 3}), initial=rating.get("evidence", ""),
                help_text="Needed for any level of concern: what you saw or were told, and "
                          "when")
        self.fields["overall_judgement"] = forms.CharField(
            label="Overall judgement", required=False, initial=tool.overall_judgement,
            widget=forms.Textarea(attrs={"rows": 5}))

    def apply(self, tool):
        data = self.cleaned_data
        tool.ratings = {key: {"concern": data[f"{key}_concern"],
                              "evidence": data[f"{key}_evidence"]}
                        for key in CHECKLIST_DOMAINS}
        tool.overall_judgement = data["overall_judgement"]
        return tool


class ReopenForm(GovukForm):
    submit_label = "Reopen"
    reason = forms.CharField(
        label="Why does it need reopening?", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the tool is being reopened"},
        help_text="This is kept in the tool's history")
