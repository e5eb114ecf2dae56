"""A round's results (domain.md §9): each criterion's grades overall and by agency, against the
previous round (distance travelled), and the round's learning, themes and agreed actions.

Only moderated audits count: a child's grades are the round's finding once the lead auditor
has agreed them, so the others are reported as "not yet moderated" and kept out of every
figure. Nothing here names a child: a learning point about one says "Child N".

A fixed number of queries per round, whatever the size of its sample.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from neglect_portal.dates import long_date

from .audit_models import (
    GOOD_OR_BETTER,
    AuditAgreedAction,
    AuditCriterion,
    AuditJudgement,
    AuditLearningPoint,
    AuditRound,
    AuditSample,
    AuditTheme,
    Grade,
)

ONE_PLACE = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    """62.5 for 5 of 8, to one place; None of nothing (no moderated judgement)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal | None) -> str:
    return "no moderated audits" if value is None else f"{value}%"


@dataclass(frozen=True)
class GradeCount:
    grade: str
    label: str
    count: int
    percent: Decimal | None


@dataclass
class Distribution:
    """How many of a criterion's moderated judgements got each grade."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, grade: str, count: int) -> None:
        self.counts[grade] = self.counts.get(grade, 0) + count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def grades(self) -> list[GradeCount]:
        total = self.total
        counts = [(grade, label, self.counts.get(grade, 0)) for grade, label in Grade.choices]
        return [GradeCount(grade, label, n, percent(n, total)) for grade, label, n in counts]

    @property
    def good_or_better(self) -> int:
        return sum(self.counts.get(grade, 0) for grade in GOOD_OR_BETTER)

    @property
    def percent_good_or_better(self) -> Decimal | None:
        return percent(self.good_or_better, self.total)


@dataclass(frozen=True)
class DistanceTravelled:
    """The change in % good or better since the previous round, in percentage points of the
    figures as shown (so the words never disagree with the two numbers beside them)."""

    before: Decimal | None
    after: Decimal | None
    previous_title: str | None

    @property
    def comparable(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def points(self) -> Decimal | None:
        return self.after - self.before if self.comparable else None

    @property
    def better(self) -> bool | None:
        if not self.points:
            return None
        return self.points > 0

    @property
    def words(self) -> str:
        if self.previous_title is None:
            return "no previous round to compare with"
        if self.before is None:
            return f"not comparable: no moderated audits in {self.previous_title}"
        if self.after is None:
            return "not comparable: no moderated audits in this round yet"
        before, after = percent_text(self.before), percent_text(self.after)
        if self.points == 0:
            return f"no change from {before}"
        size = abs(self.points)
        unit = "point" if size == 1 else "points"
        direction = "up" if self.points > 0 else "down"
        return f"{direction} {size} {unit} from {before} to {after}"


@dataclass(frozen=True)
class AgencyRow:
    agency_id: int
    agency: str
    distribution: Distribution


@dataclass(frozen=True)
class CriterionResult:
    criterion: AuditCriterion
    overall: Distribution
    by_agency: list[AgencyRow]
    travelled: DistanceTravelled


@dataclass(frozen=True)
class RoundResults:
    round: AuditRound
    previous: AuditRound | None
    children: int
    moderated: int
    criteria: list[CriterionResult]

    @property
    def not_yet_moderated(self) -> int:
        return self.children - self.moderated


def previous_round(round: AuditRound) -> AuditRound | None:
    """The round a round is compared with: the latest other one to have started before it,
    closed or not."""
    return (
        AuditRound.objects.filter(starts_on__lt=round.starts_on)
        # One still being planned (or set up and abandoned) has audited no one.
        .exclude(status=AuditRound.Status.PLANNING)
        .exclude(pk=round.pk)
        .order_by("-starts_on", "-pk")
        .first()
    )


def _moderated_judgements(round: AuditRound) -> QuerySet[AuditJudgement]:
    return AuditJudgement.objects.filter(
        sample__round=round, sample__status=AuditSample.Status.MODERATED
    ).exclude(grade="")


def _good_or_better_by_code(round: AuditRound) -> dict[str, Decimal | None]:
    """A round's % good or better per criterion code: criteria are each round's own rows,
    so rounds are compared question by question through their codes."""
    rows = (
        _moderated_judgements(round)
        .values("criterion__code")
        .annotate(total=Count("pk"), good=Count("pk", filter=Q(grade__in=GOOD_OR_BETTER)))
    )
    return {row["criterion__code"]: percent(row["good"], row["total"]) for row in rows}


def round_results(round: AuditRound) -> RoundResults:
    """Every criterion's distribution, overall and by the agencies involved with the audited
    children, and its distance travelled since the previous round. Six queries."""
    criteria = list(round.criteria.all())
    overall: dict[int, Distribution] = defaultdict(Distribution)
    for row in _moderated_judgements(round).values("criterion_id", "grade").annotate(n=Count("pk")):
        overall[row["criterion_id"]].add(row["grade"], row["n"])
    # A child known to two agencies counts once in each agency's row (as the dataset's
    # breakdowns count them), so agencies' rows need not add up to the overall figure.
    agencies: dict[int, dict[int, AgencyRow]] = defaultdict(dict)
    by_agency = (
        _moderated_judgements(round)
        .values("criterion_id", "sample__agencies__id", "sample__agencies__name", "grade")
        .annotate(n=Count("pk"))
        .order_by("sample__agencies__name", "sample__agencies__id")
    )
    for row in by_agency:
        agency_id = row["sample__agencies__id"]
        if agency_id is None:  # no agency was involved on the sample date
            continue
        rows = agencies[row["criterion_id"]]
        if agency_id not in rows:
            rows[agency_id] = AgencyRow(agency_id, row["sample__agencies__name"], Distribution())
        rows[agency_id].distribution.add(row["grade"], row["n"])
    samples = round.samples.aggregate(
        children=Count("pk"), moderated=Count("pk", filter=Q(status=AuditSample.Status.MODERATED))
    )
    previous = previous_round(round)
    before = _good_or_better_by_code(previous) if previous is not None else {}
    results = []
    for criterion in criteria:
        distribution = overall[criterion.pk]
        results.append(
            CriterionResult(
                criterion=criterion,
                overall=distribution,
                by_agency=sorted(agencies[criterion.pk].values(), key=lambda r: r.agency),
                travelled=DistanceTravelled(
                    before=before.get(criterion.code),
                    after=distribution.percent_good_or_better,
                    previous_title=previous.title if previous is not None else None,
                ),
            )
        )
    return RoundResults(
        round=round,
        previous=previous,
        children=samples["children"],
        moderated=samples["moderated"],
        criteria=results,
    )


# Learning, themes and agreed actions -------------------------------------------------------


def _points() -> QuerySet[AuditLearningPoint]:
    return AuditLearningPoint.objects.select_related("sample").order_by("written_at", "pk")


def themes_of(round: AuditRound) -> QuerySet[AuditTheme]:
    """The round's themes with their points and agreed actions (each action with its plan
    and agency): three queries for any page of them."""
    return round.themes.prefetch_related(
        Prefetch("points", queryset=_points()),
        Prefetch(
            "agreed_actions",
            queryset=AuditAgreedAction.objects.select_related("action__plan__agency").order_by(
                "agreed_at", "pk"
            ),
        ),
    )


def learning_of(round: AuditRound) -> QuerySet[AuditLearningPoint]:
    """Every learning point of the round, newest first (the one just added is on top), with
    the theme it is grouped in."""
    return _points().filter(round=round).select_related("theme").order_by("-written_at", "-pk")


def ungrouped_count(round: AuditRound) -> int:
    return round.learning.filter(theme__isnull=True).count()


def agreed_actions_of(round: AuditRound) -> QuerySet[AuditAgreedAction]:
    return (
        AuditAgreedAction.objects.filter(theme__round=round)
        .select_related("theme", "action__plan__agency")
        .order_by("theme__title", "agreed_at", "pk")
    )


def findings_for_actions(plan_ids: Iterable[int]) -> dict[int, AuditAgreedAction]:
    """Action id → the audit finding it was agreed from, for every action of these plans:
    one query, for the plan page's panel."""
    links = AuditAgreedAction.objects.filter(action__plan_id__in=list(plan_ids)).select_related(
        "theme__round"
    )
    return {link.action_id: link for link in links}


# The export for the Working Group -----------------------------------------------------------
# No child's name, id or LA number: a point about one child says "Child N", the number the
# round gave them, which means nothing outside the round.

GRADE_LABELS = [label for _, label in Grade.choices]
RESULT_HEADER = [
    "Criterion",
    "Scope",
    *GRADE_LABELS,
    "Moderated judgements",
    "% good or better",
    "Previous round % good or better",
    "Change (percentage points)",
]
LEARNING_HEADER = ["Theme", "Learning point", "About"]
ACTION_HEADER = ["Theme", "Agency", "Objective", "What will be done", "Owner", "Due date"]
CSV_HEADER = [
    "Section",
    *RESULT_HEADER,
    *["Theme", "Text", "About", "Agency", "Objective", "Owner", "Due date"],
]

Row = list


def _result_rows(results: RoundResults) -> list[Row]:
    rows = []
    for result in results.criteria:
        travelled = result.travelled
        rows.append(
            [
                result.criterion.title,
                "Overall",
                *[grade.count for grade in result.overall.grades],
                result.overall.total,
                result.overall.percent_good_or_better,
                travelled.before,
                travelled.points,
            ]
        )
        for agency in result.by_agency:
            rows.append(
                [
                    result.criterion.title,
                    agency.agency,
                    *[grade.count for grade in agency.distribution.grades],
                    agency.distribution.total,
                    agency.distribution.percent_good_or_better,
                    None,
                    None,
                ]
            )
    return rows


def _about(point: AuditLearningPoint) -> str:
    return point.sample.label if point.sample_id else "The round as a whole"


def _learning_rows(round: AuditRound) -> list[Row]:
    points = _points().filter(round=round).select_related("theme")
    return [
        [point.theme.title if point.theme else "", point.text, _about(point)] for point in points
    ]


def _action_rows(round: AuditRound) -> list[Row]:
    return [
        [
            link.theme.title,
            link.action.plan.agency.name,
            link.action.get_objective_display(),
            link.action.description,
            link.action.owner_name,
            link.action.due_date,
        ]
        for link in agreed_actions_of(round)
    ]


def _figure(value: Decimal | None) -> float | None:
    # Typed numbers in the spreadsheet, so the Working Group can sort and chart them.
    return None if value is None else float(value)


def _round_rows(results: RoundResults) -> list[Row]:
    round, previous = results.round, results.previous
    return [
        ["Round", round.title],
        ["Starts", round.starts_on],
        ["Ends", round.ends_on],
        ["Status", round.get_status_display()],
        ["Children in the sample", results.children],
        ["Audits moderated (counted in the results)", results.moderated],
        ["Audits not yet moderated (not counted)", results.not_yet_moderated],
        ["Compared with", previous.title if previous is not None else "No previous round"],
    ]


def sheets(round: AuditRound) -> list[tuple[str, list[str], list[Row]]]:
    results = round_results(round)
    figures = [
        [*row[: len(GRADE_LABELS) + 3], *(_figure(value) for value in row[len(GRADE_LABELS) + 3 :])]
        for row in _result_rows(results)
    ]
    return [
        ("Round", ["Item", "Value"], _round_rows(results)),
        ("Results", RESULT_HEADER, figures),
        ("Learning", LEARNING_HEADER, _learning_rows(round)),
        ("Agreed actions", ACTION_HEADER, _action_rows(round)),
    ]


def _text(value: object) -> str:
    return long_date(value) if isinstance(value, date) else str(value)


def csv_rows(round: AuditRound) -> list[Row]:
    """Every section in one table, told apart by its first column."""
    results = round_results(round)
    blank_result = [""] * len(RESULT_HEADER)
    rows: list[Row] = [
        ["Round", *blank_result, "", f"{label}: {_text(value)}", "", "", "", "", ""]
        for label, value in _round_rows(results)
    ]
    rows += [["Results", *row, "", "", "", "", "", "", ""] for row in _result_rows(results)]
    rows += [
        ["Learning point", *blank_result, theme, text, about, "", "", "", ""]
        for theme, text, about in _learning_rows(round)
    ]
    rows += [
        ["Agreed action", *blank_result, theme, what, "", agency, objective, owner, _text(due)]
        for theme, agency, objective, what, owner, due in _action_rows(round)
    ]
    return rows
