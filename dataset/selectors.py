"""Reads of the dataset that pages and commands share."""

from dataclasses import dataclass

from neglect_portal.models import Agency

from .computation import Figure, compute, percentage
from .models import AgencyReturn, PublishedQuarter
from .quarters import Quarter


@dataclass(frozen=True)
class AgencyCoverage:
    agency: Agency
    agency_return: AgencyReturn | None

    @property
    def is_gap(self) -> bool:
        """Not submitted: shown as a gap, never as zero."""
        return self.agency_return is None

    @property
    def value(self):
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
    rows = [AgencyCoverage(agency, returns.get(agency.pk))
            for agency in agencies.distinct().order_by("name")]
    trained = sum(r.staff_trained for r in returns.values())
    workforce = sum(r.target_workforce for r in returns.values())
    total = Figure("TRAINING_COVERAGE", trained, workforce, percentage(trained, workforce))
    return TrainingCoverage(quarter, rows, total)


def live_figures(quarter: Quarter) -> dict[str, Figure]:
    """Every figure that is published for a quarter, computed now."""
    figures = compute(quarter)
    figures["TRAINING_COVERAGE"] = training_coverage(quarter).total
    return figures


def published_quarter(quarter: Quarter) -> PublishedQuarter | None:
    return (PublishedQuarter.objects.filter(quarter=quarter).select_related("published_by")
            .prefetch_related("figures").first())


def published_figures(published: PublishedQuarter) -> dict[str, Figure]:
    return {row.code: row.as_figure() for row in published.figures.all()}


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    figures: dict[str, Figure]
    # None for an open (or not yet published) quarter, computed live.
    published: PublishedQuarter | None


def quarter_figures(quarter: Quarter) -> QuarterFigures:
    """The published figures of a published quarter (two queries), otherwise live ones."""
    published = published_quarter(quarter)
    if published is not None:
        return QuarterFigures(quarter, published_figures(published), published)
    return QuarterFigures(quarter, live_figures(quarter), None)


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
    return [Restatement(code, old.get(code), new.get(code))
            for code in [*old, *(code for code in new if code not in old)]
            if old.get(code) != new.get(code)]
