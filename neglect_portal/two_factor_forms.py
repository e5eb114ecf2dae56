from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from . import lockout
from .forms import GovukForm


class SecurityCodeForm(GovukForm):
    """A code from the authenticator app. Wrong codes count as failed sign-ins: the fifth
    pauses the account as wrong passwords do (neglect_portal.lockout)."""

    label = "Security code"
    hint = "The 6-digit code your authenticator app shows for the Neglect Portal."
    required_message = "Enter the security code"
    wrong_message = "The security code is wrong or has run out: enter the code your app shows now"
    what = "security code"
    submit_label = "Continue"

    code = forms.CharField(max_length=20, strip=True)

    def __init__(
        self, *args: Any, request: HttpRequest, matches: Callable[[str], bool], **kwargs: Any
    ) -> None:
        self.request = request
        self.matches = matches
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = self.label
        field.help_text = self.hint
        field.error_messages["required"] = self.required_message
        field.error_messages["max_length"] = self.wrong_message
        field.widget.attrs.update({"autocomplete": "one-time-code", "spellcheck": "false"})

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        username = self.request.user.get_username()
        if lockout.is_paused(self.request, username):
            raise ValidationError(lockout.paused_message(self.what), code="paused")
        if not self.matches(code):
            if lockout.count_failure(self.request, username):
                raise ValidationError(lockout.paused_message(self.what), code="paused")
            raise ValidationError(self.wrong_message, code="wrong")
        return code

    @property
    def paused(self) -> bool:
        return any(error.code == "paused" for error in self.errors.as_data().get("code", []))


class AuthenticatorCodeForm(SecurityCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class RecoveryCodeForm(SecurityCodeForm):
    label = "Recovery code"
    hint = "One of the 10 codes you were given when you set up two-factor authentication."
    required_message = "Enter a recovery code"
    wrong_message = "Enter a recovery code you have not used before"
    what = "recovery code"


class RecoveryCodesRenewForm(AuthenticatorCodeForm):
    submit_label = "Make new recovery codes"
