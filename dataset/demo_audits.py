"""Demo audit rounds for `make run` (issue 15): last year's multi-agency neglect audit,
completed, moderated and closed, with its learning grouped into themes and agreed actions in
two agencies' active plans; and this year's, in progress, with audits at every stage. This
year's grades are better on average, so the results show distance travelled, and the
moderation dates fall in three quarters, so AUDIT_GOOD_OR_BETTER has a trend.

Built with the audit services, as the Working Group and the auditors would have, then dated:
the services stamp "now", and an audit can only be written while its round runs, so last
year's round is worked through today and its dates are moved back afterwards.

Run by `manage.py load_demo_audits` after `generate_demo_data`, whose children it samples.
Development only, like the rest of the demo data; a round whose title exists is left alone,
so running it again changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actionplans.models import Action, Objective
from actionplans.selectors import current_plan_of
from neglect_portal import dates
from neglect_portal.demo import COMMUNITY_HEALTH, HEALTH_PRACTITIONER, USERS
from neglect_portal.demo_confidence import SURVEY_USER_PREFIX
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter

from . import audit_sampling, audit_services
from .audit_models import (
    AuditAgreedAction,
    AuditAuditor,
    AuditCriterion,
    AuditJudgement,
    AuditLearningPoint,
    AuditRound,
    AuditSample,
    AuditTheme,
    Grade,
)
from .audit_services import Answer, Moderation, NewAgreedAction

SAMPLE_SIZE = 10
LAST_YEAR_SEED = 2417
# This year's draw starts from this seed and takes the first that samples at least two
# children the Community Health Trust works with, so the health sign-in has audits to do.
THIS_YEAR_SEED = 5003
HEALTH_AUDITS = 2

# Grade shares (outstanding, good, requires improvement, inadequate): last year's mostly
# requires improvement; this year's better, the distance travelled the results page shows.
LAST_YEAR_GRADES = (0.06, 0.26, 0.54, 0.14)
THIS_YEAR_GRADES = (0.10, 0.42, 0.42, 0.06)
GRADES = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)

# This year's audits, by stage: some moderated, some waiting for moderation, some drafts and
# some not started. The Community Health Trust's children take the first stages in HEALTH_FIRST.
THIS_YEAR_STAGES = (
    [AuditSample.Status.MODERATED] * 3
    + [AuditSample.Status.COMPLETED] * 3
    + [AuditSample.Status.DRAFT] * 2
    + [AuditSample.Status.NOT_STARTED] * 2
)
HEALTH_FIRST = (AuditSample.Status.COMPLETED, AuditSample.Status.DRAFT)

# criterion code → (evidence when good or better, evidence otherwise, what would be better)
EVIDENCE = {
    "promptness": (
        "The school nurse's concerns about weight and hygiene led to a referral within a week, "
        "and a strategy discussion followed the same day.",
        "Concerns about the home and missed appointments were noted by three agencies over "
        "eight months before anyone referred.",
        "Use the neglect screening tool at the first missed appointment, not the third.",
    ),
    "history": (
        "A multi-agency chronology was kept up to date and the conference report drew on it "
        "to show the pattern of neglect since the child was a baby.",
        "A chronology exists but stops before the last two referrals; earlier episodes of "
        "neglect were not considered at conference.",
        "Update the chronology before each review and read it with the family's history.",
    ),
    "impact": (
        "The assessment describes a day in the child's life and links the neglect to their "
        "delayed speech and school attendance.",
        "The assessment lists the parents' difficulties but says little about what they mean "
        "for the child's health, development or friendships.",
        "Say what the neglect means for this child, using the day in my life tool.",
    ),
    "actions": (
        "The plan's actions are specific and dated, were followed through, and the child's "
        "attendance and weight have improved.",
        "Actions such as 'parents to engage with services' are vague; the same actions have "
        "been carried over three reviews without change.",
        "Write actions that say who does what by when, and what will show it has worked.",
    ),
    "voice": (
        "The child's wishes were gathered through direct work before each review and their "
        "worries about meals shaped the safety plan.",
        "The child was not seen alone and their views are not recorded; they did not know "
        "they were on a plan.",
        "See the child alone and record their words; tell them about their plan.",
    ),
}

# Last year's learning: theme → points, each about one sampled child (by position; None: the
# next child the Community Health Trust works with, or the round as a whole when none is left).
LAST_YEAR_THEMES: list[tuple[str, list[tuple[int | None, str]]]] = [
    (
        "Chronologies are not used to see cumulative harm",
        [
            (
                0,
                "Each agency kept its own chronology; nobody put them together before the "
                "conference, so the pattern over two years was missed.",
            ),
            (3, "The chronology was not updated after the last two strategy meetings."),
            (
                7,
                "Earlier episodes of neglect, closed as no further action, were not read "
                "when the family was referred again.",
            ),
        ],
    ),
    (
        "Children's views are recorded but not acted on",
        [
            (
                1,
                "The child said she was often hungry at school; the plan did not mention "
                "food or breakfast club.",
            ),
            (
                5,
                "Two reviews in, the child did not know they were on a plan or who their "
                "social worker was.",
            ),
        ],
    ),
    (
        "Health information reaches plans too late",
        [
            (
                None,
                "Missed health visitor contacts ('was not brought') were not shared with the "
                "social worker until the review conference.",
            ),
            (
                None,
                "Concerns about the child's weight were held by the GP practice and not "
                "raised at core group.",
            ),
        ],
    ),
]
# theme position → agency whose active plan takes the agreed action, objective, action, owner
AGREED_ACTIONS = [
    (
        0,
        "Children's Social Care",
        Objective.RESPOND,
        "Every child on a neglect plan has one multi-agency chronology, updated before each "
        "review conference and checked at supervision.",
        "Head of Service, Family Support and Protection",
    ),
    (
        2,
        COMMUNITY_HEALTH,
        Objective.RECOGNISE,
        "Health visitors and school nurses tell the allocated social worker about any 'was not "
        "brought' pattern within five working days, not at the next conference.",
        "Named Nurse for Safeguarding Children",
    ),
]
# Last year's two grades changed at moderation: (child by position, criterion, team's grade,
# agreed grade, why).
LAST_YEAR_MODERATION = [
    (
        3,
        "history",
        Grade.GOOD,
        Grade.REQUIRES_IMPROVEMENT,
        "The chronology stopped eight months before the audit, so it could not have shown "
        "the cumulative harm at the last review.",
    ),
    (
        6,
        "voice",
        Grade.REQUIRES_IMPROVEMENT,
        Grade.GOOD,
        "The direct work sessions on file show the child's wishes shaped the safety plan; the "
        "team had not seen them.",
    ),
]
THIS_YEAR_LEARNING = [
    "Chronologies are now up to date before reviews; the child's own words are still missing "
    "from some plans.",
    "The health visitor's notes reached the social worker within the week.",
]


@dataclass(frozen=True)
class People:
    admin: User
    practitioner: User  # Sam Okafor, children's social care: a lead auditor
    manager: User  # Priya Shah, children's social care: a lead auditor
    health: User  # Amira Hussain, Community Health Trust
    health_manager: User | None
    # agency id → the practitioner who audits for an agency with no demo sign-in: one of the
    # generated practitioners, who cannot sign in
    others: dict[int, User]


def _people() -> People | None:
    by_name = {
        user.username: user
        for user in User.objects.filter(
            username__in=["admin", "practitioner", "manager", HEALTH_PRACTITIONER, "health-manager"]
        ).select_related("agency")
    }
    if not {"admin", "practitioner", "manager", HEALTH_PRACTITIONER} <= set(by_name):
        return None
    demo_names = {username for username, *_ in USERS}
    others: dict[int, User] = {}
    for user in (
        User.objects.filter(role=User.Role.PRACTITIONER, is_active=True)
        .exclude(username__in=demo_names)
        .exclude(username__startswith=SURVEY_USER_PREFIX)
        .exclude(agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
        .exclude(agency__name=COMMUNITY_HEALTH)
        .order_by("username")
    ):
        others.setdefault(user.agency_id, user)
    return People(
        admin=by_name["admin"],
        practitioner=by_name["practitioner"],
        manager=by_name["manager"],
        health=by_name[HEALTH_PRACTITIONER],
        health_manager=by_name.get("health-manager"),
        others=others,
    )


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _season(day: date) -> str:
    return ("winter", "spring", "summer", "autumn")[(day.month % 12) // 3]


def _grades(rng: random.Random, count: int, shares: Sequence[float]) -> list[str]:
    """`count` grades in `shares` (largest remainder, so a small round keeps its spread),
    in a random order."""
    exact = [share * count for share in shares]
    taken = [int(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (taken[i] - exact[i], i))
    for i in by_remainder[: count - sum(taken)]:
        taken[i] += 1
    grades: list[str] = [grade for grade, n in zip(GRADES, taken, strict=True) for _ in range(n)]
    rng.shuffle(grades)
    return grades


def _answers(round: AuditRound, grades: Sequence[str]) -> dict[int, Answer]:
    answers = {}
    for criterion, grade in zip(round.criteria.all(), grades, strict=False):
        strong, weak, better = EVIDENCE.get(criterion.code, ("Seen on file.",) * 3)
        good = grade in (Grade.OUTSTANDING, Grade.GOOD)
        answers[criterion.pk] = Answer(
            grade=grade, evidence=strong if good else weak, better="" if good else better
        )
    return answers


def _team(sample: AuditSample, people: People, *, health: User | None) -> list[User]:
    """An auditor from each agency involved with the child that the demo has someone in."""
    team = []
    for agency in sample.agencies.all():
        if agency.name == COMMUNITY_HEALTH:
            if health is not None:
                team.append(health)
        elif agency.pk in people.others:
            team.append(people.others[agency.pk])
    return team


def _draw(round: AuditRound, people: People, seed: int) -> list[AuditSample]:
    audit_services.audit_sample_draw(
        round=round, user=people.admin, version=round.version, seed=seed
    )
    return list(round.samples.prefetch_related("agencies"))


def _health_seed(sample_date: date, community_health: Agency | None) -> int:
    """THIS_YEAR_SEED, or the first seed after it whose stratified draw samples at least
    HEALTH_AUDITS children the Community Health Trust works with (the same draw the service
    then makes, so the round records the seed its children came from)."""
    eligible = audit_sampling.eligible_children(sample_date)
    if community_health is None:
        return THIS_YEAR_SEED
    for seed in range(THIS_YEAR_SEED, THIS_YEAR_SEED + 200):
        chosen = audit_sampling.draw(eligible, size=SAMPLE_SIZE, seed=seed, stratified=True)
        if sum(community_health.pk in one.agency_ids for one in chosen) >= HEALTH_AUDITS:
            return seed
    return THIS_YEAR_SEED


def _start(round: AuditRound, people: People) -> list[AuditSample]:
    """Start the round: its samples as they now are, with their teams."""
    round.refresh_from_db()
    audit_services.audit_round_start(round=round, user=people.admin, version=round.version)
    return list(round.samples.select_related("lead_auditor").prefetch_related("agencies"))


def _save(
    sample: AuditSample, user: User, answers: dict[int, Answer], *, complete: bool
) -> AuditSample:
    sample.refresh_from_db()
    return audit_services.audit_save(
        sample=sample, user=user, version=sample.version, answers=answers, complete=complete
    )


def _moderate(sample: AuditSample, changes: dict[int, Moderation] | None = None) -> None:
    sample.refresh_from_db()
    audit_services.audit_moderate(
        sample=sample, user=_lead(sample), version=sample.version, changes=changes or {}
    )


def _lead(sample: AuditSample) -> User:
    assert sample.lead_auditor is not None  # noqa: S101 - every child has one before the start
    return sample.lead_auditor


def _date_history(round: AuditRound, *, teamed: datetime, drafted: datetime | None = None) -> None:
    """Date the history rows the build wrote today as the story has it, so a record's history
    page agrees with its dates: drawn the day after the round was set up, teams named at
    `teamed`, drafts saved at `drafted`, then completed, moderated and closed when the records
    say. Run after the records themselves are dated."""
    round.refresh_from_db()
    drawn = round.created_at + timedelta(days=1)

    def on(model: type, moment: datetime | None, **rows: object) -> None:
        if moment is not None:
            model.history.filter(**rows).update(history_date=moment)  # type: ignore[attr-defined]

    on(AuditRound, round.created_at, id=round.pk)
    on(AuditRound, drawn, id=round.pk, history_change_reason__startswith="Sample drawn")
    on(AuditRound, _at(round.starts_on, 9), id=round.pk, history_change_reason="Round started")
    on(AuditRound, round.closed_at, id=round.pk, history_change_reason="Round closed")
    on(AuditCriterion, round.created_at, round_id=round.pk)
    on(AuditAuditor, teamed, sample__round_id=round.pk)
    for sample in round.samples.all():
        on(AuditSample, drawn, id=sample.pk, history_type="+")
        on(AuditSample, teamed, id=sample.pk, history_type="~", history_change_reason=None)
        on(AuditSample, sample.completed_at, id=sample.pk, history_change_reason="Completed")
        on(AuditSample, sample.moderated_at, id=sample.pk, history_change_reason="Moderated")
        on(AuditJudgement, sample.completed_at or drafted, sample_id=sample.pk, history_type="+")
        on(
            AuditJudgement,
            sample.moderated_at,
            sample_id=sample.pk,
            history_change_reason__startswith="Moderated",
        )
        if sample.status == AuditSample.Status.DRAFT and drafted is not None:
            last = sample.history.order_by("-history_id").first()
            on(AuditSample, drafted, history_id=last.history_id)
    themed = _at(round.ends_on, 11)
    on(AuditTheme, themed, round_id=round.pk)
    for point in round.learning.all():
        on(AuditLearningPoint, point.written_at, id=point.pk, history_type="+")
        on(AuditLearningPoint, themed, id=point.pk, history_type="~")
    for link in AuditAgreedAction.objects.filter(theme__round=round):
        on(AuditAgreedAction, link.agreed_at, id=link.pk)
        on(Action, link.agreed_at, id=link.action_id)


def _last_year(people: People, today: date) -> str | None:
    year = Quarter.containing(today).start_year - 1  # the previous local-authority year
    title = f"Multi-agency neglect audit, autumn {year}"
    if AuditRound.objects.filter(title=title).exists():
        return None
    sample_date, starts_on, ends_on = date(year, 9, 30), date(year, 10, 6), date(year + 1, 1, 30)
    if not audit_sampling.eligible_children(sample_date):
        return None
    # Worked through while it "runs" today (the services allow audits only then) and dated
    # back below.
    round = audit_services.audit_round_add(
        round=AuditRound(
            title=title,
            starts_on=today,
            ends_on=today,
            sample_date=sample_date,
            sample_size=SAMPLE_SIZE,
            method=AuditRound.Method.STRATIFIED,
        ),
        user=people.admin,
    )
    samples = _draw(round, people, LAST_YEAR_SEED)
    for n, sample in enumerate(samples):
        lead = people.practitioner if n % 2 == 0 else people.manager
        health = (
            people.health if n % 2 == 0 or people.health_manager is None else people.health_manager
        )
        audit_services.audit_team_set(
            sample=sample,
            user=people.admin,
            version=sample.version,
            lead=lead,
            auditors=_team(sample, people, health=health),
        )
    samples = _start(round, people)
    criteria = {c.code: c for c in round.criteria.all()}
    count = len(criteria)
    rng = random.Random(LAST_YEAR_SEED)  # noqa: S311 - demo grades, the same every time
    grades = _grades(rng, count * len(samples), LAST_YEAR_GRADES)
    changes_by_sample: dict[int, dict[int, Moderation]] = {}
    for position, code, team_grade, agreed, reason in LAST_YEAR_MODERATION:
        if position < len(samples) and code in criteria:
            index = position * count + list(criteria).index(code)
            grades[index] = team_grade
            changes_by_sample.setdefault(position, {})[criteria[code].pk] = Moderation(
                grade=agreed, reason=reason
            )
    for n, sample in enumerate(samples):
        _save(
            sample,
            _lead(sample),
            _answers(round, grades[n * count : (n + 1) * count]),
            complete=True,
        )
        _moderate(sample, changes_by_sample.get(n))
    points = []
    themes = []
    health_children = iter(
        [s for s in samples if any(a.name == COMMUNITY_HEALTH for a in s.agencies.all())]
    )
    for title_text, learning in LAST_YEAR_THEMES:
        theme = audit_services.theme_add(round=round, user=people.admin, title=title_text)
        themes.append(theme)
        for about, text in learning:
            child: AuditSample | None
            if about is None:
                child = next(health_children, None)
            else:
                child = samples[about] if about < len(samples) else None
            writer = _lead(child) if child is not None else people.admin
            point = audit_services.learning_add(round=round, user=writer, text=text, sample=child)
            audit_services.learning_group(point=point, user=people.admin, theme=theme)
            points.append((point, child))
    round.refresh_from_db()
    audit_services.audit_round_close(round=round, user=people.admin, version=round.version)
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    actions = []
    for theme_position, agency_name, objective, description, owner in AGREED_ACTIONS:
        agency = agencies.get(agency_name)
        if agency is None:
            continue
        plan = current_plan_of(agency)
        if plan is None or plan.status != plan.Status.ACTIVE:
            continue
        link = audit_services.agreed_action_add(
            theme=themes[theme_position],
            user=people.admin,
            new=NewAgreedAction(
                agency=agency,
                objective=objective,
                description=description,
                owner_name=owner,
                due_date=min(plan.period_end, date(year + 2, 3, 31)),
            ),
        )
        actions.append((link, plan))

    # The story's dates: the services stamped today on everything, and the pages and
    # AUDIT_GOOD_OR_BETTER (judgements by the quarter they were moderated in) read these.
    closed = date(year + 1, 2, 6)
    AuditRound.objects.filter(pk=round.pk).update(
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=_at(date(year, 10, 1)),
        closed_at=_at(closed, 16),
    )
    for n, sample in enumerate(samples):
        completed = starts_on + timedelta(days=14 + 9 * n)
        AuditSample.objects.filter(pk=sample.pk).update(
            completed_at=_at(completed), moderated_at=_at(completed + timedelta(days=7), 14)
        )
    for point, child in points:
        n = samples.index(child) if child is not None else len(samples)
        AuditLearningPoint.objects.filter(pk=point.pk).update(
            written_at=_at(starts_on + timedelta(days=21 + 9 * n), 15)
        )
    for link, plan in actions:
        AuditAgreedAction.objects.filter(pk=link.pk).update(
            agreed_at=_at(max(closed + timedelta(days=14), plan.period_start))
        )
    _date_history(round, teamed=_at(date(year, 10, 3)))
    return (
        f"{title}: {len(samples)} children audited and moderated, "
        f"{len(themes)} themes, {len(actions)} agreed actions, closed"
    )


def _this_year(people: People, today: date) -> str | None:
    starts_on = today - timedelta(weeks=5)
    title = f"Multi-agency neglect audit, {_season(starts_on)} {starts_on.year}"
    # Another day's run would name the round differently: one round open at a time is enough.
    if AuditRound.objects.filter(Q(title=title) | ~Q(status=AuditRound.Status.CLOSED)).exists():
        return None
    sample_date = starts_on - timedelta(days=14)
    if not audit_sampling.eligible_children(sample_date):
        return None
    community_health = Agency.objects.filter(name=COMMUNITY_HEALTH).first()
    round = audit_services.audit_round_add(
        round=AuditRound(
            title=title,
            starts_on=starts_on,
            ends_on=today + timedelta(weeks=3),
            sample_date=sample_date,
            sample_size=SAMPLE_SIZE,
            method=AuditRound.Method.STRATIFIED,
        ),
        user=people.admin,
    )
    samples = _draw(round, people, _health_seed(sample_date, community_health))
    with_health = [
        community_health is not None
        and any(agency.pk == community_health.pk for agency in sample.agencies.all())
        for sample in samples
    ]
    # Stages: the trust's first children take those in HEALTH_FIRST, the rest go in order.
    left = list(THIS_YEAR_STAGES)
    stages: list[str | None] = [None] * len(samples)
    health_children = [n for n, health in enumerate(with_health) if health]
    for n, stage in zip(health_children, HEALTH_FIRST, strict=False):
        stages[n] = stage
        left.remove(stage)
    for n in range(len(samples)):
        if stages[n] is None:
            stages[n] = left.pop(0) if left else AuditSample.Status.NOT_STARTED
    for n, sample in enumerate(samples):
        # Sam Okafor leads every audit waiting for moderation, so his moderation page has
        # something in it; Priya Shah shares the rest.
        lead = (
            people.practitioner
            if stages[n] == AuditSample.Status.COMPLETED or n % 2 == 0
            else people.manager
        )
        audit_services.audit_team_set(
            sample=sample,
            user=people.admin,
            version=sample.version,
            lead=lead,
            auditors=_team(sample, people, health=people.health),
        )
    samples = _start(round, people)
    count = round.criteria.count()
    rng = random.Random(round.seed)  # noqa: S311 - demo grades, the same every time
    done = [
        n
        for n, stage in enumerate(stages)
        if stage in (AuditSample.Status.COMPLETED, AuditSample.Status.MODERATED)
    ]
    grades = _grades(rng, count * len(done), THIS_YEAR_GRADES)
    drafts = _grades(rng, count * len(samples), THIS_YEAR_GRADES)
    moderated = 0
    for n, sample in enumerate(samples):
        sample.refresh_from_db()
        writer = people.health if with_health[n] else _lead(sample)
        if stages[n] == AuditSample.Status.DRAFT:
            # Half written: the first criteria graded, the rest still to do.
            _save(
                sample, writer, _answers(round, drafts[n * count : n * count + 2]), complete=False
            )
        elif stages[n] in (AuditSample.Status.COMPLETED, AuditSample.Status.MODERATED):
            at = done.index(n)
            _save(
                sample,
                writer,
                _answers(round, grades[at * count : (at + 1) * count]),
                complete=True,
            )
            if stages[n] == AuditSample.Status.MODERATED:
                _moderate(sample)
                if moderated < len(THIS_YEAR_LEARNING):
                    audit_services.learning_add(
                        round=round,
                        user=_lead(sample),
                        text=THIS_YEAR_LEARNING[moderated],
                        sample=sample,
                    )
                moderated += 1

    # The story's dates (see _last_year): audits completed and moderated over the weeks the
    # round has run, the latest waiting a few days for moderation.
    AuditRound.objects.filter(pk=round.pk).update(created_at=_at(starts_on - timedelta(days=12)))
    moderated_ones = [s for n, s in enumerate(samples) if stages[n] == AuditSample.Status.MODERATED]
    waiting = [s for n, s in enumerate(samples) if stages[n] == AuditSample.Status.COMPLETED]
    for k, sample in enumerate(moderated_ones):
        completed = starts_on + timedelta(days=8 + 5 * k)
        AuditSample.objects.filter(pk=sample.pk).update(
            completed_at=_at(completed), moderated_at=_at(completed + timedelta(days=5), 14)
        )
        AuditLearningPoint.objects.filter(sample=sample).update(
            written_at=_at(completed + timedelta(days=5), 15)
        )
    for k, sample in enumerate(waiting):
        AuditSample.objects.filter(pk=sample.pk).update(
            completed_at=_at(today - timedelta(days=2 + 3 * k))
        )
    _date_history(
        round,
        teamed=_at(starts_on - timedelta(days=5)),
        drafted=_at(today - timedelta(days=1)),
    )
    counts = {stage: stages.count(stage) for stage in AuditSample.Status.values}
    return (
        f"{title} (seed {round.seed}): {counts['moderated']} moderated, "
        f"{counts['completed']} waiting for moderation, {counts['draft']} drafts, "
        f"{counts['not_started']} not started"
    )


@transaction.atomic
def load_demo_audits() -> str | None:
    """Last year's round and this year's, each unless a round with its title exists: what was
    added, for the command to say, or None when nothing was."""
    people = _people()
    if people is None:
        return None
    today = dates.today()
    said = [text for text in (_last_year(people, today), _this_year(people, today)) if text]
    return "Demo audits: " + "; ".join(said) + "." if said else None
