"""Which completed tools informed a plan or a review (shared/domain.md §7: tools must inform
planning).

The tools live in the toolkit, which stands on this app, so cases may not import it. Instead
the toolkit registers three functions here when it is ready (toolkit.apps): what a child's
completed tools were on a date, how to record the ones ticked, and which tools informed given
plans or reviews. The forms and pages of this app call these and never name a tool model.
Without a toolkit (a test of cases alone) there is simply nothing to tick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Model

from neglect_portal.dates import long_date


@dataclass(frozen=True)
class InformingTool:
    """One completed tool a practitioner may say informed a plan or review."""

    # Stable across requests: "<tool kind>:<id>" (the chronology is "chronology:<id>").
    key: str
    name: str
    completed_on: date
    # Current on the date asked about (completed in the six months up to it): ticked by default.
    current: bool
    url: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}, completed {long_date(self.completed_on)}"


Choices = Callable[[Any, date], list[InformingTool]]
Recorder = Callable[..., None]
Reader = Callable[[Sequence[Model]], dict[tuple[str, int], list[InformingTool]]]


@dataclass
class _Registry:
    choices: Choices | None = None
    recorder: Recorder | None = None
    reader: Reader | None = None


_registry = _Registry()


def register(*, choices: Choices, recorder: Recorder, reader: Reader) -> None:
    """Called once by the app that holds the tools (toolkit.apps.ToolkitConfig.ready)."""
    _registry.choices, _registry.recorder, _registry.reader = choices, recorder, reader


def tools_on(child: Any, on: date) -> list[InformingTool]:
    """The child's tools completed on or before `on`, newest first; `current` marks those
    current on `on`."""
    return _registry.choices(child, on) if _registry.choices else []


def record(informed: Model, *, keys: Iterable[str], on: date, user: Any) -> None:
    """Link `informed` (a CP review, CIN plan review, CP or CIN plan) to the tools `keys`
    name, as they stood on `on`. Call inside the transaction that saves `informed`."""
    if _registry.recorder is not None:
        _registry.recorder(informed, keys=list(keys), on=on, user=user)


def informing(records: Sequence[Model]) -> dict[tuple[str, int], list[InformingTool]]:
    """{(model label, pk): the tools that informed it} for plans and reviews, in one query per
    kind of record at most."""
    if not records or _registry.reader is None:
        return {}
    return _registry.reader(records)


def key_of(record: Model) -> tuple[str, int]:
    """How `informing()` names a record."""
    return (record._meta.label_lower, record.pk)
