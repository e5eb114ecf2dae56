"""Financial-year quarters (kpi-definitions.md, "Periods and dates").

Local-authority years run April to March: `2024-25 Q1` is 1 April to 30 June 2024 and
`2024-25 Q4` is 1 January to 31 March 2025. Pure Python, no database: the same API as the
shared `neglect_portal/quarters.py` being written elsewhere, so the two can be unified.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

# Calendar month each quarter starts in: Q1 April, Q2 July, Q3 October, Q4 January (next year).
_FIRST_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}
_SLUG = re.compile(r"(\d{4})-(\d{2})-Q([1-4])")
# date() accepts years 1..9999 and Q4 ends in start_year + 1.
_YEARS = range(1, 9999)


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter `number` (1-4) of the financial year starting in April of `start_year`.

    Field order makes the natural ordering chronological.
    """

    start_year: int
    number: int

    def __post_init__(self):
        if not isinstance(self.start_year, int) or self.start_year not in _YEARS:
            raise ValueError(f"Financial year must start in a year from 1 to 9998, "
                             f"not {self.start_year!r}")
        if not isinstance(self.number, int) or self.number not in _FIRST_MONTH:
            raise ValueError(f"Quarter number must be 1 to 4, not {self.number!r}")

    @property
    def start(self) -> date:
        """S: the quarter's first day."""
        year = self.start_year + 1 if self.number == 4 else self.start_year
        return date(year, _FIRST_MONTH[self.number], 1)

    @property
    def end(self) -> date:
        """E: the quarter's last day, inclusive."""
        first = self.start
        last_month = first.month + 2
        return date(first.year, last_month, monthrange(first.year, last_month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """As people read it: "2024-25 Q1"."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d} Q{self.number}"

    @property
    def slug(self) -> str:
        """As URLs and the command line write it: "2024-25-Q1"."""
        return self.label.replace(" ", "-")

    def __str__(self):
        return self.label

    @classmethod
    def parse(cls, slug: str) -> "Quarter":
        """The quarter a slug like "2024-25-Q1" names; ValueError for anything else."""
        match = _SLUG.fullmatch(slug) if isinstance(slug, str) else None
        if match is None:
            raise ValueError(f"{slug!r} is not a quarter: write it like 2024-25-Q1")
        start_year, second, number = int(match[1]), int(match[2]), int(match[3])
        if second != (start_year + 1) % 100:
            raise ValueError(f"{slug!r} is not a quarter: {start_year}-{second:02d} is not "
                             f"one financial year (it would be {start_year}-"
                             f"{(start_year + 1) % 100:02d})")
        return cls(start_year, number)

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.start_year - 1, 4)
        return Quarter(self.start_year, self.number - 1)

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.start_year + 1, 1)
        return Quarter(self.start_year, self.number + 1)

    def same_quarter_last_year(self) -> "Quarter":
        return Quarter(self.start_year - 1, self.number)

    def last(self, count: int) -> list["Quarter"]:
        """The `count` quarters ending with this one, oldest first (for trends)."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]


def latest_complete(today: date) -> Quarter:
    """The latest quarter whose last day is over: the one before the quarter containing today.

    On E itself the quarter is not complete, since records for that day may still be added.
    """
    return Quarter.containing(today).previous()
