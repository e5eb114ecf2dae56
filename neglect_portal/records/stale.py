"""The one stale-edit page: a save refused because someone else saved first.

The page keeps everything the user typed, says what the other person saved where it differs
from their answers ("what is different"), and carries the other person's version so that a
second save, made knowingly, is accepted. Templates show it with `records/_stale.html`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models

from .presentation import answer


@dataclass(frozen=True)
class Difference:
    question: str
    theirs: str
    yours: str


@dataclass(frozen=True)
class StaleRefusal:
    thing: str  # "record", "tool", "return": what someone else saved
    differences: list[Difference]


def _comparable(value: Any) -> Any:
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value)
    if isinstance(value, str):
        return value.strip()
    return value


def differences(typed: forms.BaseForm, saved: forms.BaseForm) -> list[Difference]:
    """The questions where the saved record (`saved`: an unbound form filled from it) now
    answers differently from what the user typed (`typed`: their valid, bound form)."""
    found = []
    for name, field in typed.fields.items():
        if field.widget.is_hidden or name not in saved.fields:
            continue
        theirs = saved[name].initial
        yours = typed.cleaned_data.get(name)
        as_text = isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.ModelChoiceField
        )
        before, after = _comparable(theirs), _comparable(yours)
        if as_text and before is not None and not isinstance(before, list):
            before, after = str(before), None if after is None else str(after)
        if before != after:
            label = str(field.label or name.replace("_", " ").capitalize())
            found.append(Difference(label, answer(field, theirs), answer(field, yours)))
    return found


def refuse_stale(
    typed: forms.BaseForm, saved: forms.BaseForm, *, version: int, thing: str
) -> StaleRefusal:
    """Keep the typed form for the page, now carrying the saved `version`, and say what is
    different."""
    data: Any = typed.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
    data["version"] = version
    typed.data = data
    return StaleRefusal(thing, differences(typed, saved))
