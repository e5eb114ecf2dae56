"""Dates as the partnership lives them: today in the UK, and days as people read them.

Every rule that asks "is it today yet?" asks `today()`. The server's clock runs on UTC, so
`date.today()` would still be yesterday for the first hour after midnight in summer time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import formats, timezone


def today() -> date:
    """Today in the portal's time zone (Europe/London)."""
    return timezone.localdate()


def long_date(day: date) -> str:
    """'3 June 2020': the portal's DATE_FORMAT (neglect_portal/formats), as `{{ day|date }}`."""
    return formats.date_format(day)


def not_in_future(day: date | None, label: str) -> None:
    """Raise a GOV.UK-worded error when `day` has not happened yet."""
    if day is not None and day > today():
        raise ValidationError(f"{label} must be today or in the past")


def dates_in_future(record: Model, fields: Iterable[str]) -> dict[str, ValidationError]:
    """{field: error} for each of the record's date `fields` that lies after today, each
    named by its field's verbose name, for a model's clean()."""
    errors = {}
    for name in fields:
        label = str(getattr(record._meta.get_field(name), "verbose_name", name))
        try:
            not_in_future(getattr(record, name), label[:1].upper() + label[1:])
        except ValidationError as error:
            errors[name] = error
    return errors
