from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def govuk_frontend_asset(name: str) -> str:
    """URL of a file in the vendored GOV.UK Frontend build, whose folder carries its version."""
    return static(f"vendor/govuk-frontend-{settings.GOVUK_FRONTEND_VERSION}/{name}")
