"""What the dashboard, the indicator page, emerging themes and the exports show, assembled
from the selectors so the views stay thin and every page says the same thing the same way."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from neglect_portal.quarters import Quarter

from . import breakdown, computation, indicators, results, selectors, targets
from .charts import Chart, chart
from .indicators import Indicator, Source, Unit
from .models import AgencyReturn
from .movements import (
    Change,
    TargetStatus,
    Theme,
    change,
    format_target,
    format_value,
    small_base,
    target_status,
    theme,
)
from .quarters_shown import QUARTERS_OFFERED
from .result_models import QuarterResult
from .selectors import QuartersRead, Shown
from .targets import InForce

NO_RETURNS = "No agency returns yet"
# An agency's own indicator for a quarter it has not submitted: a gap, never 0.
NOT_SUBMITTED = "Not submitted"
NO_RESPONSES = "no responses"  # a mean change with no practitioner to count
# A computed indicator added after a quarter was published (AUDIT_GOOD_OR_BETTER, say): that
# snapshot has no figure for it, which is neither a missing return nor a zero.
NOT_PUBLISHED = "Not in the figures published for this quarter"
# A quarter whose figures the background worker has not stored yet (dataset/live.py).
CALCULATING = "Being calculated"
SPARK_WIDTH, SPARK_HEIGHT = 120, 32
CHART_WIDTH, CHART_HEIGHT = 560, 200


def quarter_choices(today: date, count: int = QUARTERS_OFFERED) -> list[Quarter]:
    """The quarters the picker offers: the one in progress and those before it, newest first."""
    return Quarter.containing(today).last(count)[::-1]


def gap_text(shown: Shown) -> str:
    """What a figure with nothing to show is: being calculated, not submitted by its agency,
    not in the published snapshot, or (training coverage) no returns yet."""
    indicator = shown.indicator
    if shown.calculating:
        return CALCULATING
    if indicator.submitted_by_agency:
        return NOT_SUBMITTED
    return NOT_PUBLISHED if indicator.computed else NO_RETURNS


def shown_value(shown: Shown) -> str:
    if not shown.available:
        return gap_text(shown)
    if shown.indicator.unit == Unit.MEAN_CHANGE and not shown.numerator:
        return NO_RESPONSES
    return format_value(shown.value, shown.indicator.unit)


def trend_words(series: list[Shown]) -> str:
    """The sparkline's text alternative: every quarter's value, oldest first."""
    parts = [f"{shown.quarter.label} {shown_value(shown)}" for shown in series]
    return f"Last {len(series)} quarters, oldest first: " + "; ".join(parts)


def _values(series: list[Shown]) -> list:
    return [shown.value if shown.available else None for shown in series]


def counts_text(shown: Shown) -> str:
    """What a figure counts: "2 of 3 children", "48 questionnaires", "130 entries in 91
    days"; a gap says so."""
    if not shown.available:
        return gap_text(shown)
    indicator = shown.indicator
    if indicator.has_denominator:
        return f"{shown.numerator} of {shown.denominator} {indicator.counts}"
    if indicator.unit == Unit.MEAN:
        return f"{shown.numerator} {indicator.counts} in {shown.quarter.days} days"
    return f"{shown.numerator} {indicator.counts}"


def small_base_text(shown: Shown) -> str | None:
    return small_base(shown.indicator, shown.denominator) if shown.available else None


@dataclass(frozen=True)
class AgainstTarget:
    """A figure beside the target in force in its quarter."""

    target: InForce | None
    status: TargetStatus | None
    target_text: str | None  # "at most 60.0%"


def against_target(shown: Shown, target: InForce | None) -> AgainstTarget:
    value = shown.value if shown.available else None
    limit = None if target is None else target.value
    return AgainstTarget(
        target,
        target_status(shown.indicator, value, limit),
        format_target(shown.indicator, limit),
    )


@dataclass
class Card:
    shown: Shown
    value_text: str
    since_previous: Change | None
    since_last_year: Change | None
    against: AgainstTarget
    small_base: str | None
    spark: Chart
    spark_words: str

    @property
    def indicator(self) -> Indicator:
        return self.shown.indicator

    @property
    def status(self) -> TargetStatus | None:
        return self.against.status

    @property
    def target_text(self) -> str | None:
        return self.against.target_text


def _card(series: list[Shown], found: targets.Found) -> Card:
    shown = series[-1]
    indicator = shown.indicator
    previous = series[-2] if len(series) >= 2 else None
    last_year = series[-5] if len(series) >= 5 else None

    def moved(before):
        # A side not submitted (or with no returns) has no movement: "not available".
        if before is None or not shown.available or not before.available:
            return None
        return change(indicator, before.value, shown.value, before.quarter.label)

    return Card(
        shown=shown,
        value_text=shown_value(shown),
        since_previous=moved(previous),
        since_last_year=moved(last_year),
        against=against_target(shown, found.get((shown.code, shown.quarter))),
        small_base=small_base_text(shown),
        spark=chart(_values(series), width=SPARK_WIDTH, height=SPARK_HEIGHT),
        spark_words=trend_words(series),
    )


def _cards(series: dict[str, list[Shown]], found: targets.Found | None = None) -> dict:
    """A card per indicator from its series (oldest first), the agencies' own apart, against
    the targets in force (`found`, read here unless given)."""
    if found is None:
        found = targets.in_force_for(each[-1] for each in series.values())
    cards = [_card(each, found) for each in series.values()]
    return {
        "published": next(iter(series.values()))[-1].published if series else None,
        "cards": [card for card in cards if not card.indicator.submitted_by_agency],
        "partner_cards": [card for card in cards if card.indicator.submitted_by_agency],
    }


def dashboard(quarter: Quarter) -> dict:
    """A card per indicator with a single figure (the agencies' own in a section of their
    own), and the action plans' RAG counts."""
    return {
        **_cards(selectors.trends(quarter)),
        "rag_counts": selectors.actions_by_rag(quarter),
        "actions_indicator": indicators.get("ACTIONS_BY_RAG"),
    }


def two_quarters(
    quarter: Quarter, *, returns: dict[Quarter, list[AgencyReturn]] | None = None
) -> QuartersRead:
    """The quarter's figures and the previous quarter's: what a change is measured on.
    `returns`: both quarters' agency returns, when the page has read them."""
    return selectors.read_quarters([quarter.previous(), quarter], returns=returns)


def targets_of(both: dict[Quarter, dict[str, Shown]]) -> targets.Found:
    """The target in force for each of both quarters' figures (`two_quarters`), for a page
    that shows the headline and the themes: one query, none when both are published."""
    return targets.in_force_for(shown for figures in both.values() for shown in figures.values())


def headline(
    quarter: Quarter, both: dict[Quarter, dict[str, Shown]], found: targets.Found | None = None
) -> dict:
    """Cards against the previous quarter only (the meeting pack's), from `two_quarters`,
    against the targets in force (`targets_of`, read here unless given)."""
    before = both[quarter.previous()]
    return _cards({code: [before[code], shown] for code, shown in both[quarter].items()}, found)


@dataclass
class TrendRow:
    shown: Shown
    value_text: str
    # Against the target in force in that row's own quarter.
    against: AgainstTarget
    small_base: str | None


def _figure_words(figure, unit: str) -> str:
    if figure is None:
        return "nothing"
    if not figure.submitted:
        return "not submitted"
    value = format_value(figure.value, unit)
    if figure.denominator is None:
        return value
    if unit == Unit.AVERAGE:
        return f"{value} ({figure.numerator} over {figure.denominator})"
    return f"{value} ({figure.numerator} of {figure.denominator})"


def _restatement_words(restatement, unit: str) -> str | None:
    if restatement is None:
        return None
    return (
        f"Published as {_figure_words(restatement.published, unit)}; the records now give "
        f"{_figure_words(restatement.live, unit)}."
    )


def indicator_trend(code: str, quarter: Quarter) -> dict:
    """The eight-quarter chart and the table of the same figures for one indicator (built in
    or an agency's)."""
    series = selectors.trend(code, quarter)
    found = targets.in_force_for(series)
    indicator = series[0].indicator if series else indicators.get(code)
    percentage = indicator.unit == Unit.PERCENTAGE
    drawn = chart(
        _values(series),
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        pad=12,
        from_zero=True,
        ceiling=100 if percentage else None,
    )
    scale = None
    if drawn.high is not None:
        scale = (
            f"Left to right: {series[0].quarter.label} to {series[-1].quarter.label}; "
            f"from {format_value(drawn.low, indicator.unit)} at the bottom to "
            f"{format_value(drawn.high, indicator.unit)} at the top."
        )
    published = series[-1].published if series else None
    published_as = None
    if published is not None and indicator.submitted_by_agency:
        row = selectors.published_row(published, code)
        if row is not None and row.definition_version != indicator.version:
            published_as = row
    return {
        "published": published,
        # An agency's definition changed since publication: which one the figure stands for.
        "published_as": published_as,
        # A published figure that a live recount no longer matches, shown with both values.
        "restatement": _restatement_words(selectors.restated(published, code), indicator.unit)
        if published
        else None,
        "trend_rows": [
            TrendRow(
                shown,
                shown_value(shown),
                against_target(shown, found.get((shown.code, shown.quarter))),
                small_base_text(shown),
            )
            for shown in series
        ],
        "chart": drawn,
        "chart_scale": scale,
        "card": _card(series, found) if series else None,
        "may_have_target": targets.can_have_target(indicator),
    }


@dataclass(frozen=True)
class ThemeRow:
    """A theme with what each quarter's figure counts, so 1 of 3 becoming 2 of 3 reads as
    what it is."""

    theme: Theme
    before: Shown
    after: Shown
    against: AgainstTarget  # this quarter's figure against this quarter's target

    @property
    def indicator(self) -> Indicator:
        return self.theme.indicator

    @property
    def change(self) -> Change:
        return self.theme.change

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.theme.reasons

    @property
    def before_counts(self) -> str:
        return counts_text(self.before)

    @property
    def after_counts(self) -> str:
        return counts_text(self.after)

    @property
    def small_base(self) -> str | None:
        """Marked when either quarter rests on a small base."""
        return small_base_text(self.before) or small_base_text(self.after)


def emerging_themes(
    quarter: Quarter,
    both: dict[Quarter, dict[str, Shown]] | None = None,
    found: targets.Found | None = None,
) -> list[ThemeRow]:
    """Indicators that moved beyond the thresholds of dataset/movements.py against the
    previous quarter, or crossed the target in force (each quarter against its own). Two
    quarters' figures (`two_quarters`) and their targets (`targets_of`), each read here
    unless given."""
    previous = quarter.previous()
    both = both or two_quarters(quarter).figures
    now, before = both[quarter], both[previous]
    if found is None:
        found = targets_of(both)
    themes = []
    for code, shown in now.items():
        earlier = before[code]
        if not shown.available or not earlier.available:
            continue
        was, then = found.get((code, previous)), found.get((code, quarter))
        found_theme = theme(
            shown.indicator,
            earlier.value,
            shown.value,
            previous.label,
            before_target=None if was is None else was.value,
            after_target=None if then is None else then.value,
        )
        if found_theme is not None:
            themes.append(ThemeRow(found_theme, earlier, shown, against_target(shown, then)))
    return themes


# Exports -----------------------------------------------------------------------------------

EXPORT_HEADER = [
    "Quarter",
    "Code",
    "Title",
    "Definition",
    "Numerator",
    "Denominator",
    "Value",
    "Unit",
    "Note",
    "Target",
    "Target met",
]

# The "Target met" column's words (dataset/targets.py target_met): a figure with no value
# is judged neither way.
TARGET_MET_WORDS = {True: "Met", False: "Not met", None: "No figure"}


def target_columns(shown: Shown, target: InForce | None) -> list:
    """The exports' "Target" and "Target met" cells: a number and Met / Not met / No figure,
    both empty when no target was in force."""
    if target is None:
        return [None, None]
    indicator = shown.indicator
    met = targets.target_met(indicator, shown.value if shown.available else None, target.value)
    limit = int(target.value) if indicator.unit == Unit.COUNT else float(target.value)
    return [limit, TARGET_MET_WORDS[met]]


def export_rows(quarter: Quarter):
    """One row per indicator, the agencies' own after the built-in ones: numbers stay numbers;
    an empty value is explained in Note ("not submitted" for an agency's gap, never 0). The
    target columns are empty when no target was in force."""
    figures = selectors.figures_for(quarter)
    found = targets.in_force_for(figures.values())
    partner = [shown.indicator for shown in figures.values() if shown.indicator.submitted_by_agency]
    for indicator in [*indicators.INDICATORS, *partner]:
        shown = figures.get(indicator.code)
        title = indicator.title if shown is None else shown.title
        common = [quarter.label, indicator.code, title, indicator.definition]
        unit = Unit(indicator.unit).label
        if indicator.source == Source.ACTION_PLANS:
            counts = selectors.actions_by_rag(quarter)
            note = ", ".join(f"{count.label} {count.n}" for count in counts)
            yield [*common, None, None, None, unit, note, None, None]
            continue
        against = target_columns(shown, found.get((indicator.code, quarter)))
        if not shown.available:
            if indicator.submitted_by_agency:
                note = f"Not submitted by {indicator.owner}"
            else:
                note = gap_text(shown)
            yield [*common, None, None, None, unit, note, *against]
        else:
            value = float(shown.value) if isinstance(shown.value, Decimal) else shown.value
            note = "" if shown.value is not None else format_value(None, indicator.unit)
            if indicator.submitted_by_agency:
                note = f"Submitted by {indicator.owner}" + (f"; {note}" if note else "")
            yield [*common, shown.numerator, shown.denominator, value, unit, note, *against]


# Publishing and restatements ---------------------------------------------------------------


@dataclass
class FigureRow:
    """One indicator's figure as it will be (or was) published, and what it was before."""

    code: str
    title: str
    new_text: str
    old_text: str | None = None

    @property
    def changed(self) -> bool:
        return self.old_text is not None and self.old_text != self.new_text


Registry = dict[str, Indicator]


def _title(code: str, registry: Registry | None = None) -> str:
    found = (registry or {}).get(code) or indicators.BY_CODE.get(code)
    # A code published under earlier definitions, or an agency's indicator since removed.
    return found.title if found else code


def figure_text(code: str, figure, registry: Registry | None = None) -> str:
    """ "62.5% (5 of 8)"; a TRAINING_COVERAGE with no returns is a gap, never 0%, and an
    agency's indicator it has not submitted is "not submitted"."""
    if figure is None:
        return "Not computed"
    if not figure.submitted:
        return NOT_SUBMITTED
    if code == "TRAINING_COVERAGE" and not figure.denominator:
        return NO_RETURNS
    found = (registry or {}).get(code) or indicators.BY_CODE.get(code)
    return _figure_words(figure, found.unit if found else Unit.COUNT)


def publication_rows(
    live: dict, stored: dict | None = None, registry: Registry | None = None
) -> list[FigureRow]:
    """The figures publishing will store (`live`), next to those stored now when
    republishing, in the registry's order (the agencies' own after the built-in ones)."""
    codes = [*live, *(code for code in (stored or {}) if code not in live)]
    order = {indicator.code: n for n, indicator in enumerate(indicators.INDICATORS)}
    codes.sort(key=lambda code: (order.get(code, len(order)), code))
    return [
        FigureRow(
            code,
            _title(code, registry),
            figure_text(code, live.get(code), registry),
            None if stored is None else figure_text(code, stored.get(code), registry),
        )
        for code in codes
    ]


def restatement_rows(restatements, registry: Registry | None = None) -> list[FigureRow]:
    return [
        FigureRow(
            r.code,
            _title(r.code, registry),
            figure_text(r.code, r.live, registry),
            figure_text(r.code, r.published, registry),
        )
        for r in restatements
    ]


def indicator_series(code: str, quarter: Quarter, result: QuarterResult | None) -> dict:
    """What an indicator's page shows beside its trend, as stored with the figures of
    `result` (none before the worker has stored one): the chronology's week-by-week entries,
    the toolkit's running total to E (or to the day of the calculation while the quarter is
    open), and the audit's judgements by criterion. A result stored before its series were
    (a quarter published then) has them counted from the records now."""
    if code == "AUDIT_GOOD_OR_BETTER":
        return {"criteria": breakdown.audit_by_criterion(quarter)}
    if result is None:
        return {}
    if code == results.WEEKLY:
        weeks = results.weeks(result)
        return {"weeks": computation.weekly_chronology_entries(quarter) if weeks is None else weeks}
    if code == results.TO_DATE:
        found = results.toolkit_children_to_date(result)
        if found is None:
            as_at = min(quarter.end, timezone.localdate(result.computed_at))
            found = as_at, computation.toolkit_children_to_date(as_at)
        return {"to_date": found[1], "to_date_as_at": found[0]}
    return {}
