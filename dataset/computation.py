"""Computing the case-record indicators for a quarter (shared/kpi-definitions.md, first table).

Each indicator is a `Measure`: the rows of one model it looks at (its population: the
denominator, or the rows counted for a count or a mean) and, for a percentage, the condition
that puts a row in the numerator. `compute()` turns every measure on the same model into one
aggregate query with conditional counts, so a quarter costs one query per model (sixteen
in all: four counting children, two of them WORKER_CHANGES_12M's, MANAGER_OVERSIGHT's three
kinds of tool each its own, and the audit judgements), however many children there are;
`members()` turns the same two filters into the querysets behind a
figure for drill-down, so a list and its count cannot disagree.

Dates relative to each row ("12 months before the referral") use `AddMonths`, which follows
`relativedelta` on both databases; dates relative to the quarter are computed here in Python.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, LessThan
from django.utils import timezone

from cases.codes import CPCategory, VoiceAnswer
from cases.models import (
    Allocation,
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Referral,
)
from cases.selectors import neglect_plan_child_ids, open_cin_plans, open_cp_plans
from neglect_portal.quarters import Quarter
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    NextStep,
    NextSteps,
    Oversight,
    ParentChildObservation,
    Tool,
    ToolInformed,
)
from toolkit.sdq_bands import HIGH, VERY_HIGH
from toolkit.status import CURRENT_FOR, MANDATORY_TOOLS, counted_completion_within

from . import confidence, indicators
from .audit_models import GOOD_OR_BETTER, AuditJudgement, AuditSample
from .indicators import Unit
from .sql_dates import AddMonths

# The forms with a completed state: what "a toolkit form completed" means for TOOLKIT_CHILDREN.
# The chronology has no completed state and is counted by CHRONOLOGY_ENTRIES_WEEKLY instead.
TOOLKIT_FORMS = (DayInMyLife, AssessmentChecklist, ParentChildObservation, SDQ, NextSteps)
RAISED_BANDS = (HIGH, VERY_HIGH)
# The two parts of a figure whose records are listed (for a count or a mean, what was counted
# is its "numerator").
NUMERATOR = "numerator"
DENOMINATOR = "denominator"


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
    # Measures of one model share one aggregate query unless they name their own here.
    query: str = ""
    # For children found in other tables: querysets of their child ids whose count() is the
    # population and the numerator, which compute() counts instead of the children the
    # population and condition select (those still give the records behind the figure).
    # Counting the ids alone spares PostgreSQL reading every child: at 500,000 children the
    # scan of the children table was over half the query's time.
    counted: tuple[QuerySet, QuerySet | None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Figure:
    code: str
    # None only when an agency has not submitted an indicator it owns (`submitted` False).
    numerator: int | None
    denominator: int | None
    # A Decimal to one place for a percentage or a mean (None when the denominator is 0);
    # the numerator itself for a count.
    value: Decimal | int | None
    # False for a quarter an agency has not submitted: every number is None, never 0.
    submitted: bool = True

    def as_json(self) -> dict:
        value = float(self.value) if isinstance(self.value, Decimal) else self.value
        shape = {"numerator": self.numerator, "denominator": self.denominator, "value": value}
        if not self.submitted:
            shape["submitted"] = False
        return shape


def not_submitted(code: str) -> Figure:
    """An agency's indicator with no submission for the quarter: a gap, never 0."""
    return Figure(code, None, None, None, submitted=False)


def submitted_figure(code: str, unit: str, numerator: int, denominator: int | None) -> Figure:
    """What an agency submitted: a count as it is, a percentage of the submitted denominator,
    a mean of the submitted total over the submitted count (empty over nothing)."""
    if unit == Unit.PERCENTAGE:
        assert denominator is not None
        return Figure(code, numerator, denominator, percentage(numerator, denominator))
    if unit == Unit.AVERAGE:
        assert denominator is not None
        value = None if denominator == 0 else rounded_ratio(numerator, denominator, 1)
        return Figure(code, numerator, denominator, value)
    return Figure(code, numerator, None, numerator)


def rounded_ratio(numerator: int, denominator: int, scale: int) -> Decimal:
    """numerator × scale / denominator to one decimal place, halves rounded up, exactly.

    Integer arithmetic on tenths, so no binary fraction or Decimal context decides a half.
    """
    tenths = (2 * numerator * scale * 10 + denominator) // (2 * denominator)
    return Decimal(tenths).scaleb(-1)


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


def completed_in(quarter: Quarter) -> Q:
    """Toolkit forms completed in the quarter (S..E)."""
    return _completed_within(quarter.start - timedelta(days=1), quarter.end)


def _mandatory_tools_current(day) -> Q:
    """Children with all four mandatory tools current at the end of `day`.

    The window is toolkit/status.py's (`CURRENT_FOR`): completed after day - 6 months and on or
    before day (a reopened tool by its earlier completion, until completed again); a chronology
    counts when an entry was recorded or it was reviewed in it. That
    module finds each child's latest completion for a given list of children; here the same
    rule is a filter over every child, so tests/dataset check the two agree.
    """
    since = day - CURRENT_FOR
    window = {"__gt": since, "__lte": day}

    def within(field):
        return {f"{field}{lookup}": bound for lookup, bound in window.items()}

    chronology = _child_ids(
        [
            ChronologyEntry.objects.filter(**within("recorded_on")).values("chronology__child_id"),
            Chronology.objects.filter(**within("reviewed_on")).values("child_id"),
        ]
    )
    forms = [
        Q(pk__in=model.objects.filter(counted_completion_within(since, day)).values("child_id"))
        for model in (DayInMyLife, AssessmentChecklist, ParentChildObservation)
    ]
    return reduce(lambda a, b: a & b, forms, chronology)


def _child_ids(querysets) -> Q:
    """Children whose id one of `querysets` (each `.values("child_id")`) holds.

    A UNION in one IN subquery: the database builds the set once and probes children by
    primary key, where OR-ed IN subqueries would make it read every child.
    """
    return Q(pk__in=_union(querysets))


def _union(querysets) -> QuerySet:
    """The child ids any of `querysets` (each `.values("child_id")`) holds, each once."""
    first, *rest = [qs.order_by() for qs in querysets]
    return first.union(*rest) if rest else first


def _children_on_neglect_plan(day) -> Q:
    return Q(pk__in=neglect_plan_child_ids(day))


# How each indicator is measured, by code; `measures()` builds only the ones asked for.
_BUILDERS: dict[str, Callable[[Quarter], Measure]] = {}


def _builds(code):
    def register(builder):
        _BUILDERS[code] = builder
        return builder

    return register


# "Latest category" is the plan's latest_category as recorded now, not as it stood at E.
# It is the census's LatestCategoryOfAbuse, a field of the plan rather than a dated event;
# the history rows that could date a change record when it was typed in, not when the
# conference decided it, and plans loaded by the census import have no history before the
# import, so "as at E" from history would misplace them. It also matches on_neglect_plan()
# (the children list and TOOLKIT_MANDATORY_COMPLETE). A later change shows as a restatement
# against the figures published for the quarter.
_NEGLECT_NOW = Q(latest_category=CPCategory.NEG)


@_builds("CP_NEGLECT_SHARE")
def _cp_neglect_share(quarter):
    return Measure(
        "CP_NEGLECT_SHARE",
        ChildProtectionPlan,
        _open_at(quarter.end),
        _NEGLECT_NOW,
        child_field="child_id",
    )


@_builds("CIN_NEGLECT_OVER_12M")
def _cin_neglect_over_12m(quarter):
    neglect_episode = Exists(
        Assessment.objects.filter(referral_id=OuterRef("referral_id"), neglect_identified=True)
    )
    return Measure(
        "CIN_NEGLECT_OVER_12M",
        ChildInNeedPlan,
        _open_at(quarter.end) & Q(neglect_episode),
        Q(start_date__lt=quarter.end - relativedelta(months=12)),
        child_field="child_id",
    )


@_builds("CP_NEGLECT_REPEAT_3Y")
def _cp_neglect_repeat_3y(quarter):
    ended_within_3y_before = ChildProtectionPlan.objects.filter(
        child_id=OuterRef("child_id"),
        end_date__lte=OuterRef("start_date"),
        end_date__gte=AddMonths(OuterRef("start_date"), -36),
    ).exclude(pk=OuterRef("pk"))
    return Measure(
        "CP_NEGLECT_REPEAT_3Y",
        ChildProtectionPlan,
        _between("start_date", quarter) & Q(initial_category=CPCategory.NEG),
        Q(Exists(ended_within_3y_before)),
    )


@_builds("CP_SECOND_OR_SUBSEQUENT")
def _cp_second_or_subsequent(quarter):
    started_earlier = ChildProtectionPlan.objects.filter(
        child_id=OuterRef("child_id"), start_date__lt=OuterRef("start_date")
    )
    return Measure(
        "CP_SECOND_OR_SUBSEQUENT",
        ChildProtectionPlan,
        _between("start_date", quarter),
        Q(Exists(started_earlier)),
    )


@_builds("CP_OPEN_15M")
def _cp_open_15m(quarter):
    return Measure(
        "CP_OPEN_15M",
        ChildProtectionPlan,
        _open_at(quarter.end),
        Q(start_date__lte=quarter.end - relativedelta(months=15)),
        child_field="child_id",
    )


@_builds("CP_ENDED_2Y")
def _cp_ended_2y(quarter):
    return Measure(
        "CP_ENDED_2Y",
        ChildProtectionPlan,
        _between("end_date", quarter),
        Q(end_date__gte=AddMonths(F("start_date"), 24)),
    )


@_builds("REFERRALS_NEGLECT")
def _referrals_neglect(quarter):
    return Measure(
        "REFERRALS_NEGLECT",
        Referral,
        _between("referral_date", quarter),
        Q(neglect_presenting=True),
    )


@_builds("REREFERRALS_12M")
def _rereferrals_12m(quarter):
    referred_within_12m_before = Referral.objects.filter(
        child_id=OuterRef("child_id"),
        referral_date__lt=OuterRef("referral_date"),
        referral_date__gte=AddMonths(OuterRef("referral_date"), -12),
    )
    return Measure(
        "REREFERRALS_12M",
        Referral,
        _between("referral_date", quarter),
        Q(Exists(referred_within_12m_before)),
    )


@_builds("ASSESSMENTS_NEGLECT")
def _assessments_neglect(quarter):
    return Measure(
        "ASSESSMENTS_NEGLECT",
        Assessment,
        _between("authorised_date", quarter),
        Q(neglect_identified=True),
    )


@_builds("TOOLKIT_CHILDREN")
def _toolkit_children(quarter):
    completed = _union(
        [model.objects.filter(completed_in(quarter)).values("child_id") for model in TOOLKIT_FORMS]
    )
    return Measure(
        "TOOLKIT_CHILDREN",
        Child,
        Q(pk__in=completed),
        query="toolkit_children",
        counted=(completed, None),
    )


@_builds("TOOLKIT_MANDATORY_COMPLETE")
def _toolkit_mandatory_complete(quarter):
    return Measure(
        "TOOLKIT_MANDATORY_COMPLETE",
        Child,
        _children_on_neglect_plan(quarter.end),
        _mandatory_tools_current(quarter.end),
        query="toolkit_mandatory",
    )


@_builds("CHRONOLOGY_ENTRIES_WEEKLY")
def _chronology_entries_weekly(quarter):
    return Measure("CHRONOLOGY_ENTRIES_WEEKLY", ChronologyEntry, _between("recorded_on", quarter))


@_builds("SDQ_COMPLETED")
def _sdq_completed(quarter):
    return Measure("SDQ_COMPLETED", SDQ, completed_in(quarter))


@_builds("SDQ_RAISED")
def _sdq_raised(quarter):
    return Measure(
        "SDQ_RAISED",
        SDQ,
        completed_in(quarter) & Q(total_difficulties__isnull=False),
        Q(total_band__in=RAISED_BANDS),
    )


@_builds("CP_REVIEW_OVERDUE")
def _cp_review_overdue(quarter):
    end = quarter.end
    latest_review = Subquery(
        CPReview.objects.filter(plan_id=OuterRef("pk"), review_date__lte=end)
        .order_by("-review_date")
        .values("review_date")[:1]
    )
    # Months are added to each row's date, as the definition says: "R + 6 months < E" and
    # "E - 6 months > R" differ at the ends of months (30 June + 6 months is 30 December).
    # One subquery for the latest review (none: the start's due date instead), where an
    # EXISTS for each case read the reviews three times and made PostgreSQL's estimate big
    # enough to compile the query first (JIT), together twice the hand-written query's time.
    due = Coalesce(AddMonths(latest_review, 6), AddMonths(F("start_date"), 3))
    return Measure(
        "CP_REVIEW_OVERDUE",
        ChildProtectionPlan,
        _open_at(end) & Q(start_date__lte=end - relativedelta(months=3)),
        Q(LessThan(due, end)),
        child_field="child_id",
    )


@_builds("NEXT_STEPS_OVERDUE")
def _next_steps_overdue(quarter):
    end = quarter.end
    # Open at E by the status dates, so a step done or closed since still counts where it stood.
    open_at_end = (
        Q(analysis__status=Tool.Status.COMPLETED, analysis__completed_on__lte=end)
        & (Q(done_on__isnull=True) | Q(done_on__gt=end))
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    )
    return Measure("NEXT_STEPS_OVERDUE", NextStep, open_at_end, Q(due_on__lt=end))


def worker_changes(day) -> QuerySet:
    """The changes of allocated worker dated in the 12 months up to the end of `day`
    (`day - 12 months < started <= day`): each allocation after the child's first. Two begun
    on one day are ordered by id, so the later one is a change even then."""
    earlier = Allocation.objects.filter(child_id=OuterRef("child_id")).filter(
        Q(started_on__lt=OuterRef("started_on"))
        | Q(started_on=OuterRef("started_on"), pk__lt=OuterRef("pk"))
    )
    return Allocation.objects.filter(
        Exists(earlier), started_on__gt=day - relativedelta(months=12), started_on__lte=day
    )


# Changes of worker that make a child's count: kpi-definitions.md, definitions version 2.
WORKER_CHANGES_COUNTED = 3


@_builds("WORKER_CHANGES_12M")
def _worker_changes_12m(quarter):
    end = quarter.end
    # One grouped subquery (children with enough changes), probed by primary key like the
    # population's UNION: no query or subquery per child.
    changed_often = (
        worker_changes(end)
        .order_by()
        .values("child_id")
        .annotate(changes=Count("pk"))
        .filter(changes__gte=WORKER_CHANGES_COUNTED)
        .values("child_id")
    )
    on_plan = _union(
        [open_cp_plans(end).values("child_id"), open_cin_plans(end).values("child_id")]
    )
    # Counted, the few children changed often are each checked for an open plan, rather than
    # joined to the UNION of every child on one (or every child read).
    on_plan_now = Q(Exists(open_cp_plans(end).filter(child_id=OuterRef("pk")))) | Q(
        Exists(open_cin_plans(end).filter(child_id=OuterRef("pk")))
    )
    return Measure(
        "WORKER_CHANGES_12M",
        Child,
        Q(pk__in=on_plan),
        Q(pk__in=changed_often),
        query="worker_changes",
        counted=(on_plan, Child.objects.filter(on_plan_now, pk__in=changed_often)),
    )


@dataclass(frozen=True)
class CombinedMeasure:
    """One figure counted over the rows of several models (the mandatory tools, each its own
    table): a Measure per model, each its own aggregate query, and the counts summed."""

    code: str
    parts: tuple[Measure, ...]


def _parts(measure) -> tuple[Measure, ...]:
    return measure.parts if isinstance(measure, CombinedMeasure) else (measure,)


def measures(quarter: Quarter, codes=None) -> list[Measure]:
    """The measures of `codes` (default: every case-record indicator) for `quarter`."""
    codes = list(_BUILDERS) if codes is None else codes
    unknown = [code for code in codes if code not in _BUILDERS]
    if unknown:
        for code in unknown:
            indicators.get(code)  # KeyError for a code that does not exist at all
        raise KeyError(f"Not computed from case records: {', '.join(sorted(unknown))}")
    return [_BUILDERS[code](quarter) for code in codes]


def _counts(model, group) -> dict[str, int]:
    """One aggregate query: a conditional count per population and numerator.

    Only rows in some population are read. When every measure shares one population the
    WHERE clause already is it, so the counts repeat only the numerator conditions (the
    population may hold subqueries the database would otherwise evaluate again per count).
    """
    populations = []
    for measure in group:
        if measure.population not in populations:
            populations.append(measure.population)
    shared = len(populations) == 1
    aggregates = {}
    for measure in group:
        # Rows are counted as COUNT(1), not COUNT(id): a count that reads no column can come
        # from the index its filter uses alone (an index-only scan), without the table.
        counted = measure.child_field or Value(1)
        distinct = measure.child_field is not None
        key = measure.code.lower()
        population = None if shared else measure.population
        aggregates[f"{key}_population"] = Count(counted, distinct=distinct, filter=population)
        if measure.condition is not None:
            condition = measure.condition if shared else measure.population & measure.condition
            aggregates[f"{key}_numerator"] = Count(counted, distinct=distinct, filter=condition)
    return model.objects.filter(reduce(or_, populations)).aggregate(**aggregates)


def figure_of(
    code: str, unit: str, quarter: Quarter, population: int, numerator: int | None = None
) -> Figure:
    """The figure counts give: for a percentage, `numerator` of `population`; for a weekly
    mean, `population` over the quarter's weeks; for a count, `population` itself. The one
    place counts become a Figure (the partnership's, and each agency's in a breakdown)."""
    if unit == Unit.PERCENTAGE:
        assert numerator is not None
        return Figure(code, numerator, population, percentage(numerator, population))
    if unit == Unit.MEAN:
        return Figure(code, population, None, weekly_mean(population, quarter.days))
    return Figure(code, population, None, population)


def _figure(measure: Measure, counts: dict[str, int], quarter: Quarter) -> Figure:
    key = measure.code.lower()
    return figure_of(
        measure.code,
        indicators.get(measure.code).unit,
        quarter,
        counts[f"{key}_population"],
        counts.get(f"{key}_numerator"),
    )


def compute(quarter: Quarter, codes=None) -> dict[str, Figure]:
    """The figures of `quarter` for `codes` (default: every computed indicator: those from
    case records, AUDIT_GOOD_OR_BETTER and CONFIDENCE_CHANGE), in the registry's order, with
    one aggregate query per model (four counting children, one for the audit judgements) and
    one for the confidence surveys."""
    codes = list(indicators.COMPUTED_CODES) if codes is None else list(codes)
    surveyed = {code: _SURVEY_FIGURES[code](quarter) for code in codes if code in _SURVEY_FIGURES}
    wanted = measures(quarter, [code for code in codes if code not in _SURVEY_FIGURES])
    groups = defaultdict(list)
    counts = {}
    for measure in wanted:
        for part in _parts(measure):
            if part.counted is None:
                groups[part.query or part.model._meta.label].append(part)
                continue
            population, numerator = part.counted
            counts[f"{part.code.lower()}_population"] = population.count()
            if numerator is not None:
                counts[f"{part.code.lower()}_numerator"] = numerator.count()
    for group in groups.values():
        counts.update(_counts(group[0].model, group))
    for measure in wanted:
        if isinstance(measure, CombinedMeasure):
            for which in ("population", "numerator"):
                counts[f"{measure.code.lower()}_{which}"] = sum(
                    counts.get(f"{part.code.lower()}_{which}", 0) for part in measure.parts
                )
    figures = {measure.code: _figure(measure, counts, quarter) for measure in wanted}
    figures.update(surveyed)
    return {code: figures[code] for code in indicators.COMPUTED_CODES if code in figures}


def members(code: str, quarter: Quarter) -> tuple[QuerySet, QuerySet | None]:
    """(numerator, denominator) records behind a figure, for drill-down.

    Children for the indicators that count children, otherwise the plans, referrals,
    assessments, entries or questionnaires counted. For a count or a mean the first queryset
    holds what was counted and the second is None. Not yet limited to what a viewer may see:
    callers intersect them with the viewer's scope (neglect_portal.access.records_visible_to).
    """
    (measure,) = measures(quarter, [code])
    if isinstance(measure, CombinedMeasure):
        return (
            CombinedRecords(
                [
                    part.model.objects.filter(part.population & part.condition)
                    for part in measure.parts
                ]
            ),
            CombinedRecords([part.model.objects.filter(part.population) for part in measure.parts]),
        )
    rows = measure.model.objects.all()

    def records(condition: Q) -> QuerySet:
        if measure.child_field is None:
            return rows.filter(condition)
        return Child.objects.filter(pk__in=rows.filter(condition).values(measure.child_field))

    population = records(measure.population)
    if measure.condition is None:
        return population, None
    return records(measure.population & measure.condition), population


@dataclass(frozen=True)
class Week:
    first: date  # a Monday, or S
    last: date  # a Sunday, or E
    entries: int

    @property
    def whole(self) -> bool:
        return (self.last - self.first).days == 6


def weekly_chronology_entries(quarter: Quarter) -> list[Week]:
    """Entries recorded in each Monday-to-Sunday week of the quarter, as the source report
    counts them ("1,256 completed the week ending 18 May 2020"); the first and last weeks
    are cut at S and E, so the weeks add up to the quarter's figure. One query."""
    counts = dict(
        ChronologyEntry.objects.filter(_between("recorded_on", quarter))
        .values_list("recorded_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    weeks = []
    monday = quarter.start - timedelta(days=quarter.start.weekday())
    while monday <= quarter.end:
        first, last = max(monday, quarter.start), min(monday + timedelta(days=6), quarter.end)
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        weeks.append(Week(first, last, sum(counts.get(day, 0) for day in days)))
        monday += timedelta(days=7)
    return weeks


def toolkit_children_to_date(day: date) -> int:
    """Children with any toolkit form completed from the toolkit's start up to `day`: the
    running total TOOLKIT_CHILDREN's page shows ("used in 191 cases as at 22/05/2020"). One
    query."""
    completed = Q(status=Tool.Status.COMPLETED, completed_on__lte=day)
    return Child.objects.filter(
        _child_ids([model.objects.filter(completed).values("child_id") for model in TOOLKIT_FORMS])
    ).count()


class CombinedRecords:
    """The records behind a CombinedMeasure: one queryset per model, read one after another
    as one list (for the drill-down's pagination and CSV), in a stable order."""

    ordered = True

    def __init__(self, querysets: list[QuerySet]):
        self.querysets = querysets

    def map(self, change: Callable[[Any], Any]) -> "CombinedRecords":
        """Each part changed alike (limited to a viewer, ordered, with its reads)."""
        return CombinedRecords([change(queryset) for queryset in self.querysets])

    def count(self) -> int:
        return sum(queryset.count() for queryset in self.querysets)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        for queryset in self.querysets:
            yield from queryset

    def iterator(self, chunk_size: int = 2000):
        for queryset in self.querysets:
            yield from queryset.iterator(chunk_size=chunk_size)

    def __getitem__(self, index: slice) -> list:
        """A page: one query per model the page spans, plus a count of each model before."""
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        found: list = []
        for queryset in self.querysets:
            size = queryset.count()
            if stop is not None and stop <= 0:
                break
            if start < size:
                found.extend(queryset[start : size if stop is None else min(stop, size)])
            start, stop = max(start - size, 0), None if stop is None else stop - size
        return found


# Follow-through (definitions version 2) ------------------------------------------------

_CURRENT_MONTHS = CURRENT_FOR.months
# The kinds toolkit.ToolInformed records for the four mandatory tools (toolkit.status).
_INFORMING_KINDS = {
    "chronology": "chronology",
    "day_in_my_life": "day",
    "checklist": "checklist",
    "observation": "observation",
}
assert set(_INFORMING_KINDS) == set(MANDATORY_TOOLS)


def _on_neglect_plan_on_review_date() -> Q:
    """CP reviews whose child was on a neglect plan at the end of the review date: an open CP
    plan with latest category NEG, or an open neglect CIN plan (as _children_on_neglect_plan,
    but on each review's own date)."""
    day = OuterRef("review_date")
    child = OuterRef("plan__child_id")
    open_then = Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))
    neglect_cp = ChildProtectionPlan.objects.filter(
        open_then, child_id=child, latest_category=CPCategory.NEG
    )
    neglect_cin = ChildInNeedPlan.objects.filter(
        open_then,
        child_id=child,
        referral__assessments__neglect_identified=True,
    )
    return Q(Exists(neglect_cp)) | Q(Exists(neglect_cin))


def _informed_by_every_current_tool() -> Q:
    """The review was recorded as informed by each of the four mandatory tools current on its
    date (the tool's completion as it stood then, which ToolInformed keeps).

    One subquery counting the kinds, not an EXISTS per kind: four made PostgreSQL's estimate
    big enough to compile the query first (JIT), a third of its time at 500,000 children."""
    day = OuterRef("review_date")
    kinds = (
        ToolInformed.objects.filter(
            cp_review_id=OuterRef("pk"),
            tool_kind__in=_INFORMING_KINDS.values(),
            completed_on__lte=day,
            completed_on__gt=AddMonths(day, -_CURRENT_MONTHS),
        )
        .order_by()
        .values("cp_review_id")
        .annotate(kinds=Count("tool_kind", distinct=True))
        .values("kinds")
    )
    return Q(Exact(Subquery(kinds), len(_INFORMING_KINDS)))


@_builds("TOOLS_INFORMED_REVIEW")
def _tools_informed_review(quarter):
    return Measure(
        "TOOLS_INFORMED_REVIEW",
        CPReview,
        _between("review_date", quarter) & _on_neglect_plan_on_review_date(),
        _informed_by_every_current_tool(),
    )


def _voice(code: str, question: str) -> Callable[[Quarter], Measure]:
    """A voice of the child indicator: of the CP reviews dated S..E whose `question` was
    answered yes or no, those answered yes. Empty ("not recorded", every census review) and
    "not appropriate" answers are outside it. On CPReview with no query of its own, so it is
    counted in TOOLS_INFORMED_REVIEW's aggregate query, not one of its own."""

    def build(quarter: Quarter) -> Measure:
        return Measure(
            code,
            CPReview,
            _between("review_date", quarter)
            & Q(**{f"{question}__in": [VoiceAnswer.YES, VoiceAnswer.NO]}),
            Q(**{question: VoiceAnswer.YES}),
        )

    return _builds(code)(build)


_voice("VOICE_KNOWS_PLAN", "knows_plan")
_voice("VOICE_SAFETY_PLANNING", "took_part_in_safety_planning")


# The mandatory tools with a completed state and a manager's oversight, by ToolInformed kind.
OVERSEEN_TOOLS = {
    "day": DayInMyLife,
    "checklist": AssessmentChecklist,
    "observation": ParentChildObservation,
}


@_builds("MANAGER_OVERSIGHT")
def _manager_oversight(quarter):
    def overseen(kind):
        # Of this completion (the tool's version now), by E.
        return Exists(
            Oversight.objects.filter(
                tool_kind=kind,
                tool_id=OuterRef("pk"),
                tool_version=OuterRef("version"),
                recorded_on__lte=quarter.end,
            )
        )

    return CombinedMeasure(
        "MANAGER_OVERSIGHT",
        tuple(
            Measure(
                f"MANAGER_OVERSIGHT_{kind.upper()}",
                model,
                completed_in(quarter),
                Q(overseen(kind)),
                query=f"manager_oversight_{kind}",
            )
            for kind, model in OVERSEEN_TOOLS.items()
        ),
    )


# The multi-agency case audit (definitions version 2) ---------------------------------------


def moderated_in(quarter: Quarter, prefix: str = "") -> Q:
    """Audits moderated S..E, by the local day (Europe/London) of `moderated_at`: bounds on
    the timestamp itself, so its index is used; `prefix` reaches the sample ("sample__")."""
    first, after = (
        timezone.make_aware(datetime.combine(day, time.min))
        for day in (quarter.start, quarter.end + timedelta(days=1))
    )
    return Q(
        **{
            f"{prefix}status": AuditSample.Status.MODERATED,
            f"{prefix}moderated_at__gte": first,
            f"{prefix}moderated_at__lt": after,
        }
    )


@_builds("AUDIT_GOOD_OR_BETTER")
def _audit_good_or_better(quarter):
    # Its own model, so one aggregate query more per quarter; the records behind it are the
    # judgements, each about one audited child (AuditJudgement.child_lookup).
    return Measure(
        "AUDIT_GOOD_OR_BETTER",
        AuditJudgement,
        moderated_in(quarter, "sample__") & ~Q(grade=""),
        Q(grade__in=GOOD_OR_BETTER),
    )


# Practitioner confidence (definitions version 2) -------------------------------------------


def confidence_change(quarter: Quarter) -> Figure:
    """CONFIDENCE_CHANGE for the partnership: the practitioners counted, and the mean of their
    changes, empty when fewer than the anonymous minimum (dataset/confidence.py). One query."""
    total = confidence.partnership(confidence.totals_by_agency(quarter))
    value = total.mean_change if total.enough else None
    return Figure("CONFIDENCE_CHANGE", total.respondents, None, value)


# Figures computed from the confidence surveys rather than a Measure of case records: anonymous,
# so members() lists nothing behind them.
_SURVEY_FIGURES: dict[str, Callable[[Quarter], Figure]] = {"CONFIDENCE_CHANGE": confidence_change}
