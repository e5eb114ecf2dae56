"""The one form for reopening a locked record (a completed tool, a submitted quarter)."""

from __future__ import annotations

from typing import Any

from django import forms

from neglect_portal.forms import GovukForm
from neglect_portal.limits import TEXT_MAX_LENGTH, too_long_message


class ReopenForm(GovukForm):
    """Why the record needs reopening. `what` names it ("tool", "quarter") and `kept` says
    where the reason will be read."""

    # As long as the records' reopen_reason fields hold.
    reason = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": too_long_message("The reason", TEXT_MAX_LENGTH)},
    )

    def __init__(self, *args: Any, what: str, kept: str, **kwargs: Any):
        self.submit_label = f"Reopen the {what}"
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.label = f"Why does the {what} need reopening?"
        reason.help_text = kept
        reason.error_messages["required"] = f"Enter why the {what} is being reopened"
