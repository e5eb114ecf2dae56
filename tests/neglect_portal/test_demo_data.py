import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.demo_data import PRACTITIONER_CASELOAD, generate_demo_data
from cases.models import Involvement
from neglect_portal import dates
from neglect_portal.demo import (
    AGENCIES,
    COMMUNITY_HEALTH,
    DEMO_PASSWORD,
    HEALTH_MANAGER,
    HEALTH_PRACTITIONER,
    USERS,
    load_demo_data,
)
from neglect_portal.demo_confidence import demo_respondent_usernames
from neglect_portal.models import Agency, User
from toolkit.models import DayInMyLife
from toolkit.selectors import caseload

pytestmark = pytest.mark.django_db


def test_demo_data_gives_the_partnership_and_one_sign_in_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo_data")
    out = capsys.readouterr().out
    assert Agency.objects.count() == len(AGENCIES) == 7
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    for username, *_ in USERS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
        assert username in out
    assert DEMO_PASSWORD in out


def test_loading_demo_data_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    history = User.history.count() + Agency.history.count()
    call_command("load_demo_data")
    assert Agency.objects.count() == 7
    # The sign-ins, and the made-up practitioners whose confidence surveys the demo holds.
    assert User.objects.count() == len(USERS) + len(demo_respondent_usernames())
    assert User.history.count() + Agency.history.count() == history


def test_demo_sign_ins_are_never_created_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo_data")
    assert not User.objects.exists()


def test_every_demo_sign_in_works(settings, client):
    settings.DEBUG = True
    call_command("load_demo_data")
    for username, *_ in USERS:
        client.post("/sign-in/", {"username": username, "password": DEMO_PASSWORD})
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.post("/sign-out/")


def test_every_demo_sign_in_is_in_a_team_of_its_agency(settings):
    settings.DEBUG = True
    users, _ = load_demo_data()
    for user in users:
        user.refresh_from_db()
        assert user.team is not None and user.team.agency_id == user.agency_id, user.username
    practitioner = next(u for u in users if u.username == "practitioner")
    assert str(practitioner.team) == "Family Support and Protection North"


def test_the_demo_has_a_health_practitioner_and_a_health_team_manager(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo_data")
    out = capsys.readouterr().out
    practitioner = User.objects.get(username=HEALTH_PRACTITIONER)
    manager = User.objects.get(username=HEALTH_MANAGER)
    for user, role in ((practitioner, "Practitioner"), (manager, "Team manager")):
        assert user.agency.name == COMMUNITY_HEALTH
        line = next(line for line in out.splitlines() if user.username in line)
        assert role in line and COMMUNITY_HEALTH in line


@pytest.mark.parametrize("username", [HEALTH_PRACTITIONER, HEALTH_MANAGER])
def test_the_health_sign_ins_see_children_and_their_tools_on_my_children(
    settings, client, username
):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    generate_demo_data(300, seed=1)
    user = User.objects.get(username=username)
    on_caseload = caseload(user, on=dates.today())
    assert on_caseload.exists()
    assert DayInMyLife.objects.filter(child__in=on_caseload).exists()
    if username == HEALTH_PRACTITIONER:
        # She leads her trust's work with these children; social care allocates none to her.
        led = Involvement.objects.filter(lead_worker=user, end_date__isnull=True)
        assert 0 < led.count() <= PRACTITIONER_CASELOAD
        assert set(led.values_list("agency__name", flat=True)) == {COMMUNITY_HEALTH}
    client.post("/sign-in/", {"username": username, "password": DEMO_PASSWORD})
    html = client.get(reverse("toolkit:my_children")).content.decode()
    child = on_caseload.order_by("pk").first()
    assert reverse("cases:child_detail", args=[child.pk]) in html
