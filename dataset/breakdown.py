"""Indicators broken down by agency (kpi-definitions.md: "toolkit and chronology counts by the
completing practitioner's agency").

Only the indicators counting what practitioners complete are broken down: a form counts for
its author's agency, a chronology entry for its source agency. Case-record indicators are
children's social care's statutory record, and a child on a neglect plan belongs to no one
agency, so they have no breakdown. Each breakdown costs two or three aggregate queries.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q

from neglect_portal.models import Agency
from toolkit.models import Tool

from . import computation
from .computation import TOOLKIT_FORMS, percentage, weekly_mean
from .indicators import Unit
from .movements import format_value
from .quarters import Quarter

# code → the field naming the agency that completed what is counted.
AGENCY_FIELD = {
    "CHRONOLOGY_ENTRIES_WEEKLY": "source_agency_id",
    "SDQ_COMPLETED": "author_agency_id",
    "SDQ_RAISED": "author_agency_id",
    "TOOLKIT_CHILDREN": "author_agency_id",
}


def has_breakdown(code: str) -> bool:
    return code in AGENCY_FIELD


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


def _grouped(records, field: str) -> dict[int, int]:
    return dict(records.values_list(field).annotate(n=Count("pk")).order_by())


def _toolkit_children(quarter: Quarter, agencies) -> dict[int, int]:
    """Distinct children with a form completed in the quarter by each agency: one query.
    A child seen by two agencies counts once for each, so the rows may sum to more than the
    partnership total."""
    def used_by(agency_id):
        return reduce(or_, (
            Q(pk__in=model.objects.filter(
                status=Tool.Status.COMPLETED, author_agency_id=agency_id,
                completed_on__range=(quarter.start, quarter.end)).values("child_id"))
            for model in TOOLKIT_FORMS))

    counted, _ = computation.members("TOOLKIT_CHILDREN", quarter)
    if not agencies:
        return {}
    totals = counted.aggregate(**{f"a{agency.pk}": Count("pk", filter=used_by(agency.pk))
                                  for agency in agencies})
    return {agency.pk: totals[f"a{agency.pk}"] for agency in agencies}


def by_agency(code: str, quarter: Quarter, unit: str) -> list[AgencyFigure] | None:
    """The figure for each active agency (and any other agency that completed something),
    or None for an indicator without a breakdown."""
    if not has_breakdown(code):
        return None
    agencies = list(Agency.objects.order_by("name"))
    field = AGENCY_FIELD[code]
    if code == "TOOLKIT_CHILDREN":
        numerators, denominators = _toolkit_children(quarter, agencies), None
    else:
        numerator, denominator = computation.members(code, quarter)
        numerators = _grouped(numerator, field)
        denominators = _grouped(denominator, field) if denominator is not None else None
    rows = []
    for agency in agencies:
        n = numerators.get(agency.pk, 0)
        if not agency.active and not n and not (denominators or {}).get(agency.pk):
            continue
        if unit == Unit.PERCENTAGE:
            d = denominators.get(agency.pk, 0)
            rows.append(AgencyFigure(agency, n, d, percentage(n, d), unit))
        elif unit == Unit.MEAN:
            rows.append(AgencyFigure(agency, n, None, weekly_mean(n, quarter.days), unit))
        else:
            rows.append(AgencyFigure(agency, n, None, n, unit))
    return rows
