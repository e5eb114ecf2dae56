from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def govuk_frontend_asset(name: str) -> str:
    """URL of a file in the vendored GOV.UK Frontend build, whose folder carries its version."""
    return static(f"vendor/govuk-frontend-{settings.GOVUK_FRONTEND_VERSION}/{name}")


@register.simple_tag
def page_numbers(page):
    """Page numbers around the current page, with the paginator's ellipsis between runs."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
