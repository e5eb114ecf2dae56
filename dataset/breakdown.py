"""Indicators broken down by agency, where that makes sense (kpi-definitions.md): the toolkit
and chronology figures, by the agency of the practitioner who completed the form or recorded
the entry (for next steps, the analysis's); the audit's judgements by the agencies involved
with the audited child on the sample date (AuditSample.agencies), and by criterion. A child
seen by two agencies counts once in each, so agency figures need not add up to the
partnership's."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db.models import Count, Min, TextField
from django.db.models.functions import Cast

from cases.selectors import RowsPart
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter

from .audit_models import DEFAULT_CRITERIA
from .computation import TOOLKIT_FORMS, Figure, completed_in, figure_of, measures
from .indicators import Unit, get
from .movements import format_value

# The field naming the agency on each counted row.
AGENCY_FIELD = {
    "CHRONOLOGY_ENTRIES_WEEKLY": "source_agency_id",
    "SDQ_COMPLETED": "author_agency_id",
    "SDQ_RAISED": "author_agency_id",
    "NEXT_STEPS_OVERDUE": "analysis__author_agency_id",
    "MANAGER_OVERSIGHT": "author_agency_id",
    # Many agencies to a sample: grouping by them counts a judgement once for each.
    "AUDIT_GOOD_OR_BETTER": "sample__agencies",
}
# The agency each breakdown is by, as its table's heading says.
AGENCY_HEADINGS = {"AUDIT_GOOD_OR_BETTER": "Agency involved with the audited child"}
AGENCY_HEADING = "Agency that completed it"
BY_AGENCY = ("TOOLKIT_CHILDREN", *AGENCY_FIELD)


def by_agency(code: str, quarter: Quarter) -> dict[int, Figure]:
    """{agency id: figure} for the agencies with anything to count, in one query."""
    if code == "TOOLKIT_CHILDREN":
        return _toolkit_children_by_agency(quarter)
    if code not in AGENCY_FIELD:
        raise KeyError(f"{code} is not broken down by agency")
    (measure,) = measures(quarter, [code])
    field = AGENCY_FIELD[code]
    # A figure over several models (MANAGER_OVERSIGHT) adds up one query per model.
    totals: dict[int, Counter] = {}
    for part in getattr(measure, "parts", (measure,)):
        counts = {"population": Count("pk")}
        if part.condition is not None:
            counts["numerator"] = Count("pk", filter=part.condition)
        rows = part.model.objects.filter(part.population).values(field).annotate(**counts)
        for row in rows.order_by():
            totals.setdefault(row[field], Counter()).update(
                {key: row[key] for key in ("population", "numerator") if key in row}
            )
    unit = get(code).unit
    return {
        agency: figure_of(
            code,
            unit,
            quarter,
            found["population"],
            found["numerator"] if measure_has_numerator(measure) else None,
        )
        for agency, found in totals.items()
    }


def measure_has_numerator(measure) -> bool:
    return all(part.condition is not None for part in getattr(measure, "parts", (measure,)))


def _toolkit_children_by_agency(quarter: Quarter) -> dict[int, Figure]:
    # The distinct (agency, child) pairs across the forms, as one UNION; counted here.
    completed = completed_in(quarter)
    pairs = reduce(
        lambda a, b: a.union(b),
        [
            model.objects.filter(completed).values_list("author_agency_id", "child_id").order_by()
            for model in TOOLKIT_FORMS
        ],
    )
    children = Counter(agency for agency, _ in pairs)
    return {
        agency: figure_of("TOOLKIT_CHILDREN", Unit.COUNT, quarter, n)
        for agency, n in children.items()
    }


@dataclass(frozen=True)
class AgencyFigure:
    agency: Agency
    numerator: int
    denominator: int | None
    value: Decimal | int | None
    unit: str

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.unit)


def has_breakdown(code: str) -> bool:
    return code in BY_AGENCY


def agency_figures(
    code: str, quarter: Quarter, unit: str, figures: dict[int, Figure]
) -> list[AgencyFigure] | None:
    """Each active agency's figure from `figures` (as `by_agency` gives them, stored), and
    any inactive one with something counted, in name order, or None for an indicator without
    a breakdown. An active agency with nothing counted shows its zero: it is a figure from
    the records, not a missing return."""
    if not has_breakdown(code):
        return None
    rows = []
    for agency in Agency.objects.order_by("name"):
        figure = figures.get(agency.pk)
        if figure is None:
            if not agency.active:
                continue
            figure = figure_of(code, unit, quarter, 0, 0)
        rows.append(AgencyFigure(agency, figure.numerator, figure.denominator, figure.value, unit))
    return rows


def agency_heading(code: str) -> str:
    return AGENCY_HEADINGS.get(code, AGENCY_HEADING)


@dataclass(frozen=True)
class CriterionFigure:
    code: str
    title: str
    numerator: int
    denominator: int
    value: Decimal | None

    @property
    def value_text(self) -> str:
        return format_value(self.value, Unit.PERCENTAGE)


_DEFAULT_TITLES = {code: title for code, title, _ in DEFAULT_CRITERIA}
_DEFAULT_ORDER = {code: n for n, (code, _, _) in enumerate(DEFAULT_CRITERIA)}


def audit_criteria_part(quarter: Quarter) -> RowsPart:
    """The quarter's audit judgements counted by criterion code, as `audit_by_criterion`
    reads them, for a page that reads them with others in one query (rows_in_one_query)."""
    (measure,) = measures(quarter, ["AUDIT_GOOD_OR_BETTER"])
    return RowsPart(
        "audit_criteria",
        measure.model.objects.filter(measure.population).values("criterion__code"),
        {
            # A slug, read as text in a UNION.
            "code": Cast("criterion__code", TextField()),
            "population": Count("pk"),
            "numerator": Count("pk", filter=measure.condition),
            "title": Min("criterion__title"),
        },
    )


def audit_by_criterion(
    quarter: Quarter, rows: list[dict[str, Any]] | None = None
) -> list[CriterionFigure]:
    """AUDIT_GOOD_OR_BETTER per criterion, in one query, none when given the `rows` of
    `audit_criteria_part`. Criteria are per round, so they are grouped by code under the
    default criteria's titles and order (domain.md §9); a code of a round's own comes after
    them, under one of its titles. Every default criterion has a row, "no cases" when nothing
    was moderated."""
    if rows is None:
        part = audit_criteria_part(quarter)
        rows = list(part.rows.annotate(**part.columns).values(*part.columns).order_by())
    counted = {row["code"]: row for row in rows}
    # Every default criterion has its row, "no cases" when nothing was moderated.
    codes = [*_DEFAULT_TITLES, *sorted(set(counted) - set(_DEFAULT_TITLES))]
    found = []
    for code in codes:
        row = counted.get(code, {"population": 0, "numerator": 0, "title": code})
        figure = figure_of(
            "AUDIT_GOOD_OR_BETTER", Unit.PERCENTAGE, quarter, row["population"], row["numerator"]
        )
        assert figure.denominator is not None
        found.append(
            CriterionFigure(
                code,
                _DEFAULT_TITLES.get(code, row["title"]),
                figure.numerator,
                figure.denominator,
                figure.value,
            )
        )
    return sorted(found, key=lambda f: (_DEFAULT_ORDER.get(f.code, len(_DEFAULT_ORDER)), f.title))
