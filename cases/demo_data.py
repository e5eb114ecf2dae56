"""Synthetic case records for demonstrations and benchmarks (`manage.py generate_demo_data`).

Every record is invented: names come from short built-in lists and every date from a seeded
`random.Random`, so the same seed, "today" and starting number give the same records. The
shape follows the CIN census and the proportions the dataset pages need something true to show:
about 60% of CP plans for neglect, repeat plans, long CIN plans, re-referrals, and involvements
across every demo agency.

Apps standing on cases add their own records to each generated child (the toolkit's tools for
children on a neglect plan): an app's `demo_data` module that defines
`child_extension(context)` returns a `ChildExtension`, found by name through
`neglect_portal.demo.app_demo_modules`, so cases imports none of those apps.

Two halves: `DemoDataGenerator` builds unsaved model instances and touches no database;
`generate_demo_data()` writes them in batches with `bulk_create`, one transaction per batch, so
memory stays flat however many children are asked for.
"""

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from django.contrib.auth.hashers import make_password
from django.db import models, reset_queries, transaction
from django.db.models import Max, Q
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from neglect_portal import dates
from neglect_portal.demo import (
    AGENCIES,
    COMMUNITY_HEALTH,
    CSC,
    EARLY_HELP,
    EDUCATION,
    HEALTH_PRACTITIONER,
    MENTAL_HEALTH,
    POLICE,
    VOLUNTARY,
    app_demo_modules,
)
from neglect_portal.demo_random import DemoRandom
from neglect_portal.models import Agency, Team, User

from .codes import (
    ASSESSMENT_FACTORS,
    NEGLECT_FACTOR,
    ClosureReason,
    CPCategory,
    Disability,
    Ethnicity,
    PresentingFactor,
    PrimaryNeed,
    ReferralSource,
    Sex,
    VoiceAnswer,
)
from .models import (
    Allocation,
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Involvement,
    Referral,
)
from .services import referral_for_new_child

LA_CHILD_ID_PREFIX = "DfEX"
# Practitioners made up to write records, such as the toolkit's: `generated-police-001`.
GENERATED_USER_PREFIX = "generated-"
LA_CHILD_ID_DIGITS = 7
HISTORY_CHANGE_REASON = "Synthetic demo data"

# The practitioner's caseload stays realistic however many children are generated.
PRACTITIONER_CASELOAD = 30
# Changes of allocated worker during a child's open episode, and why each happened (§7).
WORKER_CHANGE_COUNT_WEIGHTS = {0: 45, 1: 27, 2: 14, 3: 9, 4: 5}
CHANGE_REASON_WEIGHTS = {
    Allocation.Reason.WORKER_LEFT: 35,
    Allocation.Reason.MOVED_TEAM: 18,
    Allocation.Reason.TRANSFERRED: 30,
    Allocation.Reason.STEP_DOWN: 12,
    Allocation.Reason.OTHER: 5,
}
# So the demo shows WORKER_CHANGES_12M's numerator: the demo practitioner's first child with
# a long enough open episode has this many changes in the last year.
DEMO_CHANGES_IN_YEAR = 3

BOYS_NAMES = (
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "Henry",
    "William",
    "Joshua",
    "James",
    "Alfie",
    "Freddie",
    "Theo",
    "Archie",
    "Isaac",
    "Ethan",
    "Lucas",
    "Mason",
    "Logan",
    "Kai",
    "Riley",
    "Tyler",
    "Dylan",
    "Callum",
    "Liam",
    "Jayden",
    "Reuben",
    "Ryan",
    "Kieran",
    "Connor",
    "Aaron",
    "Daniel",
    "Samuel",
    "Max",
)
GIRLS_NAMES = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Willow",
    "Florence",
    "Emily",
    "Ella",
    "Poppy",
    "Evie",
    "Elsie",
    "Charlotte",
    "Evelyn",
    "Sienna",
    "Daisy",
    "Phoebe",
    "Ruby",
    "Harper",
    "Millie",
    "Maisie",
    "Chloe",
    "Jessica",
    "Amber",
    "Leah",
    "Megan",
    "Aisha",
    "Zara",
    "Hannah",
    "Layla",
    "Erin",
    "Holly",
    "Niamh",
)
FAMILY_NAMES = (
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Khan",
    "Ali",
    "Hussain",
    "Begum",
    "Ahmed",
    "Kaur",
    "Singh",
    "Mensah",
    "Okafor",
    "Nowak",
    "Kowalski",
    "O'Brien",
    "Campbell",
    "Stewart",
)

ETHNICITY_WEIGHTS = {
    "WBRI": 680,
    "WIRI": 8,
    "WIRT": 4,
    "WOTH": 55,
    "WROM": 10,
    "MWBC": 25,
    "MWBA": 12,
    "MWAS": 15,
    "MOTH": 25,
    "AIND": 15,
    "APKN": 25,
    "ABAN": 10,
    "AOTH": 12,
    "BCRB": 10,
    "BAFR": 30,
    "BOTH": 6,
    "CHNE": 3,
    "OOTH": 15,
    "REFU": 5,
    "NOBT": 35,
}
assert set(ETHNICITY_WEIGHTS) == set(Ethnicity.values)
DISABILITIES = [code for code in Disability.values if code != Disability.NONE]

SOURCE_WEIGHTS = {
    "1A": 40,
    "1B": 8,
    "1C": 6,
    "1D": 10,
    "2A": 170,
    "2B": 15,
    "3A": 30,
    "3B": 30,
    "3C": 10,
    "3D": 15,
    "3E": 35,
    "3F": 25,
    "4": 20,
    "5A": 40,
    "5B": 25,
    "5C": 20,
    "5D": 30,
    "6": 290,
    "7": 15,
    "8": 40,
    "9": 15,
    "10": 10,
}
assert set(SOURCE_WEIGHTS) == set(ReferralSource.values)

# Presenting factors other than neglect: neglect itself is decided separately (~12%).
OTHER_PRESENTING = {
    "domestic_abuse": 30,
    "parental_mental_health": 22,
    "parental_substance_misuse": 16,
    "emotional_abuse": 12,
    "physical_abuse": 12,
    "sexual_abuse": 5,
    "exploitation": 6,
    "other": 25,
}
assert set(OTHER_PRESENTING) | {PresentingFactor.NEGLECT} == set(PresentingFactor.values)

PRIMARY_NEED_WEIGHTS = {
    "N0": 4,
    "N1": 34,
    "N2": 6,
    "N3": 6,
    "N4": 12,
    "N5": 18,
    "N6": 4,
    "N7": 2,
    "N8": 3,
    "N9": 11,
}
assert set(PRIMARY_NEED_WEIGHTS) == set(PrimaryNeed.values)

# Factors at assessment other than neglect (16A), weighted like the national CIN census.
OTHER_FACTORS = {
    "3B": 30,
    "4B": 28,
    "3A": 14,
    "3C": 6,
    "2B": 13,
    "1B": 12,
    "4A": 12,
    "17A": 14,
    "18B": 6,
    "18C": 2,
    "19B": 2,
    "19C": 2,
    "5B": 4,
    "6B": 4,
    "5A": 4,
    "6A": 3,
    "2A": 3,
    "1A": 2,
    "10A": 3,
    "11A": 3,
    "24A": 3,
    "13A": 2,
    "14A": 4,
    "15A": 4,
    "7A": 1,
    "9A": 1,
    "20": 10,
}
assert set(OTHER_FACTORS) <= set(ASSESSMENT_FACTORS) - {NEGLECT_FACTOR}

INITIAL_CATEGORY_WEIGHTS = {"NEG": 60, "EMO": 22, "PHY": 8, "SAB": 4, "MUL": 6}
assert set(INITIAL_CATEGORY_WEIGHTS) == set(CPCategory.values)
NEGLECT_CATEGORIES = (CPCategory.NEG, CPCategory.MUL)
OTHER_CATEGORIES = {
    category: {k: v for k, v in INITIAL_CATEGORY_WEIGHTS.items() if k != category}
    for category in INITIAL_CATEGORY_WEIGHTS
}
CP_PLAN_DAYS = {(90, 270): 40, (271, 455): 33, (456, 730): 17, (731, 1100): 10}
CIN_PLAN_DAYS = {(60, 365): 65, (366, 548): 22, (549, 900): 13}
NEGLECT_CIN_PLAN_DAYS = {(60, 365): 45, (366, 548): 25, (549, 1000): 30}
CLOSURE_AFTER_ASSESSMENT = {"RC8": 40, "RC9": 25, "RC7": 28, "RC3": 3, "RC4": 2, "RC5": 2}
CLOSURE_AFTER_PLAN = {"RC7": 70, "RC9": 12, "RC3": 6, "RC4": 6, "RC5": 5, "RC1": 1}
assert set(CLOSURE_AFTER_ASSESSMENT) | set(CLOSURE_AFTER_PLAN) <= set(ClosureReason.values)

# Agencies beyond CSC and early help, by age: health visitors and school nurses are the
# community health trust, schools' safeguarding leads are education.
EXTRA_AGENCIES_UNDER_5 = {
    COMMUNITY_HEALTH: 55,
    POLICE: 20,
    MENTAL_HEALTH: 6,
    EDUCATION: 6,
    VOLUNTARY: 13,
}
EXTRA_AGENCIES_PRE_SCHOOL = {k: v for k, v in EXTRA_AGENCIES_UNDER_5.items() if k != EDUCATION}
EXTRA_AGENCIES_SCHOOL_AGE = {
    COMMUNITY_HEALTH: 28,
    POLICE: 24,
    MENTAL_HEALTH: 12,
    EDUCATION: 24,
    VOLUNTARY: 12,
}
EXTRA_AGENCY_COUNT_WEIGHTS = {0: 20, 1: 35, 2: 30, 3: 15}


SEX_WEIGHTS = {"M": 50, "F": 48, "U": 2}
assert set(SEX_WEIGHTS) == set(Sex.values)
# Episode kinds: no further action, closed after assessment, CIN plan, CP plan.
NFA, ASSESSED, CIN, CP = "nfa", "assessed", "cin", "cp"
EPISODE_COUNT_WEIGHTS = {1: 62, 2: 26, 3: 12}
EPISODE_KINDS = {NFA: 30, ASSESSED: 45, CIN: 25}
UNBORN_KINDS = {ASSESSED: 50, CIN: 35, CP: 15}
BETWEEN_REPEATS = {NFA: 1, ASSESSED: 1, CIN: 1}
OTHER_PRESENTING_COUNT = {1: 60, 2: 30, 0: 10}
FACTOR_COUNT_WEIGHTS = {1: 40, 2: 35, 3: 25}


@dataclass(frozen=True)
class VoiceBand:
    """How children of an age answer at their CP reviews: (yes, no, not appropriate)
    weights for each of CPReview.VOICE_QUESTIONS, and views a child of that age might give."""

    under: float  # the band holds children younger than this many years
    answers: tuple[tuple[int, int, int], ...]
    views: tuple[str, ...] = ()


# A review with no answers at all, as the census imports them: a few, not most.
VOICE_NOT_RECORDED = 0.12
# Of the reviews with answers, those of school-age children that also record a view.
VOICE_VIEW_SHARE = 0.45
VOICE_ANSWERS = (VoiceAnswer.YES, VoiceAnswer.NO, VoiceAnswer.NOT_APPROPRIATE)
VOICE_BY_AGE = (
    # Unborn or babies and toddlers: the questions do not suit their age.
    VoiceBand(4, ((0, 2, 98), (0, 2, 98), (0, 3, 97))),
    VoiceBand(
        8,
        ((45, 35, 20), (30, 45, 25), (60, 30, 10)),
        (
            "I like it when mummy takes me to the park.",
            "My tummy hurts when there is no breakfast.",
            "I don't like the dark at night. I want a light in my room.",
            "The lady comes to see us and we draw pictures.",
            "I want new shoes because mine hurt my feet.",
            "I like school dinners best.",
        ),
    ),
    VoiceBand(
        12,
        ((70, 25, 5), (55, 40, 5), (80, 18, 2)),
        (
            "I know my social worker comes to help mum. I want there to be food in the cupboard.",
            "I don't like getting myself ready for school on my own.",
            "Sometimes I look after my little brother when mum is asleep.",
            "I told my teacher I was hungry. I'm glad I did.",
            "Things are better now. Dad takes me to the dentist.",
            "I want my clothes to be clean so nobody laughs at me.",
            "I don't know why people keep coming to our house.",
            "I like my social worker because she listens to me.",
        ),
    ),
    VoiceBand(
        19,
        ((80, 18, 2), (65, 33, 2), (85, 15, 0)),
        (
            "I want to be asked before people decide things about me.",
            "I don't see the point of these meetings. Nothing changes at home.",
            "I'm worried about mum when she stays in bed all day.",
            "I want to stay at my school and see my friends.",
            "It's better since the house got sorted. I can have friends round now.",
            "I don't want to talk about it today.",
            "I cook for my sisters most nights. I'd like someone to check on us.",
        ),
    ),
)


def _on_plan_since(episode: "Episode", day: date) -> bool:
    """The episode has a plan open today that began on or before `day`."""
    plans = [*episode.cin_plans, *(plan for plan, _ in episode.cp_plans)]
    return any(plan.end_date is None and plan.start_date <= day for plan in plans)


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def window_start(today: date) -> date:
    """Where the generated records begin: the three previous financial years in full, then
    the current one up to today."""
    this_year = financial_year_start(today)
    return this_year.replace(year=this_year.year - 3)


def first_la_number(existing_max: str | None) -> int:
    """The number after the highest existing `DfEX0000000`-style id (1 when there is none)."""
    if not existing_max:
        return 1
    return int(existing_max[len(LA_CHILD_ID_PREFIX) :]) + 1


def la_child_id(number: int) -> str:
    if number >= 10**LA_CHILD_ID_DIGITS:
        raise ValueError("LA child ids have run out of numbers")
    return f"{LA_CHILD_ID_PREFIX}{number:0{LA_CHILD_ID_DIGITS}d}"


@dataclass
class Episode:
    referral: Referral
    assessments: list[Assessment] = field(default_factory=list)
    cin_plans: list[ChildInNeedPlan] = field(default_factory=list)
    cp_plans: list[tuple[ChildProtectionPlan, list[CPReview]]] = field(default_factory=list)


Tables = list[tuple[type[models.Model], list[models.Model]]]


class ChildRecords(Protocol):
    """What an extension made for one child. It may also have `late_tables()`: records that
    name others by id rather than by foreign key (the toolkit's oversight of a tool), built
    once the batch's other records are written and have their ids."""

    def tables(self) -> Tables:
        """(model, unsaved records) pairs, parents before children."""
        ...


@dataclass
class GeneratedChild:
    child: Child
    episodes: list[Episode]
    involvements: list[Involvement]
    # The allocated workers of the open episode, oldest first; the last is the current one.
    allocations: list[Allocation] = field(default_factory=list)
    # By extension name ("toolkit"): the records other apps made for this child.
    records: dict[str, ChildRecords] = field(default_factory=dict)


class ChildExtension(Protocol):
    """An app's maker of more records for each generated child; it draws from its own random
    stream, so the case records of a seed are the same with or without it."""

    def records(self, generated: GeneratedChild) -> ChildRecords | None: ...

    def written(self, child_ids: list[int]) -> None:
        """Called once a batch of children and their records is written in bulk, which sends
        no signal per record: for what the app derives from them."""


@dataclass(frozen=True)
class GenerationContext:
    """What an app's `child_extension(context)` needs to set itself up."""

    seed: int
    today: date
    children: int
    agency_ids: dict[str, int]
    history: bool


class DemoDataGenerator:
    """Builds unsaved, linked model instances; never touches the database.

    `agency_ids` maps every name in `neglect_portal.demo.AGENCIES` to its primary key. The same
    seed, today, first number and ids give the same records, whatever the batch size. Nothing
    is dated after today except expected births and planned involvement ends: whatever has not
    happened by today is left open. Each of `extensions` (by name) adds its own records to the
    children it chooses (`GeneratedChild.records`); the case records are the same either way.
    """

    def __init__(
        self,
        *,
        seed: int,
        agency_ids: dict[str, int],
        today: date | None = None,
        first_number: int = 1,
        practitioner_id: int | None = None,
        health_practitioner_id: int | None = None,
        extensions: dict[str, ChildExtension] | None = None,
        social_workers: dict[int, int | None] | None = None,
    ):
        missing = {name for name, _ in AGENCIES} - set(agency_ids)
        if missing:
            raise ValueError(f"Missing demo agencies: {', '.join(sorted(missing))}")
        self.rng = DemoRandom(seed)
        self.today = today or dates.today()
        self.window_start = window_start(self.today)
        # Some children were known years before that: repeat plans need a past.
        this_year = financial_year_start(self.today)
        self.history_start = this_year.replace(year=this_year.year - 7)
        self.agency_ids = agency_ids
        self.practitioner_id = practitioner_id
        self.allocated = 0
        self.health_practitioner_id = health_practitioner_id
        self.health_led = 0
        self.next_number = first_number
        self.extensions = extensions or {}
        # Children's social care's workers to allocate, with their teams ({id: team id}).
        self.social_workers = social_workers or {}
        # The demo practitioner's caseload is capped (PRACTITIONER_CASELOAD): not in the pool.
        self.worker_pool = sorted(w for w in self.social_workers if w != practitioner_id)
        # Its own stream, so the case records of a seed are the same with or without workers.
        self.allocation_rng = DemoRandom(f"allocations-{seed}")
        # The voice of the child at each review: its own stream too, for the same reason.
        self.voice_rng = DemoRandom(f"voice-{seed}")
        self.demo_changes_shown = False

    def _past(self, day: date | None) -> date | None:
        """The date if it is today or earlier, else None: it has not happened yet."""
        return day if day is not None and day <= self.today else None

    # Children

    def children(self, count: int) -> Iterator[GeneratedChild]:
        for _ in range(count):
            yield self.child()

    def child(self) -> GeneratedChild:
        rng = self.rng
        sex = self.rng.weighted(SEX_WEIGHTS)
        names = {"M": BOYS_NAMES, "F": GIRLS_NAMES}.get(sex, BOYS_NAMES + GIRLS_NAMES)
        given = rng.choice(names)
        if self.rng.chance(0.01):  # unborn: an expected date of birth only
            dob, expected = None, self.today + self.rng.days(7, 150)
            if self.rng.chance(0.7):
                given = ""  # often not named yet
        else:
            dob, expected = self.today - self.rng.days(0, 18 * 365 - 2), None
        if self.rng.chance(0.08):
            disabilities = sorted(rng.sample(DISABILITIES, 1 if self.rng.chance(0.75) else 2))
        elif self.rng.chance(0.45):
            disabilities = [Disability.NONE.value]
        else:
            disabilities = []
        child = Child(
            la_child_id=la_child_id(self.next_number),
            given_name=given,
            family_name=rng.choice(FAMILY_NAMES),
            date_of_birth=dob,
            expected_date_of_birth=expected,
            sex=sex,
            ethnicity=self.rng.weighted(ETHNICITY_WEIGHTS),
            disabilities=disabilities,
        )
        self.next_number += 1
        episodes = self._episodes(child)
        involvements = self._involvements(child, episodes)
        # Drawn whether or not there is a practitioner, so the rest of the stream is the same.
        allocate = self.rng.chance(0.2)
        if (
            allocate
            and self.practitioner_id
            and self.allocated < PRACTITIONER_CASELOAD
            and episodes[-1].referral.closure_date is None
        ):
            child.allocated_worker_id = self.practitioner_id
            self.allocated += 1
            for involvement in involvements:
                if involvement.agency_id == self.agency_ids[CSC] and involvement.end_date is None:
                    involvement.lead_worker_id = self.practitioner_id
        self._health_lead(episodes, involvements)
        generated = GeneratedChild(child, episodes, involvements)
        generated.allocations = self._allocations(child, episodes)
        for name, extension in self.extensions.items():
            records = extension.records(generated)
            if records is not None:
                generated.records[name] = records
        return generated

    def _allocations(self, child: Child, episodes: list[Episode]) -> list[Allocation]:
        """The open episode's allocated workers, each ending as the next begins; the last is
        `child.allocated_worker` (set here when the demo practitioner does not hold it)."""
        opened = episodes[-1].referral
        if opened.closure_date is not None or not self.worker_pool:
            return []
        rng = self.allocation_rng
        current = child.allocated_worker_id or rng.choice(self.worker_pool)
        child.allocated_worker_id = current
        start, earliest_change = opened.referral_date, opened.referral_date + timedelta(days=1)
        changes = rng.weighted(WORKER_CHANGE_COUNT_WEIGHTS)
        latest_change = self.today
        if (
            current == self.practitioner_id
            and not self.demo_changes_shown
            and _on_plan_since(episodes[-1], self.today - timedelta(days=120))
        ):
            # Changes 100 to 330 days ago fall in the year to today and to the end of the
            # latest complete quarter alike, so the dataset's page counts them too.
            self.demo_changes_shown = True
            changes = max(changes, DEMO_CHANGES_IN_YEAR)
            earliest_change = max(earliest_change, self.today - timedelta(days=330))
            latest_change = self.today - timedelta(days=100)
        span = max((latest_change - earliest_change).days + 1, 0)
        days = sorted(
            earliest_change + timedelta(days=n) for n in rng.sample(range(span), min(changes, span))
        )
        # Workers from the newest back: each differs from the one after it.
        workers = [current]
        for _ in days:
            choices = [w for w in self.worker_pool if w != workers[0]] or self.worker_pool
            workers.insert(0, rng.choice(choices))
        starts = [start, *days]
        allocations = []
        for number, (worker, began) in enumerate(zip(workers, starts, strict=True)):
            following = starts[number + 1] if number + 1 < len(starts) else None
            reason = Allocation.Reason.FIRST if number == 0 else rng.weighted(CHANGE_REASON_WEIGHTS)
            allocations.append(
                Allocation(
                    child=child,
                    worker_id=worker,
                    team_id=self.social_workers.get(worker),
                    started_on=began,
                    ended_on=following,
                    reason=reason,
                    note="Caseloads rebalanced across the teams"
                    if reason == Allocation.Reason.OTHER
                    else "",
                )
            )
        return allocations

    # Episodes of need

    def _episode_kinds(self, child: Child) -> tuple[list[str], bool]:
        """The kinds of the child's episodes in order, and whether it has repeat CP plans."""
        if child.date_of_birth is None:
            return [self.rng.weighted(UNBORN_KINDS)], False
        kinds = [
            self.rng.weighted(EPISODE_KINDS)
            for _ in range(self.rng.weighted(EPISODE_COUNT_WEIGHTS))
        ]
        roll = self.rng.random()
        old_enough = child.date_of_birth < self.today - timedelta(days=4 * 365)
        if roll < 0.025 and old_enough:
            # Repeat plans: two CP episodes, sometimes with another between them.
            if self.rng.chance(0.6):
                return [CP, CP], True
            return [CP, self.rng.weighted(BETWEEN_REPEATS), CP], True
        if roll < 0.12:
            kinds[self.rng.randrange(len(kinds))] = CP
        return kinds, False

    def _episodes(self, child: Child) -> list[Episode]:
        kinds, repeat = self._episode_kinds(child)
        yesterday = self.today - timedelta(days=1)
        if child.date_of_birth is None:
            earliest, latest = self.today - timedelta(days=150), yesterday
        else:
            # Pre-birth referrals happen, up to about four months before the birth.
            born_lo = child.date_of_birth - timedelta(days=120)
            if repeat:
                # Early enough that the first plan has ended long before today.
                earliest = max(self.history_start, born_lo)
                latest = max(earliest, self.today - timedelta(days=3 * 365))
            else:
                earliest = self.history_start if self.rng.chance(0.12) else self.window_start
                earliest, latest = max(earliest, born_lo), yesterday
        # Later episodes follow the first, so first referrals lean early to keep the number of
        # referrals a quarter roughly level across the years.
        span = max((latest - earliest).days, 0)
        lean = (
            self.rng.triangular(0, span, 0) if self.rng.chance(0.3) else self.rng.uniform(0, span)
        )
        referral_date = earliest + timedelta(days=int(lean))
        episodes = []
        for number, kind in enumerate(kinds):
            episode, closed = self._episode(child, kind, referral_date, capped=repeat)
            episodes.append(episode)
            if closed is None or number == len(kinds) - 1:
                break  # nothing follows an open episode
            if repeat and number == 0 and self.rng.chance(0.3):
                gap = self.rng.days(3 * 365 + 30, 5 * 365)  # old history: not a repeat within 3y
            elif self.rng.chance(0.45):
                gap = self.rng.days(7, 200)  # often a re-referral within 12 months
            else:
                gap = self.rng.days(150, 900)
            referral_date = closed + gap
            if referral_date > yesterday:
                if not repeat or closed >= yesterday:
                    break
                # Keep the repeat plan: bring the next episode inside the time left.
                referral_date = self.rng.day_between(closed + timedelta(days=1), yesterday)
        return episodes

    def _referral(
        self, child: Child, kind: str, referral_date: date, category: str | None
    ) -> Referral:
        if kind == CP:
            neglect = self.rng.chance(0.55 if category in NEGLECT_CATEGORIES else 0.08)
        else:
            neglect = self.rng.chance(0.14 if kind == CIN else 0.09)
        factors = self.rng.sample_weighted(
            OTHER_PRESENTING, self.rng.weighted(OTHER_PRESENTING_COUNT)
        )
        if neglect:
            factors.insert(0, PresentingFactor.NEGLECT.value)
        abuse = kind == CP and self.rng.chance(0.85)
        need = "N1" if abuse else self.rng.weighted(PRIMARY_NEED_WEIGHTS)
        return Referral(
            child=child,
            referral_date=referral_date,
            source=self.rng.weighted(SOURCE_WEIGHTS),
            presenting_factors=factors or ["other"],
            primary_need=need,
        )

    def _assessment(self, referral: Referral, start: date, neglect_p: float) -> Assessment:
        if self.rng.chance(0.08):
            factors = ["21"]  # no factors identified
        else:
            factors = self.rng.sample_weighted(
                OTHER_FACTORS, self.rng.weighted(FACTOR_COUNT_WEIGHTS)
            )
            if self.rng.chance(neglect_p):
                factors.insert(0, NEGLECT_FACTOR)
        return Assessment(
            referral=referral,
            start_date=start,
            authorised_date=self._past(start + self.rng.days(5, 50)),
            factors=factors,
        )

    def _plan_length(self, kind: str, capped: bool, neglect: bool = False) -> timedelta:
        if kind == CP:
            low, high = self.rng.weighted(CP_PLAN_DAYS)
        else:
            # Neglect is chronic: neglect CIN plans run longer.
            low, high = self.rng.weighted(NEGLECT_CIN_PLAN_DAYS if neglect else CIN_PLAN_DAYS)
        if capped:  # a plan that must be over for another to follow
            low, high = min(low, 400), min(high, 600)
        return self.rng.days(low, high)

    def _episode(
        self, child: Child, kind: str, referral_date: date, *, capped: bool = False
    ) -> tuple[Episode, date | None]:
        """One episode of need from `referral_date`; returns it and its closure date (None
        while it is open). `capped` keeps plans short enough to end for a repeat plan."""
        category = self.rng.weighted(INITIAL_CATEGORY_WEIGHTS) if kind == CP else None
        referral = self._referral(child, kind, referral_date, category)
        episode = Episode(referral)
        if kind == NFA:
            closure = self._past(referral_date + self.rng.days(0, 7))
            if closure:
                referral.no_further_action = True
                referral.closure_date = closure
                referral.closure_reason = "RC8" if self.rng.chance(0.7) else "RC9"
            return episode, closure

        if kind == CP:
            neglect_p = 0.92 if category in NEGLECT_CATEGORIES else 0.2
        else:
            neglect_p = 0.4 if kind == CIN else 0.2
        if PresentingFactor.NEGLECT in referral.presenting_factors:
            neglect_p = max(neglect_p, 0.6)
        start = self._past(referral_date + self.rng.days(0, 6))
        if start is None:
            return episode, None  # assessment not started yet
        first = self._assessment(referral, start, neglect_p)
        episode.assessments.append(first)
        if first.authorised_date is None:
            return episode, None  # assessment still in progress

        plan_start = plan_end = None
        if kind == CP:
            # The initial conference follows the section 47 enquiry.
            plan_start = self._past(referral_date + self.rng.days(12, 60))
            if plan_start is None:
                return episode, None
            plan_end = self._past(plan_start + self._plan_length(CP, capped))
            latest = category
            if self.rng.chance(0.1):
                latest = self.rng.weighted(OTHER_CATEGORIES[category])
            plan = ChildProtectionPlan(
                referral=referral,
                child=referral.child,
                start_date=plan_start,
                end_date=plan_end,
                initial_category=category,
                latest_category=latest,
            )
            episode.cp_plans.append((plan, self._reviews(plan)))
            if plan_end and self.rng.chance(0.35):
                # Stepped down to a CIN plan when the CP plan ended.
                step_down_end = self._past(plan_end + self.rng.days(60, 300))
                episode.cin_plans.append(
                    ChildInNeedPlan(
                        referral=referral,
                        child=referral.child,
                        start_date=plan_end,
                        end_date=step_down_end,
                    )
                )
                plan_end = step_down_end
        elif kind == CIN:
            plan_start = self._past(first.authorised_date + self.rng.days(0, 21))
            if plan_start is None:
                return episode, None
            neglect = NEGLECT_FACTOR in first.factors
            plan_end = self._past(plan_start + self._plan_length(CIN, capped, neglect))
            episode.cin_plans.append(
                ChildInNeedPlan(
                    referral=referral,
                    child=referral.child,
                    start_date=plan_start,
                    end_date=plan_end,
                )
            )
        if plan_start and self.rng.chance(0.3):
            # A fresh assessment some months into a long piece of work.
            again = self._past(plan_start + self.rng.days(150, 400))
            if again and (plan_end is None or again < plan_end):
                episode.assessments.append(self._assessment(referral, again, neglect_p))
        if plan_start and plan_end is None:
            return episode, None
        if any(a.authorised_date is None for a in episode.assessments):
            return episode, None
        # Census rule 8565: closure comes on or after every activity in the episode.
        activity = [a.authorised_date for a in episode.assessments]
        closure = self._past(max(activity + [plan_end or first.start_date]) + self.rng.days(0, 30))
        if closure is None:
            return episode, None
        referral.closure_date = closure
        referral.closure_reason = self.rng.weighted(
            CLOSURE_AFTER_ASSESSMENT if kind == ASSESSED else CLOSURE_AFTER_PLAN
        )
        return episode, closure

    def _reviews(self, plan: ChildProtectionPlan) -> list[CPReview]:
        """First review about three months in, then about every six, while the plan lasts;
        now and then a review slips past its date (Working Together: 3 months, then 6), as
        in practice, so the review indicators and tasks have something true to show."""
        reviews = []
        last = plan.end_date or self.today
        day = plan.start_date + self.rng.days(70, 95)
        while day < last and day <= self.today:
            review = CPReview(plan=plan, review_date=day)
            self._voice(review, plan.child)
            reviews.append(review)
            day += self.rng.days(165, 200)
        return reviews

    def _voice(self, review: CPReview, child: Child) -> None:
        """The voice of the child at the review (domain.md §9): a baby's "not appropriate",
        an older child's mostly yes, fewer yeses the further back (the report found many
        children did not know they were on a plan), and now and then nothing recorded, as on
        the reviews the census imports. Some school-age children's views in their own words."""
        rng = self.voice_rng
        if rng.chance(VOICE_NOT_RECORDED):
            return
        age = child.age_on(review.review_date)
        band = next(band for band in VOICE_BY_AGE if age is None or age < band.under)
        # Up to 20 points fewer yeses on the oldest reviews, as practice has improved.
        years_ago = (self.today - review.review_date).days / 365
        drift = min(years_ago, 4) * 5
        for name, weights in zip(CPReview.VOICE_QUESTIONS, band.answers, strict=True):
            yes, no, not_appropriate = weights
            moved = min(drift, yes)
            # choices(), not weighted(): that caches each table, and these change per review.
            (answer,) = rng.choices(
                VOICE_ANSWERS, weights=(yes - moved, no + moved, not_appropriate)
            )
            setattr(review, name, answer)
        if band.views and rng.chance(VOICE_VIEW_SHARE):
            review.child_view = rng.choice(band.views)

    # Involvements

    def _health_lead(self, episodes: list[Episode], involvements: list[Involvement]) -> None:
        """The demo health practitioner leads the trust's open work with children social care
        is still working with, so she has children and tools to see (no random draws: the
        rest of the stream stays the same)."""
        if (
            not self.health_practitioner_id
            or self.health_led >= PRACTITIONER_CASELOAD
            or episodes[-1].referral.closure_date is not None
        ):
            return
        for involvement in involvements:
            if (
                involvement.agency_id == self.agency_ids[COMMUNITY_HEALTH]
                and involvement.end_date is None
            ):
                involvement.lead_worker_id = self.health_practitioner_id
                self.health_led += 1
                return

    def _involvements(self, child: Child, episodes: list[Episode]) -> list[Involvement]:
        ids = self.agency_ids
        first, last = episodes[0].referral, episodes[-1].referral
        if last.closure_date is None:
            involvements = [
                Involvement(child=child, agency_id=ids[CSC], start_date=first.referral_date)
            ]
        else:
            # Social care's work has ended; early help carries on with the family.
            involvements = [
                Involvement(
                    child=child,
                    agency_id=ids[CSC],
                    start_date=first.referral_date,
                    end_date=last.closure_date,
                ),
                Involvement(child=child, agency_id=ids[EARLY_HELP], start_date=last.closure_date),
            ]
        born = child.date_of_birth
        age = (self.today - born).days // 365 if born else -1
        if age < 4:
            weights = EXTRA_AGENCIES_PRE_SCHOOL
        elif age < 5:
            weights = EXTRA_AGENCIES_UNDER_5
        else:
            weights = EXTRA_AGENCIES_SCHOOL_AGE
        earliest = max(
            born or self.today - timedelta(days=200),
            child.earliest_record_date or self.history_start,  # pre-birth work: in pregnancy
            self.history_start,
            first.referral_date - timedelta(days=700),
        )
        for name in self.rng.sample_weighted(
            weights, self.rng.weighted(EXTRA_AGENCY_COUNT_WEIGHTS)
        ):
            start = self.rng.day_between(earliest, self.today)
            roll = self.rng.random()
            # Ongoing, or ended in the past: an involvement's end is recorded when it happens.
            end = None if roll < 0.65 else self._past(start + self.rng.days(30, 600))
            involvements.append(
                Involvement(child=child, agency_id=ids[name], start_date=start, end_date=end)
            )
        return involvements


# Writing to the database


@dataclass
class Batch:
    children: list[Child] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    cin_plans: list[ChildInNeedPlan] = field(default_factory=list)
    cp_plans: list[ChildProtectionPlan] = field(default_factory=list)
    reviews: list[CPReview] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    # The extensions' records by model, in the order their tables() list them.
    extra: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    # One unsaved stand-in per author, so the history rows name who wrote each record.
    _users: dict[int, User] = field(default_factory=dict)
    # The extensions' late_tables(), called once everything above is written.
    late: list[Callable[[], Tables]] = field(default_factory=list)

    def add(self, generated: GeneratedChild):
        self.children.append(generated.child)
        for episode in generated.episodes:
            episode.referral.derive_flags()  # bulk_create skips save(), which derives them
            self.referrals.append(episode.referral)
            for assessment in episode.assessments:
                assessment.derive_flags()
                self.assessments.append(assessment)
            self.cin_plans.extend(episode.cin_plans)
            for plan, reviews in episode.cp_plans:
                self.cp_plans.append(plan)
                self.reviews.extend(reviews)
        self.involvements.extend(generated.involvements)
        self.allocations.extend(generated.allocations)
        for records in generated.records.values():
            for model, objs in records.tables():
                self.name_authors(objs)
                self.extra.setdefault(model, []).extend(objs)
            late = getattr(records, "late_tables", None)
            if late is not None:
                self.late.append(late)

    def name_authors(self, objs: list[models.Model]) -> None:
        for record in objs:
            author = getattr(record, "author_id", None) or getattr(record, "manager_id", None)
            if author is not None:
                record._history_user = self._user(author)  # type: ignore[attr-defined]

    def _user(self, pk: int) -> User:
        user = self._users.get(pk)
        if user is None:
            user = self._users[pk] = User(pk=pk)
        return user

    def tables(self) -> Tables:
        """Parents before children: bulk_create fills each parent's id, which the children's
        foreign keys then pick up."""
        return [
            (Child, self.children),
            (Referral, self.referrals),
            (Assessment, self.assessments),
            (ChildInNeedPlan, self.cin_plans),
            (ChildProtectionPlan, self.cp_plans),
            (CPReview, self.reviews),
            (Involvement, self.involvements),
            (Allocation, self.allocations),
            *self.extra.items(),
        ]


def _write(batch: Batch, *, history: bool, counts: Counter):
    with transaction.atomic():
        _write_tables(batch.tables(), history=history, counts=counts)
        # Records that name others by id, now that those have their ids.
        late: dict[type[models.Model], list[models.Model]] = {}
        for tables in batch.late:
            for model, objs in tables():
                batch.name_authors(objs)
                late.setdefault(model, []).extend(objs)
        _write_tables(list(late.items()), history=history, counts=counts)


def _write_tables(tables: Tables, *, history: bool, counts: Counter):
    for model, objs in tables:
        if not objs:
            continue
        if history:
            bulk_create_with_history(objs, model, default_change_reason=HISTORY_CHANGE_REASON)
        else:
            model.objects.bulk_create(objs)
        counts[str(model._meta.verbose_name_plural)] += len(objs)


def demo_agency_ids() -> dict[str, int]:
    return dict(
        Agency.objects.filter(name__in=[name for name, _ in AGENCIES]).values_list("name", "pk")
    )


# No more generated people join a team than a team of social workers has: spread over the
# agency's own teams first, then in teams of their own (a team of 130 social workers, which
# spreading every one of them over the demo teams gave at 100,000 children, exists nowhere).
GENERATED_TEAM_SIZE = 8
GENERATED_TEAM_PREFIX = "Generated team "


def _generated_team(agency_id: int, number: int, demo_teams: dict[int, list[int]]) -> int:
    """The team of an agency's generated practitioner `number` (from 1), made if missing."""
    teams = demo_teams.get(agency_id, [])
    if number <= len(teams) * GENERATED_TEAM_SIZE:
        return teams[number % len(teams)]  # in turn, as before teams had a size
    extra = (number - len(teams) * GENERATED_TEAM_SIZE - 1) // GENERATED_TEAM_SIZE + 1
    team, _ = Team.objects.get_or_create(
        agency_id=agency_id,
        name=f"{GENERATED_TEAM_PREFIX}{extra:03d}",
        defaults={"locality": "County-wide"},
    )
    return team.pk


def generated_practitioners(
    agency_ids: dict[str, int], per_2000: dict[str, int], children: int, *, history: bool = True
) -> dict[int, list[int]]:
    """Practitioners to write generated records, by agency id: `per_2000` of each agency for
    every 2,000 children, so caseloads stay realistic. Made once and reused by later runs; each
    list is in username order, so the same seed picks the same people. They cannot sign in
    (no usable password)."""
    scale = max(1, math.ceil(children / 2000))
    wanted = {
        f"{GENERATED_USER_PREFIX}{slugify(name)}-{number:03d}": name
        for name, count in per_2000.items()
        for number in range(1, count * scale + 1)
    }
    existing = dict(
        User.objects.filter(username__startswith=GENERATED_USER_PREFIX).values_list(
            "username", "pk"
        )
    )
    demo_teams: dict[int, list[int]] = {}
    named = Team.objects.exclude(name__startswith=GENERATED_TEAM_PREFIX).order_by("name")
    for team, agency_id in named.values_list("pk", "agency_id"):
        demo_teams.setdefault(agency_id, []).append(team)
    missing = []
    for username, agency in wanted.items():
        if username in existing:
            continue
        rng = random.Random(username)  # noqa: S311 - the same made-up name every time
        number = int(username.rsplit("-", 1)[1])
        missing.append(
            User(
                username=username,
                first_name=rng.choice(BOYS_NAMES + GIRLS_NAMES),
                last_name=rng.choice(FAMILY_NAMES),
                email=f"{username}@example.org",
                agency_id=agency_ids[agency],
                team_id=_generated_team(agency_ids[agency], number, demo_teams),
                role=User.Role.PRACTITIONER,
                password=make_password(None),
            )
        )
    if missing:
        with transaction.atomic():
            if history:
                bulk_create_with_history(missing, User, default_change_reason=HISTORY_CHANGE_REASON)
            else:
                User.objects.bulk_create(missing)
        existing.update((user.username, user.pk) for user in missing)
    authors: dict[int, list[int]] = {}
    for username in sorted(wanted):
        authors.setdefault(agency_ids[wanted[username]], []).append(existing[username])
    return authors


# Children's social care's generated workers for every 2,000 children: the toolkit's authors
# (toolkit.demo_data asks for as many), so a child's social worker also writes its tools.
SOCIAL_WORKERS_PER_2000 = 8


def _social_workers(
    agency_ids: dict[str, int], children: int, *, history: bool
) -> dict[int, int | None]:
    """{worker id: team id} of the workers children are allocated to: the generated social
    workers and the demo practitioner. None when there are no children to allocate."""
    if not children:
        return {}
    csc = agency_ids[CSC]
    ids = generated_practitioners(
        agency_ids, {CSC: SOCIAL_WORKERS_PER_2000}, children, history=history
    )[csc]
    people = User.objects.filter(Q(pk__in=ids) | Q(username="practitioner", agency_id=csc))
    return dict(people.values_list("pk", "team_id"))


def next_la_number() -> int:
    existing = Child.objects.filter(
        la_child_id__regex=rf"^{LA_CHILD_ID_PREFIX}[0-9]{{7}}$"
    ).aggregate(top=Max("la_child_id"))["top"]
    return first_la_number(existing)


def child_extensions(context: GenerationContext) -> dict[str, ChildExtension]:
    """Each installed app's extension (its `demo_data.child_extension(context)`), by app."""
    found = {}
    for module in app_demo_modules():
        make = getattr(module, "child_extension", None)
        if make is not None:
            found[module.__name__.split(".")[0]] = make(context)
    return found


def generate_demo_data(
    children: int,
    *,
    seed: int = 1,
    today: date | None = None,
    batch_size: int = 5000,
    history: bool = True,
    extensions: bool = True,
    progress: Callable[[int, int, float], None] | None = None,
) -> Counter:
    """Create `children` synthetic children and their records; return counts by table.

    Expects the demo agencies to exist (`neglect_portal.demo.load_demo_people()`).
    `extensions` False leaves out the records other apps add (the toolkit's); the case
    records are the same either way."""
    if children < 0 or batch_size < 1:
        raise ValueError("children must be 0 or more and batch_size at least 1")
    if today and today > dates.today():
        raise ValueError("today cannot be in the future: records would be dated after it")
    practitioner = User.objects.filter(username="practitioner").values_list("pk", flat=True)
    health_practitioner = User.objects.filter(username=HEALTH_PRACTITIONER).values_list(
        "pk", flat=True
    )
    agency_ids = demo_agency_ids()
    context = GenerationContext(seed, today or dates.today(), children, agency_ids, history)
    extended = child_extensions(context) if extensions and children else {}
    generator = DemoDataGenerator(
        seed=seed,
        today=today,
        agency_ids=agency_ids,
        first_number=next_la_number(),
        practitioner_id=practitioner.first(),
        health_practitioner_id=health_practitioner.first(),
        extensions=extended,
        social_workers=_social_workers(agency_ids, children, history=history),
    )
    counts: Counter = Counter()
    started = time.monotonic()
    done = 0
    while done < children:
        size = min(batch_size, children - done)
        batch = Batch()
        for generated in generator.children(size):
            batch.add(generated)
        _write(batch, history=history, counts=counts)
        for extension in extended.values():
            extension.written([child.pk for child in batch.children])
        del batch
        # With DEBUG on, Django keeps the SQL of recent queries: bulk inserts are large.
        reset_queries()
        done += size
        if progress:
            progress(done, children, time.monotonic() - started)
    return counts


def add_demo_duplicate() -> bool:
    """A partner refers a child the portal already holds, as a health visitor who does not know
    the LA's id would, typing the name in capitals: the referral flags the pair, so the demo's
    "Possible duplicates" page has a true pair to show. False when there is no child to copy."""
    child = (
        Child.objects.filter(
            la_child_id__startswith=LA_CHILD_ID_PREFIX, date_of_birth__isnull=False
        )
        .exclude(given_name="")
        .order_by("pk")
        .first()
    )
    referrer = User.objects.filter(agency__name=COMMUNITY_HEALTH).order_by("pk").first()
    if child is None or referrer is None:
        return False
    referral_for_new_child(
        child=Child(
            given_name=child.given_name.upper(),
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
        ),
        referral=Referral(
            referral_date=dates.today(),
            source=ReferralSource.HEALTH_VISITOR,
            presenting_factors=[PresentingFactor.NEGLECT],
        ),
        user=referrer,
    )
    return True
