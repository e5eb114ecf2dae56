"""Reads for the dataset pages: the one way a page gets a quarter's figures and the records
behind them.

`figures_for(quarter)` is the single entry point for a quarter's figures. Today it computes
them live (`computation.compute`); when closed quarters are published into a snapshot table,
it will read the stored figures for those quarters and fill `published` and `restated`, and no
page needs to change.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery

from actionplans.models import Action
from actionplans.selectors import RAG_LABELS, RAG_ORDER, plans_in_quarter, submitted_updates
from cases.models import Assessment, Child, ChildInNeedPlan, ChildProtectionPlan, Referral
from cases.selectors import children_visible_to
from neglect_portal import access
from toolkit.models import SDQ, ChronologyEntry

from . import computation, indicators
from .indicators import Indicator, Source, Unit
from .quarters import Quarter

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

    @property
    def is_percentage(self) -> bool:
        return self.indicator.unit == Unit.PERCENTAGE


def _shown(indicator: Indicator, quarter: Quarter, figure) -> Shown:
    if figure is None:
        return Shown(indicator, quarter, available=False)
    return Shown(indicator, quarter, figure.numerator, figure.denominator, figure.value)


def figures_for(quarter: Quarter, codes=None) -> dict[str, Shown]:
    """Every indicator with a single figure for `quarter` (or those in `codes`), in the
    registry's order: one aggregate query per model involved.

    ACTIONS_BY_RAG is a distribution rather than one figure (see `actions_by_rag`); it is left
    out. TRAINING_COVERAGE comes from agency returns, which are not collected yet: it is
    present but not available, so no page shows it as 0.
    """
    wanted = [indicator for indicator in indicators.INDICATORS
              if (codes is None or indicator.code in codes)
              and indicator.source != Source.ACTION_PLANS]
    case_codes = [i.code for i in wanted if i.computed_from_case_records]
    computed = computation.compute(quarter, codes=case_codes) if case_codes else {}
    return {indicator.code: _shown(indicator, quarter, computed.get(indicator.code))
            for indicator in wanted}


def trends(quarter: Quarter, n: int = TREND_LENGTH, codes=None) -> dict[str, list[Shown]]:
    """code → its figures for the `n` quarters ending with `quarter`, oldest first.

    One `figures_for` per quarter, so a constant number of queries whatever the data; a
    snapshot table will make the closed quarters cheap.
    """
    series: dict[str, list[Shown]] = {}
    for each in quarter.last(n):
        for code, shown in figures_for(each, codes).items():
            series.setdefault(code, []).append(shown)
    return series


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


def actions_by_rag(quarter: Quarter) -> list[RagCount]:
    """Actions in the quarter's published plans by their latest submitted RAG rating at E
    (the rating of the latest submitted quarter up to this one), then those never rated.
    One query."""
    latest = (submitted_updates().filter(action_id=OuterRef("pk"), quarter__lte=quarter.slug)
              .exclude(rag="").order_by("-quarter").values("rag")[:1])
    rows = (Action.objects.filter(plan__in=plans_in_quarter(quarter))
            .annotate(latest_rag=Subquery(latest)).values("latest_rag")
            .annotate(n=Count("pk")).order_by())
    counts = {row["latest_rag"]: row["n"] for row in rows}
    rated = [RagCount(rag, RAG_LABELS[rag], counts.get(rag, 0)) for rag in RAG_ORDER]
    return [*rated, RagCount("not_rated", "Not rated", counts.get(None, 0))]


# Drill-down --------------------------------------------------------------------------------

# How each counted record reaches its child, and what a drill-down row reads with it.
_CHILD_PATH = {
    Child: ("pk", []),
    ChildProtectionPlan: ("child", ["child"]),
    ChildInNeedPlan: ("child", ["child"]),
    Referral: ("child", ["child"]),
    Assessment: ("referral__child", ["referral__child"]),
    ChronologyEntry: ("chronology__child", ["chronology__child", "source_agency"]),
    SDQ: ("child", ["child", "author_agency"]),
}


def sees_any_child(user) -> bool:
    """Those who may see no child at all get counts only: no list, no export. Children's
    social care may see every child by rule, even before any is recorded."""
    return access.sees_every_child(user) or children_visible_to(user).exists()


def visible_records(user, records: QuerySet) -> QuerySet:
    """`records` (a drill-down list) limited to those whose child the user may see, with
    what a row shows fetched alongside. Same rule as cases.selectors.records_visible_to,
    extended to the toolkit records the dataset counts."""
    path, related = _CHILD_PATH[records.model]
    records = records.select_related(*related)
    if access.sees_every_child(user):
        return records
    return records.filter(**{f"{path}__in": children_visible_to(user).values("pk")})


NUMERATOR = "numerator"
DENOMINATOR = "denominator"


def drill_down(code: str, quarter: Quarter, which: str, user) -> QuerySet | None:
    """The records of `which` part of the figure ("numerator", or "denominator" for a
    percentage) that `user` may see, in a stable order; None when the figure has no such part.
    For a count or a mean, the records counted are its "numerator"."""
    numerator, denominator = computation.members(code, quarter)
    records = numerator if which == NUMERATOR else denominator
    if records is None:
        return None
    return visible_records(user, records).order_by("pk")


def visible_counts(code: str, quarter: Quarter, user) -> tuple[int, int | None]:
    """How many records of the numerator and denominator the user may see: two counts."""
    numerator = drill_down(code, quarter, NUMERATOR, user)
    denominator = drill_down(code, quarter, DENOMINATOR, user)
    return numerator.count(), denominator.count() if denominator is not None else None
