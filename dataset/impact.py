"""The Impact Framework for a quarter (domain.md §9): the evidence the Working Group and the
scrutiny event read, one section per source, on one page that prints on A4. Counts, figures
and agencies only: it names no child.

Each section is a few aggregate queries whatever the size of the records: the dataset's two
quarters (as the meeting pack reads them), the action plans' overview, one query each for the
audit's criteria and rounds, the voice of the child's third question, the confidence surveys
and the observations, and two for training coverage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count

from actionplans import selectors as plan_selectors
from actionplans.models import Objective
from actionplans.selectors import NOT_RATED, RAG_LABELS, RAG_ORDER
from cases.codes import VoiceAnswer
from cases.selectors import voice_answers
from neglect_portal.quarters import Quarter
from toolkit.models import ParentChildObservation

from . import breakdown, confidence, presentation, selectors
from .audit_models import AuditSample
from .computation import completed_in, moderated_in, percentage
from .confidence import ConfidenceTable
from .presentation import Card
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


def rounds_moderated(quarter: Quarter) -> list[RoundModerated]:
    """The rounds whose audits were moderated in the quarter, by title: one query."""
    rows = (
        AuditSample.objects.filter(moderated_in(quarter))
        .values("round_id", "round__title")
        .annotate(children=Count("pk"))
        .order_by("round__title", "round_id")
    )
    return [RoundModerated(row["round_id"], row["round__title"], row["children"]) for row in rows]


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


def observations(quarter: Quarter) -> Observations:
    """Parent–child observations completed S..E (toolkit forms completed in the quarter, as
    TOOLKIT_CHILDREN counts them), by day in one query, gathered by month here."""
    by_day = dict(
        ParentChildObservation.objects.filter(completed_in(quarter))
        .values_list("completed_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
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
    both = presentation.two_quarters(quarter)
    headline = presentation.headline(quarter, both)
    # The sections' figures are the headline's cards: the same value, change and target.
    card = {card.indicator.code: card for card in headline["cards"]}
    overview = plan_selectors.overview(quarter)
    coverage = selectors.training_coverage(quarter)
    return ImpactFramework(
        quarter=quarter,
        published=headline["published"],
        cards=headline["cards"],
        partner_cards=headline["partner_cards"],
        rag=rag_by_objective(overview),
        plans_not_submitted=overview["not_submitted"],
        audit=card[AUDIT_CODE],
        audit_criteria=breakdown.audit_by_criterion(quarter),
        rounds=rounds_moderated(quarter),
        voice=[card[code] for code in VOICE_CODES],
        knows_social_worker=knows_social_worker(quarter),
        confidence_change=card[CONFIDENCE_CODE],
        # The agencies the coverage table has read: one query fewer.
        confidence=confidence.confidence_by_agency(
            quarter, agencies=[row.agency for row in coverage.agencies]
        ),
        training=card[TRAINING_CODE],
        coverage=coverage,
        observations=observations(quarter),
    )
