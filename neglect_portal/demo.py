"""The demo partnership that `make run` loads: agencies and one sign-in per role.

Development only: the command that loads it refuses to run when DEBUG is off, so these
well-known passwords never reach a production database.
"""

from django.db import transaction

from .models import Agency, User

DEMO_PASSWORD = "neglect-demo-2026"  # noqa: S105 - published on purpose, development only

AGENCIES = [
    ("Children's Social Care", Agency.Kind.CHILDRENS_SOCIAL_CARE),
    ("Early Help", Agency.Kind.EARLY_HELP),
    ("Police", Agency.Kind.POLICE),
    ("Community Health Trust", Agency.Kind.HEALTH),
    ("Mental Health Trust", Agency.Kind.HEALTH),
    ("Education", Agency.Kind.EDUCATION),
    ("Voluntary and Community Sector", Agency.Kind.VOLUNTARY),
]

# username, first name, last name, agency, role
USERS = [
    ("practitioner", "Sam", "Okafor", "Children's Social Care", User.Role.PRACTITIONER),
    ("manager", "Priya", "Shah", "Children's Social Care", User.Role.TEAM_MANAGER),
    ("lead", "Jo", "Bennett", "Community Health Trust", User.Role.AGENCY_LEAD),
    ("working-group", "Alex", "Morgan", "Police", User.Role.WORKING_GROUP),
    ("admin", "Chris", "Lee", "Children's Social Care", User.Role.ADMINISTRATOR),
]


@transaction.atomic
def load_demo_data() -> list[User]:
    """Create whatever is missing; running it again changes nothing."""
    agencies = {}
    for name, kind in AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
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
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        users.append(user)
    return users
