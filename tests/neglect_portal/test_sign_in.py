import re

import pytest
from django.urls import reverse

from neglect_portal.models import User

pytestmark = pytest.mark.django_db

WRONG = "Enter a correct username and password"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_signs_in_and_lands_on_their_home_page(client, health_visitor, password):
    response = sign_in(client, "health-visitor", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "Your neglect work" in home.content.decode()
    assert "Community Health Trust" in home.content.decode()


def test_a_wrong_password_shows_the_error_summary(client, health_visitor):
    response = sign_in(client, "health-visitor", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    assert WRONG in html
    assert "<title>Error: Sign in" in html
    assert "_auth_user_id" not in client.session


def test_the_message_does_not_reveal_whether_the_account_exists(client, health_visitor):
    unknown = sign_in(client, "nobody-by-this-name", "not-the-password").content.decode()
    known = sign_in(client, "health-visitor", "not-the-password").content.decode()
    assert WRONG in unknown and WRONG in known

    def normalise(html, username):
        return re.sub(r'value="[^"]{64}"', "", html.replace(username, "X"))  # CSRF token

    assert normalise(unknown, "nobody-by-this-name") == normalise(known, "health-visitor")


def test_an_inactive_account_gets_the_same_message(client, health_visitor, password):
    health_visitor.is_active = False
    health_visitor.save()
    response = sign_in(client, "health-visitor", password)
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_answered_field_by_field(client, db):
    html = sign_in(client, "", "").content.decode()
    assert "Enter your username" in html
    assert "Enter your password" in html


def test_sign_in_only_follows_next_to_this_site(client, health_visitor, password):
    response = client.post(
        reverse("login") + "?next=https://evil.example.com/",
        {"username": "health-visitor", "password": password},
    )
    assert response["Location"] == reverse("home")


def test_sign_out_is_a_post_and_ends_the_session(client, health_visitor):
    client.force_login(health_visitor)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_password_change_keeps_the_user_signed_in(client, health_visitor, password):
    client.force_login(health_visitor)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-much-longer-new-passphrase",
            "new_password2": "a-much-longer-new-passphrase",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    health_visitor.refresh_from_db()
    assert health_visitor.check_password("a-much-longer-new-passphrase")
    assert client.get(reverse("home")).status_code == 200


def test_password_change_errors_are_in_the_govuk_voice(client, health_visitor):
    client.force_login(health_visitor)
    html = client.post(reverse("password_change"), {}).content.decode()
    assert "govuk-error-summary" in html
    assert "Enter your current password" in html
    assert "Enter a new password" in html


@pytest.mark.parametrize(
    ("role", "heading", "link"),
    [
        (User.Role.PRACTITIONER, "Your neglect work", None),
        (User.Role.TEAM_MANAGER, "Your team's neglect work", None),
        (User.Role.AGENCY_LEAD, "neglect action plan", None),
        (User.Role.WORKING_GROUP, "Neglect Working Group", None),
        (User.Role.ADMINISTRATOR, "Portal administration", "/admin/"),
    ],
)
def test_each_role_has_its_own_home_page(client, role, heading, link):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=role))
    html = client.get(reverse("home")).content.decode()
    assert heading in html
    assert ('href="/admin/"' in html) is (link is not None)


def test_home_page_query_count_is_constant(client, health_visitor, django_assert_max_num_queries):
    client.force_login(health_visitor)
    with django_assert_max_num_queries(4):
        client.get(reverse("home"))
