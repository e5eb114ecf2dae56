"""Reads for the dataset pages: the one way a page gets a quarter's figures and the records
behind them.

`figures_for(quarter)` and `trends(quarter)` are the only way pages get figures: a published
quarter's come from its snapshot (what the Working Group saw), any other quarter's from the
live result the background worker stored (dataset/live.py). No page computes a quarter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef

from actionplans.models import Action, Objective
from actionplans.selectors import RAG_LABELS, RAG_ORDER, latest_submitted_rag, plans_in_quarter
from cases.models import Child
from neglect_portal import access
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter

from . import computation, drilldown, indicators, results
from . import live as live_module
from .computation import Figure, not_submitted, percentage, submitted_figure
from .indicators import Indicator, Source
from .models import (
    PARTNER_CODE_PREFIX,
    AgencyReturn,
    PartnerFigure,
    PartnerIndicator,
    PublishedFigure,
    PublishedQuarter,
)
from .quarters_shown import TREND_LENGTH


@dataclass(frozen=True)
class Shown:
    """One indicator's figure for one quarter, as the pages show it.

    `available` is False when there is nothing to show yet (an indicator whose source has not
    reported, or an agency's indicator it has not submitted): pages then say so rather than
    showing 0. `published` and `restated` are filled once published snapshots exist (the
    stored figure, and the live one when it differs). `submission` is an agency's indicator's
    submitted row for the quarter (who submitted it and when), if there is one.
    """

    indicator: Indicator
    quarter: Quarter
    numerator: int | None = None
    denominator: int | None = None
    value: Decimal | int | None = None
    available: bool = True
    published: object = None
    restated: object = None
    submission: PartnerFigure | None = None
    # Not available because the worker has not stored the quarter's figures yet.
    calculating: bool = False

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def title(self) -> str:
        """The title an agency's indicator was published under, for a published quarter (its
        definition may be renamed since); otherwise the indicator's. No query: the snapshot's
        figures are read with it."""
        if self.indicator.submitted_by_agency and isinstance(self.published, PublishedQuarter):
            row = published_row(self.published, self.code)
            if row is not None and row.title:
                return row.title
        return self.indicator.title


def _shown(
    indicator: Indicator,
    quarter: Quarter,
    figure: Figure | None,
    published: PublishedQuarter | None = None,
    submission: PartnerFigure | None = None,
    calculating: bool = False,
) -> Shown:
    if calculating and indicator.computed:
        return Shown(indicator, quarter, available=False, calculating=True)
    if (
        figure is None
        or not figure.submitted
        or (indicator.code == "TRAINING_COVERAGE" and not figure.denominator)
    ):
        # No agency has sent a return (or the owning agency has not submitted): nothing to
        # show, never a 0.
        return Shown(
            indicator, quarter, available=False, published=published, submission=submission
        )
    return Shown(
        indicator,
        quarter,
        figure.numerator,
        figure.denominator,
        figure.value,
        published=published,
        submission=submission,
    )


def partner_indicators(codes: Iterable[str] | None = None) -> list[Indicator]:
    """The indicators agencies submit, as registry entries, in one query (none when `codes`
    names no such code): every active one, or those in `codes` whether active or not."""
    if codes is not None:
        codes = [code for code in codes if code.startswith(PARTNER_CODE_PREFIX)]
        if not codes:
            return []
        defined = PartnerIndicator.objects.filter(code__in=codes)
    else:
        defined = PartnerIndicator.objects.filter(active=True)
    return [row.as_indicator() for row in defined.select_related("agency").order_by("code")]


def all_indicators(codes: Iterable[str] | None = None) -> list[Indicator]:
    """The built-in registry followed by the agencies' indicators (one query for those)."""
    wanted = None if codes is None else list(codes)
    built_in = [i for i in indicators.INDICATORS if wanted is None or i.code in wanted]
    return [*built_in, *partner_indicators(wanted)]


def indicators_by_code(codes: Iterable[str] | None = None) -> dict[str, Indicator]:
    return {indicator.code: indicator for indicator in all_indicators(codes)}


def indicator_or_none(code: str) -> Indicator | None:
    """A built-in indicator or an agency's (active or not); None for an unknown code."""
    if code in indicators.BY_CODE:
        return indicators.BY_CODE[code]
    found = partner_indicators([code])
    return found[0] if found else None


def _wanted(codes: Iterable[str] | None) -> list[Indicator]:
    return [
        indicator for indicator in all_indicators(codes) if indicator.source != Source.ACTION_PLANS
    ]


def _partner_rows(
    wanted: list[Indicator], quarters: Iterable[Quarter]
) -> dict[tuple[Quarter, str], PartnerFigure]:
    """The agencies' submissions for `wanted` in `quarters`: one query however many (none
    when no agency's indicator is wanted)."""
    codes = [indicator.code for indicator in wanted if indicator.submitted_by_agency]
    if not codes:
        return {}
    rows = PartnerFigure.objects.filter(
        indicator__code__in=codes, quarter__in=list(quarters)
    ).select_related("indicator", "submitted_by")
    return {(row.quarter, row.indicator.code): row for row in rows}


def _partner_live(
    quarter: Quarter, wanted: list[Indicator], rows: dict[tuple[Quarter, str], PartnerFigure]
) -> dict[str, Figure]:
    figures = {}
    for indicator in wanted:
        if not indicator.submitted_by_agency:
            continue
        row = rows.get((quarter, indicator.code))
        figures[indicator.code] = (
            not_submitted(indicator.code)
            if row is None
            else submitted_figure(indicator.code, indicator.unit, row.numerator, row.denominator)
        )
    return figures


def agency_returns(quarters: Iterable[Quarter]) -> dict[Quarter, list[AgencyReturn]]:
    """The agencies' training returns of `quarters`, by quarter, in one query: for a page
    whose sections all read them (TRAINING_COVERAGE, the coverage table, the gaps)."""
    found: dict[Quarter, list[AgencyReturn]] = {quarter: [] for quarter in quarters}
    for row in AgencyReturn.objects.filter(quarter__in=list(found)).select_related("agency"):
        found[row.quarter].append(row)
    return found


def _training_totals(
    quarters: Iterable[Quarter], returns: dict[Quarter, list[AgencyReturn]] | None = None
) -> dict[Quarter, Figure]:
    """TRAINING_COVERAGE over the agencies that submitted, for each quarter: one query, none
    when the quarters' `returns` are given (agency_returns)."""
    totals = {quarter: [0, 0] for quarter in quarters}
    rows = (
        AgencyReturn.objects.filter(quarter__in=list(totals)).values_list(
            "quarter", "staff_trained", "target_workforce"
        )
        if returns is None
        else [
            (row.quarter, row.staff_trained, row.target_workforce)
            for quarter in totals
            for row in returns[quarter]
        ]
    )
    for quarter, trained, workforce in rows:
        totals[quarter][0] += trained
        totals[quarter][1] += workforce
    return {
        quarter: Figure("TRAINING_COVERAGE", trained, workforce, percentage(trained, workforce))
        for quarter, (trained, workforce) in totals.items()
    }


def _stored_computed(
    quarter: Quarter, wanted: list[Indicator], stored: dict[Quarter, results.QuarterResult]
) -> dict[str, Figure]:
    """The computed indicators' figures from the quarter's stored live result; none when the
    worker has not stored one yet (the pages then say the figures are being calculated)."""
    result = stored.get(quarter)
    if result is None:
        return {}
    codes = {i.code for i in wanted if i.computed}
    return {code: figure for code, figure in results.figures(result).items() if code in codes}


def _live(
    quarter: Quarter,
    wanted: list[Indicator],
    computed: dict[str, Figure],
    training: Figure | None = None,
    partner_rows: dict[tuple[Quarter, str], PartnerFigure] | None = None,
) -> dict[str, Figure]:
    """A quarter not published: the `computed` figures (stored, or computed just now) with
    the agencies' returns and submissions as they are now."""
    figures = dict(computed)
    if any(i.code == "TRAINING_COVERAGE" for i in wanted):
        figures["TRAINING_COVERAGE"] = training or _training_totals([quarter])[quarter]
    if partner_rows is None:
        partner_rows = _partner_rows(wanted, [quarter])
    figures.update(_partner_live(quarter, wanted, partner_rows))
    return figures


def _submission(
    rows: dict[tuple[Quarter, str], PartnerFigure],
    quarter: Quarter,
    indicator: Indicator,
    snapshot: PublishedQuarter | None,
) -> PartnerFigure | None:
    """Who submitted the figure shown: for a published quarter, only a submission the
    snapshot holds (one saved after it is a restatement, not the published figure's)."""
    row = rows.get((quarter, indicator.code))
    if row is not None and snapshot is not None and row.submitted_at > snapshot.published_at:
        return None
    return row


@dataclass(frozen=True)
class QuartersRead:
    """Quarters' figures as the pages show them (`figures_by_quarter`), with the live results
    read for them, so a page's other sections need not read those again."""

    figures: dict[Quarter, dict[str, Shown]]
    # The worker's stored live result of each quarter not published that has one (read when
    # a computed indicator is): when its figures were calculated ("Figures as at").
    live_results: dict[Quarter, results.QuarterResult]
    # Read when every indicator is (no `codes`), else None: the active indicators agencies
    # submit, by code, and every submission of the quarters for them, by (quarter, code).
    partner: list[Indicator] | None
    submissions: dict[tuple[Quarter, str], PartnerFigure]


def read_quarters(
    quarters: list[Quarter],
    codes: Iterable[str] | None = None,
    *,
    returns: dict[Quarter, list[AgencyReturn]] | None = None,
) -> QuartersRead:
    """Published quarters from their snapshots in two queries however many; the others from
    their stored live results, in a few queries however many. `returns`: the quarters'
    agency returns when the page has read them (agency_returns), for TRAINING_COVERAGE."""
    wanted = _wanted(codes)
    published = {
        row.quarter: row
        for row in PublishedQuarter.objects.filter(quarter__in=list(quarters))
        .select_related("published_by")
        .prefetch_related("figures")
    }
    partner = None
    if codes is None:
        partner = [indicator for indicator in wanted if indicator.submitted_by_agency]
        # An agency's indicator switched off since a quarter shown was published still shows,
        # as published (one more query, only then).
        known = {indicator.code for indicator in wanted}
        retired = {
            row.code
            for snapshot in published.values()
            for row in snapshot.figures.all()
            if row.code.startswith(PARTNER_CODE_PREFIX) and row.code not in known
        }
        if retired:
            wanted = [*wanted, *partner_indicators(sorted(retired))]
    live = [quarter for quarter in quarters if quarter not in published]
    wants_computed = any(i.computed for i in wanted)
    stored = results.live_results(live) if wants_computed else {}
    missing = [quarter for quarter in live if quarter not in stored] if wants_computed else []
    if live_module.storable(missing):
        # A quarter no page has asked for before (or the worker has not reached yet).
        live_module.request_refresh(live_module.storable(missing), settle=False)
    wants_training = any(i.code == "TRAINING_COVERAGE" for i in wanted)
    training = _training_totals(live, returns) if live and wants_training else {}
    # Every quarter's submissions, published or not: a published quarter shows its snapshot's
    # figure, and who submitted it beside it.
    partner_rows = _partner_rows(wanted, quarters)
    result = {}
    for quarter in quarters:
        snapshot = published.get(quarter)
        figures = (
            published_figures(snapshot)
            if snapshot
            else _live(
                quarter,
                wanted,
                _stored_computed(quarter, wanted, stored),
                training.get(quarter),
                partner_rows,
            )
        )
        result[quarter] = {
            i.code: _shown(
                i,
                quarter,
                figures.get(i.code),
                snapshot,
                _submission(partner_rows, quarter, i, snapshot),
                calculating=quarter in missing,
            )
            for i in wanted
        }
    return QuartersRead(result, stored, partner, partner_rows)


def figures_by_quarter(
    quarters: list[Quarter], codes: Iterable[str] | None = None
) -> dict[Quarter, dict[str, Shown]]:
    """Every indicator's figure (or those in `codes`) in each of `quarters` (read_quarters)."""
    return read_quarters(quarters, codes).figures


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
    or added since publication); None otherwise, or while the live figures are not stored."""
    old = published_figures(snapshot).get(code)
    wanted = _wanted([code])
    stored = results.live_results([snapshot.quarter])
    if snapshot.quarter not in stored and any(i.computed for i in wanted):
        return None
    new = _live(snapshot.quarter, wanted, _stored_computed(snapshot.quarter, wanted, stored)).get(
        code
    )
    return Restatement(code, old, new) if old != new else None


def trend(code: str, quarter: Quarter, n: int = TREND_LENGTH) -> list[Shown]:
    """One indicator's figures for the `n` quarters ending with `quarter`, oldest first."""
    series = trends(quarter, n, codes=[code])
    if code not in series and code not in indicators.BY_CODE:
        raise KeyError(f"No indicator has the code {code!r}")
    return series.get(code, [])


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

NUMERATOR = computation.NUMERATOR
DENOMINATOR = computation.DENOMINATOR


def shown_result(quarter: Quarter) -> results.QuarterResult | None:
    """The stored result a quarter's breakdowns and drill-downs read (results.shown_result);
    None while the worker has not stored one, which it is then asked to."""
    found = results.shown_result(quarter)
    if found is None and live_module.storable([quarter]):
        live_module.request_refresh([quarter], settle=False)
    return found


def drill_down(
    code: str, which: str, user: User, result: results.QuarterResult | None
) -> results.StoredRecords | computation.CombinedRecords | None:
    """The records of `which` part of the figure ("numerator", or "denominator" for a
    percentage) in `result` (`shown_result`) that `user` may see, in a stable order; None
    when the figure has no such part, or nothing is stored yet. For a count or a mean, the
    records counted are its "numerator"."""
    if result is None:
        return None
    records = results.member_records(result, code, which)
    if records is None:
        return None
    visible = access.ids_visible_to(user, Child, "child_id")

    def limited(part: results.StoredRecords) -> results.StoredRecords:
        fetch = access.records_visible_to(
            user, part.fetch.select_related(*drilldown.ROW_READS.get(part.model, ()))
        )
        # Asked of the stored records' children, then again of the page's records as read.
        return part.limited(visible, fetch)

    if isinstance(records, computation.CombinedRecords):
        # Several models' records (MANAGER_OVERSIGHT's tools), each limited alike.
        return records.map(limited)
    return limited(records)


def visible_counts(
    code: str, user: User, result: results.QuarterResult | None
) -> tuple[int | None, int | None]:
    """How many records of the numerator and denominator the user may see, from the counts
    stored with the result (none before the worker has stored the quarter)."""
    if result is None:
        return None, None
    return results.visible_member_counts(result, code, access.counted_visibility(user))


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


def training_coverage(
    quarter: Quarter,
    *,
    active: list[Agency] | None = None,
    returns: list[AgencyReturn] | None = None,
) -> TrainingCoverage:
    """TRAINING_COVERAGE per agency and in total, in two queries, none when the page gives
    what it has read: the `active` agencies (by name) and the quarter's `returns`
    (agency_returns).

    Every active agency owes a return; an inactive one appears only if it submitted.
    """
    if returns is None:
        returns = list(AgencyReturn.objects.filter(quarter=quarter).select_related("agency"))
    by_agency = {r.agency_id: r for r in returns}
    if active is None:
        agencies = list(
            (Agency.objects.filter(active=True) | Agency.objects.filter(pk__in=list(by_agency)))
            .distinct()
            .order_by("name")
        )
    else:
        listed = {agency.pk for agency in active}
        left = [r.agency for r in returns if r.agency_id not in listed]
        agencies = sorted([*active, *left], key=lambda agency: agency.name) if left else active
    rows = [AgencyCoverage(agency, by_agency.get(agency.pk)) for agency in agencies]
    trained = sum(r.staff_trained for r in returns)
    workforce = sum(r.target_workforce for r in returns)
    total = Figure("TRAINING_COVERAGE", trained, workforce, percentage(trained, workforce))
    return TrainingCoverage(quarter, rows, total)


def live_figures(quarter: Quarter, computed: dict[str, Figure] | None = None) -> dict[str, Figure]:
    """Every figure that is published for a quarter, from the records as they are (the
    agencies' active indicators included, "not submitted" where they have not): the computed
    ones as the worker last stored them, unless given (computed just now)."""
    wanted = _wanted(None)
    if computed is None:
        stored = results.live_results([quarter])
        if quarter not in stored:
            live_module.request_refresh([quarter], settle=False)
        computed = _stored_computed(quarter, wanted, stored)
    return _live(quarter, wanted, computed)


def live_partner_figures(quarter: Quarter) -> dict[str, Figure]:
    """The agencies' active indicators for `quarter` as submitted now: two queries."""
    wanted = partner_indicators()
    return _partner_live(quarter, wanted, _partner_rows(wanted, [quarter]))


def published_quarter(quarter: Quarter) -> PublishedQuarter | None:
    return (
        PublishedQuarter.objects.filter(quarter=quarter)
        .select_related("published_by")
        .prefetch_related("figures")
        .first()
    )


def published_figures(published: PublishedQuarter) -> dict[str, Figure]:
    return {row.code: row.as_figure() for row in published.figures.all()}


def published_row(published: PublishedQuarter, code: str) -> PublishedFigure | None:
    """The stored row of `code` (with the title and definition version an agency's indicator
    was published under), from the prefetched figures: no query."""
    return next((row for row in published.figures.all() if row.code == code), None)


@dataclass(frozen=True)
class Restatement:
    code: str
    published: Figure | None
    live: Figure | None


def restatements(published: PublishedQuarter) -> list[Restatement]:
    """Where a live recomputation differs from what was published (records corrected or added
    since): each with the published and the new figure. A full computation, so only the
    restatements page asks for it."""
    old = published_figures(published)
    new = live_figures(published.quarter, computation.compute(published.quarter))
    return [
        Restatement(code, old.get(code), new.get(code))
        for code in [*old, *(code for code in new if code not in old)]
        if old.get(code) != new.get(code)
    ]


# Gaps in the agencies' returns ---------------------------------------------------------------

TRAINING_RETURN = "training return"


@dataclass(frozen=True)
class ReturnGap:
    """Something an active agency owes for a quarter and has not submitted: its training
    return, or one of its active indicators (`code` names which; None for the training)."""

    agency: Agency
    what: str
    code: str | None = None


def return_gaps(
    quarter: Quarter,
    *,
    active: list[Agency] | None = None,
    returns: list[AgencyReturn] | None = None,
    read: QuartersRead | None = None,
) -> list[ReturnGap]:
    """What each active agency has not submitted for `quarter`, by agency name, the training
    return first: three queries however many agencies, none when the page gives what it has
    read: the `active` agencies (by name), the quarter's `returns` (agency_returns) and the
    agencies' indicators and submissions (`read`, read_quarters of every indicator)."""
    agencies = (
        list(Agency.objects.filter(active=True).order_by("name")) if active is None else active
    )
    returned = (
        {row.agency_id for row in returns}
        if returns is not None
        else set(AgencyReturn.objects.filter(quarter=quarter).values_list("agency_id", flat=True))
    )
    unsent: list[tuple[int | None, str, str]]  # (agency id, title, code)
    if read is None or read.partner is None:
        unsent = [
            (row.agency_id, row.title, row.code)
            for row in PartnerIndicator.objects.filter(active=True, agency__active=True)
            .exclude(
                Exists(PartnerFigure.objects.filter(indicator=OuterRef("pk"), quarter=quarter))
            )
            .order_by("code")
        ]
    else:
        assert quarter in read.figures, "the gaps of a quarter the page has not read"
        sent = {code for when, code in read.submissions if when == quarter}
        unsent = [
            (indicator.owner_id, indicator.title, indicator.code)
            for indicator in read.partner
            if indicator.code not in sent
        ]
    owed: dict[int | None, list[tuple[str, str]]] = {}
    for agency_id, title, code in unsent:
        owed.setdefault(agency_id, []).append((title, code))
    gaps = []
    for agency in agencies:
        if agency.pk not in returned:
            gaps.append(ReturnGap(agency, TRAINING_RETURN))
        gaps.extend(ReturnGap(agency, title, code) for title, code in owed.get(agency.pk, []))
    return gaps
