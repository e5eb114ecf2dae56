"""The Working Group's meeting pack for a quarter: everything the meeting reads, on one page
that prints on A4, and the same content as downloads. Figures and agencies only: the pack
names no child."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from actionplans import selectors as plan_selectors
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter

from . import presentation, selectors
from .indicators import Unit
from .presentation import Card, ThemeRow


@dataclass(frozen=True)
class AgencyGaps:
    """What one agency has not sent for the quarter."""

    agency: Agency
    plan_missing: bool  # has a plan but did not submit its quarterly RAG update
    without_plan: bool
    training_missing: bool

    @property
    def any(self) -> bool:
        return self.plan_missing or self.without_plan or self.training_missing


@dataclass(frozen=True)
class MeetingPack:
    quarter: Quarter
    published: Any
    cards: list[Card]
    themes: list[ThemeRow]
    plans: dict  # actionplans.selectors.overview(quarter)
    gaps: list[AgencyGaps]


def meeting_pack(quarter: Quarter) -> MeetingPack:
    dashboard = presentation.dashboard(quarter)
    plans = plan_selectors.overview(quarter)
    training_gaps = set(selectors.training_coverage(quarter).gaps)
    not_submitted, without_plan = set(plans["not_submitted"]), set(plans["without_plan"])
    gaps = [
        AgencyGaps(
            row.agency,
            row.agency in not_submitted,
            row.agency in without_plan,
            row.agency in training_gaps,
        )
        for row in plans["rows"]
    ]
    return MeetingPack(
        quarter=quarter,
        published=dashboard["published"],
        cards=dashboard["cards"],
        themes=presentation.emerging_themes(quarter),
        plans=plans,
        gaps=[gap for gap in gaps if gap.any],
    )


# Downloads ---------------------------------------------------------------------------------

INDICATOR_HEADER = [
    "Quarter",
    "Code",
    "Title",
    "Numerator",
    "Denominator",
    "Value",
    "Unit",
    "Change since the previous quarter",
    "Note",
    "Target",
    "Target met",
]
THEME_HEADER = [
    "Quarter",
    "Code",
    "Title",
    "Change",
    "Previous quarter",
    "This quarter",
    "Note",
    "Why it is a theme",
]
GAP_HEADER = [
    "Quarter",
    "Agency",
    "Action plan update",
    "Training return",
]


def _number(value: Decimal | int | None) -> float | int | None:
    return float(value) if isinstance(value, Decimal) else value


def indicator_rows(pack: MeetingPack) -> Iterator[list]:
    for card in pack.cards:
        shown = card.shown
        common = [pack.quarter.label, shown.code, shown.indicator.title]
        unit = Unit(shown.indicator.unit).label
        moved = card.since_previous.words if card.since_previous else ""
        if not shown.available:
            yield [
                *common,
                None,
                None,
                None,
                unit,
                moved,
                presentation.NO_RETURNS,
                *presentation.target_columns(shown, card.against.target),
            ]
            continue
        note = card.small_base or ("no cases" if shown.value is None else "")
        yield [
            *common,
            shown.numerator,
            shown.denominator,
            _number(shown.value),
            unit,
            moved,
            note,
            *presentation.target_columns(shown, card.against.target),
        ]


def theme_rows(pack: MeetingPack) -> Iterator[list]:
    for found in pack.themes:
        yield [
            pack.quarter.label,
            found.indicator.code,
            found.indicator.title,
            found.change.words,
            found.before_counts,
            found.after_counts,
            found.small_base or "",
            "; ".join(found.reasons),
        ]


def _plan_state(gap: AgencyGaps) -> str:
    if gap.without_plan:
        return "No active plan"
    return "Not submitted" if gap.plan_missing else "Submitted"


def gap_rows(pack: MeetingPack) -> Iterator[list]:
    for gap in pack.gaps:
        yield [
            pack.quarter.label,
            gap.agency.name,
            _plan_state(gap),
            "Not submitted" if gap.training_missing else "Submitted",
        ]


def sheets(pack: MeetingPack) -> list[tuple[str, list[str], Iterable[list]]]:
    return [
        ("Indicators", INDICATOR_HEADER, indicator_rows(pack)),
        ("Emerging themes", THEME_HEADER, theme_rows(pack)),
        ("Gaps in returns", GAP_HEADER, gap_rows(pack)),
    ]
