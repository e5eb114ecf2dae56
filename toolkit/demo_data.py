"""Synthetic toolkit records for the demo data (`manage.py generate_demo_data`).

Most children who were on a neglect plan (an open CP plan whose latest category is neglect, or
a neglect CIN plan: `cases.selectors.on_neglect_plan`) in the last three financial years get
the mandatory tools, completed in cycles while the plan lasts. The gaps between cycles are
drawn so that, on any day, some children's tools are current, some due soon, some overdue and
some never done; practice tightens over the years, as the strategy intends. A shared
chronology gathers entries from every agency working with the child, and some children have
SDQs (scored as completing the form scores them) and "Next steps".

`child_extension()` plugs this into `cases.demo_data.generate_demo_data`. Like the case
generator, it builds unsaved instances and touches no database; it draws from its own random
stream, so adding the toolkit leaves the case records of a seed unchanged.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from cases.codes import NEGLECT_FACTOR, CPCategory, Disability
from cases.demo_data import (
    GeneratedChild,
    GenerationContext,
    Tables,
    generated_practitioners,
    window_start,
)
from neglect_portal.demo import (
    AGENCIES,
    COMMUNITY_HEALTH,
    CSC,
    EARLY_HELP,
    EDUCATION,
    MENTAL_HEALTH,
    POLICE,
    VOLUNTARY,
)
from neglect_portal.demo_random import DemoRandom
from neglect_portal.models import User

from . import tool_dates
from .content import (
    CHECKLIST_DOMAINS,
    DAY_SECTIONS,
    OBSERVATION_DOMAINS,
    Concern,
    DayVersion,
    Impact,
    NeglectType,
    ObservedQuality,
    suggested_day_version,
)
from .models import (
    CHRONOLOGY_KIND,
    SDQ,
    AssessmentChecklist,
    Chronology,
    ChronologyEntry,
    DayInMyLife,
    NextStep,
    NextSteps,
    Oversight,
    ParentChildObservation,
    SDQNeed,
    Tool,
    ToolInformed,
    band_tables,
)
from .sdq import IMPACT_ITEMS, REVERSED, SCALE_ITEMS, form_version
from .sdq_bands import BAND_TABLES
from .status import is_current

# Generated practitioners per agency for every 2,000 children: enough for realistic caseloads.
PRACTITIONERS_PER_2000 = {
    CSC: 8,
    EARLY_HELP: 4,
    POLICE: 3,
    COMMUNITY_HEALTH: 5,
    MENTAL_HEALTH: 2,
    EDUCATION: 4,
    VOLUNTARY: 2,
}

USES_TOOLKIT = 0.88  # "most children on a neglect plan"
NEVER_DONE = 0.07  # a mandatory tool never completed for a child who otherwise has the toolkit
NO_CHRONOLOGY = 0.06
HAS_SDQ = 0.45
HAS_NEXT_STEPS = 0.5
CURRENT_DRAFT = 0.15  # a draft of the next cycle under way today
NEVER_DONE_DRAFT = 0.4  # a tool never completed, but begun
REVIEWED = 0.45
MISSING_SDQ_ITEMS = 0.1
SDQ_IMPACT = 0.6
# Follow-through today: a recently completed checklist reopened by a team manager, and an SDQ
# recorded as needed. The first child who can have each always does, so the demo shows both.
REOPENED = 0.05
SDQ_NEEDED = 0.05
REOPEN_REASONS = (
    "The evidence for home conditions was recorded against another domain",
    "New information from the school changes the overall judgement",
    "The health visitor's concerns about nutrition were left out",
)
SDQ_NEED_REASONS = (
    "Withdrawn and tearful at school since the last review",
    "Carer reports sleep problems and angry outbursts",
    "Low mood and not eating at school, says the class teacher",
)
# Months after the toolkit's start before practice settled: lapses are likelier before then.
SETTLING_DAYS = 548

# Days between completions of a mandatory tool; over 182 days it goes out of date.
CYCLE_EARLY = {(100, 160): 30, (161, 182): 25, (183, 320): 35, (321, 480): 10}
CYCLE_SETTLED = {(90, 150): 28, (151, 182): 40, (183, 260): 20, (261, 400): 12}
ENTRY_GAP_EARLY = {(10, 60): 40, (61, 150): 35, (151, 320): 25}
ENTRY_GAP_SETTLED = {(7, 50): 50, (51, 140): 38, (141, 260): 12}
SDQ_GAP = {(150, 240): 50, (241, 400): 50}
LEVELS = {0: 25, 1: 45, 2: 30}  # how worrying the child's circumstances are: low to high
CONCERN_BY_LEVEL = {
    0: {Concern.NOT_CONCERNED: 70, Concern.SOME_CONCERN: 25, Concern.VERY_CONCERNED: 5},
    1: {Concern.NOT_CONCERNED: 35, Concern.SOME_CONCERN: 45, Concern.VERY_CONCERNED: 20},
    2: {Concern.NOT_CONCERNED: 15, Concern.SOME_CONCERN: 40, Concern.VERY_CONCERNED: 45},
}
QUALITY_BY_LEVEL = {
    0: {
        ObservedQuality.STRENGTH: 40,
        ObservedQuality.ADEQUATE: 45,
        ObservedQuality.SOME_CONCERN: 13,
        ObservedQuality.SERIOUS_CONCERN: 2,
    },
    1: {
        ObservedQuality.STRENGTH: 15,
        ObservedQuality.ADEQUATE: 45,
        ObservedQuality.SOME_CONCERN: 32,
        ObservedQuality.SERIOUS_CONCERN: 8,
    },
    2: {
        ObservedQuality.STRENGTH: 8,
        ObservedQuality.ADEQUATE: 30,
        ObservedQuality.SOME_CONCERN: 40,
        ObservedQuality.SERIOUS_CONCERN: 22,
    },
}
# The chance of a "problem" answer to an SDQ item, by level.
SDQ_DIFFICULTY = {0: (0.15, 0.35), 1: (0.3, 0.6), 2: (0.5, 0.85)}
IMPACT_DIFFICULTIES = {
    0: {"no": 45, "minor": 40, "definite": 15},
    1: {"no": 15, "minor": 45, "definite": 32, "severe": 8},
    2: {"minor": 25, "definite": 50, "severe": 25},
}

# Who completes each tool besides the child's social worker, and how often CSC does it.
DAY_PARTNERS = (EARLY_HELP, COMMUNITY_HEALTH, EDUCATION)
CHECKLIST_PARTNERS = (EARLY_HELP, COMMUNITY_HEALTH)
OBSERVATION_PARTNERS = (COMMUNITY_HEALTH, EARLY_HELP, VOLUNTARY)
CSC_SHARE = {"day": 0.7, "checklist": 0.85, "observation": 0.65}


@dataclass(frozen=True)
class EntryText:
    what: str
    who: str
    impact: str
    impact_description: str
    action: str
    analysis: str
    types: tuple[str, ...] = ()
    significant: bool = False


N = NeglectType
NEG, POS, NEU = Impact.NEGATIVE, Impact.POSITIVE, Impact.NEUTRAL

ENTRIES = {
    CSC: [
        EntryText(
            "Home visit: no food in the fridge or cupboards; mother said benefits were delayed.",
            "Mother, the child, social worker",
            NEG,
            "The child said they had not had breakfast and was hungry.",
            "Food bank voucher given; benefits advice arranged.",
            "Third time this term that there has been no food in the home.",
            (N.NUTRITIONAL,),
            True,
        ),
        EntryText(
            "Unannounced visit: home tidy, child clean and playing with a sibling.",
            "Father, the child, social worker",
            POS,
            "The child was relaxed and keen to show their room.",
            "",
            "Improvement since the core group agreed a routine.",
            (),
        ),
        EntryText(
            "Core group meeting: plan reviewed with the family and partner agencies.",
            "Parents, school, health visitor, social worker",
            NEU,
            "No direct impact; the plan now includes a bedtime routine.",
            "Actions agreed and shared with the family.",
            "",
            (),
        ),
        EntryText(
            "Child found alone in the home at 9pm during a visit; mother at a neighbour's.",
            "The child, social worker",
            NEG,
            "The child was frightened and had not eaten.",
            "Strategy discussion held the next morning.",
            "Pattern of young children left unsupervised in the evenings.",
            (N.SUPERVISION,),
            True,
        ),
        EntryText(
            "Bedroom visit: no bedding on the child's mattress, damp on the walls.",
            "Mother, social worker",
            NEG,
            "The child has been sleeping in their coat.",
            "Referral to the housing team and a bedding grant.",
            "",
            (N.PHYSICAL,),
            False,
        ),
    ],
    EARLY_HELP: [
        EntryText(
            "Family support worker helped mother set up a morning routine chart.",
            "Mother, family support worker",
            POS,
            "The child arrived at school on time every day that week.",
            "",
            "Mother engages well when support is practical.",
            (),
        ),
        EntryText(
            "Parenting group: mother attended the first two sessions, then stopped.",
            "Mother, group facilitator",
            NEU,
            "No change yet for the child.",
            "Worker to visit and talk about what got in the way.",
            "",
            (N.EMOTIONAL,),
        ),
        EntryText(
            "Home visit: washing piled up, child wearing the same clothes as last week.",
            "Mother, the child, family support worker",
            NEG,
            "Other children have commented on the child's smell.",
            "Washing machine repair arranged through a charity.",
            "",
            (N.PHYSICAL,),
        ),
    ],
    POLICE: [
        EntryText(
            "Police attended after a neighbour reported children shouting and no adult at home.",
            "Two children, police officers",
            NEG,
            "Children alone for about three hours; the eldest had a cut hand.",
            "Merlin report submitted to children's social care.",
            "Second call-out to the address this quarter.",
            (N.SUPERVISION,),
            True,
        ),
        EntryText(
            "Welfare check at the address: adults intoxicated, young child still up at midnight.",
            "Parents, the child, police officers",
            NEG,
            "The child was tired and hungry; no safe adult to care for them.",
            "Grandmother collected the child; referral made.",
            "",
            (N.SUPERVISION, N.EMOTIONAL),
            True,
        ),
        EntryText(
            "Young person reported missing overnight; found at a friend's house.",
            "The young person, police officers",
            NEG,
            "The young person said nobody at home noticed they had gone.",
            "Return home interview requested.",
            "",
            (N.SUPERVISION,),
            True,
        ),
    ],
    COMMUNITY_HEALTH: [
        EntryText(
            "Missed the third health appointment in a row (immunisations).",
            "Health visitor",
            NEG,
            "The child is behind with immunisations.",
            "Letter sent and a home visit booked.",
            "Missed health care is a repeated theme.",
            (N.MEDICAL,),
        ),
        EntryText(
            "Weight check: child has dropped from the 50th to the 9th centile.",
            "Mother, the child, health visitor",
            NEG,
            "Faltering growth; the child looked pale and tired.",
            "GP referral for a paediatric review.",
            "",
            (N.NUTRITIONAL, N.MEDICAL),
            True,
        ),
        EntryText(
            "Development review: speech and play appropriate for age.",
            "Father, the child, health visitor",
            POS,
            "The child is meeting their milestones.",
            "",
            "",
            (),
        ),
        EntryText(
            "School nurse: untreated tooth decay; dental appointment never booked.",
            "The child, school nurse",
            NEG,
            "The child has toothache and is not eating.",
            "Emergency dental appointment arranged.",
            "",
            (N.MEDICAL,),
        ),
    ],
    MENTAL_HEALTH: [
        EntryText(
            "Mother's mental health review: low mood, struggling to get up most days.",
            "Mother, community psychiatric nurse",
            NEG,
            "The child is getting themselves up and to school.",
            "Medication reviewed; carer support discussed.",
            "",
            (N.EMOTIONAL,),
        ),
        EntryText(
            "Child's first appointment with the children's mental health service attended.",
            "The child, father, CAMHS practitioner",
            POS,
            "The child talked about worries at home for the first time.",
            "",
            "",
            (),
        ),
    ],
    EDUCATION: [
        EntryText(
            "Attendance has fallen to 78% this term, mostly Mondays and Fridays.",
            "Designated safeguarding lead",
            NEG,
            "The child is falling behind with reading.",
            "Attendance meeting with parents booked.",
            "",
            (N.EDUCATIONAL,),
        ),
        EntryText(
            "Child arrived hungry and without a coat in freezing weather.",
            "Class teacher, designated safeguarding lead",
            NEG,
            "The child was cold and could not concentrate.",
            "Breakfast club place and a coat from the school's clothing bank.",
            "",
            (N.NUTRITIONAL, N.PHYSICAL),
        ),
        EntryText(
            "Child won a class award for effort; attendance 96% this half term.",
            "Class teacher",
            POS,
            "The child was proud and told their mum.",
            "",
            "",
            (),
        ),
    ],
    VOLUNTARY: [
        EntryText(
            "Family referred to the food bank for the second time this year.",
            "Mother, food bank volunteer",
            NEG,
            "The children have been going without lunch at weekends.",
            "Referred for debt advice.",
            "",
            (N.NUTRITIONAL,),
        ),
        EntryText(
            "Child started a weekly youth club and has attended every week.",
            "The child, youth worker",
            POS,
            "The child has made friends and has a trusted adult outside home.",
            "",
            "",
            (),
        ),
    ],
}
assert set(ENTRIES) == {name for name, _ in AGENCIES}
# What a practitioner writes up from the records when the chronology is first started.
BIRTH_ENTRY = EntryText(
    "Born at 35 weeks; mother attended one antenatal appointment.",
    "Midwife (from records)",
    NEG,
    "Premature birth and low birth weight.",
    "",
    "",
    (N.MEDICAL,),
    True,
)
PAST_ENTRIES = [
    EntryText(
        "Referral from the health visitor: home conditions poor, baby's weight faltering.",
        "Health visitor (from records)",
        NEG,
        "Baby was underweight and had severe nappy rash.",
        "Assessment completed.",
        "",
        (N.NUTRITIONAL, N.PHYSICAL),
        True,
    ),
    EntryText(
        "Family moved house three times in a year.",
        "Social worker (from records)",
        NEG,
        "The child changed nursery twice and lost friendships.",
        "",
        "",
        (N.EMOTIONAL, N.EDUCATIONAL),
    ),
    EntryText(
        "Grandmother moved in to help; home conditions improved.",
        "Social worker (from records)",
        POS,
        "The child had regular meals and bedtimes.",
        "",
        "",
        (),
    ),
    EntryText(
        "Father left the family home after domestic abuse incidents.",
        "Police (from records)",
        NEG,
        "The child witnessed arguments and was frightened at night.",
        "",
        "",
        (N.EMOTIONAL,),
        True,
    ),
]

CHECKLIST_EVIDENCE = {
    Concern.NOT_CONCERNED: [
        "Nothing of concern seen at visits or reported by other agencies.",
        "Seen on three visits; consistent with the child's age and needs.",
    ],
    Concern.SOME_CONCERN: [
        "Some improvement since the last review but it is not consistent.",
        "Reported by school and seen once at a home visit; the parent recognises it.",
        "Better when support is in place; slips back when it stops.",
    ],
    Concern.VERY_CONCERNED: [
        "Seen at every visit this month and reported by two agencies.",
        "Long-standing and getting worse; the parent does not see it as a problem.",
        "Has caused harm: see the chronology entries for this period.",
    ],
}
OVERALL_JUDGEMENT = {
    0: "Care is mostly good enough; the worries are specific and the parents are working on them.",
    1: "Care is inconsistent. The parents can meet the child's needs with support but the "
    "progress is fragile.",
    2: "The child's needs are not being met in several areas and the impact is growing. "
    "Without change the child is likely to suffer significant harm.",
}
OBSERVATION_EVIDENCE = {
    ObservedQuality.STRENGTH: "Seen throughout the observation and natural, not put on for "
    "the visit.",
    ObservedQuality.ADEQUATE: "Good enough for most of the observation.",
    ObservedQuality.SOME_CONCERN: "Seen at times, but lapsed when the parent was distracted "
    "by their phone.",
    ObservedQuality.SERIOUS_CONCERN: "Absent for most of the observation; the child gave up "
    "seeking the parent's attention.",
}
SETTINGS = (
    "Family home, living room",
    "Family home, kitchen at teatime",
    "Contact centre",
    "Children's centre play session",
    "Park near the family home",
)
PRESENT = (
    "Mother, the child and the practitioner",
    "Father, the child and the practitioner",
    "Both parents, the child, a sibling and the practitioner",
    "Mother, her partner, the child and the practitioner",
)
ACTIVITIES = {
    DayVersion.BABY: ("A feed and a nappy change", "Settling the baby for a nap"),
    DayVersion.PRE_SCHOOL: ("Free play with toys the child chose", "Teatime and bath time"),
    DayVersion.SCHOOL_AGE: ("Homework at the kitchen table", "Getting ready for school"),
    DayVersion.ADOLESCENT: ("Cooking a meal together", "Talking about plans for the weekend"),
}
OBSERVATION_ANALYSIS = {
    0: "A warm relationship; the parent reads the child's cues well.",
    1: "Warmth is there but the parent struggles with boundaries and routines.",
    2: "The child is used to looking after themselves; the parent rarely responds to them.",
}
DAY_ACCOUNTS = {
    0: (
        "Says this part of the day goes to plan most days.",
        "Says it is fine and could describe what usually happens.",
    ),
    1: (
        "Says it depends on how she is feeling and whether there is money for food.",
        "Said sometimes it happens and sometimes they do it on their own.",
    ),
    2: (
        "Could not say what usually happens; said the child sorts themselves out.",
        "Said nobody is usually around, so they watch videos until they fall asleep.",
    ),
}
CHILDS_WORDS = {
    0: '"I like it when Mum reads to me."',
    1: '"Sometimes there\'s no tea, so I have crisps."',
    2: '"I get myself up. Nobody\'s awake."',
}
# A baby's words are what the baby showed the practitioner: the day is not complete without them.
BABY_SHOWED = {
    0: "Too young to talk: smiles and reaches for Mum when she comes close.",
    1: "Too young to talk: cries for a long time before anyone comes, then feeds hungrily.",
    2: "Too young to talk: quiet and watchful, does not turn to Mum for comfort.",
}
DAY_STRENGTHS = (
    "The child is loved and there is warmth between them and their parent.",
    "Grandparents help at weekends and the child enjoys seeing them.",
    "The child attends school regularly and likes their teacher.",
)
DAY_WORRIES = {
    0: "Bedtimes drift later at weekends.",
    1: "No regular meals; the child often goes to school without breakfast.",
    2: "No adult supervision in the evenings; the child is hungry and tired most days.",
}
DAY_IMPACT = {
    0: "Little impact at present; the child is thriving in most ways.",
    1: "The child is tired at school and falling behind.",
    2: "The child's health and development are suffering; they are withdrawn at school.",
}
# (what, the agency whose practitioner owns it when it works with the child (None: the social
# worker), and who outside the portal owns it otherwise).
NEXT_STEP_ACTIONS = (
    (
        "Health visitor to complete a growth review",
        COMMUNITY_HEALTH,
        ("A Okafor", "Health visitor"),
    ),
    (
        "Arrange a breakfast club place",
        EDUCATION,
        ("J Hughes", "Designated safeguarding lead, the child's school"),
    ),
    (
        "Parenting support sessions to start",
        EARLY_HELP,
        ("S Begum", "Family support worker, Early Help"),
    ),
    ("Housing team to inspect the damp", None, ("R Clarke", "Housing officer, the council")),
    ("Dental appointment to be booked and attended", None, ("The child's mother", "Parent")),
    ("Review the day in my life tool with the child", CSC, None),
)
# How a step stands today once its due date has passed, and before (done early or still open).
STEP_STATUS_PAST_DUE = {"done": 62, "not_needed": 8, "open": 30}
STEP_STATUS_NOT_YET_DUE = {"done": 20, "not_needed": 3, "open": 77}
NOT_NEEDED_REASONS = (
    "The family moved and the new school offers a breakfast club.",
    "Health visitor saw the child at clinic instead; growth is on track.",
    "Superseded by the new child protection plan.",
)
NEXT_STEPS_TEXT = {
    0: (
        "The parents engage and the child is attached to them.",
        "A steady routine and help with money.",
        "Slipping back when support stops.",
        "Mostly positive; some days hungry.",
        "How the child spends weekends with their father.",
    ),
    1: (
        "The child is resilient and has a good friend at school.",
        "Regular meals, supervision in the evenings, health appointments kept.",
        "Mother's mental health; periods without food in the home.",
        "The child is tired, hungry and falling behind at school.",
        "Who else is living in the home.",
    ),
    2: (
        "The child has a trusted adult at school.",
        "Safe supervision at all times, enough food, medical care.",
        "Cumulative harm: missed health care, hunger and being left alone.",
        "Faltering growth and withdrawal; the child expects nobody to help.",
        "Whether the parents can change within the child's timescales.",
    ),
}


@dataclass
class Period:
    """Part of a neglect plan inside the window, with the social worker for it."""

    start: date
    end: date
    social_worker: int


@dataclass
class ToolkitRecords:
    chronology: Chronology | None = None
    entries: list[ChronologyEntry] = field(default_factory=list)
    days: list[DayInMyLife] = field(default_factory=list)
    checklists: list[AssessmentChecklist] = field(default_factory=list)
    observations: list[ParentChildObservation] = field(default_factory=list)
    sdqs: list[SDQ] = field(default_factory=list)
    next_steps: list[NextSteps] = field(default_factory=list)
    sdq_needs: list[SDQNeed] = field(default_factory=list)
    steps: list[NextStep] = field(default_factory=list)
    # Management oversight and the tools that informed CP reviews, each with the tool (or the
    # chronology) it names by id: that id exists only once the tools are written.
    oversights: list[tuple[Oversight, Tool | Chronology]] = field(default_factory=list)
    informed: list[tuple[ToolInformed, Tool | Chronology]] = field(default_factory=list)

    def late_tables(self) -> Tables:
        """Written after tables() (cases.demo_data), when each tool has its id."""
        for record, tool in [*self.oversights, *self.informed]:
            record.tool_id = tool.pk
        return [
            (Oversight, [record for record, _ in self.oversights]),
            (ToolInformed, [record for record, _ in self.informed]),
        ]

    def tools(self) -> list[Tool]:
        return [*self.days, *self.checklists, *self.observations, *self.sdqs, *self.next_steps]

    def tables(self) -> Tables:
        return [
            (Chronology, [self.chronology] if self.chronology else []),
            (ChronologyEntry, self.entries),
            (DayInMyLife, self.days),
            (AssessmentChecklist, self.checklists),
            (ParentChildObservation, self.observations),
            (SDQ, self.sdqs),
            (NextSteps, self.next_steps),
            (SDQNeed, self.sdq_needs),
            # After their analyses: saving those gives the steps' analysis ids.
            (NextStep, self.steps),
        ]


def neglect_spans(episodes, today: date) -> list[tuple[date, date]]:
    """When the child was on a neglect plan, merged; an open plan runs to today. Follows
    `cases.selectors.on_neglect_plan`: a CP plan whose latest category is neglect, or a CIN
    plan in an episode with an assessment that identified neglect."""
    spans = []
    for episode in episodes:
        spans += [
            (plan.start_date, plan.end_date or today)
            for plan, _ in episode.cp_plans
            if plan.latest_category == CPCategory.NEG
        ]
        if any(NEGLECT_FACTOR in assessment.factors for assessment in episode.assessments):
            spans += [(plan.start_date, plan.end_date or today) for plan in episode.cin_plans]
    merged: list[tuple[date, date]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class ToolkitGenerator:
    """Toolkit records for one generated child at a time.

    `agency_ids` maps the demo agencies' names to ids; `authors` maps an agency id to the ids of
    practitioners in it (each list in a fixed order, for determinism). `bands` are the SDQ band
    tables in force (`toolkit.models.band_tables()`).
    """

    def __init__(
        self,
        *,
        seed: int,
        today: date,
        agency_ids: dict[str, int],
        authors: dict[int, list[int]],
        bands: dict | None = None,
        reopener: int | None = None,
        managers: dict[int, list[int]] | None = None,
    ):
        missing = [name for name in PRACTITIONERS_PER_2000 if not authors.get(agency_ids[name])]
        if missing:
            raise ValueError(f"No practitioners to write the toolkit in: {', '.join(missing)}")
        # Its own stream: the case records of a seed stay the same with or without the toolkit.
        self.rng = DemoRandom(f"toolkit-{seed}")
        # The steps' own stream, so adding them left the other toolkit records of a seed as
        # they were.
        self.step_rng = DemoRandom(f"next-steps-{seed}")
        self.today = today
        self.window_start = window_start(today)
        self.settled = self.window_start + timedelta(days=SETTLING_DAYS)
        self.ids = agency_ids
        self.names = {pk: name for name, pk in agency_ids.items()}
        self.authors = authors
        self.bands = bands or BAND_TABLES
        # A CSC team manager to reopen tools (None: no reopened tools), and a stream of its
        # own, so the follow-through leaves every other record of a seed unchanged.
        self.reopener = reopener
        self.follow_up = DemoRandom(f"toolkit-follow-up-{seed}")
        self.shown: set[str] = set()
        # Team managers by agency id, who oversee their practitioners' tools.
        self.managers = managers or {}
        # Its own stream too, so oversight and informed reviews leave the tools unchanged.
        self.follow_rng = DemoRandom(f"toolkit-follow-through-{seed}")

    def written(self, child_ids: list[int]) -> None:
        # Written in bulk, so no signal rewrote the children's stored tool dates.
        tool_dates.refresh(child_ids)

    def _gap(self, day: date, early: dict, settled: dict) -> timedelta:
        return self.rng.days(*self.rng.weighted(early if day < self.settled else settled))

    def _author(self, agency: str, team: dict[int, int]) -> tuple[int, int]:
        """(author id, agency id): the same person in an agency for the whole child."""
        agency_id = self.ids[agency]
        if agency_id not in team:
            team[agency_id] = self.rng.choice(self.authors[agency_id])
        return team[agency_id], agency_id

    # The child

    def records(self, generated: GeneratedChild) -> ToolkitRecords | None:
        """The child's toolkit records, or None when it has none. The child's allocated
        worker does the social care work on an open plan."""
        child, involvements = generated.child, generated.involvements
        periods = self._periods(generated.episodes, child.allocated_worker_id)
        if not periods or not self.rng.chance(USES_TOOLKIT):
            return None
        records = ToolkitRecords()
        level = self.rng.weighted(LEVELS)
        team: dict[int, int] = {}
        context = (child, periods, involvements, level, team)
        if not self.rng.chance(NO_CHRONOLOGY):
            self._chronology(records, *context)
        born = child.date_of_birth
        records.checklists = self._cycles("checklist", *context, born=None)
        if born is not None:  # nothing to observe of an unborn child's day
            records.days = self._cycles("day", *context, born=born)
            records.observations = self._cycles("observation", *context, born=born)
            if self.rng.chance(HAS_SDQ):
                records.sdqs = self._sdqs(*context)
        if self.rng.chance(HAS_NEXT_STEPS):
            records.next_steps = self._next_steps(*context)
            records.steps = [
                step
                for analysis in records.next_steps
                for step in self._steps(analysis, involvements, team)
            ]
        if periods[-1].end == self.today:
            self._reopen_a_checklist(records)
            self._sdq_needed(records, child, periods[-1])
        FollowThrough(self, generated).add_to(records)
        return records

    def _first_or_chance(self, what: str, p: float) -> bool:
        if what not in self.shown:
            self.shown.add(what)
            return True
        return self.follow_up.chance(p)

    def _reopen_a_checklist(self, records: ToolkitRecords) -> None:
        """The latest checklist, if social care completed it in the last five months, reopened
        since by a team manager (tool status counts its earlier completion meanwhile)."""
        completed = [tool for tool in records.checklists if tool.is_completed]
        if self.reopener is None or not completed:
            return
        tool = max(completed, key=lambda tool: tool.completed_on)
        recent = self.today - timedelta(days=150)
        if tool.author_agency_id != self.ids[CSC] or tool.completed_on < recent:
            return
        if tool.completed_on >= self.today or not self._first_or_chance("reopened", REOPENED):
            return
        days = (self.today - tool.completed_on).days
        tool.previous_completed_on = tool.completed_on
        tool.reopened_on = tool.completed_on + self.follow_up.days(1, min(days, 30))
        tool.reopened_by_id = self.reopener
        tool.reopen_reason = self.follow_up.choice(REOPEN_REASONS)
        tool.status = Tool.Status.DRAFT
        tool.completed_on = None

    def _sdq_needed(self, records: ToolkitRecords, child, period: Period) -> None:
        """An SDQ recorded as needed in the last month, with no SDQ completed since."""
        age = child.age_on(self.today)
        if age is None or not 2 <= age <= 17 or not self._first_or_chance("sdq", SDQ_NEEDED):
            return
        recorded_on = max(self.today - self.follow_up.days(0, 30), period.start)
        if any(sdq.completed_on >= recorded_on for sdq in records.sdqs):
            return
        need = SDQNeed(
            child=child,
            reason=self.follow_up.choice(SDQ_NEED_REASONS),
            recorded_by_id=period.social_worker,
            recorded_on=recorded_on,
        )
        need._history_user = User(pk=period.social_worker)  # type: ignore[attr-defined]
        records.sdq_needs.append(need)

    def _periods(self, episodes, social_worker) -> list[Period]:
        periods = []
        csc = self.ids[CSC]
        for start, end in neglect_spans(episodes, self.today):
            start = max(start, self.window_start)
            if start > end:
                continue  # over before the toolkit began
            # Social workers change between plans; the allocated worker has the open one.
            worker = (
                social_worker
                if social_worker and end == self.today
                else self.rng.choice(self.authors[csc])
            )
            periods.append(Period(start, end, worker))
        return periods

    def _involved(self, involvements, day: date, names) -> list[str]:
        open_ids = {i.agency_id for i in involvements if i.is_open_on(day)}
        return [name for name in names if self.ids[name] in open_ids]

    def _tool_author(self, kind, period, involvements, day, team) -> tuple[int, int]:
        if self.rng.chance(CSC_SHARE[kind]):
            return period.social_worker, self.ids[CSC]
        partners = {
            "day": DAY_PARTNERS,
            "checklist": CHECKLIST_PARTNERS,
            "observation": OBSERVATION_PARTNERS,
        }[kind]
        involved = self._involved(involvements, day, partners)
        if not involved:
            return period.social_worker, self.ids[CSC]
        return self._author(self.rng.choice(involved), team)

    # The three mandatory forms

    def _cycles(self, kind, child, periods, involvements, level, team, *, born):
        build = {"day": self._day, "checklist": self._checklist, "observation": self._observation}[
            kind
        ]
        tools = []
        never = self.rng.chance(NEVER_DONE)
        for period in periods:
            start = period.start if born is None else max(period.start, born)
            if period.start == self.window_start:
                # Plans already open when the toolkit began: taken up over its first months.
                day = start + self.rng.days(0, 150)
            else:
                day = start + self.rng.days(7, 60)
            while not never and day <= period.end:
                author, agency = self._tool_author(kind, period, involvements, day, team)
                tool = build(child, day, level)
                self._complete(tool, author, agency, day, earliest=start)
                tools.append(tool)
                day += self._gap(day, CYCLE_EARLY, CYCLE_SETTLED)
        last = periods[-1]
        ongoing = last.end == self.today and (
            born is None or born <= self.today - timedelta(days=7)
        )
        if ongoing and self.rng.chance(NEVER_DONE_DRAFT if never else CURRENT_DRAFT):
            started = max(self.today - self.rng.days(0, 45), last.start, born or last.start)
            tool = build(child, started, level, draft=True)
            self._draft(tool, last.social_worker, self.ids[CSC], started)
            tools.append(tool)
        return tools

    def _complete(
        self, tool: Tool, author: int, agency: int, day: date, earliest: date | None = None
    ):
        tool.author_id, tool.author_agency_id = author, agency
        tool.status = Tool.Status.COMPLETED
        tool.completed_on = day
        tool.started_on = max(day - self.rng.days(0, 14), earliest or date.min)

    def _draft(self, tool: Tool, author: int, agency: int, day: date):
        tool.author_id, tool.author_agency_id = author, agency
        tool.status = Tool.Status.DRAFT
        tool.started_on = day

    def _day(self, child, day, level, *, draft=False) -> DayInMyLife:
        rng = self.rng
        version = suggested_day_version(child.age_on(day))
        disabled = any(code != Disability.NONE for code in child.disabilities)
        if disabled and version != DayVersion.BABY and self.rng.chance(0.7):
            version = DayVersion.DISABLED
        parent, child_account = DAY_ACCOUNTS[level]
        sections = {
            key: {"parent": parent, "child": "" if version == DayVersion.BABY else child_account}
            for key in DAY_SECTIONS[version]
        }
        if draft:  # begun: the first sections only
            sections = dict(list(sections.items())[: rng.randint(1, 3)])
            return DayInMyLife(child=child, day_version=version, sections=sections)
        return DayInMyLife(
            child=child,
            day_version=version,
            sections=sections,
            childs_words=(BABY_SHOWED if version == DayVersion.BABY else CHILDS_WORDS)[level],
            strengths=rng.choice(DAY_STRENGTHS),
            worries=DAY_WORRIES[level],
            impact_on_child=DAY_IMPACT[level],
        )

    def _checklist(self, child, day, level, *, draft=False) -> AssessmentChecklist:
        concerns = self.rng.weighted_k(CONCERN_BY_LEVEL[level], len(CHECKLIST_DOMAINS))
        rolls = self.rng.choices(range(6), k=len(concerns))
        ratings = {}
        for key, concern, roll in zip(CHECKLIST_DOMAINS, concerns, rolls, strict=True):
            evidence = CHECKLIST_EVIDENCE[concern]
            ratings[key] = {"concern": concern.value, "evidence": evidence[roll % len(evidence)]}
        if draft:
            return AssessmentChecklist(child=child, ratings=dict(list(ratings.items())[:4]))
        return AssessmentChecklist(
            child=child, ratings=ratings, overall_judgement=OVERALL_JUDGEMENT[level]
        )

    def _observation(self, child, day, level, *, draft=False) -> ParentChildObservation:
        rng = self.rng
        version = suggested_day_version(child.age_on(day))
        observed = max(day - self.rng.days(0, 7), child.date_of_birth)
        observation = ParentChildObservation(
            child=child,
            observed_on=observed,
            setting=rng.choice(SETTINGS),
            who_was_present=rng.choice(PRESENT),
            activity=rng.choice(ACTIVITIES[version]),
        )
        if draft:
            observation.observed_on = day
            return observation
        qualities = self.rng.weighted_k(QUALITY_BY_LEVEL[level], len(OBSERVATION_DOMAINS))
        for key, quality in zip(OBSERVATION_DOMAINS, qualities, strict=True):
            observation.ratings[key] = {
                "quality": quality.value,
                "evidence": OBSERVATION_EVIDENCE[quality],
            }
        observation.analysis = OBSERVATION_ANALYSIS[level]
        return observation

    # The chronology

    def _chronology(self, records, child, periods, involvements, level, team):
        chronology = records.chronology = Chronology(child=child)
        first = periods[0]
        started = min(first.start + self.rng.days(0, 30), first.end)
        born = child.date_of_birth
        csc = self.ids[CSC]
        # Written up from the records when started: the history from (before) birth.
        earliest = min((born or child.expected_date_of_birth) - timedelta(days=120), started)
        if born is not None and born <= started and self.rng.chance(0.5):
            records.entries.append(
                self._entry(chronology, BIRTH_ENTRY, born, started, first.social_worker, csc)
            )
        for text in self.rng.sample(PAST_ENTRIES, self.rng.randint(1, 3)):
            event = self.rng.day_between(earliest, started)
            records.entries.append(
                self._entry(chronology, text, event, started, first.social_worker, csc)
            )
        for period in periods:
            day = max(period.start, started) + self.rng.days(3, 40)
            while day <= period.end:
                involved = [i for i in involvements if i.is_open_on(day)]
                # Social care writes most; every agency working with the child adds.
                agencies = sorted({i.agency_id for i in involved}) or [self.ids[CSC]]
                agency_id = self.rng.choices(
                    agencies, weights=[3 if a == self.ids[CSC] else 2 for a in agencies]
                )[0]
                name = self.names[agency_id]
                if agency_id == self.ids[CSC]:
                    author = period.social_worker
                else:
                    author, _ = self._author(name, team)
                text = self.rng.choice(ENTRIES[name])
                recorded = min(day + self.rng.days(0, 10), self.today)
                records.entries.append(
                    self._entry(chronology, text, day, recorded, author, agency_id)
                )
                day += self._gap(day, ENTRY_GAP_EARLY, ENTRY_GAP_SETTLED)
        last = periods[-1]
        # Stepped down: early help carries on with the family and keeps the chronology going.
        day, more = last.end + self.rng.days(14, 75), self.rng.randint(0, 4)
        while more and day <= self.today:
            if self._involved(involvements, day, (EARLY_HELP,)):
                author, agency = self._author(EARLY_HELP, team)
                recorded = min(day + self.rng.days(0, 10), self.today)
                records.entries.append(
                    self._entry(
                        chronology,
                        self.rng.choice(ENTRIES[EARLY_HELP]),
                        day,
                        recorded,
                        author,
                        agency,
                    )
                )
                more -= 1
            day += self.rng.days(20, 90)
        if self.rng.chance(REVIEWED):
            chronology.reviewed_on = self.rng.day_between(max(last.start, started), last.end)
            chronology.reviewed_by_id = last.social_worker
            chronology.reviewed_by_agency_id = self.ids[CSC]

    def _entry(
        self, chronology, text: EntryText, event: date, recorded: date, author: int, agency: int
    ) -> ChronologyEntry:
        return ChronologyEntry(
            chronology=chronology,
            event_date=event,
            recorded_on=recorded,
            what_happened=text.what,
            author_id=author,
            source_agency_id=agency,
            who_was_involved=text.who,
            impact=text.impact,
            impact_description=text.impact_description,
            action=text.action,
            analysis=text.analysis,
            significant=text.significant,
            neglect_types=[str(t) for t in text.types],
        )

    # SDQs and next steps

    def _sdqs(self, child, periods, involvements, level, team) -> list[SDQ]:
        sdqs = []
        for period in periods:
            day = period.start + self.rng.days(20, 90)
            while day <= period.end:
                sdq = self._sdq(child, day, level, period, involvements, team)
                if sdq is not None:
                    sdqs.append(sdq)
                day += self.rng.days(*self.rng.weighted(SDQ_GAP))
        return sdqs

    def _sdq(self, child, day, level, period, involvements, team) -> SDQ | None:
        age = child.age_on(day)
        if age is None or age < 2:
            return None
        rng = self.rng
        roll = rng.random()
        if age >= 11 and roll < 0.35:
            informant = "self"
        elif roll < (0.8 if age < 5 else 0.65):
            informant = "parent"
        else:
            informant = "teacher"
        form_version(informant, age)  # raises if the form and age do not fit
        if informant == "teacher" and self._involved(involvements, day, (EDUCATION,)):
            author, agency = self._author(EDUCATION, team)
        elif (
            informant != "teacher"
            and self._involved(involvements, day, (MENTAL_HEALTH,))
            and self.rng.chance(0.4)
        ):
            author, agency = self._author(MENTAL_HEALTH, team)
        else:
            author, agency = period.social_worker, self.ids[CSC]
        low, high = SDQ_DIFFICULTY[level]
        difficulty = rng.uniform(low, high)
        responses = {}
        prosocial = set(SCALE_ITEMS["prosocial"])
        for item in range(1, 26):
            r = rng.random()
            # 0, 1 or 2 "steps" in the worrying direction, then into the raw answer.
            steps = (r < difficulty) + (r < difficulty * 0.45)
            healthy_is_yes = item in REVERSED or item in prosocial
            responses[str(item)] = 2 - steps if healthy_is_yes else steps
        if self.rng.chance(MISSING_SDQ_ITEMS):
            for item in rng.sample(range(1, 26), rng.randint(1, 3)):
                del responses[str(item)]
        impact = {}
        if self.rng.chance(SDQ_IMPACT):
            impact["difficulties"] = self.rng.weighted(IMPACT_DIFFICULTIES[level])
            if impact["difficulties"] != "no":
                impact.update({item: rng.randint(0, 3) for item in IMPACT_ITEMS[informant]})
        sdq = SDQ(child=child, informant=informant, age=age, responses=responses, impact=impact)
        sdq.before_completion(bands=self.bands)  # the totals completing stores
        self._complete(sdq, author, agency, day)
        return sdq

    def _next_steps(self, child, periods, involvements, level, team) -> list[NextSteps]:
        found = []
        strengths, needs, risks, impact, unknown = NEXT_STEPS_TEXT[level]
        for period in periods:
            day = period.start + self.rng.days(45, 150)
            if day > period.end:
                continue
            # Drawn here, from the toolkit's stream, as when the steps were a list on the tool.
            chosen = self.rng.sample(NEXT_STEP_ACTIONS, self.rng.randint(2, 4))
            dues = [day + self.rng.days(14, 120) for _ in chosen]
            tool = NextSteps(
                child=child,
                strengths=strengths,
                needs=needs,
                risks=risks,
                impact_on_child=impact,
                still_unknown=unknown,
            )
            tool.planned_steps = list(zip(chosen, dues, strict=True))
            self._complete(tool, period.social_worker, self.ids[CSC], day)
            found.append(tool)
        last = periods[-1]
        if last.end == self.today and self.rng.chance(CURRENT_DRAFT):
            started = max(self.today - self.rng.days(0, 30), last.start)
            tool = NextSteps(child=child, strengths=strengths, needs=needs)
            self._draft(tool, last.social_worker, self.ids[CSC], started)
            found.append(tool)
        return found

    def _steps(self, analysis: NextSteps, involvements, team) -> list[NextStep]:
        """2 to 4 steps, each owned by a practitioner of an agency working with the child (the
        social worker for children's social care) or by someone outside the portal, due 2 to 17
        weeks on, and as they stand today: most past their due date done, some open (overdue),
        a few no longer needed."""
        rng = self.step_rng
        start = analysis.completed_on or analysis.started_on
        planned = getattr(analysis, "planned_steps", None)
        if planned is None:  # a draft
            chosen = rng.sample(NEXT_STEP_ACTIONS, rng.randint(1, 3))
            planned = [(action, start + rng.days(14, 120)) for action in chosen]
        steps = []
        for position, ((what, agency, outsider), due) in enumerate(planned, start=1):
            step = NextStep(analysis=analysis, position=position, what=what, due_on=due)
            self._step_owner(step, agency, outsider, analysis, involvements, team)
            if analysis.is_completed:
                self._step_status(step, start)
            steps.append(step)
        if not analysis.is_completed:
            steps[-1].due_on = None  # a draft: still being worked out
        return steps

    def _step_owner(self, step, agency, outsider, analysis, involvements, team):
        day = analysis.started_on
        if agency == CSC or outsider is None:
            step.owner_id = analysis.author_id
        elif agency is not None and self._involved(involvements, day, [agency]):
            agency_id = self.ids[agency]
            step.owner_id = team.get(agency_id) or self.step_rng.choice(self.authors[agency_id])
        else:
            step.owner_name, step.owner_role = outsider

    def _step_status(self, step, start):
        rng = self.step_rng
        due = step.due_on
        table = STEP_STATUS_PAST_DUE if due < self.today else STEP_STATUS_NOT_YET_DUE
        status = rng.weighted(table)
        if status == "done":
            step.status = NextStep.Status.DONE
            step.done_on = rng.day_between(start, min(due + timedelta(days=21), self.today))
        elif status == "not_needed":
            step.status = NextStep.Status.NOT_NEEDED
            step.closed_on = rng.day_between(start, min(due, self.today))
            step.closed_reason = rng.choice(NOT_NEEDED_REASONS)
        step.updated_by_id = step.owner_id or step.analysis.author_id


def demo_practitioners(
    agency_ids: dict[str, int], children: int, *, history: bool = True
) -> dict[int, list[int]]:
    """The generated practitioners who write the toolkit, by agency id."""
    return generated_practitioners(agency_ids, PRACTITIONERS_PER_2000, children, history=history)


def child_extension(context: GenerationContext) -> ToolkitGenerator:
    """Found by `cases.demo_data.generate_demo_data`: the toolkit for its children."""
    return ToolkitGenerator(
        seed=context.seed,
        today=context.today,
        agency_ids=context.agency_ids,
        authors=demo_practitioners(context.agency_ids, context.children, history=context.history),
        bands=band_tables(),
        reopener=User.objects.filter(
            agency_id=context.agency_ids.get(CSC),
            role=User.Role.TEAM_MANAGER,
            is_active=True,
        )
        .order_by("username")
        .values_list("pk", flat=True)
        .first(),
        managers=demo_team_managers(),
    )


def demo_team_managers() -> dict[int, list[int]]:
    """The team managers who sign in to the demo, by agency id (children's social care's,
    and any partner's)."""
    managers: dict[int, list[int]] = {}
    rows = User.objects.filter(role=User.Role.TEAM_MANAGER, is_active=True).order_by("username")
    for pk, agency in rows.values_list("pk", "agency_id"):
        managers.setdefault(agency, []).append(pk)
    return managers


# Management oversight and the tools that informed reviews --------------------------------

OVERSEEN = 0.8  # tools completed more than a fortnight ago with a manager's comment
OVERSEEN_RECENTLY = 0.3  # in the last fortnight: most still await it
OVERSIGHT_WITHIN = (1, 21)  # days after completion
JUDGEMENTS = {
    Oversight.Judgement.AGREE: 70,
    Oversight.Judgement.AGREE_WITH_ACTIONS: 22,
    Oversight.Judgement.DISAGREE: 8,
}
REASONS = {
    Oversight.Judgement.AGREE: (
        "The evidence supports the judgement and the analysis is proportionate.",
        "Clear account of the child's day; the worries are the right ones to plan around.",
        "Ratings match what is recorded on visits and in the chronology.",
    ),
    Oversight.Judgement.AGREE_WITH_ACTIONS: (
        "Sound analysis, but the child's own view is thin.",
        "Agree with the ratings; the home conditions evidence needs updating.",
    ),
    Oversight.Judgement.DISAGREE: (
        "The ratings understate the impact described in the evidence.",
        "The analysis does not follow from what was observed.",
    ),
}
ACTIONS = (
    "See the child alone at the next visit and record their words.",
    "Complete a further observation within four weeks.",
    "Discuss at supervision and update the plan's outcomes.",
)
ALL_CURRENT_INFORM = 0.7  # reviews recorded as informed by every tool current that day
CHRONOLOGY_REVIEW_OVERSEEN = 0.6
MANDATORY_KINDS = {DayInMyLife: "day", AssessmentChecklist: "checklist"}
MANDATORY_KINDS |= {ParentChildObservation: "observation", SDQ: "sdq", NextSteps: "next-steps"}


class FollowThrough:
    """A generated child's management oversight and CP reviews informed by its tools."""

    def __init__(self, generator: ToolkitGenerator, generated: GeneratedChild):
        self.rng = generator.follow_rng
        self.today = generator.today
        self.managers = generator.managers
        self.csc = generator.ids[CSC]
        self.generated = generated

    def add_to(self, records: ToolkitRecords) -> None:
        for tool in records.tools():
            if tool.status == Tool.Status.COMPLETED:
                self._oversee(records, tool, MANDATORY_KINDS[type(tool)], tool.completed_on)
        chronology = records.chronology
        if (
            chronology is not None
            and chronology.reviewed_on
            and self.rng.chance(CHRONOLOGY_REVIEW_OVERSEEN)
        ):
            self._oversee(records, chronology, CHRONOLOGY_KIND, chronology.reviewed_on)
        for episode in self.generated.episodes:
            for _, reviews in episode.cp_plans:
                for review in reviews:
                    self._inform(records, review)

    def _manager(self, agency_id: int, author_id: int | None) -> int | None:
        choices = [pk for pk in self.managers.get(agency_id, []) if pk != author_id]
        return self.rng.choice(choices) if choices else None

    def _oversee(self, records, tool, kind: str, done: date) -> None:
        if isinstance(tool, Tool):
            author, agency = tool.author_id, tool.author_agency_id
        else:  # the chronology, reviewed by the child's social worker
            author, agency = tool.reviewed_by_id, self.csc
        manager = self._manager(agency, author)
        recent = (self.today - done).days <= 14
        if manager is None or not self.rng.chance(OVERSEEN_RECENTLY if recent else OVERSEEN):
            return
        on = min(done + self.rng.days(*OVERSIGHT_WITHIN), self.today)
        judgement = self.rng.weighted(JUDGEMENTS)
        oversight = Oversight(
            child=self.generated.child,
            tool_kind=kind,
            tool_version=tool.version,
            completed_on=done,
            judgement=judgement,
            reason=self.rng.choice(REASONS[judgement]),
            actions=self.rng.choice(ACTIONS)
            if judgement == Oversight.Judgement.AGREE_WITH_ACTIONS
            else "",
            recorded_on=on,
            manager_id=manager,
            manager_agency_id=agency,
        )
        records.oversights.append((oversight, tool))

    def _inform(self, records: ToolkitRecords, review) -> None:
        day = review.review_date
        current = [
            (tool, MANDATORY_KINDS[type(tool)], tool.completed_on)
            for tool in records.tools()
            if tool.status == Tool.Status.COMPLETED and is_current(tool.completed_on, day)
        ]
        chronology = records.chronology
        if chronology is not None:
            days = [e.recorded_on for e in records.entries if e.recorded_on <= day]
            if chronology.reviewed_on and chronology.reviewed_on <= day:
                days.append(chronology.reviewed_on)
            if days and is_current(max(days), day):
                current.append((chronology, CHRONOLOGY_KIND, max(days)))
        if not current:
            return
        # The latest of each kind: what a practitioner would tick.
        latest: dict[str, tuple] = {}
        for found in sorted(current, key=lambda found: found[2]):
            latest[found[1]] = found
        chosen = list(latest.values())
        if not self.rng.chance(ALL_CURRENT_INFORM):
            chosen = self.rng.sample(chosen, self.rng.randint(0, len(chosen) - 1))
        for tool, kind, completed in chosen:
            link = ToolInformed(
                child=self.generated.child,
                tool_kind=kind,
                completed_on=completed,
                cp_review=review,
            )
            records.informed.append((link, tool))
