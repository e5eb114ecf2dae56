"""CONFIDENCE_CHANGE (kpi-definitions.md, definitions version 2): how practitioners'
confidence moved from before neglect training to after it, per agency and in total.

Each practitioner counts once a quarter: their latest "after" survey completed S..E, against
their latest "before" survey completed on or before its day. One aggregate query, grouped by
the agency kept on the "after" survey, gives each agency's respondents and the totals of their
before and after scores; means follow neglect_portal.confidence's one rule.

The survey is anonymous in every aggregate. A group of fewer than FEWEST_SHOWN respondents
shows no means; and when the hidden groups together hold fewer than that, the smallest shown
group is hidden too, so the total less the shown agencies cannot give away a small group's
answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum

from neglect_portal.confidence import FEWEST_SHOWN, TOO_FEW, mean_score, score_total
from neglect_portal.models import Agency, ConfidenceSurvey
from neglect_portal.quarters import Quarter

Stage = ConfidenceSurvey.Stage


@dataclass(frozen=True)
class Totals:
    """One group's practitioners and the sums of their before and after survey scores."""

    respondents: int = 0
    before: int = 0
    after: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.respondents + other.respondents,
            self.before + other.before,
            self.after + other.after,
        )

    @property
    def enough(self) -> bool:
        return self.respondents >= FEWEST_SHOWN

    def _mean(self, total: int) -> Decimal | None:
        return mean_score(total, self.respondents) if self.respondents else None

    @property
    def mean_before(self) -> Decimal | None:
        return self._mean(self.before)

    @property
    def mean_after(self) -> Decimal | None:
        return self._mean(self.after)

    @property
    def mean_change(self) -> Decimal | None:
        """The mean of each practitioner's after less before score: (Σ after − Σ before) over
        questions × practitioners, rounded once (rounding the two means first could differ
        from the definition by a tenth)."""
        return self._mean(self.after - self.before)


def counted_surveys(quarter: Quarter) -> QuerySet[ConfidenceSurvey]:
    """The "after" surveys counted for `quarter`, each with `before_total`: the practitioner's
    latest in S..E (by date, then the later entered), against their latest "before" survey on
    or before its date. Practitioners with no "before" survey are left out."""
    in_quarter = Q(stage=Stage.AFTER, completed_on__range=(quarter.start, quarter.end))
    later_after = ConfidenceSurvey.objects.filter(
        in_quarter, respondent_id=OuterRef("respondent_id")
    ).filter(
        Q(completed_on__gt=OuterRef("completed_on"))
        | Q(completed_on=OuterRef("completed_on"), pk__gt=OuterRef("pk"))
    )
    latest_before = (
        ConfidenceSurvey.objects.filter(
            respondent_id=OuterRef("respondent_id"),
            stage=Stage.BEFORE,
            completed_on__lte=OuterRef("completed_on"),
        )
        .order_by("-completed_on", "-pk")
        .annotate(total=score_total())
        .values("total")[:1]
    )
    return (
        ConfidenceSurvey.objects.filter(in_quarter)
        .filter(~Exists(later_after))
        .annotate(before_total=Subquery(latest_before))
        .filter(before_total__isnull=False)
    )


def totals_by_agency(quarter: Quarter) -> dict[int, Totals]:
    """{agency id: Totals} for the agencies with a practitioner counted: one query."""
    rows = (
        counted_surveys(quarter)
        .values("agency_id")
        .annotate(respondents=Count("pk"), before=Sum("before_total"), after=Sum(score_total()))
        .order_by()
    )
    return {
        row["agency_id"]: Totals(row["respondents"], row["before"], row["after"]) for row in rows
    }


def partnership(by_agency: dict[int, Totals]) -> Totals:
    return sum(by_agency.values(), Totals())


@dataclass(frozen=True)
class Group:
    """A row of the anonymous table: the means only when `shown`."""

    label: str
    totals: Totals
    shown: bool
    agency: Agency | None = None  # None for the total

    @property
    def respondents(self) -> int:
        return self.totals.respondents

    @property
    def mean_before(self) -> Decimal | None:
        return self.totals.mean_before if self.shown else None

    @property
    def mean_after(self) -> Decimal | None:
        return self.totals.mean_after if self.shown else None

    @property
    def mean_change(self) -> Decimal | None:
        return self.totals.mean_change if self.shown else None

    @property
    def why_not_shown(self) -> str | None:
        if self.shown or not self.respondents:
            return None
        if self.totals.enough:
            return (
                f"not shown, so that the total cannot reveal the groups of fewer than "
                f"{FEWEST_SHOWN}"
            )
        return TOO_FEW


@dataclass(frozen=True)
class ConfidenceTable:
    quarter: Quarter
    agencies: list[Group]
    total: Group


def anonymous_groups(
    totals: dict[int, Totals], agencies: Iterable[Agency]
) -> tuple[list[Group], Group]:
    """Each agency's row (every agency given, then any other with respondents) and the
    total, with small groups' means hidden (see the module's docstring)."""
    named = {agency.pk: agency for agency in agencies}
    missing = [pk for pk in totals if pk not in named]
    if missing:
        named.update({agency.pk: agency for agency in Agency.objects.filter(pk__in=missing)})
    ordered = sorted(named.values(), key=lambda agency: agency.name)
    hidden = {pk for pk, found in totals.items() if not found.enough}
    hidden_respondents = sum(totals[pk].respondents for pk in hidden)
    if 0 < hidden_respondents < FEWEST_SHOWN:
        shown = [agency for agency in ordered if agency.pk in totals and agency.pk not in hidden]
        if shown:
            smallest = min(shown, key=lambda agency: totals[agency.pk].respondents)
            hidden.add(smallest.pk)
    rows = [
        Group(agency.name, found, found.respondents > 0 and agency.pk not in hidden, agency)
        for agency in ordered
        if (found := totals.get(agency.pk, Totals())).respondents or agency.active
    ]
    overall = partnership(totals)
    return rows, Group("All agencies", overall, shown=overall.enough)


def confidence_by_agency(
    quarter: Quarter, agencies: Iterable[Agency] | None = None
) -> ConfidenceTable:
    """The anonymous table for `quarter`: one query, and one for the agencies when not given
    (the training coverage page passes those it has read)."""
    if agencies is None:
        agencies = Agency.objects.filter(active=True)
    rows, total = anonymous_groups(totals_by_agency(quarter), agencies)
    return ConfidenceTable(quarter, rows, total)
