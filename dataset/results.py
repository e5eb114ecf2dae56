"""Computing a quarter once and storing what its pages show (dataset/result_models.py), and
reading it back: the figures, each agency's figure, and the records behind each part.

`store()` is the only writer: the background worker calls it for the live quarters
(dataset/live.py); publishing makes a quarter's live result its own (`publish`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.models import Involvement
from neglect_portal.access import CountedVisibility
from neglect_portal.quarters import Quarter

from . import breakdown, computation, indicators
from .computation import DENOMINATOR, NUMERATOR, CombinedRecords, Figure
from .models import PublishedQuarter
from .result_models import QuarterResult, ResultAgencyCount, ResultFigure, ResultMember

# The series stored with a result's figures, by the indicator whose page shows them.
WEEKLY, TO_DATE = "CHRONOLOGY_ENTRIES_WEEKLY", "TOOLKIT_CHILDREN"

# PostgreSQL's SQLSTATE for "could not serialize access".
SERIALIZATION = "40001"
ONE_LIVE_PER_QUARTER = "quarter_result_one_live_per_quarter"


# Writing ------------------------------------------------------------------------------------


def _figure_row(result: QuarterResult, figure: Figure, agency_id: int | None = None):
    value = None if figure.value is None else Decimal(figure.value)
    return ResultFigure(
        result=result,
        code=figure.code,
        agency_id=agency_id,
        numerator=figure.numerator,
        denominator=figure.denominator,
        value=value,
    )


def _parts(records) -> list[QuerySet]:
    return records.querysets if isinstance(records, CombinedRecords) else [records]


def _store_members(result: QuarterResult, code: str, which: str, records) -> None:
    """The ids behind one part of a figure, each with its child's, copied by the database
    itself (INSERT … SELECT): at national scale a part holds tens of thousands of records,
    never read into Python."""
    table = ResultMember._meta.db_table
    for part in _parts(records):
        ids = (
            part.order_by()
            .annotate(member_id=F("pk"), member_child_id=F(part.model.child_lookup))
            .values("member_id", "member_child_id")
        )
        sql, params = ids.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (result_id, code, which, model, record_id, child_id) "  # noqa: S608
                "SELECT %s, %s, %s, %s, counted.member_id, counted.member_child_id "
                f"FROM ({sql}) counted",
                [result.pk, code, which, part.model._meta.label_lower, *params],
            )


def _series(quarter: Quarter, day: date) -> dict:
    # The running total counts to the day of the calculation while the quarter is open.
    as_at = min(quarter.end, day)
    return {
        WEEKLY: [
            [week.first.isoformat(), week.last.isoformat(), week.entries]
            for week in computation.weekly_chronology_entries(quarter)
        ],
        TO_DATE: [as_at.isoformat(), computation.toolkit_children_to_date(as_at)],
    }


def count_by_agency(result: QuarterResult, day: date) -> None:
    """Count again, for every agency, the records behind each of the result's figures that
    its staff may see through its involvements open on `day`, and all of them (agency
    empty), from the stored members: two INSERT … SELECTs, replacing the counts before."""
    ResultAgencyCount.objects.filter(result=result).delete()
    table, members = ResultAgencyCount._meta.db_table, ResultMember._meta.db_table
    open_then = Involvement.objects.open_on(day).values("child_id", "agency_id").distinct()
    involved, params = open_then.order_by().query.sql_with_params()
    parts = f"""SUM(CASE WHEN m.which = '{NUMERATOR}' THEN 1 ELSE 0 END),
                SUM(CASE WHEN m.which = '{DENOMINATOR}' THEN 1 ELSE 0 END)"""
    insert = f"INSERT INTO {table} (result_id, code, agency_id, numerator, denominator, counted_on)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} SELECT %s, m.code, i.agency_id, {parts}, %s "  # noqa: S608
            f"FROM {members} m JOIN ({involved}) i ON i.child_id = m.child_id "
            "WHERE m.result_id = %s GROUP BY m.code, i.agency_id",
            [result.pk, day, *params, result.pk],
        )
        cursor.execute(
            f"{insert} SELECT %s, m.code, NULL, {parts}, %s "  # noqa: S608
            f"FROM {members} m WHERE m.result_id = %s GROUP BY m.code",
            [result.pk, day, result.pk],
        )


def count_published_by_agency(day: date) -> int:
    """The counts by agency of every published quarter's result, counted again as of `day`
    (the live results are counted when they are calculated); how many results."""
    published = list(QuarterResult.objects.filter(published__isnull=False).order_by("pk"))
    for result in published:
        with transaction.atomic():
            count_by_agency(result, day)
    return len(published)


def _fill(result: QuarterResult, quarter: Quarter) -> None:
    result.series = _series(quarter, timezone.localdate(result.computed_at))
    figures = computation.compute(quarter)
    rows = [_figure_row(result, figure) for figure in figures.values()]
    for code in breakdown.BY_AGENCY:
        rows += [
            _figure_row(result, figure, agency_id)
            for agency_id, figure in breakdown.by_agency(code, quarter).items()
            if agency_id is not None
        ]
    for indicator in indicators.INDICATORS:
        if not indicator.lists_records:
            continue
        numerator, denominator = computation.members(indicator.code, quarter)
        _store_members(result, indicator.code, NUMERATOR, numerator)
        if denominator is not None:
            _store_members(result, indicator.code, DENOMINATOR, denominator)
    ResultFigure.objects.bulk_create(rows, batch_size=500)
    count_by_agency(result, timezone.localdate(result.computed_at))


def _consistent_snapshot() -> None:
    # The figures and the records behind them read at one moment, though the records change
    # while they are read (PostgreSQL; SQLite has one writer, so one moment already). Only a
    # transaction's first statement can say so: a calculation inside another transaction
    # reads as that one does.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _overlapped(error: Exception) -> bool:
    """PostgreSQL refused a calculation because another of the same quarter overlapped it:
    "could not serialize access", or both creating the quarter's first live result."""
    cause = error.__cause__
    if getattr(cause, "pgcode", None) == SERIALIZATION:
        return True
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None) == ONE_LIVE_PER_QUARTER


def store(quarter: Quarter) -> QuarterResult | None:
    """Compute `quarter` and store it as its live result, replacing the one before in one
    transaction, so a page reads either the old result or the new one, never a part. A
    published quarter has one too: what the records give now, for its restatements and for
    publishing it again.

    None when another calculation of the same quarter overlapped this one and PostgreSQL
    refused it: the caller asks again, as the other may have read the records before a
    change this one was asked for.
    """
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost:
                _consistent_snapshot()
            # When the records were read, not when the writing ended.
            computed_at = timezone.now()
            result = (
                QuarterResult.objects.select_for_update()
                .filter(quarter=quarter, published__isnull=True)
                .first()
            )
            if result is None:
                result = QuarterResult.objects.create(
                    quarter=quarter, definitions_version=indicators.DEFINITIONS_VERSION
                )
            else:
                # Fast deletes (no signals, nothing depends on these rows): one query each.
                ResultMember.objects.filter(result=result).delete()
                ResultFigure.objects.filter(result=result).delete()
            result.computed_at = computed_at
            _fill(result, quarter)
            result.definitions_version = indicators.DEFINITIONS_VERSION
            result.save(update_fields=["computed_at", "definitions_version", "series"])
    except (OperationalError, IntegrityError) as error:
        if not _overlapped(error):
            raise
        return None
    return result


def publish(published: PublishedQuarter) -> QuarterResult | None:
    """Make the quarter's live result, as it stands, `published`'s: the figures the
    publishing page showed, as at when they were calculated, with their breakdowns and the
    records behind them. Relabelled, not copied or calculated again (at national scale a
    quarter's records are over half a million rows); the caller asks the worker for a new
    live result, to show later corrections as restatements. Replaces any result `published`
    had.
    None, changing nothing, while there is no current live result to publish."""
    found = live_results([published.quarter]).get(published.quarter)
    # Locked: the worker replacing it waits until this is published, and this waits for a
    # replacement under way (then publishes the replacement, still current, or nothing).
    live = found and _current_live().select_for_update().filter(pk=found.pk).first()
    if live is None:
        return None
    QuarterResult.objects.filter(published=published).delete()
    live.published = published
    live.save(update_fields=["published"])
    return live


# Reading --------------------------------------------------------------------------------------


def live_results(quarters: Iterable[Quarter]) -> dict[Quarter, QuarterResult]:
    """The stored live results of `quarters` that have one, with their partnership figures:
    two queries however many."""
    found = (
        _current_live().filter(quarter__in=list(quarters)).prefetch_related(_partnership_figures())
    )
    return {result.quarter: result for result in found}


def _current_live() -> QuerySet:
    # A live result calculated under earlier definitions (before a deploy changed them) is
    # as good as none: it is calculated again rather than shown.
    return QuarterResult.objects.filter(
        published__isnull=True, definitions_version=indicators.DEFINITIONS_VERSION
    )


def live_computed_at(quarter: Quarter):
    """When the quarter's live figures were calculated; None while they are being."""
    return _current_live().filter(quarter=quarter).values_list("computed_at", flat=True).first()


def _partnership_figures() -> Prefetch:
    return Prefetch(
        "figures", queryset=ResultFigure.objects.filter(agency__isnull=True), to_attr="partnership"
    )


def figures(result: QuarterResult) -> dict[str, Figure]:
    """The partnership's figures of a result (no query for one read by `live_results`)."""
    rows = getattr(result, "partnership", None)
    if rows is None:
        rows = result.figures.filter(agency__isnull=True)
    return {row.code: row.as_figure() for row in rows}


def shown_result(quarter: Quarter) -> QuarterResult | None:
    """The result a quarter's breakdown and drill-down read: the one stored when it was
    published, else (not published, or published before results were stored) the live one;
    None before the worker has stored any. One query."""
    published = QuarterResult.objects.filter(quarter=quarter, published__isnull=False)
    return (
        (published | _current_live().filter(quarter=quarter))
        .order_by(F("published").asc(nulls_last=True))
        .first()
    )


def weeks(result: QuarterResult) -> list[computation.Week] | None:
    """The chronology entries of each week of the result's quarter; None for a result stored
    before its series were."""
    stored = result.series.get(WEEKLY)
    if stored is None:
        return None
    return [
        computation.Week(date.fromisoformat(first), date.fromisoformat(last), entries)
        for first, last, entries in stored
    ]


def toolkit_children_to_date(result: QuarterResult) -> tuple[date, int] | None:
    """(as at, children) of the toolkit's running total; None as for `weeks`."""
    stored = result.series.get(TO_DATE)
    if stored is None:
        return None
    as_at, children = stored
    return date.fromisoformat(as_at), children


def agency_figures(result: QuarterResult, code: str) -> dict[int, Figure]:
    """{agency id: figure} stored for `code`: one query."""
    rows = ResultFigure.objects.filter(result=result, code=code, agency__isnull=False)
    return {row.agency_id: row.as_figure() for row in rows}


class StoredRecords:
    """The records of one model behind part of a stored figure, as one list in record order,
    read from the members table: a page reads its ids from that table's index and then only
    those records, so a page of 25 costs the same whether 30 or 30,000 are behind the figure.
    `limited` narrows the ids (to the records a viewer may see); `fetch` reads the records."""

    ordered = True

    def __init__(self, ids: QuerySet, fetch: QuerySet):
        self.ids = ids.order_by("record_id").values_list("record_id", flat=True)
        self.fetch = fetch
        self.model = fetch.model

    def limited(self, visible: Q, fetch: QuerySet) -> StoredRecords:
        """The same list limited by `visible` (a filter on the members' columns), read by
        `fetch`."""
        return StoredRecords(self.ids.filter(visible), fetch)

    def count(self) -> int:
        return self.ids.count()

    def __len__(self) -> int:
        return self.count()

    def _read(self, ids: list[int]) -> list:
        found = {record.pk: record for record in self.fetch.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self._read(list(self.ids[index]))

    def iterator(self, chunk_size: int = 2000):
        ids = self.ids.iterator(chunk_size=chunk_size)
        while chunk := list(itertools.islice(ids, chunk_size)):
            yield from self._read(chunk)

    def __iter__(self):
        return self.iterator()


def member_records(result: QuarterResult, code: str, which: str):
    """The records behind `which` part of `code`'s figure as stored: StoredRecords of one
    model, or CombinedRecords of them over several (MANAGER_OVERSIGHT). No query until read;
    None when the figure has no such part."""
    numerator, denominator = computation.members(code, result.quarter)
    live = numerator if which == NUMERATOR else denominator
    if live is None:
        return None
    stored = ResultMember.objects.filter(result=result, code=code, which=which)
    parts = [
        StoredRecords(stored.filter(model=part.model._meta.label_lower), part.model.objects.all())
        for part in _parts(live)
    ]
    return CombinedRecords(parts) if isinstance(live, CombinedRecords) else parts[0]


def visible_member_counts(
    result: QuarterResult, code: str, visibility: CountedVisibility
) -> tuple[int | None, int | None]:
    """How many of the records stored behind `code`'s numerator and denominator the viewer
    may see: their agency's stored count (or every record's) and, counted now, those of the
    few children allocated to them besides. None for a part the figure does not have."""
    numerator, denominator = computation.members(code, result.quarter)
    counted = [0, 0]
    if visibility.every or visibility.agency_id is not None:
        agency = None if visibility.every else visibility.agency_id
        stored = (
            ResultAgencyCount.objects.filter(result=result, code=code, agency_id=agency)
            .values_list("numerator", "denominator")
            .first()
        )
        counted = list(stored or counted)
    besides = list(visibility.besides)
    if besides:
        found = ResultMember.objects.filter(
            result=result, code=code, child_id__in=besides
        ).aggregate(
            numerator=Count("child_id", filter=Q(which=NUMERATOR)),
            denominator=Count("child_id", filter=Q(which=DENOMINATOR)),
        )
        counted = [counted[0] + found["numerator"], counted[1] + found["denominator"]]
    return (
        None if numerator is None else counted[0],
        None if denominator is None else counted[1],
    )
