"""The Working Group's meeting pack for a quarter: everything the meeting reads, on one page
that prints on A4, and the same content as downloads. Figures and agencies only: the pack
names no child."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from actionplans import selectors as plan_selectors
from actionplans.models import Challenge, Decision
from actionplans.selectors import ChallengeRound
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter

from . import presentation, selectors
from .indicators import Unit
from .presentation import Card, ThemeRow
from .result_models import QuarterResult


@dataclass(frozen=True)
class AgencyGaps:
    """What one agency has not sent for the quarter."""

    agency: Agency
    plan_missing: bool  # has a plan but did not submit its quarterly RAG update
    without_plan: bool
    returns_missing: list[str]  # "training return", or its own indicators' titles

    @property
    def any(self) -> bool:
        return self.plan_missing or self.without_plan or bool(self.returns_missing)


@dataclass(frozen=True)
class MeetingPack:
    quarter: Quarter
    published: Any
    # The quarters' live results as read for the figures: when they were calculated.
    live_results: dict[Quarter, QuarterResult]
    cards: list[Card]
    partner_cards: list[Card]  # the indicators agencies submit
    themes: list[ThemeRow]
    plans: dict  # actionplans.selectors.overview(quarter)
    gaps: list[AgencyGaps]
    challenges: ChallengeRound
    decisions: list[Decision]  # the quarter's, then the open ones carried forward


def meeting_pack(quarter: Quarter) -> MeetingPack:
    # Read once for every section that shows it: the two quarters the pack compares, with
    # their agency returns and the agencies' indicators and submissions (for the figures and
    # the gaps) and their targets (for the figures and the themes); the plans' agencies (for
    # the matrix and the gaps).
    returns = selectors.agency_returns([quarter.previous(), quarter])
    read = presentation.two_quarters(quarter, returns=returns)
    found = presentation.targets_of(read.figures)
    figures = presentation.headline(quarter, read.figures, found)
    plans = plan_selectors.overview(quarter)
    owed: dict[int, list[str]] = {}
    for gap in selectors.return_gaps(
        quarter,
        active=[row.agency for row in plans["rows"]],
        returns=returns[quarter],
        read=read,
    ):
        owed.setdefault(gap.agency.pk, []).append(gap.what)
    not_submitted, without_plan = set(plans["not_submitted"]), set(plans["without_plan"])
    gaps = [
        AgencyGaps(
            row.agency,
            row.agency in not_submitted,
            row.agency in without_plan,
            owed.get(row.agency.pk, []),
        )
        for row in plans["rows"]
    ]
    return MeetingPack(
        quarter=quarter,
        published=figures["published"],
        live_results=read.live_results,
        cards=figures["cards"],
        partner_cards=figures["partner_cards"],
        themes=presentation.emerging_themes(quarter, read.figures, found),
        plans=plans,
        gaps=[gap for gap in gaps if gap.any],
        challenges=plan_selectors.challenges_for_quarter(quarter),
        decisions=plan_selectors.decisions_due(quarter),
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
CHALLENGE_HEADER = [
    "Quarter",
    "Raised for",
    "Subject",
    "Addressed to",
    "Challenge",
    "Raised by",
    "Due",
    "Answer",
    "Status",
    "Outcome",
    "Action in the agency's plan",
]
DECISION_HEADER = [
    "Quarter",
    "Meeting",
    "Kind",
    "Decision or referral",
    "Owner",
    "Due",
    "Status",
    "Reason dropped",
    "Carried forward",
]
GAP_HEADER = ["Quarter", "Agency", "Action plan update", "Returns not submitted"]


def _number(value: Decimal | int | None) -> float | int | None:
    return float(value) if isinstance(value, Decimal) else value


def indicator_rows(pack: MeetingPack) -> Iterator[list]:
    """The built-in indicators, then those agencies submit."""
    for card in [*pack.cards, *pack.partner_cards]:
        shown = card.shown
        common = [pack.quarter.label, shown.code, shown.title]
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
                f"Not submitted by {shown.indicator.owner}"
                if shown.indicator.submitted_by_agency
                else presentation.gap_text(shown),
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
            found.after.title,
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
            "; ".join(gap.returns_missing) or "None",
        ]


def _challenge_row(pack: MeetingPack, challenge: Challenge) -> list:
    return [
        pack.quarter.label,
        challenge.quarter_label,
        challenge.subject_label,
        challenge.agency.name,
        challenge.text,
        str(challenge.raised_by),
        challenge.due_date,
        challenge.answer,
        challenge.get_status_display(),
        challenge.get_outcome_display(),
        challenge.action.short if challenge.action_id else "",
    ]


def challenge_rows(pack: MeetingPack) -> Iterator[list]:
    """The quarter's challenges, then those still open from earlier quarters."""
    raised = {challenge.pk for challenge in pack.challenges.raised}
    for challenge in pack.challenges.raised:
        yield _challenge_row(pack, challenge)
    for challenge in pack.challenges.open:
        if challenge.pk not in raised:
            yield _challenge_row(pack, challenge)


def decision_rows(pack: MeetingPack) -> Iterator[list]:
    for decision in pack.decisions:
        yield [
            pack.quarter.label,
            decision.quarter_label,
            decision.get_kind_display(),
            decision.text,
            decision.owner_display,
            decision.due_date,
            decision.get_status_display(),
            decision.reason,
            "Yes" if decision.carried_forward else "No",
        ]


def sheets(pack: MeetingPack) -> list[tuple[str, list[str], Iterable[list]]]:
    return [
        ("Indicators", INDICATOR_HEADER, indicator_rows(pack)),
        ("Emerging themes", THEME_HEADER, theme_rows(pack)),
        ("Gaps in returns", GAP_HEADER, gap_rows(pack)),
        ("Challenges", CHALLENGE_HEADER, challenge_rows(pack)),
        ("Decisions", DECISION_HEADER, decision_rows(pack)),
    ]
