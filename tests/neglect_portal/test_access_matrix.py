"""Every URL name × every role: a new URL without a declared expectation fails this test.

Expectations are what a GET returns. `SIGN_IN` means "redirected to the sign-in page".
Later apps add their URL names here, with own-agency and other-agency objects for URLs that
take an id.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from neglect_portal.models import User

SIGN_IN = "sign-in"
ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *User.Role.values]


def everyone(status, *, anonymous=SIGN_IN):
    return {ANONYMOUS: anonymous, **{role: status for role in User.Role.values}}


def only(roles, status=200, *, others=403):
    expected = everyone(others)
    expected.update({role: status for role in roles})
    return expected


EXPECTATIONS = {
    "home": everyone(200),
    "login": everyone(302, anonymous=200),  # signed-in users are sent on to their home page
    "logout": everyone(405),  # sign-out is POST only
    "password_change": everyone(200),
    "password_change_done": everyone(200),
    "accessibility": everyone(200, anonymous=200),
    "health": everyone(200, anonymous=200),
}

# The Django admin is one area with one rule; these pages stand for all of it.
ADMIN_SAMPLES = ["admin:index", "admin:neglect_portal_agency_changelist",
                 "admin:neglect_portal_user_changelist", "admin:neglect_portal_agency_add"]
ADMIN_EXPECTATION = only([User.Role.ADMINISTRATOR])


def url_names(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or f"<unnamed {pattern.pattern}>")


def test_every_url_name_has_a_declared_expectation():
    undeclared = sorted(
        name for name in set(url_names())
        if name not in EXPECTATIONS and not name.startswith("admin:")
    )
    assert undeclared == [], f"Declare access expectations for: {undeclared}"


def test_every_expectation_covers_every_role():
    for name, expected in {**EXPECTATIONS, "admin": ADMIN_EXPECTATION}.items():
        assert set(expected) == set(ROLES), name


def _outcome(client, response):
    if response.status_code == 302:
        location = urlsplit(response["Location"]).path
        if location == reverse("login"):
            return SIGN_IN
        if location == reverse("admin:login"):  # the admin's own hop on to our sign-in page
            return _outcome(client, client.get(response["Location"]))
    return response.status_code


CASES = [(name, role) for name in [*EXPECTATIONS, *ADMIN_SAMPLES] for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), CASES)
def test_access(client, name, role):
    if role != ANONYMOUS:
        from tests.factories import UserFactory

        client.force_login(UserFactory(role=role))
    expected = ADMIN_EXPECTATION[role] if name.startswith("admin:") else EXPECTATIONS[name][role]
    assert _outcome(client, client.get(reverse(name))) == expected


@pytest.mark.django_db
def test_anonymous_redirect_keeps_where_they_were_going(client):
    response = client.get(reverse("password_change"))
    assert response["Location"] == f"{reverse('login')}?next={reverse('password_change')}"
