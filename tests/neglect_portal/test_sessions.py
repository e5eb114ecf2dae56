"""How long a session lasts and what a browser keeps of it (issue 11)."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import totp

from neglect_portal import kept_answers, sessions, two_factor
from tests.factories import ChildFactory, InvolvementFactory, UserFactory
from toolkit.models import DayInMyLife

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def age_session(client, *, idle=0, since_sign_in=0):
    session = client.session
    now = time.time()
    session[sessions.LAST_USED_AT] = int(now - idle)
    session[sessions.SIGNED_IN_AT] = int(now - since_sign_in)
    session.save()


def test_a_session_idle_for_30_minutes_ends(client, health_visitor, settings):
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    signed_in(client, health_visitor)
    age_session(client, idle=30 * 60 + 1)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not used the portal for 30 minutes" in page


def test_using_the_portal_keeps_the_session_alive(client, health_visitor):
    signed_in(client, health_visitor)
    age_session(client, idle=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert client.session[sessions.LAST_USED_AT] >= int(time.time()) - 1


def test_a_session_ends_10_hours_after_signing_in_however_busy(client, health_visitor):
    signed_in(client, health_visitor)
    age_session(client, idle=5, since_sign_in=10 * 60 * 60 + 1)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_asking_how_long_is_left_does_not_keep_the_session_alive(client, health_visitor):
    signed_in(client, health_visitor)
    age_session(client, idle=25 * 60)
    left = client.get(reverse("session_status")).json()["seconds_left"]
    assert 4 * 60 < left <= 5 * 60
    assert client.get(reverse("session_status")).json()["seconds_left"] <= left
    stayed = client.post(reverse("session_status")).json()["seconds_left"]
    assert stayed > 29 * 60


def test_the_status_of_an_ended_session_is_no_time_left(client, health_visitor):
    signed_in(client, health_visitor)
    age_session(client, idle=31 * 60)
    assert client.get(reverse("session_status")).json() == {"seconds_left": 0}
    assert client.post(reverse("session_status")).json() == {"seconds_left": 0}


def test_answers_posted_after_an_idle_timeout_are_kept_through_signing_in(
    client, health, health_visitor, password
):
    child = ChildFactory()
    InvolvementFactory(child=child, agency=health)
    signed_in(client, health_visitor)
    client.post(reverse("toolkit:tool_start", args=[child.pk, "day"]))
    tool = DayInMyLife.objects.get(child=child)
    url = reverse("toolkit:tool", args=["day", tool.pk])
    age_session(client, idle=31 * 60)
    response = client.post(
        url, {"version": 1, "day_version": "school_age", "strengths": "Loves school"}
    )
    assert response["Location"].startswith(reverse("login"))
    client.post(
        reverse("login"), {"username": health_visitor.username, "password": password, "next": url}
    )
    assert "Loves school" in client.get(url).content.decode()


def _get(url, client):
    """A GET of `url` in the client's session, for what the page would be handed."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.session = client.session
    request.user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    return request


def test_answers_kept_through_a_timeout_go_back_to_nobody_else(
    client, health, health_visitor, password
):
    """A shared computer: the session runs out mid-form and a colleague signs in next."""
    child = ChildFactory()
    InvolvementFactory(child=child, agency=health)
    colleague = UserFactory(agency=health, role=health_visitor.role)
    colleague.set_password(password)
    colleague.save()
    signed_in(client, health_visitor)
    client.post(reverse("toolkit:tool_start", args=[child.pk, "day"]))
    tool = DayInMyLife.objects.get(child=child)
    url = reverse("toolkit:tool", args=["day", tool.pk])
    age_session(client, idle=31 * 60)
    client.post(url, {"version": 1, "day_version": "school_age", "strengths": "Loves school"})
    client.post(
        reverse("login"), {"username": colleague.username, "password": password, "next": url}
    )
    assert "Loves school" not in client.get(url).content.decode()
    assert kept_answers.kept_answers(_get(url, client)) is None


def test_signed_in_responses_are_never_stored(client, csc_social_worker):
    signed_in(client, csc_social_worker)
    for url in [
        reverse("home"),
        reverse("cases:child_list"),
        reverse("session_status"),
        reverse("admin:index"),  # a redirect for someone who is not an administrator
        reverse("dataset:dashboard_latest"),  # a redirect to the latest quarter
    ]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_exports_are_never_stored(client, csc_social_worker):
    signed_in(client, csc_social_worker)
    response = client.get(reverse("toolkit:chronology_csv", args=[ChildFactory().pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]


def test_answers_kept_through_the_second_step_too(
    client, settings, health, health_visitor, password
):
    settings.MFA_REQUIRED = True
    device = two_factor.authenticator_to_set_up(health_visitor, None)
    two_factor.authenticator_confirm(device=device, code=f"{totp(device.bin_key):06d}")
    child = ChildFactory()
    InvolvementFactory(child=child, agency=health)
    signed_in(client, health_visitor)
    session = client.session
    session["second_step"] = "done"
    session.save()
    client.post(reverse("toolkit:tool_start", args=[child.pk, "day"]))
    tool = DayInMyLife.objects.get(child=child)
    url = reverse("toolkit:tool", args=["day", tool.pk])
    age_session(client, idle=31 * 60)
    client.post(url, {"version": 1, "day_version": "school_age", "strengths": "Loves school"})
    signed = client.post(
        reverse("login"), {"username": health_visitor.username, "password": password, "next": url}
    )
    assert signed["Location"].startswith(reverse("sign_in_code"))
    code = f"{totp(device.bin_key, t0=-30):06d}"
    assert client.post(signed["Location"], {"code": code})["Location"] == url
    assert "Loves school" in client.get(url).content.decode()


def test_changing_the_password_ends_the_other_sessions(client, health_visitor, password):
    other = signed_in(client.__class__(), health_visitor)
    signed_in(client, health_visitor)
    new = "river-lantern-copper-seventy"
    client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert client.get(reverse("home")).status_code == 200
    assert other.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_deactivation_ends_every_session(client, health_visitor):
    signed_in(client, health_visitor)
    health_visitor.is_active = False
    health_visitor.save()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_timeout_warning_is_on_every_signed_in_page_only(client, health_visitor):
    assert 'id="session-timeout"' not in client.get(reverse("login")).content.decode()
    signed_in(client, health_visitor)
    page = client.get(reverse("home")).content.decode()
    assert 'id="session-timeout"' in page
    assert re.search(r'data-seconds-left="(17[4-9]\d|1800)"', page)
    assert 'data-warning-seconds="120"' in page
