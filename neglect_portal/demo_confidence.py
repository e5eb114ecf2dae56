"""Demo confidence surveys (issue 15): practitioners of several agencies answer before and
after neglect training, so the training coverage page and CONFIDENCE_CHANGE show something
true: three agencies with enough respondents to show, and two too small to (whose respondents
together make 5, so no shown agency is hidden to protect them).

Two cohorts: one trained in the quarter before the latest complete one (a trend to compare
with), and a larger one trained in the latest complete quarter. The surveyed practitioners
who are not demo sign-ins are made up here (`survey-…`) and cannot sign in. Loaded once:
when any demo respondent has a survey, nothing is added.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from .confidence import HIGHEST, SCORE_FIELDS
from .demo_random import DemoRandom
from .models import Agency, ConfidenceSurvey, Team, User
from .quarters import Quarter

SURVEY_USER_PREFIX = "survey-"
BEFORE, AFTER = ConfidenceSurvey.Stage.BEFORE, ConfidenceSurvey.Stage.AFTER
LEAD = "lead"  # the demo agency lead types in her agency's paper surveys

FIRST_NAMES = ["Ava", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hari", "Isla", "Jack"]
LAST_NAMES = ["Adams", "Begum", "Clarke", "Davies", "Evans", "Fox", "Gill", "Hughes", "Iqbal"]


def _cohorts() -> dict[str, tuple[list[str], int]]:
    """Agency name → (the demo sign-ins surveyed, how many made-up practitioners)."""
    from .demo import COMMUNITY_HEALTH, CSC, EARLY_HELP, EDUCATION, POLICE

    return {
        CSC: (["practitioner", "manager"], 6),
        COMMUNITY_HEALTH: (["health-practitioner", "health-manager"], 4),
        EDUCATION: ([], 5),
        POLICE: ([], 3),
        EARLY_HELP: ([], 2),
    }


def _made_up(agency: Agency, count: int, teams: dict[int, Team]) -> list[User]:
    people = []
    for number in range(1, count + 1):
        username = f"{SURVEY_USER_PREFIX}{slugify(agency.name)}-{number:02d}"
        rng = DemoRandom(username)
        person, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "email": f"{username}@example.org",
                "agency": agency,
                "team": teams.get(agency.pk),
                "role": User.Role.PRACTITIONER,
                "password": make_password(None),
            },
        )
        people.append(person)
    return people


def _scores(rng: DemoRandom, *, lift: int = 0, base: dict[str, int] | None = None) -> dict:
    if base is None:
        return {name: rng.randint(3, 7) for name in SCORE_FIELDS}
    return {name: min(HIGHEST, base[name] + rng.randint(0, lift)) for name in SCORE_FIELDS}


def _survey(person: User, stage: str, day: date, scores: dict, entered_by: User | None):
    return ConfidenceSurvey(
        respondent=person,
        agency_id=person.agency_id,
        stage=stage,
        completed_on=day,
        entered_by=entered_by or person,
        **scores,
    )


@transaction.atomic
def load_demo_confidence(today: date | None = None) -> str | None:
    """The demo surveys, once; what was added, or None when they were there already."""
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    cohorts = {name: plan for name, plan in _cohorts().items() if name in agencies}
    teams: dict[int, Team] = {}
    for team in Team.objects.order_by("name"):
        teams.setdefault(team.agency_id, team)
    people: dict[str, list[User]] = {}
    for name, (sign_ins, made_up) in cohorts.items():
        agency = agencies[name]
        named = list(User.objects.filter(username__in=sign_ins, agency=agency).order_by("pk"))
        people[name] = named + _made_up(agency, made_up, teams)
    everyone = [person for group in people.values() for person in group]
    if ConfidenceSurvey.objects.filter(respondent__in=everyone).exists():
        return None
    lead = User.objects.filter(username=LEAD, role=User.Role.AGENCY_LEAD).first()
    latest = Quarter.latest_complete(today)
    earlier = latest.previous()
    rng = DemoRandom("confidence surveys")
    surveys = []
    for group in people.values():
        for n, person in enumerate(group):
            # The lead types in her own agency's paper surveys for every other practitioner.
            on_paper = lead if lead and lead.agency_id == person.agency_id and n % 2 else None
            trained_earlier = n < 5 and len(group) >= 5
            if trained_earlier:
                before = _scores(rng)
                surveys.append(
                    _survey(person, BEFORE, earlier.start - rng.days(20, 60), before, on_paper)
                )
                after = _scores(rng, lift=2, base=before)
                surveys.append(
                    _survey(person, AFTER, earlier.start + rng.days(5, 30), after, on_paper)
                )
            before = _scores(rng)
            surveys.append(
                _survey(person, BEFORE, latest.start - rng.days(10, 40), before, on_paper)
            )
            after = _scores(rng, lift=3, base=before)
            surveys.append(_survey(person, AFTER, latest.start + rng.days(5, 80), after, on_paper))
    for survey in surveys:
        survey.save()
    return (
        f"Confidence surveys: {len(surveys)} from {len(everyone)} practitioners in "
        f"{len(people)} agencies"
    )


def demo_respondent_usernames() -> list[str]:
    """The made-up practitioners' usernames (for tests that count the demo's people)."""
    return [
        f"{SURVEY_USER_PREFIX}{slugify(name)}-{number:02d}"
        for name, (_, count) in _cohorts().items()
        for number in range(1, count + 1)
    ]
