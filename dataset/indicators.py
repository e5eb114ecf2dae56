"""The indicator registry: one entry per code in shared/kpi-definitions.md.

The definition text is what every page, export and published snapshot shows beside a figure,
so nobody has to guess what a number counts. Change a definition only together with
`DEFINITIONS_VERSION`: published quarters record the version their figures were computed under.
"""

from dataclasses import dataclass

from django.db import models

# Bump when any definition below changes meaning (tests/dataset/test_indicators.py holds a
# fingerprint of the texts so a silent edit fails the suite).
DEFINITIONS_VERSION = "2"  # kpi-definitions.md: "definitions version 2"


class Kind(models.TextChoices):
    SNAPSHOT = "snapshot", "Snapshot at the end of the quarter"
    FLOW = "flow", "Events during the quarter"


class Unit(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    COUNT = "count", "Count"
    MEAN = "mean", "Mean per week"
    # An indicator submitted by an agency: its submitted total divided by its submitted count.
    AVERAGE = "average", "Mean"
    # A mean of changes on a 1–10 scale, in points (CONFIDENCE_CHANGE).
    MEAN_CHANGE = "mean_change", "Mean change in points"


class Source(models.TextChoices):
    CASE_RECORDS = "case_records", "Case records"
    AGENCY_RETURNS = "agency_returns", "Agency quarterly returns"
    ACTION_PLANS = "action_plans", "Agency action plans"
    CONFIDENCE_SURVEYS = "confidence_surveys", "Practitioner confidence surveys"
    AUDITS = "audits", "Multi-agency case audits"


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    definition: str
    kind: Kind
    unit: Unit
    # What one unit of the numerator (and denominator) is: "children", "CP plans", ...
    counts: str
    # True or False when a move one way is better; None for figures that describe need
    # rather than practice (a higher share of neglect plans is neither good nor bad).
    # Targets are set by administrators and kept with their history (dataset/targets.py);
    # an indicator without a better direction cannot have one.
    higher_is_better: bool | None
    source: Source = Source.CASE_RECORDS
    # An indicator submitted by an agency (dataset.models.PartnerIndicator): the owning
    # agency's name, its definition's own version and the agency's pk. None for the built-in
    # ones, whose definitions share DEFINITIONS_VERSION.
    owner: str | None = None
    version: int | None = None
    owner_id: int | None = None

    @property
    def has_denominator(self) -> bool:
        return self.unit == Unit.PERCENTAGE

    @property
    def computed_from_case_records(self) -> bool:
        """Computed from case records, with the records behind it listed (drill-down)."""
        return self.source == Source.CASE_RECORDS

    @property
    def submitted_by_agency(self) -> bool:
        """Defined by an administrator, submitted each quarter by its owning agency: a quarter
        without a submission is "not submitted", never 0."""
        return self.owner is not None

    @property
    def computed(self) -> bool:
        """Computed by dataset.computation (and `manage.py kpis`): the case-record
        indicators, the audits' and the confidence surveys', which lists no individual
        (anonymous)."""
        return self.source in (Source.CASE_RECORDS, Source.AUDITS, Source.CONFIDENCE_SURVEYS)

    @property
    def lists_records(self) -> bool:
        """Drilled down to the records behind it, each about a child: the case-record
        indicators and the audits' judgements."""
        return self.source in (Source.CASE_RECORDS, Source.AUDITS)


_OPEN_AT_E = (
    "A plan is open at the end of the quarter when it started on or before that day "
    "and has no end date or ends after it; a plan ending on the last day is not open."
)
_NEGLECT_CIN = (
    "A neglect child in need plan is one in an episode of need with an assessment "
    "that identified neglect (factor 16A)."
)
_VOICE_LEFT_OUT = (
    "A review where the answer was that the question is not appropriate for the child's age "
    "or understanding, or where it was not recorded (as on every review imported from the CIN "
    "census), is in neither number."
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "CP_NEGLECT_SHARE",
        "Child protection plans for neglect",
        "Of the children with at least one child protection plan open at the end of the "
        "quarter, the percentage with an open plan whose latest category of abuse is neglect. "
        + _OPEN_AT_E,
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "children",
        None,
    ),
    Indicator(
        "CIN_NEGLECT_OVER_12M",
        "Neglect child in need plans open over 12 months",
        "Of the children with at least one neglect child in need plan open at the end of the "
        "quarter, the percentage with an open neglect plan that started more than 12 months "
        "before that day (before the same date a year earlier). " + _NEGLECT_CIN + " " + _OPEN_AT_E,
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "children",
        False,
    ),
    Indicator(
        "CP_NEGLECT_REPEAT_3Y",
        "Repeat child protection plans for neglect within 3 years",
        "Of the child protection plans with an initial category of neglect that started in "
        "the quarter, the percentage whose child had another child protection plan (any "
        "category) that ended in the three years up to and including the new plan's start.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "CP plans",
        False,
    ),
    Indicator(
        "CP_SECOND_OR_SUBSEQUENT",
        "Second or subsequent child protection plans",
        "Of the child protection plans (any category) that started in the quarter, the "
        "percentage whose child had another child protection plan that started earlier, at "
        "any time.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "CP plans",
        False,
    ),
    Indicator(
        "CP_OPEN_15M",
        "Child protection plans open 15 months or more",
        "Of the children with at least one child protection plan open at the end of the "
        "quarter, the percentage with an open plan that started 15 months or more before "
        "that day (on or before the same date 15 months earlier). " + _OPEN_AT_E,
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "children",
        False,
    ),
    Indicator(
        "CP_ENDED_2Y",
        "Child protection plans ended after 2 years or more",
        "Of the child protection plans that ended in the quarter, the percentage that had "
        "lasted two years or more (ended on or after the second anniversary of the start).",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "CP plans",
        False,
    ),
    Indicator(
        "REFERRALS_NEGLECT",
        "Referrals presenting with neglect",
        "Of the referrals dated in the quarter, the percentage recording neglect as a "
        "presenting factor. Closed and no-further-action referrals count.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "referrals",
        None,
    ),
    Indicator(
        "REREFERRALS_12M",
        "Re-referrals within 12 months",
        "Of the referrals dated in the quarter, the percentage whose child had another "
        "referral in the 12 months before it (on or after the same date a year earlier and "
        "before the referral's own date). Closed and no-further-action referrals count.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "referrals",
        False,
    ),
    Indicator(
        "ASSESSMENTS_NEGLECT",
        "Assessments identifying neglect",
        "Of the assessments authorised (completed) in the quarter, the percentage whose "
        "factors include neglect (16A).",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "assessments",
        None,
    ),
    Indicator(
        "TOOLKIT_CHILDREN",
        "Children the neglect toolkit was used with",
        "The number of different children with at least one toolkit form completed in the "
        "quarter: a day in my life, assessment checklist, parent–child observation, SDQ or "
        '"So what do we know? Next steps". Chronology entries are counted separately.',
        Kind.FLOW,
        Unit.COUNT,
        "children",
        True,
    ),
    Indicator(
        "TOOLKIT_MANDATORY_COMPLETE",
        "Children on neglect plans with the mandatory tools",
        "Of the children on a neglect plan at the end of the quarter (an open child protection "
        "plan whose latest category is neglect, or an open neglect child in need plan), the "
        "percentage with all four mandatory tools current on that day: the chronology, the "
        "day in my life tool, the assessment checklist and the parent–child observation. A "
        "tool is current when it was completed in the six months up to that day; for the "
        "chronology, when an entry was recorded or it was marked reviewed in that time.",
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "children",
        True,
    ),
    Indicator(
        "CHRONOLOGY_ENTRIES_WEEKLY",
        "Chronology entries per week",
        "The number of chronology entries recorded in the quarter divided by the number of "
        "weeks in the quarter (its days divided by 7), to one decimal place.",
        Kind.FLOW,
        Unit.MEAN,
        "entries",
        True,
    ),
    Indicator(
        "SDQ_COMPLETED",
        "Strengths and Difficulties Questionnaires completed",
        "The number of Strengths and Difficulties Questionnaires completed in the quarter.",
        Kind.FLOW,
        Unit.COUNT,
        "questionnaires",
        True,
    ),
    Indicator(
        "SDQ_RAISED",
        "SDQs with high or very high difficulties",
        "Of the Strengths and Difficulties Questionnaires completed in the quarter that have "
        "a total difficulties score, the percentage whose total difficulties band is high or "
        "very high.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "questionnaires",
        None,
    ),
    Indicator(
        "CP_REVIEW_OVERDUE",
        "Child protection reviews overdue",
        "Of the children with a child protection plan open at the end of the quarter that "
        "started at least three months before that day, the percentage whose plan's review "
        "is overdue on that day: no review yet and more than three months since the plan "
        "started, or more than six months since the latest review (Working Together: the "
        "first review within three months, then at least every six months). " + _OPEN_AT_E,
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "children",
        False,
    ),
    Indicator(
        "NEXT_STEPS_OVERDUE",
        "Next steps overdue",
        'Of the next steps of "So what do we know? Next steps" analyses completed on or before '
        "the end of the quarter that were still open on that day (not done and not marked no "
        "longer needed on or before it), the percentage whose due date was before that day. "
        "A step done or closed after the end of the quarter counts as open on it.",
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "next steps",
        False,
    ),
    Indicator(
        "TOOLS_INFORMED_REVIEW",
        "Child protection reviews informed by the mandatory tools",
        "Of the child protection reviews dated in the quarter whose child was on a neglect plan "
        "on the review date (an open child protection plan whose latest category is neglect, "
        "or an open neglect child in need plan), the percentage recorded as informed by all "
        "four mandatory tools, each current on the review date: the chronology, the day in my "
        "life tool, the assessment checklist and the parent–child observation. A tool is "
        "current when it was completed in the six months up to that day; for the chronology, "
        "when an entry was recorded or it was marked reviewed in that time.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "CP reviews",
        True,
    ),
    Indicator(
        "MANAGER_OVERSIGHT",
        "Mandatory tools with management oversight",
        "Of the mandatory tools completed in the quarter (day in my life tools, assessment "
        "checklists and parent–child observations), the percentage with a team manager's "
        "oversight comment on that completion dated on or before the last day of the quarter. "
        "A tool reopened and completed again needs fresh oversight.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "tools",
        True,
    ),
    Indicator(
        "VOICE_KNOWS_PLAN",
        "Child protection reviews: the child knows they are on a plan",
        'Of the child protection reviews dated in the quarter at which "does the child know '
        'they are on a plan?" was answered yes or no, the percentage answered yes. '
        + _VOICE_LEFT_OUT,
        Kind.FLOW,
        Unit.PERCENTAGE,
        "CP reviews",
        True,
    ),
    Indicator(
        "VOICE_SAFETY_PLANNING",
        "Child protection reviews: the child took part in safety planning",
        'Of the child protection reviews dated in the quarter at which "did the child take '
        'part in safety planning?" was answered yes or no, the percentage answered yes. '
        + _VOICE_LEFT_OUT,
        Kind.FLOW,
        Unit.PERCENTAGE,
        "CP reviews",
        True,
    ),
    Indicator(
        "WORKER_CHANGES_12M",
        "Children with three or more changes of social worker in 12 months",
        "Of the children with a child protection plan or a child in need plan open at the end "
        "of the quarter, the percentage whose allocated worker changed three or more times in "
        "the 12 months up to and including that day (after the same date a year earlier). "
        "Every allocation after the child's first counts as a change, dated the day it began; "
        "the first allocation is not a change. " + _OPEN_AT_E,
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "children",
        False,
    ),
    Indicator(
        "CONFIDENCE_CHANGE",
        "Change in practitioners' confidence after neglect training",
        "The mean change in practitioners' confidence from before neglect training to after "
        "it, in points on the survey's 1 to 10 scale, per agency and in total. It counts each "
        'practitioner whose "after training" survey was completed in the quarter and who has '
        'a "before training" survey completed on or before that day: their latest "after" '
        'survey in the quarter, against their latest "before" survey up to its date. A '
        "survey's score is the mean of its three answers (recognising neglect, responding to "
        "it and using the tools), and a practitioner's change is the after score less the "
        "before score. The mean of the changes is to one decimal place, halves rounded away "
        "from zero. A practitioner counts with the agency they were in when they completed "
        "the after survey. The survey is anonymous: a mean over fewer than 5 practitioners, "
        "for an agency or in total, is not shown, and no list of practitioners is given.",
        Kind.FLOW,
        Unit.MEAN_CHANGE,
        "practitioners",
        True,
        source=Source.CONFIDENCE_SURVEYS,
    ),
    Indicator(
        "TRAINING_COVERAGE",
        "Staff trained in neglect",
        "Staff trained in neglect to date divided by the target workforce, from each agency's "
        "quarterly return, per agency and in total. An agency that has not submitted its "
        "return is shown as a gap, not as zero.",
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "staff",
        True,
        source=Source.AGENCY_RETURNS,
    ),
    Indicator(
        "ACTIONS_BY_RAG",
        "Action plan progress",
        "Actions in the agencies' neglect action plans by their latest RAG rating at the end "
        "of the quarter (red, amber, green or complete), per objective (Recognise, Respond, "
        "Quantify, Evaluate) and per agency.",
        Kind.SNAPSHOT,
        Unit.COUNT,
        "actions",
        None,
        source=Source.ACTION_PLANS,
    ),
    Indicator(
        "AUDIT_GOOD_OR_BETTER",
        "Multi-agency case audit judgements graded good or better",
        "Of the judgements of the multi-agency case audits moderated in the quarter (one "
        "audited child graded on one criterion: promptness of identification, use of "
        "historical information, analysis of the impact of neglect on the child, robustness "
        "of actions to improve outcomes, and the voice of the child), the percentage graded "
        "good or outstanding, as agreed at moderation. A child's judgements count in the "
        "quarter the lead auditor moderated their audit, whichever round it belongs to; an "
        "audit not yet moderated is in neither number. It is broken down by criterion and by "
        "the agencies involved with the audited child on the round's sample date; a child with "
        "several agencies involved counts once for each.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "audit judgements",
        True,
        source=Source.AUDITS,
    ),
)

BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
CASE_RECORD_CODES: tuple[str, ...] = tuple(
    indicator.code for indicator in INDICATORS if indicator.computed_from_case_records
)
# What dataset.computation.compute() and `manage.py kpis` give, in the registry's order.
COMPUTED_CODES: tuple[str, ...] = tuple(
    indicator.code for indicator in INDICATORS if indicator.computed
)


def get(code: str) -> Indicator:
    """The indicator with `code`; KeyError names the unknown code."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"No indicator has the code {code!r}") from None
