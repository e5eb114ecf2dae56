"""Indicators broken down by agency, where that makes sense (kpi-definitions.md): the toolkit
and chronology figures, by the agency of the practitioner who completed the form or recorded
the entry. A child seen by two agencies counts once in each, so agency figures need not add
up to the partnership's."""

from collections import Counter
from functools import reduce

from django.db.models import Count

from .computation import TOOLKIT_FORMS, Figure, completed_in, measures, percentage, weekly_mean
from .indicators import Unit, get
from .quarters import Quarter

# The field naming the agency on each counted row.
AGENCY_FIELD = {
    "CHRONOLOGY_ENTRIES_WEEKLY": "source_agency_id",
    "SDQ_COMPLETED": "author_agency_id",
    "SDQ_RAISED": "author_agency_id",
}
BY_AGENCY = ("TOOLKIT_CHILDREN", *AGENCY_FIELD)


def by_agency(code: str, quarter: Quarter) -> dict[int, Figure]:
    """{agency id: figure} for the agencies with anything to count, in one query."""
    if code == "TOOLKIT_CHILDREN":
        return _toolkit_children_by_agency(quarter)
    if code not in AGENCY_FIELD:
        raise KeyError(f"{code} is not broken down by agency")
    (measure,) = measures(quarter, [code])
    field = AGENCY_FIELD[code]
    counts = {"population": Count("pk")}
    if measure.condition is not None:
        counts["numerator"] = Count("pk", filter=measure.condition)
    rows = (measure.model.objects.filter(measure.population).values(field).annotate(**counts)
            .order_by())
    unit = get(code).unit
    figures = {}
    for row in rows:
        population = row["population"]
        if unit == Unit.PERCENTAGE:
            figure = Figure(code, row["numerator"], population,
                            percentage(row["numerator"], population))
        elif unit == Unit.MEAN:
            figure = Figure(code, population, None, weekly_mean(population, quarter.days))
        else:
            figure = Figure(code, population, None, population)
        figures[row[field]] = figure
    return figures


def _toolkit_children_by_agency(quarter: Quarter) -> dict[int, Figure]:
    # The distinct (agency, child) pairs across the forms, as one UNION; counted here.
    completed = completed_in(quarter)
    pairs = reduce(lambda a, b: a.union(b), [
        model.objects.filter(completed).values_list("author_agency_id", "child_id").order_by()
        for model in TOOLKIT_FORMS])
    children = Counter(agency for agency, _ in pairs)
    return {agency: Figure("TOOLKIT_CHILDREN", n, None, n) for agency, n in children.items()}

