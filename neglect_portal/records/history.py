"""A record's history as people read it: who changed what, when, from which value to which.

Every app's history page renders `history_entries(record)` with `records/_history_entries.html`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import models

from .presentation import field_value

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
M = TypeVar("M", bound=models.Model)
REASON_LENGTH = 100  # simple_history's history_change_reason


def attributed(record: M, *, user: Any = None, reason: str | None = None) -> M:
    """Name who made the change, and why, in the history row that saving `record` writes.
    A service may run outside a request (a command, an import), where the history middleware
    cannot say who."""
    if user is not None:
        setattr(record, "_history_user", user)  # noqa: B010 - simple_history reads these
    if reason is not None:
        # The history row holds 100 characters of reason; the record keeps the whole text.
        reason = reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "…"
        setattr(record, "_change_reason", reason)  # noqa: B010
    return record


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    action: str
    changes: list[Change]
    reason: str = ""  # why, where the change said ("Reopened: …", "Census import run 3")


# A field holding structured answers (a JSON object or list), told part by part: given the
# value before (None when the record was created) and after, the parts that differ as
# Change(label, before, after), each in words.
Parts = Callable[[Any, Any], list[Change]]


def history_entries(record: models.Model, *, parts: dict[str, Parts] | None = None) -> list[Entry]:
    """Newest first. Two queries: the history rows (with their users) and any related names.

    Fields people do not edit (the version, flags derived from other fields) are left out.
    `parts` tells the named fields part by part rather than as one raw value.
    """
    fields = people_fields(type(record))
    history: Any = getattr(record, "history")  # noqa: B009 - simple_history's manager
    rows = list(history.select_related("history_user").order_by("history_date", "history_id"))
    related = related_names(fields, rows)
    entries: list[Entry] = []
    previous: Any = None
    for row in rows:
        entries.append(
            Entry(
                when=row.history_date,
                who=str(row.history_user) if row.history_user else "System (import or data load)",
                action=ACTIONS[row.history_type],
                changes=changes_between(fields, previous, row, related, parts=parts),
                reason=row.history_change_reason or "",
            )
        )
        previous = row
    return entries[::-1]


def people_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a history shows: not the version, nor flags derived from other fields."""
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def changes_between(
    fields: list[models.Field],
    previous: Any,
    row: Any,
    related: dict[tuple[str, Any], str],
    *,
    parts: dict[str, Parts] | None = None,
) -> list[Change]:
    """What `row` (a history row) changed since `previous` (None: what it was created with).
    `related` is related_names() for both rows; `parts` as history_entries()."""
    changes: list[Change] = []
    for field in fields:
        new = _value(field, row, related)
        old = None if previous is None else _value(field, previous, related)
        if parts and field.name in parts:
            if previous is None or old != new:
                changes.extend(parts[field.name](old, new))
            continue
        if previous is None and new in (None, "", []):
            continue
        if previous is None or old != new:
            changes.append(
                Change(
                    str(field.verbose_name).capitalize(),
                    "" if previous is None else field_value(field, old),
                    field_value(field, new),
                )
            )
    return changes


def _value(field: models.Field, row: Any, related: dict) -> Any:
    value = getattr(row, field.attname)
    return related.get((field.name, value), value) if field.is_relation else value


def related_names(fields: list[models.Field], rows: list[Any]) -> dict[tuple[str, Any], str]:
    """Names for foreign keys (users, agencies, parents) in one query per related model."""
    names = {}
    for field in fields:
        if not field.is_relation:
            continue
        ids = {getattr(row, field.attname) for row in rows} - {None}
        related: Any = field.related_model
        if ids:
            for obj in related._default_manager.filter(pk__in=ids):
                names[(field.name, obj.pk)] = str(obj)
    return names
