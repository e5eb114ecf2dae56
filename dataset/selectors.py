"""Reads for the dataset pages: the one way a page gets a quarter's figures and the records
behind them.

`figures_for(quarter)` and `trends(quarter)` are the only way pages get figures: a published
quarter's come from its snapshot (what the Working Group saw), any other quarter's are computed
live from the records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from actionplans.models import Action, Objective
from actionplans.selectors import RAG_LABELS, RAG_ORDER, latest_submitted_rag, plans_in_quarter
from neglect_portal import access
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter

from . import computation, drilldown, indicators
from .computation import Figure, percentage
from .indicators import Indicator, Source
from .models import AgencyReturn, PublishedQuarter

TREND_LENGTH = 8


@dataclass(frozen=True)
class Shown:
    """One indicator's figure for one quarter, as the pages show it.

    `available` is False when there is nothing to show yet (an indicator whose source has not
    reported): pages then say so rather than showing 0. `published` and `restated` are filled
    once published snapshots exist (the stored figure, and the live one when it differs).
    """

    indicator: Indicator
    quarter: Quarter
    numerator: int | None = None
    denominator: int | None = None
    value: Decimal | int | None = None
    available: bool = True
    published: object = None
    restated: object = None

    @property
    def code(self) -> str:
        return self.indicator.code


def _shown(
    indicator: Indicator,
    quarter: Quarter,
    figure: Figure | None,
    published: PublishedQuarter | None = None,
) -> Shown:
    if figure is None or (indicator.code == "TRAINING_COVERAGE" and not figure.denominator):
        # No agency has sent a return: nothing to show, never a 0.
        return Shown(indicator, quarter, available=False, published=published)
    return Shown(
        indicator, quarter, figure.numerator, figure.denominator, figure.value, published=published
    )


def _wanted(codes: Iterable[str] | None) -> list[Indicator]:
    return [
        indicator
        for indicator in indicators.INDICATORS
        if (codes is None or indicator.code in codes) and indicator.source != Source.ACTION_PLANS
    ]


def _training_totals(quarters: Iterable[Quarter]) -> dict[Quarter, Figure]:
    """TRAINING_COVERAGE over the agencies that submitted, for each quarter: one query."""
    totals = {quarter: [0, 0] for quarter in quarters}
    for row in AgencyReturn.objects.filter(quarter__in=list(quarters)).values(
        "quarter", "staff_trained", "target_workforce"
    ):
        totals[row["quarter"]][0] += row["staff_trained"]
        totals[row["quarter"]][1] += row["target_workforce"]
    return {
        quarter: Figure("TRAINING_COVERAGE", trained, workforce, percentage(trained, workforce))
        for quarter, (trained, workforce) in totals.items()
    }


def _live(
    quarter: Quarter, wanted: list[Indicator], training: Figure | None = None
) -> dict[str, Figure]:
    # The case-record indicators and CONFIDENCE_CHANGE: computation.compute's.
    computed = [i.code for i in wanted if i.computed]
    figures = computation.compute(quarter, codes=computed) if computed else {}
    if any(i.code == "TRAINING_COVERAGE" for i in wanted):
        figures["TRAINING_COVERAGE"] = training or _training_totals([quarter])[quarter]
    return figures


def figures_by_quarter(
    quarters: list[Quarter], codes: Iterable[str] | None = None
) -> dict[Quarter, dict[str, Shown]]:
    """Published quarters from their snapshots in two queries however many; the others live,
    a few aggregate queries each."""
    wanted = _wanted(codes)
    published = {
        row.quarter: row
        for row in PublishedQuarter.objects.filter(quarter__in=list(quarters))
        .select_related("published_by")
        .prefetch_related("figures")
    }
    live = [quarter for quarter in quarters if quarter not in published]
    training = _training_totals(live) if live else {}
    result = {}
    for quarter in quarters:
        snapshot = published.get(quarter)
        figures = (
            published_figures(snapshot)
            if snapshot
            else _live(quarter, wanted, training.get(quarter))
        )
        result[quarter] = {
            i.code: _shown(i, quarter, figures.get(i.code), snapshot) for i in wanted
        }
    return result


def figures_for(quarter: Quarter, codes: Iterable[str] | None = None) -> dict[str, Shown]:
    """Every indicator with a single figure for `quarter` (or those in `codes`), in the
    registry's order. ACTIONS_BY_RAG is a distribution rather than one figure (see
    `actions_by_rag`); it is left out."""
    return figures_by_quarter([quarter], codes)[quarter]


def trends(
    quarter: Quarter, n: int = TREND_LENGTH, codes: Iterable[str] | None = None
) -> dict[str, list[Shown]]:
    """code → its figures for the `n` quarters ending with `quarter`, oldest first."""
    series: dict[str, list[Shown]] = {}
    for figures in figures_by_quarter(quarter.last(n), codes).values():
        for code, shown in figures.items():
            series.setdefault(code, []).append(shown)
    return series


def restated(snapshot: PublishedQuarter, code: str) -> Restatement | None:
    """The published and the live figure of `code` when they now differ (records corrected
    or added since publication); None otherwise."""
    old = published_figures(snapshot).get(code)
    new = _live(snapshot.quarter, _wanted([code])).get(code)
    return Restatement(code, old, new) if old != new else None


def trend(code: str, quarter: Quarter, n: int = TREND_LENGTH) -> list[Shown]:
    """One indicator's figures for the `n` quarters ending with `quarter`, oldest first."""
    indicators.get(code)
    return trends(quarter, n, codes=[code]).get(code, [])


# Action plans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RagCount:
    rag: str
    label: str
    n: int


def _latest_rag_counts(quarter: Quarter, *group: str) -> list[dict[str, Any]]:
    """Actions in the quarter's published plans counted by their latest submitted RAG rating
    at E (the rating of the latest submitted quarter up to this one; None if never rated),
    grouped also by `group`. One query."""
    return list(
        Action.objects.filter(plan__in=plans_in_quarter(quarter))
        .annotate(latest_rag=latest_submitted_rag(up_to=quarter))
        .values(*group, "latest_rag")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _rag_counts(counts: dict) -> list[RagCount]:
    rated = [RagCount(rag, RAG_LABELS[rag], counts.get(rag, 0)) for rag in RAG_ORDER]
    return [*rated, RagCount("not_rated", "Not rated", counts.get(None, 0))]


def actions_by_rag(quarter: Quarter) -> list[RagCount]:
    """ACTIONS_BY_RAG for the partnership: each rating, then the actions never rated."""
    return _rag_counts({row["latest_rag"]: row["n"] for row in _latest_rag_counts(quarter)})


@dataclass(frozen=True)
class RagRow:
    label: str
    counts: list[RagCount]


def actions_by_rag_table(quarter: Quarter) -> dict[str, list[RagRow]]:
    """ACTIONS_BY_RAG per objective (in the strategy's order) and per agency with a published
    plan, in one query."""
    by_objective: dict[str, dict] = {}
    by_agency: dict[str, dict] = {}
    for row in _latest_rag_counts(quarter, "objective", "plan__agency__name"):
        for table, key in (
            (by_objective, row["objective"]),
            (by_agency, row["plan__agency__name"]),
        ):
            counts = table.setdefault(key, {})
            counts[row["latest_rag"]] = counts.get(row["latest_rag"], 0) + row["n"]
    return {
        "objective": [
            RagRow(label, _rag_counts(by_objective.get(value, {})))
            for value, label in Objective.choices
        ],
        "agency": [RagRow(name, _rag_counts(by_agency[name])) for name in sorted(by_agency)],
    }


# Drill-down --------------------------------------------------------------------------------

NUMERATOR = "numerator"
DENOMINATOR = "denominator"


def drill_down(code: str, quarter: Quarter, which: str, user: User) -> QuerySet | None:
    """The records of `which` part of the figure ("numerator", or "denominator" for a
    percentage) that `user` may see, in a stable order; None when the figure has no such part.
    For a count or a mean, the records counted are its "numerator"."""
    numerator, denominator = computation.members(code, quarter)
    records = numerator if which == NUMERATOR else denominator
    if records is None:
        return None
    if isinstance(records, computation.CombinedRecords):
        # Several models' records (MANAGER_OVERSIGHT's tools), each limited alike.
        return records.map(
            lambda part: access.records_visible_to(
                user, part.select_related(*drilldown.ROW_READS.get(part.model, ()))
            ).order_by("pk")
        )
    records = records.select_related(*drilldown.ROW_READS.get(records.model, ()))
    return access.records_visible_to(user, records).order_by("pk")


def visible_counts(code: str, quarter: Quarter, user: User) -> tuple[int, int | None]:
    """How many records of the numerator and denominator the user may see: two counts."""
    numerator = drill_down(code, quarter, NUMERATOR, user)
    denominator = drill_down(code, quarter, DENOMINATOR, user)
    assert numerator is not None  # every figure has its counted records
    return numerator.count(), denominator.count() if denominator is not None else None


# Agency returns and published quarters -------------------------------------------------


@dataclass(frozen=True)
class AgencyCoverage:
    agency: Agency
    agency_return: AgencyReturn | None

    @property
    def is_gap(self) -> bool:
        """Not submitted: shown as a gap, never as zero."""
        return self.agency_return is None

    @property
    def value(self) -> Decimal | None:
        if self.agency_return is None:
            return None
        return percentage(self.agency_return.staff_trained, self.agency_return.target_workforce)


@dataclass(frozen=True)
class TrainingCoverage:
    quarter: Quarter
    agencies: list[AgencyCoverage]
    # Over the agencies that submitted: their staff trained ÷ their target workforce.
    total: Figure

    @property
    def gaps(self) -> list[Agency]:
        return [row.agency for row in self.agencies if row.is_gap]


def training_coverage(quarter: Quarter) -> TrainingCoverage:
    """TRAINING_COVERAGE per agency and in total, in two queries.

    Every active agency owes a return; an inactive one appears only if it submitted.
    """
    returns = {r.agency_id: r for r in AgencyReturn.objects.filter(quarter=quarter)}
    agencies = Agency.objects.filter(active=True) | Agency.objects.filter(pk__in=list(returns))
    rows = [
        AgencyCoverage(agency, returns.get(agency.pk))
        for agency in agencies.distinct().order_by("name")
    ]
    trained = sum(r.staff_trained for r in returns.values())
    workforce = sum(r.target_workforce for r in returns.values())
    total = Figure("TRAINING_COVERAGE", trained, workforce, percentage(trained, workforce))
    return TrainingCoverage(quarter, rows, total)


def live_figures(quarter: Quarter) -> dict[str, Figure]:
    """Every figure that is published for a quarter, computed now."""
    return _live(quarter, _wanted(None))


def published_quarter(quarter: Quarter) -> PublishedQuarter | None:
    return (
        PublishedQuarter.objects.filter(quarter=quarter)
        .select_related("published_by")
        .prefetch_related("figures")
        .first()
    )


def published_figures(published: PublishedQuarter) -> dict[str, Figure]:
    return {row.code: row.as_figure() for row in published.figures.all()}


@dataclass(frozen=True)
class Restatement:
    code: str
    published: Figure | None
    live: Figure | None


def restatements(published: PublishedQuarter) -> list[Restatement]:
    """Where a live recomputation differs from what was published (records corrected or added
    since): each with the published and the new figure. A full live computation, so pages
    should ask for it deliberately rather than on every view of a published quarter."""
    old = published_figures(published)
    new = live_figures(published.quarter)
    return [
        Restatement(code, old.get(code), new.get(code))
        for code in [*old, *(code for code in new if code not in old)]
        if old.get(code) != new.get(code)
    ]
