"""Dates as the partnership lives them: today in the UK, days as people read them, and the
plausible-date rules every form and model shares.

Every rule that asks "is it today yet?" asks `today()`. The server's clock runs on UTC, so
`date.today()` would still be yesterday for the first hour after midnight in summer time.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import formats, timezone

# A child on the portal's records was born within this many years of today: children's social
# care supports care leavers up to 25, and an older date of birth is a typing mistake.
OLDEST_CHILD_YEARS = 25
# A pregnancy: how far ahead an expected date of birth may be, and how long before a birth
# pre-birth work (a referral, an assessment, a plan, an agency's involvement) may start.
PREGNANCY_MONTHS = 10
# Chronology entries may record family history from before the child's birth, but nothing
# before this: older dates are typing mistakes, not history anyone can evidence.
EARLIEST_HISTORY = date(1950, 1, 1)


def today() -> date:
    """Today in the portal's time zone (Europe/London)."""
    return timezone.localdate()


def long_date(day: date) -> str:
    """'3 June 2020': the portal's DATE_FORMAT (neglect_portal/formats), as `{{ day|date }}`."""
    return formats.date_format(day)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative), or the month's last day when
    that month is shorter: 31 December less 10 months is 28 February (or the 29th)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )


def earliest_birth(on: date | None = None) -> date:
    """The earliest plausible date of birth (or expected birth) on `on`, today by default."""
    return add_months(on or today(), -12 * OLDEST_CHILD_YEARS)


def latest_expected_birth(on: date | None = None) -> date:
    """The latest plausible expected date of birth on `on`, today by default."""
    return add_months(on or today(), PREGNANCY_MONTHS)


def earliest_pre_birth_work(birth: date) -> date:
    """The earliest a case record may be dated for a child born (or due) on `birth`."""
    return add_months(birth, -PREGNANCY_MONTHS)


def not_before(day: date | None, earliest: date, label: str, why: str = "") -> None:
    """Raise a GOV.UK-worded error when `day` is before `earliest`; `why` may follow."""
    if day is not None and day < earliest:
        raise ValidationError(f"{label} must be on or after {long_date(earliest)}{why}")


def not_after(day: date | None, latest: date, label: str, why: str = "") -> None:
    """Raise a GOV.UK-worded error when `day` is after `latest`; `why` may follow."""
    if day is not None and day > latest:
        raise ValidationError(f"{label} must be on or before {long_date(latest)}{why}")


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


def next_at(now: datetime, at: time) -> datetime:
    """The next `at` o'clock after `now`, in the portal's time zone (so 07:00 stays 07:00
    across the clocks changing): what the worker's daily runs are queued for."""
    day = timezone.localtime(now).date()
    when = timezone.make_aware(datetime.combine(day, at))
    if when <= now:
        when = timezone.make_aware(datetime.combine(day + timedelta(days=1), at))
    return when
