"""What the dashboard, the indicator page, emerging themes and the exports show, assembled
from the selectors so the views stay thin and every page says the same thing the same way."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from neglect_portal.quarters import Quarter

from . import computation, indicators, selectors
from .charts import Chart, chart
from .indicators import Indicator, Source, Unit
from .movements import (
    Change,
    TargetStatus,
    Theme,
    change,
    format_target,
    format_value,
    target_status,
    theme,
)
from .selectors import Shown

NO_RETURNS = "No agency returns yet"
NO_RESPONSES = "no responses"  # a mean change with no practitioner to count
SPARK_WIDTH, SPARK_HEIGHT = 120, 32
CHART_WIDTH, CHART_HEIGHT = 560, 200


def quarter_choices(today: date, count: int = 12) -> list[Quarter]:
    """The quarters the picker offers: the one in progress and those before it, newest first."""
    return Quarter.containing(today).last(count)[::-1]


def shown_value(shown: Shown) -> str:
    if not shown.available:
        return NO_RETURNS
    if shown.indicator.unit == Unit.MEAN_CHANGE and not shown.numerator:
        return NO_RESPONSES
    return format_value(shown.value, shown.indicator.unit)


def trend_words(series: list[Shown]) -> str:
    """The sparkline's text alternative: every quarter's value, oldest first."""
    parts = [f"{shown.quarter.label} {shown_value(shown)}" for shown in series]
    return f"Last {len(series)} quarters, oldest first: " + "; ".join(parts)


def _values(series: list[Shown]) -> list:
    return [shown.value if shown.available else None for shown in series]


@dataclass
class Card:
    shown: Shown
    value_text: str
    since_previous: Change | None
    since_last_year: Change | None
    status: TargetStatus | None
    target_text: str | None
    spark: Chart
    spark_words: str

    @property
    def indicator(self) -> Indicator:
        return self.shown.indicator


def _card(series: list[Shown]) -> Card:
    shown = series[-1]
    indicator = shown.indicator
    previous = series[-2] if len(series) >= 2 else None
    last_year = series[-5] if len(series) >= 5 else None

    def moved(before):
        if before is None or not shown.available:
            return None
        return change(indicator, before.value, shown.value, before.quarter.label)

    return Card(
        shown=shown,
        value_text=shown_value(shown),
        since_previous=moved(previous),
        since_last_year=moved(last_year),
        status=target_status(indicator, shown.value) if shown.available else None,
        target_text=format_target(indicator),
        spark=chart(_values(series), width=SPARK_WIDTH, height=SPARK_HEIGHT),
        spark_words=trend_words(series),
    )


def dashboard(quarter: Quarter) -> dict:
    """A card per indicator with a single figure, and the action plans' RAG counts."""
    series = selectors.trends(quarter)
    return {
        "published": next(iter(series.values()))[-1].published if series else None,
        "cards": [_card(each) for each in series.values()],
        "rag_counts": selectors.actions_by_rag(quarter),
        "actions_indicator": indicators.get("ACTIONS_BY_RAG"),
    }


@dataclass
class TrendRow:
    shown: Shown
    value_text: str


def _figure_words(figure, unit: str) -> str:
    if figure is None:
        return "nothing"
    value = format_value(figure.value, unit)
    if figure.denominator is None:
        return value
    return f"{value} ({figure.numerator} of {figure.denominator})"


def _restatement_words(restatement, unit: str) -> str | None:
    if restatement is None:
        return None
    return (
        f"Published as {_figure_words(restatement.published, unit)}; the records now give "
        f"{_figure_words(restatement.live, unit)}."
    )


def indicator_trend(code: str, quarter: Quarter) -> dict:
    """The eight-quarter chart and the table of the same figures for one indicator."""
    indicator = indicators.get(code)
    series = selectors.trend(code, quarter)
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
    return {
        "published": published,
        # A published figure that a live recount no longer matches, shown with both values.
        "restatement": _restatement_words(selectors.restated(published, code), indicator.unit)
        if published
        else None,
        "trend_rows": [TrendRow(shown, shown_value(shown)) for shown in series],
        "chart": drawn,
        "chart_scale": scale,
        "card": _card(series) if series else None,
    }


def emerging_themes(quarter: Quarter) -> list[Theme]:
    """Indicators that moved beyond the thresholds of dataset/movements.py against the
    previous quarter, or crossed their target. Two quarters' figures."""
    both = selectors.figures_by_quarter([quarter.previous(), quarter])
    now, before = both[quarter], both[quarter.previous()]
    themes = []
    for code, shown in now.items():
        if not shown.available or not before[code].available:
            continue
        found = theme(shown.indicator, before[code].value, shown.value, quarter.previous().label)
        if found is not None:
            themes.append(found)
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
]


def export_rows(quarter: Quarter):
    """One row per indicator: numbers stay numbers; an empty value is explained in Note."""
    figures = selectors.figures_for(quarter)
    for indicator in indicators.INDICATORS:
        shown = figures.get(indicator.code)
        common = [quarter.label, indicator.code, indicator.title, indicator.definition]
        unit = Unit(indicator.unit).label
        if indicator.source == Source.ACTION_PLANS:
            counts = selectors.actions_by_rag(quarter)
            note = ", ".join(f"{count.label} {count.n}" for count in counts)
            yield [*common, None, None, None, unit, note]
        elif not shown.available:
            yield [*common, None, None, None, unit, NO_RETURNS]
        else:
            value = float(shown.value) if isinstance(shown.value, Decimal) else shown.value
            note = "" if shown.value is not None else format_value(None, indicator.unit)
            yield [*common, shown.numerator, shown.denominator, value, unit, note]


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


def _title(code: str) -> str:
    try:
        return indicators.get(code).title
    except KeyError:  # a code published under earlier definitions
        return code


def figure_text(code: str, figure) -> str:
    """ "62.5% (5 of 8)"; a TRAINING_COVERAGE with no returns is a gap, never 0%."""
    if figure is None:
        return "Not computed"
    if code == "TRAINING_COVERAGE" and not figure.denominator:
        return NO_RETURNS
    try:
        unit = indicators.get(code).unit
    except KeyError:
        unit = Unit.COUNT
    return _figure_words(figure, unit)


def publication_rows(live: dict, stored: dict | None = None) -> list[FigureRow]:
    """The figures publishing will store (`live`), next to those stored now when
    republishing, in the registry's order."""
    codes = [*live, *(code for code in (stored or {}) if code not in live)]
    order = {indicator.code: n for n, indicator in enumerate(indicators.INDICATORS)}
    codes.sort(key=lambda code: order.get(code, len(order)))
    return [
        FigureRow(
            code,
            _title(code),
            figure_text(code, live.get(code)),
            None if stored is None else figure_text(code, stored.get(code)),
        )
        for code in codes
    ]


def restatement_rows(restatements) -> list[FigureRow]:
    return [
        FigureRow(
            r.code, _title(r.code), figure_text(r.code, r.live), figure_text(r.code, r.published)
        )
        for r in restatements
    ]


def indicator_series(code: str, quarter: Quarter, day: date) -> dict:
    """What an indicator's page shows beside its trend: the chronology's week-by-week entries,
    and the toolkit's running total to E (or to `day` while the quarter is open)."""
    if code == "CHRONOLOGY_ENTRIES_WEEKLY":
        return {"weeks": computation.weekly_chronology_entries(quarter)}
    if code == "TOOLKIT_CHILDREN":
        as_at = min(quarter.end, day)
        return {"to_date": computation.toolkit_children_to_date(as_at), "to_date_as_at": as_at}
    return {}
