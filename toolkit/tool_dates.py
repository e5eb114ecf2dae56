"""Each child's latest completion of each mandatory tool, stored (ToolDates), so a caseload of
thousands is put in order of urgency by the database and only the page shown is read in full.

The dates are what toolkit.status.latest_completions() answers, with no end date: they do not
change as days pass, only when a tool, a chronology or an entry is saved or deleted, which is
when they are rewritten. *My children* orders by them and reads the statuses of its page from
toolkit.status; *My tasks* reads them for every child of a caseload (`latest_up_to`).
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Least
from django.db.models.signals import post_delete, post_save

from cases.models import Child

from .models import Chronology, ChronologyEntry, ToolDates
from .status import (
    CURRENT_FOR,
    DUE_SOON_WITHIN,
    MANDATORY_FORMS,
    MANDATORY_TOOLS,
    latest_completions,
)

# Children read and written at a time: the completions' UNION names each id once per tool
# table, within SQLite's limit of 32,766 parameters a statement.
BATCH = 2000


def refresh(child_ids: Iterable[int]) -> None:
    """Rewrite the stored dates of these children from their tools."""
    child_ids = sorted(set(child_ids))
    for start in range(0, len(child_ids), BATCH):
        batch = child_ids[start : start + BATCH]
        # Every completion, whatever its date: date.max stands for no end date.
        latest = latest_completions(batch, date.max)
        ToolDates.objects.bulk_create(
            [ToolDates(child_id=child, **dates) for child, dates in latest.items()],
            update_conflicts=True,
            unique_fields=["child"],
            update_fields=list(MANDATORY_TOOLS),
        )


def rebuild() -> int:
    """Rewrite the stored dates of every child from their tools; the number of children."""
    ids = list(Child.objects.order_by("pk").values_list("pk", flat=True))
    refresh(ids)
    return len(ids)


def with_stored_dates(children: QuerySet[Child]) -> QuerySet[Child]:
    """`children` with their stored dates, for latest_up_to(): one join, no query."""
    return children.annotate(
        **{f"stored_{tool}": F(f"tool_dates__{tool}") for tool in MANDATORY_TOOLS}
    )


def latest_up_to(children: Iterable[Child], on: date) -> dict[int, dict[str, date | None]]:
    """What latest_completions(children, on) answers, from the dates with_stored_dates() read:
    the latest of all is the latest up to `on` unless it came after `on` (a past day asked
    about), and only such children have their tools read."""
    found: dict[int, dict[str, date | None]] = {}
    later = []
    for child in children:
        stored = {tool: getattr(child, f"stored_{tool}") for tool in MANDATORY_TOOLS}
        if any(day is not None and day > on for day in stored.values()):
            later.append(child.pk)
        else:
            found[child.pk] = stored
    if later:
        found.update(latest_completions(later, on))
    return found


# Ordering a caseload -----------------------------------------------------------------------

# Worst first, as toolkit.status's states: overdue or never completed, due soon, current.
_OVERDUE, _DUE_SOON, _CURRENT = 0, 1, 2


def _urgency(tool: str, on: date) -> Case:
    """The tool's state on `on` as a number, from its stored date (toolkit.status.state_on:
    current while completed within six months, due soon within 30 days of that ending)."""
    stored = f"tool_dates__{tool}"
    return Case(
        When(**{f"{stored}__gt": on + DUE_SOON_WITHIN - CURRENT_FOR}, then=Value(_CURRENT)),
        When(**{f"{stored}__gt": on - CURRENT_FOR}, then=Value(_DUE_SOON)),
        default=Value(_OVERDUE),
        output_field=IntegerField(),
    )


def most_urgent_first(children: QuerySet[Child], on: date) -> QuerySet[Child]:
    """`children` with those whose tools are most overdue on `on` first: any tool overdue or
    never completed, then the most such tools, then any due soon; then by name."""
    urgency = {tool: _urgency(tool, on) for tool in MANDATORY_TOOLS}
    overdue: Combinable = Value(0)
    for tool in MANDATORY_TOOLS:
        overdue = overdue + Case(
            When(Q(**{f"urgency_{tool}": _OVERDUE}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return (
        children.alias(**{f"urgency_{tool}": case for tool, case in urgency.items()})
        .alias(worst=Least(*(f"urgency_{tool}" for tool in MANDATORY_TOOLS)), overdue=overdue)
        .order_by("worst", "-overdue", "family_name", "given_name", "pk")
    )


# Keeping the dates ---------------------------------------------------------------------------


def _to_skip(kwargs) -> bool:
    # Loading fixtures: `manage.py refresh_tool_dates` afterwards. Deleting a child: its dates
    # go with it, and writing them again would name a child about to be deleted.
    origin = kwargs.get("origin")
    deleting = origin.model if isinstance(origin, QuerySet) else type(origin)
    return kwargs.get("raw", False) or deleting is Child


def _tool_changed(sender, instance, **kwargs) -> None:
    if not _to_skip(kwargs):
        refresh([instance.child_id])


def _entry_changed(sender, instance, **kwargs) -> None:
    if not _to_skip(kwargs):
        chronology = Chronology.objects.filter(pk=instance.chronology_id)
        refresh(chronology.values_list("child_id", flat=True))


def connect_signals() -> None:
    """Rewrite a child's dates whenever one of its mandatory tools, its chronology or an
    entry is saved or deleted. In the same transaction, so they cannot disagree once it
    commits; records written in bulk (generated demo data) call refresh() themselves."""
    for model in [*MANDATORY_FORMS.values(), Chronology]:
        label = model._meta.label
        post_save.connect(_tool_changed, sender=model, dispatch_uid=f"tool-dates-save-{label}")
        post_delete.connect(_tool_changed, sender=model, dispatch_uid=f"tool-dates-del-{label}")
    post_save.connect(_entry_changed, sender=ChronologyEntry, dispatch_uid="tool-dates-save-entry")
    post_delete.connect(
        _entry_changed, sender=ChronologyEntry, dispatch_uid="tool-dates-delete-entry"
    )
