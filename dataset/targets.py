"""Targets (kpi-definitions.md "Targets"): which target is in force for a quarter, and
whether a figure met it.

- An administrator sets a target for any indicator code (built-in or an agency's) from the
  quarter it applies from; the target in force for quarter Q is the one with the latest
  `applies_from` on or before Q. A row with no value withdraws the target from its quarter on.
- Only an indicator with a better direction may have one: `higher_is_better` True is met when
  the value is at least the target, False when it is at most the target. An indicator that
  describes need (`higher_is_better` None) cannot have a target.
- A figure with no value (no cases, not submitted) is "no figure": never met, never not met.
- A published quarter keeps the target it was published with (on its PublishedFigure rows),
  so a target set later changes no published page.

`target_met` is the one rule; every page, export and `manage.py kpis` asks it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import QuerySet, Sum

from neglect_portal.quarters import Quarter

from .indicators import Indicator, Source, Unit
from .models import PublishedFigure, PublishedQuarter, Target
from .selectors import all_indicators, indicator_or_none

# A target is a value of the indicator itself: one decimal place, like the figures.
MOST = Decimal("9999999999.9")


def indicator_for(code: str) -> Indicator:
    """The indicator a target is for, built in or an agency's; KeyError for a code no
    indicator has. With `target_indicators`, the one place targets read the registry."""
    found = indicator_or_none(code)
    if found is None:
        raise KeyError(code)
    return found


def target_indicators() -> list[Indicator]:
    """Every indicator with a single figure, the agencies' active ones after the built-in
    ones (ACTIONS_BY_RAG is a distribution: it has no one value to compare)."""
    return [i for i in all_indicators() if i.source != Source.ACTION_PLANS]


def can_have_target(indicator: Indicator) -> bool:
    """Only a figure with a better direction has a target: one that describes need (a share
    of plans for neglect) is neither good nor bad, so nothing could meet it."""
    return indicator.higher_is_better is not None and indicator.source != Source.ACTION_PLANS


def target_met(
    indicator: Indicator, value: Decimal | int | None, target: Decimal | None
) -> bool | None:
    """Met (True) or not met (False) against `target`; None when there is no target or no
    figure. An indicator without a better direction is never judged, even if a target were
    stored for it."""
    if target is None or value is None or indicator.higher_is_better is None:
        return None
    if indicator.higher_is_better:
        return value >= target
    return value <= target


def value_problem(indicator: Indicator, value: Decimal) -> str | None:
    """Why `value` cannot be this indicator's target, in the words a form shows; None if it
    can."""
    if value < 0:
        return "The target must be 0 or more"
    if value > MOST:
        return f"The target must be {MOST:,} or less"
    if value != value.quantize(Decimal("0.1")):
        return "The target must have no more than one decimal place, like 62.5"
    if indicator.unit == Unit.PERCENTAGE and value > 100:
        return "The target is a percentage: it must be 100 or less"
    if indicator.unit == Unit.COUNT and value != value.to_integral_value():
        return "The target is a count: it must be a whole number, like 120"
    return None


@dataclass(frozen=True)
class InForce:
    """The target that applies to one quarter's figure."""

    value: Decimal
    applies_from: Quarter
    # The row that set it; None when it was read from a published snapshot (the target as
    # it stood at publication, which the schedule may since have changed).
    record: Target | None = None

    @property
    def as_published(self) -> bool:
        return self.record is None

    @property
    def set_by(self) -> Any:
        return None if self.record is None else self.record.set_by

    @property
    def set_at(self) -> datetime | None:
        return None if self.record is None else self.record.set_at

    @property
    def reason(self) -> str:
        return "" if self.record is None else self.record.reason


class TargetBook:
    """The targets of some codes up to some quarter, read in one query, answering "which
    target was in force for this code in this quarter" without another."""

    def __init__(self, rows: Iterable[Target]):
        self._rows: dict[str, list[Target]] = defaultdict(list)
        for row in sorted(rows, key=lambda row: row.applies_from):
            self._rows[row.code].append(row)

    def row_in_force(self, code: str, quarter: Quarter) -> Target | None:
        """The row deciding `quarter`'s target, a withdrawal included; None before any."""
        deciding = None
        for row in self._rows.get(code, []):
            if row.applies_from > quarter:
                break
            deciding = row
        return deciding

    def in_force(self, code: str, quarter: Quarter) -> InForce | None:
        row = self.row_in_force(code, quarter)
        if row is None or row.value is None:
            return None
        return InForce(row.value, row.applies_from, row)

    def rows(self, code: str) -> list[Target]:
        """Every row read for `code`, oldest `applies_from` first."""
        return list(self._rows.get(code, []))


def target_book(*, codes: Iterable[str] | None = None, up_to: Quarter | None = None) -> TargetBook:
    """One query: the targets of `codes` (every code when None) that apply from `up_to` or
    earlier (every quarter when None)."""
    rows = Target.objects.select_related("set_by")
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    if up_to is not None:
        rows = rows.filter(applies_from__lte=up_to)
    return TargetBook(rows)


def published_target(row: PublishedFigure | None) -> InForce | None:
    """The target a published figure was published with."""
    if row is None or row.target_value is None or row.target_applies_from is None:
        return None
    return InForce(row.target_value, row.target_applies_from)


def published_fields(book: TargetBook, code: str, quarter: Quarter) -> dict[str, Any]:
    """What a PublishedFigure stores of the target in force when it is published."""
    found = book.in_force(code, quarter)
    return {
        "target_value": None if found is None else found.value,
        "target_applies_from": None if found is None else found.applies_from,
    }


class OneFigure(Protocol):
    """A quarter's figure of one indicator as the pages hold it (selectors.Shown)."""

    @property
    def code(self) -> str: ...

    @property
    def quarter(self) -> Quarter: ...

    @property
    def published(self) -> object: ...


Found = dict[tuple[str, Quarter], "InForce | None"]


def in_force_for(figures: Iterable[OneFigure]) -> Found:
    """The target in force for each figure, keyed by (code, quarter): a published quarter's
    from its snapshot (already read with its figures), the others from the targets in one
    query, or none when every figure is published."""
    figures = list(figures)
    found: Found = {}
    live = [f for f in figures if not isinstance(f.published, PublishedQuarter)]
    book = (
        target_book(codes={f.code for f in live}, up_to=max(f.quarter for f in live))
        if live
        else TargetBook([])
    )
    snapshots: dict[int, dict[str, PublishedFigure]] = {}
    for figure in figures:
        key = (figure.code, figure.quarter)
        published = figure.published
        if isinstance(published, PublishedQuarter):
            if published.pk not in snapshots:
                snapshots[published.pk] = {row.code: row for row in published.figures.all()}
            found[key] = published_target(snapshots[published.pk].get(figure.code))
        else:
            found[key] = book.in_force(figure.code, figure.quarter)
    return found


def schedule_version(code: str) -> int:
    """A number that every change to `code`'s targets increases (each row's version counts
    its own changes, and a new row adds one), so a form can say which schedule it started
    from. 0 before any target."""
    total = Target.objects.filter(code=code).aggregate(total=Sum("version"))["total"]
    return total or 0


def target_changes(code: str) -> QuerySet:
    """Every saved change to `code`'s targets, newest first, with who made it."""
    return (
        Target.history.filter(code=code)
        .select_related("history_user", "set_by")
        .order_by("-history_date", "-history_id")
    )


@dataclass(frozen=True)
class TargetRow:
    """One indicator on the targets page: what decides its target in a quarter, and the next
    change already set for a later quarter."""

    indicator: Indicator
    deciding: Target | None  # a withdrawal included; None before any target
    later: Target | None

    @property
    def settable(self) -> bool:
        return can_have_target(self.indicator)

    @property
    def in_force(self) -> Target | None:
        return None if self.deciding is None or self.deciding.withdrawn else self.deciding


def targets_in(quarter: Quarter) -> list[TargetRow]:
    """Every indicator with a single figure and its target in `quarter`, in one query."""
    wanted = target_indicators()
    book = target_book(codes=[i.code for i in wanted])
    rows = []
    for indicator in wanted:
        later = [row for row in book.rows(indicator.code) if row.applies_from > quarter]
        rows.append(
            TargetRow(
                indicator,
                book.row_in_force(indicator.code, quarter),
                later[0] if later else None,
            )
        )
    return rows
