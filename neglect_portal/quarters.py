"""Financial-year quarters (kpi-definitions.md): April–June is Q1, January–March is Q4.

Pure values, shared by the action plans and the dataset. "2024-25 Q1" is the label people
read; "2024-25-Q1" is the form used in URLs, on the command line and stored on rows (it sorts
in time order as plain text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import today

# ASCII digits only: `\d` would also match other scripts' digits, which int() reads.
_SLUG = re.compile(r"^([0-9]{4})-([0-9]{2})-Q([1-4])$")

# The financial years a person may name (in an address, a form or a command): the portal's
# records start long after 1990, and a year far outside these is a typing mistake or a probe.
FIRST_YEAR = 1990
LAST_YEAR = 2100


@dataclass(frozen=True, order=True)
class Quarter:
    start_year: int  # the calendar year the financial year starts in (April)
    number: int

    def __post_init__(self) -> None:
        if not isinstance(self.number, int) or self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number!r}")
        if not isinstance(self.start_year, int) or not 1 <= self.start_year <= 9998:
            raise ValueError(f"No financial year starts in {self.start_year}")

    @property
    def start(self) -> date:
        if self.number == 4:
            return date(self.start_year + 1, 1, 1)
        return date(self.start_year, 3 * self.number + 1, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d} Q{self.number}"

    @property
    def slug(self) -> str:
        return self.label.replace(" ", "-")

    def __str__(self) -> str:
        return self.label

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.start_year + 1, 1)
        return Quarter(self.start_year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.start_year - 1, 4)
        return Quarter(self.start_year, self.number - 1)

    def same_quarter_last_year(self) -> Quarter:
        return Quarter(self.start_year - 1, self.number)

    def last(self, count: int) -> list[Quarter]:
        """The `count` quarters ending with this one, oldest first (for trends)."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]

    @classmethod
    def containing(cls, day: date) -> Quarter:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def parse(cls, slug: str) -> Quarter:
        """'2024-25-Q1' (or the label '2024-25 Q1') → Quarter; ValueError for anything else,
        including a financial year starting before FIRST_YEAR or after LAST_YEAR."""
        match = _SLUG.match(str(slug).strip().replace(" ", "-"))
        if not match:
            raise ValueError(f"'{slug}' is not a quarter: write it like 2024-25-Q1")
        year, short, number = int(match[1]), int(match[2]), int(match[3])
        if short != (year + 1) % 100:
            raise ValueError(
                f"'{slug}' is not a quarter: {year}-{short:02d} is not one "
                f"financial year (it would be {year}-{(year + 1) % 100:02d})"
            )
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(
                f"'{slug}' is not a quarter: the financial year must start between "
                f"{FIRST_YEAR} and {LAST_YEAR}"
            )
        return cls(year, number)

    @classmethod
    def latest_complete(cls, on: date | None = None) -> Quarter:
        """The latest quarter whose last day is over on `on` (today in the UK by default):
        the one before the quarter containing it.

        On E itself the quarter is not complete, since records for that day may still be added.
        """
        return cls.containing(on or today()).previous()

    @classmethod
    def between(cls, first: date, last: date) -> list[Quarter]:
        """Every quarter that overlaps first..last, oldest first."""
        quarters, quarter = [], cls.containing(first)
        while quarter.start <= last:
            quarters.append(quarter)
            quarter = quarter.next()
        return quarters


class QuarterConverter:
    """URL converter: `<quarter:quarter>` matches 2024-25-Q1 and hands the view a Quarter."""

    regex = r"[0-9]{4}-[0-9]{2}-Q[1-4]"

    def to_python(self, value: str) -> Quarter:
        # ValueError (not a quarter, or a year outside FIRST_YEAR..LAST_YEAR) → no match → 404
        return Quarter.parse(value)

    def to_url(self, value: Quarter | str) -> str:
        return value.slug if isinstance(value, Quarter) else Quarter.parse(value).slug
