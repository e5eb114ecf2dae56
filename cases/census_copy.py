"""Insert the census import's new records, and a creation history row for each, in bulk.

On PostgreSQL the rows go in with COPY, ids reserved from the table's sequence first so the
caller's objects know theirs. bulk_create_with_history was measured not to get there: for
50,000 children (290,000 records and as many history rows) it spent 17.6 s inside the
database driver alone and about as long again preparing each field in Python, and in batches
of 5,000 the first import still took 41.6 s (and 135 MB); COPY of the same rows takes under
5 s. Elsewhere (SQLite for development and the test suite) it is simple_history's
bulk_create_with_history, which writes the same rows.

Either way each record gets one history row of type "+", with the acting user (or, without
one, whoever simple_history would take from the request) and the change reason, as
simple_history writes them; and COPY is logged as a query when queries are being captured, so
query budgets count it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from neglect_portal.records.field_kinds import INTEGER_FIELDS

BATCH_SIZE = 1000

_TEXTS = frozenset({"CharField", "TextField", "SlugField", "EmailField"})
# COPY's text format: these four characters stand for themselves only when escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def create_with_history(
    model: type[models.Model], objs: Sequence[models.Model], *, user, change_reason: str
) -> None:
    """Insert `objs` (new, unsaved) and their creation history; sets each one's pk."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        created = bulk_create_with_history(
            objs,
            model,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=change_reason,
        )
        if objs[0].pk is None:
            # Only databases that cannot return ids from bulk inserts get here.
            for obj, row in zip(objs, created, strict=True):
                obj.pk = row.pk
        return
    _reserve_ids(model, objs)
    _copy(model, objs, model._meta.concrete_fields)
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return  # as bulk_history_create, which writes nothing then
    history = get_history_manager_for_model(model).model
    if user is None:
        # What bulk_history_create falls back to: the request's user, when there is one.
        user = history.get_default_history_user(objs[0])
    same = {
        "history_date": timezone.now(),
        "history_user_id": None if user is None else user.pk,
        "history_change_reason": change_reason,
        "history_type": "+",
    }
    # A history row copies each tracked field from the object; its own id is the table's.
    tracked = [
        f for f in history._meta.concrete_fields if f.attname not in same and not f.primary_key
    ]
    _copy(history, objs, tracked, same=same)


def _reserve_ids(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), pk.column, len(objs)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value


def _int(v):
    return _NULL if v is None else str(v)


def _text(v):
    if v is None:
        return _NULL
    # Most values are codes: checking is cheaper than translating every one.
    if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
        return v.translate(_ESCAPES)
    return v


def _date(v):
    return _NULL if v is None else v.isoformat()


def _boolean(v):
    return _NULL if v is None else ("t" if v else "f")


def _converter(field: models.Field) -> Callable[[Any], str]:
    """How a Python value of `field` is written in COPY's text format."""
    while field.is_relation:
        field = field.target_field
    kind = field.get_internal_type()
    if kind in INTEGER_FIELDS:
        return _int
    if kind in _TEXTS:
        return _text
    if kind in ("DateField", "DateTimeField"):
        return _date
    if kind == "BooleanField":
        return _boolean
    if kind == "JSONField":
        encode = json.JSONEncoder(cls=field.encoder).encode if field.encoder else _json
        return lambda v: _NULL if v is None else _text(encode(v))
    # A new kind of field on an imported model needs its own conversion here: refuse rather
    # than guess (the PostgreSQL test run finds it).
    raise TypeError(f"census_copy cannot write {field.model.__name__}.{field.name} ({kind})")


_json = json.JSONEncoder().encode


def _copy(
    model: type[models.Model],
    objs: Sequence[models.Model],
    fields: Sequence[models.Field],
    *,
    same: dict[str, Any] | None = None,
) -> None:
    """COPY a row per object into `model`'s table: `fields` from the object's attribute of
    the same name, and the fields named in `same` with the same value in every row."""
    same = same or {}
    fixed = [model._meta.get_field(name) for name in same]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*fields, *fixed])
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    values = attrgetter(*[f.attname for f in fields])
    if len(fields) == 1:
        values = lambda obj, one=values: (one(obj),)  # noqa: E731
    converters = [_converter(f) for f in fields]
    end = "".join("\t" + _converter(f)(same[f.attname]) for f in fixed) + "\n"
    data = io.StringIO()
    for obj in objs:
        row = [convert(v) for convert, v in zip(converters, values(obj), strict=True)]
        data.write("\t".join(row) + end)
    data.seek(0)
    with connection.cursor() as cursor:
        # Logged like any other query while queries are captured (tests' query budgets), and
        # its errors raised as Django's (an IntegrityError is what the import expects).
        logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, connection.wrap_database_errors:
            cursor.cursor.copy_expert(sql, data)
