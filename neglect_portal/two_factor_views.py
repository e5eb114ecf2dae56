"""The second step of signing in, setting up two-factor authentication, and recovery codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import lockout, second_step, two_factor
from .models import User
from .two_factor_forms import (
    AuthenticatorCodeForm,
    RecoveryCodeForm,
    RecoveryCodesRenewForm,
    SecurityCodeForm,
)

# The session's own authenticator being set up, so no other session is shown its key.
_SETTING_UP = "two_factor_setting_up"


def _paused(request: HttpRequest, form: SecurityCodeForm) -> HttpResponse:
    # Too many wrong codes: the password alone was someone's, so the session ends too.
    logout(request)
    messages.warning(request, lockout.paused_message(form.what))
    return redirect("login")


def _recovery_codes_page(
    request: HttpRequest, codes: list[str] | None, *, first_time: bool
) -> HttpResponse:
    # Shown in this response only: the codes are never on a page again.
    context = {"codes": codes, "next": second_step.next_url(request), "first_time": first_time}
    return render(request, "registration/recovery_codes.html", context)


def _code_step(
    request: HttpRequest,
    form_class: type[SecurityCodeForm],
    matches: Callable[[User, str], bool],
    template: str,
) -> HttpResponse:
    step = second_step.pending_step(request)
    if step != second_step.CODE:
        return redirect(second_step.step_url(step) if step else second_step.next_url(request))
    user = cast(User, request.user)
    form = form_class(
        request.POST or None, request=request, matches=lambda code: matches(user, code)
    )
    if request.method == "POST":
        if form.is_valid():
            second_step.step_taken(request)
            return redirect(second_step.next_url(request))
        if form.paused:
            return _paused(request, form)
    return render(request, template, {"form": form})


@second_step.before_second_step
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    return _code_step(
        request,
        AuthenticatorCodeForm,
        two_factor.authenticator_code_matches,
        "registration/sign_in_code.html",
    )


@second_step.before_second_step
@require_http_methods(["GET", "POST"])
def sign_in_recovery_code(request: HttpRequest) -> HttpResponse:
    waiting = second_step.pending_step(request) == second_step.CODE
    response = _code_step(
        request,
        RecoveryCodeForm,
        two_factor.recovery_code_matches,
        "registration/sign_in_recovery_code.html",
    )
    if waiting and second_step.pending_step(request) is None:
        left = two_factor.recovery_codes_left(cast(User, request.user))
        messages.warning(
            request,
            f"You used a recovery code. You have {left} left: make new ones from your "
            "account page if you are running out.",
        )
    return response


@second_step.before_second_step
@require_http_methods(["GET", "POST"])
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    step = second_step.pending_step(request)
    if two_factor.has_two_factor(user):
        # Set up already, perhaps in another session since this one signed in: replacing a
        # working authenticator is an administrator's reset, so the code is asked for instead.
        if step == second_step.SET_UP:
            second_step.step_becomes(request, second_step.CODE)
            step = second_step.CODE
        if step == second_step.CODE:
            return redirect(second_step.step_url(step))
        return render(request, "registration/two_factor_already_set_up.html")
    if step == second_step.CODE:
        return redirect(second_step.step_url(step))
    device = two_factor.authenticator_to_set_up(user, request.session.get(_SETTING_UP))
    request.session[_SETTING_UP] = device.pk
    codes: list[str] | None = None

    def confirms(code: str) -> bool:
        nonlocal codes
        codes = two_factor.authenticator_confirm(device=device, code=code)
        return codes is not None

    form = AuthenticatorCodeForm(request.POST or None, request=request, matches=confirms)
    if request.method == "POST":
        if form.is_valid():
            request.session.pop(_SETTING_UP, None)
            if step is not None:
                second_step.step_taken(request)
            return _recovery_codes_page(request, codes, first_time=True)
        if form.paused:
            return _paused(request, form)
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device),
            "key": two_factor.key_in_groups(device),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """New recovery codes, for a code from the authenticator app: a session left open on
    someone's computer is not enough to get them."""
    user = cast(User, request.user)
    if not two_factor.has_two_factor(user):
        return redirect("two_factor_set_up")
    form = RecoveryCodesRenewForm(
        request.POST or None,
        request=request,
        matches=lambda code: two_factor.authenticator_code_matches(user, code),
    )
    if request.method == "POST":
        if form.is_valid():
            codes = two_factor.recovery_codes_renew(user=user)
            return _recovery_codes_page(request, codes, first_time=False)
        if form.paused:
            return _paused(request, form)
    return render(
        request,
        "registration/recovery_codes_new.html",
        {"form": form, "left": two_factor.recovery_codes_left(user)},
    )
