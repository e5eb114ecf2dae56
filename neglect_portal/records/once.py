"""A create form saved once: a double click or a resend of the same form creates nothing new.

Every create form carries a random one-time token in a hidden field (`carry_token`, or the
`{% submission_token %}` tag for a form without fields), issued when the form is shown and
stored nowhere until it is used. `submit_once` checks the token and records it, with where
the new record is, in the same transaction as the create; the unique constraint on
`SubmissionToken` makes a second post of the token, even one sent at the same moment, create
nothing and land on the first one's result. A refused or invalid post records nothing, so the
form can be corrected and sent with its token.

Tokens belong to the user who sent them: another user's token is a new token for them, never
a way to learn where someone else's record is. A post without a token (a page opened before
tokens were issued) is saved as before: the token stops repeats, CSRF stops forgeries.
Each use removes that user's tokens older than a day (`KEPT_FOR`); a repeat after that long
is a new submission.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from neglect_portal.models import SubmissionToken, User

from .versions import StaleEdit

FIELD = "submission_token"
KEPT_FOR = timedelta(days=1)
ALREADY_SAVED = "This was already saved"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)

T = TypeVar("T")
F = TypeVar("F", bound=forms.BaseForm)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _usable(value: Any) -> bool:
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def _posted_token(request: HttpRequest) -> str | None:
    token = request.POST.get(FIELD)
    return token if _usable(token) else None


class TokenField(forms.CharField):
    """The hidden token. Shown again after a mistake, the form keeps the token it was sent
    with (nothing was created); a form sent without a usable one gets a fresh one."""

    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, required=False, initial=new_token)

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data if _usable(data) else initial


def carry_token(form: F) -> F:
    form.fields[FIELD] = TokenField()
    return form


@dataclass(frozen=True)
class Submitted(Generic[T]):
    record: T | None  # None when the token had been used: nothing was created
    url: str  # where the record is

    @property
    def again(self) -> bool:
        return self.record is None


def _used(user: User, token: str) -> QuerySet[SubmissionToken, str]:
    return SubmissionToken.objects.filter(user=user, token=token).values_list("url", flat=True)


def earlier_result(request: HttpRequest) -> str | None:
    """Where the record is if this user has sent the form's token before. Asked when the
    form is refused: what the first post created (a child with that id) can make the repeat
    invalid."""
    token = _posted_token(request)
    return None if token is None else _used(_user(request), token).first()


def _user(request: HttpRequest) -> User:
    # Only a signed-in user reaches a create form (LoginRequiredMiddleware).
    return cast(User, request.user)


def submit_once(
    request: HttpRequest, create: Callable[[], T], url_of: Callable[[T], str]
) -> Submitted[T]:
    """`create()` the record unless this user has sent the form's token before; either way,
    say where the record is (`url_of(record)` for a new one)."""
    token = _posted_token(request)
    if token is None:
        record = create()
        return Submitted(record, url_of(record))
    user = _user(request)
    used = _used(user, token)
    try:
        # On SQLite the transaction takes the write lock as it begins (IMMEDIATE, in
        # settings), so a post sent at the same moment waits here and then finds the token.
        with transaction.atomic():
            earlier = used.first()
            if earlier is not None:
                return Submitted(None, earlier)
            record = create()
            url = url_of(record)
            SubmissionToken.objects.create(user=user, token=token, url=url)
            SubmissionToken.objects.filter(
                user=user, created_at__lt=timezone.now() - KEPT_FOR
            ).delete()
    except (IntegrityError, ValidationError, StaleEdit):
        # On PostgreSQL both posts may get past the check: the one that stored the token
        # first won, and everything this one created was rolled back (the winner's record can
        # also be what refused this one's: the same child id, an open plan).
        earlier = used.first()
        if earlier is None:
            raise
        return Submitted(None, earlier)
    return Submitted(record, url)


def already_saved(request: HttpRequest, url: str, notice: str = ALREADY_SAVED) -> HttpResponse:
    """Where a repeated form lands: the first one's result, saying nothing new was made."""
    messages.info(request, notice)
    return redirect(url)
