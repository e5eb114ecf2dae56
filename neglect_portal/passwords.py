"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from .demo import DEMO_PASSWORD

# Words a guesser tries first for this service; a password made only of them (with digits and
# symbols) is refused, like "Neglect2026!".
SERVICE_WORDS = (
    "neglect",
    "portal",
    "password",
    "safeguarding",
    "children",
    "child",
    "social",
    "care",
    "welcome",
    "letmein",
    "admin",
)
FEWEST_DIFFERENT_CHARACTERS = 5


class NotGuessable:
    """Refuses passwords made of few different characters (aaaaaaaaaaaa), ones containing the
    username, given name or family name (the username three times), and ones made only of the
    service's own words with digits and symbols (Neglect2026!)."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        if len(set(lowered)) < FEWEST_DIFFERENT_CHARACTERS:
            raise ValidationError(
                f"Your password must use at least {FEWEST_DIFFERENT_CHARACTERS} different "
                "characters",
                code="password_too_repetitive",
            )
        for attribute in ("username", "first_name", "last_name"):
            value = str(getattr(user, attribute, "") or "").lower()
            if len(value) >= 3 and value in lowered:
                raise ValidationError(
                    "Your password must not contain your name or your username",
                    code="password_contains_name",
                )
        letters = re.sub(r"[^a-z]", "", lowered)
        for word in sorted(SERVICE_WORDS, key=len, reverse=True):
            letters = letters.replace(word, "")
        if len(letters) < 3:
            raise ValidationError(
                "Your password must not be made of words about this service and numbers",
                code="password_service_words",
            )

    def get_help_text(self) -> str:
        return "Do not use your name, your username or words about this service."


class NotTheDemoPassword:
    """The demo sign-ins' password is published in the README: never valid in production."""

    def validate(self, password: str, user: Any = None) -> None:
        if not settings.DEBUG and password == DEMO_PASSWORD:
            raise ValidationError(
                "This password is published with the demo data: choose another",
                code="password_published",
            )

    def get_help_text(self) -> str:
        return ""
