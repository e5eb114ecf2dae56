from django import forms, template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

from neglect_portal.records import once

register = template.Library()


@register.simple_tag
def govuk_frontend_asset(name: str) -> str:
    """URL of a file in the vendored GOV.UK Frontend build, whose folder carries its version."""
    return static(f"vendor/govuk-frontend-{settings.GOVUK_FRONTEND_VERSION}/{name}")


@register.simple_tag
def page_numbers(page):
    """Page numbers around the current page, with the paginator's ellipsis between runs."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.filter
def error_anchor(bound_field):
    """The id an error summary link must point at: the first input of a question.

    crispy-forms-gds numbers radios and checkboxes from 1 and date parts from 0, and gives the
    question's own id to no input.
    """
    widget = bound_field.field.widget
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_1"
    return bound_field.auto_id


@register.simple_tag
def submission_token():
    """The one-time token of a form that creates a record and has no fields (a start button);
    model forms carry theirs as a field (neglect_portal.records.once)."""
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_token())


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """The query string for page `number`, keeping the page's other parameters (a list's
    filters, another list's page) so that paging never drops them."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"
