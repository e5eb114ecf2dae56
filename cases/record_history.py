"""Readable history of a case record: who changed what, when, from which value to which."""

from dataclasses import dataclass
from datetime import datetime

from .display import display_value
from .models import (
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Involvement,
    Referral,
)

# The URL's record kind → model. Every case model has a history page.
KINDS = {
    "child": Child,
    "referral": Referral,
    "assessment": Assessment,
    "cin-plan": ChildInNeedPlan,
    "cp-plan": ChildProtectionPlan,
    "cp-review": CPReview,
    "involvement": Involvement,
}
_HIDDEN = {"version", "neglect_presenting", "neglect_identified"}


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


def history_entries(record) -> list[Entry]:
    """Newest first. Two queries: the history rows (with their users) and any related names."""
    model = type(record)
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in _HIDDEN and f.name != "id" and f.editable
    ]
    rows = list(
        record.history.select_related("history_user").order_by("history_date", "history_id")
    )
    related = _related_names(fields, rows)
    entries, previous = [], None
    for row in rows:
        changes = []
        for field in fields:
            new = _value(field, row, related)
            old = None if previous is None else _value(field, previous, related)
            if previous is None and new in (None, "", []):
                continue
            if previous is None or old != new:
                changes.append(
                    Change(
                        str(field.verbose_name).capitalize(),
                        "" if previous is None else display_value(field, old),
                        display_value(field, new),
                    )
                )
        entries.append(
            Entry(
                when=row.history_date,
                who=str(row.history_user) if row.history_user else "System (import or data load)",
                action={"+": "Created", "~": "Changed", "-": "Deleted"}[row.history_type],
                changes=changes,
            )
        )
        previous = row
    return entries[::-1]


def _value(field, row, related):
    value = getattr(row, field.attname)
    return related.get((field.name, value), value) if field.is_relation else value


def _related_names(fields, rows):
    """Names for foreign keys (users, agencies, parents) in one query per related model."""
    names = {}
    for field in fields:
        if not field.is_relation:
            continue
        ids = {getattr(row, field.attname) for row in rows} - {None}
        if ids:
            for obj in field.related_model._default_manager.filter(pk__in=ids):
                names[(field.name, obj.pk)] = str(obj)
    return names
