"""Strengths and Difficulties Questionnaire (SDQ) scoring, as pure functions.

The questionnaire wording is Youthinmind's copyright and is not reproduced: items are identified
by number, with our own short labels. The scoring rules are in section 4 of the domain
reference. Band tables are data (toolkit/sdq_bands.py) that an administrator may correct.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from toolkit.sdq_bands import BAND_TABLES, DIFFICULTY_LABELS, PROSOCIAL_LABELS

SCALE_ITEMS = {
    "emotional": (3, 8, 13, 16, 24),
    "conduct": (5, 7, 12, 18, 22),
    "hyperactivity": (2, 10, 15, 21, 25),
    "peer": (6, 11, 14, 19, 23),
    "prosocial": (1, 4, 9, 17, 20),
}
REVERSED = frozenset({7, 11, 14, 21, 25})

ITEM_LABELS = {
    1: "Consideration for others",
    2: "Restlessness",
    3: "Physical complaints",
    4: "Sharing",
    5: "Temper",
    6: "Solitariness",
    7: "Compliance",
    8: "Worrying",
    9: "Helpfulness",
    10: "Fidgeting",
    11: "Close friendship",
    12: "Fighting",
    13: "Low mood",
    14: "Peer acceptance",
    15: "Distractibility",
    16: "Nervousness",
    17: "Gentleness",
    18: "Dishonesty",
    19: "Victimisation",
    20: "Volunteering",
    21: "Forethought",
    22: "Stealing",
    23: "Preference for adults",
    24: "Fearfulness",
    25: "Task persistence",
}
# The 2-4 form asks about something else at items 18 and 22 (scored the same way).
ITEM_LABELS_2_4 = {**ITEM_LABELS, 18: "Argumentativeness", 22: "Spitefulness"}

INFORMANTS = ("parent", "teacher", "self")
DIFFICULTIES = ("no", "minor", "definite", "severe")
IMPACT_ITEMS = {
    "parent": ("distress", "home_life", "friendships", "classroom_learning", "leisure"),
    "self": ("distress", "home_life", "friendships", "classroom_learning", "leisure"),
    "teacher": ("distress", "peer_relationships", "classroom_learning"),
}
# Answer codes 0-3 (Not at all, Only a little, Quite a lot, A great deal) score 0, 0, 1, 2.
_IMPACT_POINTS = (0, 0, 1, 2)

_SCALE_MAX = {
    **dict.fromkeys(SCALE_ITEMS, 10),
    "total": 40,
    "externalising": 20,
    "internalising": 20,
}
_REQUIRED_BANDS = (*SCALE_ITEMS, "total")
SCORED = (*SCALE_ITEMS, "total", "externalising", "internalising", "impact")


@dataclass(frozen=True)
class SDQResult:
    informant: str
    version: str  # with informant, names the band table used: ("parent", "4-17") etc.
    bands_provisional: bool
    emotional: int | None
    conduct: int | None
    hyperactivity: int | None
    peer: int | None
    prosocial: int | None
    total: int | None
    externalising: int | None
    internalising: int | None
    impact: int | None
    emotional_band: str | None
    conduct_band: str | None
    hyperactivity_band: str | None
    peer_band: str | None
    prosocial_band: str | None
    total_band: str | None
    externalising_band: str | None
    internalising_band: str | None
    impact_band: str | None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def form_version(informant, age):
    """The SDQ form (and so the band table) for an informant and a child's age in years."""
    if informant not in INFORMANTS:
        raise ValueError(f"informant must be one of {', '.join(INFORMANTS)}; got {informant!r}")
    if not _is_int(age):
        raise ValueError(f"age must be whole years; got {age!r}")
    if informant == "self":
        if 11 <= age <= 17:
            return "11-17"
        raise ValueError(f"the self-report SDQ is for ages 11 to 17; got {age}")
    # The official 2-4 and 4-17 forms overlap at age 4: we take the 2-4 form (and its bands)
    # for 2, 3 and 4 year olds and the 4-17 form from 5.
    if 2 <= age <= 4:
        return "2-4"
    if 5 <= age <= 17:
        return "4-17"
    raise ValueError(f"the {informant} SDQ is for ages 2 to 17; got {age}")


def _prorate(total, answered):
    # 5 * total / answered rounded half up, in integers: round() rounds half to even.
    return (10 * total + answered) // (2 * answered)


def _item_scores(responses):
    if not isinstance(responses, Mapping):
        raise ValueError("responses must map item numbers 1-25 to 0, 1, 2 or None")
    scores = {}
    for item, answer in responses.items():
        if not _is_int(item) or not 1 <= item <= 25:
            raise ValueError(f"SDQ item numbers run from 1 to 25; got {item!r}")
        if answer is None:
            continue
        if not _is_int(answer) or answer not in (0, 1, 2):
            raise ValueError(f"item {item}: answer must be 0, 1, 2 or None; got {answer!r}")
        scores[item] = 2 - answer if item in REVERSED else answer
    return scores


def _scale(scores, items):
    answered = [scores[item] for item in items if item in scores]
    if len(answered) < 3:
        return None
    return _prorate(sum(answered), len(answered))


def _add(*parts):
    return None if None in parts else sum(parts)


def _impact(impact, informant):
    if impact is None:
        return None
    if not isinstance(impact, Mapping):
        raise ValueError("impact must be None or a mapping of impact questions to answers")
    items = IMPACT_ITEMS[informant]
    unknown = set(impact) - {"difficulties", *items}
    if unknown:
        names = ", ".join(sorted(map(repr, unknown)))
        raise ValueError(f"impact questions not on the {informant} form: {names}")
    difficulties = impact.get("difficulties")
    if difficulties is not None and difficulties not in DIFFICULTIES:
        raise ValueError(
            f"impact difficulties must be one of {', '.join(DIFFICULTIES)} or None; "
            f"got {difficulties!r}"
        )
    answers = [impact.get(item) for item in items]
    for item, answer in zip(items, answers, strict=True):
        if answer is not None and (not _is_int(answer) or not 0 <= answer <= 3):
            raise ValueError(f"impact {item}: answer must be 0, 1, 2, 3 or None; got {answer!r}")
    if difficulties == "no":
        return 0
    # Unanswered first question: we cannot tell whether the rest applies.
    if difficulties is None or None in answers:
        return None
    return sum(_IMPACT_POINTS[answer] for answer in answers)


def validate_band_table(table, informant):
    """Raise ValueError unless each scale's bands cover its whole range exactly once.

    Labels must be the four-band labels for the scale, in order of severity.
    """
    if informant not in INFORMANTS:
        raise ValueError(f"informant must be one of {', '.join(INFORMANTS)}; got {informant!r}")
    if not isinstance(table, Mapping) or set(table) != {"provisional", "scales"}:
        raise ValueError("a band table has exactly the keys 'provisional' and 'scales'")
    if not isinstance(table["provisional"], bool):
        raise ValueError("a band table's 'provisional' must be True or False")
    scales = table["scales"]
    if not isinstance(scales, Mapping):
        raise ValueError("a band table's 'scales' must map scale names to bands")
    maxima = {**_SCALE_MAX, "impact": 2 * len(IMPACT_ITEMS[informant])}
    missing = [name for name in _REQUIRED_BANDS if name not in scales]
    if missing:
        raise ValueError(f"band table has no bands for: {', '.join(missing)}")
    for name, bands in scales.items():
        if name not in maxima:
            raise ValueError(f"band table has an unknown scale {name!r}")
        _validate_bands(name, bands, maxima[name])


def _validate_bands(name, bands, maximum):
    labels = PROSOCIAL_LABELS if name == "prosocial" else DIFFICULTY_LABELS
    # Prosocial is a strength: its bands get worse as the score falls.
    direction = -1 if name == "prosocial" else 1
    if not isinstance(bands, list | tuple):
        raise ValueError(f"{name}: bands must be a list of (low, high, label)")
    checked = []
    for band in bands:
        if (
            not isinstance(band, list | tuple)
            or len(band) != 3
            or not (_is_int(band[0]) and _is_int(band[1]))
        ):
            raise ValueError(f"{name}: each band is (low, high, label); got {band!r}")
        low, high, label = band
        if label not in labels:
            raise ValueError(
                f"{name}: band label must be one of {', '.join(labels)}; got {label!r}"
            )
        if low > high:
            raise ValueError(f"{name}: band {low}-{high} runs backwards")
        if low < 0:
            raise ValueError(f"{name}: band {low}-{high} starts below 0")
        checked.append((low, high, labels.index(label)))
    expected, previous = 0, None
    for low, high, severity in sorted(checked):
        if low < expected:
            raise ValueError(f"{name}: band {low}-{high} overlaps the band before it")
        if low > expected:
            raise ValueError(f"{name}: no band covers {expected}-{low - 1}")
        if previous is not None and (severity - previous) * direction <= 0:
            raise ValueError(f"{name}: band {low}-{high} is out of order of severity")
        expected, previous = high + 1, severity
    if expected != maximum + 1:
        end = "goes past" if expected > maximum + 1 else "stops short of"
        raise ValueError(f"{name}: bands must end at {maximum}, but the last {end} it")


def _band(table, name, value):
    if value is None or name not in table["scales"]:
        return None
    return next(label for low, high, label in table["scales"][name] if low <= value <= high)


def score(responses, *, informant, age, impact=None, bands=BAND_TABLES):
    """Score one completed SDQ.

    responses maps item number (1-25) to the raw answer, before reverse scoring: 0 Not true,
    1 Somewhat true, 2 Certainly true, None or absent unanswered. impact is None or a mapping of
    "difficulties" ("no", "minor", "definite", "severe") and the informant's impact questions
    to answer codes 0-3. bands maps (informant, version) to band tables, like BAND_TABLES.
    """
    version = form_version(informant, age)
    table = bands.get((informant, version))
    if table is None:
        raise ValueError(f"no band table for the {informant} {version} form")
    validate_band_table(table, informant)
    items = _item_scores(responses)
    scores = {name: _scale(items, numbers) for name, numbers in SCALE_ITEMS.items()}
    scores["total"] = _add(
        scores["emotional"], scores["conduct"], scores["hyperactivity"], scores["peer"]
    )
    scores["externalising"] = _add(scores["conduct"], scores["hyperactivity"])
    scores["internalising"] = _add(scores["emotional"], scores["peer"])
    scores["impact"] = _impact(impact, informant)
    return SDQResult(
        informant=informant,
        version=version,
        bands_provisional=table["provisional"],
        **scores,
        **{f"{name}_band": _band(table, name, scores[name]) for name in SCORED},
    )
