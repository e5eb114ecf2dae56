"""Locking out repeated wrong passwords, with django-axes (configured in settings).

Five wrong passwords for one username within 15 minutes pause sign-in for it for 15 minutes;
an address (a shared office's, say) is paused after ADDRESS_FAILURE_LIMIT, so that one
person's mistakes do not lock their colleagues out. Guesses of the current password on the
change-password page count as failed sign-ins. A locked attempt gets the same GOV.UK message
as any failed sign-in, with when to try again: a username that does not exist is locked the same
way, so the page never tells whether an account exists.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse

ADDRESS_FAILURE_LIMIT = 30


def _minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def paused_message(what: str = "username or password") -> str:
    return (
        f"You have entered a wrong {what} {settings.AXES_FAILURE_LIMIT} times. "
        f"Wait {_minutes()} minutes, then try again"
    )


class PortalLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for an address."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]: the attempts by the account,
        # then by the address. Axes compares one number with AXES_FAILURE_LIMIT, so the
        # address's failures count at the rate that reaches it at ADDRESS_FAILURE_LIMIT.
        by_account, by_address = (
            _sum(attempts) for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        return max(by_account, by_address * limit // ADDRESS_FAILURE_LIMIT)


def _sum(attempts: QuerySet) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def is_paused(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": username})


def count_failure(request: HttpRequest, username: str) -> bool:
    """Record a wrong password given outside sign-in; True when that pauses the account."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def failures_forgotten(username: str) -> None:
    """A complete sign-in (password and any second step) clears the account's failures."""
    reset(username=username)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The page the view already drew: the sign-in form with its error, which says when to
    try again (SignInForm), never a different page that would tell a locked account apart."""
    assert original_response is not None
    return original_response


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with PROXY_COUNT reverse proxies in front, the
    X-Forwarded-For entry the nearest of them added (clients cannot forge that one)."""
    count = settings.PROXY_COUNT
    if count:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
