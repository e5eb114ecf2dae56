"""Version checks: every edit increments a record's version, so a form opened before someone
else saved is refused rather than saved over their work."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db import models, transaction


class Versioned(models.Model):
    """A version number that every edit increments, so a stale form is refused, not saved."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


V = TypeVar("V", bound=Versioned)


class StaleEdit(Exception):
    """Someone saved the record after this user opened it; `current` is what they saved (None
    when what the user expected to create already exists in a form they never saw)."""

    def __init__(self, current: Any):
        super().__init__("The record changed after the form was opened.")
        self.current = current


@transaction.atomic
def record_update(instance: V, *, expected_version: int) -> V:
    """Save an edited record only if nobody else saved it since `expected_version` was read."""
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    instance.version = current.version + 1
    instance.save()
    return instance


class CarriesVersion(forms.BaseForm):
    """Carries the version of the record the user started from, so a stale save can be
    refused. Mixed in before the form's own base (`class ChildForm(CarriesVersion,
    CaseRecordForm)`). A model form carries its instance's version; another form says which in
    `version_started()`."""

    out_of_date = "This page is out of date. Go back and open it again"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        version, needed = self.version_started()
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=version, required=needed
        )

    def version_started(self) -> tuple[int | None, bool]:
        """(the version the page shows, whether a save needs it back). Only a change of a
        saved record needs it: a new record has no one to clash with."""
        instance: Any = getattr(self, "instance", None)
        if instance is None:
            raise TypeError(f"{type(self).__name__} must say its version in version_started()")
        return instance.version, instance.pk is not None

    def clean(self) -> dict[str, Any] | None:
        if self.errors.pop("version", None):
            # Hidden, so its error would be invisible: the page itself is out of date.
            self.add_error(None, self.out_of_date)
        return super().clean()
