"""How a stored value or a form answer reads on screen: labels for codes, British dates,
yes and no. The history pages read model fields; the stale-edit page reads form answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django import forms
from django.db import models

from neglect_portal.dates import long_date

NOT_RECORDED = "Not recorded"


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return long_date(value)
    return str(value)


def _labelled(value: Any, labels: Mapping[str, Any]) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(labels.get(str(code), code)) for code in value)
    return str(labels.get(str(value), _plain(value)))


def code_labels(model: type[models.Model], field_name: str) -> dict[str, str]:
    """Labels of the codes a JSON list field holds, declared on its model as
    `code_labels = {"disabilities": {...}}`."""
    return getattr(model, "code_labels", {}).get(field_name, {})


def field_value(field: models.Field, value: Any) -> str:
    """A model field's stored value (a code, a date, a list of codes) in words."""
    if _is_empty(value):
        return NOT_RECORDED
    if isinstance(value, list):
        return _labelled(value, code_labels(field.model, field.name))
    if field.choices:
        return _labelled(value, {str(code): label for code, label in field.flatchoices})
    return _plain(value)


def _choice_labels(choices: Iterable[Any]) -> dict[str, str]:
    labels = {}
    for key, label in choices:
        if isinstance(label, list | tuple):  # an optgroup
            labels.update(_choice_labels(label))
        else:
            labels[str(key)] = str(label)
    return labels


def answer(field: forms.Field, value: Any) -> str:
    """An answer to a form question (as typed, or as the saved record fills the form)."""
    if _is_empty(value):
        return NOT_RECORDED
    if isinstance(field, forms.ModelChoiceField):
        if not isinstance(value, models.Model) and field.queryset is not None:
            value = field.queryset.filter(pk=value).first() or value
        return field.label_from_instance(value) if isinstance(value, models.Model) else str(value)
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        return _labelled(value, _choice_labels(choices))
    return _plain(value)
