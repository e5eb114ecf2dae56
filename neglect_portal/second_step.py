"""The second step of signing in: a password alone never reaches a page with children on it.

At sign-in the session is marked with the step still to take: a code from the person's
authenticator app, or (when MFA_REQUIRED and they have none) setting one up. Until it is taken,
SecondStepMiddleware sends every page to that step; views marked `@before_second_step` (the
steps themselves, signing out) are the only ones open. The mark lives in the server-side
session, so checking it costs no query on the pages that follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from . import lockout, two_factor

SESSION_KEY = "second_step"
CODE = "code"
SET_UP = "set_up"
DONE = "done"


def step_for(user: Any) -> str | None:
    if two_factor.has_two_factor(user):
        return CODE
    if settings.MFA_REQUIRED:
        return SET_UP
    return None


@receiver(user_logged_in)
def _mark_second_step(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    step = step_for(user)
    request.session[SESSION_KEY] = step or DONE
    if step is None:
        lockout.failures_forgotten(user.get_username())


def pending_step(request: HttpRequest) -> str | None:
    if not request.user.is_authenticated:
        return None
    step = request.session.get(SESSION_KEY)
    if step is None:
        # Signed in without passing the sign-in receiver: ask, rather than let it through.
        step = request.session[SESSION_KEY] = step_for(request.user) or DONE
    return None if step == DONE else step


def step_taken(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = DONE
    # Only now is the sign-in a success: the wrong codes before it stay counted until then,
    # so signing in again with the password does not buy more guesses at the code.
    lockout.failures_forgotten(request.user.get_username())
    # A new session key once fully signed in, so one seen before the step is worth nothing.
    request.session.cycle_key()


def step_becomes(request: HttpRequest, step: str) -> None:
    request.session[SESSION_KEY] = step


def step_url(step: str, next_url: str | None = None) -> str:
    url = resolve_url("sign_in_code" if step == CODE else "two_factor_set_up")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def next_url(request: HttpRequest) -> str:
    """Where to go after the step: the page first asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def before_second_step(view: Callable) -> Callable:
    view.before_second_step = True  # type: ignore[attr-defined]
    return view


class SecondStepMiddleware(MiddlewareMixin):
    """After LoginRequiredMiddleware: signed-in sessions only."""

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        step = pending_step(request)
        if step is None or getattr(view_func, "before_second_step", False):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None  # open to anyone: the accessibility statement, the health check
        return redirect(step_url(step, request.get_full_path()))
