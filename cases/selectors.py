"""Reads that several views share. Lookups start from neglect_portal.access
(`children_visible_to`, `records_visible_to`); these narrow what they return."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from django.db import models
from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from neglect_portal.records.field_kinds import INTEGER_FIELDS

from .codes import CPCategory, VoiceAnswer
from .models import (
    Allocation,
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINPlanReview,
    CPReview,
    Involvement,
    Referral,
)

P = TypeVar("P", ChildInNeedPlan, ChildProtectionPlan)


def _open_plans(model: type[P], on: date) -> QuerySet[P]:
    return model.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on)


def open_cp_plans(on: date) -> QuerySet[ChildProtectionPlan]:
    return _open_plans(ChildProtectionPlan, on)


def open_cin_plans(on: date) -> QuerySet[ChildInNeedPlan]:
    return _open_plans(ChildInNeedPlan, on)


def neglect_cin_plans(plans: QuerySet[ChildInNeedPlan]) -> QuerySet[ChildInNeedPlan]:
    """CIN plans in an episode with an assessment that identified neglect (factor 16A)."""
    return plans.filter(
        Exists(
            Assessment.objects.filter(referral_id=OuterRef("referral_id"), neglect_identified=True)
        )
    )


def _neglect_plans(on: date) -> tuple[QuerySet[ChildProtectionPlan], QuerySet[ChildInNeedPlan]]:
    """The plans that put a child on a neglect plan at the end of `on`: open CP plans whose
    latest category is neglect, and open neglect CIN plans (kpi-definitions.md)."""
    return (
        open_cp_plans(on).filter(latest_category=CPCategory.NEG),
        neglect_cin_plans(open_cin_plans(on)),
    )


def neglect_plan_child_ids(on: date) -> QuerySet:
    """The ids of the children on a neglect plan at the end of `on`, each once (a UNION): a set
    the planner can estimate, to start a query from."""
    cp, cin = _neglect_plans(on)
    return cp.values("child_id").order_by().union(cin.values("child_id").order_by())


def on_neglect_plan(on: date) -> Q:
    """Children on a neglect plan at the end of `on`, as a filter over the sets of plans."""
    cp, cin = _neglect_plans(on)
    return Q(pk__in=cp.values("child_id")) | Q(pk__in=cin.values("child_id"))


def case_flags(
    *, on: date, among: Collection[int] | QuerySet | None = None
) -> dict[str, Exists | Q]:
    """What the children list shows for each child on a page, as per-child subqueries.

    `among` (child ids) limits each set of plans to the children asked about: PostgreSQL may
    hash a whole set once rather than probe it per child, and hashing every open plan to flag
    a team's 347 children took 15 of their query's 25 ms (issue 16)."""
    child = OuterRef("pk")
    neglect_cp, neglect_cin = _neglect_plans(on)
    cp, cin = open_cp_plans(on), open_cin_plans(on)
    if among is not None:
        cp, neglect_cp = cp.filter(child_id__in=among), neglect_cp.filter(child_id__in=among)
        cin, neglect_cin = cin.filter(child_id__in=among), neglect_cin.filter(child_id__in=among)
    return {
        "on_cp_plan": Exists(cp.filter(child=child)),
        "on_cin_plan": Exists(cin.filter(child=child)),
        "on_neglect_plan": (
            Exists(neglect_cp.filter(child=child)) | Exists(neglect_cin.filter(child=child))
        ),
    }


def children_flagged(*, on: date) -> dict[str, Q]:
    """The same flags as filters over all children. The sets of plans are small, so each is
    computed once (uncorrelated) rather than probed per child."""
    return {
        "on_cp_plan": Q(pk__in=open_cp_plans(on).values("child_id")),
        "on_cin_plan": Q(pk__in=open_cin_plans(on).values("child_id")),
        "on_neglect_plan": on_neglect_plan(on),
    }


def with_case_flags(children: list[Child], *, on: date) -> list[Child]:
    """Set the flags on one page of children, in one query.

    Done after pagination on purpose: annotating the whole filtered queryset makes PostgreSQL
    evaluate the subqueries for every child before it applies the page's LIMIT.
    """
    flags = case_flags(on=on)
    rows = (
        Child.objects.filter(pk__in=[c.pk for c in children]).annotate(**flags).values("pk", *flags)
    )
    by_pk = {row["pk"]: row for row in rows}
    for child in children:
        for name in flags:
            setattr(child, name, by_pk[child.pk][name])
    return children


# The answers voice_answers() counts: the three a person gives, and "" (not recorded).
NOT_RECORDED = ""


def voice_answers(first: date, last: date) -> dict[str, dict[str, int]]:
    """{question: {answer: CP reviews}} over the reviews dated first..last, for each of
    CPReview.VOICE_QUESTIONS and each VoiceAnswer value plus NOT_RECORDED: aggregate counts
    for pages that show the voice of the child beside the indicators, naming no child. One
    query, whatever the number of reviews."""
    answers = [*VoiceAnswer.values, NOT_RECORDED]
    counted = CPReview.objects.filter(review_date__range=(first, last)).aggregate(
        **{
            f"{question}:{answer}": Count("pk", filter=Q(**{question: answer}))
            for question in CPReview.VOICE_QUESTIONS
            for answer in answers
        }
    )
    return {
        question: {answer: counted[f"{question}:{answer}"] for answer in answers}
        for question in CPReview.VOICE_QUESTIONS
    }


# Several kinds of row in one query ---------------------------------------------------------

# The column type each kind of value is read as in a UNION: every branch must give each column
# the same type, so a value goes to the first free column of its kind and the others are NULLs
# cast to that kind (PostgreSQL types a UNION's columns pair by pair, so an uncast NULL in the
# first two branches would be text and clash with a date in the third).
_COLUMN_KINDS: dict[str, models.Field] = {
    "int": models.BigIntegerField(),
    "date": models.DateField(),
    "datetime": models.DateTimeField(),
    "bool": models.BooleanField(),
    "json": models.JSONField(),
    "text": models.TextField(),
}


_KIND_OF_TYPE = {
    **dict.fromkeys(INTEGER_FIELDS, "int"),
    "DateField": "date",
    "DateTimeField": "datetime",
    "BooleanField": "bool",
    "JSONField": "json",
    "CharField": "text",
    "TextField": "text",
}


def _column_kind(read: models.Field) -> str:
    target = read.target_field if isinstance(read, models.ForeignKey) else read
    internal = target.get_internal_type()
    if internal not in _KIND_OF_TYPE:
        # Read as text, a decimal or a UUID would meet text in another branch's column, which
        # PostgreSQL refuses: give it a kind of its own first.
        raise TypeError(f"No UNION column kind for a {internal}")
    return _KIND_OF_TYPE[internal]


@dataclass(frozen=True)
class RowsPart:
    """One branch of rows_in_one_query(): `rows` (grouped with .values() when `columns` hold
    aggregates) and what to read of each row, {name: expression over `rows`}. Parts may share
    a name; a part may leave out a column another part of that name gives (read as None)."""

    name: str
    rows: QuerySet
    columns: Mapping[str, Any]


def _output_fields(part: RowsPart) -> list[models.Field]:
    """The type of each of the part's columns, as the database will give it."""
    probes = {f"_probe{i}": expression for i, expression in enumerate(part.columns.values())}
    annotations = part.rows.annotate(**probes).query.annotations
    return [annotations[probe].output_field for probe in probes]


def rows_in_one_query(parts: list[RowsPart]) -> dict[str, list[dict[str, Any]]]:
    """Rows of several querysets, of any models and shapes, read in one UNION query rather than
    one query each: {part name: [{column: value}]}, in no particular order."""
    layouts: list[list[tuple[str, str]]] = []  # each part's (column, slot)
    widths = dict.fromkeys(_COLUMN_KINDS, 0)
    for part in parts:
        used = dict.fromkeys(_COLUMN_KINDS, 0)
        layout = []
        for name, output_field in zip(part.columns, _output_fields(part), strict=True):
            kind = _column_kind(output_field)
            layout.append((name, f"{kind}{used[kind]}"))
            used[kind] += 1
        widths = {kind: max(widths[kind], used[kind]) for kind in widths}
        layouts.append(layout)
    slots = [f"{kind}{n}" for kind, width in widths.items() for n in range(width)]
    queries = []
    for index, (part, layout) in enumerate(zip(parts, layouts, strict=True)):
        given = {slot: part.columns[name] for name, slot in layout}
        queries.append(
            part.rows.annotate(
                part_index=Value(index),
                **{
                    slot: given[slot]
                    if slot in given
                    else Cast(Value(None), output_field=_COLUMN_KINDS[slot.rstrip("0123456789")])
                    for slot in slots
                },
            )
            .values_list("part_index", *slots)
            .order_by()
        )
    position = {slot: i + 1 for i, slot in enumerate(slots)}
    found: dict[str, list[dict[str, Any]]] = {part.name: [] for part in parts}
    for row in queries[0].union(*queries[1:], all=True):
        found[parts[row[0]].name].append(
            {name: row[position[slot]] for name, slot in layouts[row[0]]}
        )
    return found


# Several kinds of record in one query ------------------------------------------------------

# What a page shows of a person: their name (User.__str__).
PERSON_FIELDS = ("id", "username", "first_name", "last_name")


@dataclass(frozen=True)
class RecordsPart:
    """One kind of record for records_in_one_query(): its rows, the fields to read of each
    (None: all; the others are deferred, and reading one costs a query), and the forward
    relations (one step, e.g. "agency") to fetch with each row as select_related would, each
    with the fields to read of it likewise."""

    name: str
    rows: QuerySet
    related: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    fields: tuple[str, ...] | None = None


def _attname(model: type[Model], name: str) -> str:
    return cast(models.Field, model._meta.get_field(name)).attname


def _read(model: type[Model], names: tuple[str, ...] | None) -> list[models.Field]:
    """The model's concrete fields among `names` (all for None), the primary key always, in
    the model's order (as Model.from_db takes them)."""
    wanted = None if names is None else {_attname(model, n) for n in names}
    return [
        f
        for f in model._meta.concrete_fields
        if wanted is None or f.primary_key or f.attname in wanted
    ]


def _sorted_as_meta(records: list[Model], model: type[Model], read: set[str]) -> list[Model]:
    """The records in their model's Meta.ordering, as the database would have returned them,
    by the fields `read` (ordering by a deferred one would cost a query per record)."""
    for key in reversed(model._meta.ordering or ["pk"]):
        name = key.lstrip("-")
        if name != "pk" and _attname(model, name) not in read:
            continue
        records.sort(
            key=lambda r: (getattr(r, name) is None, getattr(r, name)),
            reverse=key.startswith("-"),
        )
    return records


def _record_columns(part: RecordsPart) -> dict[str | None, list[models.Field]]:
    """{None: the record's fields, relation: the related record's fields} that `part` reads."""
    model = part.rows.model
    read: dict[str | None, list[models.Field]] = {None: _read(model, part.fields)}
    for relation, names in part.related.items():
        read[relation] = _read(model._meta.get_field(relation).related_model, names)
    return read


def records_in_one_query(parts: list[RecordsPart]) -> dict[str, list[Model]]:
    """The rows of several models (and their related records) as model instances, read in
    one UNION query rather than one query per model: {part name: records in Meta.ordering}.
    Records hold the fields their part reads (all by default), so what a page reads of them
    costs nothing more."""
    reads = [_record_columns(part) for part in parts]
    rows = rows_in_one_query(
        [
            RowsPart(
                part.name,
                part.rows,
                {
                    f"{relation}__{f.attname}" if relation else f.attname: F(
                        f"{relation}__{f.attname}" if relation else f.attname
                    )
                    for relation, fields in read.items()
                    for f in fields
                },
            )
            for part, read in zip(parts, reads, strict=True)
        ]
    )
    found: dict[str, list[Model]] = {}
    for part, read in zip(parts, reads, strict=True):
        model, db = part.rows.model, part.rows.db
        records = []
        for row in rows[part.name]:
            record = model.from_db(
                db, [f.attname for f in read[None]], [row[f.attname] for f in read[None]]
            )
            for relation, fields in read.items():
                if relation is None:
                    continue
                values = [row[f"{relation}__{f.attname}"] for f in fields]
                relation_field = model._meta.get_field(relation)
                relation_field.set_cached_value(
                    record,
                    relation_field.related_model.from_db(db, [f.attname for f in fields], values)
                    if values[0] is not None
                    else None,
                )
            records.append(record)
        found[part.name] = _sorted_as_meta(records, model, {f.attname for f in read[None]})
    return found


def _prefetched(parent: Model, name: str, records: list[Model]) -> None:
    """Give `parent.<name>.all()` these records without a query, as prefetch_related would."""
    rows = getattr(parent, name).all()
    rows._result_cache = records
    rows._prefetch_done = True
    parent.__dict__.setdefault("_prefetched_objects_cache", {})[name] = rows


@dataclass(frozen=True)
class CaseRecord:
    """A child's case record as the child page and the chronology read it."""

    referrals: list[Referral]  # with .assessments, .cin_plans, .cp_plans and plans' .reviews
    cp_plans: list[ChildProtectionPlan]
    cin_plans: list[ChildInNeedPlan]
    involvements: list[Involvement]  # with agency and lead worker
    allocations: list[Allocation]  # with worker and team


def case_record_for_child(child: Child) -> CaseRecord:
    """The child's episodes (assessments, plans and their reviews), involvements and allocations,
    in one query however many records the child has (issue 16: case pages at most 10)."""
    found = records_in_one_query(
        [
            RecordsPart(
                "referrals", Referral.objects.filter(child=child), {"recorded_by": PERSON_FIELDS}
            ),
            RecordsPart("assessments", Assessment.objects.filter(referral__child=child)),
            RecordsPart("cin_plans", ChildInNeedPlan.objects.filter(child=child)),
            RecordsPart("cp_plans", ChildProtectionPlan.objects.filter(child=child)),
            RecordsPart("cp_reviews", CPReview.objects.filter(plan__child=child)),
            RecordsPart("cin_reviews", CINPlanReview.objects.filter(plan__child=child)),
            RecordsPart(
                "involvements",
                Involvement.objects.filter(child=child),
                {"agency": None, "lead_worker": PERSON_FIELDS},
            ),
            RecordsPart(
                "allocations",
                Allocation.objects.filter(child=child),
                {"worker": PERSON_FIELDS, "team": None},
            ),
        ]
    )
    # Each parent's records as prefetch_related would give them: (parents, relation, records,
    # the records' key to their parent).
    for parents, relation, records, key in (
        ("cp_plans", "reviews", "cp_reviews", "plan_id"),
        ("cin_plans", "reviews", "cin_reviews", "plan_id"),
        ("referrals", "assessments", "assessments", "referral_id"),
        ("referrals", "cin_plans", "cin_plans", "referral_id"),
        ("referrals", "cp_plans", "cp_plans", "referral_id"),
    ):
        by_parent: dict[int, list[Model]] = {}
        for record in found[records]:
            by_parent.setdefault(getattr(record, key), []).append(record)
        for parent in found[parents]:
            _prefetched(parent, relation, by_parent.get(parent.pk, []))
    for involvement in found["involvements"]:
        Involvement.child.field.set_cached_value(involvement, child)
    for allocation in found["allocations"]:
        Allocation.child.field.set_cached_value(allocation, child)
    referrals = cast(list[Referral], found["referrals"])
    return CaseRecord(
        referrals=referrals,
        cp_plans=[p for r in referrals for p in r.cp_plans.all()],
        cin_plans=[p for r in referrals for p in r.cin_plans.all()],
        involvements=cast(list[Involvement], found["involvements"]),
        allocations=cast(list[Allocation], found["allocations"]),
    )
