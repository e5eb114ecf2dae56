import re
from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

from . import lockout
from .limits import too_long_message


class GovukFormMixin:
    """The one place a form gets its GOV.UK helper: default layout and a submit button.

    Subclasses set `submit_label`; error summaries are rendered by the page template
    (`includes/error_summary.html`) above the heading, as the Design System asks.
    """

    submit_label = "Continue"
    # The server answers every mistake with a GOV.UK error summary; the browser's own
    # required-field bubbles would pre-empt it.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No layout: crispy renders whatever fields the form has when it renders, so forms
        # that add fields in __init__ (the toolkit's) need nothing more.
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))

    def full_clean(self):
        # Here rather than in __init__, so fields a form adds after it (the toolkit's) get it.
        for name, field in self.fields.items():
            # Django's own words ("Ensure this value has at most …") are not GOV.UK's; a form
            # whose label is a question sets its own "max_length" message.
            limit = getattr(field, "max_length", None)
            if limit is not None:
                label = str(field.label or pretty_name(name))
                field.error_messages.setdefault("max_length", too_long_message(label, limit))
        super().full_clean()


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


class SignInForm(GovukFormMixin, AuthenticationForm):
    submit_label = "Sign in"
    # Same words whether the account is unknown, inactive or the password is wrong.
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "Enter a correct username and password",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "autofocus": False}
        )

    def clean(self):
        try:
            return super().clean()
        except ValidationError as refused:
            if getattr(self.request, "axes_locked_out", False):
                # The same words as any failed sign-in, and when to try again.
                raise ValidationError(
                    [*refused.messages, lockout.paused_message()], code="invalid_login"
                ) from None
            raise


class PortalPasswordChangeForm(GovukFormMixin, PasswordChangeForm):
    """Guesses of the current password count as failed sign-ins (neglect_portal.lockout)."""

    submit_label = "Change password"
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password was entered incorrectly: enter it again",
    }

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields[
            "new_password1"
        ].help_text = (
            "Use at least 12 characters. Do not use a common password, your name or your username."
        )
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"

    def clean_old_password(self):
        username = self.user.get_username()
        if lockout.is_paused(self.request, username):
            raise ValidationError(lockout.paused_message(), code="paused")
        try:
            return super().clean_old_password()
        except ValidationError:
            if lockout.count_failure(self.request, username):
                raise ValidationError(lockout.paused_message(), code="paused") from None
            raise

    @property
    def paused(self) -> bool:
        return any(
            error.code == "paused" for error in self.errors.as_data().get("old_password", [])
        )


# ASCII only: str.isdigit() and int() also take other scripts' digits (Arabic-Indic "٢٠٢٤"),
# which would be stored as a date nobody typed in the numbers the portal shows.
_NUMBER = re.compile(r"[0-9]+")


class GovukDateField(DateInputField):
    """The GOV.UK date input (day, month, year) with messages that name the date asked for.
    Every date a person types reaches the portal through this field."""

    def __init__(self, *, label: str, **kwargs):
        super().__init__(label=label, **kwargs)
        what = label[0].lower() + label[1:]
        self._what = what
        self.error_messages["required"] = f"Enter the {what}"
        self.error_messages["incomplete"] = f"Enter the {what}"
        self._label = label
        self.require_all_fields = False
        for part, field in zip(("day", "month", "year"), self.fields, strict=True):
            field.required = True
            field.error_messages["incomplete"] = f"{label} must include a {part}"
            field.validators = []

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        parts = [str(day), str(month), str(year)]
        if not all(_NUMBER.fullmatch(part) for part in parts):
            if all(part.isdigit() for part in parts):
                raise ValidationError(f"Enter the {self._what} using the numbers 0 to 9")
            raise ValidationError(f"{self._label} must be a real date")
        if len(str(year)) != 4:
            raise ValidationError("Year must include 4 numbers")
        try:
            return date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(f"{self._label} must be a real date") from None
