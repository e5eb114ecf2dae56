"""Settings for the Neglect Portal: one file, every deployment difference from the environment.

See README.md for the table of environment variables.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from .env import (
    env_bool,
    env_email,
    env_int,
    env_list,
    env_proxy_ssl_header,
    env_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_secret_key(debug=DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "neglect_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "neglect_portal",
    "cases",
    "toolkit",
    "actionplans",
    "dataset",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before kept answers: a post that arrives after the session timed out is kept like any
    # other post from a signed-out browser.
    "neglect_portal.sessions.SessionTimeoutMiddleware",
    "neglect_portal.kept_answers.KeepAnswersThroughSignInMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "neglect_portal.second_step.SecondStepMiddleware",
    "neglect_portal.sessions.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into neglect_portal.lockout's response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "neglect_portal.urls"
WSGI_APPLICATION = "neglect_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "neglect_portal.context_processors.navigation",
                "neglect_portal.context_processors.session_timeout",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two saves at once: a transaction that reads and then writes cannot wait for SQLite's
    # lock once another has begun writing, so the loser got "database is locked" (a 500).
    # Taking the write lock as each transaction begins (Django 5.1's `transaction_mode`) makes
    # the second wait, up to `timeout` seconds, and then read what the first saved, so it
    # gets the same stale-edit refusal as on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The portal's queries are short ones behind pages: PostgreSQL's JIT compiled any whose
    # estimated cost passed its threshold, misestimates included, and the compiling took 10
    # to 170 ms of queries that run in tens (bench/kpis.py --no-jit; README, PostgreSQL
    # settings). Off for the portal's connections, whatever the server's default.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "options": "-c jit=off",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "neglect_portal.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "neglect_portal.passwords.NotGuessable"},
    {"NAME": "neglect_portal.passwords.NotTheDemoPassword"},
]
# Argon2 first: memory-hard, and here faster to check than Django's PBKDF2 default. Older
# hashes still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # Refuses a paused username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the person's agency read alongside (neglect_portal/backends.py).
    "neglect_portal.backends.PortalModelBackend",
]

# Lockout (django-axes; the rules are in neglect_portal/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "neglect_portal.lockout.PortalLockoutHandler"
AXES_LOCKOUT_CALLABLE = "neglect_portal.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "neglect_portal.lockout.client_address"
# A correct password is only half a sign-in: failures are cleared when the second step is
# taken too (neglect_portal.second_step), or wrong codes could be guessed without end.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Never stored with an attempt or written to a log.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "old_password",
    "new_password1",
    "new_password2",
    "otp_token",
    "code",
    "csrfmiddlewaretoken",
]
PROXY_COUNT = env_int("PROXY_COUNT", 0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A session ends after SESSION_IDLE_SECONDS without a page being used, and in any case
# SESSION_COOKIE_AGE after signing in (neglect_portal/sessions.py); pages warn two minutes
# before the idle limit.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
# Two-factor authentication (neglect_portal/second_step.py): an authenticator app's codes,
# and single-use recovery codes. Required of everyone in production; a DEBUG portal (make run)
# asks it only of people who set it up, so the demo sign-ins work straight away.
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Neglect Portal"
# Wrong codes count as failed sign-ins in the lockout (neglect_portal/lockout.py): one rule
# for every guess, instead of django-otp's own growing delays as well.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The keys and recovery codes are never shown, even to administrators.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Dates as GOV.UK writes them ("3 June 2020"): with localisation on, the locale's formats win
# over DATE_FORMAT settings, so the portal's own British formats are a format module.
FORMAT_MODULE_PATH = ["neglect_portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Named folders only: static/src holds the Sass sources and node_modules for rebuilding
# GOV.UK Frontend, which must never be collected or served.
STATICFILES_DIRS = [
    ("vendor", BASE_DIR / "static" / "vendor"),
    ("portal", BASE_DIR / "static" / "portal"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Census uploads: refused above CENSUS_UPLOAD_MAX_MB before the body is read; kept in
# CENSUS_UPLOAD_DIR (not the temporary folder, which Django empties after the request) until
# the background worker has imported them, then deleted.
# The DfE's three-digit code for this portal's local authority: a census file for any other
# LEA is refused (DfE LA codes; 201 is the City of London, the code in the DfE's sample files).
CENSUS_LA_CODE = os.environ.get("CENSUS_LA_CODE", "201")
CENSUS_UPLOAD_MAX_MB = env_int("CENSUS_UPLOAD_MAX_MB", 500)
CENSUS_UPLOAD_DIR = Path(os.environ.get("CENSUS_UPLOAD_DIR") or BASE_DIR / "census_uploads")
# Background tasks (django-tasks) kept in the database; `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Email carries only counts and a link, never a child's name or identifier (toolkit/reminders.py).
globals().update(env_email(DEBUG))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "neglect-portal@localhost")
# The portal's own address, for links in emails (sent by the worker, outside any request).
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.14.0"
GOVUK_FRONTEND_VERSION = CRISPY_GDS_FRONTEND_VERSION

# Production hardening: everything `check --deploy` asks for, on whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header()
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The __Host- prefix makes browsers refuse these cookies unless they are Secure, for this
# host only and for the whole site, so a neighbouring subdomain cannot plant or read them.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles and everything else from the portal's own files only: no inline script or
# style anywhere, so an injected one cannot run (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": os.environ.get("LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}
