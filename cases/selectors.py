"""Reads that several views share. Lookups start from neglect_portal.access
(`children_visible_to`, `records_visible_to`); these narrow what they return."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from django.db import models
from django.db.models import Count, Exists, F, Model, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast

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


def on_neglect_plan(on: date) -> Q:
    """Children on a neglect plan at the end of `on`: an open CP plan whose latest category is
    neglect, or an open neglect CIN plan (kpi-definitions.md)."""
    return Q(
        pk__in=open_cp_plans(on).filter(latest_category=CPCategory.NEG).values("child_id")
    ) | Q(pk__in=neglect_cin_plans(open_cin_plans(on)).values("child_id"))


def case_flags(*, on: date) -> dict[str, Exists | Q]:
    """What the children list shows for each child on a page, as per-child subqueries."""
    child = OuterRef("pk")
    return {
        "on_cp_plan": Exists(open_cp_plans(on).filter(child=child)),
        "on_cin_plan": Exists(open_cin_plans(on).filter(child=child)),
        "on_neglect_plan": (
            Exists(open_cp_plans(on).filter(child=child, latest_category=CPCategory.NEG))
            | Exists(neglect_cin_plans(open_cin_plans(on)).filter(child=child))
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


def records_for_child(child: Child) -> QuerySet[Referral]:
    """The child's episodes with everything in them, in a fixed number of queries."""
    return (
        child.referrals.prefetch_related(
            "assessments",
            Prefetch("cin_plans", queryset=ChildInNeedPlan.objects.prefetch_related("reviews")),
            Prefetch("cp_plans", queryset=ChildProtectionPlan.objects.prefetch_related("reviews")),
        )
        .select_related("recorded_by")
        .order_by("-referral_date")
    )


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


# Several kinds of record in one query ------------------------------------------------------

# The column type each kind of field is read as in a UNION: every branch must give each
# column the same type, so a field goes to the first free column of its kind and the others
# are NULLs cast to that kind (PostgreSQL types a UNION's columns pair by pair, so an uncast
# NULL in the first two branches would be text and clash with a date in the third).
_INT_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
_COLUMN_KINDS: dict[str, models.Field] = {
    "int": models.BigIntegerField(),
    "date": models.DateField(),
    "datetime": models.DateTimeField(),
    "bool": models.BooleanField(),
    "json": models.JSONField(),
    "text": models.TextField(),
}


def _column_kind(read: models.Field) -> str:
    internal = (read.target_field if read.is_relation else read).get_internal_type()
    if internal in _INT_TYPES:
        return "int"
    return {
        "DateField": "date",
        "DateTimeField": "datetime",
        "BooleanField": "bool",
        "JSONField": "json",
    }.get(internal, "text")


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


def _read(model: type[Model], names: tuple[str, ...] | None) -> list[models.Field]:
    """The model's concrete fields among `names` (all for None), the primary key always, in
    the model's order (as Model.from_db takes them)."""
    wanted = None if names is None else {model._meta.get_field(n).attname for n in names}
    return [
        f
        for f in model._meta.concrete_fields
        if wanted is None or f.primary_key or f.attname in wanted
    ]


def _part_fields(part: RecordsPart) -> list[tuple[str | None, models.Field]]:
    """(relation or None, field) for every column the part reads, the record's first."""
    model = part.rows.model
    fields: list[tuple[str | None, models.Field]] = [(None, f) for f in _read(model, part.fields)]
    for relation, names in part.related.items():
        target = model._meta.get_field(relation).related_model
        fields += [(relation, f) for f in _read(target, names)]
    return fields


def _sorted_as_meta(records: list[Model], model: type[Model], read: set[str]) -> list[Model]:
    """The records in their model's Meta.ordering, as the database would have returned them,
    by the fields `read` (ordering by a deferred one would cost a query per record)."""
    for key in reversed(model._meta.ordering or ["pk"]):
        name = key.lstrip("-")
        if name != "pk" and model._meta.get_field(name).attname not in read:
            continue
        records.sort(
            key=lambda r: (getattr(r, name) is None, getattr(r, name)),
            reverse=key.startswith("-"),
        )
    return records


def records_in_one_query(parts: list[RecordsPart]) -> dict[str, list[Model]]:
    """The rows of several models (and their related records) as model instances, read in
    one UNION query rather than one query per model: {part name: records in Meta.ordering}.
    Records are whole (no deferred fields), so what a page reads of them costs nothing more."""
    layouts = []
    widths = dict.fromkeys(_COLUMN_KINDS, 0)
    for part in parts:
        used = dict.fromkeys(_COLUMN_KINDS, 0)
        layout = []
        for relation, read in _part_fields(part):
            kind = _column_kind(read)
            layout.append((relation, read, kind, used[kind]))
            used[kind] += 1
        widths = {kind: max(widths[kind], used[kind]) for kind in widths}
        layouts.append(layout)
    columns = [f"{kind}{n}" for kind, width in widths.items() for n in range(width)]
    queries = []
    for part, layout in zip(parts, layouts, strict=True):
        given = {
            f"{kind}{n}": F(f"{relation}__{read.attname}" if relation else read.attname)
            for relation, read, kind, n in layout
        }
        queries.append(
            part.rows.annotate(
                record_kind=Value(part.name),
                **{
                    column: given.get(column)
                    or Cast(Value(None), output_field=_COLUMN_KINDS[column.rstrip("0123456789")])
                    for column in columns
                },
            )
            .values_list("record_kind", *columns)
            .order_by()
        )
    position = {column: i + 1 for i, column in enumerate(columns)}
    by_name = {part.name: (part, layout) for part, layout in zip(parts, layouts, strict=True)}
    found: dict[str, list[Model]] = {part.name: [] for part in parts}
    db = parts[0].rows.db
    for row in queries[0].union(*queries[1:], all=True):
        part, layout = by_name[row[0]]
        values: dict[str | None, list] = {}
        names: dict[str | None, list[str]] = {}
        for relation, read, kind, n in layout:
            values.setdefault(relation, []).append(row[position[f"{kind}{n}"]])
            names.setdefault(relation, []).append(read.attname)
        model = part.rows.model
        record = model.from_db(db, names[None], values[None])
        for relation in part.related:
            relation_field = model._meta.get_field(relation)
            related = values[relation]
            relation_field.set_cached_value(
                record,
                relation_field.related_model.from_db(db, names[relation], related)
                if related[0] is not None
                else None,
            )
        found[part.name].append(record)
    return {
        part.name: _sorted_as_meta(
            found[part.name],
            part.rows.model,
            {f.attname for f in _read(part.rows.model, part.fields)},
        )
        for part in parts
    }


def _prefetched(parent: Model, name: str, records: list[Model]) -> None:
    """Give `parent.<name>.all()` these records without a query, as prefetch_related would."""
    rows = getattr(parent, name).all()
    rows._result_cache = records
    rows._prefetch_done = True
    parent._prefetched_objects_cache = {
        **getattr(parent, "_prefetched_objects_cache", {}),
        name: rows,
    }


@dataclass(frozen=True)
class CaseRecord:
    """A child's case record as the child page and the chronology read it."""

    referrals: list[Referral]  # with .assessments, .cin_plans, .cp_plans and plans' .reviews
    cp_plans: list[ChildProtectionPlan]
    cin_plans: list[ChildInNeedPlan]
    involvements: list[Involvement]  # with agency and lead worker
    allocations: list[Allocation]  # with worker and team


def case_record_for_child(child: Child) -> CaseRecord:
    """Everything records_for_child() gives, and the child's involvements and allocations,
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
    for plans, reviews in (("cp_plans", "cp_reviews"), ("cin_plans", "cin_reviews")):
        for plan in found[plans]:
            _prefetched(plan, "reviews", [r for r in found[reviews] if r.plan_id == plan.pk])
    for referral in found["referrals"]:
        for name in ("assessments", "cin_plans", "cp_plans"):
            _prefetched(referral, name, [r for r in found[name] if r.referral_id == referral.pk])
    for record in [*found["involvements"], *found["allocations"]]:
        Involvement.child.field.set_cached_value(record, child)
    return CaseRecord(
        referrals=found["referrals"],
        cp_plans=[p for r in found["referrals"] for p in r.cp_plans.all()],
        cin_plans=[p for r in found["referrals"] for p in r.cin_plans.all()],
        involvements=found["involvements"],
        allocations=found["allocations"],
    )
