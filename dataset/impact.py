"""The Impact Framework for a quarter (domain.md §9): the evidence the Working Group and the
scrutiny event read, one section per source, on one page that prints on A4. Counts, figures
and agencies only: it names no child.

Each section is a few aggregate queries whatever the size of the records, and what several
sections show is read once: the dataset's two quarters (as the meeting pack reads them) with
the agencies' returns, which training coverage counts too; the action plans' overview, whose
agencies the coverage and confidence tables list; one query for the audit's criteria and
rounds and the observations together; the voice of the child's third question; and the
confidence surveys.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F

from actionplans import selectors as plan_selectors
from actionplans.models import Objective
from actionplans.selectors import NOT_RATED, RAG_LABELS, RAG_ORDER
from cases.codes import VoiceAnswer
from cases.selectors import RowsPart, rows_in_one_query, voice_answers
from neglect_portal.quarters import Quarter
from toolkit.models import ParentChildObservation

from . import breakdown, confidence, presentation, selectors
from .audit_models import AuditSample
from .computation import completed_in, moderated_in, percentage
from .confidence import ConfidenceTable
from .presentation import Card
from .result_models import QuarterResult
from .selectors import TrainingCoverage

AUDIT_CODE = "AUDIT_GOOD_OR_BETTER"
VOICE_CODES = ("VOICE_KNOWS_PLAN", "VOICE_SAFETY_PLANNING")
CONFIDENCE_CODE = "CONFIDENCE_CHANGE"
TRAINING_CODE = "TRAINING_COVERAGE"


# 2. Action plans ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RagCell:
    rag: str
    label: str
    n: int


@dataclass(frozen=True)
class ObjectiveRag:
    """One objective's actions by the rating submitted for the quarter."""

    objective: str
    label: str
    counts: list[RagCell]  # red, amber, green, complete, then not rated

    @property
    def total(self) -> int:
        return sum(cell.n for cell in self.counts)


def rag_by_objective(overview: dict) -> list[ObjectiveRag]:
    """The overview's agency × objective cells added up per objective: no query."""
    labels = {**RAG_LABELS, NOT_RATED: "Not rated"}
    order = [*RAG_ORDER, NOT_RATED]
    rows = []
    for index, (objective, label) in enumerate(Objective.choices):
        totals: Counter = Counter()
        for row in overview["rows"]:
            for count in row.cells[index].counts:
                totals[count.rag] += count.n
        rows.append(
            ObjectiveRag(objective, label, [RagCell(r, labels[r], totals[r]) for r in order])
        )
    return rows


# 3. The multi-agency case audit --------------------------------------------------------------


@dataclass(frozen=True)
class RoundModerated:
    """A round with audits moderated in the quarter, and how many children's."""

    pk: int
    title: str
    children: int


def _rounds_part(quarter: Quarter) -> RowsPart:
    return RowsPart(
        "rounds",
        AuditSample.objects.filter(moderated_in(quarter)).values("round_id", "round__title"),
        {"pk": F("round_id"), "title": F("round__title"), "children": Count("pk")},
    )


def rounds_moderated(
    quarter: Quarter, rows: list[dict[str, Any]] | None = None
) -> list[RoundModerated]:
    """The rounds whose audits were moderated in the quarter, by title: one query, none
    when given its `rows` read with the page's others."""
    if rows is None:
        rows = rows_in_one_query([_rounds_part(quarter)])["rounds"]
    found = [RoundModerated(row["pk"], row["title"], row["children"]) for row in rows]
    return sorted(found, key=lambda each: (each.title, each.pk))


# 4. Voice of the child -----------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """n of d answered yes, where the question was answered yes or no."""

    yes: int
    answered: int

    @property
    def value(self) -> Decimal | None:
        return percentage(self.yes, self.answered)

    @property
    def value_text(self) -> str:
        return "no reviews" if self.value is None else f"{self.value:.1f}%"


def knows_social_worker(quarter: Quarter) -> Share:
    """CP reviews dated S..E at which "does the child know their social worker's name?" was
    answered yes or no, and those answered yes, as VOICE_KNOWS_PLAN counts its question (not
    an indicator of the dataset, so always from the records as they are now): one query."""
    counts = voice_answers(quarter.start, quarter.end)["knows_social_worker_name"]
    return Share(counts[VoiceAnswer.YES], counts[VoiceAnswer.YES] + counts[VoiceAnswer.NO])


# 6. Observation of practice --------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    first: date  # the 1st, or S
    observations: int


@dataclass(frozen=True)
class Observations:
    """Completed parent–child observations in the quarter: counts and dates only."""

    total: int
    earliest: date | None
    latest: date | None
    months: list[Month]


def _observations_part(quarter: Quarter) -> RowsPart:
    return RowsPart(
        "observations",
        ParentChildObservation.objects.filter(completed_in(quarter)).values("completed_on"),
        {"day": F("completed_on"), "n": Count("pk")},
    )


def observations(quarter: Quarter, rows: list[dict[str, Any]] | None = None) -> Observations:
    """Parent–child observations completed S..E (toolkit forms completed in the quarter, as
    TOOLKIT_CHILDREN counts them), by day in one query (none when given its `rows` read
    with the page's others), gathered by month here."""
    if rows is None:
        rows = rows_in_one_query([_observations_part(quarter)])["observations"]
    by_day = {row["day"]: row["n"] for row in rows}
    months: Counter = Counter()
    for day, n in by_day.items():
        months[(day.year, day.month)] += n
    spread = []
    first = quarter.start
    while first <= quarter.end:
        spread.append(Month(first, months[(first.year, first.month)]))
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Observations(
        total=sum(by_day.values()),
        earliest=min(by_day) if by_day else None,
        latest=max(by_day) if by_day else None,
        months=spread,
    )


# The page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactFramework:
    quarter: Quarter
    published: object  # the PublishedQuarter its figures come from, or None when live
    # The quarters' live results as read for the figures: when they were calculated.
    live_results: dict[Quarter, QuarterResult]
    # 1. The dataset's headline figures (the meeting pack's), the agencies' own apart.
    cards: list[Card]
    partner_cards: list[Card]
    # 2. Action plans.
    rag: list[ObjectiveRag]
    plans_not_submitted: list
    # 3. The audit.
    audit: Card
    audit_criteria: list[breakdown.CriterionFigure]
    rounds: list[RoundModerated]
    # 4. Voice of the child.
    voice: list[Card]
    knows_social_worker: Share
    # 5. Practitioners.
    confidence_change: Card
    confidence: ConfidenceTable
    training: Card
    coverage: TrainingCoverage
    # 6. Observation of practice.
    observations: Observations


def impact_framework(quarter: Quarter) -> ImpactFramework:
    # The agencies' returns read once, for the figures and the coverage table.
    returns = selectors.agency_returns([quarter.previous(), quarter])
    read = presentation.two_quarters(quarter, returns=returns)
    headline = presentation.headline(quarter, read.figures)
    # The sections' figures are the headline's cards: the same value, change and target.
    card = {card.indicator.code: card for card in headline["cards"]}
    overview = plan_selectors.overview(quarter)
    coverage = selectors.training_coverage(
        quarter, active=[row.agency for row in overview["rows"]], returns=returns[quarter]
    )
    # The audit's and the observations' counts, small aggregates each, in one query.
    counted = rows_in_one_query(
        [
            breakdown.audit_criteria_part(quarter),
            _rounds_part(quarter),
            _observations_part(quarter),
        ]
    )
    return ImpactFramework(
        quarter=quarter,
        published=headline["published"],
        live_results=read.live_results,
        cards=headline["cards"],
        partner_cards=headline["partner_cards"],
        rag=rag_by_objective(overview),
        plans_not_submitted=overview["not_submitted"],
        audit=card[AUDIT_CODE],
        audit_criteria=breakdown.audit_by_criterion(quarter, counted["audit_criteria"]),
        rounds=rounds_moderated(quarter, counted["rounds"]),
        voice=[card[code] for code in VOICE_CODES],
        knows_social_worker=knows_social_worker(quarter),
        confidence_change=card[CONFIDENCE_CODE],
        # The agencies the coverage table lists: one query fewer.
        confidence=confidence.confidence_by_agency(
            quarter, agencies=[row.agency for row in coverage.agencies]
        ),
        training=card[TRAINING_CODE],
        coverage=coverage,
        observations=observations(quarter, counted["observations"]),
    )
