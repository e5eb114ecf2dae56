"""The one form for reopening a locked record (a completed tool, a submitted quarter)."""

from __future__ import annotations

from typing import Any

from django import forms

from neglect_portal.forms import GovukForm


class ReopenForm(GovukForm):
    """Why the record needs reopening. `what` names it ("tool", "quarter") and `kept` says
    where the reason will be read."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, what: str, kept: str, **kwargs: Any):
        self.submit_label = f"Reopen the {what}"
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.label = f"Why does the {what} need reopening?"
        reason.help_text = kept
        reason.error_messages["required"] = f"Enter why the {what} is being reopened"
