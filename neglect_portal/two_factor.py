"""Two-factor authentication's devices, with django-otp: an authenticator app (TOTP) and ten
single-use recovery codes per person.

Recovery codes are kept as django-otp keeps them, in the database beside the authenticator
key, which has to be readable to check a code anyway: hashing them would not protect an account
whose database had been read.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .records.history import attributed

RECOVERY_CODES = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_to_set_up(user: User, device_id: int | None) -> TOTPDevice:
    """This session's unconfirmed authenticator (`device_id`, kept in its session), made on
    first asking: reloading the page shows the same key, so a code from an app already given
    it still works, while another session with the password gets a key of its own."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=AUTHENTICATOR)


def key_in_groups(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    # Drawn on the server, so the key never goes to another site; without a stylesheet or
    # XML declaration, so it can sit in the page under the Content-Security-Policy.
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app"
    )


def _code_is_well_formed(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


@transaction.atomic
def authenticator_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code it made; the new recovery codes, or None. Never
    over a confirmed one: replacing a working authenticator is an administrator's reset."""
    User.objects.select_for_update().filter(pk=device.user_id).first()
    if has_two_factor(device.user):
        return None
    if not (_code_is_well_formed(code) and device.verify_token(code)):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_renew(user=device.user)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new recovery codes, replacing any left: shown once, never again."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def authenticator_code_matches(user: User, code: str) -> bool:
    if not _code_is_well_formed(code):
        return False
    # Locked, so one code sent twice at the same moment passes once (django-otp refuses a
    # code it has seen by the time step it came from).
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        return bool(device and device.verify_token(code))


def recovery_code_matches(user: User, code: str) -> bool:
    """True once per code: a matching code is used up."""
    code = code.replace("-", "").replace(" ", "").lower()
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user).first()
        return bool(device and device.verify_token(code))


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> None:
    """An administrator's reset, for someone who lost their phone: their devices go, every
    session they have ends, and they set up again at their next sign-in. In their history."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.sessions_ended_at = timezone.now()
    attributed(user, user=by, reason="Two-factor authentication reset").save()
