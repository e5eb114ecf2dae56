"""The demo partnership that `make run` loads: agencies, one sign-in per role, and whatever
each app adds on top.

Each app's share lives in its own `demo_data` module; one that defines `load_demo()` is loaded
by `load_demo_data` after the apps it stands on (INSTALLED_APPS order). The modules are found
by name, as the admin finds each app's admin.py, so this ground layer imports none of them.

Development only: the commands that load it refuse to run when DEBUG is off, so these
well-known passwords never reach a production database.
"""

from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from .models import Agency, Team, User

DEMO_PASSWORD = "neglect-demo-2026"  # noqa: S105 - published on purpose, development only

# The demo agencies, by name: the generated records say who works where.
CSC = "Children's Social Care"
EARLY_HELP = "Early Help"
POLICE = "Police"
COMMUNITY_HEALTH = "Community Health Trust"
MENTAL_HEALTH = "Mental Health Trust"
EDUCATION = "Education"
VOLUNTARY = "Voluntary and Community Sector"

AGENCIES = [
    (CSC, Agency.Kind.CHILDRENS_SOCIAL_CARE),
    (EARLY_HELP, Agency.Kind.EARLY_HELP),
    (POLICE, Agency.Kind.POLICE),
    (COMMUNITY_HEALTH, Agency.Kind.HEALTH),
    (MENTAL_HEALTH, Agency.Kind.HEALTH),
    (EDUCATION, Agency.Kind.EDUCATION),
    (VOLUNTARY, Agency.Kind.VOLUNTARY),
]

# The multi-agency side: a health practitioner who leads her agency's work with some children,
# and her team manager, who sees every child the trust is working with.
HEALTH_PRACTITIONER = "health-practitioner"
HEALTH_MANAGER = "health-manager"

# username, first name, last name, agency, role
USERS = [
    ("practitioner", "Sam", "Okafor", CSC, User.Role.PRACTITIONER),
    ("manager", "Priya", "Shah", CSC, User.Role.TEAM_MANAGER),
    ("lead", "Jo", "Bennett", COMMUNITY_HEALTH, User.Role.AGENCY_LEAD),
    ("working-group", "Alex", "Morgan", POLICE, User.Role.WORKING_GROUP),
    ("admin", "Chris", "Lee", CSC, User.Role.ADMINISTRATOR),
    (HEALTH_PRACTITIONER, "Amira", "Hussain", COMMUNITY_HEALTH, User.Role.PRACTITIONER),
    (HEALTH_MANAGER, "Tom", "Fielding", COMMUNITY_HEALTH, User.Role.TEAM_MANAGER),
    ("chair", "Ruth", "Adeyemi", VOLUNTARY, User.Role.WORKING_GROUP),
]
# The Working Group's Independent Chair, who closes challenges and records decisions.
CHAIRS = {"chair"}


# agency, team, locality: every demo agency has at least one, so every person can be in one.
TEAMS = [
    (CSC, "Family Support and Protection North", "North"),
    (CSC, "Family Support and Protection South", "South"),
    (CSC, "Performance and Systems", "County-wide"),
    (EARLY_HELP, "Early Help North", "North"),
    (EARLY_HELP, "Early Help South", "South"),
    (POLICE, "Public Protection Unit", "County-wide"),
    (COMMUNITY_HEALTH, "Health Visiting East", "East"),
    (COMMUNITY_HEALTH, "School Nursing West", "West"),
    (MENTAL_HEALTH, "Children and Young People's Mental Health", "County-wide"),
    (EDUCATION, "Education Safeguarding", "County-wide"),
    (VOLUNTARY, "Family Support Volunteers", "County-wide"),
]
# username → team; a demo sign-in not named here joins its agency's first team.
USER_TEAMS = {
    "practitioner": "Family Support and Protection North",
    "manager": "Family Support and Protection North",
    "lead": "Health Visiting East",
    "working-group": "Public Protection Unit",
    "admin": "Performance and Systems",
}


def load_demo_teams(agencies: dict[str, Agency]) -> dict[tuple[int, str], Team]:
    """The demo teams, by (agency id, name): created when missing."""
    teams = {}
    for agency_name, name, locality in TEAMS:
        agency = agencies[agency_name]
        teams[agency.pk, name], _ = Team.objects.get_or_create(
            agency=agency, name=name, defaults={"locality": locality}
        )
    return teams


def _demo_team(user: User, teams: dict[tuple[int, str], Team]) -> Team | None:
    named = teams.get((user.agency_id, USER_TEAMS.get(user.username, "")))
    if named is not None:
        return named
    return next((team for (agency, _), team in teams.items() if agency == user.agency_id), None)


@transaction.atomic
def load_demo_people() -> list[User]:
    """The agencies and sign-ins: create whatever is missing; running it again changes
    nothing."""
    agencies = {}
    for name, kind in AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
    teams = load_demo_teams(agencies)
    users = []
    for username, first, last, agency_name, role in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "agency": agencies[agency_name],
                "role": role,
                "is_chair": username in CHAIRS,
            },
        )
        changed = created or not user.check_password(DEMO_PASSWORD)
        if changed:
            user.set_password(DEMO_PASSWORD)
        if user.team_id is None and (team := _demo_team(user, teams)) is not None:
            user.team, changed = team, True
        if changed:
            user.save()
        users.append(user)
    return users


def app_demo_modules() -> list[ModuleType]:
    """Each installed app's `demo_data` module, in INSTALLED_APPS order."""
    found = []
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, "demo_data"):
            found.append(import_module(f"{app.name}.demo_data"))
    return found


@transaction.atomic
def load_demo_data() -> tuple[list[User], list[str]]:
    """The demo sign-ins, then each app's `load_demo()`: (the sign-ins, what each app said it
    added)."""
    from .demo_confidence import load_demo_confidence  # it names the agencies above

    users = load_demo_people()
    said = []
    # The ground layer's own: people and their training.
    if summary := load_demo_confidence():
        said.append(summary)
    for module in app_demo_modules():
        load = getattr(module, "load_demo", None)
        if load is not None and (summary := load()):
            said.append(summary)
    return users, said
