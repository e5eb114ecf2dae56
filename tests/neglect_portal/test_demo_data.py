import pytest
from django.core.management import CommandError, call_command

from neglect_portal.demo import AGENCIES, DEMO_PASSWORD, USERS, load_demo_data
from neglect_portal.models import Agency, User

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
    assert User.objects.count() == len(USERS)
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
