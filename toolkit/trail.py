"""A tool's trail: its history told answer by answer, not as the raw JSON the answers are kept in.

Each tool keeps its structured answers (day sections, domain ratings, SDQ items, next steps) in
JSON fields; the records kernel's history rendering takes these `Parts` to tell them in words.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from neglect_portal.dates import long_date
from neglect_portal.records.history import Change, Parts
from neglect_portal.records.presentation import NOT_RECORDED

from .content import CHECKLIST_DOMAINS, DAY_SECTIONS, OBSERVATION_DOMAINS, Concern, ObservedQuality
from .sdq import ITEM_LABELS, ITEM_LABELS_2_4
from .tool_forms import ANSWERS, DIFFICULTY_CHOICES, IMPACT_ANSWERS, IMPACT_LABELS

Labels = Mapping[str, str]


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _words(value: Any, labels: Labels | None = None) -> str:
    if _empty(value):
        return NOT_RECORDED
    if labels is not None and str(value) in labels:
        return labels[str(value)]
    if isinstance(value, str):
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _change(created: bool, label: str, before: Any, after: Any, labels: Labels | None = None):
    """A Change when the part differs (on creation, when it was given at all), else None."""
    if created:
        return None if _empty(after) else Change(label, "", _words(after, labels))
    if (None if _empty(before) else before) == (None if _empty(after) else after):
        return None
    return Change(label, _words(before, labels), _words(after, labels))


def _ordered(known: Labels, *values: Mapping) -> list[str]:
    """The known keys in their order, then any others (from an older version of the tool)."""
    others = sorted({str(key) for value in values for key in value} - set(known))
    return [*known, *others]


def nested(domains: Labels, aspects: Mapping[str, tuple[str, Labels | None]]) -> Parts:
    """{domain: {aspect: answer}}, e.g. a checklist's {"nutrition": {"concern": …,
    "evidence": …}}: one change per domain and aspect that differs."""

    def parts(old: Any, new: Any) -> list[Change]:
        created, old, new = old is None, old or {}, new or {}
        changes = []
        for key in _ordered(domains, old, new):
            for aspect, (aspect_label, labels) in aspects.items():
                change = _change(
                    created,
                    f"{domains.get(key, key)}: {aspect_label}",
                    (old.get(key) or {}).get(aspect),
                    (new.get(key) or {}).get(aspect),
                    labels,
                )
                if change:
                    changes.append(change)
        return changes

    return parts


def flat(keys: Labels, labels: Mapping[str, Labels]) -> Parts:
    """{key: answer}, e.g. an SDQ's {"1": 0, "2": 2}; `labels` names each key's answers
    (under "" for every key without its own)."""

    def parts(old: Any, new: Any) -> list[Change]:
        created, old, new = old is None, old or {}, new or {}
        changes = []
        for key in _ordered(keys, old, new):
            answer_labels = labels.get(key, labels.get(""))
            change = _change(created, keys.get(key, key), old.get(key), new.get(key), answer_labels)
            if change:
                changes.append(change)
        return changes

    return parts


def _day_section_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for sections in DAY_SECTIONS.values():
        for key, label in sections.items():
            labels.setdefault(key, label)
    return labels


def _sdq_item_labels() -> dict[str, str]:
    labels = {}
    for item, label in ITEM_LABELS.items():
        other = ITEM_LABELS_2_4[item]
        # Items 18 and 22 ask about something else on the 2–4 form.
        named = label if other == label else f"{label} (2–4 form: {other.lower()})"
        labels[str(item)] = f"Item {item}. {named}"
    return labels


_IMPACT_KEYS = {"difficulties": "Difficulties overall", **IMPACT_LABELS}

HISTORY_PARTS: dict[str, dict[str, Parts]] = {
    "day": {
        "sections": nested(
            _day_section_labels(),
            {"parent": ("the parent's account", None), "child": ("the child's account", None)},
        )
    },
    "checklist": {
        "ratings": nested(
            CHECKLIST_DOMAINS,
            {
                "concern": ("level of concern", dict(Concern.choices)),
                "evidence": ("evidence", None),
            },
        )
    },
    "observation": {
        "ratings": nested(
            OBSERVATION_DOMAINS,
            {
                "quality": ("what was observed", dict(ObservedQuality.choices)),
                "evidence": ("evidence", None),
            },
        )
    },
    "sdq": {
        "responses": flat(_sdq_item_labels(), {"": dict(ANSWERS)}),
        "impact": flat(
            _IMPACT_KEYS, {"difficulties": dict(DIFFICULTY_CHOICES), "": dict(IMPACT_ANSWERS)}
        ),
    },
    # Its steps are rows with their own history pages (toolkit:next_step_history).
    "next-steps": {},
}
