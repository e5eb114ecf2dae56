"""How long a signed-in session lasts, and what browsers may keep of its pages.

A session ends SESSION_IDLE_SECONDS after its last page, and SESSION_COOKIE_AGE after signing
in however busy it is: a portal left open on a shared computer closes itself. The server
decides; the page's timeout warning (static/portal/timeout-warning.js) only tells the person
and lets them stay. Written here rather than with a package, because the ones about do either
an idle or an absolute limit, not both, and cannot answer the warning's question of how long
is left without counting it as use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin

SIGNED_IN_AT = "signed_in_at"
LAST_USED_AT = "last_used_at"
TIMED_OUT = "timed_out"
# Whose session it was (timed out, or signed out in another tab): what they were typing goes
# back to them alone (kept_answers.py).
TIMED_OUT_USER = "timed_out_user"
# Writing the session on every page would cost a database write each time; a minute's
# precision in an idle limit of half an hour costs nothing.
_RECORD_USE_EVERY = 60


@receiver(user_logged_in)
def _start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = request.session[LAST_USED_AT] = now


def seconds_left(request: HttpRequest, now: float | None = None) -> int:
    """How long the signed-in session has before it ends, if nothing more is done."""
    session = request.session
    now = time.time() if now is None else now
    idle_ends = session.get(LAST_USED_AT, now) + settings.SESSION_IDLE_SECONDS
    absolute_ends = session.get(SIGNED_IN_AT, now) + settings.SESSION_COOKIE_AGE
    return max(0, int(min(idle_ends, absolute_ends) - now))


def record_use(request: HttpRequest, *, always: bool = False) -> None:
    now = int(time.time())
    if always or now - request.session.get(LAST_USED_AT, 0) >= _RECORD_USE_EVERY:
        request.session[LAST_USED_AT] = now


def not_use(view: Callable) -> Callable:
    """For views a page calls by itself (the timeout warning asking how long is left): they
    do not keep the session alive."""
    view.not_use = True  # type: ignore[attr-defined]
    return view


class SessionTimeoutMiddleware(MiddlewareMixin):
    """Ends a timed-out session before the view runs, so the request is treated as signed out
    (and a post's answers are kept through signing in again)."""

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> None:
        if not request.user.is_authenticated:
            return
        if seconds_left(request) == 0:
            owner = request.user.pk
            logout(request)
            request.session[TIMED_OUT] = True
            request.session[TIMED_OUT_USER] = owner
        elif not getattr(view_func, "not_use", False):
            record_use(request)


class NoStoreWhenSignedInMiddleware(MiddlewareMixin):
    """Pages for a signed-in person may show children's records: no browser or proxy keeps
    them, so the back button on a shared computer shows nothing after signing out."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
