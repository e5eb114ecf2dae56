"""One test (or more) for each finding of the security probe (issue 11), in its order."""

import logging
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WRONG = "Enter a correct username and password"
PAUSED = "Wait 15 minutes, then try again"


def sign_in(client, username, password, address="203.0.113.9"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client):
    return "_auth_user_id" in client.session


# Lockout -------------------------------------------------------------------------------------


def test_five_wrong_passwords_pause_the_account_and_then_the_right_one_is_refused(
    client, health_visitor, password
):
    for attempt in range(1, 5):
        page = sign_in(client, "health-visitor", "wrong-password").content.decode()
        assert WRONG in page and PAUSED not in page, attempt
    fifth = sign_in(client, "health-visitor", "wrong-password")
    assert fifth.status_code == 200 and PAUSED in fifth.content.decode()
    refused = sign_in(client, "health-visitor", password)
    assert refused.status_code == 200
    assert WRONG in refused.content.decode() and PAUSED in refused.content.decode()
    assert not signed_in(client)


def test_a_pause_reads_the_same_for_an_account_that_does_not_exist(client, health_visitor):
    def paused_page(username):
        for _ in range(5):
            page = sign_in(client, username, "wrong-password").content.decode()
        return re.sub(r'value="[^"]{64}"', "", page.replace(username, "X"))

    assert paused_page("health-visitor") == paused_page("nobody-by-this-name")


def test_the_pause_ends_after_15_minutes(client, health_visitor, password):
    for _ in range(5):
        sign_in(client, "health-visitor", "wrong-password")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2000)
    )
    assert sign_in(client, "health-visitor", password).status_code == 302


def test_one_persons_mistakes_do_not_pause_colleagues_at_the_same_address(
    client, health_visitor, password, csc_social_worker
):
    for _ in range(5):
        sign_in(client, "health-visitor", "wrong-password")
    assert sign_in(client, "social-worker", password).status_code == 302


def test_an_address_trying_many_usernames_is_paused(client, health_visitor, password):
    for number in range(30):
        sign_in(client, f"guess-{number}", "wrong-password")
    page = sign_in(client, "health-visitor", password)
    assert page.status_code == 200 and PAUSED in page.content.decode()
    # From another address the account signs in as usual.
    assert sign_in(client, "health-visitor", password, address="198.51.100.7").status_code == 302


def test_guesses_of_the_current_password_count_and_end_the_session(client, health_visitor):
    client.force_login(health_visitor)
    url = reverse("password_change")
    form = {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"}
    for _ in range(4):
        page = client.post(url, {"old_password": "guess", **form}, REMOTE_ADDR="203.0.113.9")
        assert "Your current password was entered incorrectly" in page.content.decode()
    fifth = client.post(url, {"old_password": "guess", **form}, REMOTE_ADDR="203.0.113.9")
    assert fifth.status_code == 302 and fifth["Location"] == reverse("login")
    assert not signed_in(client)
    assert PAUSED in client.get(reverse("login")).content.decode()


def test_failures_are_kept_for_administrators_without_the_password(
    client, health_visitor, administrator, caplog
):
    with caplog.at_level(logging.INFO):
        sign_in(client, "health-visitor", "the-secret-guess")
    failure = AccessFailureLog.objects.get()
    assert failure.username == "health-visitor"
    assert "the-secret-guess" not in str(vars(failure))
    assert "the-secret-guess" not in AccessAttempt.objects.get().post_data
    assert "the-secret-guess" not in caplog.text
    client.force_login(administrator)
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "health-visitor" in attempts


def test_an_administrator_clears_a_pause_in_the_admin(
    client, health_visitor, password, administrator
):
    for _ in range(5):
        sign_in(client, "health-visitor", "wrong-password")
    admin = client.__class__()
    admin.force_login(administrator)
    attempt = AccessAttempt.objects.get()
    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert sign_in(client, "health-visitor", password).status_code == 302


# Passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    [
        "aaaaaaaaaaaa",
        "health-visitorhealth-visitor",
        "Neglect2026!",
        "password1234",
        "12345678901234",
    ],
)
def test_weak_passwords_are_refused(weak, health_visitor):
    with pytest.raises(ValidationError):
        validate_password(weak, health_visitor)


def test_the_username_three_times_is_refused(health_visitor):
    user = UserFactory(username="jbloggs")
    with pytest.raises(ValidationError, match="must not contain your name or your username"):
        validate_password("jbloggsjbloggsjbloggs", user)


def test_the_published_demo_password_is_refused_in_production(settings, health_visitor):
    settings.DEBUG = False
    with pytest.raises(ValidationError, match="published with the demo data"):
        validate_password(DEMO_PASSWORD, health_visitor)


def test_a_good_passphrase_is_accepted(health_visitor):
    validate_password("river-lantern-copper-seventy", health_visitor)


def test_argon2_is_the_hasher_for_new_passwords(settings):
    from django.conf import settings as live

    assert live.PASSWORD_HASHERS  # the suite swaps in a fast hasher; production's is Argon2
    import neglect_portal.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = User(username="x")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user.set_password("river-lantern-copper-seventy")
    assert user.password.startswith("argon2")


# Content-Security-Policy ---------------------------------------------------------------------


def policy_of(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


@pytest.mark.parametrize(
    "url",
    [
        "login",
        "home",
        "cases:child_list",
        "toolkit:my_children",
        "dataset:dashboard_latest",
        "actionplans:plan_list",
    ],
)
def test_every_page_allows_only_the_portals_own_scripts_and_styles(client, csc_social_worker, url):
    client.force_login(csc_social_worker)
    policy = policy_of(client.get(reverse(url), follow=True))
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_no_template_writes_an_inline_script_or_style():
    from pathlib import Path

    from django.conf import settings

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)
    templates = [p for d in settings.TEMPLATES[0]["DIRS"] for p in Path(d).rglob("*.html")]
    templates += list(Path(settings.BASE_DIR).glob("*/templates/**/*.html"))
    offenders = [str(p) for p in templates if inline.search(p.read_text())]
    assert templates and offenders == []
