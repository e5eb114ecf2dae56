"""Computing a quarter once and storing what its pages show (dataset/result_models.py), and
reading it back: the figures, each agency's figure, and the records behind each part.

`store()` is the only writer: the background worker calls it for the live quarters
(dataset/live.py) and publishing calls it for the quarter published (dataset/services.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps
from django.db import OperationalError, connection, transaction
from django.db.models import F, Model, Prefetch, QuerySet
from django.utils import timezone

from neglect_portal.quarters import Quarter

from . import breakdown, computation, indicators
from .computation import DENOMINATOR, NUMERATOR, CombinedRecords, Figure
from .indicators import Unit
from .models import PublishedQuarter
from .result_models import QuarterResult, ResultFigure, ResultMember

# PostgreSQL's SQLSTATE for "could not serialize access".
SERIALIZATION = "40001"


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
    """The ids behind one part of a figure, copied by the database itself (INSERT … SELECT):
    at national scale a part holds tens of thousands of records, never read into Python."""
    table = ResultMember._meta.db_table
    for part in _parts(records):
        ids = part.order_by().annotate(member_id=F("pk")).values("member_id")
        sql, params = ids.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (result_id, code, which, model, record_id) "  # noqa: S608
                f"SELECT %s, %s, %s, %s, counted.member_id FROM ({sql}) counted",
                [result.pk, code, which, part.model._meta.label_lower, *params],
            )


def _fill(result: QuarterResult, quarter: Quarter, *, with_members: bool) -> None:
    figures = computation.compute(quarter)
    rows = [_figure_row(result, figure) for figure in figures.values()]
    if with_members:
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


def _consistent_snapshot() -> None:
    # The figures and the records behind them read at one moment, though the records change
    # while they are read (PostgreSQL; SQLite has one writer, so one moment already). Only a
    # transaction's first statement can say so: publishing, already in one, reads as it is.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def store(quarter: Quarter, *, with_members: bool = True) -> QuarterResult | None:
    """Compute `quarter` and store it as its live result, replacing the one before.
    `with_members` False stores the partnership's figures only (a published quarter's live
    figures, kept to see whether the records still give what was published).

    None when another computation of the same quarter was storing at the same moment: its
    result stands.
    """
    result, _ = QuarterResult.objects.get_or_create(
        quarter=quarter,
        published=None,
        defaults={"definitions_version": indicators.DEFINITIONS_VERSION},
    )
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost:
                _consistent_snapshot()
            # Fast deletes (no signals, nothing depends on these rows): one query each.
            ResultMember.objects.filter(result=result).delete()
            ResultFigure.objects.filter(result=result).delete()
            _fill(result, quarter, with_members=with_members)
            result.computed_at = timezone.now()
            result.definitions_version = indicators.DEFINITIONS_VERSION
            result.save(update_fields=["computed_at", "definitions_version"])
    except OperationalError as error:
        # PostgreSQL refused to let two computations of one quarter overlap ("could not
        # serialize access"): the other one's result is kept.
        if getattr(error.__cause__, "pgcode", None) != SERIALIZATION:
            raise
        return None
    return result


def store_published(published: PublishedQuarter) -> QuarterResult:
    """Compute a quarter being published and store the result as `published`'s, replacing
    any it had. Inside the publishing transaction, so it reads the records as it does."""
    QuarterResult.objects.filter(published=published).delete()
    result = QuarterResult.objects.create(
        quarter=published.quarter,
        published=published,
        definitions_version=indicators.DEFINITIONS_VERSION,
    )
    _fill(result, published.quarter, with_members=True)
    return result


# Reading --------------------------------------------------------------------------------------


def live_results(quarters: Iterable[Quarter]) -> dict[Quarter, QuarterResult]:
    """The stored live results of `quarters` that have one, with their partnership figures:
    two queries however many."""
    found = QuarterResult.objects.filter(
        quarter__in=list(quarters), published__isnull=True
    ).prefetch_related(_partnership_figures())
    return {result.quarter: result for result in found}


def _partnership_figures() -> Prefetch:
    return Prefetch(
        "figures", queryset=ResultFigure.objects.filter(agency__isnull=True), to_attr="partnership"
    )


def as_figure(row: ResultFigure) -> Figure:
    """A stored figure in the shape `computation.compute` gives, so they compare equal."""
    value = row.value
    indicator = indicators.BY_CODE.get(row.code)
    if value is not None and indicator is not None and indicator.unit == Unit.COUNT:
        value = int(value)
    return Figure(row.code, row.numerator, row.denominator, value)


def figures(result: QuarterResult) -> dict[str, Figure]:
    """The partnership's figures of a result (no query for one read by `live_results`)."""
    rows = getattr(result, "partnership", None)
    if rows is None:
        rows = result.figures.filter(agency__isnull=True)
    return {row.code: as_figure(row) for row in rows}


def shown_result(quarter: Quarter) -> QuarterResult | None:
    """The result a quarter's breakdown and drill-down read: the one stored when it was
    published, else (not published, or published before results were stored) the live one;
    None before the worker has stored any. One query."""
    return (
        QuarterResult.objects.filter(quarter=quarter)
        .order_by(F("published").asc(nulls_last=True))
        .first()
    )


def agency_figures(result: QuarterResult, code: str) -> dict[int, Figure]:
    """{agency id: figure} stored for `code`: one query."""
    rows = ResultFigure.objects.filter(result=result, code=code, agency__isnull=False)
    return {row.agency_id: as_figure(row) for row in rows}


def _model(label: str) -> type[Model]:
    return apps.get_model(label)


def member_records(result: QuarterResult, code: str, which: str):
    """The records behind `which` part of `code`'s figure as stored: a queryset of one model,
    or CombinedRecords over several (MANAGER_OVERSIGHT), each in record order. No query until
    read; None when the figure has no such part."""
    numerator, denominator = computation.members(code, result.quarter)
    live = numerator if which == NUMERATOR else denominator
    if live is None:
        return None
    stored = ResultMember.objects.filter(result=result, code=code, which=which)
    parts = [
        part.model.objects.filter(
            pk__in=stored.filter(model=part.model._meta.label_lower).values("record_id")
        )
        for part in _parts(live)
    ]
    return CombinedRecords(parts) if isinstance(live, CombinedRecords) else parts[0]
