"""Computing the case-record indicators for a quarter (shared/kpi-definitions.md, first table).

Each indicator is a `Measure`: the rows of one model it looks at (its population: the
denominator, or the rows counted for a count or a mean) and, for a percentage, the condition
that puts a row in the numerator. `compute()` turns every measure on the same model into one
aggregate query with conditional counts, so a quarter costs one query per model (seven),
however many children there are; `members()` turns the same two filters into the querysets
behind a figure for drill-down, so a list and its count cannot disagree.

Dates relative to each row ("12 months before the referral") use `AddMonths`, which follows
`relativedelta` on both databases; dates relative to the quarter are computed here in Python.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet

from cases.codes import CPCategory
from cases.models import Assessment, Child, ChildInNeedPlan, ChildProtectionPlan, Referral
from cases.selectors import on_neglect_plan
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    NextSteps,
    ParentChildObservation,
    Tool,
)
from toolkit.sdq_bands import HIGH, VERY_HIGH
from toolkit.status import CURRENT_FOR

from . import indicators
from .indicators import Unit
from .quarters import Quarter
from .sql_dates import AddMonths

# The forms with a completed state: what "a toolkit form completed" means for TOOLKIT_CHILDREN.
# The chronology has no completed state and is counted by CHRONOLOGY_ENTRIES_WEEKLY instead.
TOOLKIT_FORMS = (DayInMyLife, AssessmentChecklist, ParentChildObservation, SDQ, NextSteps)
RAISED_BANDS = (HIGH, VERY_HIGH)


@dataclass(frozen=True)
class Measure:
    code: str
    model: type[Model]
    # The rows in the denominator; for a count or a mean, the rows counted.
    population: Q
    # What else a row of the population needs to be in the numerator (percentages only).
    condition: Q | None = None
    # Count the distinct children reached through this field rather than the rows.
    child_field: str | None = None


@dataclass(frozen=True)
class Figure:
    code: str
    numerator: int
    denominator: int | None
    # A Decimal to one place for a percentage or a mean (None when the denominator is 0);
    # the numerator itself for a count.
    value: Decimal | int | None

    def as_json(self) -> dict:
        value = float(self.value) if isinstance(self.value, Decimal) else self.value
        return {"numerator": self.numerator, "denominator": self.denominator, "value": value}


def rounded_ratio(numerator: int, denominator: int, scale: int) -> Decimal:
    """numerator × scale / denominator to one decimal place, halves rounded up, exactly.

    Integer arithmetic on tenths, so no binary fraction or Decimal context decides a half.
    """
    tenths = (2 * numerator * scale * 10 + denominator) // (2 * denominator)
    return Decimal(tenths) / 10


def percentage(numerator: int, denominator: int) -> Decimal | None:
    return None if denominator == 0 else rounded_ratio(numerator, denominator, 100)


def weekly_mean(count: int, days: int) -> Decimal:
    """`count` spread over `days` / 7 weeks."""
    return rounded_ratio(count, days, 7)


def _between(field: str, quarter: Quarter) -> Q:
    return Q(**{f"{field}__range": (quarter.start, quarter.end)})


def _open_at(day) -> Q:
    """Plans open at the end of `day`, as cases.selectors.open_cp_plans/open_cin_plans (and
    neglect_cin_plans) filter them, written as a filter on the plan table itself so the
    aggregate reads it once rather than joining it to a subquery of itself. Tests check the
    two agree."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


def _completed_within(first_excluded, last) -> Q:
    return Q(status=Tool.Status.COMPLETED, completed_on__gt=first_excluded, completed_on__lte=last)


def _mandatory_tools_current(day) -> Q:
    """Children with all four mandatory tools current at the end of `day`.

    The window is toolkit/status.py's (`CURRENT_FOR`): completed after day - 6 months and on or
    before day; a chronology counts when an entry was recorded or it was reviewed in it. That
    module finds each child's latest completion for a given list of children; here the same
    rule is a filter over every child, so tests/dataset check the two agree.
    """
    since = day - CURRENT_FOR
    window = {"__gt": since, "__lte": day}

    def within(field):
        return {f"{field}{lookup}": bound for lookup, bound in window.items()}

    chronology = (
        Q(pk__in=ChronologyEntry.objects.filter(**within("recorded_on"))
          .values("chronology__child_id"))
        | Q(pk__in=Chronology.objects.filter(**within("reviewed_on")).values("child_id"))
    )
    forms = [Q(pk__in=model.objects.filter(_completed_within(since, day)).values("child_id"))
             for model in (DayInMyLife, AssessmentChecklist, ParentChildObservation)]
    return reduce(lambda a, b: a & b, forms, chronology)


def measures(quarter: Quarter) -> list[Measure]:
    """Every case-record indicator of kpi-definitions.md for `quarter`."""
    start, end = quarter.start, quarter.end
    open_cp = _open_at(end)
    open_neglect_cin = _open_at(end) & Q(Exists(Assessment.objects.filter(
        referral_id=OuterRef("referral_id"), neglect_identified=True)))
    cp_started = _between("start_date", quarter)
    cp_ended = _between("end_date", quarter)
    same_child = {"child_id": OuterRef("child_id")}

    # "Latest category" is the plan's latest_category as recorded now, not as it stood at E.
    # It is the census's LatestCategoryOfAbuse, a field of the plan rather than a dated event;
    # the history rows that could date a change record when it was typed in, not when the
    # conference decided it, and plans loaded by the census import have no history before the
    # import, so "as at E" from history would misplace them. It also matches on_neglect_plan()
    # (the children list and TOOLKIT_MANDATORY_COMPLETE). A later change shows as a
    # restatement against the figures published for the quarter.
    neglect_now = Q(latest_category=CPCategory.NEG)

    ended_within_3y_before = ChildProtectionPlan.objects.filter(
        end_date__lte=OuterRef("start_date"), end_date__gte=AddMonths(OuterRef("start_date"), -36),
        **same_child,
    ).exclude(pk=OuterRef("pk"))
    started_earlier = ChildProtectionPlan.objects.filter(
        start_date__lt=OuterRef("start_date"), **same_child)
    referred_within_12m_before = Referral.objects.filter(
        referral_date__lt=OuterRef("referral_date"),
        referral_date__gte=AddMonths(OuterRef("referral_date"), -12), **same_child,
    )
    toolkit_used = reduce(or_, (
        Q(pk__in=model.objects.filter(_completed_within(start - timedelta(days=1), end))
          .values("child_id"))
        for model in TOOLKIT_FORMS
    ))
    sdq_completed = _completed_within(start - timedelta(days=1), end)

    return [
        Measure("CP_NEGLECT_SHARE", ChildProtectionPlan, open_cp, neglect_now,
                child_field="child_id"),
        Measure("CIN_NEGLECT_OVER_12M", ChildInNeedPlan, open_neglect_cin,
                Q(start_date__lt=end - relativedelta(months=12)), child_field="child_id"),
        Measure("CP_NEGLECT_REPEAT_3Y", ChildProtectionPlan,
                cp_started & Q(initial_category=CPCategory.NEG), Q(Exists(ended_within_3y_before))),
        Measure("CP_SECOND_OR_SUBSEQUENT", ChildProtectionPlan, cp_started,
                Q(Exists(started_earlier))),
        Measure("CP_OPEN_15M", ChildProtectionPlan, open_cp,
                Q(start_date__lte=end - relativedelta(months=15)), child_field="child_id"),
        Measure("CP_ENDED_2Y", ChildProtectionPlan, cp_ended,
                Q(end_date__gte=AddMonths(F("start_date"), 24))),
        Measure("REFERRALS_NEGLECT", Referral, _between("referral_date", quarter),
                Q(neglect_presenting=True)),
        Measure("REREFERRALS_12M", Referral, _between("referral_date", quarter),
                Q(Exists(referred_within_12m_before))),
        Measure("ASSESSMENTS_NEGLECT", Assessment, _between("authorised_date", quarter),
                Q(neglect_identified=True)),
        Measure("TOOLKIT_CHILDREN", Child, toolkit_used),
        Measure("TOOLKIT_MANDATORY_COMPLETE", Child, on_neglect_plan(end),
                _mandatory_tools_current(end)),
        Measure("CHRONOLOGY_ENTRIES_WEEKLY", ChronologyEntry, _between("recorded_on", quarter)),
        Measure("SDQ_COMPLETED", SDQ, sdq_completed),
        Measure("SDQ_RAISED", SDQ, sdq_completed & Q(total_difficulties__isnull=False),
                Q(total_band__in=RAISED_BANDS)),
    ]


def _counts(model, model_measures) -> dict[str, int]:
    """One aggregate query: a conditional count per population and numerator."""
    aggregates = {}
    populations = []
    for measure in model_measures:
        field = measure.child_field or "pk"
        distinct = measure.child_field is not None
        key = measure.code.lower()
        aggregates[f"{key}_population"] = Count(field, distinct=distinct,
                                                filter=measure.population)
        if measure.condition is not None:
            aggregates[f"{key}_numerator"] = Count(
                field, distinct=distinct, filter=measure.population & measure.condition)
        if measure.population not in populations:
            populations.append(measure.population)
    # Only rows in some population are read; the database then counts each subset.
    return model.objects.filter(reduce(or_, populations)).aggregate(**aggregates)


def _figure(measure: Measure, counts: dict[str, int], quarter: Quarter) -> Figure:
    indicator = indicators.get(measure.code)
    key = measure.code.lower()
    population = counts[f"{key}_population"]
    if indicator.unit == Unit.PERCENTAGE:
        numerator = counts[f"{key}_numerator"]
        return Figure(measure.code, numerator, population, percentage(numerator, population))
    if indicator.unit == Unit.MEAN:
        return Figure(measure.code, population, None, weekly_mean(population, quarter.days))
    return Figure(measure.code, population, None, population)


def compute(quarter: Quarter, codes=None) -> dict[str, Figure]:
    """The figures of `quarter` for `codes` (default: every case-record indicator), in the
    registry's order, with one aggregate query per model involved."""
    wanted = [measure for measure in measures(quarter)
              if codes is None or measure.code in codes]
    unknown = set(codes or ()) - {measure.code for measure in wanted}
    if unknown:
        raise KeyError(f"Not computed from case records: {', '.join(sorted(unknown))}")
    by_model = defaultdict(list)
    for measure in wanted:
        by_model[measure.model].append(measure)
    counts = {}
    for model, model_measures in by_model.items():
        counts.update(_counts(model, model_measures))
    figures = {measure.code: _figure(measure, counts, quarter) for measure in wanted}
    return {code: figures[code] for code in indicators.CASE_RECORD_CODES if code in figures}


def measure_for(code: str, quarter: Quarter) -> Measure:
    for measure in measures(quarter):
        if measure.code == code:
            return measure
    indicators.get(code)  # KeyError for a code that does not exist at all
    raise KeyError(f"{code} is not computed from case records")


def members(code: str, quarter: Quarter) -> tuple[QuerySet, QuerySet | None]:
    """(numerator, denominator) records behind a figure, for drill-down.

    Children for the indicators that count children, otherwise the plans, referrals,
    assessments, entries or questionnaires counted. For a count or a mean the first queryset
    holds what was counted and the second is None. Not yet limited to what a viewer may see:
    callers intersect them with the viewer's scope (cases.selectors.records_visible_to).
    """
    measure = measure_for(code, quarter)
    rows = measure.model.objects.all()

    def records(condition: Q) -> QuerySet:
        if measure.child_field is None:
            return rows.filter(condition)
        return Child.objects.filter(pk__in=rows.filter(condition).values(measure.child_field))

    population = records(measure.population)
    if measure.condition is None:
        return population, None
    return records(measure.population & measure.condition), population


def weekly_chronology_entries(quarter: Quarter) -> list[tuple[object, int]]:
    """(first day of the week, entries recorded that week) for each week from S; the last
    week is cut short at E. One query."""
    rows = (ChronologyEntry.objects.filter(_between("recorded_on", quarter))
            .values("recorded_on").annotate(n=Count("pk")).order_by())
    weeks = {}
    day = quarter.start
    while day <= quarter.end:
        weeks[day] = 0
        day += timedelta(days=7)
    for row in rows:
        week = (row["recorded_on"] - quarter.start).days // 7
        weeks[quarter.start + timedelta(days=7 * week)] += row["n"]
    return list(weeks.items())
