"""Reading deployment settings from the environment, strictly.

A typo in a production environment variable must stop the portal at start-up, not quietly
turn on debug pages or weaken security.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {raw!r}.")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_secret_key(*, debug: bool) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if debug:
        # Development only: a fixed, clearly insecure key so `runserver` needs no setup.
        return "django-insecure-development-key-not-for-production"
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is False. Generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )


def env_proxy_ssl_header() -> tuple[str, str] | None:
    """`SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto` (value `https` by default)."""
    raw = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
    if not raw:
        return None
    header, _, value = raw.partition("=")
    meta_name = "HTTP_" + header.strip().upper().replace("-", "_")
    if header.strip().upper().startswith("HTTP_"):
        meta_name = header.strip().upper()
    return (meta_name, value.strip() or "https")


def env_email(debug: bool) -> dict[str, object]:
    """How email (the reminder digests) is sent: GOV.UK Notify (django-gov-notify) when
    NOTIFY_API_KEY is set, with the id of a plain template whose subject and body are
    ((subject)) and ((body)); otherwise SMTP from EMAIL_HOST and friends, or in development
    with no EMAIL_HOST, the console."""
    api_key = os.environ.get("NOTIFY_API_KEY", "").strip()
    if api_key:
        template = os.environ.get("NOTIFY_TEMPLATE_ID", "").strip()
        if not template:
            raise ImproperlyConfigured(
                "NOTIFY_TEMPLATE_ID must be set with NOTIFY_API_KEY: the id of the GOV.UK "
                "Notify email template whose subject is ((subject)) and body ((body))."
            )
        return {
            "EMAIL_BACKEND": "django_gov_notify.backends.NotifyEmailBackend",
            "GOVUK_NOTIFY_API_KEY": api_key,
            "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID": template,
        }
    host = os.environ.get("EMAIL_HOST", "").strip()
    if debug and not host:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": host or "localhost",
        "EMAIL_PORT": env_int("EMAIL_PORT", 587),
        "EMAIL_HOST_USER": os.environ.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", default=True),
    }
