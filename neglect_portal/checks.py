from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(**kwargs: Any) -> list[Warning]:
    """`check --deploy` fails (at --fail-level WARNING) on a production portal that lets a
    password alone sign in: MFA_REQUIRED off must be a choice someone sees."""
    if settings.MFA_REQUIRED or settings.DEBUG:
        return []
    return [
        Warning(
            "MFA_REQUIRED is off with DEBUG off: a password alone signs in to children's records.",
            hint="Remove MFA_REQUIRED=False from the environment.",
            id="neglect_portal.W001",
        )
    ]
