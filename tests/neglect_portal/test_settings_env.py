import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from neglect_portal import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("True", True), ("true", True), ("False", False), ("FALSE", False), (" false ", False)],
)
def test_debug_reads_true_or_false(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env.env_bool("DEBUG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["yes", "1", "on", "Flase", "maybe"])
def test_a_debug_value_that_is_not_true_or_false_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("DEBUG", raw)
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be True or False"):
        env.env_bool("DEBUG", default=False)


def test_unset_debug_takes_the_default(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    assert env.env_bool("DEBUG", default=True) is True


def test_allowed_hosts_is_a_comma_list(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.org, www.portal.example.org,")
    assert env.env_list("ALLOWED_HOSTS") == ["portal.example.org", "www.portal.example.org"]


def test_production_without_secret_key_is_refused(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env.env_secret_key(debug=False)


def test_development_has_a_key_without_setup(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert env.env_secret_key(debug=True).startswith("django-insecure")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("X-Forwarded-Proto=https", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("HTTP_X_FORWARDED_SSL=on", ("HTTP_X_FORWARDED_SSL", "on")),
    ],
)
def test_proxy_ssl_header_comes_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", raw)
    assert env.env_proxy_ssl_header() == expected


def _manage(*args, **environ):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_portal_refuses_to_start_in_production_without_a_secret_key():
    result = _manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is False" in result.stderr


def test_the_portal_refuses_to_start_with_a_bad_debug_value():
    result = _manage("check", DEBUG="yes please")
    assert result.returncode != 0
    assert "DEBUG must be True or False" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_asks_everyone_for_two_factor_and_uses_host_only_cookies():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.MFA_REQUIRED, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_IDLE_SECONDS)",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.org",
    )
    assert result.stdout.split() == ["True", "__Host-sessionid", "__Host-csrftoken", "1800"]


def test_the_demo_portal_does_not_ask_for_two_factor():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.MFA_REQUIRED)",
    )
    assert result.stdout.strip() == "False"


def test_the_deployment_checklist_fails_a_production_portal_without_two_factor():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.org",
        MFA_REQUIRED="False",
    )
    assert result.returncode != 0
    assert "neglect_portal.W001" in result.stdout + result.stderr


def test_email_goes_to_gov_uk_notify_when_its_key_is_set(monkeypatch):
    monkeypatch.setenv("NOTIFY_API_KEY", "portal-test-key")
    monkeypatch.setenv("NOTIFY_TEMPLATE_ID", "f33517ff-2a88-4f6e-b855-c550268ce08a")
    found = env.env_email(debug=False)
    assert found["EMAIL_BACKEND"] == "django_gov_notify.backends.NotifyEmailBackend"
    assert found["GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID"] == "f33517ff-2a88-4f6e-b855-c550268ce08a"


def test_a_notify_key_without_its_template_is_refused(monkeypatch):
    monkeypatch.setenv("NOTIFY_API_KEY", "portal-test-key")
    monkeypatch.delenv("NOTIFY_TEMPLATE_ID", raising=False)
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_TEMPLATE_ID must be set"):
        env.env_email(debug=False)


def test_email_is_the_console_in_development_and_smtp_in_production(monkeypatch):
    monkeypatch.delenv("NOTIFY_API_KEY", raising=False)
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    assert env.env_email(debug=True)["EMAIL_BACKEND"].endswith("console.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    found = env.env_email(debug=False)
    assert (found["EMAIL_BACKEND"], found["EMAIL_HOST"], found["EMAIL_USE_TLS"]) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        True,
    )


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT setting")
def test_the_portal_s_postgresql_connections_do_not_jit_compile_queries():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
